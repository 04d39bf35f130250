// SPDX-License-Identifier: GPL-2.0
/*
 * VMLAB_IOC_INSPECT: walk the page tables of a range of addresses, in the
 * caller's address space or another process's, and report for each page
 * the entries found, the frame, its struct page and the VMA.
 *
 * walk_page_range() is not exported to modules, so the walk is done here,
 * as the kernel's own walkers do it: under the mmap lock for reading, only
 * inside VMAs (page tables there cannot be freed under us), reading each
 * leaf under its page table lock and taking a reference on a page before
 * reading its facts.  Results go to a kernel buffer and are copied to the
 * caller after every lock is dropped.
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
#include <linux/hugetlb.h>
#include <linux/kdev_t.h>
#include <linux/memory_hotplug.h>
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

#ifndef CONFIG_X86_64
#error "vmlab decodes x86-64 page-table entries"
#endif

/* Attempts at a page whose entries keep changing under the walk. */
#define VMLAB_WALK_TRIES	8

static siphash_key_t vmlab_frame_key __read_mostly;

/* procfs of the pid namespace vmlab was loaded in: see vmlab_may_read(). */
static struct vfsmount *vmlab_proc_mnt;
static struct pid_namespace *vmlab_proc_ns;

struct vmlab_walk {
	struct vmlab_object *obj;
	struct mm_struct *mm;
	bool privileged;	/* CAP_SYS_ADMIN: sees everything */
};

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

static void vmlab_vma_facts(struct vm_area_struct *vma,
			    struct vmlab_page_info *pi)
{
	vm_flags_t flags = vma->vm_flags;

	pi->walk |= VMLAB_WALK_VMA;
	pi->vma_start = vma->vm_start;
	pi->vma_end = vma->vm_end;
	pi->vma_pgoff = vma->vm_pgoff;
	pi->vm_flags = flags;
	if (vma->vm_file) {
		struct inode *inode = file_inode(vma->vm_file);

		pi->vma |= VMLAB_VMA_FILE;
		pi->vma_dev = new_encode_dev(inode->i_sb->s_dev);
		pi->vma_ino = inode->i_ino;
	}
	if (vma->anon_vma)
		pi->vma |= VMLAB_VMA_ANON_VMA;
	if (vmlab_vma_is_ours(vma))
		pi->vma |= VMLAB_VMA_VMLAB;
	if ((flags & (VM_SHARED | VM_MAYWRITE)) == VM_MAYWRITE)
		pi->vma |= VMLAB_VMA_COW;
	if (is_vm_hugetlb_page(vma))
		pi->vma |= VMLAB_VMA_HUGETLB;
}

/* The facts of the struct page of @pfn, under the lock of its entry. */
static void vmlab_page_facts(struct vmlab_walk *w, unsigned long pfn,
			     struct vmlab_page_info *pi)
{
	struct address_space *mapping;
	struct folio *folio;
	struct page *page;
	bool anon;

	page = pfn_to_online_page(pfn);
	if (!page)
		return;
	folio = page_folio(page);
	if (!folio_try_get(folio))
		return;
	if (unlikely(page_folio(page) != folio))
		goto out;	/* split meanwhile */

	pi->page |= VMLAB_PAGE_VALID;
	anon = folio_test_anon(folio);
	mapping = READ_ONCE(folio->mapping);	/* truncation may clear it */
	if (anon)
		pi->page |= VMLAB_PAGE_ANON;
	/*
	 * A hugetlb folio keeps the bit on its head page only (before 6.12,
	 * reading a tail page's is even a VM_BUG_ON with DEBUG_VM_PGFLAGS).
	 */
	if (folio_test_ksm(folio))
		pi->page |= VMLAB_PAGE_KSM;
	else if (anon && PageAnonExclusive(folio_test_hugetlb(folio) ?
					   &folio->page : page))
		pi->page |= VMLAB_PAGE_ANON_EXCLUSIVE;
	if (!anon && mapping) {
		pi->page |= VMLAB_PAGE_FILE;
		if (mapping == w->obj->mapping) {
			pi->page |= VMLAB_PAGE_VMLAB;
			pi->obj_offset = folio->index + pfn - folio_pfn(folio);
		}
	}
	if (folio_test_large(folio))
		pi->page |= VMLAB_PAGE_LARGE;
	if (folio_test_hugetlb(folio))
		pi->page |= VMLAB_PAGE_HUGETLB;
	if (folio_test_dirty(folio))
		pi->page |= VMLAB_PAGE_DIRTY;
	if (folio_test_locked(folio))
		pi->page |= VMLAB_PAGE_LOCKED;
	pi->folio_pages = folio_nr_pages(folio);
	pi->refcount = folio_ref_count(folio) - 1;	/* less ours */
	pi->mapcount = vmlab_mapcount(folio, page);
out:
	folio_put(folio);
}

/*
 * Record the leaf entry at @level, raw value @raw, x86 flags @flags; a
 * present one maps @pfn at the page's address.  Called under its lock.
 */
static void vmlab_leaf(struct vmlab_walk *w, struct vmlab_page_info *pi,
		       int level, u64 raw, bool present, unsigned long flags,
		       unsigned long pfn)
{
	u64 e = 0;

	pi->level = level;
	if (!present) {
		if (raw & _PAGE_SWP_SOFT_DIRTY)
			e |= VMLAB_ENTRY_SOFT_DIRTY;
		pi->entry = e;
		pi->nonpresent = vmlab_nonpresent(__pte(raw), &pi->swap_type,
						  &pi->swap_offset);
		return;
	}

	e = VMLAB_ENTRY_PRESENT | VMLAB_ENTRY_LEAF;
	if (!(flags & _PAGE_PRESENT))
		e |= VMLAB_ENTRY_PROTNONE;
	if (flags & _PAGE_RW)
		e |= VMLAB_ENTRY_WRITE;
	if (flags & _PAGE_USER)
		e |= VMLAB_ENTRY_USER;
	if (flags & _PAGE_ACCESSED)
		e |= VMLAB_ENTRY_ACCESSED;
	if (flags & VMLAB_PAGE_DIRTY_BITS)
		e |= VMLAB_ENTRY_DIRTY;
	if (flags & _PAGE_NX)
		e |= VMLAB_ENTRY_NX;
	if (flags & _PAGE_SPECIAL)
		e |= VMLAB_ENTRY_SPECIAL;
	if (flags & _PAGE_SOFT_DIRTY)
		e |= VMLAB_ENTRY_SOFT_DIRTY;
	pi->entry = e;

	pi->pfn = pfn;
	pi->frame_id = vmlab_frame_id(pfn);
	if (is_zero_pfn(pfn))
		pi->page |= VMLAB_PAGE_ZERO;
	else if (!(flags & _PAGE_SPECIAL))
		vmlab_page_facts(w, pfn, pi);
}

/* The walk ended at an empty or corrupt entry at @level. */
static void vmlab_stop(struct vmlab_page_info *pi, int level, bool bad)
{
	pi->level = level;
	if (bad)
		pi->walk |= VMLAB_WALK_BAD;
}

#define VMLAB_RAW(pi, level)	((pi)->raw[VMLAB_LEVEL_##level - 1])

/*
 * The PTE level of the walk, as pte_offset_map_lock() does it (modules
 * cannot call it from 6.5 on): read *@pmd under RCU, which keeps a page
 * table that is being freed (khugepaged collapses them without the mmap
 * lock from 6.5 on) valid until the unlock; lock the table; recheck *@pmd.
 *
 * Return: false if *@pmd is no longer a page table: walk it again.
 */
static bool vmlab_walk_pte(struct vmlab_walk *w, pmd_t *pmd,
			   unsigned long addr, struct vmlab_page_info *pi)
{
	spinlock_t *ptl;	/* the page table's */
	pmd_t pmdv;
	pte_t ptev;

	BUILD_BUG_ON(IS_ENABLED(CONFIG_HIGHPTE));	/* no pte_offset_map() */
	rcu_read_lock();
	pmdv = vmlab_pmdp_get_lockless(pmd);
	if (pmd_none(pmdv) || !pmd_present(pmdv) || pmd_leaf(pmdv) ||
	    pmd_bad(pmdv)) {
		rcu_read_unlock();
		return false;
	}
	ptl = pte_lockptr(w->mm, &pmdv);
	spin_lock(ptl);
	if (unlikely(!pmd_same(pmdv, vmlab_pmdp_get_lockless(pmd)))) {
		spin_unlock(ptl);
		rcu_read_unlock();
		return false;
	}
	pi->walk |= VMLAB_WALK_PMD;
	VMLAB_RAW(pi, PMD) = pmd_val(pmdv);
	ptev = ptep_get(pte_offset_kernel(&pmdv, addr));
	VMLAB_RAW(pi, PTE) = pte_val(ptev);
	if (pte_none(ptev))
		vmlab_stop(pi, VMLAB_LEVEL_PTE, false);
	else
		vmlab_leaf(w, pi, VMLAB_LEVEL_PTE, pte_val(ptev),
			   pte_present(ptev), pte_flags(ptev), pte_pfn(ptev));
	spin_unlock(ptl);
	rcu_read_unlock();
	return true;
}

/* Walk the tables of w->mm down to @addr, inside a VMA, mmap lock held. */
static void vmlab_walk_page(struct vmlab_walk *w, unsigned long addr,
			    struct vmlab_page_info *pi)
{
	struct mm_struct *mm = w->mm;
	int tries = 0;
	spinlock_t *ptl;	/* the huge leaf's page table's */
	pgd_t *pgd, pgdv;
	p4d_t *p4d, p4dv;
	pud_t *pud, pudv;
	pmd_t *pmd, pmdv;

	pgd = pgd_offset(mm, addr);
	pgdv = READ_ONCE(*pgd);
	VMLAB_RAW(pi, PGD) = pgd_val(pgdv);
	if (pgd_none(pgdv) || pgd_bad(pgdv)) {
		vmlab_stop(pi, VMLAB_LEVEL_PGD, !pgd_none(pgdv));
		return;
	}
	pi->walk |= VMLAB_WALK_PGD;

	p4d = p4d_offset(pgd, addr);
	p4dv = READ_ONCE(*p4d);
	VMLAB_RAW(pi, P4D) = p4d_val(p4dv);
	if (p4d_none(p4dv) || p4d_bad(p4dv)) {
		vmlab_stop(pi, VMLAB_LEVEL_P4D, !p4d_none(p4dv));
		return;
	}
	pi->walk |= VMLAB_WALK_P4D;

again:
	if (++tries > VMLAB_WALK_TRIES) {
		pi->walk |= VMLAB_WALK_UNSTABLE;
		return;
	}
	pi->walk &= ~(VMLAB_WALK_PUD | VMLAB_WALK_PMD);
	pud = pud_offset(p4d, addr);
	pudv = READ_ONCE(*pud);
	VMLAB_RAW(pi, PUD) = pud_val(pudv);
	if (pud_none(pudv)) {
		vmlab_stop(pi, VMLAB_LEVEL_PUD, false);
		return;
	}
	if (!pud_present(pudv) || pud_leaf(pudv)) {
		/* 1 GiB leaf (hugetlb) or its migration entry */
		ptl = pud_lock(mm, pud);
		pudv = READ_ONCE(*pud);
		VMLAB_RAW(pi, PUD) = pud_val(pudv);
		if (pud_none(pudv) || (pud_present(pudv) && !pud_leaf(pudv))) {
			spin_unlock(ptl);
			goto again;
		}
		vmlab_leaf(w, pi, VMLAB_LEVEL_PUD, pud_val(pudv),
			   pud_present(pudv), pud_flags(pudv),
			   pud_pfn(pudv) + ((addr & ~PUD_MASK) >> PAGE_SHIFT));
		spin_unlock(ptl);
		return;
	}
	if (pud_bad(pudv)) {
		vmlab_stop(pi, VMLAB_LEVEL_PUD, true);
		return;
	}
	pi->walk |= VMLAB_WALK_PUD;

	pmd = pmd_offset(pud, addr);
	pmdv = vmlab_pmdp_get_lockless(pmd);
	VMLAB_RAW(pi, PMD) = pmd_val(pmdv);
	if (pmd_none(pmdv)) {
		vmlab_stop(pi, VMLAB_LEVEL_PMD, false);
		return;
	}
	if (!pmd_present(pmdv) || pmd_leaf(pmdv)) {
		/* 2 MiB leaf (THP, hugetlb) or its migration entry */
		ptl = pmd_lock(mm, pmd);
		pmdv = vmlab_pmdp_get_lockless(pmd);
		VMLAB_RAW(pi, PMD) = pmd_val(pmdv);
		if (pmd_none(pmdv) || (pmd_present(pmdv) && !pmd_leaf(pmdv))) {
			spin_unlock(ptl);
			goto again;
		}
		vmlab_leaf(w, pi, VMLAB_LEVEL_PMD, pmd_val(pmdv),
			   pmd_present(pmdv), pmd_flags(pmdv),
			   pmd_pfn(pmdv) + ((addr & ~PMD_MASK) >> PAGE_SHIFT));
		spin_unlock(ptl);
		return;
	}
	if (pmd_bad(pmdv)) {
		vmlab_stop(pi, VMLAB_LEVEL_PMD, true);
		return;
	}

	if (!vmlab_walk_pte(w, pmd, addr, pi))
		goto again;	/* the table went or became a huge leaf */
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
		vmlab_vma_facts(vma, pi);
		/* Shared hugetlb may share page tables between processes. */
		if (is_vm_hugetlb_page(vma) && (vma->vm_flags & VM_MAYSHARE)) {
			pi->walk |= VMLAB_WALK_SKIPPED;
			continue;
		}
		vmlab_walk_page(w, addr, pi);
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
