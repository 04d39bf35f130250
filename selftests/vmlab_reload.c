// SPDX-License-Identifier: GPL-2.0
/*
 * vmlab_reload: unloading and loading the module, again and again, with
 * the raw syscalls (delete_module, finit_module: no modprobe or busybox).
 *
 *  - pinned: an open file and, after close(), a mapping alone keep the
 *    module loaded: delete_module() fails with EWOULDBLOCK (EAGAIN) or
 *    EBUSY while one exists in any process (a split mapping, a mapping
 *    or a file descriptor inherited by a child, the fd closed first), the
 *    mapping still faults pages in, and /proc/modules counts one
 *    reference per open file; once the last is gone it unloads, the
 *    device node goes away (open() fails with ENOENT, ENODEV or ENXIO)
 *    and it loads again with fresh counters;
 *  - cycles: VMLAB_RELOAD_CYCLES (100) times, or fewer when they take
 *    longer than VMLAB_RELOAD_SECONDS (4; 0: no limit; at least 4
 *    cycles): unload, load with the same parameters, open, map shared
 *    and private, fault, fork a child that reads and writes both, check
 *    the counters against the work done and against the first cycle's,
 *    /proc/self/maps, smaps and /proc/modules, write() 1 MiB more, close
 *    before munmap; the object still holds its pages when it is unloaded,
 *    and free memory (MemFree + per-CPU lists, MemAvailable), read each
 *    time with the module unloaded, must not drift.  Under QEMU's TCG a
 *    load and an unload take 0.3 to 0.6 s, so make check's guests run
 *    5 to 10 cycles, and VMLAB_RELOAD_SECONDS=0 all 100;
 *  - race: VMLAB_RELOAD_RACE_SECONDS (2) of delete_module(O_NONBLOCK) in
 *    a loop, reloading whenever it succeeded, while processes loop open,
 *    mmap, fault, pread, close, munmap and fork children that keep a
 *    mapping (when they kept it busy for 150 ms they pause until an
 *    unload succeeds): every delete either succeeds while nobody holds a
 *    file or a mapping (after which open() fails with ENOENT, ENODEV or
 *    ENXIO) or fails with EWOULDBLOCK or EBUSY; every open that succeeds
 *    gives a working device; nothing crashes or hangs.
 *
 * It needs the module's file and the parameters it was loaded with: the
 * environment variables VMLAB_KO and VMLAB_PARAMS, which the QEMU guest's
 * init sets.  Without VMLAB_KO every test is skipped; without
 * VMLAB_PARAMS the parameters are read from /sys/module/vmlab/parameters.
 * The tests leave the module loaded, as they found it (with fresh
 * counters and an empty object).  They are skipped when the loaded module
 * is built in, is in use by another process, or is not VMLAB_KO
 * (different srcversion).  Options: --cycles N, --seconds N,
 * --race-seconds N (--help).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "vmlab_util.h"

#define MODNAME			"vmlab"
#define SYSMOD			"/sys/module/" MODNAME
#define DEFAULT_CYCLES		100
#define DEFAULT_SECONDS		4	/* the cycles' time budget */
#define MIN_CYCLES		4	/* run at least these, budget or not */
#define DEFAULT_RACE_SECONDS	2
#define NODE_WAIT_MS		5000	/* for devtmpfs's node after a load */
#define CYCLE_PAGES		16	/* pages a cycle maps (and 1 more after close) */
#define BULK_PAGES		256	/* and write()s, so the unload frees 1 MiB more */
#define WARM_CYCLES		1	/* before the free-memory baseline */
#define MAX_FREE_DRIFT_KB	2048	/* MemFree + per-CPU lists lost, all cycles */
/* ... and under half of what the object held at the unloads measured */
#define MAX_AVAIL_DRIFT_KB	16384	/* MemAvailable lost (caches come and go) */
#define KMEMLEAK		"/sys/kernel/debug/kmemleak"
#define NWORKERS		3	/* race: processes that open and map */
#define WPAGES			8	/* race: pages of one worker's session */
#define QUIET_AFTER_MS		150	/* race: busy that long, the workers pause */

static unsigned int opt_cycles = DEFAULT_CYCLES;
static unsigned int opt_seconds = DEFAULT_SECONDS;
static unsigned int opt_race_seconds = DEFAULT_RACE_SECONDS;

/* Syscalls */

static int mod_delete(void)
{
	return syscall(SYS_delete_module, MODNAME, O_NONBLOCK);
}

static int mod_load(int kofd, const char *params)
{
	return syscall(SYS_finit_module, kofd, params, 0);
}

/* What delete_module() may answer while the module is in use. */
static bool busy_errno(int e)
{
	return e == EWOULDBLOCK || e == EAGAIN || e == EBUSY;
}

/* What open() of the device may answer while the module is not loaded. */
static bool gone_errno(int e)
{
	return e == ENOENT || e == ENODEV || e == ENXIO;
}

/* The kernel's views of the module */

/*
 * The module's line of /proc/modules: its reference count and state;
 * returns 1 when listed, 0 when not, -1 when the file cannot be read.
 */
static int proc_modules(long *refcnt, char *state, size_t len)
{
	FILE *f = fopen("/proc/modules", "re");
	char line[512], name[64], deps[256], st[32];
	unsigned long size;
	int ret = 0;
	long ref;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63s %lu %ld %255s %31s", name, &size, &ref,
			   deps, st) != 5 || strcmp(name, MODNAME))
			continue;
		if (refcnt)
			*refcnt = ref;
		if (state)
			snprintf(state, len, "%s", st);
		ret = 1;
		break;
	}
	fclose(f);
	return ret;
}

/*
 * The module's reference count as /proc/modules and sysfs both say, -1
 * when they disagree or it is not loaded.
 */
static long mod_refcnt(void)
{
	long a = -1, b;

	if (proc_modules(&a, NULL, 0) != 1)
		return -1;
	b = vmlab_read_long(SYSMOD "/refcnt");
	return a == b ? a : -1;
}

/* Gone from every view: /proc/modules, sysfs and /dev. */
static bool mod_gone(void)
{
	struct stat sb;

	return proc_modules(NULL, NULL, 0) == 0 && stat(SYSMOD, &sb) &&
	       errno == ENOENT && stat(VMLAB_DEVICE, &sb) && errno == ENOENT;
}

static bool mod_loaded(void)
{
	struct stat sb;

	return !stat(SYSMOD "/refcnt", &sb);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

/* Wait for devtmpfs's character device node; 0 once it is there. */
static int wait_node(void)
{
	long t0 = now_ms();
	struct stat sb;

	for (;;) {
		if (!stat(VMLAB_DEVICE, &sb) && S_ISCHR(sb.st_mode))
			return 0;
		if (now_ms() - t0 > NODE_WAIT_MS)
			return -1;
		usleep(1000);
	}
}

/* "srcversion=..." of the module file's .modinfo, or "" */
static void ko_srcversion(int fd, char *out, size_t len)
{
	static const char key[] = "srcversion=";
	struct stat sb;
	char *p, *q;

	*out = 0;
	if (fstat(fd, &sb) || !sb.st_size)
		return;
	p = mmap(NULL, sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		return;
	q = memmem(p, sb.st_size, key, sizeof(key) - 1);
	if (q) {
		q += sizeof(key) - 1;
		snprintf(out, len, "%.*s", (int)strnlen(q, p + sb.st_size - q), q);
	}
	munmap(p, sb.st_size);
}

static unsigned long rnd(unsigned long *s, unsigned long n)
{
	unsigned long x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return n ? x % n : 0;
}

static void sleep_us(unsigned long us)
{
	struct timespec ts = { .tv_sec = us / 1000000, .tv_nsec = us % 1000000 * 1000 };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

FIXTURE(reload) {
	char ko[4096];
	char params[512];
	int kofd;
	size_t ps;
	uint64_t size, mem_limit;	/* the object, as loaded */
	long dev_mode;			/* the parameter, as loaded */
	long fault_around;		/* the kernel's, before the test */
};

FIXTURE_SETUP(reload)
{
	const char *ko = getenv("VMLAB_KO"), *params = getenv("VMLAB_PARAMS");
	char want[64], have[64];
	struct vmlab_stats st;
	long ref;
	int fd;

	self->kofd = -1;
	self->ps = vmlab_page_size();
	if (!ko || !*ko)
		SKIP(return, "VMLAB_KO is not set: these tests unload and load the "
		     "module and need its file (VMLAB_KO=/path/to/vmlab.ko, and "
		     "VMLAB_PARAMS=\"size_mb=...\" with its parameters)");
	snprintf(self->ko, sizeof(self->ko), "%s", ko);
	if (!mod_loaded())
		SKIP(return, "%s is not a loaded module (built in?)", MODNAME);
	ref = mod_refcnt();
	if (ref != 0)
		SKIP(return, "the module is in use (reference count %ld in /proc/modules "
		     "and " SYSMOD "/refcnt): cannot unload it", ref);
	self->kofd = open(ko, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, self->kofd) TH_LOG("VMLAB_KO=%s: %s", ko, strerror(errno));
	ko_srcversion(self->kofd, want, sizeof(want));
	fd = open(SYSMOD "/srcversion", O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && *want) {
		ssize_t n = read(fd, have, sizeof(have) - 1);

		have[n > 0 ? n : 0] = 0;
		have[strcspn(have, "\n")] = 0;
		if (strcmp(want, have)) {
			close(fd);
			SKIP(return, "the loaded module (srcversion %s) is not %s "
			     "(srcversion %s): not replacing it", have, ko, want);
		}
	}
	if (fd >= 0)
		close(fd);
	if (params) {
		snprintf(self->params, sizeof(self->params), "%s", params);
	} else {
		long size_mb = vmlab_read_long(SYSMOD "/parameters/size_mb");
		long limit_mb = vmlab_read_long(SYSMOD "/parameters/mem_limit_mb");
		long mode = vmlab_read_long(SYSMOD "/parameters/dev_mode");

		ASSERT_TRUE(size_mb > 0 && limit_mb > 0 && mode >= 0)
			TH_LOG("VMLAB_PARAMS is not set and " SYSMOD "/parameters "
			       "cannot be read");
		snprintf(self->params, sizeof(self->params),
			 "size_mb=%ld mem_limit_mb=%ld dev_mode=%#lo", size_mb,
			 limit_mb, mode);
		TH_LOG("VMLAB_PARAMS is not set: using the loaded module's \"%s\"",
		       self->params);
	}

	fd = vmlab_open(O_RDONLY);
	ASSERT_LE(0, fd) TH_LOG("open " VMLAB_DEVICE ": %s", strerror(errno));
	ASSERT_EQ(0, vmlab_get_stats(fd, &st)) TH_LOG("STATS: %s", strerror(errno));
	ASSERT_EQ(0, close(fd));
	self->size = st.size;
	self->mem_limit = st.mem_limit;
	self->dev_mode = vmlab_read_long(SYSMOD "/parameters/dev_mode");
	ASSERT_LE(0, self->dev_mode);
	ASSERT_LE((CYCLE_PAGES + 1 + BULK_PAGES) * self->ps, st.mem_limit)
		TH_LOG("the object's memory limit is too small for these tests");
	ASSERT_LE(NWORKERS * (WPAGES + 1) * self->ps, st.size);
	/* One fault per page: the same counts each cycle. */
	VL_SETUP_NO_FAULT_AROUND(self->fault_around);
}

/*
 * In the parent, after the test's process ended however it ended: load
 * the module again if the test left it unloaded.
 */
FIXTURE_TEARDOWN_PARENT(reload)
{
	int fd;

	vl_fault_around_restore(self->fault_around);
	if (mod_loaded())
		return;
	fd = open(self->ko, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || mod_load(fd, self->params))
		TH_LOG("teardown: cannot load %s \"%s\" again: %s", self->ko,
		       self->params, strerror(errno));
	else
		TH_LOG("teardown: loaded the module the test left unloaded");
	if (fd >= 0)
		close(fd);
}

/* Unload it; it must be gone from every view at once. */
#define UNLOAD() do {							\
	int __r = mod_delete(), __e = errno;				\
									\
	ASSERT_EQ(0, __r) TH_LOG("delete_module: %s (reference count %ld)", \
				 strerror(__e), mod_refcnt());		\
	ASSERT_TRUE(mod_gone()) TH_LOG("delete_module succeeded but the " \
				       "module is still in /proc/modules, " \
				       SYSMOD " or /dev");		\
} while (0)

/*
 * Load it with the same parameters: the same object, dev_mode (not the
 * node's mode: udev, or a test, may change that), fresh counters.
 */
#define LOAD() do {							\
	struct vmlab_stats __st;					\
	char __state[32];						\
	long __ref = -1;						\
	int __fd;							\
									\
	ASSERT_EQ(0, mod_load(self->kofd, self->params))		\
		TH_LOG("finit_module(%s, \"%s\"): %s", self->ko,	\
		       self->params, strerror(errno));			\
	ASSERT_EQ(1, proc_modules(&__ref, __state, sizeof(__state)));	\
	ASSERT_STREQ("Live", __state);					\
	ASSERT_EQ(0, __ref);						\
	ASSERT_EQ(0, wait_node()) TH_LOG("no " VMLAB_DEVICE " %d ms after " \
					 "the load", NODE_WAIT_MS);	\
	ASSERT_EQ(self->dev_mode, vmlab_read_long(SYSMOD "/parameters/dev_mode")); \
	__fd = vmlab_open(O_RDONLY);					\
	ASSERT_LE(0, __fd) TH_LOG("open: %s", strerror(errno));		\
	ASSERT_EQ(0, vmlab_get_stats(__fd, &__st));				\
	ASSERT_EQ(0, close(__fd));					\
	ASSERT_EQ(self->size, __st.size);				\
	ASSERT_EQ(self->mem_limit, __st.mem_limit);			\
	ASSERT_EQ(0, __st.pages_allocated + __st.pages_freed +		\
		  __st.pages_resident + __st.vma_opens + __st.vma_closes + \
		  __st.fault_shared_read + __st.fault_shared_write +	\
		  __st.fault_private_read + __st.fault_private_write +	\
		  __st.resets) TH_LOG("a fresh load has counted events");	\
} while (0)

/* delete_module() must refuse: the module is in use. */
#define REFUSED(what) do {						\
	errno = 0;							\
	ASSERT_EQ(-1, mod_delete()) TH_LOG("delete_module unloaded the " \
					   "module with %s", what);	\
	ASSERT_TRUE(busy_errno(errno)) TH_LOG("delete_module with %s: %s " \
					      "(want EWOULDBLOCK or EBUSY)", \
					      what, strerror(errno));	\
	ASSERT_TRUE(mod_loaded());					\
} while (0)

/* A child that keeps what it inherited until told, then exits with rc. */
static pid_t hold_child(int *go, volatile char *touch, int rc)
{
	int p[2];
	pid_t pid;
	char c;

	if (pipe2(p, O_CLOEXEC))
		return -1;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		vl_child_quiet();
		close(p[1]);
		if (read(p[0], &c, 1) != 1)
			_exit(20);
		if (touch)
			touch[0] = (char)rc;	/* a fault served after the parent let go */
		_exit(touch && touch[0] != (char)rc ? 21 : rc);
	}
	close(p[0]);
	*go = p[1];
	return pid;
}

static int release_child(int go, pid_t pid)
{
	int st;

	if (write(go, "x", 1) != 1)
		st = -1;
	else
		st = vl_wait(pid);
	close(go);
	return st;
}

TEST_F(reload, pinned_while_in_use)
{
	size_t ps = self->ps;
	char *sh, *pv;
	pid_t pid;
	int fd, fd2, go, st;

	ASSERT_EQ(0, mod_refcnt());
	fd = vmlab_open(O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(1, mod_refcnt()) TH_LOG("an open file holds no reference to the module: "
					  "it could be unloaded under the file");
	REFUSED("an open file");
	fd2 = vmlab_open(O_RDONLY);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(2, mod_refcnt());	/* one reference per open file */
	ASSERT_EQ(0, close(fd2));
	ASSERT_EQ(1, mod_refcnt());

	/* Mappings that outlive close(): the mapped file holds the module. */
	sh = mmap(NULL, 4 * ps, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, sh);
	pv = mmap(NULL, 4 * ps, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	ASSERT_NE(MAP_FAILED, pv);
	vl_fill(sh, ps, 1);
	ASSERT_TRUE(vl_check(pv, ps, 1));
	ASSERT_EQ(0, close(fd));
	ASSERT_EQ(2, vmlab_maps_count(0, VMLAB_DEVICE));
	ASSERT_EQ(1, mod_refcnt()) TH_LOG("mappings without an open fd hold no reference "
					  "to the module");
	REFUSED("two mappings and no open fd");
	vl_fill(sh + ps, ps, 2);	/* faults still served */
	ASSERT_TRUE(vl_check(pv + ps, ps, 2));
	ASSERT_EQ(0, munmap(pv, 4 * ps));
	ASSERT_EQ(1, mod_refcnt());
	REFUSED("a shared mapping and no open fd");

	/* A split mapping: two VMAs, one file. */
	ASSERT_EQ(0, munmap(sh + 2 * ps, ps));
	ASSERT_EQ(2, vmlab_maps_count(0, VMLAB_DEVICE));
	ASSERT_EQ(0, munmap(sh, 2 * ps));
	ASSERT_EQ(1, mod_refcnt());
	REFUSED("the last page of a split mapping");

	/* Only a child's copy of the mapping left. */
	pid = hold_child(&go, sh + 3 * ps, 7);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, munmap(sh + 3 * ps, ps));
	ASSERT_EQ(0, vmlab_maps_count(0, VMLAB_DEVICE));
	ASSERT_EQ(1, mod_refcnt());
	REFUSED("a mapping only a child has");
	st = release_child(go, pid);
	ASSERT_EQ(7, st) TH_LOG("the child's fault after the parent's munmap: status %d "
				"(21: the page lost the store)", st);
	ASSERT_EQ(0, mod_refcnt());

	/* Only a child's copy of a file descriptor left. */
	fd = vmlab_open(O_RDWR);
	ASSERT_LE(0, fd);
	pid = hold_child(&go, NULL, 0);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, close(fd));
	ASSERT_EQ(1, mod_refcnt());
	REFUSED("a file descriptor only a child has");
	ASSERT_EQ(0, release_child(go, pid));
	ASSERT_EQ(0, mod_refcnt());

	/* Nothing left: it unloads, the device is gone, it loads again. */
	UNLOAD();
	errno = 0;
	ASSERT_GT(0, vmlab_open(O_RDWR));
	ASSERT_TRUE(gone_errno(errno)) TH_LOG("open with the module unloaded: %s "
					      "(want ENOENT, ENODEV or ENXIO)",
					      strerror(errno));
	errno = 0;
	ASSERT_EQ(-1, mod_delete());
	ASSERT_EQ(ENOENT, errno) TH_LOG("delete_module of an unloaded module: %s",
					strerror(errno));
	LOAD();
	fd = vmlab_open(O_RDWR);
	ASSERT_LE(0, fd);
	{
		char buf[64];

		/* The new object is empty: what the old one held is gone. */
		ASSERT_EQ((ssize_t)sizeof(buf), pread(fd, buf, sizeof(buf), 0));
		ASSERT_TRUE(vl_is_zero(buf, sizeof(buf)));
	}
	ASSERT_EQ(0, close(fd));
}

static uint32_t seed_of(unsigned int cycle, size_t page, unsigned int who)
{
	return cycle * 7919u + (uint32_t)page * 31u + who * 1000003u;
}

/*
 * The cycle's child: the parent wrote every page of the shared mapping
 * (seed who=1), read the first half of the private one (the object's
 * pages) and wrote the second half (its copies, who=2).  Exit status 0,
 * or what was wrong.
 */
static int cycle_child(char *sh, char *pv, size_t ps, unsigned int cycle)
{
	size_t i;

	for (i = 0; i < CYCLE_PAGES; i++)
		if (!vl_check(sh + i * ps, ps, seed_of(cycle, i, 1)))
			return 10;	/* the shared mapping lost the parent's data */
	for (i = 0; i < CYCLE_PAGES / 2; i++)
		if (!vl_check(pv + i * ps, ps, seed_of(cycle, i, 1)))
			return 11;	/* a private page is not the object's */
	for (i = CYCLE_PAGES / 2; i < CYCLE_PAGES; i++)
		if (!vl_check(pv + i * ps, ps, seed_of(cycle, i, 2)))
			return 12;	/* the parent's private copy was lost */
	vl_fill(sh, ps, seed_of(cycle, 0, 3));		/* the parent sees it */
	vl_fill(pv + ps, ps, seed_of(cycle, 1, 3));	/* a copy of the object's */
	vl_fill(pv + (CYCLE_PAGES - 1) * ps, ps, seed_of(cycle, 0, 4)); /* of the parent's */
	if (!vl_check(pv, ps, seed_of(cycle, 0, 3)))
		return 13;	/* the private page no longer maps the object's */
	return 0;
}

/* /proc/meminfo, for a hint at where memory went */
#define MEMINFO_MAX	80
struct meminfo {
	int n;
	char name[MEMINFO_MAX][32];
	long kb[MEMINFO_MAX];
};

static int meminfo_read(struct meminfo *m)
{
	FILE *f = fopen("/proc/meminfo", "re");
	char line[256];

	m->n = 0;
	if (!f)
		return -1;
	while (m->n < MEMINFO_MAX && fgets(line, sizeof(line), f))
		if (sscanf(line, "%31[^:]: %ld", m->name[m->n], &m->kb[m->n]) == 2)
			m->n++;
	fclose(f);
	return m->n ? 0 : -1;
}

/* The fields that moved by 256 kB or more, as TH_LOG's caller would. */
static void meminfo_log(struct __test_metadata *_metadata, const struct meminfo *a,
			const struct meminfo *b)
{
	char buf[1024];
	int i, n = 0;

	buf[0] = 0;
	for (i = 0; i < a->n && i < b->n && n < (int)sizeof(buf) - 64; i++)
		if (!strcmp(a->name[i], b->name[i]) &&
		    labs(b->kb[i] - a->kb[i]) >= 256)
			n += snprintf(buf + n, sizeof(buf) - n, " %s %+ld", a->name[i],
				      b->kb[i] - a->kb[i]);
	TH_LOG("/proc/meminfo, kB moved since the baseline:%s", n ? buf : " none over 256");
}

/* Every event counter (not size, mem_limit) */
static bool same_events(const struct vmlab_stats *a, const struct vmlab_stats *b)
{
	size_t off = offsetof(struct vmlab_stats, fault_shared_read);

	return !memcmp((const char *)a + off, (const char *)b + off,
		       offsetof(struct vmlab_stats, reserved) - off);
}

TEST_F_TIMEOUT(reload, cycles, 600)
{
	size_t ps = self->ps, npages = CYCLE_PAGES;
	long *freekb, *availkb, *slabkb, t0 = now_ms(), drift, adrift, slab = 0;
	long t1, t_unload = 0, t_load = 0, held_kb, max_kb;
	size_t bulklen = BULK_PAGES * ps;
	struct vmlab_stats st, first;
	struct meminfo mi_first[WARM_CYCLES + 1], mi_last;
	unsigned int c, i, warm, done, m;
	char *sh, *pv, *bulk;
	pid_t pid;
	int fd, rc;

	freekb = calloc(opt_cycles, sizeof(*freekb));
	availkb = calloc(opt_cycles, sizeof(*availkb));
	slabkb = calloc(opt_cycles, sizeof(*slabkb));
	bulk = malloc(bulklen);
	ASSERT_TRUE(freekb && availkb && slabkb && bulk);
	memset(bulk, 0x5a, bulklen);
	memset(&first, 0, sizeof(first));
	for (c = 0; c < opt_cycles; c++) {
		if (opt_seconds && c >= MIN_CYCLES && now_ms() - t0 > opt_seconds * 1000L)
			break;
		ASSERT_EQ(0, mod_refcnt()) TH_LOG("cycle %u", c);
		t1 = now_ms();
		UNLOAD();
		t_unload += now_ms() - t1;
		errno = 0;
		ASSERT_GT(0, vmlab_open(O_RDWR));
		ASSERT_TRUE(gone_errno(errno)) TH_LOG("cycle %u: open with the module "
						      "unloaded: %s", c, strerror(errno));
		/* Free memory, each time with the module unloaded. */
		freekb[c] = vmlab_free_kb();
		availkb[c] = vmlab_meminfo_kb("MemAvailable");
		slabkb[c] = vmlab_meminfo_kb("SUnreclaim");
		ASSERT_LT(0, freekb[c]);
		ASSERT_LT(0, availkb[c]);
		ASSERT_LE(0, slabkb[c]);
		ASSERT_EQ(0, meminfo_read(c <= WARM_CYCLES ? &mi_first[c] : &mi_last));
		t1 = now_ms();
		LOAD();
		t_load += now_ms() - t1;

		fd = vmlab_open(O_RDWR);
		ASSERT_LE(0, fd);
		ASSERT_EQ(1, mod_refcnt()) TH_LOG("cycle %u: an open file holds no reference "
						  "to the module", c);
		/* One page more than it fills: faulted in after close(). */
		sh = mmap(NULL, (npages + 1) * ps, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		ASSERT_NE(MAP_FAILED, sh) TH_LOG("cycle %u: mmap shared: %s", c,
						 strerror(errno));
		pv = mmap(NULL, npages * ps, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
		ASSERT_NE(MAP_FAILED, pv) TH_LOG("cycle %u: mmap private: %s", c,
						 strerror(errno));
		ASSERT_EQ(2, vmlab_maps_count(0, VMLAB_DEVICE));
		for (i = 0; i < npages; i++)
			vl_fill(sh + i * ps, ps, seed_of(c, i, 1));
		for (i = 0; i < npages / 2; i++)
			ASSERT_TRUE(vl_check(pv + i * ps, ps, seed_of(c, i, 1)))
				TH_LOG("cycle %u: private page %u is not the object's", c, i);
		for (i = npages / 2; i < npages; i++)
			vl_fill(pv + i * ps, ps, seed_of(c, i, 2));
		ASSERT_EQ((long)(npages * ps / 1024), vl_smaps_kb(sh, "Rss"));
		ASSERT_EQ((long)(npages * ps / 1024), vl_smaps_kb(pv, "Rss"));

		fflush(stdout);
		fflush(stderr);
		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0) {
			vl_child_quiet();
			_exit(cycle_child(sh, pv, ps, c));
		}
		rc = vl_wait(pid);
		ASSERT_EQ(0, rc) TH_LOG("cycle %u: child exit status %d (10: shared data, "
					"11: private page not the object's, 12: private "
					"copy lost, 13: private page lost the object's)",
					c, rc);
		ASSERT_TRUE(vl_check(sh, ps, seed_of(c, 0, 3)));
		ASSERT_TRUE(vl_check(pv, ps, seed_of(c, 0, 3)));
		ASSERT_TRUE(vl_check(pv + ps, ps, seed_of(c, 1, 1)));
		ASSERT_TRUE(vl_check(sh + ps, ps, seed_of(c, 1, 1)));
		ASSERT_TRUE(vl_check(pv + (npages - 1) * ps, ps, seed_of(c, npages - 1, 2)));

		ASSERT_EQ(0, vmlab_get_stats(fd, &st));
		ASSERT_EQ(npages, st.pages_allocated);
		ASSERT_EQ(npages, st.pages_resident);
		ASSERT_EQ(0, st.pages_freed);
		ASSERT_EQ(4, st.vma_opens);	/* 2 mmap + 2 fork */
		ASSERT_EQ(2, st.vma_closes);	/* the child's exit */
		ASSERT_EQ(2, st.vmas_live);
		ASSERT_EQ(0, st.sigbus);
		ASSERT_LE(npages / 2, st.fault_private_read);
		ASSERT_LE(npages / 2, st.fault_private_write);
		if (c == 0)
			first = st;
		else if (!same_events(&first, &st))
			vl_stats_log("the same work counted differently", &first, &st);
		ASSERT_TRUE(same_events(&first, &st)) TH_LOG("cycle %u", c);
		ASSERT_EQ((ssize_t)bulklen, pwrite(fd, bulk, bulklen, (npages + 1) * ps))
			TH_LOG("cycle %u: write: %s", c, strerror(errno));
		ASSERT_EQ(0, vmlab_get_stats(fd, &st));
		ASSERT_EQ(npages + BULK_PAGES, st.pages_resident);

		/* The mappings outlive close(), and pin the module. */
		ASSERT_EQ(0, close(fd));
		ASSERT_EQ(1, mod_refcnt()) TH_LOG("cycle %u: mappings without an open fd hold "
						  "no reference to the module", c);
		REFUSED("mappings and no open fd");
		sh[npages * ps] = 1;
		ASSERT_EQ(npages + 1, vl_count_present(sh, npages + 1));
		ASSERT_EQ(0, munmap(pv, npages * ps));
		ASSERT_EQ(0, munmap(sh, (npages + 1) * ps));
		ASSERT_EQ(0, vmlab_maps_count(0, VMLAB_DEVICE));
		/* The object keeps its pages: the unload must free them. */
	}

	/*
	 * Free memory with the module unloaded, from the end of the warm-up
	 * to the last cycles: what stayed lost at both of the last two
	 * unloads (a kernel may keep a 2 MiB page for a cycle: 7.3 does,
	 * now and then, around module loads).  A leak grows at every cycle.
	 * Where kmemleak runs (the debug kernel) the growth of unreclaimable
	 * slab is not counted: KASAN's quarantine keeps freed objects there,
	 * and slab leaks are kmemleak's to find.
	 */
	done = c;
	warm = done > WARM_CYCLES + 2 ? WARM_CYCLES : 0;
	c = done - 1;
	m = c > warm && freekb[c - 1] > freekb[c] ? c - 1 : c;
	held_kb = (npages + 1 + BULK_PAGES) * ps / 1024;
	max_kb = c > warm ? held_kb * (c - 1 - warm) / 2 : 0;
	if (max_kb > MAX_FREE_DRIFT_KB)
		max_kb = MAX_FREE_DRIFT_KB;
	drift = freekb[warm] - freekb[m];
	adrift = availkb[warm] - (c > warm && availkb[c - 1] > availkb[c] ?
				  availkb[c - 1] : availkb[c]);
	if (!access(KMEMLEAK, F_OK) && slabkb[m] > slabkb[warm]) {
		slab = slabkb[m] - slabkb[warm];
		drift -= slab;
		adrift -= slab;
	}
	TH_LOG("%u of %u cycles in %ld ms (time budget %u s%s; delete_module "
	       "%ld ms, finit_module and the new node %ld ms); with the module "
	       "unloaded (it held %ld kB each time), from cycle %u to the last: "
	       "MemFree + per-CPU lists %ld -> %ld kB, MemAvailable %ld -> %ld kB, "
	       "SUnreclaim %ld -> %ld kB; lost at both of the last two unloads: "
	       "%ld kB of MemFree + per-CPU lists, %ld kB of MemAvailable%s",
	       done, opt_cycles, now_ms() - t0, opt_seconds,
	       opt_seconds ? ", VMLAB_RELOAD_SECONDS=0 for all" : ": none",
	       t_unload, t_load, held_kb, warm, freekb[warm], freekb[c],
	       availkb[warm], availkb[c], slabkb[warm], slabkb[c], drift, adrift,
	       slab ? " (not counting SUnreclaim's growth: kmemleak finds slab leaks)" : "");
	EXPECT_GE(max_kb, drift) TH_LOG("MemFree + per-CPU lists: %ld kB lost over %u "
					"cycles (at most %ld kB allowed)", drift,
					m - warm, max_kb);
	EXPECT_GE(MAX_AVAIL_DRIFT_KB, adrift) TH_LOG("MemAvailable: %ld kB lost over %u "
						     "cycles (at most %d kB allowed)",
						     adrift, m - warm, MAX_AVAIL_DRIFT_KB);
	if (drift > max_kb || adrift > MAX_AVAIL_DRIFT_KB || getenv("VMLAB_RELOAD_VERBOSE")) {
		char buf[1024];
		int n = 0;

		for (i = warm; i <= c && n < (int)sizeof(buf) - 32; i++)
			n += snprintf(buf + n, sizeof(buf) - n, " %ld",
				      freekb[warm] - freekb[i]);
		TH_LOG("MemFree + per-CPU lists lost since cycle %u, cycle by cycle (kB):%s",
		       warm, buf);
		if (c > warm)
			meminfo_log(_metadata, &mi_first[warm],
				    c <= WARM_CYCLES ? &mi_first[c] : &mi_last);
	}
	free(freekb);
	free(availkb);
	free(slabkb);
	free(bulk);
}

/* The race: shared by the unloader and the workers. */
struct board {
	atomic_int stop;
	atomic_int quiet;	/* the unloader asks the workers to pause */
	/*
	 * What each worker holds: files, mappings, children with a mapping.
	 * Raised after a thing is acquired and lowered before it is let go,
	 * so a non-zero count proves something pins the module.
	 */
	atomic_int holds[NWORKERS];
	atomic_long sessions, gone[3], mapped_after_close, holders;
	atomic_int nerr;
	char err[512];
};

static struct board *RB;

static void rfail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void rfail(const char *fmt, ...)
{
	va_list ap;

	if (atomic_fetch_add(&RB->nerr, 1) == 0) {
		int n = snprintf(RB->err, sizeof(RB->err), "pid %d: ", getpid());

		va_start(ap, fmt);
		vsnprintf(RB->err + n, sizeof(RB->err) - n, fmt, ap);
		va_end(ap);
	}
	atomic_store(&RB->stop, 1);
}

/*
 * A child that keeps a shared mapping (page WPAGES of the worker's
 * range, which only such children use) a little while after its parent
 * let go of everything, writes and reads it back.
 */
static void holder(char *page, atomic_int *hold, unsigned long seed)
{
	uint64_t v = seed | 1;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	sleep_us(rnd(&seed, 3000));
	*(volatile uint64_t *)page = v;
	if (*(volatile uint64_t *)page != v)
		rfail("a holder child read back %#llx, wrote %#llx",
		      (unsigned long long)*(volatile uint64_t *)page,
		      (unsigned long long)v);
	atomic_fetch_sub(hold, 1);
	_exit(0);
}

/* One session: open, map, fault, check, let go.  false: stop. */
static bool session(int w, size_t ps, unsigned long *seed, pid_t *kid)
{
	atomic_int *hold = &RB->holds[w];
	off_t off = (off_t)w * (WPAGES + 1) * ps;
	uint64_t v = rnd(seed, ~0UL) | 1, got;
	bool early_close = rnd(seed, 2);
	char *sh, *pv;
	size_t i;
	int fd;

	fd = vmlab_open(O_RDWR);
	if (fd < 0) {
		if (!gone_errno(errno)) {
			rfail("open: %s (want success, ENOENT, ENODEV or ENXIO)",
			      strerror(errno));
			return false;
		}
		atomic_fetch_add(&RB->gone[errno == ENOENT ? 0 : errno == ENODEV ? 1 : 2], 1);
		sleep_us(rnd(seed, 400));
		return true;
	}
	atomic_fetch_add(hold, 1);
	atomic_fetch_add(&RB->sessions, 1);
	sh = mmap(NULL, (WPAGES + 1) * ps, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off);
	if (sh == MAP_FAILED) {
		rfail("mmap shared after a successful open: %s", strerror(errno));
		return false;
	}
	atomic_fetch_add(hold, 1);
	pv = mmap(NULL, WPAGES * ps, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, off);
	if (pv == MAP_FAILED) {
		rfail("mmap private after a successful open: %s", strerror(errno));
		return false;
	}
	atomic_fetch_add(hold, 1);
	if (early_close) {
		atomic_fetch_sub(hold, 1);
		if (close(fd)) {
			rfail("close: %s", strerror(errno));
			return false;
		}
		atomic_fetch_add(&RB->mapped_after_close, 1);
	}
	for (i = 0; i < WPAGES; i++)
		*(volatile uint64_t *)(sh + i * ps) = v + i;
	for (i = 0; i < WPAGES; i++) {
		got = *(volatile uint64_t *)(pv + i * ps);
		if (got != v + i) {
			rfail("private page %zu reads %#llx, the object has %#llx", i,
			      (unsigned long long)got, (unsigned long long)(v + i));
			return false;
		}
	}
	pv[0] = 1;	/* a private copy */
	if (!early_close) {
		ssize_t r = pread(fd, &got, sizeof(got), off + ps);

		if (r != sizeof(got)) {
			rfail("pread: %zd, %s", r, r < 0 ? strerror(errno) : "short");
			return false;
		}
		if (got != v + 1) {
			rfail("pread: %#llx, the mapping wrote %#llx",
			      (unsigned long long)got, (unsigned long long)(v + 1));
			return false;
		}
	}
	if (*kid <= 0 && !rnd(seed, 4)) {
		atomic_fetch_add(hold, 1);	/* the parent's mapping holds it meanwhile */
		*kid = fork();
		if (*kid == 0)
			holder(sh + WPAGES * ps, hold, *seed);
		if (*kid < 0) {
			atomic_fetch_sub(hold, 1);
			rfail("fork: %s", strerror(errno));
			return false;
		}
		atomic_fetch_add(&RB->holders, 1);
	}
	atomic_fetch_sub(hold, 1);
	if (munmap(pv, WPAGES * ps)) {
		rfail("munmap: %s", strerror(errno));
		return false;
	}
	atomic_fetch_sub(hold, 1);
	if (munmap(sh, (WPAGES + 1) * ps)) {
		rfail("munmap: %s", strerror(errno));
		return false;
	}
	if (!early_close) {
		atomic_fetch_sub(hold, 1);
		if (close(fd)) {
			rfail("close: %s", strerror(errno));
			return false;
		}
	}
	if (!rnd(seed, 3))
		sleep_us(rnd(seed, 1000));
	return true;
}

static int reap(pid_t *kid, bool block)
{
	int st;
	pid_t r;

	if (*kid <= 0)
		return 0;
	r = waitpid(*kid, &st, block ? 0 : WNOHANG);
	if (r == 0)
		return 0;
	*kid = 0;
	if (r < 0) {
		rfail("waitpid: %s", strerror(errno));
		return -1;
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		rfail("a holder child ended with status %#x", st);
		return -1;
	}
	return 0;
}

static int worker(int w, size_t ps)
{
	unsigned long seed = (unsigned long)getpid() * 2654435761UL + w + 1;
	pid_t kid = 0;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	while (!atomic_load(&RB->stop)) {
		if (atomic_load(&RB->quiet)) {
			if (reap(&kid, true))
				break;
			sleep_us(500);
			continue;
		}
		if (reap(&kid, false) || !session(w, ps, &seed, &kid))
			break;
	}
	reap(&kid, true);
	return atomic_load(&RB->nerr) ? 1 : 0;
}

TEST_F_TIMEOUT(reload, delete_races_open_mmap, 300)
{
	long t0 = now_ms(), limit = opt_race_seconds * 1000L, held, ref;
	unsigned long seed = (unsigned long)getpid() * 40503UL + 12345;
	long unloads = 0, quiet_unloads = 0, busy = 0, tries = 0, last;
	struct vmlab_stats st;
	pid_t pids[NWORKERS];
	int i, fd, rc, e;
	char why[512] = "";

	RB = mmap(NULL, sizeof(*RB), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, RB);
	fflush(stdout);
	fflush(stderr);
	for (i = 0; i < NWORKERS; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]) TH_LOG("fork: %s", strerror(errno));
		if (pids[i] == 0) {
			vl_child_quiet();
			_exit(worker(i, self->ps));
		}
	}

	/*
	 * Unload whenever it lets us, load again.  When the workers kept it
	 * busy for QUIET_AFTER_MS, they are asked to pause, and the deletes
	 * go on racing with the end of their sessions until one succeeds.
	 * The budget is stretched (up to 3 times) until both outcomes were
	 * seen.
	 */
	last = now_ms();
	while (!atomic_load(&RB->stop) && !*why) {
		long t = now_ms() - t0;

		if (t > 3 * limit || (t > limit && unloads && busy))
			break;
		if (now_ms() - last > QUIET_AFTER_MS)
			atomic_store(&RB->quiet, 1);
		tries++;
		if (mod_delete() == 0) {
			unloads++;
			quiet_unloads += atomic_load(&RB->quiet);
			for (i = 0, held = 0; i < NWORKERS; i++)
				held += atomic_load(&RB->holds[i]);
			if (held) {
				snprintf(why, sizeof(why), "delete_module unloaded the "
					 "module while workers held %ld files or mappings",
					 held);
				break;
			}
			if (!mod_gone()) {
				snprintf(why, sizeof(why), "delete_module succeeded but the "
					 "module is still in /proc/modules, sysfs or /dev");
				break;
			}
			errno = 0;
			fd = vmlab_open(O_RDWR);
			e = errno;
			if (fd >= 0 || !gone_errno(e)) {
				snprintf(why, sizeof(why), "open after the unload: %s "
					 "(want ENOENT, ENODEV or ENXIO)",
					 fd >= 0 ? "it succeeded" : strerror(e));
				break;
			}
			sleep_us(rnd(&seed, 2000));
			if (mod_load(self->kofd, self->params)) {
				snprintf(why, sizeof(why), "finit_module: %s", strerror(errno));
				break;
			}
			if (wait_node()) {
				snprintf(why, sizeof(why), "no " VMLAB_DEVICE " after the load");
				break;
			}
			atomic_store(&RB->quiet, 0);
			last = now_ms();
		} else if (busy_errno(errno)) {
			busy++;
			/* Spin, but let the workers finish when they are to pause. */
			if (atomic_load(&RB->quiet))
				sleep_us(200);
		} else {
			snprintf(why, sizeof(why), "delete_module: %s (want success, "
				 "EWOULDBLOCK or EBUSY)", strerror(errno));
			break;
		}
	}

	atomic_store(&RB->stop, 1);
	for (i = 0; i < NWORKERS; i++) {
		rc = vl_wait(pids[i]);
		EXPECT_EQ(0, rc) TH_LOG("worker %d: exit status %d", i, rc);
	}
	TH_LOG("%ld ms: %ld delete_module calls, %ld unloads (%ld while the workers "
	       "paused), %ld refused; workers: %ld sessions (%ld closed the fd first, "
	       "%ld left a child a mapping), open failed with ENOENT %ld, ENODEV %ld, "
	       "ENXIO %ld times", now_ms() - t0, tries, unloads, quiet_unloads, busy,
	       atomic_load(&RB->sessions),
	       atomic_load(&RB->mapped_after_close), atomic_load(&RB->holders),
	       atomic_load(&RB->gone[0]), atomic_load(&RB->gone[1]),
	       atomic_load(&RB->gone[2]));
	if (atomic_load(&RB->nerr))
		TH_LOG("the workers' first failure: %s", RB->err);
	ASSERT_STREQ("", why);
	ASSERT_EQ(0, atomic_load(&RB->nerr));
	for (i = 0; i < NWORKERS; i++)
		ASSERT_EQ(0, atomic_load(&RB->holds[i]));
	ASSERT_LT(0, unloads) TH_LOG("the module was never free to unload");
	ASSERT_LT(0, busy) TH_LOG("delete_module never found the module in use");
	ASSERT_LT(0, atomic_load(&RB->sessions));

	/* The module as found: loaded, unused, its counters balanced. */
	if (!mod_loaded())
		LOAD();
	ref = mod_refcnt();
	ASSERT_EQ(0, ref);
	fd = vmlab_open(O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, vmlab_get_stats(fd, &st));
	ASSERT_EQ(0, st.vmas_live);
	ASSERT_EQ(st.vma_opens, st.vma_closes);
	ASSERT_EQ(st.pages_allocated - st.pages_freed, st.pages_resident);
	ASSERT_EQ(0, vmlab_reset(fd, NULL));
	ASSERT_EQ(0, close(fd));
	munmap(RB, sizeof(*RB));
}

static void usage(const char *prog)
{
	fprintf(stderr, "usage: %s [--cycles N] [--seconds N] [--race-seconds N] "
		"[harness options]\n"
		"  --cycles N        load/unload cycles (%d)\n"
		"  --seconds N       ... or fewer when they take longer than N s (%d; 0: no limit)\n"
		"  --race-seconds N  the delete_module race (%d)\n"
		"  environment: VMLAB_KO (the module file: required), VMLAB_PARAMS (its\n"
		"  parameters), VMLAB_RELOAD_CYCLES, VMLAB_RELOAD_SECONDS,\n"
		"  VMLAB_RELOAD_RACE_SECONDS; VMLAB_RELOAD_VERBOSE=1 prints free memory\n"
		"  cycle by cycle\n",
		prog, DEFAULT_CYCLES, DEFAULT_SECONDS, DEFAULT_RACE_SECONDS);
}

/* A whole number, or the program stops with a message. */
static unsigned int parse_uint(const char *what, const char *s)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || end == s || *end || v > 1000000) {
		fprintf(stderr, "%s: \"%s\" is not a number from 0 to 1000000\n", what, s);
		exit(2);
	}
	return v;
}

static void env_uint(const char *name, unsigned int *v)
{
	const char *s = getenv(name);

	if (s && *s)
		*v = parse_uint(name, s);
}

int main(int argc, char **argv)
{
	char **args = calloc(argc + 1, sizeof(*args));
	int i, n = 0;

	if (!args)
		return 1;
	env_uint("VMLAB_RELOAD_CYCLES", &opt_cycles);
	env_uint("VMLAB_RELOAD_SECONDS", &opt_seconds);
	env_uint("VMLAB_RELOAD_RACE_SECONDS", &opt_race_seconds);
	for (i = 0; i < argc; i++) {
		if (i && !strcmp(argv[i], "--cycles") && i + 1 < argc) {
			opt_cycles = parse_uint(argv[i], argv[i + 1]);
			i++;
		} else if (i && !strcmp(argv[i], "--seconds") && i + 1 < argc) {
			opt_seconds = parse_uint(argv[i], argv[i + 1]);
			i++;
		} else if (i && !strcmp(argv[i], "--race-seconds") && i + 1 < argc) {
			opt_race_seconds = parse_uint(argv[i], argv[i + 1]);
			i++;
		} else if (i && !strcmp(argv[i], "--help")) {
			usage(argv[0]);
			return 0;
		} else {
			args[n++] = argv[i];
		}
	}
	if (!opt_cycles)
		opt_cycles = 1;
	if (!opt_race_seconds)
		opt_race_seconds = 1;
	/*
	 * The harness's time limits: the budget, or 10 s a cycle without
	 * one, and 3 times the race's budget, with room for a slow kernel.
	 */
	_reload_cycles_object->timeout = 300 + (opt_seconds ? 2 * opt_seconds :
						 10 * opt_cycles);
	_reload_delete_races_open_mmap_object->timeout = 120 + 3 * opt_race_seconds;
	vl_preflight(n, args);
	return test_harness_run(n, args);
}
