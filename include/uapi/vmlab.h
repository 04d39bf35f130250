/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * vmlab: the interface between the vmlab module and user space.
 *
 * /dev/vmlab is one object of size_mb MiB that behaves like a file on a RAM
 * disk: read(), write() and lseek() work on it, and mmap() of it is served a
 * page at a time by the module's fault handlers.  The ioctls below report
 * what those handlers did and reset the object.
 *
 * Every field is a __u64 so that the layout is the same for 32-bit and
 * 64-bit callers and has no padding.  Fields marked (in) are read by the
 * module, (out) are written by it.
 */
#ifndef _UAPI_VMLAB_H
#define _UAPI_VMLAB_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define VMLAB_DEVICE		"/dev/vmlab"

/**
 * struct vmlab_stats - the object's counters, read with %VMLAB_IOC_STATS
 * @size:		(out) size of the object in bytes (lseek SEEK_END)
 * @mem_limit:		(out) the most memory the object may hold, in bytes
 * @fault_shared_read:	(out) read faults in MAP_SHARED mappings
 * @fault_shared_write:	(out) write faults in MAP_SHARED mappings that had
 *			no page table entry yet
 * @fault_private_read:	(out) read faults in MAP_PRIVATE mappings
 * @fault_private_write: (out) write faults in MAP_PRIVATE mappings that had
 *			no page table entry yet (the kernel copies what
 *			the module returns into a new anonymous page)
 * @zero_frame_maps:	(out) faults answered with the module's shared
 *			zero-filled frame (private faults on holes)
 * @page_mkwrite:	(out) calls of page_mkwrite: first stores to a clean
 *			page of a shared mapping
 * @pages_allocated:	(out) object pages allocated (by faults or write())
 * @pages_freed:	(out) object pages freed (by reset or unload)
 * @pages_resident:	(out) object pages held now; always equals
 *			@pages_allocated - @pages_freed
 * @pages_dirty:	(out) object pages written since they were last
 *			written back (fsync, msync(MS_SYNC))
 * @vmas_live:		(out) mappings (VMAs) of the device alive now
 * @vma_opens:		(out) VMAs created: mmap, fork, split, mremap
 * @vma_closes:		(out) VMAs torn down: munmap, exit, split, mremap
 * @sigbus:		(out) faults answered with SIGBUS (past the end of
 *			the object, or over the memory limit)
 * @pages_cleaned:	(out) dirty pages made clean by write-back
 * @resets:		(out) calls of %VMLAB_IOC_RESET
 * @reserved:		(out) zero; room to grow
 *
 * Event counters count from module load and are never reset, so callers
 * compare two readings.
 */
struct vmlab_stats {
	__u64 size;
	__u64 mem_limit;
	__u64 fault_shared_read;
	__u64 fault_shared_write;
	__u64 fault_private_read;
	__u64 fault_private_write;
	__u64 zero_frame_maps;
	__u64 page_mkwrite;
	__u64 pages_allocated;
	__u64 pages_freed;
	__u64 pages_resident;
	__u64 pages_dirty;
	__u64 vmas_live;
	__u64 vma_opens;
	__u64 vma_closes;
	__u64 sigbus;
	__u64 pages_cleaned;
	__u64 resets;
	__u64 reserved[6];
};

/**
 * struct vmlab_reset - argument of %VMLAB_IOC_RESET
 * @flags:		(in) must be zero
 * @pages_freed:	(out) object pages the reset freed
 *
 * A reset first removes the object's pages from every process that maps
 * them (private copies already made stay with their owners), then frees
 * them: the object is all holes again and reads as zeros.
 */
struct vmlab_reset {
	__u64 flags;
	__u64 pages_freed;
};

#define VMLAB_IOC_MAGIC		0xb6
#define VMLAB_IOC_STATS		_IOR(VMLAB_IOC_MAGIC, 0x00, struct vmlab_stats)
#define VMLAB_IOC_RESET		_IOWR(VMLAB_IOC_MAGIC, 0x01, struct vmlab_reset)

#endif /* _UAPI_VMLAB_H */
