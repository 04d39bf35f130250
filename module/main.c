// SPDX-License-Identifier: GPL-2.0
/*
 * vmlab: a misc device whose mmap() is served page by page by its own fault
 * handlers, so that demand-zero pages, shared and private mappings and
 * copy-on-write can be watched as they happen.
 *
 * This file: module parameters, the misc device /dev/vmlab and its file
 * operations (a RAM-backed file of size_mb MiB), the ioctls.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/fs_context.h>
#include <linux/highmem.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/pseudo_fs.h>
#include <linux/uaccess.h>

#include "internal.h"
#include <linux/vmlab.h>

static unsigned int size_mb = 64;
module_param(size_mb, uint, 0444);
MODULE_PARM_DESC(size_mb, "Size of the object behind /dev/vmlab in MiB (default 64)");

static unsigned int mem_limit_mb;
module_param(mem_limit_mb, uint, 0444);
MODULE_PARM_DESC(mem_limit_mb,
		 "Most memory the object may hold in MiB; faults past it get SIGBUS (default: size_mb)");

static ushort dev_mode = 0600;
module_param(dev_mode, ushort, 0444);
MODULE_PARM_DESC(dev_mode, "Permissions of /dev/vmlab (default 0600)");

#define VMLAB_MAX_SIZE_MB	(1024U * 1024U)	/* 1 TiB */
#define VMLAB_FS_MAGIC		0x766d6c62	/* "vmlb" */

static struct vmlab_object vmlab_obj;
static struct vfsmount *vmlab_mnt;

unsigned long vmlab_event_sum(struct vmlab_object *obj, enum vmlab_event ev)
{
	unsigned long sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu_ptr(obj->events, cpu)->count[ev];
	return sum;
}

static loff_t vmlab_size(struct vmlab_object *obj)
{
	return (loff_t)obj->npages << PAGE_SHIFT;
}

static int vmlab_open(struct inode *inode, struct file *file)
{
	file->private_data = &vmlab_obj;
	/* Every mapping joins the object's address space: see internal.h. */
	file->f_mapping = vmlab_obj.mapping;
	return 0;
}

static loff_t vmlab_llseek(struct file *file, loff_t offset, int whence)
{
	return fixed_size_llseek(file, offset, whence,
				 vmlab_size(file->private_data));
}

/* Copy one page's worth between user memory and the object. */
static ssize_t vmlab_copy_page(struct vmlab_object *obj, loff_t pos,
			       char __user *buf, size_t len, bool write)
{
	pgoff_t index = pos >> PAGE_SHIFT;
	size_t off = offset_in_page(pos), left;
	struct page *page;
	char *kaddr;

	page = write ? vmlab_store_get(obj, index) :
		       vmlab_store_lookup(obj, index);
	if (IS_ERR(page))
		return PTR_ERR(page);
	if (!page)
		return clear_user(buf, len) ? -EFAULT : len;
	kaddr = kmap_local_page(page);
	/*
	 * Not copy_from_user(): on a fault it zeroes what it could not copy,
	 * and a write() that fails must leave the object as it was.  The
	 * caller checked the whole buffer with access_ok().
	 */
	if (write)
		left = __copy_from_user(kaddr + off, buf, len);
	else
		left = copy_to_user(buf, kaddr + off, len);
	kunmap_local(kaddr);
	if (write && left < len)
		vmlab_store_set_dirty(obj, page);
	put_page(page);
	return left == len ? -EFAULT : len - left;
}

static ssize_t vmlab_rw(struct file *file, char __user *buf, size_t len,
			loff_t *ppos, bool write)
{
	struct vmlab_object *obj = file->private_data;
	loff_t pos = *ppos, size = vmlab_size(obj);
	ssize_t done = 0, n;

	if (pos < 0)
		return -EINVAL;
	/* The object has a fixed size: appending to it finds no room. */
	if (write && (file->f_flags & O_APPEND))
		pos = size;
	if (pos >= size)
		return write && len ? -ENOSPC : 0;
	len = min_t(loff_t, len, size - pos);
	if (!access_ok(buf, len))
		return -EFAULT;
	while (done < len) {
		n = min_t(size_t, PAGE_SIZE - offset_in_page(pos), len - done);
		n = vmlab_copy_page(obj, pos, buf + done, n, write);
		if (n < 0) {
			if (!done)
				return n;
			break;
		}
		done += n;
		pos += n;
		if (fatal_signal_pending(current))
			break;
		cond_resched();
	}
	*ppos = pos;
	return done;
}

static ssize_t vmlab_read(struct file *file, char __user *buf, size_t len,
			  loff_t *ppos)
{
	return vmlab_rw(file, buf, len, ppos, false);
}

static ssize_t vmlab_write(struct file *file, const char __user *buf,
			   size_t len, loff_t *ppos)
{
	return vmlab_rw(file, (char __user *)buf, len, ppos, true);
}

static int vmlab_fsync(struct file *file, loff_t start, loff_t end,
		       int datasync)
{
	struct vmlab_object *obj = file->private_data;

	if (start < 0 || end < start)
		return -EINVAL;
	vmlab_store_writeback(obj, start >> PAGE_SHIFT, end >> PAGE_SHIFT);
	return 0;
}

static long vmlab_ioc_stats(struct vmlab_object *obj, void __user *arg)
{
	struct vmlab_stats st = {
		.size = vmlab_size(obj),
		.mem_limit = (u64)obj->limit << PAGE_SHIFT,
		.pages_resident = atomic_long_read(&obj->resident),
		.pages_dirty = atomic_long_read(&obj->dirty),
	};
	static const struct {
		enum vmlab_event ev;
		size_t offset;
	} map[] = {
#define VMLAB_STAT(ev, field) { ev, offsetof(struct vmlab_stats, field) }
		VMLAB_STAT(VMLAB_FAULT_SHARED_READ, fault_shared_read),
		VMLAB_STAT(VMLAB_FAULT_SHARED_WRITE, fault_shared_write),
		VMLAB_STAT(VMLAB_FAULT_PRIVATE_READ, fault_private_read),
		VMLAB_STAT(VMLAB_FAULT_PRIVATE_WRITE, fault_private_write),
		VMLAB_STAT(VMLAB_ZERO_FRAME_MAPS, zero_frame_maps),
		VMLAB_STAT(VMLAB_PAGE_MKWRITE, page_mkwrite),
		VMLAB_STAT(VMLAB_PAGES_ALLOCATED, pages_allocated),
		VMLAB_STAT(VMLAB_PAGES_FREED, pages_freed),
		VMLAB_STAT(VMLAB_VMA_OPENS, vma_opens),
		VMLAB_STAT(VMLAB_VMA_CLOSES, vma_closes),
		VMLAB_STAT(VMLAB_SIGBUS, sigbus),
		VMLAB_STAT(VMLAB_PAGES_CLEANED, pages_cleaned),
		VMLAB_STAT(VMLAB_RESETS, resets),
#undef VMLAB_STAT
	};
	int i;

	BUILD_BUG_ON(ARRAY_SIZE(map) != VMLAB_NR_EVENTS);
	for (i = 0; i < ARRAY_SIZE(map); i++)
		*(u64 *)((char *)&st + map[i].offset) =
			vmlab_event_sum(obj, map[i].ev);
	st.vmas_live = st.vma_opens - st.vma_closes;
	return copy_to_user(arg, &st, sizeof(st)) ? -EFAULT : 0;
}

static long vmlab_ioc_reset(struct file *file, void __user *arg)
{
	struct vmlab_reset rs;

	if (!(file->f_mode & FMODE_WRITE))
		return -EBADF;
	if (copy_from_user(&rs, arg, sizeof(rs)))
		return -EFAULT;
	if (rs.flags)
		return -EINVAL;
	rs.pages_freed = vmlab_store_reset(file->private_data);
	return copy_to_user(arg, &rs, sizeof(rs)) ? -EFAULT : 0;
}

static long vmlab_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case VMLAB_IOC_STATS:
		return vmlab_ioc_stats(file->private_data, uarg);
	case VMLAB_IOC_RESET:
		return vmlab_ioc_reset(file, uarg);
	case VMLAB_IOC_INSPECT:
		return vmlab_ioc_inspect(file, uarg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations vmlab_fops = {
	.owner		= THIS_MODULE,
	.open		= vmlab_open,
	.llseek		= vmlab_llseek,
	.read		= vmlab_read,
	.write		= vmlab_write,
	VMLAB_FOP_MMAP(vmlab_mmap),	/* .mmap or .mmap_prepare: compat.h */
	.get_unmapped_area = thp_get_unmapped_area,	/* 2 MiB aligned */
	.fsync		= vmlab_fsync,
	.unlocked_ioctl	= vmlab_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

static struct miscdevice vmlab_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "vmlab",
	.fops	= &vmlab_fops,
};

/*
 * A private pseudo filesystem for the object's inode (see internal.h).  No
 * .owner: the module keeps it mounted for its whole life, and a mount that
 * pinned the module would make it impossible to unload.
 */
static int vmlab_init_fs_context(struct fs_context *fc)
{
	return init_pseudo(fc, VMLAB_FS_MAGIC) ? 0 : -ENOMEM;
}

static struct file_system_type vmlab_fs_type = {
	.name		= "vmlab",
	.init_fs_context = vmlab_init_fs_context,
	.kill_sb	= kill_anon_super,
};

static struct dentry *vmlab_debugfs;

static int __init vmlab_init(void)
{
	struct vmlab_object *obj = &vmlab_obj;
	int ret;

	if (!size_mb || size_mb > VMLAB_MAX_SIZE_MB) {
		pr_err("size_mb=%u: must be 1 to %u\n", size_mb, VMLAB_MAX_SIZE_MB);
		return -EINVAL;
	}
	if (!mem_limit_mb || mem_limit_mb > size_mb)
		mem_limit_mb = size_mb;
	if (dev_mode & ~0777) {
		pr_err("dev_mode=%#o: only permission bits are allowed\n", dev_mode);
		return -EINVAL;
	}

	obj->events = alloc_percpu(struct vmlab_events);
	if (!obj->events)
		return -ENOMEM;
	vmlab_mnt = kern_mount(&vmlab_fs_type);
	if (IS_ERR(vmlab_mnt)) {
		ret = PTR_ERR(vmlab_mnt);
		goto err_events;
	}
	obj->inode = alloc_anon_inode(vmlab_mnt->mnt_sb);
	if (IS_ERR(obj->inode)) {
		ret = PTR_ERR(obj->inode);
		goto err_mount;
	}
	obj->mapping = obj->inode->i_mapping;
	ret = vmlab_store_init(obj, (pgoff_t)size_mb << (20 - PAGE_SHIFT),
			       (unsigned long)mem_limit_mb << (20 - PAGE_SHIFT));
	if (ret)
		goto err_inode;

	ret = vmlab_inspect_init();
	if (ret)
		goto err_store;

	/* The THP switches, found here under no mm lock: see thp.c. */
	vmlab_thp_init();

	/* Test knobs: root's, and not an interface (see store.c). */
	vmlab_debugfs = debugfs_create_dir("vmlab", NULL);
	debugfs_create_u32("zero_fault_delay_us", 0600, vmlab_debugfs,
			   &vmlab_zero_fault_delay_us);
	debugfs_create_u32("fill_delay_us", 0600, vmlab_debugfs,
			   &vmlab_fill_delay_us);
	debugfs_create_u32("reserve_delay_us", 0600, vmlab_debugfs,
			   &vmlab_reserve_delay_us);

	vmlab_misc.mode = dev_mode;
	ret = misc_register(&vmlab_misc);
	if (ret)
		goto err_debugfs;

	pr_info("/dev/vmlab ready: %u MiB object, memory limit %u MiB\n",
		size_mb, mem_limit_mb);
	return 0;

err_debugfs:
	debugfs_remove(vmlab_debugfs);
	vmlab_thp_exit();
	vmlab_inspect_exit();
err_store:
	vmlab_store_destroy(obj);
err_inode:
	iput(obj->inode);
err_mount:
	kern_unmount(vmlab_mnt);
err_events:
	free_percpu(obj->events);
	return ret;
}

static void __exit vmlab_exit(void)
{
	struct vmlab_object *obj = &vmlab_obj;

	misc_deregister(&vmlab_misc);
	debugfs_remove(vmlab_debugfs);
	vmlab_thp_exit();
	vmlab_inspect_exit();
	vmlab_store_destroy(obj);
	iput(obj->inode);
	kern_unmount(vmlab_mnt);
	free_percpu(obj->events);
}

module_init(vmlab_init);
module_exit(vmlab_exit);

MODULE_DESCRIPTION("Virtual-memory lab: an mmap served by its own fault handlers");
MODULE_AUTHOR("The vmlab developers");
MODULE_LICENSE("GPL");
