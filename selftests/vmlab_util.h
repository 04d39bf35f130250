/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The vmlab selftests' harness glue: preflight and fixtures, fault
 * catching, sync pipes, running a child, a swap device and test data.
 * The device and the kernel's views of memory (pagemap, kpageflags,
 * kpagecount, maps, smaps, meminfo, tracefs, cgroups, sysfs files) are
 * libvmlab's (userspace/lib/libvmlab.h), which every test program links;
 * the few static inlines below only give its calls the shape the tests
 * use (an address in this process, one value returned).
 *
 * vmlab_util.c does not include kselftest_harness.h (the harness defines
 * non-static symbols and may be included by one translation unit only);
 * the VL_* macros at the end expand in the test programs, where the
 * harness's ASSERT_*() and SKIP() are available.
 */
#ifndef VMLAB_UTIL_H
#define VMLAB_UTIL_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>

#include <linux/vmlab.h>
#include "libvmlab.h"

/* What older C libraries' <sys/mman.h> lack */
#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ	22
#define MADV_POPULATE_WRITE	23
#endif
#ifndef MADV_COLD
#define MADV_COLD		20
#define MADV_PAGEOUT		21
#endif
#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP	4
#endif

#define VL_KiB			1024UL
#define VL_MiB			(1024UL * 1024UL)

/* Exit codes a child uses for "killed by signal N" in vl_wait(). */
#define VL_SIGNALED(st)		((st) >= 128 && (st) < 128 + 65)
#define VL_SIG(st)		((st) - 128)

/* Skipping, privileges */
bool vl_allow_skip(void);
/*
 * Become uid and gid VL_NOBODY with no supplementary groups (and so no
 * capabilities).  A process that dropped root is not dumpable, and its
 * /proc files are root's: with dumpable, make it dumpable again, so that
 * its pagemap can be read by its own user.  0, or -1 with errno.
 */
#define VL_NOBODY		65534
int vl_become_nobody(bool dumpable);

/* /dev/vmlab's mode, changed by a test and put back by its teardown. */
struct vl_devmode {
	mode_t mode;	/* before the test */
	bool changed;
};

/* Remember the device's mode: 0, or -1 with errno. */
int vl_devmode_save(struct vl_devmode *d);
/* Let anyone read and write the device, as dev_mode=0666 would: 0 or -1. */
int vl_devmode_open_to_all(struct vl_devmode *d);
/* Put the mode back, if it was changed. */
void vl_devmode_restore(struct vl_devmode *d);
/* VMLAB_IOC_INSPECT of the page at addr in this process (*pi zeroed first). */
static inline int vl_inspect_one(int fd, const void *addr,
				 struct vmlab_page_info *pi)
{
	uintptr_t a = (uintptr_t)addr & ~(uintptr_t)(vmlab_page_size() - 1);

	memset(pi, 0, sizeof(*pi));
	return vmlab_inspect(fd, 0, a, 1, pi, NULL);
}

/* Print every counter that differs between two readings (stderr). */
void vl_stats_log(const char *tag, const struct vmlab_stats *a,
		  const struct vmlab_stats *b);
#define VL_D(a, b, field)	((int64_t)((b).field - (a).field))

/*
 * Called first by every test program's main(): runs the program's helper
 * mode when argv[1] is "--vmlab-helper", and otherwise checks that the
 * device exists and that we are root; prints a TAP bail-out (or, with
 * VMLAB_ALLOW_SKIP set, a TAP skip) and exits when not.
 */
void vl_preflight(int argc, char **argv);

/*
 * pagemap of this process (or of pid): the raw entry, 0 when it cannot be
 * read; and its bits.
 */
static inline uint64_t vl_pagemap(const void *addr)
{
	return vmlab_pagemap1(0, (uintptr_t)addr).raw;
}

static inline uint64_t vl_pagemap_pid(pid_t pid, const void *addr)
{
	return pid ? vmlab_pagemap1(pid, (uintptr_t)addr).raw : 0;
}

static inline int vl_pagemap_range(const void *addr, size_t npages,
				   uint64_t *out)
{
	return vmlab_pagemap(0, (uintptr_t)addr, npages, out);
}

/* Pages present among npages from addr, (size_t)-1 on failure. */
static inline size_t vl_count_present(const void *addr, size_t npages)
{
	return (size_t)vmlab_count_present(0, (uintptr_t)addr, npages);
}

static inline uint64_t pm_pfn(uint64_t e) { return e & VMLAB_PM_PFN_MASK; }
static inline bool pm_present(uint64_t e) { return e & VMLAB_PM_PRESENT; }
static inline bool pm_file(uint64_t e) { return e & VMLAB_PM_FILE; }
static inline bool pm_exclusive(uint64_t e) { return e & VMLAB_PM_EXCLUSIVE; }
/* PFN mapped at addr in this process, 0 when nothing is mapped there. */
static inline uint64_t vl_pfn(const void *addr)
{
	return vmlab_pagemap1(0, (uintptr_t)addr).pfn;
}

/* /proc/kpageflags and /proc/kpagecount for a PFN; ~0 / -1 on error */
static inline uint64_t vl_kpageflags(uint64_t pfn)
{
	uint64_t flags;

	return vmlab_kpageflags(pfn, &flags) ? ~0ULL : flags;
}

static inline int64_t vl_kpagecount(uint64_t pfn)
{
	uint64_t count;

	return vmlab_kpagecount(pfn, &count) ? -1 : (int64_t)count;
}

/* smaps field (e.g. "Rss", "Pss") in kB of the VMA holding addr; -1 if none */
static inline long vl_smaps_kb(const void *addr, const char *field)
{
	return vmlab_smaps_kb(0, (uintptr_t)addr, field);
}

/* The /proc/self/maps line of the VMA holding addr; 0 if found. */
static inline int vl_maps_line(const void *addr, char *buf, size_t len)
{
	return vmlab_maps_line(0, (uintptr_t)addr, buf, len);
}

/*
 * Children.  vl_wait() returns the exit code, or 128 + N when the child was
 * killed by signal N.  vl_run_child() forks, runs fn(arg) in the child and
 * exits with its return value.  vl_probe() touches addr (reads, or writes
 * when write) in a forked child and returns 0 when the access completed or
 * the signal that killed the child (-1 on other failures).
 */
static inline int vl_wait(pid_t pid)
{
	return vmlab_wait(pid);
}

/*
 * CK(cond, fmt, ...): a check in a child run by vl_run_child(): on failure
 * say what and return the line number (1 to 100) as the exit code.
 */
#define CK(cond, ...) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "# line %d: %s: ", __LINE__, #cond);	\
		fprintf(stderr, __VA_ARGS__);				\
		fprintf(stderr, "\n");					\
		return __LINE__ % 100 + 1;				\
	}								\
} while (0)

/*
 * vl_spawn() starts argv (argv[0] a full path) in a process group of its
 * own, with stdin /dev/null and stdout and stderr to the file out; as uid
 * when uid is not 0 (groups dropped), in directory dir when dir is not
 * NULL.  Returns its pid, or -1.  A child that cannot get there exits 126,
 * one that cannot exec 127, saying why in out.
 */
pid_t vl_spawn(char *const argv[], const char *out, uid_t uid, const char *dir);
/*
 * Wait for the child @pid, which leads its own process group (vl_spawn()),
 * looking every @nap_ms milliseconds: as vl_wait(), or -2 when @secs
 * passed first (its group is killed and it is reaped then).
 */
int vl_wait_for(pid_t pid, time_t secs, long nap_ms);

/* Outside tools (perf, trace-cmd, trinity, fio...) */

/* Is @tool in PATH?  Then its full path is in @path. */
bool vl_which(const char *tool, char *path, size_t len);
/*
 * Must @tool be there?  The environment variable @var says: "required"
 * (every tool), or a comma-separated list of the tools that must be.
 */
bool vl_required(const char *var, const char *tool);
/* The file at @path, NUL-terminated, in a malloc()ed buffer; NULL on error. */
char *vl_slurp(const char *path);
int vl_run_child(int (*fn)(void *), void *arg);
static inline int vl_probe(volatile void *addr, bool write)
{
	return vmlab_probe(addr, write, 0x5a);
}
/* No core dumps, default signal actions (the library's). */
static inline void vl_child_quiet(void)
{
	vmlab_child_quiet();
}

/*
 * Deliberate faults in this process.  vl_access() loads the 8 bytes at p
 * into *out, or stores v there when write, and returns 0, or the signal
 * (SIGSEGV, SIGBUS) the access got.  It needs a handler for SIGSEGV and
 * SIGBUS, installed with vl_catch_faults(), that calls vl_access_fault()
 * first: during a vl_access() of the thread that faulted, that jumps back
 * into it; otherwise it returns, and the handler deals with a signal that
 * nobody expected.
 */
int vl_access(volatile uint64_t *p, bool write, uint64_t v, uint64_t *out);
void vl_access_fault(int sig);
void vl_catch_faults(void (*handler)(int sig, siginfo_t *si, void *uc));

/* The seed in the environment variable env (strtoull), or a random one. */
uint64_t vl_seed(const char *env);

/*
 * Re-execute /proc/self/exe --vmlab-helper ARGS... (NULL terminated) with
 * stdout captured into out (NUL terminated); returns as vl_wait().
 */
int vl_run_self(char *out, size_t outlen, const char *arg, ...);

/*
 * Pipes for parent/child lock-step: post one byte, wait for one byte.
 * After fork() the parent calls vl_sync_parent() and the child
 * vl_sync_child() to close the ends they do not use, so that either side
 * dying (an ASSERT in the parent) shows as end-of-file to the other
 * instead of a hang.
 */
struct vl_sync {
	int to_child[2];
	int to_parent[2];
};
int vl_sync_init(struct vl_sync *s);
void vl_sync_parent(struct vl_sync *s);
void vl_sync_child(struct vl_sync *s);
void vl_sync_close(struct vl_sync *s);
int vl_post(int fd);
int vl_wait_byte(int fd);
/*
 * vl_sync_init(), fork() (stdio flushed first) and each side's
 * vl_sync_parent() or vl_sync_child(): fork()'s value, or -1 with errno.
 */
pid_t vl_sync_fork(struct vl_sync *s);
/* In the child: tell the parent (to_parent), then wait for its byte. */
int vl_sync_step(struct vl_sync *s);

/* Data */

void vl_fill(void *buf, size_t len, uint32_t seed);
bool vl_check(const void *buf, size_t len, uint32_t seed);
bool vl_is_zero(const void *buf, size_t len);
void vl_touch_read(const void *addr, size_t len);
void vl_touch_write(void *addr, size_t len, char val);

/*
 * Used in FIXTURE_SETUP(): open the device (failing clearly when it is
 * missing unless VMLAB_ALLOW_SKIP is set), reset the object and check that
 * it then holds nothing.
 */
#define VL_SETUP_DEVICE(fd, st) do {					\
	uint64_t __freed;						\
	fd = vmlab_open(O_RDWR);					\
	if (fd < 0 && vl_allow_skip())					\
		SKIP(return, "cannot open " VMLAB_DEVICE ": %s",	\
		     strerror(errno));					\
	ASSERT_LE(0, fd) TH_LOG("cannot open " VMLAB_DEVICE ": %s "	\
				"(is vmlab.ko loaded?)", strerror(errno)); \
	ASSERT_EQ(0, vmlab_reset(fd, &__freed)) TH_LOG("reset: %s",	\
						  strerror(errno));	\
	ASSERT_EQ(0, vmlab_get_stats(fd, &(st)));			\
	ASSERT_EQ(0, (st).pages_resident);				\
	ASSERT_EQ(0, (st).pages_dirty);					\
	ASSERT_NE(0, (st).size);					\
	ASSERT_EQ(0, (st).size % vmlab_page_size());			\
} while (0)

/*
 * The fixture of the tests of unprivileged use (vmlab_hostile,
 * vmlab_privacy): the device open, reset and empty, its mode remembered so
 * that a test may open it to all (vl_devmode_open_to_all(&d.dm)) and the
 * teardown (vl_unpriv_teardown()) puts the mode back and resets the object.
 */
struct vl_unpriv {
	int fd;
	size_t ps;
	struct vmlab_stats st;
	struct vl_devmode dm;	/* /dev/vmlab's mode before the test */
};
#define VL_SETUP_UNPRIV(d) do {						\
	(d).ps = vmlab_page_size();					\
	(d).dm.changed = false;						\
	VL_SETUP_DEVICE((d).fd, (d).st);				\
	ASSERT_EQ(0, vl_devmode_save(&(d).dm));				\
} while (0)
void vl_unpriv_teardown(struct vl_unpriv *d);

/*
 * The kernel's fault-around (the neighbours a read fault of a file
 * mapping maps at once, 16 pages by default): its size in bytes in
 * debugfs, fault_around_bytes.  vl_fault_around() sets it (the page size:
 * off, one fault per page) and returns what it was, or -1 with errno when
 * it cannot (debugfs missing, not root).  It is the kernel's, for every
 * file: a test that turns it off puts it back in its teardown.
 */
long vl_fault_around(long bytes);
void vl_fault_around_restore(long saved);
/* In FIXTURE_SETUP(): fault-around off, the old size kept in @saved. */
#define VL_SETUP_NO_FAULT_AROUND(saved) do {					(saved) = vl_fault_around((long)vmlab_page_size());			if ((saved) < 0)								SKIP(return, "cannot turn the kernel's fault-around off " 		     "(debugfs fault_around_bytes): %s", strerror(errno)); } while (0)

/*
 * The kernel's transparent huge page switch,
 * /sys/kernel/mm/transparent_hugepage/enabled.  vl_thp_mode() reads it:
 * VL_THP_NEVER, VL_THP_MADVISE or VL_THP_ALWAYS, or -1 with errno when it
 * cannot (ENOENT: a kernel without CONFIG_TRANSPARENT_HUGEPAGE).
 * vl_thp_set() sets it and returns what it was, or -1 with errno (not
 * root).  It is the kernel's, for every process: a test that sets it puts
 * it back in its teardown.
 */
enum { VL_THP_NEVER, VL_THP_MADVISE, VL_THP_ALWAYS, VL_THP_INHERIT };
int vl_thp_mode(void);
int vl_thp_set(int mode);
void vl_thp_restore(int saved);
/*
 * The same for the PMD size's own switch (6.8 on),
 * /sys/kernel/mm/transparent_hugepage/hugepages-2048kB/enabled, which
 * may also say VL_THP_INHERIT (the global switch decides, the default):
 * ENOENT from vl_thp_pmd_set() on a kernel before 6.8.
 */
int vl_thp_pmd_set(int mode);
void vl_thp_pmd_restore(int saved);
/*
 * In FIXTURE_SETUP(), last (a setup that skips has no teardown): the
 * switch set to @mode, the old one kept in @saved.
 */
#define VL_SETUP_THP(saved, mode) do {					\
	(saved) = vl_thp_set(mode);					\
	if ((saved) < 0)						\
		SKIP(return, "cannot set the kernel's THP switch "	\
		     "(/sys/kernel/mm/transparent_hugepage/enabled): %s%s", \
		     strerror(errno), errno == ENOENT ? ": this kernel "	\
		     "has no transparent huge pages (no "		\
		     "CONFIG_TRANSPARENT_HUGEPAGE)" : "");		\
} while (0)

/*
 * Used in FIXTURE_SETUP() after VL_SETUP_DEVICE(): skip, saying why, when
 * the object (size or mem_limit) is smaller than the scenarios need.
 */
#define VL_NEED_PAGES(st, n) do {					\
	size_t __n = (n);						\
	if ((st).size < __n * vmlab_page_size() ||			\
	    (st).mem_limit < __n * vmlab_page_size())			\
		SKIP(return, "these scenarios need an object of at least " \
		     "%zu KiB and a mem_limit as large (size %llu KiB, "	\
		     "mem_limit %llu KiB)", __n * vmlab_page_size() / 1024, \
		     (unsigned long long)(st).size / 1024,		\
		     (unsigned long long)(st).mem_limit / 1024);	\
} while (0)

/* A main() that runs the helper mode or the harness (see vl_preflight). */
int vl_helper_main(int argc, char **argv);
#define VL_TEST_MAIN							\
	int main(int argc, char **argv)					\
	{								\
		if (argc > 1 && !strcmp(argv[1], "--vmlab-helper"))	\
			return vl_helper_main(argc - 2, argv + 2);	\
		/* the tour's exec chapter runs /proc/self/exe __probe */ \
		if (argc > 1 && !strcmp(argv[1], "__probe"))		\
			return vl_helper_main(argc - 1, argv + 1);	\
		vl_preflight(argc, argv);				\
		return test_harness_run(argc, argv);			\
	}

#endif /* VMLAB_UTIL_H */
