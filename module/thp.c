// SPDX-License-Identifier: GPL-2.0
/*
 * The transparent huge page policy of vmlab's 2 MiB fill: a mapping that
 * asked with MADV_HUGEPAGE gets a 2 MiB folio exactly when anonymous
 * memory that asked would get one (thp_vma_allowable_orders()).  Not
 * after MADV_NOHUGEPAGE or prctl(PR_SET_THP_DISABLE) (compat.h's
 * vmlab_vma_thp_disabled()), and not when the administrator's switch in
 * /sys/kernel/mm/transparent_hugepage says `never`: its
 * hugepages-2048kB/enabled (from 6.8) unless that says `inherit`, else
 * its enabled.  `madvise` and `always` both keep vmlab's opt-in.
 *
 * Why the switches are read through sysfs: a module has no other way.
 * The kernel exports neither the switches (transparent_hugepage_flags,
 * huge_anon_orders_*) nor a reader of them (__thp_vma_allowable_orders()):
 * none of them is in the Module.symvers of 6.1, 6.12 or 7.3.  What it
 * does export is sysfs, and a read of the file calls the attribute's
 * show() (fs/sysfs/file.c: sysfs_kf_seq_show() calls
 * kobj->ktype->sysfs_ops->show(kobj, kn->priv, buf)); vmlab calls that
 * show() itself.
 *
 * Why the files are found at load time and not at the fault: finding a
 * node (kernfs_find_and_get()) takes its kernfs root's kernfs_rwsem, and
 * a fault holds mmap_lock (or the VMA's lock).  kernfs never faults on
 * user memory while it holds that rwsem (kernfs_fop_readdir() drops it
 * around dir_emit()), so that mmap_lock is never taken under it; taking
 * it under mmap_lock would set up the other order.  So vmlab_thp_init()
 * looks the files up once, outside any mm lock, and keeps a reference on
 * the kobject of each directory (its show() reads that kobject: the
 * thpsize's order) and on each file's node (whose priv is the attribute);
 * vmlab_thp_exit() drops them.  The directories and attributes are the
 * kernel's for good: hugepage_init_sysfs() makes them at boot, and its
 * undo, hugepage_exit_sysfs(), is __init and runs only when that fails.
 * That is why show() may be called without the active reference a read
 * of the file holds against removal (kernfs_get_active(), not exported).
 *
 * What the fault then calls takes no lock on 6.1, 6.12 or 7.3 (read in
 * 6.12.118's source, and in the code of Debian's 6.1.0-57 and 7.3.4
 * kernels, disassembled): kobj_sysfs_ops.show, kobj_attr_show()
 * (lib/kobject.c), calls mm/huge_memory.c's enabled_show(), which tests
 * two bits of transparent_hugepage_flags, or for hugepages-2048kB/enabled
 * anon_enabled_show() (thpsize_enabled_show() at first), which tests
 * the thpsize's order in huge_anon_orders_always, _inherit and _madvise
 * (only the store() side takes huge_anon_orders_lock); each then prints
 * one of three or four fixed strings with sysfs_emit(), which takes no
 * lock either.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/gfp.h>
#include <linux/kernfs.h>
#include <linux/kobject.h>
#include <linux/mm.h>
#include <linux/sizes.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "compat.h"	/* vmlab_vma_thp_disabled(), linux/huge_mm.h */
#include "internal.h"

#if defined(CONFIG_TRANSPARENT_HUGEPAGE) && defined(CONFIG_SYSFS)

/**
 * struct vmlab_thp_switch - one THP switch of sysfs, found at load time
 * @kobj:	the kobject of the switch's directory (a reference)
 * @kn:		the switch's file (a reference); its priv is the attribute
 */
struct vmlab_thp_switch {
	struct kobject *kobj;
	struct kernfs_node *kn;
};

/* transparent_hugepage/enabled and, from 6.8, hugepages-2048kB/enabled */
static struct vmlab_thp_switch vmlab_thp_global, vmlab_thp_pmd;

/*
 * Find the switch @name in the sysfs directory @dir and take references
 * on its directory's kobject and on its file.  Return: 0, or -ENOENT
 * where the kernel has no such switch that sysfs could show.
 */
static int vmlab_thp_switch_get(struct vmlab_thp_switch *sw,
				struct kernfs_node *dir, const char *name)
{
	struct kobject *kobj = dir->priv;
	struct kernfs_node *kn;

	if (kernfs_type(dir) != KERNFS_DIR || !kobj)
		return -ENOENT;
	kn = kernfs_find_and_get(dir, name);
	if (!kn)
		return -ENOENT;
	if (kernfs_type(kn) != KERNFS_FILE || !kn->priv)
		goto err_kn;
	if (!kobject_get_unless_zero(kobj))
		goto err_kn;
	if (!kobj->ktype || !kobj->ktype->sysfs_ops ||
	    !kobj->ktype->sysfs_ops->show)
		goto err_kobj;
	sw->kobj = kobj;
	sw->kn = kn;
	return 0;

err_kobj:
	kobject_put(kobj);
err_kn:
	kernfs_put(kn);
	return -ENOENT;
}

static void vmlab_thp_switch_put(struct vmlab_thp_switch *sw)
{
	if (!sw->kn)
		return;
	kernfs_put(sw->kn);
	kobject_put(sw->kobj);
	sw->kn = NULL;
	sw->kobj = NULL;
}

/**
 * vmlab_thp_init - find the THP switches, at load time
 *
 * Under no mm lock (see the top of this file).  A switch this kernel does
 * not have is left unset: without THP in sysfs vmlab fills no 2 MiB, and
 * before 6.8 (no hugepages-2048kB) the global switch decides alone.
 */
void vmlab_thp_init(void)
{
	struct kernfs_node *mm, *thp, *pmd;
	char name[32];

	mm = kernfs_find_and_get(kernel_kobj->sd, "mm");
	if (!mm)
		goto none;
	thp = kernfs_find_and_get(mm, "transparent_hugepage");
	if (!thp)
		goto put_mm;
	if (vmlab_thp_switch_get(&vmlab_thp_global, thp, "enabled"))
		goto put_thp;
	snprintf(name, sizeof(name), "hugepages-%lukB", HPAGE_PMD_SIZE / SZ_1K);
	pmd = kernfs_find_and_get(thp, name);
	if (!pmd)
		goto put_thp;
	vmlab_thp_switch_get(&vmlab_thp_pmd, pmd, "enabled");
	kernfs_put(pmd);
put_thp:
	kernfs_put(thp);
put_mm:
	kernfs_put(mm);
none:
	if (!vmlab_thp_global.kn)
		pr_info("no transparent_hugepage/enabled in sysfs: no 2 MiB pages\n");
}

/* vmlab_thp_exit - drop what vmlab_thp_init() found */
void vmlab_thp_exit(void)
{
	vmlab_thp_switch_put(&vmlab_thp_pmd);
	vmlab_thp_switch_put(&vmlab_thp_global);
}

/*
 * What @sw says now: 0 never, 1 always or madvise, -ENOENT inherit (ask
 * the global switch) or no such switch.  @page: a page to print into
 * (sysfs_emit() wants one).
 */
static int vmlab_thp_switch_read(const struct vmlab_thp_switch *sw,
				 char *page)
{
	ssize_t len;

	if (!sw->kn)
		return -ENOENT;
	len = sw->kobj->ktype->sysfs_ops->show(sw->kobj, sw->kn->priv, page);
	if (len <= 0)
		return -ENOENT;
	page[min_t(ssize_t, len, PAGE_SIZE - 1)] = '\0';
	if (strstr(page, "[inherit]"))
		return -ENOENT;
	return !strstr(page, "[never]");
}

/**
 * vmlab_thp_allowed - may this mapping that asked get a 2 MiB folio now?
 * @vma: a mapping of vmlab with VM_HUGEPAGE, in a fault
 *
 * Once per 2 MiB hole at most: the page to read the switch into costs
 * nothing next to clearing 2 MiB.  A switch that cannot be read (none in
 * sysfs, no page to read it into): no.
 */
bool vmlab_thp_allowed(struct vm_area_struct *vma)
{
	char *page;
	int on;

	if (vmlab_vma_thp_disabled(vma))
		return false;
	page = (char *)__get_free_page(GFP_KERNEL);
	if (!page)
		return false;
	on = vmlab_thp_switch_read(&vmlab_thp_pmd, page);
	if (on < 0)
		on = vmlab_thp_switch_read(&vmlab_thp_global, page);
	free_page((unsigned long)page);
	return on > 0;
}

#else /* !(CONFIG_TRANSPARENT_HUGEPAGE && CONFIG_SYSFS) */

void vmlab_thp_init(void)
{
}

void vmlab_thp_exit(void)
{
}

bool vmlab_thp_allowed(struct vm_area_struct *vma)
{
	return false;
}

#endif
