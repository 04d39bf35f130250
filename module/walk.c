// SPDX-License-Identifier: GPL-2.0
/*
 * The page-table walk behind VMLAB_IOC_INSPECT (inspect.c has the ioctl,
 * the permission checks and what an unprivileged caller may see).
 *
 * walk_page_range() is not exported to modules, so the walk is done here,
 * as the kernel's own walkers do it: under the mmap lock for reading
 * (held by the caller), only inside VMAs (page tables there cannot be
 * freed under us), reading each leaf under its page table lock and taking
 * a reference on a page before reading its facts.
 */
#include <linux/hugetlb.h>
#include <linux/memory_hotplug.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/swapops.h>

#include "compat.h"
#include "internal.h"

#ifndef CONFIG_X86_64
#error "vmlab decodes x86-64 page-table entries"
#endif

/* Attempts at a page whose entries keep changing under the walk. */
#define VMLAB_WALK_TRIES	8

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

/**
 * vmlab_walk_one - the facts of one page of a process
 * @w: the walk: the address space (its mmap lock held for reading) and
 *     the object whose pages are "ours"
 * @vma: the VMA that holds @addr
 * @addr: the page's address
 * @pi: filled with the VMA's, the entries' and the page's facts, all of
 *      them: what a caller may see is decided later (inspect.c)
 */
void vmlab_walk_one(struct vmlab_walk *w, struct vm_area_struct *vma,
		    unsigned long addr, struct vmlab_page_info *pi)
{
	vmlab_vma_facts(vma, pi);
	/* Shared hugetlb may share page tables between processes. */
	if (is_vm_hugetlb_page(vma) && (vma->vm_flags & VM_MAYSHARE)) {
		pi->walk |= VMLAB_WALK_SKIPPED;
		return;
	}
	vmlab_walk_page(w, addr, pi);
}
