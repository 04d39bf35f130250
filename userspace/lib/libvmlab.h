/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libvmlab: a small C library over /dev/vmlab's interface
 * (include/uapi/linux/vmlab.h) and over the kernel's own views of memory that
 * vmlab's claims are checked against:
 *
 *   /proc/PID/pagemap          one 64-bit entry per virtual page
 *   /proc/kpageflags,          flags and map count of a physical frame
 *   /proc/kpagecount           (root only)
 *   /proc/PID/maps, smaps      the VMAs and what each holds
 *   getrusage(), /proc/PID/stat  minor page faults
 *   /proc/meminfo, zoneinfo    free memory
 *
 * Built as libvmlab.a, which the vmlab command (userspace/) links, from
 * device.c (/dev/vmlab: open, counters, reset, inspect), kernel-views.c
 * (the /proc files above) and units.c (page size, sizes, addresses).
 * Plain C and libc only.  Functions return 0 or a value on success and -1 with
 * errno set on failure, unless said otherwise.  A pid of 0 means the
 * calling process.
 */
#ifndef LIBVMLAB_H
#define LIBVMLAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <linux/vmlab.h>

/* The device */

/*
 * Open /dev/vmlab (O_CLOEXEC is added).  On failure errno is set and
 * vmlab_open_error() explains it in one line for a user.
 */
int vmlab_open(int flags);
/*
 * One line (no newline) saying why /dev/vmlab could not be opened for
 * errno @err, e.g. "vmlab: /dev/vmlab not found: is the module loaded?
 * (insmod vmlab.ko)".  Returns a static buffer.
 */
const char *vmlab_open_error(int err);

int vmlab_get_stats(int fd, struct vmlab_stats *st);
/* VMLAB_IOC_RESET; *pages_freed (may be NULL) gets what it freed. */
int vmlab_reset(int fd, uint64_t *pages_freed);

/* The counters of struct vmlab_stats, by name, in the struct's order. */
struct vmlab_stat_field {
	const char *name;	/* the field's name in struct vmlab_stats */
	size_t offset;		/* offsetof(struct vmlab_stats, name) */
	bool gauge;		/* a level (resident, dirty...), not an event count */
	bool bytes;		/* in bytes (size, mem_limit) */
	const char *help;	/* what it counts, in plain words */
};
extern const struct vmlab_stat_field vmlab_stat_fields[];
extern const size_t vmlab_nr_stat_fields;
uint64_t vmlab_stat_value(const struct vmlab_stats *st, size_t field);
const struct vmlab_stat_field *vmlab_stat_find(const char *name);
/* d = b - a, field by field (gauges too: their change). */
void vmlab_stats_diff(const struct vmlab_stats *a, const struct vmlab_stats *b,
		      struct vmlab_stats *d);
/*
 * "fault_shared_read +3, pages_allocated +3" for the fields that differ
 * between a and b, into buf; "no change" when none does.
 */
char *vmlab_stats_diff_str(const struct vmlab_stats *a,
			   const struct vmlab_stats *b, char *buf, size_t len);

/*
 * VMLAB_IOC_INSPECT of @npages pages from @addr (page aligned) in process
 * @pid, any number of pages (split into calls of VMLAB_INSPECT_MAX_PAGES).
 * *result (may be NULL) gets the call's VMLAB_INSPECT_* bits.  errno
 * ENOTTY: the module has no INSPECT ioctl; ESRCH: no such process;
 * EACCES/EPERM: not allowed; EINVAL: not a user address range.
 */
int vmlab_inspect(int fd, pid_t pid, uintptr_t addr, size_t npages,
		  struct vmlab_page_info *out, uint64_t *result);
/* Does the module have the INSPECT ioctl?  (One call on our own stack.) */
bool vmlab_have_inspect(int fd);

/* /proc/PID/pagemap (Documentation/admin-guide/mm/pagemap.rst) */

#define VMLAB_PM_PFN_MASK	((1ULL << 55) - 1)
#define VMLAB_PM_SOFT_DIRTY	(1ULL << 55)
#define VMLAB_PM_EXCLUSIVE	(1ULL << 56)	/* mapped by this process only */
#define VMLAB_PM_UFFD_WP	(1ULL << 57)
#define VMLAB_PM_FILE		(1ULL << 61)	/* file page or shared anon */
#define VMLAB_PM_SWAP		(1ULL << 62)
#define VMLAB_PM_PRESENT	(1ULL << 63)

struct vmlab_pm {
	uint64_t raw;
	uint64_t pfn;		/* 0 when not present or not root */
	bool present;
	bool swapped;
	bool file;		/* file-backed page or shared anonymous */
	bool exclusive;		/* mapped exactly once (by this process) */
	bool soft_dirty;
};
struct vmlab_pm vmlab_pm_decode(uint64_t raw);
/* Raw entries of @npages pages from @addr. */
int vmlab_pagemap(pid_t pid, uintptr_t addr, size_t npages, uint64_t *out);
/* One page, decoded; an all-zero entry on failure. */
struct vmlab_pm vmlab_pagemap1(pid_t pid, uintptr_t addr);
/* Pages present among @npages from @addr, -1 on failure. */
long vmlab_count_present(pid_t pid, uintptr_t addr, size_t npages);

/* /proc/kpageflags and /proc/kpagecount (include/uapi/linux/kernel-page-flags.h) */

#define VMLAB_KPF_LOCKED	0
#define VMLAB_KPF_DIRTY		4
#define VMLAB_KPF_LRU		5
#define VMLAB_KPF_SLAB		7
#define VMLAB_KPF_BUDDY		10
#define VMLAB_KPF_MMAP		11
#define VMLAB_KPF_ANON		12
#define VMLAB_KPF_COMPOUND_HEAD	15
#define VMLAB_KPF_COMPOUND_TAIL	16
#define VMLAB_KPF_HUGE		17
#define VMLAB_KPF_NOPAGE	20
#define VMLAB_KPF_KSM		21
#define VMLAB_KPF_THP		22
#define VMLAB_KPF_ZERO_PAGE	24

int vmlab_kpageflags(uint64_t pfn, uint64_t *flags);
int vmlab_kpagecount(uint64_t pfn, uint64_t *count);
static inline bool vmlab_kpf(uint64_t flags, int bit)
{
	return (flags >> bit) & 1;
}
/* "mmap,anon,lru" for the known bits set in @flags, into buf. */
char *vmlab_kpf_str(uint64_t flags, char *buf, size_t len);

/* /proc/PID/maps */

struct vmlab_vma {
	uintptr_t start, end;
	char perms[5];		/* "rw-p" */
	uint64_t offset;	/* in the file, bytes */
	unsigned int dev_major, dev_minor;
	uint64_t inode;
	char path[256];		/* file, or [heap], [stack]...; "" for anonymous */
};
/* All VMAs of @pid, in address order, malloc()ed into *out. */
int vmlab_maps_read(pid_t pid, struct vmlab_vma **out, size_t *n);
/* The VMA of @pid that holds @addr: 0, or -1 (errno ENOENT if none). */
int vmlab_maps_find(pid_t pid, uintptr_t addr, struct vmlab_vma *out);
/* The /proc/PID/maps line of that VMA, without its newline. */
int vmlab_maps_line(pid_t pid, uintptr_t addr, char *buf, size_t len);

/* /proc/PID/smaps: sizes in kB, summed over the VMAs overlapping a range */

struct vmlab_smaps {
	long size, rss, pss, shared_clean, shared_dirty, private_clean,
	     private_dirty, anonymous, swap;
	int vmas;		/* VMAs summed */
};
int vmlab_smaps(pid_t pid, uintptr_t addr, size_t len, struct vmlab_smaps *out);

/* Faults and memory */

long vmlab_minflt(void);		/* getrusage(RUSAGE_SELF) */
long vmlab_minflt_pid(pid_t pid);	/* /proc/PID/stat */
long vmlab_meminfo_kb(const char *field);	/* /proc/meminfo "MemFree" ... */
/*
 * MemFree plus the free pages parked in the per-CPU lists
 * (/proc/zoneinfo), which MemFree leaves out: what allocations take from.
 */
long vmlab_free_kb(void);

/* Small things */

size_t vmlab_page_size(void);
/* Parse a number: decimal, 0x hex, with an optional K/M/G suffix (x1024). */
int vmlab_parse_size(const char *s, uint64_t *out);
/* Parse an address: hex with or without 0x. */
int vmlab_parse_addr(const char *s, uintptr_t *out);
/* Short public name of a frame id: its top 32 bits, in hex. */
static inline unsigned int vmlab_frame_short(uint64_t frame_id)
{
	return (unsigned int)(frame_id >> 32);
}

#endif /* LIBVMLAB_H */
