/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one place for the differences between the kernels vmlab builds
 * against (Debian's 6.1, 6.12 and 7.3), keyed on the kernel version.
 *
 * Not here because no version lets a module use it: pte_offset_map_lock()
 * (from 6.5 out of line and not exported; inspect.c does what it does
 * with inline helpers every version has).
 */
#ifndef VMLAB_COMPAT_H
#define VMLAB_COMPAT_H

#include <linux/huge_mm.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/pgtable.h>
#include <linux/version.h>

/*
 * True on kernels from @major.@minor on.  (checkpatch warns about every
 * use of LINUX_VERSION_CODE, which code in the tree has no use for; an
 * out-of-tree module built for several kernels does, so `make checkpatch`
 * passes --ignore LINUX_VERSION_CODE.)
 */
#define VMLAB_SINCE(major, minor) \
	(KERNEL_VERSION(major, minor, 0) <= LINUX_VERSION_CODE)

#if !VMLAB_SINCE(6, 17)
#include <linux/pfn_t.h>
#endif
#if VMLAB_SINCE(6, 19)
#include <linux/leafops.h>
#else
#include <linux/swap.h>
#include <linux/swapops.h>
#endif

#include <linux/vmlab.h>

/*
 * 6.3 made the page cache lookups return ERR_PTR(-ENOENT) for a miss
 * instead of NULL; vmlab's wrappers return NULL either way.
 */
static inline struct folio *vmlab_folio_or_null(struct folio *folio)
{
	return IS_ERR(folio) ? NULL : folio;
}

#define vmlab_filemap_get_folio(mapping, index) \
	vmlab_folio_or_null(filemap_get_folio(mapping, index))
#define vmlab_filemap_lock_folio(mapping, index) \
	vmlab_folio_or_null(filemap_lock_folio(mapping, index))

/* ---- mmap(): .mmap or .mmap_prepare, and the VMA flag helpers ---------- */

/*
 * A driver takes part in mmap() through one of two file operations.
 *
 * .mmap (every kernel; deprecated upstream since 6.16) is called with the
 * new VMA, set up but not yet in the address space.  The driver sets
 * vma->vm_ops and vma->vm_private_data, and may refuse.  vm_ops->open is
 * not called for this first VMA (only for its copies: split, mremap,
 * fork), so .mmap counts it itself.
 *
 * .mmap_prepare (6.16 on; /dev/zero and shmem use it) is called earlier,
 * before there is a VMA, with a struct vm_area_desc describing the mapping
 * to be: the driver fills in desc->vm_ops and desc->private_data, and may
 * refuse.  The mmap() can still fail after it, or the new range be merged
 * into a neighbouring VMA, so nothing may be counted there.  From 7.1
 * (upstream's "mm: add vm_ops->mapped hook") vm_ops->mapped is called
 * once the new VMA is in place, and not when the range was merged: the
 * same moments as .mmap's, so vmlab counts the first VMA there.
 *
 * vmlab uses .mmap_prepare where ->mapped exists: VMLAB_HAVE_MMAP_PREPARE
 * (7.3 among the kernels it is tested on), .mmap before, with one source:
 *
 *	VMLAB_MMAP_HOOK(name)	the hook's prototype; its argument, area,
 *				is a struct vmlab_mmap_area *: the VMA
 *				(.mmap) or the description of it
 *				(.mmap_prepare)
 *	vmlab_mmap_file(area)	the file being mapped
 *	vmlab_mmap_set_ops(area, ops, data)	the VMA's vm_ops and
 *				vm_private_data
 *	vmlab_mmap_vma(area)	the VMA; NULL with .mmap_prepare, where the
 *				first VMA is counted in ->mapped
 *	VMLAB_FOP_MMAP(fn)	the file_operations entry
 *	VMLAB_VM_OP_MAPPED	the vm_operations_struct entry for
 *				->mapped, vmops.c's vmlab_vm_mapped()
 *				(nothing before 7.1)
 */
#define VMLAB_HAVE_MMAP_PREPARE	VMLAB_SINCE(7, 1)

#if VMLAB_HAVE_MMAP_PREPARE
#define vmlab_mmap_area		vm_area_desc
#define VMLAB_MMAP_HOOK(name)	int name(struct vm_area_desc *area)
#define VMLAB_FOP_MMAP(fn)	.mmap_prepare = (fn)
#define VMLAB_VM_OP_MAPPED	.mapped = vmlab_vm_mapped,

static inline struct file *vmlab_mmap_file(struct vm_area_desc *desc)
{
	return desc->file;
}

static inline void vmlab_mmap_set_ops(struct vm_area_desc *desc,
				      const struct vm_operations_struct *ops,
				      void *data)
{
	desc->vm_ops = ops;
	desc->private_data = data;
}

static inline struct vm_area_struct *vmlab_mmap_vma(struct vm_area_desc *desc)
{
	return NULL;
}
#else
#define vmlab_mmap_area		vm_area_struct
/* The file is vma->vm_file too: vmlab_mmap_file() reads it there. */
#define VMLAB_MMAP_HOOK(name) \
	int name(struct file *file, struct vm_area_struct *area)
#define VMLAB_FOP_MMAP(fn)	.mmap = (fn)
#define VMLAB_VM_OP_MAPPED

static inline struct file *vmlab_mmap_file(struct vm_area_struct *vma)
{
	return vma->vm_file;
}

static inline void vmlab_mmap_set_ops(struct vm_area_struct *vma,
				      const struct vm_operations_struct *ops,
				      void *data)
{
	vma->vm_ops = ops;
	vma->vm_private_data = data;
}

static inline struct vm_area_struct *vmlab_mmap_vma(struct vm_area_struct *vma)
{
	return vma;
}
#endif

/*
 * Is @vma a shared mapping (MAP_SHARED, even if read-only)?  vma->vm_flags
 * is giving way to a bitmap, vma->flags, read through helpers (vma_test()
 * and VMA_*_BIT; vma_desc_test() for a struct vm_area_desc): they came in
 * steps over 6.19 to 7.x, some renamed on the way, so vmlab tests for
 * vma_test_any(), a macro of the set it uses, as 7.3's mm.h has it.
 */
static inline bool vmlab_vma_shared(const struct vm_area_struct *vma)
{
#ifdef vma_test_any
	return vma_test(vma, VMA_MAYSHARE_BIT);
#else
	return vma->vm_flags & VM_MAYSHARE;
#endif
}

/* ---- end of mmap() ------------------------------------------------------ */

/* 6.6 passes ->huge_fault() the order of the entry, not an enum. */
#if VMLAB_SINCE(6, 6)
#define vmlab_fault_size_t	unsigned int
#define VMLAB_FAULT_SIZE_PMD	HPAGE_PMD_ORDER
#else
#define vmlab_fault_size_t	enum page_entry_size
#define VMLAB_FAULT_SIZE_PMD	PE_SIZE_PMD
#endif

/*
 * Map the kernel's zero page at @vmf's address with a special entry (no
 * reference, no map count), as do_anonymous_page() does.  6.17 removed
 * pfn_t: vmf_insert_mixed() takes a plain PFN from then on.
 */
static inline vm_fault_t vmlab_vmf_insert_zero(struct vm_fault *vmf)
{
	unsigned long pfn = page_to_pfn(ZERO_PAGE(vmf->address));

#if VMLAB_SINCE(6, 17)
	return vmf_insert_mixed(vmf->vma, vmf->address, pfn);
#else
	return vmf_insert_mixed(vmf->vma, vmf->address, __pfn_to_pfn_t(pfn, 0));
#endif
}

/* 6.5 replaced pmd_read_atomic() with pmdp_get_lockless(). */
#if !VMLAB_SINCE(6, 5)
#define vmlab_pmdp_get_lockless(pmdp)	pmd_read_atomic(pmdp)
#else
#define vmlab_pmdp_get_lockless(pmdp)	pmdp_get_lockless(pmdp)
#endif

/*
 * 6.6 added shadow stacks: a dirty read-only entry keeps its dirty bit in
 * _PAGE_SAVED_DIRTY.
 */
#if !VMLAB_SINCE(6, 6)
#define VMLAB_PAGE_DIRTY_BITS		_PAGE_DIRTY
#else
#define VMLAB_PAGE_DIRTY_BITS		_PAGE_DIRTY_BITS
#endif

/*
 * page_mapcount() is gone by 6.12, where mappings of a large folio are
 * counted per folio only; small folios count the same either way.
 */
static inline int vmlab_mapcount(struct folio *folio, struct page *page)
{
#if !VMLAB_SINCE(6, 12)
	return page_mapcount(page);
#else
	return folio_mapcount(folio);
#endif
}

/*
 * Has the process or the mapping turned transparent huge pages off, as
 * anonymous memory reads it?  MADV_NOHUGEPAGE (VM_NOHUGEPAGE) and
 * prctl(PR_SET_THP_DISABLE) (MMF_DISABLE_THP) do.  From 6.12 the kernel
 * says it in vma_thp_disabled(); 6.18 made mm->flags a bitmap and added
 * PR_THP_DISABLE_EXCEPT_ADVISED, which keeps huge pages for mappings that
 * asked with MADV_HUGEPAGE.
 */
#ifdef CONFIG_TRANSPARENT_HUGEPAGE
static inline bool vmlab_vma_thp_disabled(struct vm_area_struct *vma)
{
#if VMLAB_SINCE(6, 18)
	return vma_thp_disabled(vma, vma->vm_flags, false);
#elif VMLAB_SINCE(6, 12)
	return vma_thp_disabled(vma, vma->vm_flags);
#else
	return (vma->vm_flags & VM_NOHUGEPAGE) ||
	       test_bit(MMF_DISABLE_THP, &vma->vm_mm->flags);
#endif
}
#endif /* CONFIG_TRANSPARENT_HUGEPAGE */

/*
 * What a non-present, non-empty entry holds: a VMLAB_NP_* kind, with the
 * swap type and offset of the entry.  6.19 replaced swp_entry_t's
 * predicates by the softleaf_t API.
 */
static inline u64 vmlab_nonpresent(pte_t pte, u64 *type, u64 *offset)
{
#if VMLAB_SINCE(6, 19)
	softleaf_t entry = softleaf_from_pte(pte);

	*type = swp_type(entry);
	*offset = swp_offset(entry);
	switch (softleaf_type(entry)) {
	case SOFTLEAF_SWAP:
		return VMLAB_NP_SWAP;
	case SOFTLEAF_MIGRATION_READ:
	case SOFTLEAF_MIGRATION_READ_EXCLUSIVE:
	case SOFTLEAF_MIGRATION_WRITE:
		*offset = softleaf_to_pfn(entry);	/* without the A/D bits */
		return VMLAB_NP_MIGRATION;
	case SOFTLEAF_DEVICE_PRIVATE_READ:
	case SOFTLEAF_DEVICE_PRIVATE_WRITE:
	case SOFTLEAF_DEVICE_EXCLUSIVE:
		return VMLAB_NP_DEVICE;
	case SOFTLEAF_HWPOISON:
		return VMLAB_NP_HWPOISON;
	case SOFTLEAF_MARKER:
		return VMLAB_NP_MARKER;
	default:
		return VMLAB_NP_OTHER;
	}
#else
	swp_entry_t entry = pte_to_swp_entry(pte);

	*type = swp_type(entry);
	*offset = swp_offset(entry);
	if (!non_swap_entry(entry))
		return VMLAB_NP_SWAP;
	if (is_pfn_swap_entry(entry))
		*offset = swp_offset_pfn(entry);	/* without the A/D bits */
	if (is_migration_entry(entry))
		return VMLAB_NP_MIGRATION;
	if (is_device_private_entry(entry) || is_device_exclusive_entry(entry))
		return VMLAB_NP_DEVICE;
	if (is_hwpoison_entry(entry))
		return VMLAB_NP_HWPOISON;
	if (is_pte_marker_entry(entry))
		return VMLAB_NP_MARKER;
	return VMLAB_NP_OTHER;
#endif
}

#endif /* VMLAB_COMPAT_H */
