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
 *   tracefs                    where vmlab's trace events are; kprobe hit counts
 *   cgroup v2                  memory cgroups: charging, memory.max
 *   sysfs, cgroupfs, tracefs   their small files (one number, one line)
 *
 * Built as libvmlab.a, which the vmlab command (userspace/) and every
 * selftest (selftests/) link, from device.c (/dev/vmlab: open, counters,
 * reset, inspect), kernel-views.c (the /proc files above), tracefs.c,
 * cgroup.c, knobs.c (small files), process.c (children), swap.c (a swap
 * area for a while) and units.c (page size, sizes, addresses).
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

/*
 * VMLAB_IOC_STATS.  *st is filled with 0xa5 bytes first, so that a field
 * the kernel did not write (reserved[] must come back 0) shows.
 */
int vmlab_get_stats(int fd, struct vmlab_stats *st);
/*
 * VMLAB_IOC_RESET; *pages_freed (may be NULL) gets what it freed (the
 * request starts with ~0 there, so that a kernel that wrote nothing shows).
 */
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
#define VMLAB_KPF_HWPOISON	19
#define VMLAB_KPF_NOPAGE	20
#define VMLAB_KPF_KSM		21
#define VMLAB_KPF_THP		22
#define VMLAB_KPF_ZERO_PAGE	24

int vmlab_kpageflags(uint64_t pfn, uint64_t *flags);
int vmlab_kpagecount(uint64_t pfn, uint64_t *count);
/* Is @bit set in @flags?  Never for ~0, which stands for "unreadable". */
static inline bool vmlab_kpf(uint64_t flags, int bit)
{
	return flags != ~0ULL && (flags >> bit) & 1;
}
/* "mmap,anon,lru" for the known bits set in @flags, into buf. */
char *vmlab_kpf_str(uint64_t flags, char *buf, size_t len);
/*
 * The kernel's zero page's PFN, as a private anonymous page never written
 * maps it (pagemap), checked against kpageflags' ZERO_PAGE bit; 0 when not
 * found (PFNs are root's).  Remembered after the first success.
 */
uint64_t vmlab_zero_pfn(void);

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
/* How many /proc/PID/maps lines contain @needle, -1 on failure. */
int vmlab_maps_count(pid_t pid, const char *needle);

/* /proc/PID/smaps: sizes in kB, summed over the VMAs overlapping a range */

struct vmlab_smaps {
	long size, rss, pss, shared_clean, shared_dirty, private_clean,
	     private_dirty, anonymous, swap, file_pmd_mapped;
	int vmas;		/* VMAs summed */
};
int vmlab_smaps(pid_t pid, uintptr_t addr, size_t len, struct vmlab_smaps *out);
/*
 * One field ("Rss", "FilePmdMapped"...) in kB of the VMA of @pid that holds
 * @addr; -1 when there is no such VMA or it has no such field.
 */
long vmlab_smaps_kb(pid_t pid, uintptr_t addr, const char *field);

/* Faults and memory */

long vmlab_minflt(void);		/* getrusage(RUSAGE_SELF) */
long vmlab_minflt_pid(pid_t pid);	/* /proc/PID/stat */
long vmlab_meminfo_kb(const char *field);	/* /proc/meminfo "MemFree" ... */
/*
 * MemFree plus the free pages parked in the per-CPU lists
 * (/proc/zoneinfo), which MemFree leaves out: what allocations take from.
 * -1 when either file cannot be read: MemFree alone is another quantity,
 * off by what the per-CPU lists hold, and a caller comparing two readings
 * must not be handed it silently.
 */
long vmlab_free_kb(void);
/*
 * The KASAN shadow mapped now (kB), from the kernel's page tables in
 * debugfs (page_tables/kernel, CONFIG_PTDUMP_DEBUGFS, root): what grows
 * there at run time is the shadow of vmalloc areas (kernel stacks,
 * modules, vmalloc()) under CONFIG_KASAN_VMALLOC.  -1 when the kernel
 * does not show it (no KASAN, no such file).
 */
long vmlab_kasan_shadow_kb(void);

/* tracefs */

/*
 * Where tracefs is mounted with vmlab's events in it (events/vmlab):
 * /sys/kernel/tracing or /sys/kernel/debug/tracing; NULL if neither.
 */
const char *vmlab_tracefs(void);

/*
 * Kprobes that count the calls of a kernel function (root's; a kernel
 * with CONFIG_KPROBE_EVENTS).  @probe is "GROUP/EVENT", @symbol the
 * function.  Arm one before the code it patches runs in the test: under
 * QEMU's multi-threaded TCG, patching code another vCPU runs can Oops.
 */
#define VMLAB_KPROBE_TRACEFS	"/sys/kernel/tracing"
/* Add and enable the probe (removing a leftover first): 0, or -1 with errno. */
int vmlab_kprobe_on(const char *probe, const char *symbol);
/* Disable and remove it (quietly, if it is not there). */
void vmlab_kprobe_off(const char *probe);
/* Its hits so far (tracefs kprobe_profile), or -1. */
long vmlab_kprobe_hits(const char *probe);

/* A swap area for a while (root only) */

/*
 * A loop device over a memfd of @mb MiB, formatted as mkswap would and
 * enabled with swapon(); needs the loop driver (modprobe loop; the test
 * guests load it at boot).  vmlab_swap_on() returns 0, or -1 with why[]
 * saying what failed (and nothing left behind); vmlab_swap_off() undoes
 * what is done, and may be called again.
 */
struct vmlab_swap {
	char dev[32];		/* /dev/loopN */
	int loop_fd, mem_fd;
	bool on;
	char why[160];
};
int vmlab_swap_on(struct vmlab_swap *s, size_t mb);
void vmlab_swap_off(struct vmlab_swap *s);

/* Small kernel files (sysfs, cgroupfs, tracefs) */

/* The number the file at @path holds (strtol, base 0), or -1. */
long vmlab_read_long(const char *path);
/* Write @s to the file at @path as the shell's > does (O_TRUNC): 0 or -1. */
int vmlab_write_str(const char *path, const char *s);
/* The same as >> does (O_APPEND): tracefs's kprobe_events keeps the
 * probes already there. */
int vmlab_append_str(const char *path, const char *s);
/* The value of "@key N" in a flat-keyed file such as memory.events, or -1. */
long vmlab_read_key(const char *path, const char *key);

/* Memory cgroups (cgroup v2) */

/* A memory cgroup of our own, below the root of the cgroup2 hierarchy. */
struct vmlab_cgroup {
	char root[256];
	char dir[300];		/* the group we made, "" when none */
	bool mounted;		/* root is a cgroup2 we mounted */
};
/*
 * Find the cgroup2 hierarchy (or mount one on a directory of /tmp) and
 * enable the memory controller for the root's children; 0, or -1 with
 * why[] saying what failed (errno kept).
 */
int vmlab_cgroup_open(struct vmlab_cgroup *cg, char *why, size_t len);
/* Make the group NAME-PID; memory.max = @max (and no swap) unless 0. */
int vmlab_cgroup_make(struct vmlab_cgroup *cg, const char *name, unsigned long max);
/* Remove the group (0 or -1); a no-op when there is none. */
int vmlab_cgroup_remove(struct vmlab_cgroup *cg);
/* Remove the group and unmount what vmlab_cgroup_open() mounted. */
void vmlab_cgroup_close(struct vmlab_cgroup *cg);
/* The number in the group @dir's @file ("memory.current"), or -1. */
long vmlab_cgroup_long(const char *dir, const char *file);
/* The value of @key in the group @dir's flat-keyed @file, or -1. */
long vmlab_cgroup_key(const char *dir, const char *file, const char *key);
/* Move the calling process into the group @dir. */
int vmlab_cgroup_join(const char *dir);

/* Children */

/* fork() with stdio flushed first, so that nothing buffered is written twice. */
pid_t vmlab_fork(void);
/* In a forked child: no core file, default SIGSEGV and SIGBUS. */
void vmlab_child_quiet(void);
/* Wait for @pid: its exit status, 128 + N if signal N killed it, or -1. */
int vmlab_wait(pid_t pid);
/*
 * Touch @addr in a forked child: read it, or write @v there when @write.
 * 0 when the access completed, the signal that killed the child (SIGSEGV,
 * SIGBUS), or -1.
 */
int vmlab_probe(volatile void *addr, bool write, char v);

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
