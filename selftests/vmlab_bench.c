// SPDX-License-Identifier: GPL-2.0
/*
 * vmlab_bench: what a page fault through /dev/vmlab costs, next to the
 * kernel's own paths for the same access (shmem through memfd and tmpfs,
 * anonymous memory), measured in the same run.
 *
 * Not a pass/fail test: it prints one table and exits 0 once it could
 * measure everything (1 on an error, 2 on a bad command line), whether the
 * goals are met or not.  `make bench` runs it alone in a QEMU guest; on a
 * real machine run it as root with the module loaded big enough
 * (insmod vmlab.ko size_mb=512 mem_limit_mb=512).
 *
 * For each case and each path ("variant") one pass maps SIZE bytes,
 * touches one byte of every page (a store or a load) and unmaps.  Only the
 * touching loop is timed (CLOCK_MONOTONIC): the page faults it takes and
 * what they do (allocating, zeroing, copying, mapping).  Setting up
 * (creating and filling the file, mmap, madvise, fork) and tearing down
 * (munmap, freeing) are not.  Around the loop: minor faults from getrusage
 * (RUSAGE_THREAD of each thread that touches) and, for /dev/vmlab, the
 * module's fault counters (VMLAB_IOC_STATS).  Every mapping gets
 * MADV_NOHUGEPAGE, except in the huge case (MADV_HUGEPAGE on a 2 MiB
 * aligned mapping).  The object is reset (VMLAB_IOC_RESET) before each
 * vmlab pass.
 *
 * One warm-up round of every case (a smaller size, not counted) comes
 * first, then ROUNDS rounds; each round runs every case, its variants in
 * turn (in reverse order in odd rounds, so that neither side always goes
 * first).  A ratio is vmlab's time over the other path's time in the same
 * round; the table shows the median over the rounds and the spread
 * (min-max).
 *
 * The case shared-alloc-holders times the shared first touch twice: alone,
 * and while HOLDERS other processes hold zero entries of the object
 * (private mappings of the whole object, holes read past the timed part).
 * Its ratio is the second time over the first: what filling a hole costs
 * more because other processes map the object with zero entries in it.
 *
 * The case inspect-pidns touches no memory: it times VMLAB_IOC_INSPECT of
 * a page of another process, one call per page of SIZE, made by a process
 * in the initial pid namespace and by pid 1 of a new child pid namespace
 * (the inspected process is that process's child in both).  Its ratio is
 * the child namespace's time over the initial one's: what a container's
 * user pays more, or makes the kernel do more, per call.
 *
 * The fio-* cases run an outside client, Debian's fio, with its mmap
 * engine (ioengine=mmap: it maps the file and copies 4 KiB blocks to and
 * from the mapping; it advises MADV_RANDOM for random jobs) over SIZE
 * bytes of resident pages of /dev/vmlab and of a tmpfs file, one job per
 * pass: sequential write, random read, random write, each block once.
 * Their time is fio's own mean latency of a 4 KiB block (lat_ns, with
 * clocksource=clock_gettime: under -icount the guest's clock) and their
 * faults fio's minor faults (minf); the ratio is tmpfs's time over
 * vmlab's, as for the other cases.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include "vmlab_util.h"

#ifndef TMPFS_MAGIC
#define TMPFS_MAGIC		0x01021994
#endif

#define DEFAULT_MB		128
#define DEFAULT_ROUNDS		5
#define MAX_ROUNDS		99
#define WARMUP_MB		8
#define HUGE_SIZE		(2 * VL_MiB)
#define MAX_VARIANTS		4
#define FILL_BYTE		0x5a
#define HOLDERS			64
#define HOLD_BYTES		VL_MiB	/* holes each holder reads */
#define THP_DIR			"/sys/kernel/mm/transparent_hugepage"
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

static const char *prog = "vmlab_bench";

/* Where the memory comes from. */
enum backing {
	B_VMLAB,	/* /dev/vmlab */
	B_MEMFD,	/* memfd_create(): shmem */
	B_TMPFS,	/* an unlinked file on a tmpfs (/dev/shm) */
	B_ANON,		/* MAP_ANONYMOUS */
};

/*
 * The module marks each offset where a private mapping may have a zero
 * entry; filling a marked hole unmaps that offset from every mapping that
 * covers it, and clears the mark.  A reset leaves the marks.
 */
enum marks {
	M_ANY,		/* as the cases before left them */
	M_CLEAR,	/* none in the timed part: it was written, then reset */
	M_SET,		/* all of the timed part: a private mapping read its holes */
};

/* Who makes the INSPECT calls of the inspect-pidns case. */
enum inspector {
	I_NONE,		/* not an INSPECT case: touch the pages */
	I_INIT_NS,	/* a process in the initial pid namespace */
	I_CHILD_NS,	/* pid 1 of a new child pid namespace */
};

/* What a row is held to (the goals of issue 6). */
enum goal {
	G_NONE,
	G_RATIO_MAX,	/* median ratio <= value */
	G_FAULTS_MAX,	/* median minor faults per page <= value */
	G_SPEEDUP_GE,	/* median speedup >= that of row goal_row */
};

/* One path of a case: how to map and touch, and what to compare. */
struct variant {
	const char *label;
	enum backing backing;
	bool shared;	/* MAP_SHARED, else MAP_PRIVATE */
	bool populate;	/* the file holds data (written with pwrite) first */
	bool write;	/* store to each page, else load */
	bool huge;	/* 2 MiB aligned, MADV_HUGEPAGE */
	bool fork;	/* write every page, fork, time the child's writes */
	int threads;	/* touching threads, each a contiguous share */
	int holders;	/* processes that hold zero entries meanwhile */
	enum marks marks;	/* the object's zero marks before the pass */
	enum inspector inspect;	/* INSPECT calls instead of touches */
	const char *fio_rw;	/* fio's rw= for a job of fio's instead of touches */
	int ratio_num;	/* ratio = time of row ratio_num / this row's; -1 none */
	bool slowdown;	/* the ratio is this row's time / row ratio_num's */
	enum goal goal;
	double goal_value;
	int goal_row;
	const char *goal_text;
};

struct bcase {
	const char *name;	/* for --case */
	const char *title;
	int nvar;
	struct variant var[MAX_VARIANTS];
};

/* Shorthands for the table of cases below. */
#define SHARED_RATIO	.ratio_num = 0, .goal = G_RATIO_MAX, .goal_value = 1.05, \
			.goal_text = "ratio <= 1.05"
#define PRIVATE_RATIO	.ratio_num = 0, .goal = G_RATIO_MAX, .goal_value = 1.10, \
			.goal_text = "ratio <= 1.10"
#define SUBJECT		.ratio_num = -1
/* fio's cases: vmlab at least 0.95 times as fast as tmpfs. */
#define FIO_RATIO	.ratio_num = 0, .goal = G_RATIO_MAX, .goal_value = 1 / 0.95, \
			.goal_text = "ratio <= 1.05 (0.95x)"

static const struct bcase cases[] = {
	{
		.name = "shared-alloc",
		.title = "shared first-touch write (allocates every page)",
		.nvar = 3,
		.var = {
			{ "vmlab MAP_SHARED", B_VMLAB, .shared = true, .write = true,
			  .threads = 1, SUBJECT },
			{ "memfd MAP_SHARED", B_MEMFD, .shared = true, .write = true,
			  .threads = 1, SHARED_RATIO },
			{ "tmpfs MAP_SHARED", B_TMPFS, .shared = true, .write = true,
			  .threads = 1, SHARED_RATIO },
		},
	},
	{
		.name = "shared-write",
		.title = "shared write of resident pages (new mapping)",
		.nvar = 2,
		.var = {
			{ "vmlab MAP_SHARED", B_VMLAB, .shared = true, .populate = true,
			  .write = true, .threads = 1, SUBJECT },
			{ "tmpfs MAP_SHARED", B_TMPFS, .shared = true, .populate = true,
			  .write = true, .threads = 1, SHARED_RATIO },
		},
	},
	{
		.name = "shared-read",
		.title = "shared read of resident pages (new mapping; fault-around)",
		.nvar = 2,
		.var = {
			{ "vmlab MAP_SHARED", B_VMLAB, .shared = true, .populate = true,
			  .threads = 1, .ratio_num = -1, .goal = G_FAULTS_MAX,
			  .goal_value = 1.0 / 16, .goal_text = "faults/page <= 1/16" },
			{ "tmpfs MAP_SHARED", B_TMPFS, .shared = true, .populate = true,
			  .threads = 1, SHARED_RATIO },
		},
	},
	{
		.name = "private-read",
		.title = "private read of holes (zero entries)",
		.nvar = 2,
		.var = {
			{ "vmlab MAP_PRIVATE", B_VMLAB, .threads = 1, SUBJECT },
			{ "anon MAP_PRIVATE", B_ANON, .threads = 1, PRIVATE_RATIO },
		},
	},
	{
		.name = "private-write",
		.title = "private write of resident pages (copy-on-write from the file)",
		.nvar = 3,
		.var = {
			{ "vmlab MAP_PRIVATE", B_VMLAB, .populate = true, .write = true,
			  .threads = 1, SUBJECT },
			{ "memfd MAP_PRIVATE", B_MEMFD, .populate = true, .write = true,
			  .threads = 1, PRIVATE_RATIO },
			{ "tmpfs MAP_PRIVATE", B_TMPFS, .populate = true, .write = true,
			  .threads = 1, PRIVATE_RATIO },
		},
	},
	{
		.name = "fork-write",
		.title = "fork, then the child writes every page (copies of anonymous copies)",
		.nvar = 2,
		.var = {
			{ "vmlab MAP_PRIVATE", B_VMLAB, .write = true, .fork = true,
			  .threads = 1, SUBJECT },
			{ "anon MAP_PRIVATE", B_ANON, .write = true, .fork = true,
			  .threads = 1, PRIVATE_RATIO },
		},
	},
	{
		.name = "huge",
		.title = "huge: first-touch write, 2 MiB aligned, MADV_HUGEPAGE",
		.nvar = 2,
		.var = {
			{ "vmlab MAP_SHARED THP", B_VMLAB, .shared = true, .write = true,
			  .huge = true, .threads = 1, SUBJECT },
			{ "anon MAP_PRIVATE THP", B_ANON, .write = true, .huge = true,
			  .threads = 1, .ratio_num = 0, .goal = G_RATIO_MAX,
			  .goal_value = 1 / 0.9, .goal_text = "ratio <= 1.11 (0.9x)" },
		},
	},
	{
		.name = "threads",
		.title = "two threads write disjoint halves (shared first touch)",
		.nvar = 4,
		.var = {
			{ "vmlab 1 thread", B_VMLAB, .shared = true, .write = true,
			  .threads = 1, SUBJECT },
			{ "vmlab 2 threads", B_VMLAB, .shared = true, .write = true,
			  .threads = 2, .ratio_num = 0, .goal = G_SPEEDUP_GE,
			  .goal_row = 3, .goal_text = "speedup >= memfd's" },
			{ "memfd 1 thread", B_MEMFD, .shared = true, .write = true,
			  .threads = 1, SUBJECT },
			{ "memfd 2 threads", B_MEMFD, .shared = true, .write = true,
			  .threads = 2, .ratio_num = 2 },
		},
	},
	{
		.name = "shared-alloc-holders",
		.title = "shared first touch, while 64 other processes hold zero entries",
		.nvar = 3,
		.var = {
			{ "vmlab, no holders", B_VMLAB, .shared = true, .write = true,
			  .threads = 1, .marks = M_CLEAR, SUBJECT },
			{ "vmlab, 64 holders", B_VMLAB, .shared = true, .write = true,
			  .threads = 1, .holders = HOLDERS, .marks = M_CLEAR,
			  .ratio_num = 0, .slowdown = true, .goal = G_RATIO_MAX,
			  .goal_value = 1.10, .goal_text = "ratio <= 1.10" },
			{ "vmlab, 64, marked", B_VMLAB, .shared = true, .write = true,
			  .threads = 1, .holders = HOLDERS, .marks = M_SET,
			  .ratio_num = 0, .slowdown = true },
		},
	},
	{
		.name = "inspect-pidns",
		.title = "INSPECT of another process's page, one call per page",
		.nvar = 2,
		.var = {
			{ "initial pid namespace", B_VMLAB, .inspect = I_INIT_NS,
			  .threads = 1, SUBJECT },
			{ "child pid namespace", B_VMLAB, .inspect = I_CHILD_NS,
			  .threads = 1, .ratio_num = 0, .slowdown = true,
			  .goal = G_RATIO_MAX, .goal_value = 2.0,
			  .goal_text = "ratio <= 2" },
		},
	},
	{
		.name = "fio-seqwrite",
		.title = "fio, ioengine=mmap: sequential 4 KiB writes of resident pages",
		.nvar = 2,
		.var = {
			{ "vmlab, fio write", B_VMLAB, .shared = true, .populate = true,
			  .fio_rw = "write", .threads = 1, SUBJECT },
			{ "tmpfs, fio write", B_TMPFS, .shared = true, .populate = true,
			  .fio_rw = "write", .threads = 1, FIO_RATIO },
		},
	},
	{
		.name = "fio-randread",
		.title = "fio, ioengine=mmap: random 4 KiB reads of resident pages",
		.nvar = 2,
		.var = {
			{ "vmlab, fio randread", B_VMLAB, .shared = true, .populate = true,
			  .fio_rw = "randread", .threads = 1, SUBJECT },
			{ "tmpfs, fio randread", B_TMPFS, .shared = true, .populate = true,
			  .fio_rw = "randread", .threads = 1, FIO_RATIO },
		},
	},
	{
		.name = "fio-randwrite",
		.title = "fio, ioengine=mmap: random 4 KiB writes of resident pages",
		.nvar = 2,
		.var = {
			{ "vmlab, fio randwrite", B_VMLAB, .shared = true, .populate = true,
			  .fio_rw = "randwrite", .threads = 1, SUBJECT },
			{ "tmpfs, fio randwrite", B_TMPFS, .shared = true, .populate = true,
			  .fio_rw = "randwrite", .threads = 1, FIO_RATIO },
		},
	},
};

#define NCASES	ARRAY_SIZE(cases)

/* One timed pass of one variant. */
struct sample {
	double ns;		/* per page */
	double minflt;		/* minor faults per page */
	double modflt;		/* module faults per page; NAN if not vmlab */
	double huge_mib;	/* mapped with 2 MiB entries (smaps), huge only */
	double held;		/* zero entries of the holders after the pass */
};

struct result {
	struct sample s[MAX_ROUNDS];
	double ratio[MAX_ROUNDS];
};

static struct result results[NCASES][MAX_VARIANTS];
static bool selected[NCASES];

static struct {
	size_t bytes;
	int rounds;
	bool warmup;
	const char *tmpfs_dir;
} opt = {
	.bytes = DEFAULT_MB * VL_MiB,
	.rounds = DEFAULT_ROUNDS,
	.warmup = true,
	.tmpfs_dir = "/dev/shm",
};

static int dev = -1;		/* /dev/vmlab */
static size_t obj_bytes;	/* the object's size */
static bool thp;		/* the kernel has transparent huge pages */
static size_t ps;		/* page size */
static const char *volatile doing = "starting";	/* for the signal handler */

static void __attribute__((format(printf, 1, 2), noreturn)) die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* die() with strerror(errno) after the message. */
#define die_errno(fmt, ...)	die(fmt ": %s", ##__VA_ARGS__, strerror(errno))

/* A fault gone wrong (SIGBUS past the memory limit...): say where. */
static void on_fatal_signal(int sig)
{
	char buf[256];
	int n;

	n = snprintf(buf, sizeof(buf), "%s: %s while %s\n", prog,
		     sig == SIGBUS ? "SIGBUS" : "SIGSEGV", doing);
	if (n > 0 && write(STDERR_FILENO, buf, n) < 0)
		n = 0;
	_exit(1);
}

static double now_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts))
		die_errno("clock_gettime");
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static long thread_minflt(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_THREAD, &ru))
		die_errno("getrusage");
	return ru.ru_minflt;
}

static void stats(struct vmlab_stats *st)
{
	if (vmlab_get_stats(dev, st))
		die_errno("VMLAB_IOC_STATS");
}

static uint64_t module_faults(const struct vmlab_stats *st)
{
	return st->fault_shared_read + st->fault_shared_write +
	       st->fault_private_read + st->fault_private_write;
}

static void reset_object(void)
{
	struct vmlab_stats st;

	if (vmlab_reset(dev, NULL))
		die_errno("VMLAB_IOC_RESET");
	stats(&st);
	if (st.pages_resident)
		die("the object still holds %llu pages after VMLAB_IOC_RESET",
		    (unsigned long long)st.pages_resident);
}

/* Write FILL_BYTE over the first bytes of fd. */
static void populate(int fd, size_t bytes, const char *what)
{
	static char buf[1 << 20];
	size_t off = 0, len;
	ssize_t n;

	memset(buf, FILL_BYTE, sizeof(buf));
	while (off < bytes) {
		len = bytes - off < sizeof(buf) ? bytes - off : sizeof(buf);
		n = pwrite(fd, buf, len, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			die_errno("pwrite to %s at offset %zu", what, off);
		if (n == 0)
			die("pwrite to %s at offset %zu wrote nothing", what, off);
		off += n;
	}
}

/* Leave the zero marks of the object's first bytes as m says. */
static void set_marks(enum marks m, size_t bytes)
{
	size_t i;
	char *p, sum = 0;

	switch (m) {
	case M_ANY:
		break;
	case M_CLEAR:
		populate(dev, bytes, VMLAB_DEVICE);
		reset_object();
		break;
	case M_SET:
		p = mmap(NULL, bytes, PROT_READ, MAP_PRIVATE, dev, 0);
		if (p == MAP_FAILED)
			die_errno("mmap MAP_PRIVATE of %zu bytes", bytes);
		for (i = 0; i < bytes / ps; i++)
			sum |= p[i * ps];
		if (sum)
			die("read %#x from a hole", sum & 0xff);
		if (munmap(p, bytes))
			die_errno("munmap");
		break;
	}
}

static int open_backing(const struct variant *v, size_t bytes)
{
	char path[PATH_MAX];
	int fd;

	switch (v->backing) {
	case B_VMLAB:
		reset_object();
		set_marks(v->marks, bytes);
		if (v->populate) {
			struct vmlab_stats st;

			populate(dev, bytes, VMLAB_DEVICE);
			stats(&st);
			if (st.pages_resident != bytes / ps)
				die("the object holds %llu pages after writing %zu",
				    (unsigned long long)st.pages_resident,
				    bytes / ps);
		}
		return dev;
	case B_MEMFD:
		fd = memfd_create("vmlab_bench", MFD_CLOEXEC);
		if (fd < 0)
			die_errno("memfd_create");
		if (ftruncate(fd, bytes))
			die_errno("ftruncate of a memfd to %zu bytes", bytes);
		if (v->populate)
			populate(fd, bytes, "a memfd");
		return fd;
	case B_TMPFS:
		snprintf(path, sizeof(path), "%s/vmlab_bench.XXXXXX",
			 opt.tmpfs_dir);
		fd = mkostemp(path, O_CLOEXEC);
		if (fd < 0)
			die_errno("cannot create a file in %s", opt.tmpfs_dir);
		if (unlink(path))
			die_errno("unlink %s", path);
		if (ftruncate(fd, bytes))
			die_errno("ftruncate of a file in %s to %zu bytes",
				  opt.tmpfs_dir, bytes);
		if (v->populate)
			populate(fd, bytes, opt.tmpfs_dir);
		return fd;
	case B_ANON:
		break;
	}
	return -1;
}

/* mmap len bytes at an address aligned to HUGE_SIZE. */
static char *map_aligned(size_t len, int flags, int fd)
{
	size_t span = len + HUGE_SIZE;
	char *r, *a, *p;

	r = mmap(NULL, span, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS |
		 MAP_NORESERVE, -1, 0);
	if (r == MAP_FAILED)
		die_errno("mmap of %zu bytes of address space", span);
	a = (char *)(((uintptr_t)r + HUGE_SIZE - 1) & ~(HUGE_SIZE - 1));
	p = mmap(a, len, PROT_READ | PROT_WRITE, flags | MAP_FIXED, fd, 0);
	if (p == MAP_FAILED)
		die_errno("mmap of %zu bytes at %p", len, (void *)a);
	if (a > r && munmap(r, a - r))
		die_errno("munmap");
	if (r + span > a + len && munmap(a + len, r + span - (a + len)))
		die_errno("munmap");
	return p;
}

static char *map_variant(const struct variant *v, int fd, size_t bytes)
{
	int flags = v->shared ? MAP_SHARED : MAP_PRIVATE;
	char *p;

	if (v->backing == B_ANON)
		flags |= MAP_ANONYMOUS;
	if (v->huge) {
		p = map_aligned(bytes, flags, fd);
	} else {
		p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, flags, fd, 0);
		if (p == MAP_FAILED)
			die_errno("mmap of %zu bytes (%s)", bytes, v->label);
	}
	if (thp && madvise(p, bytes, v->huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE))
		die_errno("madvise(%s) (%s)",
			  v->huge ? "MADV_HUGEPAGE" : "MADV_NOHUGEPAGE", v->label);
	return p;
}

struct worker {
	char *base;
	size_t npages;
	bool write;
	pthread_barrier_t *start;
	double t0, t1;
	long minflt;
};

static volatile char sink;

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	volatile char *p = w->base;
	size_t i;
	long f0;
	char sum = 0;
	int rc;

	if (w->start) {
		rc = pthread_barrier_wait(w->start);
		if (rc && rc != PTHREAD_BARRIER_SERIAL_THREAD)
			die("pthread_barrier_wait: %s", strerror(rc));
	}
	f0 = thread_minflt();
	w->t0 = now_ns();
	if (w->write) {
		for (i = 0; i < w->npages; i++)
			p[i * ps] = (char)(i | 1);
	} else {
		for (i = 0; i < w->npages; i++)
			sum += p[i * ps];
	}
	w->t1 = now_ns();
	w->minflt = thread_minflt() - f0;
	sink = sum;
	return NULL;
}

/* The timed part: touch every page of base, in v->threads threads. */
static void timed_touch(const struct variant *v, char *base, size_t npages,
			struct sample *s)
{
	struct worker w[2];
	pthread_t tid[2];
	pthread_barrier_t start;
	struct vmlab_stats st0, st1;
	double t0, t1;
	long flt = 0;
	int i, rc, n = v->threads;

	if (v->backing == B_VMLAB)
		stats(&st0);
	for (i = 0; i < n; i++) {
		w[i] = (struct worker){
			.base = base + i * (npages / n) * ps,
			.npages = i == n - 1 ? npages - i * (npages / n) :
					       npages / n,
			.write = v->write,
			.start = n > 1 ? &start : NULL,
		};
	}
	if (n == 1) {
		worker_run(&w[0]);
	} else {
		rc = pthread_barrier_init(&start, NULL, n);
		if (rc)
			die("pthread_barrier_init: %s", strerror(rc));
		for (i = 0; i < n; i++) {
			rc = pthread_create(&tid[i], NULL, worker_run, &w[i]);
			if (rc)
				die("pthread_create: %s", strerror(rc));
		}
		for (i = 0; i < n; i++) {
			rc = pthread_join(tid[i], NULL);
			if (rc)
				die("pthread_join: %s", strerror(rc));
		}
		pthread_barrier_destroy(&start);
	}
	t0 = w[0].t0;
	t1 = w[0].t1;
	for (i = 0; i < n; i++) {
		t0 = w[i].t0 < t0 ? w[i].t0 : t0;
		t1 = w[i].t1 > t1 ? w[i].t1 : t1;
		flt += w[i].minflt;
	}
	s->ns = (t1 - t0) / npages;
	s->minflt = (double)flt / npages;
	s->modflt = NAN;
	if (v->backing == B_VMLAB) {
		stats(&st1);
		s->modflt = (double)(module_faults(&st1) - module_faults(&st0)) /
			    npages;
	}
}

/*
 * Fork a child that will write its sample to *fd; in the parent *fd is
 * where to read it from.
 */
static pid_t fork_sampler(int *fd)
{
	int pipefd[2];
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC))
		die_errno("pipe2");
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		die_errno("fork");
	close(pipefd[pid ? 1 : 0]);
	*fd = pipefd[pid ? 0 : 1];
	return pid;
}

/*
 * Read the sample a timed child writes to fd (the pipe's read end, which
 * this closes) and reap the child; die if it failed.  who says what the
 * child does, for the message.
 */
static void child_sample(pid_t pid, int fd, struct sample *s, const char *who,
			 const char *label)
{
	ssize_t n;
	int status;

	do {
		n = read(fd, s, sizeof(*s));
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		die_errno("read from the child");
	close(fd);
	if (waitpid(pid, &status, 0) != pid)
		die_errno("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status) || n != sizeof(*s))
		die("the child that %s (%s) failed: %s %d", who, label,
		    WIFSIGNALED(status) ? "killed by signal" : "exit status",
		    WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
}

/* The fork case: the parent writes every page, its child is timed. */
static void timed_fork_touch(const struct variant *v, char *base,
			     size_t npages, struct sample *s)
{
	struct worker w = { .base = base, .npages = npages, .write = true };
	struct sample cs;
	int fd;
	pid_t pid;

	worker_run(&w);
	pid = fork_sampler(&fd);
	if (pid == 0) {
		timed_touch(v, base, npages, &cs);
		if (write(fd, &cs, sizeof(cs)) != sizeof(cs))
			die_errno("write to the parent");
		_exit(0);
	}
	child_sample(pid, fd, s, "writes", v->label);
}

/* What page i holds after a pass of v. */
static char expected(const struct variant *v, size_t i)
{
	if (v->write)
		return (char)(i | 1);
	return v->populate ? FILL_BYTE : 0;
}

/* A cheap check that the pass did what it says: its first and last page. */
static void check_data(const struct variant *v, const char *base, size_t npages)
{
	size_t last = npages - 1;

	if (base[0] != expected(v, 0) || base[last * ps] != expected(v, last))
		die("%s: read back %#x and %#x from the first and last page where "
		    "%#x and %#x were expected", v->label, base[0] & 0xff,
		    base[last * ps] & 0xff, expected(v, 0) & 0xff,
		    expected(v, last) & 0xff);
}

static long huge_kb(const char *base)
{
	static const char *const fields[] = {
		"AnonHugePages", "ShmemPmdMapped", "FilePmdMapped",
	};
	long kb = 0, k;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(fields); i++) {
		k = vl_smaps_kb(base, fields[i]);
		if (k > 0)
			kb += k;
	}
	return kb;
}

/*
 * Holders: processes that map the whole object MAP_PRIVATE and read its
 * holes at [off, off + HOLD_BYTES), past what the timed pass fills, so
 * that each holds HOLD_BYTES of zero entries there while their mappings
 * cover the offsets being filled.
 */
struct holder_msg {
	pid_t pid;
	uintptr_t addr;		/* where it maps offset off */
};

struct holders {
	int n;
	struct holder_msg h[HOLDERS];
	int release;		/* closing this write end lets them exit */
};

static void __attribute__((noreturn)) holder_run(size_t off, int ready,
						 int release)
{
	struct holder_msg m = { .pid = getpid() };
	char *p, c, sum = 0;
	size_t i;

	p = mmap(NULL, obj_bytes, PROT_READ, MAP_PRIVATE, dev, 0);
	if (p == MAP_FAILED)
		die_errno("a holder: mmap MAP_PRIVATE of the whole object");
	if (thp && madvise(p, obj_bytes, MADV_NOHUGEPAGE))
		die_errno("a holder: madvise(MADV_NOHUGEPAGE)");
	for (i = 0; i < HOLD_BYTES / ps; i++)
		sum |= p[off + i * ps];
	if (sum)
		die("a holder read %#x from a hole", sum & 0xff);
	m.addr = (uintptr_t)(p + off);
	if (write(ready, &m, sizeof(m)) != sizeof(m))
		die_errno("a holder: write to the parent");
	while (read(release, &c, 1) < 0 && errno == EINTR)
		;
	_exit(0);
}

/*
 * The zero entries the holders hold, from their pagemaps: every page of
 * each one's region must be present, and all on one frame (when the PFN
 * shows).  Returns how many there are; dies if one is missing.
 */
static size_t check_holders(const struct holders *h, const char *when)
{
	size_t npages = HOLD_BYTES / ps, i, n = 0;
	uint64_t e[HOLD_BYTES / 4096], pfn = 0;
	char path[64];
	int k, fd;

	if (npages > ARRAY_SIZE(e))
		die("page size %zu: too many pages in a holder's region", ps);
	for (k = 0; k < h->n; k++) {
		snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)h->h[k].pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			die_errno("open %s", path);
		if (pread(fd, e, npages * sizeof(*e), h->h[k].addr / ps * sizeof(*e)) !=
		    (ssize_t)(npages * sizeof(*e)))
			die_errno("read %s", path);
		close(fd);
		for (i = 0; i < npages; i++) {
			if (!pm_present(e[i]))
				die("%s, holder %d (pid %d) has no entry at its page %zu "
				    "(pagemap %#llx)", when, k, (int)h->h[k].pid, i,
				    (unsigned long long)e[i]);
			if (!pfn)
				pfn = pm_pfn(e[i]);
			if (pm_pfn(e[i]) != pfn)
				die("%s, holder %d maps frame %#llx at its page %zu, "
				    "not the zero frame %#llx", when, k,
				    (unsigned long long)pm_pfn(e[i]), i,
				    (unsigned long long)pfn);
			n++;
		}
	}
	return n;
}

/* Start n holders of [off, off + HOLD_BYTES) and wait until they hold. */
static void start_holders(struct holders *h, int n, size_t off)
{
	struct vmlab_stats st0, st1;
	int ready[2], release[2], k, j;
	struct holder_msg m;
	uint64_t maps;
	ssize_t r;
	pid_t pid;

	if (obj_bytes < off + HOLD_BYTES)
		die("the object (%zu MiB) has no room for the holders' holes past %zu MiB",
		    obj_bytes / VL_MiB, off / VL_MiB);
	stats(&st0);
	if (pipe2(ready, O_CLOEXEC) || pipe2(release, O_CLOEXEC))
		die_errno("pipe2");
	fflush(stdout);
	fflush(stderr);
	h->n = 0;
	for (k = 0; k < n; k++) {
		pid = fork();
		if (pid < 0)
			die_errno("fork of a holder");
		if (pid == 0) {
			close(ready[0]);
			close(release[1]);
			holder_run(off, ready[1], release[0]);
		}
		h->h[k].pid = pid;
		h->n++;
	}
	close(ready[1]);
	close(release[0]);
	h->release = release[1];
	for (k = 0; k < n; k++) {
		do {
			r = read(ready[0], &m, sizeof(m));
		} while (r < 0 && errno == EINTR);
		if (r != sizeof(m))
			die("only %d of %d holders got ready", k, n);
		for (j = 0; j < n && h->h[j].pid != m.pid; j++)
			;
		if (j == n)
			die("a message from pid %d, not a holder", (int)m.pid);
		h->h[j].addr = m.addr;
	}
	close(ready[0]);
	stats(&st1);
	maps = st1.zero_frame_maps - st0.zero_frame_maps;
	if (maps < (uint64_t)n * (HOLD_BYTES / ps))
		die("the holders' %zu hole reads counted only %llu zero_frame_maps",
		    n * (HOLD_BYTES / ps), (unsigned long long)maps);
	check_holders(h, "before the timed pass");
}

/* Let the holders exit and reap them. */
static void stop_holders(struct holders *h)
{
	int k, status;

	close(h->release);
	for (k = 0; k < h->n; k++) {
		if (waitpid(h->h[k].pid, &status, 0) != h->h[k].pid)
			die_errno("waitpid for a holder");
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			die("holder %d (pid %d) failed", k, (int)h->h[k].pid);
	}
	h->n = 0;
}

/* The inspect-pidns case */

#define INSPECT_WARMUP	100	/* untimed calls before the timed ones */

/* One INSPECT of pid's page at addr; dies unless the page is mapped. */
static void inspect_one(pid_t pid, const char *addr)
{
	struct vmlab_page_info pi;

	if (vmlab_inspect(dev, pid, (uintptr_t)addr, 1, &pi, NULL))
		die_errno("VMLAB_IOC_INSPECT of pid %d (its pid here)", (int)pid);
	if (!(pi.walk & VMLAB_WALK_VMA) || !(pi.entry & VMLAB_ENTRY_PRESENT))
		die("VMLAB_IOC_INSPECT of pid %d: its page is not mapped (walk %#llx, entry %#llx)",
		    (int)pid, (unsigned long long)pi.walk,
		    (unsigned long long)pi.entry);
}

/*
 * Fork a process that writes a page of its own and waits, then time n
 * INSPECTs of that page; write the sample to out.  Runs in the process
 * whose pid namespace the case is about.
 */
static void __attribute__((noreturn)) inspect_timer(size_t n, int out)
{
	struct vmlab_stats st0, st1;
	struct sample s = { 0 };
	int ready[2], status;
	double t0, t1;
	pid_t target;
	size_t i;
	long f0;
	char *p, c;

	p = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	if (p == MAP_FAILED)
		die_errno("mmap of the inspected page");
	if (pipe2(ready, O_CLOEXEC))
		die_errno("pipe2");
	target = fork();
	if (target < 0)
		die_errno("fork of the inspected process");
	if (target == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		p[0] = 1;
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(ready[1]);
	if (read(ready[0], &c, 1) != 1)
		die("the inspected process died before it was ready");
	close(ready[0]);
	for (i = 0; i < INSPECT_WARMUP; i++)
		inspect_one(target, p);
	stats(&st0);
	f0 = thread_minflt();
	t0 = now_ns();
	for (i = 0; i < n; i++)
		inspect_one(target, p);
	t1 = now_ns();
	s.minflt = (double)(thread_minflt() - f0) / n;
	stats(&st1);
	s.ns = (t1 - t0) / n;
	s.modflt = (double)(module_faults(&st1) - module_faults(&st0)) / n;
	kill(target, SIGKILL);
	if (waitpid(target, &status, 0) != target)
		die_errno("waitpid for the inspected process");
	if (write(out, &s, sizeof(s)) != sizeof(s))
		die_errno("write to the parent");
	_exit(0);
}

/* The process that runs inspect_timer, after making a pid namespace. */
static void __attribute__((noreturn)) inspect_runner(const struct variant *v,
						     size_t n, int out)
{
	int status;
	pid_t pid;

	if (v->inspect == I_INIT_NS)
		inspect_timer(n, out);
	if (unshare(CLONE_NEWPID))
		die_errno("unshare(CLONE_NEWPID)");
	pid = fork();
	if (pid < 0)
		die_errno("fork of the new pid namespace's init");
	if (pid == 0) {
		if (getpid() != 1)
			die("the new pid namespace's first process is pid %d, not 1",
			    (int)getpid());
		inspect_timer(n, out);
	}
	if (waitpid(pid, &status, 0) != pid)
		die_errno("waitpid for the pid namespace's init");
	_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 1);
}

static void timed_inspect(const struct variant *v, size_t n, struct sample *s)
{
	int fd;
	pid_t pid;

	pid = fork_sampler(&fd);
	if (pid == 0)
		inspect_runner(v, n, fd);
	child_sample(pid, fd, s, "inspects", v->label);
}

/* The number after "key" : in the fio JSON text from @from on; NAN if none. */
static double json_num(const char *from, const char *key)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\" : ", key);
	p = from ? strstr(from, pat) : NULL;
	return p ? strtod(p + strlen(pat), NULL) : NAN;
}

static char fio_path[PATH_MAX];	/* fio, found in PATH by setup() */

/*
 * One fio job over @bytes of the variant's file, which holds data: fio's
 * mean latency of a 4 KiB block is the sample's time per page.
 */
static void timed_fio(const struct variant *v, size_t bytes, struct sample *s)
{
	static char out[1 << 20];
	char file[64], fname[80], size[32], rw[32], *argv[16], *sect;
	struct vmlab_stats a, b;
	int fd, pfd[2], n = 0, status;
	size_t got = 0;
	ssize_t r;
	pid_t pid;

	fd = open_backing(v, bytes);
	if (fd == dev)
		snprintf(file, sizeof(file), "%s", VMLAB_DEVICE);
	else
		snprintf(file, sizeof(file), "/proc/%d/fd/%d", (int)getpid(), fd);
	snprintf(size, sizeof(size), "--size=%zu", bytes);
	snprintf(rw, sizeof(rw), "--rw=%s", v->fio_rw);
	argv[n++] = fio_path;
	argv[n++] = "--name=vmlab_bench";
	argv[n++] = "--ioengine=mmap";
	argv[n++] = "--bs=4k";
	argv[n++] = size;
	argv[n++] = rw;
	argv[n++] = "--invalidate=0";
	argv[n++] = "--randrepeat=1";
	argv[n++] = "--clocksource=clock_gettime";
	argv[n++] = "--output-format=json";
	snprintf(fname, sizeof(fname), "--filename=%s", file);
	argv[n++] = fname;
	argv[n] = NULL;
	stats(&a);
	if (pipe(pfd))
		die_errno("pipe");
	pid = vmlab_fork();
	if (pid < 0)
		die_errno("fork");
	if (pid == 0) {
		dup2(pfd[1], 1);
		close(pfd[0]);
		close(pfd[1]);
		execv(fio_path, argv);
		_exit(127);
	}
	close(pfd[1]);
	while ((r = read(pfd[0], out + got, sizeof(out) - 1 - got)) > 0)
		got += r;
	out[got] = 0;
	close(pfd[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		die("fio %s on %s failed (status %#x): %.300s", v->fio_rw, file, status, out);
	stats(&b);
	sect = strstr(out, strstr(v->fio_rw, "read") ? "\"read\" : {" : "\"write\" : {");
	s->ns = json_num(sect ? strstr(sect, "\"lat_ns\"") : NULL, "mean");
	if (isnan(s->ns) || json_num(sect, "io_bytes") != (double)bytes)
		die("fio %s on %s: no mean latency, or not %zu bytes done: %.300s",
		    v->fio_rw, file, bytes, sect ? sect : out);
	s->minflt = json_num(out, "minf") / (bytes / ps);
	s->modflt = fd == dev ? (double)(module_faults(&b) - module_faults(&a)) / (bytes / ps) :
				NAN;
	s->huge_mib = 0;
	s->held = 0;
	if (fd >= 0 && fd != dev && close(fd))
		die_errno("close");
}

static void measure(const struct bcase *c, const struct variant *v,
		    size_t bytes, struct sample *s)
{
	size_t npages = bytes / ps;
	struct holders h = { 0 };
	char *base;
	int fd;

	if (v->inspect) {
		doing = c->title;
		timed_inspect(v, npages, s);
		return;
	}
	if (v->fio_rw) {
		doing = c->title;
		timed_fio(v, bytes, s);
		return;
	}
	doing = "setting up";
	fd = open_backing(v, bytes);
	/* Before the timed mapping, which the holders must not inherit. */
	if (v->holders)
		start_holders(&h, v->holders, bytes);
	base = map_variant(v, fd, bytes);
	doing = c->title;
	if (v->fork)
		timed_fork_touch(v, base, npages, s);
	else
		timed_touch(v, base, npages, s);
	check_data(v, base, npages);
	s->huge_mib = v->huge ? huge_kb(base) / 1024.0 : 0;
	s->held = 0;
	doing = "tearing down";
	if (v->holders) {
		s->held = check_holders(&h, "after the timed pass");
		stop_holders(&h);
	}
	if (munmap(base, bytes))
		die_errno("munmap");
	if (fd >= 0 && fd != dev && close(fd))
		die_errno("close");
}

/* One round of every selected case; round < 0 is the warm-up. */
static void run_round(int round, size_t bytes)
{
	struct sample s[MAX_VARIANTS];
	size_t ci;
	int i, k, n;

	for (ci = 0; ci < NCASES; ci++) {
		const struct bcase *c = &cases[ci];

		if (!selected[ci])
			continue;
		n = c->nvar;
		for (k = 0; k < n; k++) {
			i = round & 1 ? n - 1 - k : k;
			measure(c, &c->var[i], bytes, &s[i]);
		}
		if (round < 0)
			continue;
		for (i = 0; i < n; i++) {
			struct result *r = &results[ci][i];
			int num = c->var[i].ratio_num;

			r->s[round] = s[i];
			r->ratio[round] = num < 0 ? NAN :
					  c->var[i].slowdown ? s[i].ns / s[num].ns :
							       s[num].ns / s[i].ns;
		}
	}
}

/* Statistics over the rounds */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct spread {
	double median, min, max;
};

static struct spread spread_of(const double *x, int n)
{
	double v[MAX_ROUNDS];
	struct spread sp;

	memcpy(v, x, n * sizeof(*v));
	qsort(v, n, sizeof(*v), cmp_double);
	sp.median = n & 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	sp.min = v[0];
	sp.max = v[n - 1];
	return sp;
}

/* field: offset of a double in struct sample */
static struct spread sample_spread(const struct result *r, size_t field)
{
	double x[MAX_ROUNDS];
	int i;

	for (i = 0; i < opt.rounds; i++)
		x[i] = *(const double *)((const char *)&r->s[i] + field);
	return spread_of(x, opt.rounds);
}

#define SAMPLE_SPREAD(r, f)	sample_spread(r, offsetof(struct sample, f))

/* Output */

/* The bracketed choice of a THP sysfs file ("always [madvise] never"). */
static const char *thp_setting(const char *file, char *buf, size_t len)
{
	char path[256], line[256], *a, *b;
	FILE *f;

	snprintf(path, sizeof(path), THP_DIR "/%s", file);
	f = fopen(path, "re");
	if (!f)
		return "-";
	if (!fgets(line, sizeof(line), f))
		line[0] = 0;
	fclose(f);
	a = strchr(line, '[');
	b = a ? strchr(a, ']') : NULL;
	if (!a || !b)
		return "?";
	*b = 0;
	snprintf(buf, len, "%s", a + 1);
	return buf;
}

static void cpu_model(char *buf, size_t len)
{
	FILE *f = fopen("/proc/cpuinfo", "re");
	char line[512], *p;

	snprintf(buf, len, "unknown");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "model name", 10))
			continue;
		p = strchr(line, ':');
		if (!p)
			break;
		p += 1 + strspn(p + 1, " \t");
		p[strcspn(p, "\n")] = 0;
		snprintf(buf, len, "%s", p);
		break;
	}
	fclose(f);
}

/* The first line of a small file, or "-". */
static const char *first_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");

	if (!f || !fgets(buf, len, f))
		snprintf(buf, len, "-");
	if (f)
		fclose(f);
	buf[strcspn(buf, "\n")] = 0;
	return buf;
}

static void print_header(const struct vmlab_stats *st)
{
	const char *qemu = getenv("VMLAB_BENCH_QEMU");
	char model[256], b1[64], b2[64], b3[64];
	struct utsname u;

	if (uname(&u))
		die_errno("uname");
	cpu_model(model, sizeof(model));
	printf("vmlab_bench: the cost of page faults through /dev/vmlab, next to the kernel's own paths\n\n");
	printf("  kernel %s, %ld CPUs online: %s\n", u.release,
	       sysconf(_SC_NPROCESSORS_ONLN), model);
	printf("  %zu MiB (%zu pages of %zu bytes) per case; %d rounds%s\n",
	       opt.bytes / VL_MiB, opt.bytes / ps, ps, opt.rounds,
	       opt.warmup ? ", after one warm-up round that is not counted" : "");
	printf("  /dev/vmlab: a %llu MiB object, memory limit %llu MiB, reset before every vmlab pass\n",
	       (unsigned long long)(st->size / VL_MiB),
	       (unsigned long long)(st->mem_limit / VL_MiB));
	/* Which build of the module, where it says (MODULE_VERSION). */
	if (strcmp(first_line("/sys/module/vmlab/srcversion", b1, sizeof(b1)), "-"))
		printf("  module srcversion %s\n", b1);
	if (thp)
		printf("  THP: enabled [%s], defrag [%s], shmem_enabled [%s]; MADV_NOHUGEPAGE on every\n"
		       "  mapping except in the huge case (MADV_HUGEPAGE)\n",
		       thp_setting("enabled", b1, sizeof(b1)),
		       thp_setting("defrag", b2, sizeof(b2)),
		       thp_setting("shmem_enabled", b3, sizeof(b3)));
	else
		printf("  THP: this kernel has no transparent huge pages (no %s)\n", THP_DIR);
	printf("  paths: vmlab = /dev/vmlab, memfd = memfd_create(), tmpfs = a file in %s,\n"
	       "  anon = MAP_ANONYMOUS\n\n", opt.tmpfs_dir);
	printf("Each pass maps the memory, touches one byte of every page (a store or a load)\n"
	       "and unmaps it; only the touching loop is timed.  Columns:\n"
	       "  minflt/pg  minor page faults per page, from getrusage(): what the process paid\n"
	       "  vmlab/pg   faults the module's handler served per page (VMLAB_IOC_STATS)\n"
	       "  ns/page    time of the loop per page: median over the rounds (min-max)\n"
	       "  ratio      vmlab's time / this path's time, in the same round: median (min-max);\n"
	       "             below 1, vmlab is faster.  On the 2-thread rows: the speedup,\n"
	       "             1 thread's time / 2 threads' time.  On the holders rows: that\n"
	       "             row's time / the time with no holders.  Case inspect-pidns\n"
	       "             times INSPECT calls, one per page: its ratio is the child pid\n"
	       "             namespace's time / the initial namespace's\n"
	       "  goal, met  the goal of issue 6 for the row, and whether the median meets it\n"
	       "TCG: absolute times are not meaningful; fault counts and ratios are.\n");
	if (qemu && !strcmp(qemu, "icount"))
		printf("Here QEMU's TCG emulates every instruction with -icount shift=0: the guest's\n"
		       "clock counts instructions (1 ns = 1 instruction), so the rounds agree and the\n"
		       "host's load does not disturb them, but a cache miss costs what any instruction\n"
		       "costs.  The two CPUs take turns: two threads cannot finish sooner than one, so\n"
		       "the speedup shows only what running at once costs (1.00x: nothing).\n");
	else if (qemu)
		printf("Here QEMU's TCG emulates every instruction, timed by the host's clock: the\n"
		       "host's other work shows in the times and in the spread.\n");
	printf("\n");
}

static void print_range(char *buf, size_t len, const struct spread *sp,
			const char *fmt, const char *suffix)
{
	char a[20], b[20], c[20];

	snprintf(a, sizeof(a), fmt, sp->median);
	snprintf(b, sizeof(b), fmt, sp->min);
	snprintf(c, sizeof(c), fmt, sp->max);
	snprintf(buf, len, "%s%s (%s-%s)", a, suffix, b, c);
}

/* Print the table; returns the goals met, *ngoals the goals judged. */
static int print_table(int *ngoals)
{
	char minflt[32], modflt[32], ns[80], ratio[80];
	const char *met;
	int met_count = 0;
	size_t ci;
	int i;

	*ngoals = 0;
	printf("%-24s %9s %9s %24s %22s  %-21s %s\n", "case / path", "minflt/pg",
	       "vmlab/pg", "ns/page (min-max)", "ratio (min-max)", "goal", "met");
	for (ci = 0; ci < NCASES; ci++) {
		const struct bcase *c = &cases[ci];

		if (!selected[ci])
			continue;
		printf("%zu %s\n", ci + 1, c->title);
		for (i = 0; i < c->nvar; i++) {
			const struct variant *v = &c->var[i];
			const struct result *r = &results[ci][i];
			struct spread f = SAMPLE_SPREAD(r, minflt);
			struct spread m = SAMPLE_SPREAD(r, modflt);
			struct spread t = SAMPLE_SPREAD(r, ns);
			struct spread q = { NAN, NAN, NAN };
			bool ok = false;

			snprintf(minflt, sizeof(minflt), "%.4f", f.median);
			if (v->backing == B_VMLAB)
				snprintf(modflt, sizeof(modflt), "%.4f", m.median);
			else
				snprintf(modflt, sizeof(modflt), "-");
			print_range(ns, sizeof(ns), &t, "%.0f", "");
			if (v->ratio_num >= 0) {
				q = spread_of(r->ratio, opt.rounds);
				print_range(ratio, sizeof(ratio), &q, "%.2f",
					    v->threads > 1 ? "x" : "");
			} else {
				snprintf(ratio, sizeof(ratio), "-");
			}
			switch (v->goal) {
			case G_NONE:
				break;
			case G_RATIO_MAX:
				ok = q.median <= v->goal_value;
				break;
			case G_FAULTS_MAX:
				ok = f.median <= v->goal_value;
				break;
			case G_SPEEDUP_GE:
				ok = q.median >= spread_of(results[ci][v->goal_row].ratio,
							   opt.rounds).median;
				break;
			}
			met = NULL;
			if (v->goal != G_NONE) {
				met = ok ? "yes" : "NO";
				met_count += ok;
				(*ngoals)++;
			}
			printf("  %-22s %9s %9s %24s %22s", v->label, minflt,
			       modflt, ns, ratio);
			if (v->goal != G_NONE)
				printf("  %-21s %s", v->goal_text, met);
			printf("\n");
		}
	}
	return met_count;
}

static void print_notes(void)
{
	size_t ci;
	int i;

	for (ci = 0; ci < NCASES; ci++) {
		const struct bcase *c = &cases[ci];

		if (!selected[ci])
			continue;
		for (i = 0; i < c->nvar; i++) {
			const struct variant *v = &c->var[i];
			struct spread h;

			if (v->marks == M_SET)
				printf("  %s: before the holders started, a private mapping read\n"
				       "    every hole of the timed part (then unmapped), which marked them\n",
				       v->label);
			if (v->holders) {
				h = SAMPLE_SPREAD(&results[ci][i], held);
				printf("  %s: %d processes, each mapping the whole object\n"
				       "    MAP_PRIVATE, held %.0f zero entries (min %.0f; pagemap, after\n"
				       "    each timed pass) in the %zu KiB past the timed part\n",
				       v->label, v->holders, h.median, h.min,
				       (size_t)HOLD_BYTES / 1024);
			}
			if (!v->huge)
				continue;
			h = SAMPLE_SPREAD(&results[ci][i], huge_mib);
			printf("  huge, %s: %.0f of %zu MiB mapped with 2 MiB entries (smaps)\n",
			       v->label, h.median, opt.bytes / VL_MiB);
		}
	}
}

/* Bytes in use in the slab cache that indexes the page cache, or -1. */
static long long index_slab_bytes(void)
{
	FILE *f = fopen("/proc/slabinfo", "re");
	unsigned long active, total, size;
	long long bytes = -1;
	char line[512];

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "radix_tree_node %lu %lu %lu", &active, &total, &size) == 3)
			bytes = (long long)active * size;
	fclose(f);
	return bytes;
}

/*
 * The same, once the slab is quiet: xarray nodes are freed after an RCU
 * grace period, so a count taken just after a reset or truncation still
 * falls for a while.
 */
static long long index_slab_bytes_settled(void)
{
	long long x = index_slab_bytes(), y;
	int i;

	for (i = 0; i < 50; i++) {
		usleep(100 * 1000);
		y = index_slab_bytes();
		if (y == x)
			break;
		x = y;
	}
	return x;
}

/*
 * Memory per page beyond the page itself: vmlab keeps no structure of
 * its own per page; the object's index is the page cache's xarray, whose
 * nodes come from the radix_tree_node slab.  Fill opt.bytes of the object
 * and of a tmpfs file and print what that slab grew by, per 4 KiB page.
 */
static void print_metadata(void)
{
	const struct variant tmpfs = { .label = "tmpfs", .backing = B_TMPFS };
	size_t npages = opt.bytes / ps;
	long long a, b, c, d;
	int fd;

	reset_object();
	a = index_slab_bytes_settled();
	populate(dev, opt.bytes, "/dev/vmlab");
	b = index_slab_bytes_settled();
	reset_object();
	fd = open_backing(&tmpfs, opt.bytes);
	c = index_slab_bytes_settled();
	populate(fd, opt.bytes, "a tmpfs file");
	d = index_slab_bytes_settled();
	close(fd);
	if (a < 0 || b < 0 || c < 0 || d < 0) {
		printf("  memory per page: /proc/slabinfo has no radix_tree_node here\n");
		return;
	}
	printf("  memory per page besides the page: vmlab %.1f bytes (its page-cache index; "
	       "nothing else), tmpfs %.1f bytes; goal <= 16: %s\n",
	       (double)(b - a) / npages, (double)(d - c) / npages,
	       (double)(b - a) / npages <= 16 ? "yes" : "NO");
}

static void list_cases(void)
{
	size_t ci;

	for (ci = 0; ci < NCASES; ci++)
		printf("%zu %-20s %s\n", ci + 1, cases[ci].name, cases[ci].title);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s [-s MIB] [-r ROUNDS] [-c CASE[,CASE...]] [-t DIR] [--no-warmup]\n"
		"       %s --list | --help\n"
		"\n"
		"Measures page faults through /dev/vmlab against the kernel's own paths\n"
		"(memfd, tmpfs, anonymous memory) and prints one table: faults per page,\n"
		"time per page and the ratio vmlab / kernel, median and spread over the\n"
		"rounds, and whether the goals of issue 6 are met.  Needs vmlab.ko loaded\n"
		"with an object and a memory limit of at least MIB (make bench loads it\n"
		"with size_mb=512 mem_limit_mb=512) and read/write access to %s.\n"
		"Not a pass/fail test: exits 0 once everything was measured, 1 on an\n"
		"error, 2 on a bad command line.\n"
		"\n"
		"  -s, --size MIB        memory per case, an even number of MiB (default %d;\n"
		"                        environment: VMLAB_BENCH_MB)\n"
		"  -r, --rounds N        rounds, 1 to %d (default %d; VMLAB_BENCH_ROUNDS)\n"
		"  -c, --case LIST       only these cases, by name or number, comma\n"
		"                        separated (default all; VMLAB_BENCH_CASES)\n"
		"  -t, --tmpfs DIR       a tmpfs directory for the tmpfs files (default\n"
		"                        /dev/shm; VMLAB_BENCH_TMPFS)\n"
		"      --no-warmup       no warm-up round\n"
		"  -l, --list            list the cases\n"
		"  -h, --help            this help\n"
		"\n"
		"VMLAB_BENCH_QEMU=tcg or icount (set by make bench) says how QEMU runs the\n"
		"guest, for the explanation above the table.\n",
		prog, prog, VMLAB_DEVICE, DEFAULT_MB, MAX_ROUNDS, DEFAULT_ROUNDS);
}

static void __attribute__((noreturn)) bad_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "%s: ", prog);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry '%s --help'.\n", prog);
	exit(2);
}

static long parse_num(const char *s, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v <= 0)
		bad_usage(what, s);
	return v;
}

static void select_cases(const char *list)
{
	char *copy = strdup(list), *tok, *save = NULL;
	size_t ci;
	bool found;

	if (!copy)
		die_errno("strdup");
	memset(selected, 0, sizeof(selected));
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		found = false;
		for (ci = 0; ci < NCASES; ci++) {
			char num[8];

			snprintf(num, sizeof(num), "%zu", ci + 1);
			if (!strcmp(tok, cases[ci].name) || !strcmp(tok, num)) {
				selected[ci] = true;
				found = true;
			}
		}
		if (!found)
			bad_usage("no case '%s' (see --list)", tok);
	}
	free(copy);
}

static void parse_args(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "size", required_argument, NULL, 's' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "case", required_argument, NULL, 'c' },
		{ "tmpfs", required_argument, NULL, 't' },
		{ "no-warmup", no_argument, NULL, 'W' },
		{ "list", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *tmpfs = getenv("VMLAB_BENCH_TMPFS");
	const char *size = getenv("VMLAB_BENCH_MB");
	const char *rounds = getenv("VMLAB_BENCH_ROUNDS");
	const char *list = getenv("VMLAB_BENCH_CASES");
	long mb;
	int c;

	if (tmpfs && *tmpfs)
		opt.tmpfs_dir = tmpfs;
	while ((c = getopt_long(argc, argv, "s:r:c:t:lh", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			size = optarg;
			break;
		case 'r':
			rounds = optarg;
			break;
		case 'c':
			list = optarg;
			break;
		case 't':
			opt.tmpfs_dir = optarg;
			break;
		case 'W':
			opt.warmup = false;
			break;
		case 'l':
			list_cases();
			exit(0);
		case 'h':
			usage(stdout);
			exit(0);
		default:
			fprintf(stderr, "Try '%s --help'.\n", prog);
			exit(2);
		}
	}
	if (optind < argc)
		bad_usage("unexpected argument '%s'", argv[optind]);
	if (size && *size) {
		mb = parse_num(size, "bad size '%s': a positive even number of MiB");
		if (mb % 2 || mb > 1024 * 1024)
			bad_usage("bad size '%s': a positive even number of MiB", size);
		opt.bytes = mb * VL_MiB;
	}
	if (rounds && *rounds) {
		opt.rounds = parse_num(rounds, "bad number of rounds '%s'");
		if (opt.rounds > MAX_ROUNDS)
			bad_usage("bad number of rounds '%s': at most 99", rounds);
	}
	if (list && *list)
		select_cases(list);
	else
		memset(selected, 1, sizeof(selected));
}

static void setup(void)
{
	struct sigaction sa = { .sa_handler = on_fatal_signal };
	bool need_tmpfs = false;
	struct statfs sfs;
	size_t ci;
	int i;

	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGBUS, &sa, NULL) || sigaction(SIGSEGV, &sa, NULL))
		die_errno("sigaction");
	ps = vmlab_page_size();
	thp = access(THP_DIR "/enabled", F_OK) == 0;
	dev = vmlab_open(O_RDWR);
	if (dev < 0)
		die_errno("cannot open %s (is vmlab.ko loaded? are you root?)",
			  VMLAB_DEVICE);
	for (ci = 0; ci < NCASES; ci++)
		for (i = 0; selected[ci] && i < cases[ci].nvar; i++) {
			need_tmpfs |= cases[ci].var[i].backing == B_TMPFS;
			if (cases[ci].var[i].fio_rw && !fio_path[0] &&
			    !vl_which("fio", fio_path, sizeof(fio_path)))
				die("the %s case runs fio, which is not installed (Debian's "
				    "package fio), or leave it out with --case", cases[ci].name);
		}
	if (need_tmpfs) {
		if (statfs(opt.tmpfs_dir, &sfs))
			die_errno("statfs %s", opt.tmpfs_dir);
		if (sfs.f_type != TMPFS_MAGIC)
			die("%s is not a tmpfs: give one with --tmpfs DIR "
			    "(mount -t tmpfs tmpfs DIR)", opt.tmpfs_dir);
	}
}

int main(int argc, char **argv)
{
	struct vmlab_stats st;
	double t0;
	int round, met, ngoals, i;
	size_t ci;

	parse_args(argc, argv);
	setup();
	stats(&st);
	if (st.size < opt.bytes || st.mem_limit < opt.bytes)
		die("the object is %llu MiB with a memory limit of %llu MiB; %zu MiB "
		    "are needed: load vmlab.ko with size_mb=512 mem_limit_mb=512, "
		    "or use a smaller --size",
		    (unsigned long long)(st.size / VL_MiB),
		    (unsigned long long)(st.mem_limit / VL_MiB),
		    opt.bytes / VL_MiB);
	obj_bytes = st.size;
	for (ci = 0; ci < NCASES; ci++)
		for (i = 0; selected[ci] && i < cases[ci].nvar; i++)
			if (cases[ci].var[i].holders && obj_bytes < opt.bytes + HOLD_BYTES)
				die("the case %s needs an object of %zu MiB for %zu MiB: "
				    "%zu MiB of holes past the timed part; load vmlab.ko "
				    "with a larger size_mb, or use a smaller --size",
				    cases[ci].name, (opt.bytes + HOLD_BYTES) / VL_MiB,
				    opt.bytes / VL_MiB, (size_t)HOLD_BYTES / VL_MiB);

	if (opt.warmup) {
		t0 = now_ns();
		run_round(-1, opt.bytes < WARMUP_MB * VL_MiB ? opt.bytes :
							       WARMUP_MB * VL_MiB);
		fprintf(stderr, "%s: warm-up round: %.1f s\n", prog,
			(now_ns() - t0) / 1e9);
	}
	for (round = 0; round < opt.rounds; round++) {
		t0 = now_ns();
		run_round(round, opt.bytes);
		fprintf(stderr, "%s: round %d of %d: %.1f s\n", prog, round + 1,
			opt.rounds, (now_ns() - t0) / 1e9);
	}
	reset_object();

	print_header(&st);
	met = print_table(&ngoals);
	printf("\n");
	print_notes();
	print_metadata();
	printf("  goals met: %d of %d\n", met, ngoals);
	if (fflush(stdout) || ferror(stdout))
		die_errno("writing the table");
	close(dev);
	return 0;
}
