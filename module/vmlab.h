/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmlab internals: the one object behind /dev/vmlab and the interfaces
 * between its parts.
 *
 *   main.c   module parameters, the misc device and its file operations
 *   store.c  the object's page store: lookup, allocation, dirty, reset
 *   vmops.c  the vm_operations_struct that serves mmap() page by page
 */
#ifndef VMLAB_H
#define VMLAB_H

#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/xarray.h>

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
 * @pages:	object pages by page offset.  An entry is a struct page
 *		(mapping = @mapping, index = offset), or a value entry
 *		marking a hole whose reads a private mapping may have
 *		served with @zero_frame.  Mark %VMLAB_DIRTY: written since
 *		the last write-back.
 * @npages:	size of the object in pages
 * @limit:	most pages the object may hold
 * @resident:	pages held now
 * @dirty:	pages with %VMLAB_DIRTY set
 * @zero_frame:	the one zero-filled page mapped read-only into private
 *		mappings for reads of holes
 * @inode:	anonymous inode whose address space every mapping of the
 *		device joins, so the object can find and unmap its pages
 *		in every process (reset) and write-protect them (fsync)
 * @mapping:	@inode's address space
 * @lock:	serialises reset, write-back and teardown: the only paths
 *		that walk all pages or free them
 * @events:	per-CPU event counters
 */
struct vmlab_object {
	struct xarray pages;
	pgoff_t npages;
	unsigned long limit;
	atomic_long_t resident;
	atomic_long_t dirty;
	struct page *zero_frame;
	struct inode *inode;
	struct address_space *mapping;
	struct mutex lock;	/* reset, write-back and teardown */
	struct vmlab_events __percpu *events;
};

#define VMLAB_DIRTY	XA_MARK_0

static inline void vmlab_count(struct vmlab_object *obj, enum vmlab_event ev)
{
	this_cpu_inc(obj->events->count[ev]);
}

unsigned long vmlab_event_sum(struct vmlab_object *obj, enum vmlab_event ev);

/* store.c */
int vmlab_store_init(struct vmlab_object *obj, pgoff_t npages,
		     unsigned long limit);
void vmlab_store_destroy(struct vmlab_object *obj);
struct page *vmlab_store_lookup(struct vmlab_object *obj, pgoff_t index);
struct page *vmlab_store_get(struct vmlab_object *obj, pgoff_t index);
struct page *vmlab_store_get_locked(struct vmlab_object *obj, pgoff_t index,
				    bool alloc);
struct page *vmlab_store_zero_frame_locked(struct vmlab_object *obj,
					   pgoff_t index, bool mapped);
bool vmlab_store_owns(struct vmlab_object *obj, pgoff_t index,
		      struct page *page);
void vmlab_store_set_dirty(struct vmlab_object *obj, pgoff_t index,
			   struct page *page);
unsigned long vmlab_store_writeback(struct vmlab_object *obj, pgoff_t first,
				    pgoff_t last);
unsigned long vmlab_store_reset(struct vmlab_object *obj);

/* vmops.c */
int vmlab_mmap(struct file *file, struct vm_area_struct *vma);

#endif /* VMLAB_H */
