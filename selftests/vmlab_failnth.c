// SPDX-License-Identifier: GPL-2.0
/*
 * vmlab_failnth: every entry point of the module under failing
 * allocations.  For each call (open, read, write, each ioctl with each kind
 * of argument, mmap, each kind of fault, page_mkwrite, fsync, msync, fork
 * of a mapping, mremap, module load with each parameter) and for N = 1, 2,
 * 3, ... the N-th allocation (or user copy) the call makes is failed with
 * the task's fail-nth (Documentation/fault-injection/fault-injection.rst),
 * until the call completes without reaching its N-th.  Each pair must end
 * in success, a documented errno or, for a fault, SIGBUS; the counters
 * must still balance (pages_resident against the page cache, which
 * mincore() sees; vmas_live against /proc/self/maps); and the object must
 * read back exactly what was written to it before.  Oopses, WARNs, leaks
 * (kmemleak) and lockdep reports are the runner's to see in the kernel log.
 *
 * failslab and fail_page_alloc are set (debugfs) so that fail-nth reaches
 * allocations that may sleep, highmem and order-0 pages, quietly
 * (verbose=0); fail_usercopy fails copies from and to user memory too
 * (EFAULT).  Restored afterwards.  Only a kernel built with
 * CONFIG_FAULT_INJECTION has fail-nth: elsewhere every test skips.
 *
 * The kernel's own reports of some failures would fail the run, and are
 * not vmlab's: a module load walks N from shortly before the module's init
 * (loader_allocs()), with init_module(), and fork() finds a thread stack in
 * its CPU's cache (prep_fork()), so that no vmalloc() and no jump_label
 * table of the kernel's fails.  Faults whose page table the kernel cannot
 * allocate retry ("Huh VM_FAULT_OOM leaked out", not a report).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "vmlab_util.h"

#define FN_PATH		"/proc/thread-self/fail-nth"
#define DBG		"/sys/kernel/debug"
#define SHADOW_PAGES	1024	/* the object's first 4 MiB, as written */
#define BASE_PAGES	8	/* pages 0-7 hold data at the start of a pair */
#define HOLE		10	/* a hole */
#define RES		2	/* a resident page */
#define MAX_N		3000	/* a call that fails more often is a bug */
#define LOADER_SLACK	30	/* see loader_allocs() */
#define MAX_OK		4	/* outcomes an op may give besides its own */

/* What fail-nth configuration a test needs, and the values it replaced. */
static struct knob {
	const char *path, *val;
	char old[32];
	bool set;
} knobs[] = {
	{ .path = DBG "/failslab/ignore-gfp-wait", .val = "N" },
	{ .path = DBG "/failslab/verbose", .val = "0" },
	{ .path = DBG "/fail_page_alloc/ignore-gfp-wait", .val = "N" },
	{ .path = DBG "/fail_page_alloc/ignore-gfp-highmem", .val = "N" },
	{ .path = DBG "/fail_page_alloc/min-order", .val = "0" },
	{ .path = DBG "/fail_page_alloc/verbose", .val = "0" },
	{ .path = DBG "/fail_usercopy/verbose", .val = "0" },
};

static int fn_fd = -1;		/* this thread's fail-nth */

/* Fail the n-th allocation from now on; nothing else in between. */
static void fn_arm(unsigned int n)
{
	char b[16];
	int l = snprintf(b, sizeof(b), "%u", n);

	if (pwrite(fn_fd, b, l, 0) != l)
		abort();
}

/*
 * After the call: did the n-th come (fail-nth reads 0)?  Disarms.  The
 * number is printed before it is copied out, and that copy counts too:
 * EFAULT means the count was 1 then, not reached.
 */
static bool fn_fired(void)
{
	char b[16] = "";
	ssize_t r = pread(fn_fd, b, sizeof(b) - 1, 0);
	bool fired = r > 0 && strtoul(b, NULL, 10) == 0;
	int i;

	/* A count left over would fail a later call: zero it, and make sure. */
	for (i = 0; pwrite(fn_fd, "0", 1, 0) != 1 ||
	     pread(fn_fd, b, sizeof(b) - 1, 0) <= 0 || strtoul(b, NULL, 10); i++)
		if (i == 10)
			abort();
	return fired;
}

static int knob_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ok;

	if (fd < 0)
		return -1;
	ok = write(fd, val, strlen(val)) == (ssize_t)strlen(val);
	close(fd);
	return ok ? 0 : -1;
}

static void knobs_restore(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(knobs); i++)
		if (knobs[i].set && !knob_write(knobs[i].path, knobs[i].old))
			knobs[i].set = false;
}

/* NULL, or why fail-nth cannot be used here. */
static const char *knobs_set(char *why, size_t len)
{
	int fd;
	size_t i;
	ssize_t r;

	if (access("/proc/self/fail-nth", F_OK))
		return "no /proc/self/fail-nth: no CONFIG_FAULT_INJECTION (the debug kernel's)";
	if (access(DBG "/failslab", F_OK))
		mount("debugfs", DBG, "debugfs", 0, NULL);
	for (i = 0; i < ARRAY_SIZE(knobs); i++) {
		fd = open(knobs[i].path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			if (strstr(knobs[i].path, "usercopy"))
				continue;	/* CONFIG_FAULT_INJECTION_USERCOPY is optional */
			snprintf(why, len,
				 "%s: %s (CONFIG_FAILSLAB, FAIL_PAGE_ALLOC, FAULT_INJECTION_DEBUG_FS?)",
				 knobs[i].path, strerror(errno));
			return why;
		}
		r = read(fd, knobs[i].old, sizeof(knobs[i].old) - 1);
		close(fd);
		knobs[i].old[r > 0 ? r : 0] = '\0';
		if (knob_write(knobs[i].path, knobs[i].val)) {
			snprintf(why, len, "write %s: %s", knobs[i].path, strerror(errno));
			return why;
		}
		knobs[i].set = true;
	}
	return NULL;
}

/* Faults: a SIGBUS or SIGSEGV during an armed access jumps back. */
static sigjmp_buf fault_jb;
static volatile sig_atomic_t fault_on;

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	(void)si;
	(void)uc;
	if (fault_on) {
		fault_on = 0;
		siglongjmp(fault_jb, sig);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Arm n, then load (or store v at) p: 0, or the signal the access got. */
static int armed_touch(unsigned int n, volatile char *p, bool write, char v,
		       char *out)
{
	int sig = sigsetjmp(fault_jb, 0);

	if (sig)
		return sig;
	fault_on = 1;
	fn_arm(n);
	if (write)
		*p = v;
	else
		*out = *p;
	fault_on = 0;
	return 0;
}

/* One (entry point, N) pair's state. */
struct ctx {
	int fd;
	size_t ps;
	unsigned int n;
	unsigned char *shadow;		/* the object's first SHADOW_PAGES */
	unsigned char *buf;
	char *m, *m2;			/* mappings of the pair */
	size_t mlen, m2len;
	long ret;			/* what a read or write returned */
	size_t want;			/* what it asked for */
	pid_t child;
	char byte;
	const struct op *op;		/* the entry point */
	struct vmlab_stats st;		/* before the call */
	struct vmlab_inspect req;
	struct vmlab_page_info *pi;
	char why[256];
};

/* An entry point: prepare (unarmed), call (arms c->n itself), check. */
struct op {
	const char *name;
	bool (*prep)(struct ctx *c);
	int (*call)(struct ctx *c);	/* 0, -errno, or a signal */
	bool (*post)(struct ctx *c, int res, bool fired);
	int expect;			/* what the call gives without injection */
	int ok[MAX_OK];			/* what else it may give with one */
};

#define FAIL(c, ...) ({ snprintf((c)->why, sizeof((c)->why), __VA_ARGS__); false; })

static char *map(struct ctx *c, size_t pages, int prot, int flags, off_t pgoff)
{
	char *m = mmap(NULL, pages * c->ps, prot, flags, c->fd, pgoff * c->ps);

	return m == MAP_FAILED ? NULL : m;
}

static void unmap_all(struct ctx *c)
{
	if (c->m)
		munmap(c->m, c->mlen);
	if (c->m2)
		munmap(c->m2, c->m2len);
	c->m = NULL;
	c->m2 = NULL;
}

/* The start of every pair: pages 0-7 hold data, the rest are holes. */
static bool base(struct ctx *c)
{
	size_t len = BASE_PAGES * c->ps;

	if (vmlab_reset(c->fd, NULL))
		return FAIL(c, "reset: %s", strerror(errno));
	memset(c->shadow, 0, SHADOW_PAGES * c->ps);
	vl_fill(c->shadow, len, 1000 + c->n);
	if (pwrite(c->fd, c->shadow, len, 0) != (ssize_t)len)
		return FAIL(c, "pwrite of the data: %s", strerror(errno));
	if (vmlab_get_stats(c->fd, &c->st))
		return FAIL(c, "stats: %s", strerror(errno));
	return true;
}

/* The counters against the kernel's views of the object and its VMAs. */
static bool balanced(struct ctx *c)
{
	size_t pages, i, incore = 0;
	struct vmlab_stats st;
	unsigned char *vec;
	int lines = vmlab_maps_count(0, VMLAB_DEVICE);
	void *all;

	if (vmlab_get_stats(c->fd, &st))
		return FAIL(c, "stats: %s", strerror(errno));
	if (st.pages_resident != st.pages_allocated - st.pages_freed)
		return FAIL(c, "pages_resident %llu, allocated - freed %llu",
			    (unsigned long long)st.pages_resident,
			    (unsigned long long)(st.pages_allocated - st.pages_freed));
	if (st.vmas_live != (uint64_t)lines)
		return FAIL(c, "vmas_live %llu, /proc/self/maps has %d of the device's",
			    (unsigned long long)st.vmas_live, lines);
	if (st.pages_dirty > st.pages_resident)
		return FAIL(c, "pages_dirty %llu > pages_resident %llu",
			    (unsigned long long)st.pages_dirty,
			    (unsigned long long)st.pages_resident);
	/* mincore() of a shared mapping tells what the page cache holds. */
	pages = st.size / c->ps;
	all = mmap(NULL, st.size, PROT_READ, MAP_SHARED, c->fd, 0);
	vec = malloc(pages);
	if (all == MAP_FAILED || !vec || mincore(all, st.size, vec))
		return FAIL(c, "mincore of the object: %s", strerror(errno));
	for (i = 0; i < pages; i++)
		incore += vec[i] & 1;
	munmap(all, st.size);
	free(vec);
	if (incore != st.pages_resident)
		return FAIL(c, "pages_resident %llu, the page cache holds %zu",
			    (unsigned long long)st.pages_resident, incore);
	return true;
}

/* The object reads back what was written to it. */
static bool shadow_ok(struct ctx *c)
{
	size_t len = SHADOW_PAGES * c->ps, i;

	if (pread(c->fd, c->buf, len, 0) != (ssize_t)len)
		return FAIL(c, "pread of the object: %s", strerror(errno));
	if (!memcmp(c->buf, c->shadow, len))
		return true;
	for (i = 0; c->buf[i] == c->shadow[i]; i++)
		;
	return FAIL(c, "the object differs at byte %zu (page %zu): %#x, written %#x",
		    i, i / c->ps, c->buf[i], c->shadow[i]);
}

static const char *res_str(int res, char *b, size_t len)
{
	if (res > 0)
		snprintf(b, len, "signal %s", strsignal(res));
	else
		snprintf(b, len, "%s", res ? strerror(-res) : "success");
	return b;
}

/* Which of op->ok[] (which ends at its first 0) res is, or -1. */
static int other_outcome(const struct op *op, int res)
{
	int i;

	for (i = 0; i < MAX_OK && op->ok[i]; i++)
		if (op->ok[i] == res)
			return i;
	return -1;
}

/* Run op for N = 1, 2, ... until a call completes without reaching its N. */
static void run_op(struct __test_metadata *_metadata, struct ctx *c,
		   const struct op *op)
{
	unsigned int injected = 0, outcomes[MAX_OK] = { 0 };
	char seen[160] = "", r1[48], r2[48];
	bool fired;
	int res, i;

	c->op = op;
	for (c->n = 1; c->n <= MAX_N; c->n++) {
		ASSERT_TRUE(base(c)) TH_LOG("%s N=%u: %s", op->name, c->n, c->why);
		ASSERT_TRUE(!op->prep || op->prep(c))
			TH_LOG("%s N=%u: preparing: %s", op->name, c->n, c->why);
		res = op->call(c);
		fired = fn_fired();
		if (!fired)
			ASSERT_EQ(op->expect, res)
				TH_LOG("%s N=%u: no injected failure, and %s, not %s", op->name,
				       c->n, res_str(res, r1, sizeof(r1)),
				       res_str(op->expect, r2, sizeof(r2)));
		i = res == op->expect ? -1 : other_outcome(op, res);
		ASSERT_TRUE(res == op->expect || i >= 0)
			TH_LOG("%s N=%u: %s is no documented outcome", op->name, c->n,
			       res_str(res, r1, sizeof(r1)));
		if (i >= 0 && !outcomes[i]++) {
			res_str(res, r1, sizeof(r1));
			snprintf(seen + strlen(seen), sizeof(seen) - strlen(seen), "%s%s",
				 *seen ? ", " : "", r1);
		}
		injected += fired;
		ASSERT_TRUE(op->post(c, res, fired))
			TH_LOG("%s N=%u (%s, %s): %s", op->name, c->n,
			       res_str(res, r1, sizeof(r1)),
			       fired ? "failure injected" : "none injected", c->why);
		unmap_all(c);
		ASSERT_TRUE(balanced(c)) TH_LOG("%s N=%u: %s", op->name, c->n, c->why);
		ASSERT_TRUE(shadow_ok(c)) TH_LOG("%s N=%u: %s", op->name, c->n, c->why);
		if (!fired)
			break;
	}
	ASSERT_GE(MAX_N, c->n) TH_LOG("%s: the N-th failed still at N=%u", op->name, MAX_N);
	printf("# failnth: %s: %u pairs, largest N %u (%u injected; other outcomes: %s)\n",
	       op->name, c->n, c->n, injected, *seen ? seen : "none");
}

static bool mod_loaded(void)
{
	return !access("/sys/module/vmlab", F_OK);
}

static int mod_unload(void)
{
	int i;

	for (i = 0; i < 100; i++) {
		if (!syscall(SYS_delete_module, "vmlab", O_NONBLOCK) || errno == ENOENT)
			return 0;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -errno;
		usleep(50000);
	}
	return -EBUSY;
}

/*
 * How many allocations (and user copies) the module loader makes before
 * it calls the module's init, in a load without injection: a kprobe on
 * should_fail_ex(), which every one of them passes, and the module_load
 * tracepoint, which fires right before the init (kernel/module/main.c).
 * Failing the loader's own allocations tests the kernel, not vmlab, and
 * makes it WARN on purpose (kernel/jump_label.c: "Failed to allocate
 * memory: jump_label may not work properly."): the walk starts near the
 * module's init.  Interrupts' calls (flags h, s) are not the task's.  A
 * kretprobe on jump_label_module_notify() tells where those tables are
 * done (*jl, the count before its first return).
 * Return: the count, or -1 with c->why saying why not.
 */
#define TR		"/sys/kernel/tracing"
#define TRI		TR "/instances/vmlab_failnth"

static long loader_allocs(struct ctx *c, const char *img, size_t len,
			  const char *params, long *jl)
{
	char pid[16], line[512], *p;
	unsigned long kept, written;
	long n = 0, found = -1;
	FILE *f;
	int r;

	*c->why = '\0';
	*jl = -1;

	if (access(TR "/kprobe_events", F_OK))
		mount("tracefs", TR, "tracefs", 0, NULL);
	snprintf(pid, sizeof(pid), "%d", getpid());
	if ((mkdir(TRI, 0700) && errno != EEXIST) ||
	    knob_write(TR "/kprobe_events", "p:failnth/should_fail should_fail_ex\n") ||
	    knob_write(TR "/kprobe_events", "r:failnth/jl jump_label_module_notify\n") ||
	    knob_write(TRI "/events/failnth/jl/enable", "1") ||
	    knob_write(TRI "/buffer_size_kb", "8192") ||
	    knob_write(TRI "/set_event_pid", pid) ||
	    knob_write(TRI "/events/failnth/should_fail/enable", "1") ||
	    knob_write(TRI "/events/module/module_load/enable", "1")) {
		FAIL(c, "kprobe on should_fail_ex, module_load event: %s", strerror(errno));
		goto out;
	}
	r = syscall(SYS_init_module, img, (unsigned long)len, params);
	knob_write(TRI "/tracing_on", "0");
	if (r) {
		FAIL(c, "init_module: %s", strerror(errno));
		goto out;
	}
	f = fopen(TRI "/trace", "re");
	while (f && fgets(line, sizeof(line), f)) {
		/* An overwritten event would make the count short. */
		if (sscanf(line, "# entries-in-buffer/entries-written: %lu/%lu",
			   &kept, &written) == 2 && kept != written) {
			FAIL(c, "the trace lost %lu of %lu events", written - kept, written);
			break;
		}
		if (line[0] == '#')
			continue;
		if (*jl < 0 && strstr(line, " jl: "))
			*jl = n;
		if (strstr(line, " module_load: ")) {
			found = n;
			break;
		}
		/* "comm-pid [cpu] flags time: should_fail: ...", flags "dnhp." */
		p = strchr(line, ']');
		if (p && strstr(line, " should_fail: ") && p[2] && p[3] && p[4] == '.')
			n++;
	}
	if (f)
		fclose(f);
	if (found < 0 && !*c->why)
		FAIL(c, "no module_load event in the trace");
out:
	knob_write(TRI "/events/failnth/should_fail/enable", "0");
	knob_write(TRI "/events/module/module_load/enable", "0");
	knob_write(TRI "/events/failnth/jl/enable", "0");
	rmdir(TRI);
	knob_write(TR "/kprobe_events", "-:failnth/should_fail\n");
	knob_write(TR "/kprobe_events", "-:failnth/jl\n");
	return found;
}

FIXTURE(failnth)
{
	struct ctx c;
	long fault_around;	/* the kernel's, before the test */
};

FIXTURE_SETUP(failnth)
{
	struct sigaction sa = { .sa_sigaction = on_fault,
				.sa_flags = SA_SIGINFO | SA_NODEFER };
	struct ctx *c = &self->c;
	const char *skip;
	cpu_set_t cpus;
	char why[200];

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->child = -1;
	skip = knobs_set(why, sizeof(why));
	ASSERT_TRUE(skip != why) TH_LOG("%s", why);
	if (skip)
		SKIP(return, "%s", skip);
	fn_fd = open(FN_PATH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fn_fd) TH_LOG(FN_PATH ": %s", strerror(errno));
	c->ps = vmlab_page_size();
	VL_SETUP_DEVICE(c->fd, c->st);
	VL_NEED_PAGES(c->st, SHADOW_PAGES + 16);
	/* Every fault of a scenario reaches the module: no fault-around. */
	VL_SETUP_NO_FAULT_AROUND(self->fault_around);
	c->shadow = malloc(SHADOW_PAGES * c->ps);
	c->buf = malloc(SHADOW_PAGES * c->ps);
	c->pi = calloc(VMLAB_INSPECT_MAX_PAGES, sizeof(*c->pi));
	ASSERT_TRUE(c->shadow && c->buf && c->pi);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
	/* One CPU: the stack cache of prep_fork(). */
	CPU_ZERO(&cpus);
	CPU_SET(sched_getcpu(), &cpus);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(cpus), &cpus));
}

FIXTURE_TEARDOWN(failnth)
{
	const char *ko = getenv("VMLAB_KO"), *params = getenv("VMLAB_PARAMS");
	int kofd;

	knobs_restore();
	vl_fault_around_restore(self->fault_around);
	/* module_load stopped half-way: the module as the guest loaded it. */
	if (ko && access("/sys/module/vmlab", F_OK)) {
		kofd = open(ko, O_RDONLY | O_CLOEXEC);
		if (kofd < 0 || syscall(SYS_finit_module, kofd, params ? params : "", 0))
			fprintf(stderr, "# loading %s again: %s\n", ko, strerror(errno));
		if (kofd >= 0)
			close(kofd);
	}
	if (self->c.child > 0) {
		kill(self->c.child, SIGKILL);
		waitpid(self->c.child, NULL, 0);
	}
	if (self->c.fd >= 0)
		close(self->c.fd);
}

/* --- open, read, write, ioctl --- */

static int call_open(struct ctx *c)
{
	int fd;

	fn_arm(c->n);
	fd = open(VMLAB_DEVICE, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	c->ret = fd;
	return 0;
}

static bool post_open(struct ctx *c, int res, bool fired)
{
	(void)fired;
	if (res)
		return true;
	if (pread(c->ret, c->buf, c->ps, 0) != (ssize_t)c->ps ||
	    memcmp(c->buf, c->shadow, c->ps))
		return FAIL(c, "the new descriptor does not read the data back");
	close(c->ret);
	return true;
}

/* A read over pages 4-7 and the holes after them. */
static int call_read(struct ctx *c)
{
	fn_arm(c->n);
	c->ret = pread(c->fd, c->buf, 16 * c->ps, 4 * c->ps);
	return c->ret < 0 ? -errno : 0;
}

static bool post_read(struct ctx *c, int res, bool fired)
{
	if (res)
		return true;
	if (!fired && c->ret != (long)(16 * c->ps))
		return FAIL(c, "read %ld of %zu bytes", c->ret, 16 * c->ps);
	if (c->ret <= 0 || memcmp(c->buf, c->shadow + 4 * c->ps, c->ret))
		return FAIL(c, "read returned %ld bytes, not what the object holds", c->ret);
	return true;
}

/* A write at byte off of len bytes: into holes, or over data. */
static int call_write(struct ctx *c, off_t off, size_t len)
{
	vl_fill(c->buf, len, 2000 + c->n);
	c->want = len;
	fn_arm(c->n);
	c->ret = pwrite(c->fd, c->buf, len, off);
	if (c->ret < 0)
		return -errno;
	if (c->ret > 0)
		memcpy(c->shadow + off, c->buf, c->ret);
	return 0;
}

static int call_write_hole(struct ctx *c)
{
	return call_write(c, 8 * c->ps, 8 * c->ps);
}

static int call_write_data(struct ctx *c)
{
	return call_write(c, 100, 3 * c->ps);
}

static bool post_write(struct ctx *c, int res, bool fired)
{
	if (!res && !fired && c->ret != (long)c->want)
		return FAIL(c, "a short write (%ld of %zu) without an injected failure",
			    c->ret, c->want);
	if (!res && c->ret <= 0)
		return FAIL(c, "write returned %ld", c->ret);
	return true;
}

static int call_stats(struct ctx *c)
{
	struct vmlab_stats st;

	fn_arm(c->n);
	return ioctl(c->fd, VMLAB_IOC_STATS, &st) ? -errno : 0;
}

static bool post_none(struct ctx *c, int res, bool fired)
{
	(void)c;
	(void)res;
	(void)fired;
	return true;
}

/* RESET with the object mapped: shared, private over holes and copied. */
static bool prep_reset(struct ctx *c)
{
	c->mlen = 16 * c->ps;
	c->m2len = c->mlen;
	c->m = map(c, 16, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	c->m2 = map(c, 16, PROT_READ | PROT_WRITE, MAP_PRIVATE, 0);
	if (!c->m || !c->m2)
		return FAIL(c, "mmap: %s", strerror(errno));
	vl_touch_read(c->m, 16 * c->ps);
	vl_touch_read(c->m2, 16 * c->ps);
	c->m2[HOLE * c->ps] = 1;
	return !vmlab_get_stats(c->fd, &c->st);
}

static int call_reset(struct ctx *c)
{
	struct vmlab_reset rs = { 0 };

	fn_arm(c->n);
	return ioctl(c->fd, VMLAB_IOC_RESET, &rs) ? -errno : 0;
}

static bool post_reset(struct ctx *c, int res, bool fired)
{
	struct vmlab_stats st;

	(void)fired;
	if (vmlab_get_stats(c->fd, &st))
		return FAIL(c, "stats: %s", strerror(errno));
	/* EFAULT copying the answer out: the reset may have been done. */
	if (st.resets != c->st.resets) {
		memset(c->shadow, 0, SHADOW_PAGES * c->ps);
		if (!vl_is_zero(c->m, 16 * c->ps) || !vl_is_zero(c->m2, c->ps))
			return FAIL(c, "the mappings still see data after the reset");
	} else if (!res) {
		return FAIL(c, "RESET succeeded, the resets counter did not move");
	}
	if (c->m2[HOLE * c->ps] != 1)
		return FAIL(c, "the private copy was lost");
	return true;
}

/* A shared mapping of the object's first pages, the first 16 mapped. */
static bool map_touched(struct ctx *c, size_t pages)
{
	c->mlen = pages * c->ps;
	c->m = map(c, pages, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	if (!c->m)
		return FAIL(c, "mmap: %s", strerror(errno));
	vl_touch_read(c->m, 16 * c->ps);
	return true;
}

/* --- INSPECT --- */

static bool prep_inspect(struct ctx *c)
{
	if (!map_touched(c, 32))
		return false;
	memset(&c->req, 0, sizeof(c->req));
	c->req.addr = (uintptr_t)c->m;
	c->req.npages = 32;
	c->req.pages = (uintptr_t)c->pi;
	c->req.info_size = sizeof(*c->pi);
	return true;
}

static bool prep_inspect_all(struct ctx *c)
{
	if (!prep_inspect(c))
		return false;
	c->req.npages = VMLAB_INSPECT_MAX_PAGES;	/* the mapping, and beyond it */
	return true;
}

static bool prep_inspect_pid(struct ctx *c)
{
	if (!prep_inspect(c))
		return false;
	c->req.pid = getpid();
	return true;
}

static bool prep_inspect_bad(struct ctx *c)
{
	if (!prep_inspect(c))
		return false;
	c->req.info_size--;
	return true;
}

/* Another process, which maps the object and waits to be killed. */
static bool prep_inspect_other(struct ctx *c)
{
	uint64_t addr;
	int pfd[2];

	if (pipe(pfd))
		return FAIL(c, "pipe: %s", strerror(errno));
	c->child = fork();
	if (c->child < 0)
		return FAIL(c, "fork: %s", strerror(errno));
	if (!c->child) {
		char *m = map(c, 32, PROT_READ, MAP_SHARED, 0);

		if (!m)
			_exit(1);
		vl_touch_read(m, 32 * c->ps);
		addr = (uintptr_t)m;
		if (write(pfd[1], &addr, sizeof(addr)) != sizeof(addr))
			_exit(1);
		for (;;)
			pause();
	}
	close(pfd[1]);
	if (read(pfd[0], &addr, sizeof(addr)) != sizeof(addr))
		addr = 0;
	close(pfd[0]);
	if (!addr)
		return FAIL(c, "the other process did not map the object");
	memset(&c->req, 0, sizeof(c->req));
	c->req.pid = c->child;
	c->req.addr = addr;
	c->req.npages = 32;
	c->req.pages = (uintptr_t)c->pi;
	c->req.info_size = sizeof(*c->pi);
	return true;
}

static int call_inspect(struct ctx *c)
{
	fn_arm(c->n);
	return ioctl(c->fd, VMLAB_IOC_INSPECT, &c->req) ? -errno : 0;
}

static bool post_inspect(struct ctx *c, int res, bool fired)
{
	unsigned int i;
	int st;

	(void)fired;
	/*
	 * ESRCH of a process that is still there.  vmlab opens
	 * /proc/PID/pagemap in its own procfs mount (module/inspect.c) and
	 * takes ENOENT for a process that has gone: ESRCH.  procfs's lookup
	 * also answers ENOENT when it cannot allocate the inode of /proc/PID
	 * or of pagemap (proc_pid_instantiate(), proc_pident_instantiate()
	 * in fs/proc/base.c), which it makes when the name is not in its
	 * dentry cache, as the other process of every pair is new to it.  An
	 * injected failure there is ESRCH, as opening /proc/PID/pagemap
	 * gives ENOENT for it.  The process must be alive, and found by the
	 * same call without injection.
	 */
	if (res == -ESRCH && c->child > 0) {
		if (waitpid(c->child, NULL, WNOHANG))
			return FAIL(c, "ESRCH, and the other process has gone");
		if (ioctl(c->fd, VMLAB_IOC_INSPECT, &c->req))
			return FAIL(c, "ESRCH, and again without injection: %s",
				    strerror(errno));
		res = 0;
	}
	if (c->child > 0) {
		kill(c->child, SIGKILL);
		st = vl_wait(c->child);
		c->child = -1;
		if (st != 128 + SIGKILL)
			return FAIL(c, "the other process ended with %d", st);
	}
	if (res)
		return true;
	for (i = 0; i < 16; i++)
		if (!(c->pi[i].page & VMLAB_PAGE_VMLAB) || c->pi[i].obj_offset != i)
			return FAIL(c, "page %u: not reported as the object's page %u", i, i);
	return true;
}

/* --- mmap, faults, page_mkwrite, fsync, msync, fork, mremap --- */

static int call_mmap(struct ctx *c, int flags)
{
	fn_arm(c->n);
	c->m = mmap(NULL, 16 * c->ps, PROT_READ | PROT_WRITE, flags, c->fd, 0);
	if (c->m == MAP_FAILED) {
		c->m = NULL;
		return -errno;
	}
	c->mlen = 16 * c->ps;
	return 0;
}

static int call_mmap_shared(struct ctx *c)
{
	return call_mmap(c, MAP_SHARED);
}

static int call_mmap_private(struct ctx *c)
{
	return call_mmap(c, MAP_PRIVATE);
}

static bool post_mmap(struct ctx *c, int res, bool fired)
{
	(void)fired;
	if (!res && memcmp(c->m, c->shadow, BASE_PAGES * c->ps))
		return FAIL(c, "the new mapping does not read the data");
	return true;
}

/* A fault: where (page), how (shared, write), after what (prep). */
struct fault {
	size_t page;
	bool shared, write, huge, premap;
};

static struct fault fault_of(const struct op *op)
{
	const char *n = op->name;
	struct fault f = {
		.shared = strstr(n, "shared") || strstr(n, "mkwrite") || strstr(n, "huge"),
		.write = strstr(n, "write"),
		.huge = strstr(n, "huge"),
		.premap = strstr(n, "mkwrite") || strstr(n, "zero_entry"),
		.page = strstr(n, "data") || strstr(n, "mkwrite") ? RES : HOLE,
	};

	if (f.huge)
		f.page = 512 + 7;
	return f;
}

static bool prep_fault(struct ctx *c)
{
	struct fault f = fault_of(c->op);
	int flags = f.shared ? MAP_SHARED : MAP_PRIVATE;

	c->mlen = f.huge ? 4 * VL_MiB : 32 * c->ps;
	c->m = map(c, c->mlen / c->ps, PROT_READ | PROT_WRITE, flags, 0);
	if (!c->m)
		return FAIL(c, "mmap: %s", strerror(errno));
	if (f.huge && ((uintptr_t)c->m % (2 * VL_MiB) ||
		       madvise(c->m + 2 * VL_MiB, 2 * VL_MiB, MADV_HUGEPAGE)))
		return FAIL(c, "no 2 MiB aligned MADV_HUGEPAGE mapping: %p, %s",
			    c->m, strerror(errno));
	/* page_mkwrite: a clean page, mapped for reading first. */
	if (f.premap && f.shared && fsync(c->fd))
		return FAIL(c, "fsync: %s", strerror(errno));
	if (f.premap)
		vl_touch_read(c->m + f.page * c->ps, 1);
	return !vmlab_get_stats(c->fd, &c->st);
}

static int call_fault(struct ctx *c)
{
	struct fault f = fault_of(c->op);

	return armed_touch(c->n, c->m + f.page * c->ps + 5, f.write,
			   (char)(c->n | 1), &c->byte);
}

static bool post_fault(struct ctx *c, int res, bool fired)
{
	struct fault f = fault_of(c->op);
	size_t off = f.page * c->ps + 5;
	struct vmlab_stats st;

	if (vmlab_get_stats(c->fd, &st))
		return FAIL(c, "stats: %s", strerror(errno));
	if (res) {
		if (st.sigbus == c->st.sigbus)
			return FAIL(c, "SIGBUS the module did not count");
		return true;
	}
	if (!f.write && c->byte != (char)c->shadow[off])
		return FAIL(c, "the fault read %#x, the object holds %#x",
			    c->byte, c->shadow[off]);
	if (f.write && c->m[off] != (char)(c->n | 1))
		return FAIL(c, "the store did not stick");
	if (f.write && f.shared)
		c->shadow[off] = c->n | 1;
	if (f.huge && !fired && st.pages_allocated - c->st.pages_allocated != 512)
		return FAIL(c, "no 2 MiB fill without an injected failure (%llu pages)",
			    (unsigned long long)(st.pages_allocated - c->st.pages_allocated));
	return true;
}

/* fsync and msync of dirty pages. */
static bool prep_sync(struct ctx *c)
{
	c->mlen = 16 * c->ps;
	c->m = map(c, 16, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	if (!c->m || fsync(c->fd))
		return FAIL(c, "mmap, fsync: %s", strerror(errno));
	vl_fill(c->m + c->ps, 3 * c->ps, 3000 + c->n);
	memcpy(c->shadow + c->ps, c->m + c->ps, 3 * c->ps);
	return true;
}

static int call_fsync(struct ctx *c)
{
	fn_arm(c->n);
	return fsync(c->fd) ? -errno : 0;
}

static int call_msync(struct ctx *c)
{
	fn_arm(c->n);
	return msync(c->m, c->mlen, MS_SYNC) ? -errno : 0;
}

static bool post_sync(struct ctx *c, int res, bool fired)
{
	struct vmlab_stats st;

	(void)fired;
	if (vmlab_get_stats(c->fd, &st))
		return FAIL(c, "stats: %s", strerror(errno));
	if (!res && st.pages_dirty)
		return FAIL(c, "%llu pages still dirty after the sync",
			    (unsigned long long)st.pages_dirty);
	return true;
}

/* fork() of a process with a shared mapping and a private copy. */
static bool prep_fork(struct ctx *c)
{
	pid_t pid = fork();

	/*
	 * A child that has been reaped leaves its stack in this CPU's cache
	 * (the program runs on one CPU): the armed fork takes it, and does
	 * not vmalloc() one, whose failure the kernel reports (warn_alloc).
	 */
	if (pid < 0)
		return FAIL(c, "fork: %s", strerror(errno));
	if (!pid)
		_exit(0);
	if (vl_wait(pid))
		return FAIL(c, "the warm-up child failed");
	if (!prep_reset(c))
		return false;
	c->m[HOLE * c->ps] = 9;
	c->shadow[HOLE * c->ps] = 9;
	return true;
}

static int call_fork(struct ctx *c)
{
	pid_t pid;

	fn_arm(c->n);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (!pid)
		_exit(c->m[HOLE * c->ps] != 9 || c->m2[HOLE * c->ps] != 1 ||
		      memcmp(c->m, c->shadow, BASE_PAGES * c->ps) ? 3 : 0);
	c->child = pid;
	return 0;
}

static bool post_fork(struct ctx *c, int res, bool fired)
{
	int st;

	(void)fired;
	if (res)
		return true;
	st = vl_wait(c->child);
	c->child = -1;
	if (st)
		return FAIL(c, "the child saw other data (exit %d)", st);
	return true;
}

/* mremap(): grow a mapping in place or by a move. */
static bool prep_mremap(struct ctx *c)
{
	return map_touched(c, 16);
}

static int call_mremap(struct ctx *c)
{
	char *m;

	fn_arm(c->n);
	m = mremap(c->m, c->mlen, 64 * c->ps, MREMAP_MAYMOVE);
	if (m == MAP_FAILED)
		return -errno;
	c->m = m;
	c->mlen = 64 * c->ps;
	return 0;
}

static bool post_mremap(struct ctx *c, int res, bool fired)
{
	(void)fired;
	(void)res;
	if (memcmp(c->m, c->shadow, BASE_PAGES * c->ps))
		return FAIL(c, "the mapping does not read the data");
	return true;
}

#define NOMEM		{ -ENOMEM, -EFAULT }
#define FAULT_OP(nm, ...) { .name = nm, .prep = prep_fault, .call = call_fault,	\
			    .post = post_fault, .ok = { __VA_ARGS__ } }

static const struct op ops[] = {
	{ "open", NULL, call_open, post_open, 0, NOMEM },
	{ "read", NULL, call_read, post_read, 0, NOMEM },
	{ "write_hole", NULL, call_write_hole, post_write, 0, NOMEM },
	{ "write_data", NULL, call_write_data, post_write, 0, NOMEM },
	{ "ioctl_stats", NULL, call_stats, post_none, 0, NOMEM },
	{ "ioctl_reset", prep_reset, call_reset, post_reset, 0, NOMEM },
	{ "inspect_self", prep_inspect, call_inspect, post_inspect, 0, NOMEM },
	{ "inspect_self_512", prep_inspect_all, call_inspect, post_inspect, 0, NOMEM },
	{ "inspect_own_pid", prep_inspect_pid, call_inspect, post_inspect, 0, NOMEM },
	{ "inspect_bad_size", prep_inspect_bad, call_inspect, post_inspect, -EINVAL,
	  { -EFAULT } },
	/* ESRCH: procfs's lookup did not allocate (post_inspect()). */
	{ "inspect_other_pid", prep_inspect_other, call_inspect, post_inspect, 0,
	  { -ENOMEM, -EFAULT, -ESRCH } },
	{ "mmap_shared", NULL, call_mmap_shared, post_mmap, 0, { -ENOMEM } },
	{ "mmap_private", NULL, call_mmap_private, post_mmap, 0, { -ENOMEM } },
	FAULT_OP("fault_shared_read_hole", SIGBUS),
	FAULT_OP("fault_shared_read_data"),
	FAULT_OP("fault_shared_write_hole", SIGBUS),
	FAULT_OP("fault_shared_write_data"),
	FAULT_OP("page_mkwrite"),
	FAULT_OP("fault_private_read_hole"),
	FAULT_OP("fault_private_read_data"),
	FAULT_OP("fault_private_write_hole"),
	FAULT_OP("fault_private_write_data"),
	FAULT_OP("fault_private_write_zero_entry"),
	FAULT_OP("fault_huge_read", SIGBUS),
	FAULT_OP("fault_huge_write", SIGBUS),
	{ "fsync", prep_sync, call_fsync, post_sync, 0, NOMEM },
	{ "msync", prep_sync, call_msync, post_sync, 0, NOMEM },
	{ "fork", prep_fork, call_fork, post_fork, 0, { -ENOMEM, -EAGAIN } },
	{ "mremap", prep_mremap, call_mremap, post_mremap, 0, NOMEM },
};

/* Run the ops whose names begin with a word of prefixes, in table order. */
static void run_named(struct __test_metadata *_metadata, struct ctx *c,
		      const char *prefixes)
{
	const char *w;
	size_t i, len;

	for (i = 0; i < ARRAY_SIZE(ops); i++) {
		for (w = prefixes; *w; w += len + !!w[len]) {
			len = strcspn(w, " ");
			if (!strncmp(ops[i].name, w, len))
				break;
		}
		if (!*w)
			continue;
		run_op(_metadata, c, &ops[i]);
	}
}

TEST_F_TIMEOUT(failnth, file, 300)
{
	run_named(_metadata, &self->c, "open read write fsync");
}

TEST_F_TIMEOUT(failnth, ioctl, 300)
{
	run_named(_metadata, &self->c, "ioctl inspect");
}

TEST_F_TIMEOUT(failnth, mapping, 300)
{
	run_named(_metadata, &self->c, "mmap msync fork mremap");
}

TEST_F_TIMEOUT(failnth, faults, 300)
{
	run_named(_metadata, &self->c, "fault page_mkwrite");
}

/* --- module load --- */

/* The module just loaded with these parameters works as they say. */
static bool mod_works(struct ctx *c, unsigned int size_mb, unsigned int limit_mb,
		      unsigned int mode)
{
	struct vmlab_stats st;
	struct stat sb;
	int fd = vmlab_open(O_RDWR);
	bool ok;

	if (fd < 0)
		return FAIL(c, "open after the load: %s", strerror(errno));
	vl_fill(c->buf, c->ps, 77);
	ok = !vmlab_get_stats(fd, &st) && st.size == size_mb * VL_MiB &&
	     st.mem_limit == limit_mb * VL_MiB && !st.pages_resident &&
	     pwrite(fd, c->buf, c->ps, c->ps) == (ssize_t)c->ps &&
	     pread(fd, c->buf, c->ps, c->ps) == (ssize_t)c->ps &&
	     vl_check(c->buf, c->ps, 77) && !stat(VMLAB_DEVICE, &sb) &&
	     (sb.st_mode & 0777) == mode;
	close(fd);
	return ok ? true : FAIL(c, "the loaded module does not work as its parameters say");
}

/*
 * init_module(), not finit_module(): the kernel copies the image from user
 * memory with a quiet vmalloc(), where finit_module()'s kernel_read_file()
 * reports its failure (warn_alloc), which the runner would take for a
 * problem.  Both call the module's init the same way.
 */
TEST_F_TIMEOUT(failnth, module_load, 600)
{
	static const struct {
		const char *params;
		unsigned int size_mb, limit_mb, mode;
	} loads[] = {
		{ "", 64, 64, 0600 },
		{ "size_mb=6", 6, 6, 0600 },
		{ "size_mb=6 mem_limit_mb=2", 6, 2, 0600 },
		{ "size_mb=6 dev_mode=0666", 6, 6, 0666 },
	};
	const char *ko = getenv("VMLAB_KO"), *params = getenv("VMLAB_PARAMS");
	unsigned int l, injected, nerr[2];
	struct ctx *c = &self->c;
	struct stat sb;
	int kofd, r, err, i;
	long loader, first, ld, jl, j;
	char *img;
	bool fired;

	if (!ko)
		SKIP(return, "VMLAB_KO is not set: the test cannot load the module again");
	kofd = open(ko, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, kofd) TH_LOG("%s: %s", ko, strerror(errno));
	ASSERT_EQ(0, fstat(kofd, &sb));
	img = malloc(sb.st_size);
	ASSERT_NE(NULL, img);
	ASSERT_EQ(sb.st_size, read(kofd, img, sb.st_size));
	close(c->fd);
	c->fd = -1;
	for (l = 0; l < ARRAY_SIZE(loads); l++) {
		injected = 0;
		memset(nerr, 0, sizeof(nerr));
		/*
		 * Loads differ (vmalloc() takes its pages in one bulk call or
		 * in several): the largest of two, less a little, but past
		 * the jump_label tables, whose failure the kernel WARNs of.
		 */
		for (loader = jl = 0, i = 0; i < 2; i++) {
			ASSERT_EQ(0, mod_unload());
			ld = loader_allocs(c, img, sb.st_size, loads[l].params, &j);
			ASSERT_LE(0, ld) TH_LOG("%s", c->why);
			ASSERT_LE(0, j) TH_LOG("no return from jump_label_module_notify()");
			loader = ld > loader ? ld : loader;
			jl = j > jl ? j : jl;
		}
		first = loader - LOADER_SLACK > jl ? loader - LOADER_SLACK : jl + 1;
		for (c->n = first; c->n <= first + MAX_N; c->n++) {
			ASSERT_EQ(0, mod_unload());
			fn_arm(c->n);
			r = syscall(SYS_init_module, img, (unsigned long)sb.st_size,
				    loads[l].params);
			err = errno;
			fired = fn_fired();
			injected += fired;
			if (!r) {
				ASSERT_TRUE(mod_works(c, loads[l].size_mb, loads[l].limit_mb,
						      loads[l].mode))
					TH_LOG("\"%s\" N=%u: %s", loads[l].params, c->n, c->why);
			} else {
				ASSERT_TRUE(fired)
					TH_LOG("\"%s\" N=%u: no injected failure, and %s",
					       loads[l].params, c->n, strerror(err));
				ASSERT_TRUE(err == ENOMEM || err == EFAULT)
					TH_LOG("\"%s\" N=%u: %s", loads[l].params, c->n,
					       strerror(err));
				nerr[err == EFAULT]++;
				ASSERT_FALSE(mod_loaded())
					TH_LOG("\"%s\" N=%u: a failed load left the module",
					       loads[l].params, c->n);
			}
			if (!fired)
				break;
		}
		ASSERT_GE(first + MAX_N, c->n)
			TH_LOG("\"%s\": the N-th failed still at N=%ld", loads[l].params,
			       first + MAX_N);
		printf("# failnth: module_load \"%s\": %ld pairs, N %ld to %u ",
		       loads[l].params, c->n - first + 1, first, c->n);
		printf("(loader's own %ld, jump_label's %ld; %u injected; ENOMEM %u, EFAULT %u)\n",
		       loader, jl, injected, nerr[0], nerr[1]);
	}
	ASSERT_EQ(0, mod_unload());
	ASSERT_EQ(0, syscall(SYS_init_module, img, (unsigned long)sb.st_size,
			     params ? params : ""))
		TH_LOG("loading the module again: %s", strerror(errno));
	free(img);
	close(kofd);
}

VL_TEST_MAIN
