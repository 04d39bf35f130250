// SPDX-License-Identifier: GPL-2.0
/*
 * VMLAB_IOC_INSPECT: for a range of addresses, in the caller's address
 * space or another process's, the entries found, the frame, its struct
 * page and the VMA (the walk itself is in walk.c).  Here: who may inspect
 * whom (pagemap's check, made by procfs), what a caller may see, and the
 * frame id.  Results go to a kernel buffer and are copied to the caller
 * after every lock is dropped.
 *
 * A caller without CAP_SYS_ADMIN learns no more than /proc/PID/pagemap
 * and smaps would tell it (vmlab_withhold(); the UAPI header's "Who may
 * see what"): no physical address, and of a page that is neither vmlab's
 * nor anonymous memory of the inspected process only that it is mapped
 * once or more than once.
 */
#include <linux/capability.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kdev_t.h>
#include <linux/mm.h>
#include <linux/mount.h>
#include <linux/pid_namespace.h>
#include <linux/random.h>
#include <linux/rcupdate.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>
#include <linux/siphash.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "compat.h"
#include "internal.h"

static siphash_key_t vmlab_frame_key __read_mostly;

/* procfs of the pid namespace vmlab was loaded in: see vmlab_may_read(). */
static struct vfsmount *vmlab_proc_mnt;
static struct pid_namespace *vmlab_proc_ns;

/**
 * vmlab_frame_id - a frame's public name
 * @pfn: page frame number
 *
 * Return: a keyed hash of @pfn, never 0: equal for the same frame, and
 * telling nothing about the PFN without the key, made at module load.
 */
u64 vmlab_frame_id(unsigned long pfn)
{
	return siphash_1u64(pfn, &vmlab_frame_key) ?: 1;
}

static struct vfsmount *vmlab_mount_proc(void)
{
	struct file_system_type *proc = get_fs_type("proc");
	struct vfsmount *mnt;

	if (!proc)
		return ERR_PTR(-ENODEV);
	mnt = kern_mount(proc);
	module_put(proc->owner);
	return mnt;
}

/*
 * May the caller read @mm, the address space of process @pid?  ptrace's
 * checks are not exported to modules, so ask procfs: opening
 * /proc/PID/pagemap makes exactly pagemap's check (ptrace read access with
 * the caller's fs credentials, LSMs included, under the exec lock) and
 * keeps the address space it checked in the file's private_data.  Only
 * pointers are compared: nothing is read through private_data.
 *
 * The file is opened in vmlab's own procfs, mounted once at load in the
 * pid namespace vmlab was loaded in, under the number @pid has there, so
 * that neither the caller's mounts nor its pid namespace matter, and no
 * call mounts anything.  The check is the same in every procfs: it is
 * made with the caller's credentials against the task.
 *
 * Return: 0 if allowed; -EAGAIN if the process now runs another address
 * space (it called execve); -ESRCH if it has gone, or is not visible from
 * the namespace vmlab was loaded in; -EACCES or another error.
 */
static int vmlab_may_read(struct pid *pid, struct mm_struct *mm)
{
	pid_t nr = pid_nr_ns(pid, vmlab_proc_ns);
	char name[24];
	struct file *file;
	int ret;

	if (!nr)
		return -ESRCH;
	snprintf(name, sizeof(name), "%d/pagemap", nr);
	file = file_open_root_mnt(vmlab_proc_mnt, name, O_RDONLY, 0);
	if (IS_ERR(file))
		return PTR_ERR(file) == -ENOENT ? -ESRCH : PTR_ERR(file);
	ret = file->private_data == mm ? 0 : -EAGAIN;
	fput(file);
	return ret;
}

/* The address space to inspect, referenced (mmget), or an ERR_PTR. */
static struct mm_struct *vmlab_inspect_mm(pid_t nr)
{
	struct task_struct *task;
	struct mm_struct *mm;
	struct pid *pid;
	int tries, ret;

	if (!nr) {
		if (!current->mm)
			return ERR_PTR(-ESRCH);
		mmget(current->mm);
		return current->mm;
	}
	pid = find_get_pid(nr);		/* in the caller's pid namespace */
	if (!pid)
		return ERR_PTR(-ESRCH);
	for (tries = 0; tries < 3; tries++) {
		task = get_pid_task(pid, PIDTYPE_PID);
		mm = task ? get_task_mm(task) : NULL;
		if (task)
			put_task_struct(task);
		if (!mm) {
			ret = -ESRCH;
			break;
		}
		ret = vmlab_may_read(pid, mm);
		if (!ret)
			break;
		mmput(mm);
		if (ret != -EAGAIN)
			break;
	}
	put_pid(pid);
	return ret ? ERR_PTR(ret) : mm;
}

/*
 * What a caller without CAP_SYS_ADMIN may not see: the UAPI header's "Who
 * may see what".  No physical address: PFNs, raw entries, swap entries
 * (as pagemap).  Of a page that is not vmlab's (an object page, the zero
 * page) and not anonymous memory of the inspected process: no frame id,
 * and no counts or state that other users' use of the page moves (as
 * kpagecount and kpageflags, which are root's), but whether it is mapped
 * once or more (as smaps and pagemap's exclusive bit).  Of anonymous
 * memory the inspected process shares (after fork): the frame id, so
 * that sharing and copies can be seen, but not the counts.
 */
static void vmlab_withhold(struct vmlab_page_info *pi)
{
	bool ours = pi->page & (VMLAB_PAGE_VMLAB | VMLAB_PAGE_ZERO);
	bool anon = (pi->page & (VMLAB_PAGE_ANON | VMLAB_PAGE_KSM)) ==
		    VMLAB_PAGE_ANON;

	pi->walk |= VMLAB_WALK_PFN_HIDDEN;
	pi->hidden |= VMLAB_HIDDEN_PFN;
	pi->pfn = 0;
	pi->swap_offset = 0;
	memset(pi->raw, 0, sizeof(pi->raw));
	if (pi->nonpresent != VMLAB_NP_NONE) {
		pi->swap_type = 0;
		pi->hidden |= VMLAB_HIDDEN_SWAP;
	}
	if (pi->frame_id && !ours && !anon) {
		pi->frame_id = 0;
		pi->hidden |= VMLAB_HIDDEN_FRAME_ID;
	}
	if (!(pi->page & VMLAB_PAGE_VALID) || ours ||
	    (pi->page & VMLAB_PAGE_ANON_EXCLUSIVE))
		return;
	pi->mapcount = min_t(u64, pi->mapcount, 2);
	pi->refcount = 0;
	pi->page &= ~(VMLAB_PAGE_LOCKED | VMLAB_PAGE_DIRTY | VMLAB_PAGE_KSM |
		      VMLAB_PAGE_LARGE);
	pi->folio_pages = 0;
	pi->hidden |= VMLAB_HIDDEN_MAPCOUNT | VMLAB_HIDDEN_REFCOUNT |
		      VMLAB_HIDDEN_STATE;
}

static void vmlab_inspect_range(struct vmlab_walk *w, unsigned long start,
				unsigned long npages,
				struct vmlab_page_info *info)
{
	struct vm_area_struct *vma = NULL;
	unsigned long i, addr;

	for (i = 0; i < npages; i++) {
		struct vmlab_page_info *pi = &info[i];

		addr = start + (i << PAGE_SHIFT);
		pi->addr = addr;
		if (!vma || addr < vma->vm_start || addr >= vma->vm_end)
			vma = vma_lookup(w->mm, addr);
		if (!vma)
			continue;
		vmlab_walk_one(w, vma, addr, pi);
		if (!w->privileged)
			vmlab_withhold(pi);
		cond_resched();
	}
}

/**
 * vmlab_ioc_inspect - VMLAB_IOC_INSPECT
 * @file: the caller's /dev/vmlab
 * @arg: user pointer to struct vmlab_inspect
 *
 * Return: 0, or -EINVAL for a bad request, -EFAULT for a bad pointer,
 * -ESRCH, -EACCES (see vmlab_may_read()), -EINTR, -ENOMEM.
 */
long vmlab_ioc_inspect(struct file *file, void __user *arg)
{
	struct vmlab_walk w = { .obj = file->private_data };
	struct vmlab_page_info *info;
	struct vmlab_inspect req;
	long ret;

	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;
	if (req.flags || req.info_size != sizeof(*info) ||
	    memchr_inv(req.reserved, 0, sizeof(req.reserved)) ||
	    req.pid > INT_MAX)
		return -EINVAL;
	if (!req.npages || req.npages > VMLAB_INSPECT_MAX_PAGES ||
	    !PAGE_ALIGNED(req.addr) || req.addr >= TASK_SIZE_MAX ||
	    req.npages > (TASK_SIZE_MAX - req.addr) >> PAGE_SHIFT)
		return -EINVAL;

	info = kvcalloc(req.npages, sizeof(*info), GFP_KERNEL_ACCOUNT);
	if (!info)
		return -ENOMEM;
	/* As pagemap: both the opener and the caller must be privileged. */
	w.privileged = file_ns_capable(file, &init_user_ns, CAP_SYS_ADMIN) &&
		     ns_capable_noaudit(&init_user_ns, CAP_SYS_ADMIN);
	w.mm = vmlab_inspect_mm(req.pid);
	if (IS_ERR(w.mm)) {
		ret = PTR_ERR(w.mm);
		goto out;
	}
	ret = mmap_read_lock_killable(w.mm);
	if (!ret) {
		vmlab_inspect_range(&w, req.addr, req.npages, info);
		mmap_read_unlock(w.mm);
	}
	mmput(w.mm);
	if (ret)
		goto out;

	req.result = w.privileged ? VMLAB_INSPECT_PFN_SHOWN : 0;
	req.page_size = PAGE_SIZE;
	if (copy_to_user(u64_to_user_ptr(req.pages), info,
			 req.npages * sizeof(*info)) ||
	    copy_to_user(arg, &req, sizeof(req)))
		ret = -EFAULT;
out:
	kvfree(info);
	return ret;
}

/**
 * vmlab_inspect_init - make the frame-id key, mount vmlab's procfs
 *
 * Return: 0 or a negative errno.
 */
int vmlab_inspect_init(void)
{
	get_random_bytes(&vmlab_frame_key, sizeof(vmlab_frame_key));
	vmlab_proc_mnt = vmlab_mount_proc();
	if (IS_ERR(vmlab_proc_mnt))
		return PTR_ERR(vmlab_proc_mnt);
	vmlab_proc_ns = task_active_pid_ns(current);
	return 0;
}

void vmlab_inspect_exit(void)
{
	kern_unmount(vmlab_proc_mnt);
}
