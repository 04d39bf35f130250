// SPDX-License-Identifier: GPL-2.0
/*
 * vmlab_fuzz: a seeded random sequence of calls over the device's whole
 * surface, each judged against a model of what the kernel and the module
 * must do.
 *
 * The calls: open (every access mode, O_PATH, flags that must fail),
 * close, dup; read, pread, readv, preadv2, write, pwrite, writev, pwritev2
 * with random offsets (negative, huge, at and past the end) and lengths
 * (0 to SIZE_MAX) into buffers that are fine, partly inaccessible, kernel
 * addresses, or mappings of the device itself; lseek with every whence;
 * mmap with random protections, flags, offsets (to 2^64) and lengths,
 * fixed or not; munmap, mremap (grow, shrink, move, MREMAP_FIXED,
 * MREMAP_DONTUNMAP, duplicate), mprotect, madvise (every advice but the
 * destructive ones), msync on random ranges; fsync, fdatasync,
 * sync_file_range, fallocate, ftruncate, posix_fadvise, fcntl; loads and
 * stores through every mapping, including past the end, over the memory
 * limit, on PROT_NONE; fork (the child goes on with the sequence; some
 * children kill themselves midway); every ioctl, STATS, RESET, INSPECT
 * and random command numbers, with random and hostile arguments (bad
 * pointers, huge counts, wrapping ranges, other pids, unmapped and kernel
 * addresses, PROT_NONE buffers, buffers in the device's own mappings).
 *
 * The model: the object (which pages it holds, their data, the memory
 * limit) and the test's address space.  All mappings the test makes with
 * MAP_FIXED live in an arena that is always entirely mapped (PROT_NONE
 * placeholders fill every gap), so a random munmap or mprotect cannot hit
 * the program itself, and "unmapped" addresses are ones nobody can map
 * (below mmap_min_addr) or outside user space.  For every call the model
 * predicts the result: exactly (the return value, or the errno), or as a
 * set where the kernel's order of checks is version dependent, and then
 * it learns the outcome.  Every errno must also be in the set documented
 * for that call (fuzz_model.c).  Loads compare data with the model,
 * STATS with the model's page count, INSPECT records with the mappings.
 * A deliberate load or store runs under sigsetjmp() and must get exactly
 * the signal predicted (SIGSEGV: no VMA, protection; SIGBUS: past the
 * end, over the limit).  Any other signal, any hang (a watchdog in the
 * parent), an errno outside the set, or a model mismatch fails the run,
 * with the seed and the last operations.
 *
 * --seed S (VMLAB_FUZZ_SEED) replays a sequence, --ops N (VMLAB_FUZZ_OPS)
 * sets its length (VMLAB_FUZZ_DEFAULT_OPS by default), --verbose
 * (VMLAB_FUZZ_VERBOSE=1) prints every operation.  The seed is random
 * unless given; a failure prints it with the last operations.  To debug
 * the model: VMLAB_FUZZ_CHECKMAPS=1 holds it against /proc/self/maps after
 * every operation, VMLAB_FUZZ_WATCH=ADDR logs what happens to one page;
 * boot with norandmaps for the same addresses in every replay (make fuzz
 * FUZZ_SEED=S VMLAB_APPEND="norandmaps VMLAB_FUZZ_VERBOSE=1").
 *
 * Not fuzzed, on purpose: MADV_HUGEPAGE (a shared fault then fills a
 * whole 2 MiB hole at once when 2 MiB of contiguous memory happen to be
 * free, which the model cannot know; vmlab_fault's huge tests cover it),
 * MADV_HWPOISON and MADV_SOFT_OFFLINE (as root
 * they take memory away for good), MADV_GUARD_INSTALL/REMOVE (their
 * support for file mappings differs between the kernels), PROT_EXEC-only
 * mappings (execute-only protection keys make reads fail or not depending
 * on the CPU), MAP_ANONYMOUS | MAP_HUGETLB, and generic VFS ioctls
 * (FIFREEZE on devtmpfs, ...): random ioctl numbers avoid their types.
 *
 * The files: this one is the driver (the table of operations, the run,
 * the seed, the report); fuzz_model.{c,h} the model; fuzz_ops.h lists
 * the operations and the files that hold them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "fuzz_ops.h"

#define VMLAB_FUZZ_DEFAULT_OPS	10000

/* The operations, drawn by weight: counts[] and the report in this order. */
static const struct fuzz_op ops[] = {
	{ "open", 3, op_open },
	{ "close", 2, op_close },
	{ "dup", 1, op_dup },
	{ "read", 10, op_read },
	{ "write", 10, op_write },
	{ "lseek", 4, op_lseek },
	{ "mmap", 10, op_mmap },
	{ "munmap", 5, op_munmap },
	{ "mremap", 5, op_mremap },
	{ "mprotect", 5, op_mprotect },
	{ "madvise", 7, op_madvise },
	{ "msync", 3, op_msync },
	{ "fsync", 2, op_fsync },
	{ "fileops", 3, op_fileops },
	{ "access", 20, op_access },
	{ "touch", 4, op_touch },
	{ "stats", 3, op_stats },
	{ "reset", 2, op_reset },
	{ "inspect", 5, op_inspect },
	{ "ioctl", 3, op_ioctl },
	{ "fork", 1, op_fork },
	{ "verify", 3, op_verify },
	{ "fill", 1, op_fill },
};

uint64_t rng;
static bool verbose;
static int64_t watch_pg = -1;	/* VMLAB_FUZZ_WATCH_PAGE: object page held after each op */
static bool checkmaps;		/* VMLAB_FUZZ_CHECKMAPS: model vs /proc/self/maps */

_Static_assert(ARRAY_SIZE(ops) <= ARRAY_SIZE(((struct shared *)0)->counts),
	       "more operations than counters");

/* ---------------------------------------------------------------- */
/* Reporting */

void note(const char *fmt, ...)
{
	char *slot = SH->ring[SH->ring_pos % NRING];
	va_list ap;
	int n;

	n = snprintf(slot, sizeof(SH->ring[0]), "#%llu [%d] ",
		     (unsigned long long)SH->opno, getpid());
	va_start(ap, fmt);
	vsnprintf(slot + n, sizeof(SH->ring[0]) - n, fmt, ap);
	va_end(ap);
	SH->ring_pos++;
	if (verbose) {
		fprintf(stderr, "# %s\n", slot);
		fflush(stderr);
	}
}

void die(const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!SH->failed) {
		n = snprintf(SH->msg, sizeof(SH->msg), "op #%llu (pid %d): ",
			     (unsigned long long)SH->opno, getpid());
		va_start(ap, fmt);
		vsnprintf(SH->msg + n, sizeof(SH->msg) - n, fmt, ap);
		va_end(ap);
		SH->failed = 1;
	}
	_exit(3);
}

static const char *ename(int e)
{
	static char buf[32];

	if (!e)
		return "success";
	snprintf(buf, sizeof(buf), "%s", strerrorname_np(e) ?: "?");
	return buf;
}

static void eset_str(eset s, char *buf, size_t len)
{
	int e, n = 0;

	buf[0] = 0;
	for (e = 0; e < 128 && n < (int)len - 16; e++)
		if (s & E(e))
			n += snprintf(buf + n, len - n, "%s%s", n ? "," : "", ename(e));
}

/*
 * Judge a result: ok_val says whether success is expected (with value
 * want, unless any_val), allow the errnos accepted here, doc the
 * documented set of the call.
 */
void judge(const char *call, long ret, int err, bool ok_expected,
	   bool any_val, long want, eset allow, eset doc)
{
	char a[256], d[256];

	if (ret >= 0) {
		if (!ok_expected)
			goto bad;
		if (!any_val && ret != want)
			die("%s returned %ld, the model says %ld", call, ret, want);
		return;
	}
	if (err >= 128 || !(doc & E(err))) {
		eset_str(doc, d, sizeof(d));
		die("%s failed with %s (%d), outside its documented set {%s}",
		    call, ename(err), err, d);
	}
	if (allow & E(err))
		return;
bad:
	eset_str(allow, a, sizeof(a));
	if (ret >= 0)
		die("%s succeeded (%ld), the model says it fails with one of {%s}",
		    call, ret, a);
	die("%s failed with %s, the model says %s%s{%s}", call, ename(err),
	    ok_expected ? "success" : "", ok_expected && allow ? " or " : "", a);
}

/* ---------------------------------------------------------------- */
/* Deliberate faults */

static void on_signal(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	vl_access_fault(sig);
	die("unexpected signal %d (%s) at %p outside a deliberate access", sig,
	    strsignal(sig), si->si_addr);
}

/*
 * Debugging the model: every region of ours against /proc/self/maps
 * (mapped, same protection), and nothing else mapped in the arena.
 */
static void check_maps(void)
{
	FILE *f = fopen("/proc/self/maps", "re");
	static unsigned long lo[4096], hi[4096];
	static char perms[4096][5];
	char line[512];
	int n = 0, i, k;

	if (!f)
		die("maps: %s", strerror(errno));
	while (n < 4096 && fgets(line, sizeof(line), f))
		if (sscanf(line, "%lx-%lx %4s", &lo[n], &hi[n], perms[n]) == 3)
			n++;
	fclose(f);
	for (i = 0; i < nreg; i++) {
		uintptr_t a = R[i].start, e = reg_end(&R[i]);

		while (a < e) {
			for (k = 0; k < n; k++)
				if (lo[k] <= a && a < hi[k])
					break;
			if (k == n)
				die("maps: %#lx (region %#lx+%llu) is not mapped", (unsigned long)a,
				    (unsigned long)R[i].start, (unsigned long long)R[i].npages);
			if ((perms[k][0] == 'r') != !!(R[i].prot & PROT_READ) ||
			    (perms[k][1] == 'w') != !!(R[i].prot & PROT_WRITE) ||
			    (perms[k][2] == 'x') != !!(R[i].prot & PROT_EXEC) ||
			    (perms[k][3] == 's') != R[i].shared)
				die("maps: %#lx is %s, the model's region %#lx+%llu prot %#x%s",
				    (unsigned long)a, perms[k], (unsigned long)R[i].start,
				    (unsigned long long)R[i].npages, R[i].prot,
				    R[i].shared ? " shared" : "");
			a = hi[k] < e ? hi[k] : e;
		}
	}
	for (k = 0; k < n; k++) {
		uintptr_t a = lo[k] > A0 ? lo[k] : A0, e = hi[k] < A1 ? hi[k] : A1;

		for (; a < e; a += PS)
			if (reg_find(a) < 0)
				die("maps: %#lx in the arena is mapped (%s), not in the model",
				    (unsigned long)a, perms[k]);
	}
}

/*
 * Debugging the model: the watched object page, read back after every
 * operation, against the model; the first operation that parts them fails.
 */
static void check_watch_page(void)
{
	static uint8_t buf[4096];
	int fd = vl_open(O_RDONLY);
	size_t j;

	if (fd < 0 || pread(fd, buf, PS, watch_pg * PS) != (ssize_t)PS)
		die("watch page: %s", strerror(errno));
	close(fd);
	if (PST[watch_pg] & P_UNKNOWN)
		return;
	for (j = 0; j < PS; j++)
		if (buf[j] != SHADOW[watch_pg * PS + j]) {
			int i;

			for (i = 0; i < nreg; i++)
				note("  region %#lx-%#lx kind %d shared %d prot %#x pgoff %#llx",
				     (unsigned long)R[i].start, (unsigned long)reg_end(&R[i]),
				     R[i].kind, R[i].shared, R[i].prot,
				     (unsigned long long)R[i].pgoff);
			for (i = 0; i < ncow; i++)
				note("  private copy %#lx", (unsigned long)C[i].va);
			system("cat /proc/$PPID/maps >&2");
			die("watch page: object page %lld byte %zu reads %#x, the model says %#x",
			    (long long)watch_pg, j, buf[j], SHADOW[watch_pg * PS + j]);
		}
}

void run_ops(uint64_t n)
{
	static int total;
	uint64_t k;
	int op, r;

	if (!total)
		for (op = 0; op < (int)ARRAY_SIZE(ops); op++)
			total += ops[op].weight;
	for (k = 0; k < n && !SH->failed; k++) {
		r = rnd(total);
		for (op = 0; op < (int)ARRAY_SIZE(ops) - 1; op++) {
			r -= ops[op].weight;
			if (r < 0)
				break;
		}
		SH->opno++;
		SH->progress++;
		if (n_outside() > MAXOUTREG)
			unmap_outside();
		SH->counts[op]++;
		ops[op].fn();
		if (checkmaps)
			check_maps();
		if (watch_pg >= 0)
			check_watch_page();
	}
}

/* ---------------------------------------------------------------- */
/* The run */

/* The worker: the whole sequence, then a clean exit. */
static int fuzz_worker(uint64_t seed, uint64_t nops)
{
	char *a;
	int fd, i;

	vl_catch_faults(on_signal);
	rng = seed;
	fd = vl_open(O_RDWR);
	if (fd < 0)
		die("open: %s", strerror(errno));
	setup_model(fd);
	F[nfd++] = (struct fdm){ fd, O_RDWR, false };
	/* The kernel's zero page, found once, before the arena is made. */
	if (!vl_zero_pfn())
		die("cannot find the kernel's zero page (pagemap, kpageflags)");
	a = mmap(NULL, (ARENA_PAGES + SCR_PAGES + 1) * PS, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (a == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	A0 = (uintptr_t)a;
	A1 = A0 + ARENA_PAGES * PS;
	SCR = a + ARENA_PAGES * PS;
	if (mprotect(SCR, SCR_PAGES * PS, PROT_READ | PROT_WRITE))
		die("mprotect: %s", strerror(errno));
	reg_insert((struct reg){ .start = A0, .npages = ARENA_PAGES, .kind = RK_ANON,
				 .prot = PROT_NONE });
	run_ops(nops);
	check_resident("at the end");
	/* Everything goes: the counters must come back to nothing. */
	for (i = nreg - 1; i >= 0; i--)
		if (munmap((void *)R[i].start, R[i].npages * PS))
			die("final munmap: %s", strerror(errno));
	for (i = 0; i < nfd; i++)
		close(F[i].fd);
	return 0;
}

FIXTURE(fuzz)
{
	int fd;
	struct vmlab_stats st;
};

FIXTURE_SETUP(fuzz)
{
	PS = vl_psize();
	VL_SETUP_DEVICE(self->fd, self->st);
}

FIXTURE_TEARDOWN(fuzz)
{
	if (self->fd >= 0) {
		vl_reset(self->fd, NULL);
		close(self->fd);
	}
}

static uint64_t opt_seed, opt_ops = VMLAB_FUZZ_DEFAULT_OPS;

static void print_ring(void)
{
	int k, n = SH->ring_pos < 24 ? SH->ring_pos : 24;

	fprintf(stderr, "# the last %d operations:\n", n);
	for (k = SH->ring_pos - n; k < SH->ring_pos; k++)
		fprintf(stderr, "#   %s\n", SH->ring[k % NRING]);
}

TEST_F_TIMEOUT(fuzz, random_sequence, 3600)
{
	struct vmlab_stats a, b;
	uint64_t last = 0, freed;
	time_t t0 = time(NULL), tl = t0;
	int st = -1, k, n = 0;
	char line[1024];
	pid_t pid;

	SH = mmap(NULL, sizeof(*SH), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, SH);
	SH->seed = opt_seed;
	SH->nops = opt_ops;
	fprintf(stderr, "# seed %#llx, %llu operations (replay: vmlab_fuzz --seed %#llx "
		"--ops %llu)\n", (unsigned long long)opt_seed, (unsigned long long)opt_ops,
		(unsigned long long)opt_seed, (unsigned long long)opt_ops);
	ASSERT_EQ(0, vl_stats(self->fd, &a));
	ASSERT_EQ(0, a.vmas_live);
	fflush(stderr);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		setpgid(0, 0);
		vl_child_quiet();
		_exit(fuzz_worker(opt_seed, opt_ops));
	}
	/* The watchdog: the sequence must make progress. */
	for (;;) {
		struct timespec ts = { 0, 100 * 1000 * 1000 };
		pid_t r = waitpid(pid, &st, WNOHANG);

		if (r == pid)
			break;
		nanosleep(&ts, NULL);
		if (SH->progress != last) {
			last = SH->progress;
			tl = time(NULL);
		} else if (time(NULL) - tl > 120) {
			kill(-pid, SIGKILL);
			waitpid(pid, &st, 0);
			fprintf(stderr, "# seed %#llx: hang: no progress for 120 s at operation "
				"%llu\n", (unsigned long long)opt_seed,
				(unsigned long long)SH->opno);
			print_ring();
			ASSERT_TRUE(false);
		}
	}
	for (k = 0; k < (int)ARRAY_SIZE(ops); k++)
		n += snprintf(line + n, sizeof(line) - n, " %s %llu", ops[k].name,
			      (unsigned long long)SH->counts[k]);
	fprintf(stderr, "# %llu operations in %ld s:%s\n", (unsigned long long)SH->opno,
		(long)(time(NULL) - t0), line);
	fprintf(stderr, "# deliberate accesses: %llu fine, %llu SIGSEGV, %llu SIGBUS; "
		"%llu resets\n", (unsigned long long)SH->sigs[0],
		(unsigned long long)SH->sigs[1], (unsigned long long)SH->sigs[2],
		(unsigned long long)SH->resets);
	if (SH->failed || !WIFEXITED(st) || WEXITSTATUS(st)) {
		fprintf(stderr, "# seed %#llx: %s (worker status %#x)\n",
			(unsigned long long)opt_seed,
			SH->failed ? SH->msg : "the worker died", st);
		print_ring();
		ASSERT_TRUE(false);
	}
	/* All gone: the counters balance, the model's page count is right. */
	ASSERT_EQ(0, vl_stats(self->fd, &b));
	vl_stats_log("fuzz", &a, &b);
	ASSERT_EQ(0, b.vmas_live);
	ASSERT_EQ(VL_D(a, b, vma_opens), VL_D(a, b, vma_closes));
	ASSERT_EQ(b.pages_allocated - b.pages_freed, b.pages_resident);
	ASSERT_EQ((uint64_t)SH->resident, b.pages_resident);
	ASSERT_EQ(SH->resets, (uint64_t)VL_D(a, b, resets));
	ASSERT_EQ(0, vl_reset(self->fd, &freed));
	ASSERT_EQ((uint64_t)SH->resident, freed);
}

int main(int argc, char **argv)
{
	char **args = calloc(argc + 1, sizeof(*args));
	const char *s;
	int i, n = 0;

	if ((s = getenv("VMLAB_FUZZ_OPS")) && *s)
		opt_ops = strtoull(s, NULL, 0);
	if ((s = getenv("VMLAB_FUZZ_VERBOSE")) && *s && strcmp(s, "0"))
		verbose = true;
	if ((s = getenv("VMLAB_FUZZ_CHECKMAPS")) && *s && strcmp(s, "0"))
		checkmaps = true;
	if ((s = getenv("VMLAB_FUZZ_WATCH")) && *s)
		watch = strtoull(s, NULL, 0) & ~4095ULL;
	if ((s = getenv("VMLAB_FUZZ_WATCH_PAGE")) && *s)
		watch_pg = strtoll(s, NULL, 0);
	opt_seed = vl_seed("VMLAB_FUZZ_SEED");
	for (i = 0; i < argc; i++) {
		if (i && !strcmp(argv[i], "--seed") && i + 1 < argc)
			opt_seed = strtoull(argv[++i], NULL, 0);
		else if (i && !strcmp(argv[i], "--ops") && i + 1 < argc)
			opt_ops = strtoull(argv[++i], NULL, 0);
		else if (i && !strcmp(argv[i], "--verbose"))
			verbose = true;
		else if (i && !strcmp(argv[i], "--help")) {
			fprintf(stderr, "usage: %s [--seed S] [--ops N] [--verbose] "
				"[harness options]\n  environment: VMLAB_FUZZ_SEED, "
				"VMLAB_FUZZ_OPS, VMLAB_FUZZ_VERBOSE\n", argv[0]);
			return 0;
		} else {
			args[n++] = argv[i];
		}
	}
	vl_preflight(n, args);
	return test_harness_run(n, args);
}
