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
 * @zero_frame_maps:	(out) faults of private mappings at holes answered
 *			with zeros: a read maps the kernel's zero page, a
 *			write copies zeros into the new private page
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

/*
 * VMLAB_IOC_INSPECT: walk the page tables of a range of virtual addresses
 * and report, page by page, what the kernel holds there.
 */
#define VMLAB_INSPECT_MAX_PAGES	512	/* most pages one call inspects */

/**
 * struct vmlab_inspect - argument of %VMLAB_IOC_INSPECT
 * @pid:	(in) process whose address space to inspect: 0 for the
 *		caller, else a pid in the caller's pid namespace.  The
 *		caller needs the access /proc/PID/pagemap needs (ptrace
 *		read access); EACCES otherwise, ESRCH if there is no such
 *		process, it has no address space (it exited), or it is not
 *		visible from the pid namespace the module was loaded in
 * @addr:	(in) first virtual address, page aligned, in user space
 * @npages:	(in) pages to inspect, 1 to %VMLAB_INSPECT_MAX_PAGES; the
 *		range may not wrap or reach past the largest user address
 * @pages:	(in) user pointer to @npages struct vmlab_page_info
 * @info_size:	(in) sizeof(struct vmlab_page_info), EINVAL if it differs
 * @flags:	(in) must be zero
 * @result:	(out) %VMLAB_INSPECT_* bits about the whole call
 * @page_size:	(out) the size of a base page (PAGE_SIZE)
 * @reserved:	(in) must be zero
 *
 * Addresses that no VMA covers are reported (without %VMLAB_WALK_VMA),
 * not refused.  The walk holds the address space's mmap lock for reading
 * and each page table's lock while it reads an entry, so every record is
 * a consistent snapshot of its page; the range as a whole is not.
 */
struct vmlab_inspect {
	__u64 pid;
	__u64 addr;
	__u64 npages;
	__u64 pages;
	__u64 info_size;
	__u64 flags;
	__u64 result;
	__u64 page_size;
	__u64 reserved[4];
};

/* struct vmlab_inspect.result */
#define VMLAB_INSPECT_PFN_SHOWN	(1ULL << 0)	/* CAP_SYS_ADMIN: PFNs, raw entries shown */

/* struct vmlab_page_info.level: the level of a page-table entry */
#define VMLAB_LEVEL_NONE	0	/* not walked: no VMA, or skipped */
#define VMLAB_LEVEL_PTE		1	/* maps 4 KiB */
#define VMLAB_LEVEL_PMD		2	/* maps 2 MiB */
#define VMLAB_LEVEL_PUD		3	/* maps 1 GiB */
#define VMLAB_LEVEL_P4D		4
#define VMLAB_LEVEL_PGD		5
#define VMLAB_NR_LEVELS		5

/* struct vmlab_page_info.walk: how far the walk went */
#define VMLAB_WALK_VMA		(1ULL << 0)	/* a VMA covers the address */
#define VMLAB_WALK_PGD		(1ULL << 1)	/* the PGD entry points to a table */
#define VMLAB_WALK_P4D		(1ULL << 2)	/* the P4D entry points to a table */
#define VMLAB_WALK_PUD		(1ULL << 3)	/* the PUD entry points to a table */
#define VMLAB_WALK_PMD		(1ULL << 4)	/* the PMD entry points to a table */
#define VMLAB_WALK_BAD		(1ULL << 5)	/* a corrupt entry stopped the walk */
#define VMLAB_WALK_SKIPPED	(1ULL << 6)	/* not walked: shared hugetlb */
#define VMLAB_WALK_UNSTABLE	(1ULL << 7)	/* entries kept changing: gave up */
#define VMLAB_WALK_PFN_HIDDEN	(1ULL << 8)	/* no CAP_SYS_ADMIN: see .hidden */

/*
 * struct vmlab_page_info.entry: the entry at .level, decoded.  PRESENT is
 * the kernel's view: a PROT_NONE entry (or one made inaccessible for NUMA
 * balancing) is present and has PROTNONE.  SPECIAL: no struct page to
 * refcount behind it (the zero page, PFN maps).  SOFT_DIRTY is set for
 * swap entries too.
 */
#define VMLAB_ENTRY_PRESENT	(1ULL << 0)	/* maps a frame */
#define VMLAB_ENTRY_WRITE	(1ULL << 1)	/* writable in hardware */
#define VMLAB_ENTRY_USER	(1ULL << 2)	/* accessible to user mode */
#define VMLAB_ENTRY_ACCESSED	(1ULL << 3)	/* accessed (young) */
#define VMLAB_ENTRY_DIRTY	(1ULL << 4)	/* written through this entry */
#define VMLAB_ENTRY_NX		(1ULL << 5)	/* no execute */
#define VMLAB_ENTRY_SPECIAL	(1ULL << 6)	/* no refcounted page behind it */
#define VMLAB_ENTRY_SOFT_DIRTY	(1ULL << 7)	/* soft-dirty */
#define VMLAB_ENTRY_PROTNONE	(1ULL << 8)	/* present, but not to the MMU */
#define VMLAB_ENTRY_LEAF	(1ULL << 9)	/* maps memory at this level */

/* struct vmlab_page_info.nonpresent: what a non-present entry holds */
#define VMLAB_NP_NONE		0	/* empty, or the entry is present */
#define VMLAB_NP_SWAP		1	/* swapped out: swap_type, swap_offset */
#define VMLAB_NP_MIGRATION	2	/* the frame is being migrated */
#define VMLAB_NP_DEVICE		3	/* device-private or -exclusive */
#define VMLAB_NP_HWPOISON	4	/* memory failure */
#define VMLAB_NP_MARKER		5	/* a PTE marker (uffd-wp, guard) */
#define VMLAB_NP_OTHER		6

/*
 * struct vmlab_page_info.page: facts of the frame's struct page, read with
 * a reference held on it.  FILE includes vmlab's object; ANON_EXCLUSIVE:
 * anonymous and known to be mapped by one process only (a write to it
 * need not copy).
 */
#define VMLAB_PAGE_VALID	(1ULL << 0)	/* a struct page was examined */
#define VMLAB_PAGE_ANON		(1ULL << 1)	/* anonymous */
#define VMLAB_PAGE_FILE		(1ULL << 2)	/* in a file's page cache */
#define VMLAB_PAGE_KSM		(1ULL << 3)	/* merged by KSM */
#define VMLAB_PAGE_ZERO		(1ULL << 4)	/* the kernel's zero page */
#define VMLAB_PAGE_VMLAB_ZERO	(1ULL << 5)	/* never set now: holes map ZERO */
#define VMLAB_PAGE_VMLAB	(1ULL << 6)	/* vmlab's object, at obj_offset */
#define VMLAB_PAGE_LARGE	(1ULL << 7)	/* in a large folio: folio_pages */
#define VMLAB_PAGE_DIRTY	(1ULL << 8)	/* dirty */
#define VMLAB_PAGE_LOCKED	(1ULL << 9)	/* locked */
#define VMLAB_PAGE_ANON_EXCLUSIVE (1ULL << 10)	/* anonymous, one process's */
#define VMLAB_PAGE_HUGETLB	(1ULL << 11)	/* a hugetlbfs page */

/*
 * struct vmlab_page_info.hidden: what was withheld from a caller without
 * CAP_SYS_ADMIN, so that a program can tell "withheld" from a real 0.
 *
 * Who may see what.  A caller with CAP_SYS_ADMIN (both the one that opened
 * /dev/vmlab and the one that calls, as for PFNs in /proc/PID/pagemap) sees
 * every field.  Any other caller learns no more than pagemap and smaps
 * tell it of the same process:
 *  - no PFN, raw entry or swap entry (pagemap shows them to root only);
 *  - of a page that is vmlab's (the object's pages, the zero page) or
 *    anonymous memory mapped by the inspected process alone: every fact;
 *  - of anonymous memory the inspected process shares with its fork
 *    relatives: the frame id, so that sharing and copies show, but
 *    counts and state as below;
 *  - of any other page (a file's page cache, a KSM page, shared memory):
 *    no frame id, and the map count only as 1 or "more than one" (2), as
 *    smaps' Shared/Private and pagemap's exclusive bit tell; no reference
 *    count, and no LOCKED, DIRTY, KSM or LARGE bit (other users' use of
 *    the page moves them: /proc/kpagecount and kpageflags are root's).
 * Frame ids are keyed hashes of the PFN with a key made when the module
 * is loaded: equal frames have equal ids until it is unloaded.  vmlab's
 * tracepoints print the PFN next to the frame id; tracefs is root's.
 */
#define VMLAB_HIDDEN_PFN	(1ULL << 0)	/* pfn, swap_offset, raw */
#define VMLAB_HIDDEN_SWAP	(1ULL << 1)	/* swap_type */
#define VMLAB_HIDDEN_FRAME_ID	(1ULL << 2)	/* frame_id */
#define VMLAB_HIDDEN_MAPCOUNT	(1ULL << 3)	/* mapcount: 1, or 2 for more */
#define VMLAB_HIDDEN_REFCOUNT	(1ULL << 4)	/* refcount */
#define VMLAB_HIDDEN_STATE	(1ULL << 5)	/* LOCKED, DIRTY, KSM, LARGE, folio_pages */

/* struct vmlab_page_info.vma */
#define VMLAB_VMA_FILE		(1ULL << 0)	/* file-backed: vma_dev, vma_ino */
#define VMLAB_VMA_ANON_VMA	(1ULL << 1)	/* has an anon_vma: may hold anon pages */
#define VMLAB_VMA_VMLAB		(1ULL << 2)	/* served by vmlab's fault handlers */
#define VMLAB_VMA_COW		(1ULL << 3)	/* private, may be written: copy on write */
#define VMLAB_VMA_HUGETLB	(1ULL << 4)	/* hugetlbfs */

/**
 * struct vmlab_page_info - what %VMLAB_IOC_INSPECT found at one page
 * @addr:	(out) the page's virtual address
 * @walk:	(out) %VMLAB_WALK_* bits: how far the walk went
 * @level:	(out) %VMLAB_LEVEL_*: the entry that decides the page: the
 *		leaf that maps it, a non-present leaf, or the empty entry
 *		where the walk ended
 * @entry:	(out) %VMLAB_ENTRY_* bits: that entry, decoded
 * @nonpresent:	(out) %VMLAB_NP_*: what that entry holds when it is not
 *		present
 * @swap_type:	(out) swap type (for %VMLAB_NP_SWAP the swap device); 0
 *		with %VMLAB_HIDDEN_SWAP
 * @swap_offset: (out) offset in it; for a migration, device or hwpoison
 *		entry the PFN it names (the frame being moved, for
 *		migration); 0 with %VMLAB_HIDDEN_PFN
 * @pfn:	(out) the frame's page frame number; 0 with
 *		%VMLAB_HIDDEN_PFN
 * @frame_id:	(out) a keyed hash of the PFN, secret to this load of the
 *		module, the same for the same frame in every process: 0 when
 *		no frame is mapped, or with %VMLAB_HIDDEN_FRAME_ID
 * @page:	(out) %VMLAB_PAGE_* bits
 * @refcount:	(out) the folio's reference count (without the walk's own);
 *		0 with %VMLAB_HIDDEN_REFCOUNT
 * @mapcount:	(out) the page's map count; on kernels that count mappings
 *		only per folio (6.12 on), the folio's for a large folio; with
 *		%VMLAB_HIDDEN_MAPCOUNT only 1, or 2 for "more than one"
 * @folio_pages: (out) pages in the folio; 0 with %VMLAB_HIDDEN_STATE
 * @obj_offset:	(out) page offset in vmlab's object (%VMLAB_PAGE_VMLAB)
 * @vma_start:	(out) the VMA's first address (with %VMLAB_WALK_VMA)
 * @vma_end:	(out) the VMA's end (exclusive)
 * @vma_pgoff:	(out) the VMA's offset in its file, in pages
 * @vm_flags:	(out) the VMA's vm_flags, raw (VM_READ = 0x1 ...)
 * @vma:	(out) %VMLAB_VMA_* bits
 * @vma_dev:	(out) the backing file's device (as stat's st_dev)
 * @vma_ino:	(out) the backing file's inode number
 * @raw:	(out) raw entry values: @raw[VMLAB_LEVEL_PTE - 1] is the PTE,
 *		up to @raw[VMLAB_LEVEL_PGD - 1]; for the levels the walk
 *		read; 0 with %VMLAB_HIDDEN_PFN
 * @hidden:	(out) %VMLAB_HIDDEN_* bits: what was withheld from this
 *		caller (0 for CAP_SYS_ADMIN)
 * @reserved:	(out) zero
 */
struct vmlab_page_info {
	__u64 addr;
	__u64 walk;
	__u64 level;
	__u64 entry;
	__u64 nonpresent;
	__u64 swap_type;
	__u64 swap_offset;
	__u64 pfn;
	__u64 frame_id;
	__u64 page;
	__u64 refcount;
	__u64 mapcount;
	__u64 folio_pages;
	__u64 obj_offset;
	__u64 vma_start;
	__u64 vma_end;
	__u64 vma_pgoff;
	__u64 vm_flags;
	__u64 vma;
	__u64 vma_dev;
	__u64 vma_ino;
	__u64 raw[VMLAB_NR_LEVELS];
	__u64 hidden;
	__u64 reserved[3];
};

/**
 * enum vmlab_fault_outcome - what a fault did: the outcome field of the
 * vmlab_fault tracepoint (tracefs events/vmlab/vmlab_fault)
 * @VMLAB_OUTCOME_ALLOCATED:	the page was a hole; this fault filled it
 *				(the object's new page, or a 2 MiB one)
 * @VMLAB_OUTCOME_EXISTING:	the object's page, already there
 * @VMLAB_OUTCOME_ZERO:		the page was a hole of a private mapping: a
 *				read mapped the kernel's zero page, a write
 *				copied zeros from a page of the module's
 * @VMLAB_OUTCOME_SIGBUS:	past the end of the object, or over the
 *				memory limit: SIGBUS
 * @VMLAB_OUTCOME_ERROR:	another error, returned to the kernel
 *
 * Trace tools print the names (allocated, existing, zero, sigbus, error);
 * a BPF program reading the raw field sees these values.
 */
enum vmlab_fault_outcome {
	VMLAB_OUTCOME_ALLOCATED	= 0,
	VMLAB_OUTCOME_EXISTING	= 1,
	VMLAB_OUTCOME_ZERO	= 2,
	VMLAB_OUTCOME_SIGBUS	= 3,
	VMLAB_OUTCOME_ERROR	= 4,
};

/**
 * enum vmlab_vma_reason - why a mapping (VMA) of the device appeared or
 * went away: the reason field of the vmlab_vma_open and vmlab_vma_close
 * tracepoints
 * @VMLAB_OPEN_MMAP:	opened by mmap()
 * @VMLAB_OPEN_FORK:	copied into a child by fork()
 * @VMLAB_OPEN_COPY:	copied in its own address space: a split (mprotect,
 *			munmap of a part) or a move (mremap)
 * @VMLAB_CLOSE_UNMAP:	closed while the address space lives on: munmap(),
 *			the old half of a split, the old place of a move
 * @VMLAB_CLOSE_EXIT:	closed because the address space went away (exit,
 *			exec)
 */
enum vmlab_vma_reason {
	VMLAB_OPEN_MMAP		= 0,
	VMLAB_OPEN_FORK		= 1,
	VMLAB_OPEN_COPY		= 2,
	VMLAB_CLOSE_UNMAP	= 3,
	VMLAB_CLOSE_EXIT	= 4,
};

#define VMLAB_IOC_MAGIC		0xb6
#define VMLAB_IOC_STATS		_IOR(VMLAB_IOC_MAGIC, 0x00, struct vmlab_stats)
#define VMLAB_IOC_RESET		_IOWR(VMLAB_IOC_MAGIC, 0x01, struct vmlab_reset)
#define VMLAB_IOC_INSPECT	_IOWR(VMLAB_IOC_MAGIC, 0x02, struct vmlab_inspect)

#endif /* _UAPI_VMLAB_H */
