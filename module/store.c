// SPDX-License-Identifier: GPL-2.0
/*
 * The object's page store: an xarray of order-0 folios indexed by page
 * offset.  A missing entry is a hole that reads as zeros.
 *
 * Lifetime and locking follow the page cache:
 *  - the store holds one reference on each of its folios;
 *  - lookups take a speculative reference under RCU and recheck the entry;
 *  - a folio is removed only with its lock held, so a fault that locked a
 *    folio and found it still in the store may map it safely: a reset that
 *    removes it afterwards unmaps it again under the same lock;
 *  - only reset, write-back and teardown walk the whole store, under
 *    obj->lock, and only they free folios.
 *
 * A hole that a private mapping has read holds a value entry instead: the
 * module's zero frame may be mapped there.  Filling such a hole unmaps the
 * zero frame at that offset, so private mappings see data written later,
 * as they would in a file.
 */
#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/pagemap.h>
#include <linux/rmap.h>
#include <linux/sched.h>

#include "trace.h"
#include "vmlab.h"

#define VMLAB_ZERO_MARK		xa_mk_value(0)

static inline bool vmlab_is_folio(void *entry)
{
	return entry && !xa_is_value(entry);
}

int vmlab_store_init(struct vmlab_object *obj, pgoff_t npages,
		     unsigned long limit)
{
	struct folio *zero;

	xa_init(&obj->pages);
	obj->npages = npages;
	obj->limit = limit;
	atomic_long_set(&obj->resident, 0);
	atomic_long_set(&obj->dirty, 0);
	mutex_init(&obj->lock);
	zero = folio_alloc(GFP_HIGHUSER | __GFP_ZERO, 0);
	if (!zero)
		return -ENOMEM;
	obj->zero_frame = &zero->page;
	return 0;
}

/* Drop the store's reference on a folio that has left the store. */
static void vmlab_store_release(struct vmlab_object *obj, struct folio *folio)
{
	folio_put(folio);
	atomic_long_dec(&obj->resident);
	vmlab_count(obj, VMLAB_PAGES_FREED);
}

void vmlab_store_destroy(struct vmlab_object *obj)
{
	unsigned long index;
	void *entry;

	xa_for_each(&obj->pages, index, entry) {
		struct folio *folio = entry;

		if (!vmlab_is_folio(entry))
			continue;
		folio->mapping = NULL;
		vmlab_store_release(obj, folio);
	}
	xa_destroy(&obj->pages);
	put_page(obj->zero_frame);
}

/**
 * vmlab_store_lookup - find the folio at @index
 * @obj: the object
 * @index: page offset
 *
 * Return: the page with a reference held for the caller, or NULL for a hole.
 */
struct page *vmlab_store_lookup(struct vmlab_object *obj, pgoff_t index)
{
	struct folio *folio;

	rcu_read_lock();
repeat:
	folio = xa_load(&obj->pages, index);
	if (!vmlab_is_folio(folio)) {
		folio = NULL;
		goto out;
	}
	if (!folio_try_get(folio))
		goto repeat;
	if (unlikely(folio != xa_load(&obj->pages, index))) {
		folio_put(folio);
		goto repeat;
	}
out:
	rcu_read_unlock();
	return folio ? &folio->page : NULL;
}

/* A new folio holding two references: the store's and the caller's. */
static struct folio *vmlab_store_alloc(struct vmlab_object *obj, pgoff_t index)
{
	struct folio *folio;

	if (atomic_long_inc_return(&obj->resident) > obj->limit) {
		atomic_long_dec(&obj->resident);
		return ERR_PTR(-ENOSPC);
	}
	folio = folio_alloc(GFP_HIGHUSER | __GFP_ZERO | __GFP_ACCOUNT, 0);
	if (!folio) {
		atomic_long_dec(&obj->resident);
		return ERR_PTR(-ENOMEM);
	}
	folio->mapping = obj->mapping;
	folio->index = index;
	folio_get(folio);
	return folio;
}

/* Undo vmlab_store_alloc() for a folio that never entered the store. */
static void vmlab_store_unalloc(struct vmlab_object *obj, struct folio *folio)
{
	folio->mapping = NULL;
	folio_put(folio);
	folio_put(folio);
	atomic_long_dec(&obj->resident);
}

/*
 * A hole at @index that private mappings may map the zero frame for was
 * just filled: wait for faults that are mapping the zero frame there (they
 * hold its lock until the entry is in place), then unmap it at @index.
 */
static void vmlab_store_unmap_zero(struct vmlab_object *obj, pgoff_t index)
{
	struct folio *zero = page_folio(obj->zero_frame);

	folio_lock(zero);
	folio_unlock(zero);
	unmap_mapping_pages(obj->mapping, index, 1, false);
}

/**
 * vmlab_store_get - find the folio at @index, allocating one for a hole
 * @obj: the object
 * @index: page offset, below obj->npages
 *
 * Return: the page with a reference held for the caller; ERR_PTR(-ENOSPC)
 * if the object already holds its limit, or another ERR_PTR on failure.
 */
struct page *vmlab_store_get(struct vmlab_object *obj, pgoff_t index)
{
	struct folio *new = NULL;
	struct page *page;
	void *old, *cur;

	for (;;) {
		page = vmlab_store_lookup(obj, index);
		if (page)
			break;
		if (!new) {
			new = vmlab_store_alloc(obj, index);
			if (IS_ERR(new)) {
				page = vmlab_store_lookup(obj, index);
				return page ?: ERR_CAST(new);
			}
		}
		old = xa_load(&obj->pages, index);
		if (vmlab_is_folio(old))
			continue;
		cur = xa_cmpxchg(&obj->pages, index, old, new, GFP_KERNEL);
		if (xa_is_err(cur)) {
			vmlab_store_unalloc(obj, new);
			return ERR_PTR(xa_err(cur));
		}
		if (cur != old)
			continue;
		vmlab_count(obj, VMLAB_PAGES_ALLOCATED);
		if (old)
			vmlab_store_unmap_zero(obj, index);
		return &new->page;
	}
	if (new)
		vmlab_store_unalloc(obj, new);
	return page;
}

/**
 * vmlab_store_owns - is @page still the object's page at @index?
 * @obj: the object
 * @index: page offset
 * @page: a page the caller holds locked
 *
 * Return: true if so; it stays so until the caller unlocks @page.
 */
bool vmlab_store_owns(struct vmlab_object *obj, pgoff_t index,
		      struct page *page)
{
	return xa_load(&obj->pages, index) == page_folio(page);
}

/**
 * vmlab_store_get_locked - the locked page at @index, for a fault
 * @obj: the object
 * @index: page offset, below obj->npages
 * @alloc: allocate a page for a hole
 *
 * Return: the page, referenced and locked, still in the store; NULL for a
 * hole when !@alloc; an ERR_PTR as vmlab_store_get().
 */
struct page *vmlab_store_get_locked(struct vmlab_object *obj, pgoff_t index,
				    bool alloc)
{
	struct page *page;

	for (;;) {
		page = alloc ? vmlab_store_get(obj, index) :
			       vmlab_store_lookup(obj, index);
		if (IS_ERR_OR_NULL(page))
			return page;
		lock_page(page);
		if (likely(vmlab_store_owns(obj, index, page)))
			return page;
		unlock_page(page);
		put_page(page);
	}
}

/**
 * vmlab_store_zero_frame_locked - the zero frame, for a hole at @index
 * @obj: the object
 * @index: page offset
 * @mapped: the caller will map it (a read fault) rather than copy it
 *
 * Return: the zero frame, referenced and locked, if @index is a hole; NULL
 * if a page has appeared there (use it instead); an ERR_PTR on failure.
 */
struct page *vmlab_store_zero_frame_locked(struct vmlab_object *obj,
					   pgoff_t index, bool mapped)
{
	struct page *zero = obj->zero_frame;
	void *entry;

	lock_page(zero);
	entry = xa_load(&obj->pages, index);
	if (mapped && !entry) {
		entry = xa_cmpxchg(&obj->pages, index, NULL, VMLAB_ZERO_MARK,
				   GFP_KERNEL);
		if (xa_is_err(entry)) {
			unlock_page(zero);
			return ERR_PTR(xa_err(entry));
		}
	}
	if (vmlab_is_folio(entry)) {
		unlock_page(zero);
		return NULL;
	}
	get_page(zero);
	return zero;
}

/**
 * vmlab_store_set_dirty - record that @page at @index was written
 * @obj: the object
 * @index: page offset
 * @page: the page; nothing is recorded if it has left the store
 */
void vmlab_store_set_dirty(struct vmlab_object *obj, pgoff_t index,
			   struct page *page)
{
	xa_lock(&obj->pages);
	if (xa_load(&obj->pages, index) == page_folio(page) &&
	    !xa_get_mark(&obj->pages, index, VMLAB_DIRTY)) {
		__xa_set_mark(&obj->pages, index, VMLAB_DIRTY);
		atomic_long_inc(&obj->dirty);
	}
	xa_unlock(&obj->pages);
}

/* Take the locked @folio out of the store. */
static void vmlab_store_remove(struct vmlab_object *obj, pgoff_t index,
			       struct folio *folio)
{
	xa_lock(&obj->pages);
	if (xa_get_mark(&obj->pages, index, VMLAB_DIRTY))
		atomic_long_dec(&obj->dirty);
	__xa_erase(&obj->pages, index);
	xa_unlock(&obj->pages);
	folio->mapping = NULL;
}

/**
 * vmlab_store_writeback - "write back" the dirty pages in [@first, @last]
 * @obj: the object
 * @first: first page offset
 * @last: last page offset
 *
 * There is no backing device: write-back makes each dirty page clean and
 * write-protects it in every shared mapping, so that the next store to it
 * calls page_mkwrite again, as it would for a file.
 *
 * Return: the number of pages cleaned.
 */
unsigned long vmlab_store_writeback(struct vmlab_object *obj, pgoff_t first,
				    pgoff_t last)
{
	unsigned long index = first, cleaned = 0;
	struct folio *folio;

	mutex_lock(&obj->lock);
	for (folio = xa_find(&obj->pages, &index, last, VMLAB_DIRTY); folio;
	     folio = xa_find_after(&obj->pages, &index, last, VMLAB_DIRTY)) {
		/* Only this lock's holders free folios: the store's ref stays. */
		folio_get(folio);
		folio_lock(folio);
		if (vmlab_store_owns(obj, index, &folio->page)) {
			folio_mkclean(folio);
			folio_clear_dirty(folio);
			xa_lock(&obj->pages);
			if (xa_get_mark(&obj->pages, index, VMLAB_DIRTY)) {
				__xa_clear_mark(&obj->pages, index, VMLAB_DIRTY);
				atomic_long_dec(&obj->dirty);
				cleaned++;
			}
			xa_unlock(&obj->pages);
		}
		folio_unlock(folio);
		folio_put(folio);
		cond_resched();
	}
	mutex_unlock(&obj->lock);
	this_cpu_add(obj->events->count[VMLAB_PAGES_CLEANED], cleaned);
	trace_vmlab_writeback(first, last, cleaned);
	return cleaned;
}

/**
 * vmlab_store_reset - make the whole object a hole again
 * @obj: the object
 *
 * First unmap the object's pages from every mapping (private copies stay),
 * then free them.  A fault racing with the reset holds its page locked
 * until the page is mapped, so each page is unmapped again under its lock
 * before it leaves the store.  Value entries stay: the zero frame may still
 * be mapped at those holes.
 *
 * Return: the number of pages freed.
 */
unsigned long vmlab_store_reset(struct vmlab_object *obj)
{
	unsigned long index, freed = 0;
	struct folio *folio;
	void *entry;

	mutex_lock(&obj->lock);
	unmap_mapping_range(obj->mapping, 0, 0, 0);
	xa_for_each(&obj->pages, index, entry) {
		if (!vmlab_is_folio(entry))
			continue;
		folio = entry;
		folio_lock(folio);
		if (folio_mapped(folio))
			unmap_mapping_pages(obj->mapping, index, 1, false);
		vmlab_store_remove(obj, index, folio);
		folio_unlock(folio);
		vmlab_store_release(obj, folio);
		freed++;
		cond_resched();
	}
	vmlab_count(obj, VMLAB_RESETS);
	trace_vmlab_reset(freed);
	mutex_unlock(&obj->lock);
	return freed;
}
