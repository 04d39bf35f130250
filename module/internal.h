/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmlab internals: the one object behind /dev/vmlab and the interfaces
 * between its parts.
 *
 *   main.c   module parameters, the misc device and its file operations
 *   store.c  the object's page store: lookup, allocation, dirty, reset
 *   vmops.c  the vm_operations_struct that serves mmap() page by page
 *   thp.c    the transparent huge page policy of vmops.c's 2 MiB fill
 *   inspect.c VMLAB_IOC_INSPECT: a page-table walk of any process
 *   trace.c  the tracepoints of trace.h (events/vmlab)
 *   compat.h differences between the kernel versions vmlab builds on
 */
#ifndef VMLAB_H
#define VMLAB_H

#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/percpu.h>

#include "compat.h"	/* VMLAB_MMAP_HOOK() */

/* Event counters, one per-CPU slot each; summed by VMLAB_IOC_STATS. */
enum vmlab_event {
	VMLAB_FAULT_SHARED_READ,
	VMLAB_FAULT_SHARED_WRITE,
	VMLAB_FAULT_PRIVATE_READ,
	VMLAB_FAULT_PRIVATE_WRITE,
	VMLAB_ZERO_FRAME_MAPS,
	VMLAB_PAGE_MKWRITE,
	VMLAB_PAGES_ALLOCATED,
	VMLAB_PAGES_FREED,
	VMLAB_VMA_OPENS,
	VMLAB_VMA_CLOSES,
	VMLAB_SIGBUS,
	VMLAB_PAGES_CLEANED,
	VMLAB_RESETS,
	VMLAB_NR_EVENTS
};

struct vmlab_events {
	unsigned long count[VMLAB_NR_EVENTS];
};

/**
 * struct vmlab_object - the device's one object, a RAM-backed "file"
 * @npages:	size of the object in pages
 * @limit:	most pages the object may hold
 * @resident:	pages held now, and reserved by allocations under way
 * @inflight:	of @resident, the pages reserved by allocations under way
 * @reserve_lock: makes a reservation's look at @resident and @inflight
 *		one decision (store.c's vmlab_store_reserve())
 * @freed:	pages freed since loading (reset counts with it)
 * @dirty:	pages tagged dirty in the page cache
 * @zero_map:	one bit per page of the object: set where a private
 *		mapping may map the kernel's zero page (store.c)
 * @zero_gen:	resets so far, which clear @zero_map (store.c)
 * @zero_src:	per CPU, a zero-filled page that private write faults at
 *		holes copy from; never mapped
 * @inode:	anonymous inode whose page cache holds the object's pages
 *		(store.c) and whose address space every mapping of the
 *		device joins, so the object can find and unmap its pages
 *		in every process (reset) and write-protect them (fsync)
 * @mapping:	@inode's address space
 * @lock:	serialises reset, write-back and teardown: the only paths
 *		that walk all pages or free them
 * @events:	per-CPU event counters
 */
struct vmlab_object {
	pgoff_t npages;
	unsigned long limit;
	atomic_long_t resident;
	atomic_long_t inflight;
	spinlock_t reserve_lock;	/* vmlab_store_reserve() */
	atomic_long_t freed;
	atomic_long_t dirty;
	unsigned long *zero_map;
	unsigned long zero_gen;
	struct page * __percpu *zero_src;
	struct inode *inode;
	struct address_space *mapping;
	struct mutex lock;	/* reset, write-back and teardown */
	struct vmlab_events __percpu *events;
};

static inline void vmlab_count(struct vmlab_object *obj, enum vmlab_event ev)
{
	this_cpu_inc(obj->events->count[ev]);
}

static inline void vmlab_count_n(struct vmlab_object *obj,
				 enum vmlab_event ev, unsigned long n)
{
	this_cpu_add(obj->events->count[ev], n);
}

unsigned long vmlab_event_sum(struct vmlab_object *obj, enum vmlab_event ev);

/* store.c */
extern u32 vmlab_zero_fault_delay_us;
extern u32 vmlab_fill_delay_us;
extern u32 vmlab_reserve_delay_us;
int vmlab_store_init(struct vmlab_object *obj, pgoff_t npages,
		     unsigned long limit);
void vmlab_store_destroy(struct vmlab_object *obj);
struct page *vmlab_store_lookup(struct vmlab_object *obj, pgoff_t index);
struct page *vmlab_store_get(struct vmlab_object *obj, pgoff_t index);
struct page *vmlab_store_get_locked(struct vmlab_object *obj, pgoff_t index,
				    bool alloc, bool *filled);
bool vmlab_store_fill_huge(struct vmlab_object *obj, pgoff_t index);
vm_fault_t vmlab_store_map_zero(struct vmlab_object *obj,
				struct vm_fault *vmf);
struct page *vmlab_store_zero_src(struct vmlab_object *obj);
bool vmlab_store_owns(struct vmlab_object *obj, struct page *page);
void vmlab_store_set_dirty(struct vmlab_object *obj, struct page *page);
unsigned long vmlab_store_writeback(struct vmlab_object *obj, pgoff_t first,
				    pgoff_t last);
unsigned long vmlab_store_reset(struct vmlab_object *obj);

/* vmops.c */
VMLAB_MMAP_HOOK(vmlab_mmap);	/* .mmap or .mmap_prepare: compat.h */
bool vmlab_vma_is_ours(const struct vm_area_struct *vma);

/* thp.c */
void vmlab_thp_init(void);
void vmlab_thp_exit(void);
bool vmlab_thp_allowed(struct vm_area_struct *vma);

/* inspect.c */
u64 vmlab_frame_id(unsigned long pfn);
long vmlab_ioc_inspect(struct file *file, void __user *arg);
int vmlab_inspect_init(void);
void vmlab_inspect_exit(void);

/* walk.c */
struct vmlab_page_info;
struct vmlab_walk {
	struct vmlab_object *obj;
	struct mm_struct *mm;
	bool privileged;	/* CAP_SYS_ADMIN: sees everything */
};

void vmlab_walk_one(struct vmlab_walk *w, struct vm_area_struct *vma,
		    unsigned long addr, struct vmlab_page_info *pi);

#endif /* VMLAB_H */
