/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fail-nth machinery of vmlab_failnth.c, which alone includes this
 * file (after kselftest_harness.h and vmlab_util.h): the debugfs knobs,
 * arming the task's fail-nth and reading it back, faults that jump back,
 * one (entry point, N) pair's state and checks, the walk over N,
 * unloading the module, and the count of the module loader's own
 * allocations.
 */
#ifndef VMLAB_FAILNTH_H
#define VMLAB_FAILNTH_H

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#define FN_PATH		"/proc/thread-self/fail-nth"
#define DBG		"/sys/kernel/debug"
#define SHADOW_PAGES	1024	/* the object's first 4 MiB, as written */
#define BASE_PAGES	8	/* pages 0-7 hold data at the start of a pair */
#define HOLE		10	/* a hole */
#define RES		2	/* a resident page */
#define MAX_N		3000	/* a call that fails more often is a bug */
#define LOADER_SLACK	30	/* see loader_allocs() */

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
		return "no /proc/self/fail-nth: this kernel has no fault injection "
		       "(CONFIG_FAULT_INJECTION, FAILSLAB, FAIL_PAGE_ALLOC: the debug kernel's)";
	if (access(DBG "/failslab", F_OK))
		mount("debugfs", DBG, "debugfs", 0, NULL);
	for (i = 0; i < ARRAY_SIZE(knobs); i++) {
		fd = open(knobs[i].path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			if (strstr(knobs[i].path, "usercopy"))
				continue;	/* CONFIG_FAULT_INJECTION_USERCOPY is optional */
			snprintf(why, len, "%s: %s (CONFIG_FAILSLAB, FAIL_PAGE_ALLOC, "
				 "FAULT_INJECTION_DEBUG_FS?)", knobs[i].path, strerror(errno));
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
	int ok[4];			/* what else it may give with one */
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

	if (vl_reset(c->fd, NULL))
		return FAIL(c, "reset: %s", strerror(errno));
	memset(c->shadow, 0, SHADOW_PAGES * c->ps);
	vl_fill(c->shadow, len, 1000 + c->n);
	if (pwrite(c->fd, c->shadow, len, 0) != (ssize_t)len)
		return FAIL(c, "pwrite of the data: %s", strerror(errno));
	if (vl_stats(c->fd, &c->st))
		return FAIL(c, "stats: %s", strerror(errno));
	return true;
}

/* The counters against the kernel's views of the object and its VMAs. */
static bool balanced(struct ctx *c)
{
	size_t pages, i, incore = 0;
	struct vmlab_stats st;
	unsigned char *vec;
	int lines = vl_maps_count(VMLAB_DEVICE);
	void *all;

	if (vl_stats(c->fd, &st))
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

/* Run op for N = 1, 2, ... until a call completes without reaching its N. */
static void run_op(struct __test_metadata *_metadata, struct ctx *c,
		   const struct op *op)
{
	unsigned int injected = 0, outcomes[8] = { 0 };
	char seen[160] = "", r1[48], r2[48];
	bool fired;
	int res, i;

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
		for (i = 0; res != op->expect && i < 4 && op->ok[i] != res; i++)
			;
		ASSERT_TRUE(res == op->expect || i < 4)
			TH_LOG("%s N=%u: %s is no documented outcome", op->name, c->n,
			       res_str(res, r1, sizeof(r1)));
		if (res != op->expect && !outcomes[i]++) {
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

#endif /* VMLAB_FAILNTH_H */
