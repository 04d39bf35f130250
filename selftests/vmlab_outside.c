// SPDX-License-Identifier: GPL-2.0
/*
 * vmlab_outside: /dev/vmlab under tools nobody here wrote, Debian's
 *
 *	trinity		the system call fuzzer, as an unprivileged user, with
 *			/dev/vmlab as its only victim file and only the
 *			calls that reach the device: mmap, munmap, mremap,
 *			mprotect, madvise, msync, ioctl, read, write,
 *			pread64, pwrite64, lseek, fsync; no sockets nor any
 *			other kind of file descriptor;
 *	stress-ng	its device stressor (--dev-file /dev/vmlab);
 *	fio		its mmap engine, in verify jobs (random writes, mixed
 *			random reads and writes, writes with msync), each
 *			block checked with crc32c.
 *
 * Each tool is one test, which fails when the tool reports an error (fio's
 * verification, a stress-ng failure, trinity's own failure, such as a
 * kernel that became tainted) or when, after it, the device is not as it
 * should be:
 *
 *	no process of the tool is left, and no process maps /dev/vmlab
 *	(/proc/PID/maps) while the module's counters say no VMA is live
 *	(vmas_live 0, as many VMAs closed as opened over the run);
 *	pages_resident is pages_allocated - pages_freed;
 *	the object still works: a pattern written with pwrite() reads back
 *	with pread() and through a shared mapping, whose page pagemap shows
 *	present;
 *	a reset frees every page, and the free memory (MemFree plus the
 *	per-CPU lists) is back within a few MiB of before the tool;
 *	the kernel log holds no new report (BUG, WARNING, ...).
 *
 * trinity picks its victim's open flags at random (O_PATH sometimes, a mode
 * that cannot map): the test counts the VMAs the module opened during the
 * run (VMLAB_IOC_STATS vma_opens) and runs trinity again, with the next
 * seed, while it mapped nothing (three runs at most).  Its seed is printed
 * ("# trinity seed N"); VMLAB_TRINITY_SEED=N replays it, and
 * VMLAB_TRINITY_CALLS sets the number of calls: by default 20000 (13 s on
 * Debian's 6.12 under TCG), and 50000 on a kernel with kmemleak, the debug
 * kernel (`make check-debug`), where they took 729 s (its runner gives
 * this program 1800 s); `make outside` runs 200000, with the time limits
 * to match.  /dev/vmlab is made 0666 for trinity's run
 * and given its mode back after.  On a
 * kernel with kmemleak the growth of the slab is not counted as lost
 * memory (KASAN's quarantine holds freed objects of reclaimable and
 * unreclaimable caches alike; guest-init.sh, after rmmod, leaves out
 * unreclaimable slab only), nor that of the
 * stack depot (the stack traces KASAN and kmemleak keep), nor that of the
 * KASAN shadow of vmalloc areas (vmlab_kasan_shadow_kb(): it grows with
 * the kernel stacks of trinity's forks); each run prints how
 * /proc/meminfo's main kernel fields changed.
 *
 * A tool that is not installed (not in PATH) is a SKIP, unless the
 * environment requires it: VMLAB_OUTSIDE names the tools the runner put in
 * the guest ("trinity,stress-ng,fio", or "required" for all), which then
 * must be there.  Nothing else may use /dev/vmlab meanwhile.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/klog.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "vmlab_util.h"

#define OT_TOOL_SECS	900	/* one run of a tool, at most (debug kernel) */
/* One test, trinity up to three runs: the guest's vmlab.timeout is the real limit. */
#define OT_TEST_SECS	14400
#define OT_STRESS_SECS	20	/* stress-ng's run */
#define OT_FIO_MB	16	/* each fio job's size: under mem_limit */
#define OT_LOST_KB	(8 * 1024)	/* free memory a tool may keep */
#define OT_OUT		"/tmp/vmlab_outside.out"

/* Kernel reports, as guest-init.sh and check.sh look for them. */
static const char *const ot_reports[] = {
	"BUG:", "WARNING:", "INFO: ", "Oops", "kernel BUG at",
	"general protection", "Call Trace", "lockdep is turned off",
	"locking correctness validator", "possible circular locking", "KASAN",
	"UBSAN", "Bad page", "list_add corruption", "list_del corruption",
	"soft lockup", "hung_task", "refcount_t",
};

/* The number of kernel reports in the kernel log now; -1 if unreadable. */
static long ot_log_reports(void)
{
	int len = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
	char *buf, *line, *save = NULL;
	long n = 0;
	size_t i;

	if (len <= 0)
		return -1;
	buf = calloc(1, len + 1);
	if (!buf)
		return -1;
	len = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, len);
	if (len < 0) {
		free(buf);
		return -1;
	}
	buf[len] = 0;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		for (i = 0; i < sizeof(ot_reports) / sizeof(ot_reports[0]); i++)
			if (strstr(line, ot_reports[i])) {
				n++;
				break;
			}
	free(buf);
	return n;
}

/*
 * Print the file, each line as a diagnostic, the last max lines only, and
 * of those only the lines that hold one of the words of only (when set).
 */
static void ot_show(const char *path, int max, const char *const *only)
{
	char line[512];
	long total = 0, i = 0;
	const char *const *w;
	FILE *f = fopen(path, "r");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		total++;
	rewind(f);
	while (fgets(line, sizeof(line), f)) {
		if (i++ < total - max)
			continue;
		for (w = only; w && *w && !strstr(line, *w); w++)
			;
		if (w && !*w)
			continue;
		line[strcspn(line, "\n")] = 0;
		printf("#   %s\n", line);
	}
	fclose(f);
}

/*
 * For each process, call fn with its pid (as text) and its /proc/PID/file
 * open; returns how many calls returned true, or -1.
 */
static int ot_each_process(const char *file,
			   bool (*fn)(const char *pid, FILE *f))
{
	char path[64];
	struct dirent *d;
	int n = 0;
	DIR *dir = opendir("/proc");

	if (!dir)
		return -1;
	while ((d = readdir(dir))) {
		FILE *f;

		if (d->d_name[0] < '0' || d->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%.20s/%s", d->d_name, file);
		f = fopen(path, "r");
		if (!f)
			continue;
		n += fn(d->d_name, f);
		fclose(f);
	}
	closedir(dir);
	return n;
}

/* Does it map /dev/vmlab?  Say so. */
static bool ot_maps_device(const char *pid, FILE *maps)
{
	char line[512];

	while (fgets(line, sizeof(line), maps))
		if (strstr(line, VMLAB_DEVICE)) {
			printf("# pid %s still maps %s: %s", pid, VMLAB_DEVICE,
			       line);
			return true;
		}
	return false;
}

/* The processes that still map /dev/vmlab (/proc/PID/maps). */
static int ot_mappers(void)
{
	return ot_each_process("maps", ot_maps_device);
}

/* Is it our child?  Kill it. */
static bool ot_kill_child(const char *pid, FILE *stat)
{
	char buf[512], *p;
	int ppid;

	p = fgets(buf, sizeof(buf), stat) ? strrchr(buf, ')') : NULL;
	if (!p || sscanf(p, ") %*c %d", &ppid) != 1 || ppid != getpid())
		return false;
	printf("# left behind: %s", buf);
	kill(atoi(pid), SIGKILL);
	return true;
}

/* Our children (orphans of the tool come to us, the subreaper); kill them. */
static int ot_kill_children(void)
{
	return ot_each_process("stat", ot_kill_child);
}

static unsigned long ot_trinity_calls(void);

/* A tool's time limit: OT_TOOL_SECS, longer for a long trinity run. */
static time_t ot_tool_secs(void)
{
	unsigned long secs = ot_trinity_calls() / 20;

	return secs > OT_TOOL_SECS ? (time_t)secs : OT_TOOL_SECS;
}

/*
 * Run argv (argv[0] a full path) in its own process group, as uid if not
 * 0, in directory dir, with stdin /dev/null and stdout and stderr to
 * OT_OUT; returns as vl_wait(), or -2 when it took longer than
 * ot_tool_secs() and was killed.  *left is the number of its processes
 * still there once it exited (waited for 10 s, then killed).
 */
static int ot_exec(char *const argv[], uid_t uid, const char *dir, int *left)
{
	struct timespec nap = { 0, 50 * 1000 * 1000 }, t0, t1;
	time_t deadline;
	int i, ret;
	pid_t pid, r;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	printf("# run:");
	for (i = 0; argv[i]; i++)
		printf(" %s", argv[i]);
	printf("%s\n", uid ? " (as uid 65534)" : "");
	/* The tool's orphans come to this process, which reaps them. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	pid = vl_spawn(argv, OT_OUT, uid, dir);
	if (pid < 0)
		return -1;
	ret = vl_wait_for(pid, ot_tool_secs(), 50);
	/* Its other processes: wait for them to exit, then kill them. */
	*left = 0;
	deadline = time(NULL) + 10;
	while ((r = waitpid(-1, NULL, WNOHANG)) >= 0) {
		if (r > 0)
			continue;
		if (time(NULL) > deadline) {
			*left = ot_kill_children();
			while (waitpid(-1, NULL, 0) > 0)
				;
			break;
		}
		nanosleep(&nap, NULL);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("# %s: %.1f s\n", argv[0],
	       t1.tv_sec - t0.tv_sec + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	return ret;
}

/* Where memory went: /proc/meminfo fields whose changes a run prints. */
static const char *const ot_mem_fields[] = {
	"SUnreclaim", "SReclaimable", "KernelStack", "PageTables",
	"VmallocUsed", "Percpu", "Shmem", "Cached",
};
#define OT_NMEM	(sizeof(ot_mem_fields) / sizeof(ot_mem_fields[0]))

/*
 * The stack depot keeps the stack traces that KASAN, kmemleak and
 * page_owner record, in pools of 4 pages (lib/stackdepot.c,
 * DEPOT_POOL_ORDER 2) that are never freed; debugfs counts them.
 */
#define OT_DEPOT_STATS		"/sys/kernel/debug/stackdepot/stats"
#define OT_DEPOT_POOL_KB	16

/* The stack depot's pools now, or -1 if the kernel does not say. */
static long ot_depot_pools(void)
{
	return vmlab_read_key(OT_DEPOT_STATS, "pools:");
}

/* Print how each field of ot_mem_fields changed since mem0. */
static void ot_mem_changes(const char *tool, const long *mem0)
{
	size_t i;

	printf("# %s: /proc/meminfo changes:", tool);
	for (i = 0; i < OT_NMEM; i++)
		printf(" %s %+ld kB%s", ot_mem_fields[i],
		       vmlab_meminfo_kb(ot_mem_fields[i]) - mem0[i],
		       i + 1 < OT_NMEM ? "," : "\n");
}

FIXTURE(outside) {
	int fd;
	struct vmlab_stats st0;	/* after the setup's reset */
	long free0;		/* vmlab_free_kb() then */
	long slab0;		/* Slab then (kB) */
	long depot0;		/* stack depot pools then, or -1 */
	long shadow0;		/* KASAN shadow mapped then (kB), or -1 */
	long mem0[OT_NMEM];	/* ot_mem_fields of /proc/meminfo then */
	long reports0;		/* kernel reports then */
	struct vl_devmode dm;	/* /dev/vmlab's mode before the test */
	char tool[PATH_MAX];
};

static void ot_drop_caches(void)
{
	int fd;

	sync();
	fd = open("/proc/sys/vm/drop_caches", O_WRONLY);
	if (fd >= 0) {
		if (write(fd, "3", 1) != 1)
			perror("drop_caches");
		close(fd);
	}
}

FIXTURE_SETUP(outside)
{
	self->dm.changed = false;
	VL_SETUP_DEVICE(self->fd, self->st0);
	ASSERT_EQ(0, self->st0.vmas_live);
	ASSERT_EQ(0, vl_devmode_save(&self->dm));
	ot_drop_caches();
	self->free0 = vmlab_free_kb();
	ASSERT_LT(0, self->free0);
	self->slab0 = vmlab_meminfo_kb("Slab");
	self->depot0 = ot_depot_pools();
	self->shadow0 = vmlab_kasan_shadow_kb();
	for (size_t i = 0; i < OT_NMEM; i++)
		self->mem0[i] = vmlab_meminfo_kb(ot_mem_fields[i]);
	self->reports0 = ot_log_reports();
	ASSERT_LE(0, self->reports0) TH_LOG("cannot read the kernel log: %s",
					    strerror(errno));
}

FIXTURE_TEARDOWN(outside)
{
	vl_devmode_restore(&self->dm);
	if (self->fd >= 0)
		close(self->fd);
	unlink(OT_OUT);
}

/* Find the tool, or skip (or fail, when it is required). */
#define OT_NEED(name) do {						\
	if (!vl_which(name, self->tool, sizeof(self->tool))) {		\
		ASSERT_FALSE(vl_required("VMLAB_OUTSIDE", name))				\
			TH_LOG("%s is not in PATH (%s) but required "	\
			       "(VMLAB_OUTSIDE=%s)", name,		\
			       getenv("PATH") ?: "unset",		\
			       getenv("VMLAB_OUTSIDE"));		\
		SKIP(return, "%s is not installed (not in PATH)", name); \
	}								\
} while (0)

/* The counters' changes over a tool's run, printed. */
static void ot_delta(const char *tool, const struct vmlab_stats *a,
		     const struct vmlab_stats *b)
{
	printf("# %s: %lld VMAs opened, %lld closed; faults: shared %lld read %lld write, private %lld read %lld write; page_mkwrite %lld; pages allocated %lld; sigbus %lld; pages cleaned %lld\n",
	       tool, (long long)VL_D(*a, *b, vma_opens),
	       (long long)VL_D(*a, *b, vma_closes),
	       (long long)VL_D(*a, *b, fault_shared_read),
	       (long long)VL_D(*a, *b, fault_shared_write),
	       (long long)VL_D(*a, *b, fault_private_read),
	       (long long)VL_D(*a, *b, fault_private_write),
	       (long long)VL_D(*a, *b, page_mkwrite),
	       (long long)VL_D(*a, *b, pages_allocated),
	       (long long)VL_D(*a, *b, sigbus),
	       (long long)VL_D(*a, *b, pages_cleaned));
}

/*
 * After a tool: no process left, nothing maps the device and the module
 * agrees, the object still works, its memory comes back with a reset, and
 * the kernel reported nothing.  a is the counters before the tool.
 */
#define OT_AFTER(tool, a, left) do {					\
	struct vmlab_stats __b, __c;					\
	size_t __ps = vmlab_page_size();					\
	char *__buf = malloc(4 * __ps), *__p;				\
	uint64_t __freed;						\
	long __free1, __lost, __slab, __depot, __shadow;		\
	int __i;							\
									\
	ASSERT_EQ(0, left) TH_LOG("%s left %d processes behind", tool, left); \
	ASSERT_EQ(0, ot_mappers()) TH_LOG("processes still map "	\
					  VMLAB_DEVICE " after %s", tool); \
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &__b));				\
	ot_delta(tool, &(a), &__b);					\
	ASSERT_EQ(0, __b.vmas_live);					\
	ASSERT_EQ(VL_D(a, __b, vma_opens), VL_D(a, __b, vma_closes));	\
	ASSERT_EQ(__b.pages_allocated - __b.pages_freed, __b.pages_resident); \
	ASSERT_LE(__b.pages_resident * __ps, __b.mem_limit);		\
	/* The object still works: pwrite, pread, a shared mapping. */	\
	ASSERT_NE(NULL, __buf);						\
	for (__i = 0; __i < 4; __i++) {					\
		off_t __off = (off_t)__i * (__b.size / 4);		\
									\
		vl_fill(__buf, __ps, 0x5eed + __i);			\
		ASSERT_EQ((ssize_t)__ps, pwrite(self->fd, __buf, __ps, __off)) \
			TH_LOG("pwrite at %lld: %s", (long long)__off,	\
			       strerror(errno));			\
		memset(__buf, 0, __ps);					\
		ASSERT_EQ((ssize_t)__ps, pread(self->fd, __buf, __ps, __off)); \
		ASSERT_TRUE(vl_check(__buf, __ps, 0x5eed + __i))	\
			TH_LOG("pread at %lld: not what was written",	\
			       (long long)__off);			\
		__p = mmap(NULL, __ps, PROT_READ, MAP_SHARED, self->fd, __off); \
		ASSERT_NE(MAP_FAILED, __p) TH_LOG("mmap: %s", strerror(errno)); \
		ASSERT_TRUE(vl_check(__p, __ps, 0x5eed + __i));		\
		ASSERT_TRUE(pm_present(vl_pagemap(__p)));		\
		ASSERT_EQ(0, munmap(__p, __ps));			\
	}								\
	free(__buf);							\
	/* Its memory comes back. */					\
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &__b));				\
	ASSERT_EQ(0, vmlab_reset(self->fd, &__freed));			\
	ASSERT_EQ(__b.pages_resident, __freed);				\
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &__c));				\
	ASSERT_EQ(0, __c.pages_resident);				\
	ASSERT_EQ(0, __c.vmas_live);					\
	ot_drop_caches();						\
	__free1 = vmlab_free_kb();						\
	__lost = self->free0 - __free1;					\
	printf("# %s: free memory %ld kB before, %ld kB after the reset\n", \
	       tool, self->free0, __free1);				\
	__slab = vmlab_meminfo_kb("Slab") - self->slab0;		\
	if (ot_kmemleak() && __slab > 0) {				\
		printf("# %s: not counted: Slab grew by %ld kB (KASAN's quarantine holds freed objects of every cache; slab leaks are kmemleak's)\n", \
		       tool, __slab);					\
		__lost -= __slab;					\
	}								\
	__depot = ot_depot_pools();					\
	if (ot_kmemleak() && self->depot0 >= 0 && __depot > self->depot0) { \
		printf("# %s: not counted: the stack depot grew by %ld pools, %ld kB (stack traces KASAN and kmemleak keep for good)\n", \
		       tool, __depot - self->depot0,			\
		       (__depot - self->depot0) * OT_DEPOT_POOL_KB);	\
		__lost -= (__depot - self->depot0) * OT_DEPOT_POOL_KB;	\
	}								\
	__shadow = vmlab_kasan_shadow_kb();				\
	if (self->shadow0 >= 0 && __shadow > self->shadow0) {		\
		printf("# %s: not counted: the KASAN shadow of vmalloc areas grew by %ld kB (page_tables/kernel)\n", \
		       tool, __shadow - self->shadow0);			\
		__lost -= __shadow - self->shadow0;			\
	}								\
	ot_mem_changes(tool, self->mem0);				\
	ASSERT_LE(__lost, OT_LOST_KB)					\
		TH_LOG("%s: %ld kB of free memory did not come back",	\
		       tool, __lost);					\
	/* The kernel reported nothing. */				\
	ASSERT_EQ(self->reports0, ot_log_reports())			\
		TH_LOG("the kernel reported problems during %s (see its log)", \
		       tool);						\
} while (0)

/* Has the kernel kmemleak (and KASAN with it: the debug kernel)? */
static bool ot_kmemleak(void)
{
	return !access("/sys/kernel/debug/kmemleak", F_OK);
}

/* How many calls trinity makes: see the top. */
static unsigned long ot_trinity_calls(void)
{
	const char *s = getenv("VMLAB_TRINITY_CALLS");

	if (s && *s)
		return strtoul(s, NULL, 0);
	return ot_kmemleak() ? 50000 : 20000;
}

/* The number after "Ran " in trinity's output ("Ran N syscalls."), or -1. */
static long ot_trinity_ran(void)
{
	char line[512], *p;
	long n = -1;
	FILE *f = fopen(OT_OUT, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		p = strstr(line, "Ran ");
		if (p)
			n = strtol(p + 4, NULL, 10);
	}
	fclose(f);
	return n;
}

TEST_F_TIMEOUT(outside, trinity, OT_TEST_SECS)
{
	static const char *const calls[] = {
		"mmap", "munmap", "mremap", "mprotect", "madvise", "msync",
		"ioctl", "read", "write", "pread64", "pwrite64", "lseek",
		"fsync",
	};
	const char *dir = "/tmp/vmlab_trinity";
	unsigned long n = ot_trinity_calls();
	uint64_t seed = vl_seed("VMLAB_TRINITY_SEED") & 0x7fffffff;
	char nbuf[32], sbuf[32], *argv[64];
	struct vmlab_stats a, b;
	int argc, rc, left, run;
	long ran;
	size_t i;

	OT_NEED("trinity");
	/* Its user must open the device: 0666 for this run. */
	ASSERT_EQ(0, vl_devmode_open_to_all(&self->dm));
	mkdir(dir, 0755);
	ASSERT_EQ(0, chown(dir, VL_NOBODY, VL_NOBODY));
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	for (run = 1; run <= 3; run++, seed++) {
		struct vmlab_stats r0;

		ASSERT_EQ(0, vmlab_get_stats(self->fd, &r0));
		snprintf(nbuf, sizeof(nbuf), "-N%lu", n);
		snprintf(sbuf, sizeof(sbuf), "-s%llu", (unsigned long long)seed);
		argc = 0;
		argv[argc++] = self->tool;
		argv[argc++] = "-q";
		argv[argc++] = "-l";
		argv[argc++] = "off";
		argv[argc++] = "-C2";
		argv[argc++] = nbuf;
		argv[argc++] = sbuf;
		argv[argc++] = "-V";
		argv[argc++] = VMLAB_DEVICE;
		/* Only its victim file: no sockets, pipes, memfds... */
		argv[argc++] = "--enable-fds=pseudo";
		for (i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
			argv[argc++] = "-c";
			argv[argc++] = (char *)calls[i];
		}
		argv[argc] = NULL;
		printf("# trinity seed %llu (VMLAB_TRINITY_SEED=%llu replays it), %lu calls\n",
		       (unsigned long long)seed, (unsigned long long)seed, n);
		rc = ot_exec(argv, VL_NOBODY, dir, &left);
		ran = ot_trinity_ran();
		ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
		printf("# trinity run %d: exit status %d, ran %ld calls, the module opened %lld VMAs\n",
		       run, rc, ran, (long long)VL_D(r0, b, vma_opens));
		if (rc)
			ot_show(OT_OUT, 40, NULL);
		ASSERT_EQ(0, rc) TH_LOG("trinity failed (exit status %d)", rc);
		ASSERT_EQ(0, left);
		ASSERT_LE((long)n, ran) TH_LOG("trinity ran %ld of %lu calls",
					       ran, n);
		if (VL_D(r0, b, vma_opens) > 0)
			break;
		printf("# trinity never mapped %s with seed %llu: again with the next seed\n",
		       VMLAB_DEVICE, (unsigned long long)seed);
	}
	ASSERT_LT(0, VL_D(a, b, vma_opens))
		TH_LOG("trinity never mapped %s in three runs", VMLAB_DEVICE);
	vl_devmode_restore(&self->dm);
	ASSERT_FALSE(self->dm.changed) TH_LOG("cannot give %s its mode back", VMLAB_DEVICE);
	OT_AFTER("trinity", a, left);
}

TEST_F_TIMEOUT(outside, stress_ng, OT_TEST_SECS)
{
	char tsec[16];
	char *argv[] = {
		self->tool, "--dev", "2", "--dev-file", VMLAB_DEVICE,
		"--timeout", tsec, "--metrics-brief", "--verbose", NULL,
	};
	struct vmlab_stats a, b;
	int rc, left;

	OT_NEED("stress-ng");
	snprintf(tsec, sizeof(tsec), "%ds", OT_STRESS_SECS);
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	rc = ot_exec(argv, 0, "/tmp", &left);
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
	ot_show(OT_OUT, rc ? 60 : 12, NULL);
	/* 0: every stressor passed; 2: one failed; 3: cannot run... */
	ASSERT_EQ(0, rc) TH_LOG("stress-ng failed (exit status %d)", rc);
	ASSERT_LT(0, VL_D(a, b, vma_opens))
		TH_LOG("stress-ng never mapped %s", VMLAB_DEVICE);
	OT_AFTER("stress-ng", a, left);
}

/* fio's output lines that report an error: "err= N" not 0, "verify:". */
static int ot_fio_errors(void)
{
	char line[512], *p;
	int n = 0, jobs = 0;
	FILE *f = fopen(OT_OUT, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		p = strstr(line, "err=");
		if (p) {
			jobs++;
			if (strtol(p + 4, NULL, 10))
				n++;
		}
		if (strstr(line, "verify:") || strstr(line, "bad magic"))
			n++;
	}
	fclose(f);
	return jobs == 3 ? n : -1;
}

TEST_F_TIMEOUT(outside, fio, OT_TEST_SECS)
{
	static const char *const fio_lines[] = {
		"err=", "issued rwts", "READ:", "WRITE:", "verify", NULL,
	};
	const char *job = "/tmp/vmlab_outside.fio";
	char *argv[] = { self->tool, "--output-format=normal", (char *)job, NULL };
	struct vmlab_stats a, b;
	int rc, left, errs;
	uint64_t seed = vl_seed("VMLAB_FIO_SEED") & 0x7fffffff;
	FILE *f;

	OT_NEED("fio");
	f = fopen(job, "w");
	ASSERT_NE(NULL, f);
	/*
	 * Three jobs, one after the other (stonewall), over the first
	 * OT_FIO_MB MiB of the object, below its memory limit.  Each
	 * verifies every block it wrote, by its crc32c, and stops at the
	 * first mismatch.  The third syncs (msync MS_SYNC, fio's mmap engine)
	 * after every 8 writes.
	 */
	fprintf(f, "[global]\nioengine=mmap\nfilename=%s\nsize=%dm\nbs=4k\n"
		"verify=crc32c\ndo_verify=1\nverify_fatal=1\nrandseed=%llu\n"
		"stonewall\n\n"
		"[randwrite]\nrw=randwrite\n\n"
		"[randrw]\nrw=randrw\nrwmixread=50\n\n"
		"[msync]\nrw=randwrite\nfsync=8\n",
		VMLAB_DEVICE, OT_FIO_MB, (unsigned long long)seed);
	fclose(f);
	printf("# fio randseed %llu (VMLAB_FIO_SEED=%llu replays it)\n",
	       (unsigned long long)seed, (unsigned long long)seed);
	ASSERT_LE(OT_FIO_MB * VL_MiB, self->st0.mem_limit);
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	rc = ot_exec(argv, 0, "/tmp", &left);
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
	errs = ot_fio_errors();
	if (rc || errs)
		ot_show(OT_OUT, 120, NULL);
	else	/* each job's result, its operations and the totals */
		ot_show(OT_OUT, 1000, fio_lines);
	unlink(job);
	ASSERT_EQ(0, rc) TH_LOG("fio failed (exit status %d)", rc);
	ASSERT_EQ(0, errs) TH_LOG("fio reported errors (or not 3 jobs' results)");
	ASSERT_LT(0, VL_D(a, b, vma_opens));
	ASSERT_LT(0, VL_D(a, b, pages_cleaned))
		TH_LOG("the msync job cleaned no page");
	OT_AFTER("fio", a, left);
}

VL_TEST_MAIN
