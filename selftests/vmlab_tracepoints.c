// SPDX-License-Identifier: GPL-2.0
/*
 * vmlab_tracepoints: the module's tracepoints (events/vmlab in tracefs),
 * read back from the trace buffer.
 *
 * Each kind of fault, page_mkwrite, VMA open and close, write-back and
 * reset is traced with the fields it must carry (the address, offset,
 * frame as pagemap and inspect show it, outcome, reason); two processes
 * faulting the same holes at once trace one "allocated" per page.  The
 * tests keep the names they had in vmlab_inspect (inspect.*).  The same
 * events through trace-cmd, perf and bpftrace are vmlab_tracetools'.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "vmlab_util.h"

FIXTURE(inspect)
{
	int fd;
	size_t ps;
	struct vmlab_stats st;
	long fault_around;	/* the kernel's, before the test */
};

FIXTURE_SETUP(inspect)
{
	self->ps = vmlab_page_size();
	VL_SETUP_DEVICE(self->fd, self->st);
	/* Every fault calls the module: no fault-around. */
	VL_SETUP_NO_FAULT_AROUND(self->fault_around);
	ASSERT_LE(64 * self->ps, self->st.size);
}

FIXTURE_TEARDOWN(inspect)
{
	vl_fault_around_restore(self->fault_around);
	if (self->fd >= 0)
		close(self->fd);
}

static const char *vi_tracefs;

static bool vi_trace_write(const char *file, const char *s)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", vi_tracefs, file);
	return !vmlab_write_str(path, s);
}

/* Start tracing the vmlab events afresh; false if there is no tracefs. */
static bool vi_trace_start(void)
{
	vi_tracefs = vmlab_tracefs();
	return vi_tracefs && vi_trace_write("events/vmlab/enable", "0") &&
	       vi_trace_write("trace", "") &&
	       vi_trace_write("events/vmlab/enable", "1");
}

/* Stop and return the trace buffer's text (malloc'd), NULL on error. */
static char *vi_trace_stop(void)
{
	size_t len = 0, cap = 1 << 16;
	char path[128], *buf = malloc(cap);
	ssize_t n;
	int fd;

	vi_trace_write("events/vmlab/enable", "0");
	snprintf(path, sizeof(path), "%s/trace", vi_tracefs);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || !buf) {
		free(buf);
		return NULL;
	}
	while ((n = read(fd, buf + len, cap - len - 1)) > 0) {
		len += n;
		if (cap - len < 4096) {
			char *b = realloc(buf, cap *= 2);

			if (!b)
				break;
			buf = b;
		}
	}
	close(fd);
	buf[len] = 0;
	return buf;
}

/* Does a line of the trace, from pid (0: any), contain want? */
static bool vi_traced(const char *trace, pid_t pid, const char *want)
{
	const char *line = trace, *end;
	char tag[24], l[512];

	snprintf(tag, sizeof(tag), "-%d ", (int)pid);
	for (; *line; line = *end ? end + 1 : end) {
		end = strchrnul(line, '\n');
		if ((size_t)(end - line) >= sizeof(l))
			continue;
		memcpy(l, line, end - line);
		l[end - line] = 0;
		if (l[0] == '#' || !strstr(l, want))
			continue;
		if (!pid || strstr(l, tag))
			return true;
	}
	return false;
}

#define ASSERT_TRACED(trace, pid, ...) do {				\
	char __want[256];						\
									\
	snprintf(__want, sizeof(__want), __VA_ARGS__);			\
	ASSERT_TRUE(vi_traced(trace, pid, __want))			\
		TH_LOG("not in the trace: \"%s\"", __want);		\
} while (0)

/*
 * Every kind of fault, page_mkwrite, VMA open and close with their
 * reasons, write-back and reset, read back from the trace buffer with the
 * address, offset, frame (PFN as pagemap has it, frame id as inspect has
 * it) and outcome each must carry.
 */
TEST_F(inspect, tracepoints)
{
	size_t ps = self->ps, end = self->st.size / ps;
	unsigned long long frame;
	struct vmlab_page_info p;
	pid_t me = getpid(), pid;
	char *sh, *sh2, *pr, *past, *trace;
	unsigned long pfn;

	if (!vi_trace_start())
		SKIP(return, "no tracefs with events/vmlab");
	sh = mmap(NULL, 2 * ps, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	pr = mmap(NULL, 2 * ps, PROT_READ | PROT_WRITE, MAP_PRIVATE, self->fd,
		  4 * ps);
	ASSERT_NE(MAP_FAILED, sh);
	ASSERT_NE(MAP_FAILED, pr);

	vl_touch_read(sh, 1);		/* shared read of a hole */
	sh2 = mmap(NULL, ps, PROT_READ, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, sh2);
	vl_touch_read(sh2, 1);		/* the same page again */
	sh[0] = 1;				/* page_mkwrite */
	sh[ps] = 1;				/* shared write of a hole */
	vl_touch_read(pr, 1);		/* private read of a hole */
	pr[ps] = 1;				/* private write of a hole */
	ASSERT_EQ(0, fsync(self->fd));		/* write-back of 2 pages */
	ASSERT_EQ(0, mprotect(sh, ps, PROT_READ));	/* split: copy */
	pid = fork();				/* VMAs copied: fork */
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(0);			/* their close: exit */
	ASSERT_EQ(0, vl_wait(pid));
	past = mmap(NULL, ps, PROT_READ, MAP_SHARED, self->fd, end * ps);
	ASSERT_NE(MAP_FAILED, past);
	ASSERT_EQ(SIGBUS, vl_probe(past, false));
	ASSERT_EQ(0, vl_inspect_one(self->fd, sh, &p));
	pfn = vl_pfn(sh);
	frame = p.frame_id;
	ASSERT_NE(0, pfn);
	munmap(sh2, ps);			/* close: unmap */
	ASSERT_EQ(0, vmlab_reset(self->fd, NULL));	/* reset: 2 pages */
	trace = vi_trace_stop();
	ASSERT_NE(NULL, trace);

	ASSERT_TRACED(trace, me, "vmlab_fault: address=0x%lx pgoff=0 shared read outcome=allocated pfn=0x%lx frame_id=0x%llx",
		      (unsigned long)sh, pfn, frame);
	ASSERT_TRACED(trace, me, "vmlab_fault: address=0x%lx pgoff=0 shared read outcome=existing pfn=0x%lx frame_id=0x%llx",
		      (unsigned long)sh2, pfn, frame);
	ASSERT_TRACED(trace, me, "vmlab_page_mkwrite: address=0x%lx pgoff=0 pfn=0x%lx frame_id=0x%llx dirtied",
		      (unsigned long)sh, pfn, frame);
	ASSERT_TRACED(trace, me, "vmlab_fault: address=0x%lx pgoff=1 shared write outcome=allocated",
		      (unsigned long)sh + ps);
	ASSERT_TRACED(trace, me, "vmlab_fault: address=0x%lx pgoff=4 private read outcome=zero",
		      (unsigned long)pr);
	ASSERT_TRACED(trace, me, "vmlab_fault: address=0x%lx pgoff=5 private write outcome=zero",
		      (unsigned long)pr + ps);
	ASSERT_TRACED(trace, 0, "vmlab_fault: address=0x%lx pgoff=%zu shared read outcome=sigbus pfn=0x0 frame_id=0x0",
		      (unsigned long)past, end);
	ASSERT_TRACED(trace, me, "vmlab_vma_open: start=0x%lx end=0x%lx pgoff=0 shared reason=mmap",
		      (unsigned long)sh, (unsigned long)sh + 2 * ps);
	ASSERT_TRACED(trace, me, "vmlab_vma_open: start=0x%lx end=0x%lx pgoff=1 shared reason=copy",
		      (unsigned long)sh + ps, (unsigned long)sh + 2 * ps);
	ASSERT_TRACED(trace, me, "vmlab_vma_open: start=0x%lx end=0x%lx pgoff=0 shared reason=fork",
		      (unsigned long)sh2, (unsigned long)sh2 + ps);
	ASSERT_TRACED(trace, pid, "vmlab_vma_close: start=0x%lx end=0x%lx pgoff=0 shared reason=exit",
		      (unsigned long)sh2, (unsigned long)sh2 + ps);
	ASSERT_TRACED(trace, me, "vmlab_vma_close: start=0x%lx end=0x%lx pgoff=0 shared reason=unmap",
		      (unsigned long)sh2, (unsigned long)sh2 + ps);
	ASSERT_TRACED(trace, me, "vmlab_writeback: first=0 last=%llu cleaned=2",
		      (unsigned long long)(0x7fffffffffffffffULL / ps));
	ASSERT_TRACED(trace, me, "vmlab_reset: freed=2");
	free(trace);
	munmap(sh, 2 * ps);
	munmap(pr, 2 * ps);
	munmap(past, ps);
}

/* How many lines of the trace contain want. */
static int vi_count(const char *trace, const char *want)
{
	const char *line = trace, *end;
	int n = 0;

	for (; *line; line = *end ? end + 1 : end) {
		end = strchrnul(line, '\n');
		if (line[0] != '#' && memmem(line, end - line, want, strlen(want)))
			n++;
	}
	return n;
}

/*
 * The VMA events traced since vi_trace_start() (any process), against the
 * counters since a and the maps lines of the device since maps: @opens
 * opens and @closes closes, @why of each, and as many more lines as VMAs;
 * @want (unless NULL) once.  Then the next step starts afresh.  Only
 * differences count: what the tests before left is theirs to judge.
 */
#define VI_VMA_STEP(a, maps, want, opens, why_open, closes, why_close) do { \
	struct vmlab_stats __b;						\
	int __maps = vmlab_maps_count(0, VMLAB_DEVICE);			\
	const char *__w = (want);					\
	char *__t = vi_trace_stop();					\
									\
	ASSERT_NE(NULL, __t);						\
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &__b));			\
	vl_stats_log(why_open "/" why_close, &(a), &__b);		\
	ASSERT_EQ(opens, VL_D(a, __b, vma_opens));			\
	ASSERT_EQ(closes, VL_D(a, __b, vma_closes));			\
	if (__w)							\
		ASSERT_EQ(1, vi_count(__t, __w))			\
			TH_LOG("want \"%s\" once:\n%s", __w, __t);	\
	ASSERT_EQ(opens, vi_count(__t, "vmlab_vma_open: "))		\
		TH_LOG("open events:\n%s", __t);			\
	ASSERT_EQ(opens, vi_count(__t, "reason=" why_open))		\
		TH_LOG("open events:\n%s", __t);			\
	ASSERT_EQ(closes, vi_count(__t, "vmlab_vma_close: "))		\
		TH_LOG("close events:\n%s", __t);			\
	ASSERT_EQ(closes, vi_count(__t, "reason=" why_close))		\
		TH_LOG("close events:\n%s", __t);			\
	ASSERT_EQ(opens - closes, VL_D(a, __b, vmas_live));		\
	ASSERT_EQ(opens - closes, __maps - (maps));			\
	free(__t);							\
	(a) = __b;							\
	(maps) = __maps;						\
	ASSERT_TRUE(vi_trace_start());					\
} while (0)

/* The event of the first VMA of an mmap() of @len bytes at @m, @off. */
static const char *vi_mmap_event(char *buf, size_t size, const char *m,
				 size_t len, size_t pgoff, bool shared)
{
	snprintf(buf, size,
		 "vmlab_vma_open: start=0x%lx end=0x%lx pgoff=%zu %s reason=mmap",
		 (unsigned long)m, (unsigned long)m + len, pgoff,
		 shared ? "shared" : "private");
	return buf;
}

/*
 * Every VMA of the device is counted and traced once, the first one of an
 * mmap() included, whichever hook the kernel calls for it (.mmap, or
 * .mmap_prepare and vm_ops->mapped: module/compat.h): mmap() opens one VMA,
 * traced once with its range and reason=mmap, shown by one maps line; a
 * split, an mremap() move, fork and exit, munmap() count and trace as
 * many opens and closes as they make and remove VMAs.
 */
TEST_F(inspect, vma_events_match_counters)
{
	size_t ps = self->ps;
	struct vmlab_stats a;
	int maps = vmlab_maps_count(0, VMLAB_DEVICE);
	char want[160], *sh, *pr, *t, *r;
	pid_t pid;

	if (!vi_trace_start())
		SKIP(return, "no tracefs with events/vmlab");
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));

	sh = mmap(NULL, 4 * ps, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, sh);
	VI_VMA_STEP(a, maps, vi_mmap_event(want, sizeof(want), sh, 4 * ps, 0, true),
		    1, "mmap", 0, "unmap");

	pr = mmap(NULL, 2 * ps, PROT_READ | PROT_WRITE, MAP_PRIVATE, self->fd,
		  8 * ps);
	ASSERT_NE(MAP_FAILED, pr);
	VI_VMA_STEP(a, maps, vi_mmap_event(want, sizeof(want), pr, 2 * ps, 8, false),
		    1, "mmap", 0, "unmap");
	pr[0] = 1;

	/* Split the shared VMA in three: two new VMAs, copies. */
	ASSERT_EQ(0, mprotect(sh + ps, ps, PROT_READ));
	VI_VMA_STEP(a, maps, NULL, 2, "copy", 0, "unmap");

	/* Move the private VMA: one copy opened, the old VMA closed. */
	t = mmap(NULL, 2 * ps, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, t);
	r = mremap(pr, 2 * ps, 2 * ps, MREMAP_MAYMOVE | MREMAP_FIXED, t);
	ASSERT_EQ(t, r);
	VI_VMA_STEP(a, maps, NULL, 1, "copy", 1, "unmap");
	ASSERT_EQ(1, r[0]);

	/* fork copies the four VMAs, the child's exit closes them. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(0);
	ASSERT_EQ(0, vl_wait(pid));
	VI_VMA_STEP(a, maps, NULL, 4, "fork", 4, "exit");

	ASSERT_EQ(0, munmap(sh, 4 * ps));
	ASSERT_EQ(0, munmap(r, 2 * ps));
	VI_VMA_STEP(a, maps, NULL, 0, "mmap", 4, "unmap");
	free(vi_trace_stop());
}

/* A child of trace_allocated_once_per_page: wait for the start (the
 * parent closing the pipe), then read every page.
 */
static int vi_race_child(int start, const char *m, size_t n, size_t ps)
{
	char c;
	size_t i;

	if (read(start, &c, 1) != 0)
		return 1;
	for (i = 0; i < n; i++)
		(void)*(volatile const char *)(m + i * ps);
	return 0;
}

/*
 * Two processes fault the same holes of a shared mapping at the same time,
 * in the same order, so that they often meet on one page: exactly one of
 * the two faults of each page fills it.  The trace must say "allocated"
 * once per page in each round (rounds end with a reset, which the trace
 * shows too), with the PFN that pagemap shows for the page afterwards, and
 * as many times in all as the module counted pages allocated.
 */
#define VI_RACE_PAGES	256
#define VI_RACE_ROUNDS	4
TEST_F(inspect, trace_allocated_once_per_page)
{
	size_t ps = self->ps, n = VI_RACE_PAGES, i, total = 0;
	static unsigned long pfn[VI_RACE_ROUNDS][VI_RACE_PAGES];
	static unsigned int seen[VI_RACE_ROUNDS][VI_RACE_PAGES];
	struct vmlab_stats a, b;
	int round, c, r = -1;
	char *m, *trace;
	const char *l;

	VL_NEED_PAGES(self->st, VI_RACE_PAGES);
	m = mmap(NULL, n * ps, PROT_READ, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	if (!vi_trace_start())
		SKIP(return, "no tracefs with events/vmlab");
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	for (round = 0; round < VI_RACE_ROUNDS; round++) {
		int start[2];
		pid_t pid[2];

		ASSERT_EQ(0, vmlab_reset(self->fd, NULL));	/* a round begins */
		ASSERT_EQ(0, pipe(start));
		for (c = 0; c < 2; c++) {
			pid[c] = fork();
			ASSERT_LE(0, pid[c]);
			if (pid[c] == 0) {
				close(start[1]);
				_exit(vi_race_child(start[0], m, n, ps));
			}
		}
		close(start[0]);
		close(start[1]);			/* go */
		for (c = 0; c < 2; c++)
			ASSERT_EQ(0, vl_wait(pid[c]));
		for (i = 0; i < VI_RACE_PAGES; i++)	/* pagemap's view */
			pfn[round][i] = (vl_touch_read(m + i * ps, 1), vl_pfn(m + i * ps));
	}
	trace = vi_trace_stop();
	ASSERT_NE(NULL, trace);
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
	ASSERT_EQ(VI_RACE_ROUNDS * n, b.pages_allocated - a.pages_allocated);

	for (l = trace; (l = strpbrk(l, "v")); l++) {
		unsigned long addr, off, f;
		char sh[16], rw[16], out[16];

		if (!strncmp(l, "vmlab_reset: ", 13)) {
			r++;
			continue;
		}
		if (strncmp(l, "vmlab_fault: ", 13) ||
		    sscanf(l, "vmlab_fault: address=%lx pgoff=%lu %15s %15s outcome=%15s pfn=%lx",
			   &addr, &off, sh, rw, out, &f) != 6 ||
		    strcmp(out, "allocated"))
			continue;
		if (r < 0 || r >= VI_RACE_ROUNDS || off >= VI_RACE_PAGES) {
			ASSERT_TRUE(false)
				TH_LOG("round %d: allocated at pgoff %lu", r, off);
			continue;
		}
		ASSERT_EQ(pfn[r][off], f)
			TH_LOG("round %d, page %lu: traced PFN %#lx, pagemap's %#lx",
			       r, off, f, pfn[r][off]);
		seen[r][off]++;
		total++;
	}
	free(trace);
	ASSERT_EQ(VI_RACE_ROUNDS - 1, r);
	for (round = 0; round < VI_RACE_ROUNDS; round++)
		for (i = 0; i < VI_RACE_PAGES; i++) {
			unsigned int times = seen[round][i];

			ASSERT_EQ(1, times)
				TH_LOG("round %d: page %zu traced as allocated %u times",
				       round, i, times);
		}
	ASSERT_EQ(VI_RACE_ROUNDS * n, total);
	munmap(m, n * ps);
}

VL_TEST_MAIN
