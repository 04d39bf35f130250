// SPDX-License-Identifier: GPL-2.0
/*
 * The object's page store: the page cache of the object's inode.  A page
 * that is not there is a hole, which reads as zeros.
 *
 * Keeping the pages in the page cache, as ramfs and tmpfs do, lets the
 * kernel's own fault-around (filemap_map_pages) map the neighbours of a
 * faulting page without calling us, under RCU and, from 6.4, under the
 * VMA lock alone.  Nothing but a reset (or unloading) takes a page away:
 * the mapping is unevictable, so reclaim (and MADV_PAGEOUT) pass its
 * folios by; drop_caches never sees the inode (alloc_anon_inode() puts it
 * on no superblock's list); fadvise(DONTNEED) does nothing on its
 * backing device (noop_backing_dev_info).  The page cache's reference is
 * the only one the store holds, as for tmpfs, so the pages can move:
 * they are allocated movable (GFP_HIGHUSER_MOVABLE) and migrate with
 * filemap_migrate_folio(), for compaction, NUMA balancing, move_pages(),
 * memory hot-unplug and the splitting of a large folio.  A page that
 * moves keeps its offset, its contents and its dirty state; only its
 * frame changes, and every mapping follows (the kernel's migration
 * entries).  Pages are order 0, except that a shared fault
 * that asked for huge pages may fill a whole, aligned 2 MiB hole with one
 * PMD-sized folio (vmlab_store_fill_huge()).
 *
 * Locking follows the page cache: lookups are lockless; a folio is taken
 * out only under its lock (truncation), so a fault that locked a folio and
 * found folio->mapping still set may map it.  Reset, write-back and
 * teardown are serialised by obj->lock.
 *
 * A private mapping that reads a hole maps the kernel's zero page there,
 * as anonymous memory does: a special entry, which holds no reference and
 * no map count on any page, so that no number of such entries can make a
 * count overflow, and no lock is taken to make one (vmlab_store_map_zero()).
 * Filling a hole unmaps the zero page at that offset, so private mappings
 * see data written later, as they would in a file.  To know where that is
 * needed without a walk of every mapping, each offset where a zero entry
 * may be has a bit in obj->zero_map (one bit per page of the object).
 * A fill clears the bits of the pages it fills; a reset, which unmaps
 * every entry, clears them all (vmlab_store_reset()).
 *
 * A private write to a hole copies from a zero-filled page of the store's
 * (one per CPU, never mapped anywhere: vmlab_store_zero_src()) into the
 * new private page; the hole stays a hole.
 */
#include <linux/delay.h>
#include <linux/gfp.h>
#include <linux/highmem.h>
#include <linux/migrate.h>
#include <linux/pagemap.h>
#include <linux/rmap.h>
#include <linux/sched.h>
#include <linux/swap.h>

#include "compat.h"
#include "trace.h"
#include "internal.h"

/*
 * New pages: zeroed, movable (from the pageblocks compaction can empty),
 * charged to the caller's memory cgroup, which may refuse (then the fault
 * gets SIGBUS and write() ENOMEM, no OOM kill).
 */
#define VMLAB_GFP	(GFP_HIGHUSER_MOVABLE | __GFP_ZERO | __GFP_RETRY_MAYFAIL | \
			 __GFP_NOWARN)
#define VMLAB_GFP_HUGE	(GFP_HIGHUSER_MOVABLE | __GFP_ZERO | __GFP_NORETRY | __GFP_NOWARN)
/* For the page cache's own use: its xarray nodes and the memcg charge. */
#define VMLAB_GFP_CACHE	(GFP_KERNEL | __GFP_RETRY_MAYFAIL | __GFP_NOWARN)

/* The one object (the a_ops callbacks get no other way to it). */
static struct vmlab_object *vmlab_store_obj;

/*
 * Dirty state: the folio flag and the page cache's dirty tag, set and
 * cleared together under the xarray lock, without the dirty-page
 * accounting of a file that is written back to a disk.
 */
static bool vmlab_dirty_folio(struct address_space *mapping,
			      struct folio *folio)
{
	unsigned long flags;
	bool newly = false;

	if (folio_test_dirty(folio))	/* the common case: nothing to do */
		return false;
	xa_lock_irqsave(&mapping->i_pages, flags);
	if (!folio_test_set_dirty(folio)) {
		newly = true;
		if (READ_ONCE(folio->mapping) == mapping) {
			__xa_set_mark(&mapping->i_pages, folio->index,
				      PAGECACHE_TAG_DIRTY);
			atomic_long_add(folio_nr_pages(folio),
					&vmlab_store_obj->dirty);
		}
	}
	xa_unlock_irqrestore(&mapping->i_pages, flags);
	return newly;
}

/*
 * A folio has left the page cache (a reset, unloading, memory failure):
 * count it out.  Not called for a folio that migration replaced: its
 * successor took its place, and the object holds as many pages as before.
 */
static void vmlab_free_folio(struct folio *folio)
{
	struct vmlab_object *obj = vmlab_store_obj;
	long nr = folio_nr_pages(folio);

	atomic_long_sub(nr, &obj->resident);
	atomic_long_add(nr, &obj->freed);
	vmlab_count_n(obj, VMLAB_PAGES_FREED, nr);
}

static const struct address_space_operations vmlab_aops = {
	.dirty_folio	= vmlab_dirty_folio,
	.free_folio	= vmlab_free_folio,
#ifdef CONFIG_MIGRATION
	/* The page cache's own: move the folio, its dirty state and tag with it. */
	.migrate_folio	= filemap_migrate_folio,
#endif
};

static void vmlab_store_free_zero(struct vmlab_object *obj)
{
	struct page *page;
	int cpu;

	if (!obj->zero_src)
		return;
	for_each_possible_cpu(cpu) {
		page = *per_cpu_ptr(obj->zero_src, cpu);
		if (page)
			put_page(page);
	}
	free_percpu(obj->zero_src);
	obj->zero_src = NULL;
	kvfree(obj->zero_map);
	obj->zero_map = NULL;
}

int vmlab_store_init(struct vmlab_object *obj, pgoff_t npages,
		     unsigned long limit)
{
	struct address_space *mapping = obj->mapping;
	struct page *page;
	int cpu;

	obj->npages = npages;
	obj->limit = limit;
	atomic_long_set(&obj->resident, 0);
	atomic_long_set(&obj->inflight, 0);
	spin_lock_init(&obj->reserve_lock);
	atomic_long_set(&obj->freed, 0);
	atomic_long_set(&obj->dirty, 0);
	mutex_init(&obj->lock);
	obj->zero_map = kvcalloc(BITS_TO_LONGS(npages), sizeof(long), GFP_KERNEL);
	obj->zero_src = alloc_percpu(struct page *);
	if (!obj->zero_map || !obj->zero_src)
		goto nomem;
	for_each_possible_cpu(cpu) {
		page = alloc_page(GFP_HIGHUSER | __GFP_ZERO);
		if (!page)
			goto nomem;
		*per_cpu_ptr(obj->zero_src, cpu) = page;
	}

	vmlab_store_obj = obj;
	mapping->a_ops = &vmlab_aops;
	mapping_set_unevictable(mapping);
	if (IS_ENABLED(CONFIG_TRANSPARENT_HUGEPAGE))
		mapping_set_large_folios(mapping);
	i_size_write(mapping->host, (loff_t)npages << PAGE_SHIFT);
	return 0;

nomem:
	vmlab_store_free_zero(obj);
	return -ENOMEM;
}

void vmlab_store_destroy(struct vmlab_object *obj)
{
	mutex_lock(&obj->lock);
	truncate_inode_pages(obj->mapping, 0);
	mutex_unlock(&obj->lock);
	vmlab_store_free_zero(obj);
}

/**
 * vmlab_store_lookup - find the page at @index
 * @obj: the object
 * @index: page offset
 *
 * Return: the page with a reference on its folio held for the caller, or
 * NULL for a hole.
 */
struct page *vmlab_store_lookup(struct vmlab_object *obj, pgoff_t index)
{
	struct folio *folio = vmlab_filemap_get_folio(obj->mapping, index);

	return folio ? folio_file_page(folio, index) : NULL;
}

/*
 * Reserve @nr pages under the memory limit for an allocation, before it
 * is made.  Return: 0; -ENOSPC when the pages the object holds leave no
 * room for @nr; -EAGAIN when only reservations of allocations under way
 * (another fault at the same hole, a 2 MiB fill that may yet fail) are in
 * the way: the caller looks for the page again and retries, so that a
 * fault fails only when the object really holds its limit.
 */
static int vmlab_store_reserve(struct vmlab_object *obj, long nr)
{
	long resident, held;
	int ret = 0;

	spin_lock(&obj->reserve_lock);
	resident = atomic_long_read(&obj->resident);
	held = resident - atomic_long_read(&obj->inflight);
	if (resident + nr <= (long)obj->limit) {
		atomic_long_add(nr, &obj->inflight);
		atomic_long_add(nr, &obj->resident);
	} else {
		ret = held + nr > (long)obj->limit ? -ENOSPC : -EAGAIN;
	}
	spin_unlock(&obj->reserve_lock);
	return ret;
}

/* The allocation of a reservation is in the store (@added) or gone. */
static void vmlab_store_reserved(struct vmlab_object *obj, long nr, bool added)
{
	spin_lock(&obj->reserve_lock);
	if (!added)
		atomic_long_sub(nr, &obj->resident);
	atomic_long_sub(nr, &obj->inflight);
	spin_unlock(&obj->reserve_lock);
}

/* Is there a page (not a hole) at @index? */
static bool vmlab_store_has_page(struct vmlab_object *obj, pgoff_t index)
{
	void *entry = xa_load(&obj->mapping->i_pages, index);

	return entry && !xa_is_value(entry);
}

/*
 * Test knobs, root's (debugfs, no interface), 0 by default (no wait):
 * vmlab_zero_fault_delay_us holds a private read fault at a hole between
 * its look for a page and its zero entry, and vmlab_fill_delay_us holds a
 * fill between its page in the cache and its look at the offsets' bits,
 * so that a test can make another fault land in between, every time
 * (vmlab_fault: zfill.*.fill_in_the_gap, zfill.*.reader_in_the_fill);
 * vmlab_reserve_delay_us holds an allocation between its reservation and
 * its page in the cache (vmlab_fault: limit.*).
 */
u32 vmlab_zero_fault_delay_us;
u32 vmlab_fill_delay_us;
u32 vmlab_reserve_delay_us;

static void vmlab_store_test_delay(u32 *knob)
{
	u32 us = READ_ONCE(*knob);

	if (unlikely(us))
		fsleep(min(us, 100000U));
}

/*
 * @nr pages from @index just filled a hole: unmap the zero page that
 * private mappings may have mapped there.  A fault that maps the zero page
 * sets the offset's bit in obj->zero_map before it looks for a page
 * (vmlab_store_map_zero()); this looks at the bits after the page is in
 * the cache.  The barriers pair: either that fault sees the new page, or
 * this sees the bit and unmaps.  A fault whose entry lands after this
 * unmap sees the page when it looks again, and unmaps its own entry.
 * Filling where no zero entry can be walks no mapping at all.
 */
static void vmlab_store_filled(struct vmlab_object *obj, pgoff_t index,
			       long nr)
{
	unsigned long i, end = index + nr;
	bool marked = false;

	vmlab_count_n(obj, VMLAB_PAGES_ALLOCATED, nr);
	vmlab_store_test_delay(&vmlab_fill_delay_us);
	smp_mb();	/* the page is in the cache before we look at the bits */
	for (i = find_next_bit(obj->zero_map, end, index); i < end;
	     i = find_next_bit(obj->zero_map, end, i + 1))
		marked |= test_and_clear_bit(i, obj->zero_map);
	if (marked)
		unmap_mapping_pages(obj->mapping, index, nr, false);
}

/*
 * Put a new folio of @order at @index into the page cache.  Return: the
 * folio, locked, with a reference for the caller besides the page cache's;
 * ERR_PTR(-EEXIST) if some page is already there; ERR_PTR(-ENOSPC) over
 * the memory limit, ERR_PTR(-EAGAIN) when allocations under way may yet
 * leave room (vmlab_store_reserve()); ERR_PTR(-ENOMEM).
 */
static struct folio *vmlab_store_add(struct vmlab_object *obj, pgoff_t index,
				     unsigned int order)
{
	long nr = 1L << order;
	struct folio *folio;
	int err;

	err = vmlab_store_reserve(obj, nr);
	if (err)
		return ERR_PTR(err);
	vmlab_store_test_delay(&vmlab_reserve_delay_us);
	folio = folio_alloc(order ? VMLAB_GFP_HUGE : VMLAB_GFP, order);
	if (!folio) {
		vmlab_store_reserved(obj, nr, false);
		return ERR_PTR(-ENOMEM);
	}
	__folio_mark_uptodate(folio);
	err = filemap_add_folio(obj->mapping, folio, index, VMLAB_GFP_CACHE);
	vmlab_store_reserved(obj, nr, !err);
	if (err) {
		folio_put(folio);
		return ERR_PTR(err);
	}
	/* The allocation's reference is the caller's now. */
	vmlab_store_filled(obj, index, nr);
	return folio;
}

/**
 * vmlab_store_get_locked - the locked page at @index, for a fault
 * @obj: the object
 * @index: page offset, below obj->npages
 * @alloc: allocate a page for a hole
 * @filled: if not NULL, set to true when this call filled the hole (two
 *	racing callers: only one of them), left alone otherwise
 *
 * Return: the page, its folio referenced, locked and still in the store;
 * NULL for a hole when !@alloc; ERR_PTR(-ENOSPC) when the object holds
 * its limit, ERR_PTR(-ENOMEM) when memory (or the cgroup's) is short.
 */
struct page *vmlab_store_get_locked(struct vmlab_object *obj, pgoff_t index,
				    bool alloc, bool *filled)
{
	bool full = false;	/* the limit refused us once */
	struct folio *folio;

	for (;;) {
		folio = vmlab_filemap_lock_folio(obj->mapping, index);
		if (folio || !alloc)
			break;
		folio = vmlab_store_add(obj, index, 0);
		if (!IS_ERR(folio)) {
			if (filled)
				*filled = true;
			break;
		}
		switch (PTR_ERR(folio)) {
		case -EAGAIN:
			cond_resched();	/* until the allocations under way end */
			break;
		case -ENOSPC:
			/*
			 * The object holds its limit, maybe with the very page
			 * we want, put in after we looked: look once more.
			 */
			if (full)
				return ERR_CAST(folio);
			full = true;
			break;
		case -EEXIST:
			break;
		default:
			return ERR_CAST(folio);
		}
	}
	return folio ? folio_file_page(folio, index) : NULL;
}

/**
 * vmlab_store_get - find the page at @index, allocating one for a hole
 * @obj: the object
 * @index: page offset, below obj->npages
 *
 * Return: the page with a reference held for the caller; an ERR_PTR as
 * vmlab_store_get_locked().
 */
struct page *vmlab_store_get(struct vmlab_object *obj, pgoff_t index)
{
	struct page *page = vmlab_store_lookup(obj, index);

	if (page)
		return page;
	page = vmlab_store_get_locked(obj, index, true, NULL);
	if (!IS_ERR(page))
		unlock_page(page);
	return page;
}

/**
 * vmlab_store_fill_huge - fill the hole at [@index, @index + 512) at once
 * @obj: the object
 * @index: first page offset, a multiple of 512 (2 MiB)
 *
 * Best effort: nothing happens if any page is there already, the memory
 * limit would be passed, or no 2 MiB of contiguous memory is free; the
 * fault then goes on page by page.
 *
 * Return: true if this call filled the hole.
 */
bool vmlab_store_fill_huge(struct vmlab_object *obj, pgoff_t index)
{
#ifdef CONFIG_TRANSPARENT_HUGEPAGE
	struct folio *folio;

	if (index + HPAGE_PMD_NR > obj->npages ||
	    filemap_range_has_page(obj->mapping, (loff_t)index << PAGE_SHIFT,
				   ((loff_t)(index + HPAGE_PMD_NR) << PAGE_SHIFT) - 1))
		return false;
	folio = vmlab_store_add(obj, index, HPAGE_PMD_ORDER);
	if (IS_ERR(folio))
		return false;
	folio_unlock(folio);
	folio_put(folio);
	return true;
#else
	return false;
#endif
}

/**
 * vmlab_store_map_zero - map the kernel's zero page at a hole, for a read
 * fault in a private mapping
 * @obj: the object
 * @vmf: the fault, at a page offset below obj->npages
 *
 * The entry is special, as do_anonymous_page() makes it: the zero page
 * gets no reference and no map count from it, so that nothing here can
 * grow without bound, and no lock but the page table's is taken.  A write
 * through the entry later copies from the zero page (do_wp_page()).  The
 * kernel's own check lets such an entry into a private (COW) mapping on
 * every kernel vmlab builds for (vm_mixed_ok()), without VM_MIXEDMAP.
 *
 * Return: VM_FAULT_NOPAGE when the entry is in place (or one was there
 * already), 0 when the object holds a page at the offset: map that one; a
 * VM_FAULT_* error (no memory for a page table).
 */
vm_fault_t vmlab_store_map_zero(struct vmlab_object *obj,
				struct vm_fault *vmf)
{
	unsigned long gen = READ_ONCE(obj->zero_gen);
	pgoff_t index = vmf->pgoff;
	vm_fault_t ret;

	set_bit(index, obj->zero_map);
	smp_mb__after_atomic();		/* see vmlab_store_filled() */
	/*
	 * No zero entry from us, but the bit stays: another fault may have
	 * set it too, made its entry before the page came, and counts on
	 * the filler, which may not have looked at the bits yet, to see it.
	 * Only a fill or a reset clears a bit, each after it unmapped.
	 */
	if (vmlab_store_has_page(obj, index))
		return 0;
	vmlab_store_test_delay(&vmlab_zero_fault_delay_us);
	ret = vmlab_vmf_insert_zero(vmf);
	smp_mb();	/* the entry is in place before we look again */
	if (unlikely(vmlab_store_has_page(obj, index)))
		unmap_mapping_pages(obj->mapping, index, 1, false);
	/*
	 * A reset that began meanwhile may have cleared our bit and yet
	 * missed our entry (vmlab_store_reset()): mark the offset again.
	 */
	if (unlikely(READ_ONCE(obj->zero_gen) != gen))
		set_bit(index, obj->zero_map);
	return ret;
}

/**
 * vmlab_store_zero_src - a zero-filled page to copy from, for a write
 * fault of a private mapping at a hole
 * @obj: the object
 *
 * The page is never mapped: the kernel copies it into the new private
 * page, then drops it (do_cow_fault()).  One per CPU, so that the page
 * lock the kernel takes around the copy is not one lock for all.  A page
 * that memory failure marked poisoned is replaced, never handed out.
 *
 * Return: the page, with a reference for the caller, or ERR_PTR(-ENOMEM).
 */
struct page *vmlab_store_zero_src(struct vmlab_object *obj)
{
	struct page **slot = raw_cpu_ptr(obj->zero_src);
	struct page *page, *fresh;

	for (;;) {
		rcu_read_lock();	/* a poisoned page is put after a grace period */
		page = READ_ONCE(*slot);
		get_page(page);
		rcu_read_unlock();
		if (likely(!PageHWPoison(page)))
			return page;
		put_page(page);
		fresh = alloc_page(GFP_HIGHUSER | __GFP_ZERO);
		if (!fresh)
			return ERR_PTR(-ENOMEM);
		if (cmpxchg(slot, page, fresh) != page) {
			put_page(fresh);	/* another fault replaced it */
			continue;
		}
		synchronize_rcu();
		put_page(page);
	}
}

/**
 * vmlab_store_owns - is @page still the object's page?
 * @obj: the object
 * @page: a page the caller holds locked
 *
 * Return: true if so; it stays so until the caller unlocks @page.
 */
bool vmlab_store_owns(struct vmlab_object *obj, struct page *page)
{
	return page_folio(page)->mapping == obj->mapping;
}

/* Record that @page was written. */
void vmlab_store_set_dirty(struct vmlab_object *obj, struct page *page)
{
	folio_mark_dirty(page_folio(page));
}

/*
 * Count the dirty pages again, after a truncation took dirty pages out of
 * the page cache without telling us.  Under the xarray's lock, which every
 * change of a dirty tag holds: the count cannot miss one.
 */
static void vmlab_store_recount_dirty(struct vmlab_object *obj)
{
	XA_STATE(xas, &obj->mapping->i_pages, 0);
	unsigned long n = 0;
	struct folio *folio;

	xas_lock_irq(&xas);
	xas_for_each_marked(&xas, folio, ULONG_MAX, PAGECACHE_TAG_DIRTY)
		if (!xa_is_value(folio))
			n += folio_nr_pages(folio);
	atomic_long_set(&obj->dirty, n);
	xas_unlock_irq(&xas);
}

/* The next dirty folio from *@index to @last, referenced, or NULL. */
static struct folio *vmlab_store_next_dirty(struct vmlab_object *obj,
					    unsigned long *index,
					    unsigned long last)
{
	struct folio *folio;

	rcu_read_lock();
	for (;;) {
		folio = xa_find(&obj->mapping->i_pages, index, last,
				PAGECACHE_TAG_DIRTY);
		if (!folio || (!xa_is_value(folio) && folio_try_get(folio)))
			break;
		if (*index == last)
			break;
		(*index)++;
	}
	rcu_read_unlock();
	return folio && !xa_is_value(folio) ? folio : NULL;
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
	struct address_space *mapping = obj->mapping;
	unsigned long index = first, cleaned = 0, next;
	struct folio *folio;

	mutex_lock(&obj->lock);
	while ((folio = vmlab_store_next_dirty(obj, &index, last))) {
		folio_lock(folio);
		if (folio->mapping == mapping) {
			folio_mkclean(folio);
			xa_lock_irq(&mapping->i_pages);
			if (folio_test_clear_dirty(folio) &&
			    xa_get_mark(&mapping->i_pages, folio->index,
					PAGECACHE_TAG_DIRTY)) {
				__xa_clear_mark(&mapping->i_pages, folio->index,
						PAGECACHE_TAG_DIRTY);
				atomic_long_sub(folio_nr_pages(folio), &obj->dirty);
				cleaned += folio_nr_pages(folio);
			}
			xa_unlock_irq(&mapping->i_pages);
		}
		next = folio->index + folio_nr_pages(folio);
		folio_unlock(folio);
		folio_put(folio);
		if (next > last || next <= index)
			break;
		index = next;
		cond_resched();
	}
	mutex_unlock(&obj->lock);
	vmlab_count_n(obj, VMLAB_PAGES_CLEANED, cleaned);
	trace_vmlab_writeback(first, last, cleaned);
	return cleaned;
}

/*
 * The unmap that follows takes every zero entry away: clear the bits, so
 * that later fills there walk no mapping.  A fault under way may have set
 * its bit before this and insert its entry after the unmap went by: the
 * new generation pairs with the fault's look at it after its insertion
 * (full barriers on both sides), so either the fault sees it and marks
 * its offset again, or the unmap sees its entry.  A word is cleared with
 * an atomic exchange, so that a bit set again before it is read, not lost
 * under a plain store; a word read as 0 is left alone.
 */
static void vmlab_store_clear_zero_map(struct vmlab_object *obj)
{
	unsigned long i;

	WRITE_ONCE(obj->zero_gen, obj->zero_gen + 1);
	smp_mb();	/* pairs with vmlab_store_map_zero()'s look at zero_gen */
	for (i = 0; i < BITS_TO_LONGS(obj->npages); i++)
		if (READ_ONCE(obj->zero_map[i]))
			xchg(&obj->zero_map[i], 0);
}

/**
 * vmlab_store_reset - make the whole object a hole again
 * @obj: the object
 *
 * As truncating a file to zero and back: unmap the object's pages from
 * every mapping (private copies stay), then take them out of the page
 * cache; truncation unmaps each one again under its lock, for faults that
 * raced with the first pass.
 *
 * Return: the number of pages freed.
 */
unsigned long vmlab_store_reset(struct vmlab_object *obj)
{
	unsigned long freed;
	long before;

	mutex_lock(&obj->lock);
	before = atomic_long_read(&obj->freed);
	vmlab_store_clear_zero_map(obj);
	unmap_mapping_range(obj->mapping, 0, 0, 0);
	truncate_inode_pages(obj->mapping, 0);
	vmlab_store_recount_dirty(obj);
	freed = atomic_long_read(&obj->freed) - before;
	vmlab_count(obj, VMLAB_RESETS);
	trace_vmlab_reset(freed);
	mutex_unlock(&obj->lock);
	return freed;
}
