// SPDX-License-Identifier: GPL-2.0
/*
 * How vmlab serves mmap(): nothing is mapped at mmap() time; each page
 * arrives through .fault on first access.
 *
 *  shared mapping, any fault:	the object's page, allocated zeroed for a
 *				hole (demand-zero); all sharers map it
 *  private read of a hole:	the kernel's zero page, read-only, as in
 *				anonymous memory (a special entry: no
 *				count on any page; store.c)
 *  private read of a page:	the object's page, read-only
 *  private write:		the kernel copies the object's page, or
 *				zeros for a hole, into a new anonymous
 *				page (copy-on-write)
 *  at or past the end:		SIGBUS
 *
 * A read fault first maps, without calling .fault, those neighbours of
 * the page (16 pages by default) that the object already holds: the page
 * cache's fault-around (filemap_map_pages), as for any file; like the
 * kernel, vmlab ignores MADV_RANDOM there (its size is the kernel's, in
 * debugfs: fault_around_bytes).  A shared mapping that asked for huge
 * pages (MADV_HUGEPAGE) and is 2 MiB aligned in the object and in memory
 * gets one 2 MiB page per fault in a hole (.fault fills the hole, the
 * kernel maps it with one PMD entry), when anonymous memory that asked
 * would get one too: not under the administrator's `never`, nor after
 * MADV_NOHUGEPAGE or prctl(PR_SET_THP_DISABLE) (thp.c).
 *
 * The first store to a clean page of a shared mapping goes through
 * .page_mkwrite, which counts it; the kernel then marks the page dirty
 * (vmlab_page_mkwrite()); write-back (fsync) makes it clean and read-only
 * again.  .open and .close count every VMA; the first
 * one of an mmap() is counted by the mmap hook, or with .mmap_prepare
 * (7.1 on) by .mapped once it is in place (compat.h).
 */
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/sched/mm.h>

#include "compat.h"
#include "trace.h"
#include "internal.h"

static void vmlab_vma_opened(struct vm_area_struct *vma,
			     enum vmlab_vma_reason reason)
{
	struct vmlab_object *obj = vma->vm_private_data;

	vmlab_count(obj, VMLAB_VMA_OPENS);
	trace_vmlab_vma_open(vma, reason);
}

/* A copy of a VMA: into a child's mm by fork, or in its own by split. */
static void vmlab_vm_open(struct vm_area_struct *vma)
{
	vmlab_vma_opened(vma, vma->vm_mm == current->mm ? VMLAB_OPEN_COPY :
							  VMLAB_OPEN_FORK);
}

static void vmlab_vm_close(struct vm_area_struct *vma)
{
	struct vmlab_object *obj = vma->vm_private_data;

	vmlab_count(obj, VMLAB_VMA_CLOSES);
	trace_vmlab_vma_close(vma, atomic_read(&vma->vm_mm->mm_users) ?
			      VMLAB_CLOSE_UNMAP : VMLAB_CLOSE_EXIT);
}

/*
 * A fault in a shared mapping that asked for huge pages (MADV_HUGEPAGE),
 * on an empty PMD whose 2 MiB lie inside the mapping at the same
 * alignment in the object, where the THP policy allows it
 * (vmlab_thp_allowed()): fill the 2 MiB hole with one folio.  The kernel
 * then maps it with one PMD entry (finish_fault() sees a PMD-sized
 * folio), which a module cannot do itself on every kernel.  Anything
 * else, or no 2 MiB of free memory: 4 KiB pages.  The policy is .fault's
 * to follow: 6.1 maps a PMD-sized folio with a PMD whatever the policy,
 * 6.12 maps it with PTEs only under MADV_NOHUGEPAGE or PR_SET_THP_DISABLE
 * (do_set_pmd()), and neither asks about `never` here.  Return: true if
 * this fault filled the hole.
 */
static bool vmlab_fault_fill_huge(struct vm_fault *vmf)
{
#ifdef CONFIG_TRANSPARENT_HUGEPAGE
	struct vm_area_struct *vma = vmf->vma;
	unsigned long haddr = vmf->address & HPAGE_PMD_MASK;
	pgoff_t first = vmf->pgoff & ~((pgoff_t)HPAGE_PMD_NR - 1);

	if (!(vma->vm_flags & VM_MAYSHARE) || !(vma->vm_flags & VM_HUGEPAGE) ||
	    !pmd_none(*vmf->pmd))
		return false;
	if (haddr < vma->vm_start || haddr + HPAGE_PMD_SIZE > vma->vm_end ||
	    linear_page_index(vma, haddr) != first)
		return false;
	if (!vmlab_thp_allowed(vma))
		return false;
	return vmlab_store_fill_huge(vma->vm_private_data, first);
#else
	return false;
#endif
}

static const enum vmlab_event vmlab_fault_event[2][2] = {
	{ VMLAB_FAULT_PRIVATE_READ, VMLAB_FAULT_PRIVATE_WRITE },
	{ VMLAB_FAULT_SHARED_READ, VMLAB_FAULT_SHARED_WRITE },
};

static vm_fault_t vmlab_do_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct vmlab_object *obj = vma->vm_private_data;
	bool shared = vma->vm_flags & VM_MAYSHARE;
	bool write = vmf->flags & FAULT_FLAG_WRITE;
	bool filled = false;	/* this fault filled a hole */
	struct page *page;
	vm_fault_t ret;

	vmlab_count(obj, vmlab_fault_event[shared][write]);
	if (vmf->pgoff >= obj->npages)
		goto sigbus;
	if (shared)
		filled = vmlab_fault_fill_huge(vmf);
	/*
	 * A private read that reaches .fault is most likely of a hole:
	 * fault-around has mapped what the object holds.  So try the zero
	 * page first, then the object's page.
	 */
	for (;;) {
		if (!shared && !write) {
			ret = vmlab_store_map_zero(obj, vmf);
			if (ret == VM_FAULT_NOPAGE) {
				vmlab_count(obj, VMLAB_ZERO_FRAME_MAPS);
				trace_vmlab_fault(vmf, VMLAB_OUTCOME_ZERO,
						  ZERO_PAGE(vmf->address));
				return ret;
			}
			if (ret) {
				trace_vmlab_fault(vmf, VMLAB_OUTCOME_ERROR, NULL);
				return ret;
			}
		}
		page = vmlab_store_get_locked(obj, vmf->pgoff, shared, &filled);
		if (page || !write)
			break;	/* a private read finding a hole: a reset took the page */
		/* A private write at a hole: the new private page is zeros. */
		page = vmlab_store_zero_src(obj);
		if (!IS_ERR(page)) {
			vmlab_count(obj, VMLAB_ZERO_FRAME_MAPS);
			vmf->page = page;
			trace_vmlab_fault(vmf, VMLAB_OUTCOME_ZERO, page);
			return 0;	/* the kernel locks it for the copy */
		}
		break;
	}
	if (IS_ERR(page)) {
		/* Over the limit, or memory (the cgroup's) short: SIGBUS. */
		if (PTR_ERR(page) == -ENOSPC || PTR_ERR(page) == -ENOMEM)
			goto sigbus;
		trace_vmlab_fault(vmf, VMLAB_OUTCOME_ERROR, NULL);
		return vmf_error(PTR_ERR(page));
	}
	if (!page)
		return VM_FAULT_NOPAGE;	/* a hole again: the access faults again */
	vmf->page = page;
	trace_vmlab_fault(vmf, filled ? VMLAB_OUTCOME_ALLOCATED :
			  VMLAB_OUTCOME_EXISTING, page);
	return VM_FAULT_LOCKED;

sigbus:
	vmlab_count(obj, VMLAB_SIGBUS);
	trace_vmlab_fault(vmf, VMLAB_OUTCOME_SIGBUS, NULL);
	return VM_FAULT_SIGBUS;
}

/*
 * A page belongs to the memory cgroup of the mm it is faulted into, as
 * shmem's do (shmem_fault() charges vma->vm_mm's group).  A fault made on
 * behalf of another process (a write to /proc/PID/mem, process_vm_writev(),
 * a ptrace poke) runs in the caller's task, whose group the page cache
 * would charge: make the mm's group the active one for the page this
 * fault adds to the object.  The object holds its pages until a reset,
 * so a wrong charge would stay, and keep the caller's group from going
 * away when it is removed.
 */
static vm_fault_t vmlab_fault(struct vm_fault *vmf)
{
	struct mm_struct *mm = vmf->vma->vm_mm;
	struct mem_cgroup *memcg, *old;
	vm_fault_t ret;

	if (mm == current->mm)
		return vmlab_do_fault(vmf);
	memcg = get_mem_cgroup_from_mm(mm);
	old = set_active_memcg(memcg);
	ret = vmlab_do_fault(vmf);
	set_active_memcg(old);
	mem_cgroup_put(memcg);
	return ret;
}

/*
 * A store to a page of a shared mapping that is mapped read-only, or not
 * mapped yet: the object's page is about to become writable.  Check that
 * it is still the object's and count the event; the page goes back
 * locked (VM_FAULT_LOCKED).  The page is not marked dirty here: the kernel
 * does it once it has mapped the page writable, before it unlocks it
 * (mm/memory.c: fault_dirty_shared_page(), after do_shared_fault() and
 * wp_page_shared() called this, on 6.1 as on 7.3), and write-back
 * (vmlab_store_writeback()) cleans a page only under its lock, so it
 * cannot come in between.  Marking it here as well cost most of what
 * .page_mkwrite adds to a store into a resident page (BENCHMARKS.md,
 * case 2).
 */
static vm_fault_t vmlab_page_mkwrite(struct vm_fault *vmf)
{
	struct vmlab_object *obj = vmf->vma->vm_private_data;
	struct page *page = vmf->page;

	lock_page(page);
	if (!vmlab_store_owns(obj, page)) {
		/* A reset took it: the fault is retried and finds a hole. */
		unlock_page(page);
		trace_vmlab_page_mkwrite(vmf, false);
		return VM_FAULT_NOPAGE;
	}
	vmlab_count(obj, VMLAB_PAGE_MKWRITE);
	trace_vmlab_page_mkwrite(vmf, true);
	return VM_FAULT_LOCKED;
}

/*
 * 6.12 offers a huge fault to any mapping with .huge_fault that its THP
 * switches allow (and counts such a mapping THP-eligible in smaps:
 * mm/huge_memory.c's vma_can_map_huge_file()); 6.1 offers none to a
 * device's mappings.  So the 2 MiB fill is .fault's, on every kernel, and
 * the one vmlab_fault event says whether it allocated: decline here.
 * .fault asks the same switches (vmlab_thp_allowed()).
 */
static vm_fault_t vmlab_huge_fault(struct vm_fault *vmf,
				   vmlab_fault_size_t size)
{
	return VM_FAULT_FALLBACK;
}

/*
 * The first VMA of an mmap() through .mmap_prepare (compat.h): in place,
 * and not merged into a neighbour.  The kernel passes its range, not the
 * VMA; the VMA is in the address space of the mm doing the mmap() by
 * then (mm/vma.c inserts it before it calls ->mapped), which holds its
 * mmap lock for writing: the tracepoint finds it there, to say what it
 * says for a VMA from .mmap.  The open is counted in any case, as its
 * close will be.
 */
static int __maybe_unused vmlab_vm_mapped(unsigned long start,
					  unsigned long end, pgoff_t pgoff,
					  const struct file *file,
					  void **vm_private_data)
{
	struct vm_area_struct *vma = vma_lookup(current->mm, start);

	if (WARN_ON_ONCE(!vma || vma->vm_end != end || vma->vm_file != file)) {
		vmlab_count(*vm_private_data, VMLAB_VMA_OPENS);
		return 0;
	}
	vmlab_vma_opened(vma, VMLAB_OPEN_MMAP);
	return 0;
}

static const struct vm_operations_struct vmlab_vm_ops = {
	VMLAB_VM_OP_MAPPED
	.open		= vmlab_vm_open,
	.close		= vmlab_vm_close,
	.fault		= vmlab_fault,
	.huge_fault	= vmlab_huge_fault,
	.map_pages	= filemap_map_pages,
	.page_mkwrite	= vmlab_page_mkwrite,
};

/*
 * mmap() of the device: .mmap with the new VMA, or .mmap_prepare with the
 * description of the VMA to be (compat.h says which kernel has which).
 * Either way the VMA gets vmlab's operations and the object; nothing is
 * mapped yet.  With .mmap the VMA is there to count now; with
 * .mmap_prepare, vmlab_vm_mapped() counts it once it is.
 */
VMLAB_MMAP_HOOK(vmlab_mmap)
{
	struct vm_area_struct *vma = vmlab_mmap_vma(area);

	vmlab_mmap_set_ops(area, &vmlab_vm_ops,
			   vmlab_mmap_file(area)->private_data);
	if (vma)
		vmlab_vma_opened(vma, VMLAB_OPEN_MMAP);
	return 0;
}

/* Is @vma a mapping of /dev/vmlab? */
bool vmlab_vma_is_ours(const struct vm_area_struct *vma)
{
	return vma->vm_ops == &vmlab_vm_ops;
}
