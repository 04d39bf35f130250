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
 * for that call (the table below).  Loads compare data with the model,
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
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "vmlab_util.h"

#define VMLAB_FUZZ_DEFAULT_OPS	10000

#ifndef MADV_DONTNEED_LOCKED
#define MADV_DONTNEED_LOCKED	24
#endif
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE		25
#endif
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE	0x100000
#endif
#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE	0x03
#endif
#ifndef MAP_SYNC
#define MAP_SYNC		0x80000
#endif
#ifndef MAP_UNINITIALIZED
#define MAP_UNINITIALIZED	0x4000000
#endif
#ifndef PROT_SEM
#define PROT_SEM		0x8
#endif
#ifndef RWF_HIPRI
#define RWF_HIPRI		0x1
#define RWF_DSYNC		0x2
#define RWF_SYNC		0x4
#define RWF_NOWAIT		0x8
#define RWF_APPEND		0x10
#endif

/*
 * The errnos each call may give, derived from the module (main.c,
 * store.c, vmops.c, inspect.c) and the kernel's generic checks (the VFS,
 * mm/mmap.c, mremap.c, mprotect.c, madvise.c, msync.c, 6.1 to 7.x):
 *
 *  open		EACCES (mode), ENOTDIR (O_DIRECTORY, O_TMPFILE),
 *			EINVAL (O_DIRECT: no direct I/O; O_TMPFILE,
 *			O_CREAT|O_DIRECTORY), EEXIST (O_CREAT|O_EXCL),
 *			EISDIR, EFAULT (path pointer)
 *  close, dup		EBADF
 *  read family		EBADF (not open for reading, O_PATH), EFAULT
 *			(buffer), EINVAL (negative offset, count or offset
 *			overflowing, bad iovec), EOPNOTSUPP (RWF_* flags:
 *			the device has no read_iter)
 *  write family	the same, and ENOSPC (at or past the end; a new
 *			page over the memory limit)
 *  lseek		EBADF, EINVAL (whence: SEEK_DATA and SEEK_HOLE too,
 *			negative, past the end)
 *  mmap		EBADF, EINVAL, ENOMEM, EOVERFLOW, EEXIST
 *			(MAP_FIXED_NOREPLACE), EACCES (fd mode), EPERM
 *			(PROT_EXEC on a noexec mount), EOPNOTSUPP
 *			(MAP_SHARED_VALIDATE with MAP_SYNC), EAGAIN
 *  munmap		EINVAL
 *  mremap		EINVAL, EFAULT (no VMA, across VMAs), ENOMEM, EAGAIN
 *  mprotect		EINVAL, ENOMEM (unmapped), EACCES (fd mode)
 *  madvise		EINVAL, ENOMEM (unmapped), EACCES and ENODEV
 *			(MADV_REMOVE), EFAULT (MADV_POPULATE_*: SIGBUS, or
 *			no permission on 6.12+), EAGAIN, EBADF, EPERM
 *  msync		EINVAL (flags; the module's fsync for offsets past
 *			2^63), ENOMEM (unmapped), EBUSY (MS_INVALIDATE on
 *			locked memory)
 *  fsync, fdatasync	EBADF
 *  sync_file_range	EBADF, EINVAL, ESPIPE (not a regular file)
 *  fallocate		EBADF, EINVAL, EOPNOTSUPP, ENODEV (not a regular file)
 *  ftruncate		EBADF, EINVAL
 *  posix_fadvise	EBADF, EINVAL
 *  fcntl		EBADF, EINVAL (O_DIRECT)
 *  STATS		EBADF (O_PATH), EFAULT
 *  RESET		EBADF (not open for writing), EFAULT, EINVAL (flags)
 *  INSPECT		EBADF, EFAULT, EINVAL, ESRCH, EACCES, ENOMEM, EINTR,
 *			EAGAIN
 *  other ioctls	EBADF, ENOTTY
 */
typedef unsigned __int128 eset;
#define E(x)	((eset)1 << (x))

static const eset S_OPEN = E(EACCES) | E(ENOTDIR) | E(EINVAL) | E(EEXIST) |
			   E(EISDIR) | E(EFAULT);
static const eset S_CLOSE = E(EBADF);
static const eset S_READ = E(EBADF) | E(EFAULT) | E(EINVAL) | E(EOPNOTSUPP);
static const eset S_WRITE = E(EBADF) | E(EFAULT) | E(EINVAL) | E(EOPNOTSUPP) |
			    E(ENOSPC);
static const eset S_LSEEK = E(EBADF) | E(EINVAL);
static const eset S_MMAP = E(EBADF) | E(EINVAL) | E(ENOMEM) | E(EOVERFLOW) |
			   E(EEXIST) | E(EACCES) | E(EPERM) | E(EOPNOTSUPP) |
			   E(EAGAIN);
static const eset S_MUNMAP = E(EINVAL);
static const eset S_MREMAP = E(EINVAL) | E(EFAULT) | E(ENOMEM) | E(EAGAIN);
static const eset S_MPROTECT = E(EINVAL) | E(ENOMEM) | E(EACCES);
static const eset S_MADVISE = E(EINVAL) | E(ENOMEM) | E(EACCES) | E(ENODEV) |
			      E(EOPNOTSUPP) | E(EFAULT) | E(EAGAIN) | E(EBADF) |
			      E(EPERM);
static const eset S_MSYNC = E(EINVAL) | E(ENOMEM) | E(EBUSY);
static const eset S_FSYNC = E(EBADF);
static const eset S_SFR = E(EBADF) | E(EINVAL) | E(ESPIPE);
static const eset S_FALLOCATE = E(EBADF) | E(EINVAL) | E(EOPNOTSUPP) | E(ENODEV);
static const eset S_FTRUNCATE = E(EBADF) | E(EINVAL);
static const eset S_FADVISE = E(EBADF) | E(EINVAL);
static const eset S_FCNTL = E(EBADF) | E(EINVAL);
static const eset S_STATS = E(EBADF) | E(EFAULT);
static const eset S_RESET = E(EBADF) | E(EFAULT) | E(EINVAL);
static const eset S_INSPECT = E(EBADF) | E(EFAULT) | E(EINVAL) | E(ESRCH) |
			      E(EACCES) | E(ENOMEM) | E(EINTR) | E(EAGAIN);
static const eset S_IOCTL = E(EBADF) | E(ENOTTY);

#define ARENA_PAGES	4096	/* where MAP_FIXED mappings go */
#define SCR_PAGES	32	/* the scratch buffer, then a PROT_NONE page */
#define MAXREG		(ARENA_PAGES + 1024)
#define MAXCOW		4096
#define MAXFD		8
#define MAXOUT		16	/* mappings made outside the arena */
#define MAXOUTREG	64	/* regions outside: more, and one goes */
#define NRING		48	/* operations remembered for a failure report */

/* Addresses no process can map, and ones outside user space. */
#define LOW_ADDR	0x1000UL
#define NONCANON	0x0000800000000000UL
#define KERNEL_ADDR	0xffff888000000000UL
#define KTEXT_ADDR	0xffffffff81000000UL

/* Object page state (shared by every process of the run) */
#define P_PRESENT	1	/* the object holds a page there */
#define P_UNKNOWN	2	/* its data is not known to the model */

struct shared {
	uint64_t seed, nops;
	volatile uint64_t progress;	/* operations done, all processes */
	volatile int failed;
	char msg[4096];
	uint64_t size, npages, limit;
	int64_t resident;
	uint64_t resets;
	uint64_t opno;
	int ring_pos;
	char ring[NRING][200];
	uint64_t counts[64];		/* operations by kind */
	uint64_t sigs[3];		/* deliberate: none, SEGV, BUS */
};

static struct shared *SH;
static uint8_t *PST;		/* per object page: P_* (shared) */
static uint8_t *SHADOW;		/* the object's data (shared) */
static size_t PS;
static bool verbose;
static int depth;		/* fork depth of this process */
static uintptr_t task_size_max;	/* the largest user address + 1 */
static bool dev_noexec;		/* /dev is mounted noexec */
static uintptr_t watch;		/* VMLAB_FUZZ_WATCH: log the model's events here */
static int64_t watch_pg = -1;	/* VMLAB_FUZZ_WATCH_PAGE: object page held after each op */
static bool checkmaps;		/* VMLAB_FUZZ_CHECKMAPS: model vs /proc/self/maps */

/* ---------------------------------------------------------------- */
/* Random numbers */

static uint64_t rng;

static uint64_t rnd64(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t rnd(uint64_t n)
{
	return n ? rnd64() % n : 0;
}

static bool chance(int percent)
{
	return rnd(100) < (uint64_t)percent;
}

/* ---------------------------------------------------------------- */
/* Reporting */

static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void note(const char *fmt, ...)
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

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
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
static void judge(const char *call, long ret, int err, bool ok_expected,
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
/* The address space model */

enum { RK_VMLAB, RK_ANON };

struct reg {
	uintptr_t start;
	uint64_t npages;
	int kind;
	bool shared;		/* MAP_SHARED (vmlab or anon) */
	int prot;
	bool maywrite;		/* a shared vmlab mapping of a writable fd */
	bool locked;		/* VM_LOCKED */
	bool dontfork;
	uint64_t pgoff;		/* vmlab, shared anon: file page of start */
	uint64_t anon_npages;	/* shared anon: size of its shmem file */
};

static struct reg R[MAXREG];
static int nreg;
static uintptr_t A0, A1;	/* the arena */
static char *SCR;		/* scratch buffer, SCR_PAGES then PROT_NONE */

/* Private copies of object pages (copy-on-write happened) by address. */
struct cow {
	uintptr_t va;
	bool unknown;
	uint8_t *snap;
};

static struct cow C[MAXCOW];
static int ncow;

struct fdm {
	int fd;
	int acc;		/* O_RDONLY, O_WRONLY, O_RDWR or 3 */
	bool path;		/* O_PATH */
};

static struct fdm F[MAXFD];
static int nfd;

static uintptr_t reg_end(const struct reg *r)
{
	return r->start + r->npages * PS;
}

static bool in_arena(uintptr_t a, uintptr_t b)
{
	return a >= A0 && b <= A1 && a < b;
}

static int reg_find(uintptr_t va)
{
	int lo = 0, hi = nreg - 1;

	while (lo <= hi) {
		int mid = (lo + hi) / 2;

		if (va < R[mid].start)
			hi = mid - 1;
		else if (va >= reg_end(&R[mid]))
			lo = mid + 1;
		else
			return mid;
	}
	return -1;
}

/* First region ending after va. */
static int reg_first_after(uintptr_t va)
{
	int i;

	for (i = 0; i < nreg; i++)
		if (reg_end(&R[i]) > va)
			return i;
	return nreg;
}

static void reg_insert(struct reg r)
{
	int i = reg_first_after(r.start);

	if (nreg >= MAXREG)
		die("model: too many regions");
	if (watch >= r.start && watch < r.start + r.npages * PS)
		note("  watch: in region %#lx+%llu kind %d shared %d prot %#x pgoff %llu",
		     (unsigned long)r.start, (unsigned long long)r.npages, r.kind, r.shared,
		     r.prot, (unsigned long long)r.pgoff);
	memmove(&R[i + 1], &R[i], (nreg - i) * sizeof(R[0]));
	R[i] = r;
	nreg++;
}

/* Make va a region boundary. */
static void reg_split(uintptr_t va)
{
	int i = reg_find(va);
	struct reg b;

	if (i < 0 || R[i].start == va)
		return;
	b = R[i];
	b.start = va;
	b.npages = (reg_end(&R[i]) - va) / PS;
	if (b.kind == RK_VMLAB || b.shared)
		b.pgoff = R[i].pgoff + (va - R[i].start) / PS;
	R[i].npages = (va - R[i].start) / PS;
	reg_insert(b);
}

static int cow_find(uintptr_t va)
{
	int lo = 0, hi = ncow - 1;

	while (lo <= hi) {
		int mid = (lo + hi) / 2;

		if (C[mid].va == va)
			return mid;
		if (C[mid].va < va)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -(lo + 1);
}

static struct cow *cow_add(uintptr_t va)
{
	int i = cow_find(va);

	if (i >= 0)
		return &C[i];
	i = -i - 1;
	if (ncow >= MAXCOW)
		die("model: too many private copies");
	memmove(&C[i + 1], &C[i], (ncow - i) * sizeof(C[0]));
	C[i] = (struct cow){ .va = va, .snap = malloc(PS) };
	if (va == watch)
		note("  watch: private copy made");
	if (!C[i].snap)
		die("malloc");
	ncow++;
	return &C[i];
}

/* Forget the private copies in [a, b). */
static void cow_drop(uintptr_t a, uintptr_t b)
{
	int i, j;

	for (i = j = 0; i < ncow; i++) {
		if (C[i].va >= a && C[i].va < b) {
			if (C[i].va == watch)
				note("  watch: private copy dropped");
			free(C[i].snap);
			continue;
		}
		C[j++] = C[i];
	}
	ncow = j;
}

/* Move the private copies of [a, a + len) to start at to. */
static void cow_move(uintptr_t a, uintptr_t len, uintptr_t to)
{
	struct cow tmp[64];
	int i, j, n = 0;

	for (i = j = 0; i < ncow; i++) {
		if (C[i].va >= a && C[i].va < a + len) {
			if (n == (int)(sizeof(tmp) / sizeof(tmp[0]))) {
				free(C[i].snap);	/* forgotten: unknown */
				continue;
			}
			tmp[n] = C[i];
			tmp[n++].va = C[i].va - a + to;
			if (C[i].va == watch || C[i].va - a + to == watch)
				note("  watch: private copy moved %#lx -> %#lx",
				     (unsigned long)C[i].va, (unsigned long)(C[i].va - a + to));
			continue;
		}
		C[j++] = C[i];
	}
	ncow = j;
	for (i = 0; i < n; i++) {
		struct cow *c = cow_add(tmp[i].va);

		free(c->snap);
		*c = tmp[i];
	}
}

/* Remove the regions of [a, b), keeping the private copies there. */
static void reg_cut(uintptr_t a, uintptr_t b)
{
	int i, j;

	reg_split(a);
	reg_split(b);
	for (i = j = 0; i < nreg; i++) {
		if (R[i].start >= a && reg_end(&R[i]) <= b)
			continue;
		R[j++] = R[i];
	}
	nreg = j;
}

/* Remove [a, b) from the model (the kernel unmapped it). */
static void reg_remove(uintptr_t a, uintptr_t b)
{
	if (watch >= a && watch < b)
		note("  watch: unmapped");
	reg_cut(a, b);
	cow_drop(a, b);
}

/* Fill the holes of the arena with PROT_NONE placeholders. */
static void arena_refill(void)
{
	uintptr_t a = A0;
	int i = reg_first_after(A0);

	while (a < A1) {
		uintptr_t b = A1;

		if (i < nreg && R[i].start <= a) {
			a = reg_end(&R[i++]);
			continue;
		}
		if (i < nreg && R[i].start < b)
			b = R[i].start;
		if (mmap((void *)a, b - a, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE,
			 -1, 0) != (void *)a)
			die("refilling the arena: %s", strerror(errno));
		reg_insert((struct reg){ .start = a, .npages = (b - a) / PS,
					 .kind = RK_ANON, .prot = PROT_NONE });
		i = reg_first_after(b);
		a = b;
	}
}

static int n_outside(void)
{
	int i, n = 0;

	for (i = 0; i < nreg; i++)
		n += !in_arena(R[i].start, reg_end(&R[i]));
	return n;
}

/* ---------------------------------------------------------------- */
/* The object model */

static uint64_t obj_page(const struct reg *r, uintptr_t va)
{
	return r->pgoff + (va - r->start) / PS;
}

static void obj_alloc(uint64_t pg)
{
	PST[pg] = P_PRESENT;
	memset(SHADOW + pg * PS, 0, PS);
	SH->resident++;
}

static void obj_reset(void)
{
	uint64_t pg;

	for (pg = 0; pg < SH->npages; pg++) {
		if (PST[pg])
			memset(SHADOW + pg * PS, 0, PS);
		PST[pg] = 0;
	}
	SH->resident = 0;
	SH->resets++;
}

/* The object holds as many pages as the model says. */
static void check_resident(const char *when)
{
	struct vmlab_stats st;
	int fd = vl_open(O_RDONLY);

	if (fd < 0 || vl_stats(fd, &st))
		die("STATS: %s", strerror(errno));
	close(fd);
	if ((int64_t)st.pages_resident != SH->resident)
		die("%s: the object holds %llu pages, the model says %lld", when,
		    (unsigned long long)st.pages_resident, (long long)SH->resident);
}

enum { AC_OK, AC_SEGV, AC_BUS };

/*
 * An access to the page holding va, by the CPU or by the kernel copying
 * to or from user memory: its outcome, with its side effects on the
 * model (the object allocating a page, a private copy being made).
 */
static int m_fault(uintptr_t va, bool write)
{
	int i = reg_find(va);
	struct reg *r;
	uint64_t pg;

	if (va >= (uintptr_t)SCR && va < (uintptr_t)SCR + SCR_PAGES * PS)
		return AC_OK;
	if (i < 0)
		return AC_SEGV;
	r = &R[i];
	if (write ? !(r->prot & PROT_WRITE) : r->prot == PROT_NONE)
		return AC_SEGV;
	/* A shared anonymous mapping grown by mremap() ends where its
	 * shmem file does: past it, SIGBUS. */
	if (r->kind != RK_VMLAB)
		return r->shared && obj_page(r, va) >= r->anon_npages ? AC_BUS : AC_OK;
	pg = obj_page(r, va);
	if (pg >= SH->npages || pg < r->pgoff)	/* past the end, or wrapped */
		return AC_BUS;
	if (r->shared) {
		if (!(PST[pg] & P_PRESENT)) {
			if (SH->resident >= (int64_t)SH->limit)
				return AC_BUS;
			obj_alloc(pg);
		}
		return AC_OK;
	}
	if (write && cow_find(va & ~(PS - 1)) < 0) {
		struct cow *c = cow_add(va & ~(PS - 1));

		memcpy(c->snap, SHADOW + pg * PS, PS);
		c->unknown = PST[pg] & P_UNKNOWN;
	}
	return AC_OK;
}

/*
 * What reading len bytes at va (within one page, accessible) gives:
 * fills out, returns false when the model does not know.
 */
static bool m_peek(uintptr_t va, size_t len, uint8_t *out)
{
	int i = reg_find(va), c;
	struct reg *r;
	uint64_t pg;

	if (i < 0 || R[i].kind != RK_VMLAB)
		return false;
	r = &R[i];
	pg = obj_page(r, va);
	if (!r->shared && (c = cow_find(va & ~(PS - 1))) >= 0) {
		memcpy(out, C[c].snap + (va & (PS - 1)), len);
		return !C[c].unknown;
	}
	memcpy(out, SHADOW + pg * PS + (va & (PS - 1)), len);
	return !(PST[pg] & P_UNKNOWN);
}

/* Writing len bytes at va (within one page, accessible); in NULL: unknown. */
static void m_poke(uintptr_t va, size_t len, const uint8_t *in)
{
	int i = reg_find(va), c;
	struct reg *r;
	uint64_t pg;
	uint8_t *dst;
	bool whole = len == PS;

	if (i < 0 || R[i].kind != RK_VMLAB)
		return;
	r = &R[i];
	pg = obj_page(r, va);
	if (!r->shared) {
		c = cow_find(va & ~(PS - 1));
		if (c < 0)
			die("model: a private store with no private copy");
		dst = C[c].snap + (va & (PS - 1));
		if (in)
			memcpy(dst, in, len);
		C[c].unknown = in ? C[c].unknown && !whole : true;
		return;
	}
	dst = SHADOW + pg * PS + (va & (PS - 1));
	if (in) {
		memcpy(dst, in, len);
		if (whole)
			PST[pg] &= ~P_UNKNOWN;
	} else {
		PST[pg] |= P_UNKNOWN;
	}
}

/*
 * Is va in a mapping through which a store (to_user) or a load (!to_user)
 * reaches object page pg?  Stores reach it only through a shared mapping;
 * loads also through a private one that has no private copy there yet.
 */
static bool aliases(uintptr_t va, uint64_t pg, bool to_user)
{
	int i = reg_find(va);

	if (i < 0 || R[i].kind != RK_VMLAB || obj_page(&R[i], va) != pg)
		return false;
	return R[i].shared || (!to_user && cow_find(va & ~(PS - 1)) < 0);
}

/*
 * The kernel copies n bytes to (write) or from user memory at va: page by
 * page, with each page's fault.  Returns the bytes accessible before the
 * first page that faults.  src (write): the data, NULL unknown; dst
 * (read): what the model says was read, *known whether it knows.
 */
static size_t m_uaccess(uintptr_t va, size_t n, bool write, const uint8_t *src,
			uint8_t *dst, bool *known)
{
	size_t done = 0;

	if (known)
		*known = true;
	if (va + n < va || va + n > task_size_max)
		return 0;	/* the caller's access_ok() refuses it */
	while (done < n) {
		uintptr_t a = va + done;
		size_t k = PS - (a & (PS - 1));

		if (k > n - done)
			k = n - done;
		if (m_fault(a, write) != AC_OK)
			break;
		if (write) {
			m_poke(a, k, src ? src + done : NULL);
		} else if (dst) {
			int r = reg_find(a);

			/* Memory that is not the device's: what is there now. */
			if (r < 0 || R[r].kind != RK_VMLAB)
				memcpy(dst + done, (void *)a, k);
			else if (!m_peek(a, k, dst + done) && known)
				*known = false;
		}
		done += k;
	}
	return done;
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

/* ---------------------------------------------------------------- */
/* Choosing arguments */

static int pick_fd(struct fdm **m)
{
	int i;

	*m = NULL;
	if (!nfd || chance(4)) {
		static const int bad[] = { -1, 999, 1 << 20, -1000 };

		return bad[rnd(4)];
	}
	i = rnd(nfd);
	*m = &F[i];
	return F[i].fd;
}

static int pick_reg(void)
{
	return nreg ? (int)rnd(nreg) : -1;
}

/* A region that is not a placeholder, if there is one. */
static int pick_map(void)
{
	int i, tries;

	for (tries = 0; tries < 8; tries++) {
		i = pick_reg();
		if (i >= 0 && (R[i].kind == RK_VMLAB || chance(10)))
			return i;
	}
	return pick_reg();
}

/* A page-aligned range [*a, *a + *len) for the address-space calls. */
static void pick_range(uintptr_t *a, size_t *len)
{
	int i = pick_map();
	uint64_t n, p;

	if (i < 0 || chance(20)) {	/* anywhere in the arena */
		p = 1 + rnd(ARENA_PAGES - 2);
		n = 1 + rnd(chance(80) ? 16 : ARENA_PAGES - 1 - p);
		if (p + n > ARENA_PAGES - 1)
			n = ARENA_PAGES - 1 - p;
		*a = A0 + p * PS;
		*len = n * PS;
		return;
	}
	p = rnd(R[i].npages < 1024 ? R[i].npages : 1024);
	n = 1 + rnd(R[i].npages - p < 64 ? R[i].npages - p : 64);
	*a = R[i].start + p * PS;
	*len = n * PS;
	/* Sometimes past the region, inside the arena. */
	if (in_arena(*a, *a + *len) && chance(15)) {
		uintptr_t e = *a + *len + rnd(8) * PS;

		if (e <= A1 - PS)
			*len = e - *a;
	}
}

/*
 * A range where nothing of ours is: below mmap_min_addr (nobody can map
 * there), past user space, wrapping around, or not page aligned.
 */
static void pick_hostile_range(uintptr_t *a, size_t *len)
{
	static const uintptr_t addrs[] = { 0, LOW_ADDR, NONCANON, KERNEL_ADDR,
					   KTEXT_ADDR, ~0UL & ~4095UL };
	static const size_t lens[] = { 0, 1, 4096, 1UL << 47, ~0UL, ~0UL - 4095 };

	*a = addrs[rnd(6)];
	if (*a < NONCANON)
		*len = rnd(3) * PS + (chance(20) ? 1 : 0);	/* below 64 KiB */
	else
		*len = lens[rnd(6)];
	if (chance(30))
		*a = A0 + PS + 1 + rnd(100);	/* not aligned */
}

/*
 * A user buffer for about want bytes: in the scratch area (sometimes
 * running into the PROT_NONE page after it), in one of our mappings
 * (whatever they allow), or a pointer nobody may use.
 */
enum buf_kind { B_SCRATCH, B_MAP, B_HOSTILE };

static uintptr_t pick_buf(size_t want, int *kind)
{
	static const uintptr_t bad[] = { 0, LOW_ADDR, NONCANON, KERNEL_ADDR,
					 KTEXT_ADDR, ~0UL - 15 };
	int i, r = rnd(100);

	if (r < 65) {
		size_t max = SCR_PAGES * PS, off;

		*kind = B_SCRATCH;
		if (want < max && chance(85))
			off = rnd(max - want + 1);
		else
			off = max - rnd(want < max ? want + 1 : max);	/* runs into the guard */
		return (uintptr_t)SCR + off;
	}
	if (r < 90 && nreg) {
		i = pick_map();
		*kind = B_MAP;
		return R[i].start + rnd(R[i].npages < 256 ? R[i].npages : 256) * PS +
		       (chance(50) ? 0 : rnd(PS));
	}
	*kind = B_HOSTILE;
	return bad[rnd(6)];
}

static uint64_t pick_len(void)
{
	static const uint64_t huge[] = {
		0, 1UL << 31, 0x7ffff000UL, 0x7ffff001UL, 1UL << 40, ~0UL >> 1,
		(~0UL >> 1) + 1, ~0UL, ~0UL - 4095,
	};
	int r = rnd(100);

	if (r < 10)
		return 0;
	if (r < 55)
		return 1 + rnd(64);
	if (r < 80)
		return 1 + rnd(3 * PS);
	if (r < 92)
		return 1 + rnd(SCR_PAGES * PS);
	if (r < 96)
		return SH->size - rnd(3) + rnd(3);
	return huge[rnd(sizeof(huge) / sizeof(huge[0]))];
}

static int64_t pick_off(void)
{
	static const int64_t odd[] = { -1, -4096, INT64_MIN, INT64_MAX,
				       INT64_MAX - 4095, 1LL << 62 };
	int r = rnd(100);
	uint64_t size = SH->size;

	if (r < 10)
		return 0;
	if (r < 50)		/* where the model holds pages, mostly */
		return rnd(64 * PS);
	if (r < 75)
		return rnd(size);
	if (r < 88)
		return size - rnd(2 * PS) + rnd(2 * PS);
	if (r < 94)
		return size + rnd(1 << 20);
	return odd[rnd(6)];
}

/* ---------------------------------------------------------------- */
/* read() and write() as the module does them */

/*
 * vmlab_rw() for a read of len bytes at pos into buf, after the VFS's
 * checks: the expected return value; updates the model and, for a
 * scratch buffer, fills want[] with the expected data (known[i] false
 * where the model does not know it).
 */
static long sim_read(uintptr_t buf, uint64_t len, int64_t pos, uint8_t *want,
		     bool *wknown)
{
	uint64_t size = SH->size, done = 0;
	uint8_t page[4096], zero[4096] = { 0 };

	if (pos < 0)
		return -EINVAL;
	if ((uint64_t)pos >= size)
		return 0;
	if (len > size - pos)
		len = size - pos;
	while (done < len) {
		uint64_t p = pos + done, pg = p / PS, off = p % PS;
		size_t n = PS - off, k, j;
		bool src_known = true, alias = false;

		if (n > len - done)
			n = len - done;
		if (PST[pg] & P_PRESENT) {
			memcpy(page, SHADOW + pg * PS + off, n);
			src_known = !(PST[pg] & P_UNKNOWN);
		} else {
			memcpy(page, zero, n);
		}
		for (j = 0; j < n; j += PS - ((buf + done + j) & (PS - 1)))
			alias |= aliases(buf + done + j, pg, true);
		alias |= aliases(buf + done + n - 1, pg, true);
		k = m_uaccess(buf + done, n, true, src_known && !alias ? page : NULL,
			      NULL, NULL);
		if (alias)
			PST[pg] |= P_UNKNOWN;
		if (want) {
			memcpy(want + done, page, n);
			for (j = 0; j < n; j++)
				wknown[done + j] = src_known && !alias;
		}
		if (!(PST[pg] & P_PRESENT) && k < n)	/* clear_user() failed */
			return done ? (long)done : -EFAULT;
		if (!k)
			return done ? (long)done : -EFAULT;
		done += k;
	}
	return done;
}

static long sim_write(uintptr_t buf, uint64_t len, int64_t pos)
{
	uint64_t size = SH->size, done = 0;
	uint8_t data[4096];

	if (pos < 0)
		return -EINVAL;
	if ((uint64_t)pos >= size)
		return len ? -ENOSPC : 0;
	if (len > size - pos)
		len = size - pos;
	while (done < len) {
		uint64_t p = pos + done, pg = p / PS, off = p % PS;
		size_t n = PS - off, k, j;
		bool known, alias = false;

		if (n > len - done)
			n = len - done;
		if (!(PST[pg] & P_PRESENT)) {
			if (SH->resident >= (int64_t)SH->limit)
				return done ? (long)done : -ENOSPC;
			obj_alloc(pg);
		}
		k = m_uaccess(buf + done, n, false, NULL, data, &known);
		for (j = 0; j < n; j += PS - ((buf + done + j) & (PS - 1)))
			alias |= aliases(buf + done + j, pg, false);
		alias |= aliases(buf + done + n - 1, pg, false);
		if (k && known && !alias)
			memcpy(SHADOW + pg * PS + off, data, k);
		else if (k) {
			PST[pg] |= P_UNKNOWN;
		}
		if (!k)
			return done ? (long)done : -EFAULT;
		done += k;
	}
	return done;
}

/* access_ok() of the VFS for count bytes at buf. */
static bool uaccess_ok(uintptr_t buf, uint64_t count)
{
	return buf + count >= buf && buf + count <= task_size_max;
}

/* At the edge of user space the kernels differ by a page: don't judge. */
static bool uaccess_edge(uintptr_t buf, uint64_t count)
{
	uintptr_t e = buf + count;

	return e >= buf && e > task_size_max - 2 * PS && e <= task_size_max + 2 * PS;
}

/* ---------------------------------------------------------------- */
/* Operations */

enum {
	OP_OPEN, OP_CLOSE, OP_DUP, OP_READ, OP_WRITE, OP_LSEEK, OP_MMAP, OP_MUNMAP,
	OP_MREMAP, OP_MPROTECT, OP_MADVISE, OP_MSYNC, OP_FSYNC, OP_FILEOPS, OP_ACCESS,
	OP_TOUCH, OP_STATS, OP_RESET, OP_INSPECT, OP_IOCTL, OP_FORK, OP_VERIFY,
	OP_FILL, OP_NR
};

static const char *const op_name[OP_NR] = {
	"open", "close", "dup", "read", "write", "lseek", "mmap", "munmap",
	"mremap", "mprotect", "madvise", "msync", "fsync", "fileops",
	"access", "touch", "stats", "reset", "inspect", "ioctl", "fork",
	"verify", "fill",
};

static const int op_weight[OP_NR] = {
	[OP_OPEN] = 3, [OP_CLOSE] = 2, [OP_DUP] = 1, [OP_READ] = 10,
	[OP_WRITE] = 10, [OP_LSEEK] = 4, [OP_MMAP] = 10, [OP_MUNMAP] = 5,
	[OP_MREMAP] = 5, [OP_MPROTECT] = 5, [OP_MADVISE] = 7, [OP_MSYNC] = 3,
	[OP_FSYNC] = 2, [OP_FILEOPS] = 3, [OP_ACCESS] = 20, [OP_TOUCH] = 4,
	[OP_STATS] = 3, [OP_RESET] = 2, [OP_INSPECT] = 5, [OP_IOCTL] = 3,
	[OP_FORK] = 1, [OP_VERIFY] = 3, [OP_FILL] = 1,
};

/* Too many regions outside the arena (mremap moves them there): unmap one. */
static void unmap_outside(void)
{
	int i;

	for (i = 0; i < nreg; i++) {
		if (in_arena(R[i].start, reg_end(&R[i])))
			continue;
		note("munmap(%#lx, %#llx) (housekeeping)", (unsigned long)R[i].start,
		     (unsigned long long)(R[i].npages * PS));
		if (munmap((void *)R[i].start, R[i].npages * PS))
			die("munmap: %s", strerror(errno));
		reg_remove(R[i].start, reg_end(&R[i]));
		return;
	}
}

static void op_open(void)
{
	static const int accs[] = { O_RDONLY, O_WRONLY, O_RDWR, 3 };
	static const int extra[] = { O_NONBLOCK, O_APPEND, O_SYNC, O_DSYNC,
				     O_NOATIME, O_TRUNC, O_LARGEFILE, O_ASYNC,
				     O_CREAT, O_NOFOLLOW, O_NOCTTY };
	int flags = accs[rnd(4)], i, fd, err, r = rnd(100);
	bool path = false;
	eset allow = 0;
	const char *p = VMLAB_DEVICE;

	for (i = 0; i < 3; i++)
		if (chance(30))
			flags |= extra[rnd(sizeof(extra) / sizeof(extra[0]))];
	if (r < 10) {
		flags |= O_PATH;
		path = true;
	} else if (r < 14) {
		flags |= O_DIRECTORY;
		allow = E(ENOTDIR) | E(EINVAL);
	} else if (r < 17) {
		flags |= O_CREAT | O_EXCL;
		allow = E(EEXIST);
	} else if (r < 20) {
		flags |= O_TMPFILE;
		allow = E(ENOTDIR) | E(EINVAL) | E(EISDIR);
	} else if (r < 23) {
		flags |= O_DIRECT;
		allow = E(EINVAL);
	} else if (r < 25) {
		p = chance(50) ? NULL : (const char *)KERNEL_ADDR;
		allow = E(EFAULT);
	}
	if (path && (flags & O_DIRECTORY))
		allow = E(ENOTDIR);
	if (nfd >= MAXFD && !allow)
		return;
	note("open(%s, %#x)", allow & E(EFAULT) ? "<bad pointer>" : p, flags);
	fd = syscall(SYS_openat, AT_FDCWD, p, flags | O_CLOEXEC, 0600);
	err = errno;
	if (fd >= 0 && nfd >= MAXFD)
		close(fd);
	judge("open", fd, err, !allow, true, 0, allow, S_OPEN);
	if (fd >= 0)
		F[nfd++] = (struct fdm){ fd, flags & O_ACCMODE, path };
}

static void op_close(void)
{
	struct fdm *m;
	int fd = pick_fd(&m), r, err;

	note("close(%d)", fd);
	r = close(fd);
	err = errno;
	judge("close", r, err, m != NULL, false, 0, m ? 0 : E(EBADF), S_CLOSE);
	if (m)
		*m = F[--nfd];
}

static void op_dup(void)
{
	struct fdm *m;
	int fd = pick_fd(&m), r, err;

	if (nfd >= MAXFD)
		return;
	note("dup(%d)", fd);
	r = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	err = errno;
	judge("dup", r, err, m != NULL, true, 0, m ? 0 : E(EBADF), S_CLOSE);
	if (r >= 0)
		F[nfd++] = (struct fdm){ r, m->acc, m->path };
}

/* The f_pos of an fd, -1 when it has none (O_PATH, bad fd). */
static int64_t fpos(int fd)
{
	return lseek(fd, 0, SEEK_CUR);
}

static void check_pos(int fd, int64_t want, const char *call)
{
	int64_t p;

	if (want < 0)
		return;
	p = fpos(fd);
	if (p != want)
		die("%s left the file position at %lld, the model says %lld", call,
		    (long long)p, (long long)want);
}

/*
 * read(), pread(), readv(), preadv2() (and the write versions): one
 * buffer, or an iovec splitting it in two.  For an iovec the VFS calls
 * the module once per segment and stops at the first short one.
 */
static void op_rw(bool wr)
{
	static const int vflags[] = { 0, RWF_HIPRI, RWF_NOWAIT, RWF_DSYNC,
				      RWF_APPEND, 0x1000 };
	/* sim_read() fills whole chunks: room for one more page */
	static uint8_t want[(SCR_PAGES + 1) * 4096];
	static bool wknown[(SCR_PAGES + 1) * 4096];
	struct fdm *m;
	int fd = pick_fd(&m), kind, how = rnd(4), err, flags = 0;
	uint64_t count = pick_len(), seg[2];
	int64_t off = pick_off(), pos;
	uintptr_t buf = pick_buf(count < SCR_PAGES * PS ? count : SCR_PAGES * PS, &kind);
	struct iovec iov[2];
	bool ok = true, use_pos, vec = how >= 2;
	eset allow = 0;
	long ret, want_ret = 0, r;
	const char *call;
	size_t i;
	int nseg = 1, k;

	use_pos = how == 1 || how == 3;
	if (how == 3 && chance(30))
		off = -1;
	if (how == 3 && off == -1)
		use_pos = false;	/* preadv2/pwritev2 at the file position */
	if (how == 3)
		flags = vflags[rnd(6)];
	call = wr ? (const char *[]){ "write", "pwrite", "writev", "pwritev2" }[how] :
		       (const char *[]){ "read", "pread", "readv", "preadv2" }[how];
	pos = use_pos ? off : fpos(fd);
	seg[0] = count;
	if (vec) {
		nseg = 2;
		seg[0] = count < 2 ? 0 : rnd(count < 64 * PS ? count : 64 * PS);
		seg[1] = count - seg[0];
		iov[0] = (struct iovec){ (void *)buf, seg[0] };
		iov[1] = (struct iovec){ (void *)(buf + seg[0]), seg[1] };
	}
	if (uaccess_edge(buf, count) || (vec && uaccess_edge(buf + seg[0], seg[1])))
		return;		/* the kernels differ by a page there */
	if (kind == B_SCRATCH && !wr)
		memset(SCR, 0x6b, SCR_PAGES * PS);
	if (kind == B_SCRATCH && wr)
		for (i = 0; i < SCR_PAGES * PS; i += 8)
			*(uint64_t *)(SCR + i) = rnd64();

	/* The VFS's checks, before the module sees anything; the kernels
	 * do them in different orders: any of the errnos that apply. */
	if (use_pos && off < 0) {
		ok = false;
		allow |= E(EINVAL);
	}
	if (!m || m->path || (wr ? !(m->acc == O_WRONLY || m->acc == O_RDWR) :
				      !(m->acc == O_RDONLY || m->acc == O_RDWR))) {
		ok = false;
		allow |= E(EBADF);
	}
	for (k = 0; k < nseg; k++) {
		uintptr_t b = k ? buf + seg[0] : buf;

		if ((int64_t)seg[k] < 0) {
			ok = false;
			allow |= E(EINVAL) | E(EFAULT);
		} else if (!uaccess_ok(b, seg[k])) {
			ok = false;
			allow |= E(EFAULT);
		}
	}
	if (ok && !vec && !uaccess_ok(buf, count)) {
		ok = false;
		allow |= E(EFAULT);
	}
	if (vec && (int64_t)(seg[0] + seg[1]) < 0) {
		ok = false;
		allow |= E(EINVAL);
	}
	if (vec && count > 0x7ffff000UL) {	/* the iovec is cut to MAX_RW_COUNT */
		if (seg[0] > 0x7ffff000UL)
			seg[0] = 0x7ffff000UL;
		seg[1] = seg[1] > 0x7ffff000UL - seg[0] ? 0x7ffff000UL - seg[0] : seg[1];
	}
	if (!vec && count > 0x7ffff000UL)
		seg[0] = 0x7ffff000UL;
	if (ok && pos >= 0 && (int64_t)((uint64_t)pos + (vec ? seg[0] + seg[1] : count)) < 0) {
		ok = false;	/* rw_verify_area: pos + count overflows */
		allow |= E(EINVAL);
	}
	if (how == 3 && (flags & ~RWF_HIPRI) && (seg[0] + seg[1])) {
		ok = false;	/* the module has no read_iter */
		allow |= E(EOPNOTSUPP);
	}

	note("%s(fd %d%s, buf %#lx%s, count %#llx (%llu+%llu), off %lld, flags %#x)", call, fd,
	     m ? (m->path ? " O_PATH" : (const char *[]){ " r", " w", " rw", " ioctl" }[m->acc]) : " bad",
	     (unsigned long)buf, (const char *[]){ "", " map", " bad" }[kind],
	     (unsigned long long)count, (unsigned long long)seg[0],
	     (unsigned long long)(vec ? seg[1] : 0), (long long)(use_pos ? off : pos), flags);
	if (ok && vec && !(seg[0] + seg[1])) {
		want_ret = 0;	/* nothing to do: the module is not called */
	} else if (ok) {
		/* O_APPEND (from open, fcntl, a dup or a parent): the VFS's view */
		int fl = wr ? fcntl(fd, F_GETFL) : -1;
		uint64_t done = 0;

		for (k = 0; k < nseg; k++) {
			uintptr_t b = buf + done;

			if (wr && fl >= 0 && (fl & O_APPEND))
				r = seg[k] ? -ENOSPC : 0;	/* no room at the end */
			else if (wr)
				r = sim_write(b, seg[k], pos + done);
			else
				r = sim_read(b, seg[k], pos + done,
					     kind == B_SCRATCH ? want + done : NULL,
					     wknown + done);
			if (r < 0) {
				if (!done) {
					ok = false;
					allow = E(-r);
				}
				break;
			}
			done += r;
			if ((uint64_t)r != seg[k])
				break;
		}
		want_ret = done;
	}
	errno = 0;
	switch (how) {
	case 0:
		ret = wr ? write(fd, (void *)buf, count) : read(fd, (void *)buf, count);
		break;
	case 1:
		ret = wr ? pwrite(fd, (void *)buf, count, off) :
			      pread(fd, (void *)buf, count, off);
		break;
	case 2:
		ret = wr ? writev(fd, iov, 2) : readv(fd, iov, 2);
		break;
	default:
		ret = wr ? pwritev2(fd, iov, 2, off, flags) :
			      preadv2(fd, iov, 2, off, flags);
		break;
	}
	err = errno;
	judge(call, ret, err, ok, false, want_ret, allow, wr ? S_WRITE : S_READ);
	if (ret >= 0 && !use_pos && m && !m->path)
		check_pos(fd, pos + ret, call);
	if (!wr && ret > 0 && kind == B_SCRATCH) {
		size_t o = buf - (uintptr_t)SCR;

		for (i = 0; i < (size_t)ret; i++)
			if (wknown[i] && (uint8_t)SCR[o + i] != want[i])
				die("%s: byte %zu (object offset %#llx) reads %#x, the model "
				    "says %#x", call, i, (unsigned long long)(pos + i),
				    (uint8_t)SCR[o + i], want[i]);
		/* Nothing past what it returned was touched, when it did not
		 * stop on a fault. */
		if ((uint64_t)ret == (vec ? seg[0] + seg[1] : seg[0]) ||
		    (uint64_t)pos + ret == SH->size)
			for (i = o + ret; i < SCR_PAGES * PS; i++)
				if ((uint8_t)SCR[i] != 0x6b)
					die("%s returned %ld but wrote byte %zu of the buffer",
					    call, ret, i - o);
	}
}

static void op_lseek(void)
{
	static const int wh[] = { SEEK_SET, SEEK_CUR, SEEK_END, SEEK_DATA,
				  SEEK_HOLE, 5, 1000 };
	struct fdm *m;
	int fd = pick_fd(&m), whence = wh[rnd(7)], err;
	int64_t off = pick_off(), cur = -1, want = 0, r;
	int64_t size = SH->size;
	bool ok = true;
	eset allow = 0;

	if (chance(20))
		off = -off;
	if (m && !m->path)
		cur = fpos(fd);
	if (!m || m->path) {
		ok = false;
		allow = E(EBADF);
	} else if (whence > SEEK_END) {
		/* fixed_size_llseek(): SEEK_SET, SEEK_CUR, SEEK_END only */
		ok = false;
		allow = E(EINVAL);
	} else {
		switch (whence) {
		case SEEK_SET: want = off; break;
		case SEEK_CUR: want = (int64_t)((uint64_t)cur + off); break;
		case SEEK_END: want = (int64_t)((uint64_t)size + off); break;
		}
		if (ok && whence == SEEK_CUR && off == 0)
			want = cur;
		else if (ok && (want < 0 || want > size)) {
			ok = false;
			allow = E(EINVAL);
		}
	}
	note("lseek(%d, %lld, %d)", fd, (long long)off, whence);
	r = lseek(fd, off, whence);
	err = errno;
	judge("lseek", r, err, ok, false, want, allow, S_LSEEK);
	if (!ok)
		check_pos(fd, cur, "a failed lseek");
}

/* Populate [a, a + n pages) of region i as mmap/mlock does: stop at the
 * first page that fails. */
static void populate(int i, uintptr_t a, uint64_t n)
{
	struct reg *r = &R[i];
	bool write = (r->prot & PROT_WRITE) && !r->shared;
	uint64_t k;

	if (r->kind != RK_VMLAB || r->prot == PROT_NONE)
		return;
	for (k = 0; k < n; k++)
		if (m_fault(a + k * PS, write) != AC_OK)
			return;
}

static void op_mmap(void)
{
	static const int prots[] = { PROT_NONE, PROT_READ, PROT_WRITE,
				     PROT_READ | PROT_WRITE, PROT_READ | PROT_EXEC,
				     PROT_READ | PROT_WRITE | PROT_EXEC,
				     PROT_WRITE | PROT_EXEC };
	static const int types[] = { MAP_SHARED, MAP_PRIVATE, MAP_SHARED_VALIDATE,
				     0, 0x08, MAP_SHARED | MAP_PRIVATE | 0x08 };
	static const int extra[] = { MAP_POPULATE, MAP_NORESERVE, MAP_LOCKED,
				     MAP_NONBLOCK, MAP_STACK, MAP_SYNC,
				     MAP_GROWSDOWN, MAP_HUGETLB, MAP_32BIT,
				     MAP_ANONYMOUS, MAP_UNINITIALIZED,
				     MAP_DENYWRITE, MAP_EXECUTABLE };
	struct fdm *m;
	int fd = pick_fd(&m), prot = prots[rnd(7)], flags, type, err, i;
	uint64_t n, pgoff;
	uintptr_t addr = 0, ret;
	size_t len;
	uint64_t off;
	bool fixed = false, noreplace = false, anon, ok = true;
	eset allow = 0;

	type = chance(85) ? types[rnd(2)] : types[2 + rnd(4)];
	flags = type;
	for (i = 0; i < 2; i++)
		if (chance(20))
			flags |= extra[rnd(sizeof(extra) / sizeof(extra[0]))];
	anon = flags & MAP_ANONYMOUS;
	if (anon) {
		/* Anonymous: placeholders of other kinds, nothing exotic. */
		type = chance(50) ? MAP_SHARED : MAP_PRIVATE;
		flags = (flags & ~(MAP_TYPE | MAP_GROWSDOWN | MAP_HUGETLB)) | type;
	}
	n = 1 + rnd(chance(80) ? 16 : 512);
	len = n * PS - (chance(10) ? rnd(PS) : 0);
	if (!anon && chance(3))
		len = (size_t[]){ 0, 1UL << 44, ~0UL - 4095, ~0UL }[rnd(4)];
	pgoff = chance(70) ? rnd(80) : chance(50) ? SH->npages - rnd(8) :
		(uint64_t[]){ 1UL << 40, (1UL << 52) - 2, (1UL << 51), ~0UL >> 12 }[rnd(4)];
	off = pgoff * PS + (chance(3) ? 1 + rnd(PS - 1) : 0);
	if (chance(70) && len && len <= (ARENA_PAGES - 3) * PS) {
		uint64_t np = (len + PS - 1) / PS;

		addr = A0 + (1 + rnd(ARENA_PAGES - 2 - np)) * PS;
		fixed = true;
		if (chance(10)) {
			flags |= MAP_FIXED_NOREPLACE;
			noreplace = true;
		} else {
			flags |= MAP_FIXED;
		}
		if (chance(2))
			addr += 1 + rnd(PS - 1);
	} else {
		while (n_outside() >= MAXOUT)
			unmap_outside();
		if (chance(30))
			addr = A0 + rnd(ARENA_PAGES) * PS;	/* a hint: taken already */
	}
	n = len ? (len + PS - 1) / PS : 0;

	/* The kernel's checks, in its order (x86 sys_mmap, ksys_mmap_pgoff,
	 * do_mmap, get_unmapped_area, the file's checks). */
	if (off % PS)
		ok = false, allow = E(EINVAL);
	else if (!anon && (!m || m->path))
		ok = false, allow = E(EBADF);
	else if (!anon && (flags & MAP_HUGETLB))
		ok = false, allow = E(EINVAL);
	else if (!len)
		ok = false, allow = E(EINVAL);
	else if (len > ~0UL - PS + 1)
		ok = false, allow = E(ENOMEM);
	else if (pgoff + n < pgoff)
		ok = false, allow = E(EOVERFLOW);
	else if (fixed && (addr % PS))
		ok = false, allow = E(EINVAL);
	else if (n > ((1UL << 47) - PS) / PS || ((flags & MAP_32BIT) && !fixed && n > (1UL << 18)))
		ok = false, allow = E(ENOMEM);
	else if (noreplace)
		ok = false, allow = E(EEXIST);	/* the arena is all mapped */
	else if (!anon && pgoff > (~0UL - n * PS) >> 12)
		ok = false, allow = E(EOVERFLOW);	/* file_mmap_ok() */
	else if (!anon && type == MAP_SHARED_VALIDATE && (flags & MAP_SYNC))
		ok = false, allow = E(EOPNOTSUPP);
	else if (!anon && (type == MAP_SHARED || type == MAP_SHARED_VALIDATE) &&
		 (prot & PROT_WRITE) && !(m->acc == O_WRONLY || m->acc == O_RDWR))
		ok = false, allow = E(EACCES);
	else if (!anon && (type == MAP_SHARED || type == MAP_SHARED_VALIDATE ||
			   type == MAP_PRIVATE) && !(m->acc == O_RDONLY || m->acc == O_RDWR))
		ok = false, allow = E(EACCES);
	else if (!anon && (type == MAP_SHARED || type == MAP_SHARED_VALIDATE ||
			   type == MAP_PRIVATE) && dev_noexec && (prot & PROT_EXEC))
		ok = false, allow = E(EPERM);
	else if (!anon && (type == MAP_SHARED || type == MAP_SHARED_VALIDATE ||
			   type == MAP_PRIVATE) && (flags & MAP_GROWSDOWN))
		ok = false, allow = E(EINVAL);
	else if (!anon && type != MAP_SHARED && type != MAP_SHARED_VALIDATE &&
		 type != MAP_PRIVATE)
		ok = false, allow = E(EINVAL);
	else if (type == MAP_PRIVATE && (prot & PROT_WRITE) && !(flags & MAP_NORESERVE) &&
		 n > (1UL << 21))
		ok = false, allow = E(ENOMEM);	/* accounted: a terabyte is refused */

	note("mmap(%#lx, %#zx, prot %#x, flags %#x, fd %d %s, off %#llx)",
	     (unsigned long)addr, len, prot, flags, fd, anon ? "anon" :
	     m ? (m->path ? "O_PATH" : (const char *[]){ "r", "w", "rw", "ioctl" }[m->acc]) : "bad",
	     (unsigned long long)off);
	ret = (uintptr_t)mmap((void *)addr, len, prot, flags, fd, off);
	err = errno;
	judge("mmap", (void *)ret == MAP_FAILED ? -1 : 0, err, ok, true, 0, allow, S_MMAP);
	if ((void *)ret == MAP_FAILED)
		return;
	if (fixed && ret != addr)
		die("mmap MAP_FIXED at %#lx returned %#lx", (unsigned long)addr,
		    (unsigned long)ret);
	if (ret % PS)
		die("mmap returned an unaligned %#lx", (unsigned long)ret);
	if (!fixed && !(ret + n * PS <= A0 || ret >= A1 + (SCR_PAGES + 1) * PS))
		die("mmap put a new mapping at %#lx, over the arena (all mapped)",
		    (unsigned long)ret);
	reg_remove(ret, ret + n * PS);
	reg_insert((struct reg){
		.start = ret, .npages = n, .kind = anon ? RK_ANON : RK_VMLAB,
		.shared = type != MAP_PRIVATE, .prot = prot,
		.maywrite = anon || m->acc == O_WRONLY || m->acc == O_RDWR,
		.locked = flags & MAP_LOCKED, .pgoff = anon ? 0 : pgoff,
		.anon_npages = anon ? n : 0,
	});
	if ((flags & MAP_LOCKED) || (flags & (MAP_POPULATE | MAP_NONBLOCK)) == MAP_POPULATE)
		populate(reg_find(ret), ret, n);
	note("  -> %#lx", (unsigned long)ret);
}

static void op_munmap(void)
{
	uintptr_t a;
	size_t len;
	bool hostile = chance(10), ok;
	int r, err;

	if (hostile)
		pick_hostile_range(&a, &len);
	else
		pick_range(&a, &len);
	if (chance(10) && !hostile) {
		int i = pick_reg();

		if (i >= 0 && !in_arena(R[i].start, reg_end(&R[i]))) {
			a = R[i].start;	/* one outside the arena, whole */
			len = R[i].npages * PS;
		}
	}
	ok = !(a % PS) && len && len <= task_size_max && a <= task_size_max - len;
	note("munmap(%#lx, %#zx)", (unsigned long)a, len);
	r = munmap((void *)a, len);
	err = errno;
	judge("munmap", r, err, ok, false, 0, ok ? 0 : E(EINVAL), S_MUNMAP);
	if (!r) {
		reg_remove(a, a + (len + PS - 1) / PS * PS);
		arena_refill();
	}
}

/* Every page of [a, e) is in a region (true of the ranges pick_range() gives). */
static void assert_covered(uintptr_t a, uintptr_t e)
{
	while (a < e) {
		int i = reg_find(a);

		if (i < 0)
			die("model: %#lx in a range that should be all mapped is not",
			    (unsigned long)a);
		a = reg_end(&R[i]);
	}
}

static void op_mprotect(void)
{
	static const int prots[] = { PROT_NONE, PROT_READ, PROT_WRITE,
				     PROT_READ | PROT_WRITE, PROT_READ | PROT_EXEC,
				     PROT_READ | PROT_WRITE | PROT_EXEC };
	uintptr_t a, e;
	size_t len;
	int prot = prots[rnd(6)], r, err, i;
	bool hostile = chance(8), ok = true;
	eset allow = 0;

	if (chance(5))
		prot |= (int[]){ PROT_GROWSDOWN, PROT_GROWSUP, 0x10, PROT_SEM, 1 << 20 }[rnd(5)];
	if (hostile)
		pick_hostile_range(&a, &len);
	else
		pick_range(&a, &len);
	note("mprotect(%#lx, %#zx, %#x)", (unsigned long)a, len, prot);
	e = a + ((len + PS - 1) & ~(PS - 1));
	if ((prot & PROT_GROWSDOWN) && (prot & PROT_GROWSUP))
		ok = false, allow = E(EINVAL);
	else if (a % PS)
		ok = false, allow = E(EINVAL);
	else if (!len)
		ok = true;
	else if (e <= a)
		ok = false, allow = E(ENOMEM);
	else if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM |
			  PROT_GROWSDOWN | PROT_GROWSUP))
		ok = false, allow = E(EINVAL);
	else if (hostile)
		ok = false, allow = E(ENOMEM) | E(EINVAL);	/* nothing of ours there */
	else if (prot & (PROT_GROWSDOWN | PROT_GROWSUP))
		ok = false, allow = E(EINVAL);	/* none of ours grows */
	if (!ok || !len || hostile) {
		r = mprotect((void *)a, len, prot);
		err = errno;
		judge("mprotect", r, err, ok, false, 0, allow, S_MPROTECT);
		return;
	}
	assert_covered(a, e);
	reg_split(a);
	reg_split(e);
	r = mprotect((void *)a, len, prot);
	err = errno;
	/* Region by region, as the kernel goes VMA by VMA: it stops at the
	 * first refusal, with the ones before it changed. */
	for (i = reg_find(a); i < nreg && R[i].start < e; i++) {
		struct reg *g = &R[i];
		int np = prot & (PROT_READ | PROT_WRITE | PROT_EXEC);

		if (g->kind == RK_VMLAB && g->shared && !g->maywrite && (np & PROT_WRITE)) {
			ok = false, allow = E(EACCES);
			break;
		}
		if (g->kind == RK_VMLAB && dev_noexec && (np & PROT_EXEC)) {
			ok = false, allow = E(EACCES);
			break;
		}
		/* mlocked private memory made writable is populated: copied */
		if (g->locked && !g->shared && !(g->prot & PROT_WRITE) && (np & PROT_WRITE)) {
			g->prot = np;
			populate(i, g->start, g->npages);
		}
		g->prot = np;
	}
	judge("mprotect", r, err, ok, false, 0, allow, S_MPROTECT);
}

static void op_madvise(void)
{
	static const int advs[] = {
		MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED,
		MADV_DONTNEED, MADV_FREE, MADV_REMOVE, MADV_DONTFORK, MADV_DOFORK,
		MADV_MERGEABLE, MADV_UNMERGEABLE, MADV_HUGEPAGE, MADV_NOHUGEPAGE,
		MADV_DONTDUMP, MADV_DODUMP, MADV_WIPEONFORK, MADV_KEEPONFORK,
		MADV_COLD, MADV_PAGEOUT, MADV_POPULATE_READ, MADV_POPULATE_WRITE,
		MADV_DONTNEED_LOCKED, MADV_COLLAPSE, 5, 6, 7, 1000, -1,
	};
	int adv = advs[rnd(sizeof(advs) / sizeof(advs[0]))], r, err, i;
	uintptr_t a, e;
	size_t len;
	bool hostile = chance(8), ok = true, maybe = false, vm_seen = false;
	eset allow = 0;

	if (adv == MADV_HUGEPAGE)	/* not fuzzed: see the top of the file */
		adv = MADV_NOHUGEPAGE;
	if (hostile)
		pick_hostile_range(&a, &len);
	else
		pick_range(&a, &len);
	note("madvise(%#lx, %#zx, %d)", (unsigned long)a, len, adv);
	e = a + ((len + PS - 1) & ~(PS - 1));
	if ((adv >= 5 && adv <= 7) || adv == 1000 || adv == -1)
		ok = false, allow = E(EINVAL);
	else if (a % PS || (len && e == a) || e < a)
		ok = false, allow = E(EINVAL);
	else if (!len)
		ok = true;
	else if (hostile)	/* nothing of ours there */
		ok = false, allow = E(ENOMEM) | E(EINVAL) | E(EFAULT);
	if (adv == MADV_MERGEABLE || adv == MADV_UNMERGEABLE || adv == MADV_HUGEPAGE ||
	    adv == MADV_NOHUGEPAGE || adv == MADV_COLLAPSE)
		allow |= E(EINVAL);	/* a kernel without KSM or THP */
	if (!ok || !len || hostile) {
		r = madvise((void *)a, len, adv);
		err = errno;
		judge("madvise", r, err, ok, false, 0, allow, S_MADVISE);
		return;
	}
	assert_covered(a, e);
	reg_split(a);
	reg_split(e);
	r = madvise((void *)a, len, adv);
	err = errno;
	if (adv == MADV_POPULATE_READ || adv == MADV_POPULATE_WRITE) {
		bool write = adv == MADV_POPULATE_WRITE;
		uintptr_t va;

		/* Page by page, as if read or written; stops at a failure. */
		for (va = a; va < e; va += PS) {
			i = reg_find(va);
			if (write ? !(R[i].prot & PROT_WRITE) : !(R[i].prot & PROT_READ)) {
				ok = false;	/* EINVAL before 6.12, EFAULT after */
				allow = E(EINVAL) | E(EFAULT);
				break;
			}
			if (R[i].kind == RK_VMLAB && m_fault(va, write) != AC_OK) {
				ok = false, allow = E(EFAULT);
				break;
			}
		}
		judge("madvise(MADV_POPULATE)", r, err, ok, false, 0, allow, S_MADVISE);
		return;
	}
	/* VMA by VMA; the first that refuses ends the walk. */
	for (i = reg_find(a); i < nreg && R[i].start < e; i++) {
		struct reg *g = &R[i];
		bool vm = g->kind == RK_VMLAB;

		vm_seen |= vm;
		switch (adv) {
		case MADV_DONTNEED:
		case MADV_FREE:
			if (g->locked || (adv == MADV_FREE && (vm || g->shared))) {
				ok = false, allow = E(EINVAL);
				goto done;
			}
			if (vm && !g->shared)
				cow_drop(g->start, reg_end(g));
			break;
		case MADV_DONTNEED_LOCKED:
			if (vm && !g->shared)
				cow_drop(g->start, reg_end(g));
			break;
		case MADV_REMOVE:
			/* Private anonymous: EINVAL; ours: EACCES or ENODEV (no
			 * fallocate); shmem: a hole punched, or EACCES on 6.1
			 * without PROT_WRITE. */
			if (g->locked || !g->shared || vm) {
				ok = false;
				allow |= E(EINVAL) | E(EACCES) | E(ENODEV) | E(EOPNOTSUPP);
				goto done;
			}
			maybe = true;	/* it failed here, or later */
			allow |= E(EACCES);
			break;
		case MADV_WIPEONFORK:
			if (vm || g->shared) {
				ok = false, allow = E(EINVAL);
				goto done;
			}
			break;
		case MADV_COLD:
		case MADV_PAGEOUT:
			if (g->locked) {
				ok = false, allow = E(EINVAL);
				goto done;
			}
			break;
		case MADV_COLLAPSE:	/* never for a vmlab mapping */
			if (vm) {
				ok = false;
				allow |= E(EINVAL);
				goto done;
			}
			maybe = true;
			allow |= E(EINVAL) | E(EAGAIN) | E(ENOMEM);
			break;
		case MADV_DONTFORK:
			g->dontfork = true;
			break;
		case MADV_DOFORK:
			g->dontfork = false;
			break;
		}
	}
done:
	if (maybe && r && (allow & E(err)))
		ok = false;	/* collapsing anonymous memory may fail too */
	if (adv == MADV_COLLAPSE && vm_seen)
		ok = false;
	judge("madvise", r, err, ok, false, 0, allow, S_MADVISE);
}

static void op_msync(void)
{
	static const int fl[] = { MS_SYNC, MS_ASYNC, MS_INVALIDATE,
				  MS_SYNC | MS_INVALIDATE, MS_ASYNC | MS_INVALIDATE,
				  MS_SYNC | MS_ASYNC, 0x10, 0 };
	int flags = fl[rnd(8)], r, err, i;
	uintptr_t a, e, at;
	size_t len;
	bool hostile = chance(8), ok = true;
	eset allow = 0;

	if (hostile)
		pick_hostile_range(&a, &len);
	else
		pick_range(&a, &len);
	note("msync(%#lx, %#zx, %#x)", (unsigned long)a, len, flags);
	r = msync((void *)a, len, flags);
	err = errno;
	e = a + ((len + PS - 1) & ~(PS - 1));
	if ((flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) || (a % PS) ||
	    ((flags & MS_ASYNC) && (flags & MS_SYNC))) {
		ok = false;
		allow = E(EINVAL);
	} else if (e < a) {
		ok = false;
		allow = E(ENOMEM);
	} else if (e == a) {
		ok = true;
	} else if (hostile) {
		ok = false;
		allow = E(ENOMEM);
	} else {
		for (at = a; at < e; ) {
			i = reg_find(at);
			if (i < 0) {
				ok = false;
				allow = E(ENOMEM);
				break;
			}
			if ((flags & MS_INVALIDATE) && R[i].locked) {
				ok = false;
				allow = E(EBUSY);
				break;
			}
			/* The module's fsync of offsets past 2^63: EINVAL. */
			if ((flags & MS_SYNC) && R[i].kind == RK_VMLAB && R[i].shared &&
			    R[i].maywrite &&
			    (int64_t)((R[i].pgoff + (at - R[i].start) / PS) << 12) < 0) {
				ok = false;
				allow = E(EINVAL);
				break;
			}
			at = reg_end(&R[i]);
		}
	}
	judge("msync", r, err, ok, false, 0, allow, S_MSYNC);
}

static void op_fsync(void)
{
	struct fdm *m;
	int fd = pick_fd(&m), r, err;
	bool ok = m && !m->path;

	note("fsync(%d)", fd);
	r = chance(50) ? fsync(fd) : fdatasync(fd);
	err = errno;
	judge("fsync", r, err, ok, false, 0, ok ? 0 : E(EBADF), S_FSYNC);
}

/* The VFS calls a character device gets: nothing they may do. */
static void op_fileops(void)
{
	struct fdm *m;
	int fd = pick_fd(&m), r, err, what = rnd(6);
	bool bad = !m || m->path, writable = m && (m->acc == O_WRONLY || m->acc == O_RDWR);
	int64_t off = pick_off(), len = pick_off();
	struct stat sb;

	switch (what) {
	case 0: {
		unsigned int fl = chance(80) ? rnd(8) : 0x10 + rnd(8);

		note("sync_file_range(%d, %lld, %lld, %#x)", fd, (long long)off,
		     (long long)len, fl);
		r = sync_file_range(fd, off, len, fl);
		err = errno;
		judge("sync_file_range", r, err, false, false, 0,
		      bad ? E(EBADF) : E(EINVAL) | E(ESPIPE), S_SFR);
		break;
	}
	case 1: {
		int mode = chance(70) ? (int[]){ 0, FALLOC_FL_KEEP_SIZE,
			FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, FALLOC_FL_ZERO_RANGE }[rnd(4)] :
			(int)rnd64();

		note("fallocate(%d, %#x, %lld, %lld)", fd, mode, (long long)off, (long long)len);
		r = fallocate(fd, mode, off, len);
		err = errno;
		judge("fallocate", r, err, false, false, 0,
		      bad ? E(EBADF) : E(EINVAL) | E(EOPNOTSUPP) | E(ENODEV) |
				       (writable ? 0 : E(EBADF)), S_FALLOCATE);
		break;
	}
	case 2:
		note("ftruncate(%d, %lld)", fd, (long long)off);
		r = ftruncate(fd, off);
		err = errno;
		judge("ftruncate", r, err, false, false, 0,
		      bad ? E(EBADF) | (off < 0 ? E(EINVAL) : 0) : E(EINVAL), S_FTRUNCATE);
		break;
	case 3: {
		int adv = rnd(8);

		note("posix_fadvise(%d, %lld, %lld, %d)", fd, (long long)off, (long long)len, adv);
		r = posix_fadvise(fd, off, len, adv);	/* returns the error */
		err = r;
		judge("posix_fadvise", r ? -1 : 0, err, !bad && adv <= 5 && len >= 0, false,
		      0, bad ? E(EBADF) : E(EINVAL), S_FADVISE);
		break;
	}
	case 4: {
		int fl = (int[]){ O_APPEND, O_NONBLOCK, O_DIRECT, O_NOATIME, O_ASYNC, 0 }[rnd(6)];

		note("fcntl(%d, F_SETFL, %#x)", fd, fl);
		r = fcntl(fd, F_SETFL, fl);
		err = errno;
		judge("fcntl", r, err, !bad && fl != O_DIRECT, false, 0,
		      bad ? E(EBADF) : E(EINVAL), S_FCNTL);
		break;
	}
	default:
		note("fstat(%d)", fd);
		r = fstat(fd, &sb);
		err = errno;
		judge("fstat", r, err, m != NULL, false, 0, E(EBADF), E(EBADF));
		if (!r && (!S_ISCHR(sb.st_mode)))
			die("fstat: not a character device (%#o)", sb.st_mode);
		break;
	}
}

/* A load or store through one of our mappings (or not). */
static void access_one(uintptr_t va, bool write)
{
	uint64_t v = rnd64(), got = 0, want;
	int expect, sig;
	bool known;

	va &= ~7UL;
	expect = m_fault(va, write);
	note("%s %#lx (expect %s)", write ? "store" : "load", (unsigned long)va,
	     (const char *[]){ "ok", "SIGSEGV", "SIGBUS" }[expect]);
	sig = vl_access((volatile uint64_t *)va, write, v, &got);
	if (sig != (expect == AC_OK ? 0 : expect == AC_SEGV ? SIGSEGV : SIGBUS)) {
		int i = reg_find(va);

		if (i >= 0)
			note("  region %#lx-%#lx kind %d shared %d prot %#x pgoff %#llx; "
			     "object page %#llx state %#x; resident %lld of %lld",
			     (unsigned long)R[i].start, (unsigned long)reg_end(&R[i]),
			     R[i].kind, R[i].shared, R[i].prot,
			     (unsigned long long)R[i].pgoff,
			     (unsigned long long)obj_page(&R[i], va),
			     obj_page(&R[i], va) < SH->npages ? PST[obj_page(&R[i], va)] : 0xff,
			     (long long)SH->resident, (long long)SH->limit);
		die("%s at %#lx got %s, the model says %s", write ? "store" : "load",
		    (unsigned long)va, sig ? strsignal(sig) : "no signal",
		    (const char *[]){ "no signal", "SIGSEGV", "SIGBUS" }[expect]);
	}
	SH->sigs[expect]++;
	if (sig)
		return;
	if (write) {
		m_poke(va, 8, (uint8_t *)&v);
		return;
	}
	known = m_peek(va, 8, (uint8_t *)&want);
	if (known && got != want) {
		int i = reg_find(va);

		die("load at %#lx (object page %llu, %s) read %#llx, the model says %#llx",
		    (unsigned long)va, i >= 0 ? (unsigned long long)obj_page(&R[i], va) : 0ULL,
		    i >= 0 && R[i].shared ? "shared" : "private",
		    (unsigned long long)got, (unsigned long long)want);
	}
}

static void op_access(void)
{
	int i = pick_map();
	uintptr_t va;

	if (i < 0)
		return;
	if (chance(5))
		va = (uintptr_t[]){ LOW_ADDR, A0 + rnd(PS) }[rnd(2)];
	else
		va = R[i].start + rnd(R[i].npages < 512 ? R[i].npages : 512) * PS + rnd(PS);
	access_one(va, chance(40));
}

/* Many pages of a mapping in a row: the fault paths at speed. */
static void op_touch(void)
{
	int i = pick_map(), k, n, sig;
	bool write = chance(50);
	uint64_t v, got = 0, want;
	uintptr_t va;

	if (i < 0 || R[i].kind != RK_VMLAB)
		return;
	n = R[i].npages < 64 ? R[i].npages : 64;
	note("touch %d pages of %#lx (%s)", n, (unsigned long)R[i].start,
	     write ? "store" : "load");
	for (k = 0; k < n; k++) {
		va = R[i].start + k * PS + 8 * rnd(PS / 8);
		if (m_fault(va, write) != AC_OK) {
			/* m_fault() changed nothing: the access judges it */
			access_one(va, write);
			return;
		}
		v = rnd64();
		sig = vl_access((volatile uint64_t *)va, write, v, &got);
		if (sig)
			die("touch: %s at %#lx got %s, the model says no signal",
			    write ? "store" : "load", (unsigned long)va, strsignal(sig));
		if (write)
			m_poke(va, 8, (uint8_t *)&v);
		else if (m_peek(va, 8, (uint8_t *)&want) && want != got)
			die("touch: load at %#lx read %#llx, the model says %#llx",
			    (unsigned long)va, (unsigned long long)got,
			    (unsigned long long)want);
	}
}

/* STATS into scratch (checked), one of our mappings, or a bad pointer. */
static void op_stats(void)
{
	struct fdm *m;
	int fd = pick_fd(&m), kind, r, err;
	uintptr_t arg = pick_buf(sizeof(struct vmlab_stats), &kind);
	int64_t resident = SH->resident;
	size_t k = 0;
	struct vmlab_stats *st;
	bool ok = m && !m->path;

	note("STATS(fd %d, %#lx)", fd, (unsigned long)arg);
	if (ok) {
		k = m_uaccess(arg, sizeof(*st), true, NULL, NULL, NULL);
		ok = k == sizeof(*st);
	}
	r = ioctl(fd, VMLAB_IOC_STATS, arg);
	err = errno;
	judge("STATS", r, err, ok, false, 0, !m || m->path ? E(EBADF) : E(EFAULT), S_STATS);
	if (r || kind != B_SCRATCH)
		return;
	st = (struct vmlab_stats *)arg;
	if (st->size != SH->size || st->mem_limit != SH->limit * PS ||
	    (int64_t)st->pages_resident != resident ||
	    st->pages_allocated - st->pages_freed != st->pages_resident ||
	    st->vma_opens - st->vma_closes != st->vmas_live ||
	    st->pages_dirty > st->pages_resident || st->reserved[0] || st->reserved[5])
		die("STATS: size %llu limit %llu resident %llu (model %lld) allocated %llu "
		    "freed %llu dirty %llu vmas %llu/%llu/%llu",
		    (unsigned long long)st->size, (unsigned long long)st->mem_limit,
		    (unsigned long long)st->pages_resident, (long long)resident,
		    (unsigned long long)st->pages_allocated,
		    (unsigned long long)st->pages_freed, (unsigned long long)st->pages_dirty,
		    (unsigned long long)st->vmas_live, (unsigned long long)st->vma_opens,
		    (unsigned long long)st->vma_closes);
}

static void op_reset(void)
{
	struct fdm *m;
	int fd = pick_fd(&m), kind, r, err;
	uintptr_t arg = pick_buf(16, &kind);
	struct vmlab_reset rs = { 0 };
	uint8_t in[16];
	bool known = true, ok = true, maybe = false;
	int64_t resident = SH->resident;
	eset allow = 0;
	size_t k;

	if (kind == B_SCRATCH) {
		size_t room = (uintptr_t)SCR + SCR_PAGES * PS - arg;

		rs.flags = chance(90) ? 0 : 1ULL << rnd(64);
		rs.pages_freed = rnd64();
		memcpy((void *)arg, &rs, room < sizeof(rs) ? room : sizeof(rs));
	}
	note("RESET(fd %d, %#lx, flags %#llx)", fd, (unsigned long)arg,
	     (unsigned long long)rs.flags);
	if (!m || m->path || !(m->acc == O_WRONLY || m->acc == O_RDWR)) {
		ok = false;
		allow = E(EBADF);
	} else {
		k = m_uaccess(arg, 16, false, NULL, in, &known);
		if (k < 16) {
			ok = false;
			allow = E(EFAULT);
		} else {
			uint64_t flags;

			memcpy(&flags, in, 8);
			if (kind == B_SCRATCH)
				flags = rs.flags;
			else if (kind != B_MAP)
				known = false;
			if (!known) {
				maybe = true;	/* the model does not know the flags */
			} else if (flags) {
				ok = false;
				allow = E(EINVAL);
			}
		}
	}
	resident = SH->resident;
	r = ioctl(fd, VMLAB_IOC_RESET, arg);
	err = errno;
	if (maybe && r && err == EINVAL) {
		ok = false;
		allow = E(EINVAL);
	}
	if (!ok) {
		judge("RESET", r, err, false, false, 0, allow, S_RESET);
		return;
	}
	/* The reset happened; writing the answer back may fail. */
	obj_reset();
	rs.flags = 0;
	rs.pages_freed = resident;
	k = m_uaccess(arg, 16, true, (uint8_t *)&rs, NULL, NULL);
	judge("RESET", r, err, k == 16, false, 0, E(EFAULT), S_RESET);
	check_resident("after RESET");
	if (!r && kind == B_SCRATCH &&
	    ((struct vmlab_reset *)arg)->pages_freed != (uint64_t)resident)
		die("RESET freed %llu pages, the model says %lld",
		    (unsigned long long)((struct vmlab_reset *)arg)->pages_freed,
		    (long long)resident);
}

/* INSPECT records of our own mappings against the model. */
static void check_records(const struct vmlab_page_info *pi, size_t n)
{
	size_t k;

	for (k = 0; k < n; k++) {
		const struct vmlab_page_info *p = &pi[k];
		int i = reg_find(p->addr);
		struct reg *g;
		uint64_t pg;

		if (p->reserved[0] || p->reserved[1] || p->reserved[2])
			die("INSPECT record %zu: reserved fields set", k);
		/* We are root: nothing is withheld. */
		if (p->hidden)
			die("INSPECT record %zu: %#llx withheld from root", k,
			    (unsigned long long)p->hidden);
		if (i < 0) {
			if (p->addr >= A0 && p->addr < A1)
				die("INSPECT: %#llx in the arena has no region",
				    (unsigned long long)p->addr);
			continue;
		}
		g = &R[i];
		if (!(p->walk & VMLAB_WALK_VMA))
			die("INSPECT: %#llx is mapped but has no VMA", (unsigned long long)p->addr);
		if (!!(p->vma & VMLAB_VMA_VMLAB) != (g->kind == RK_VMLAB))
			die("INSPECT: %#llx: vma bits %#llx for a %s region",
			    (unsigned long long)p->addr, (unsigned long long)p->vma,
			    g->kind == RK_VMLAB ? "vmlab" : "anonymous");
		if (g->kind != RK_VMLAB)
			continue;
		pg = obj_page(g, p->addr);
		if (p->vma_pgoff + (p->addr - p->vma_start) / PS != pg)
			die("INSPECT: %#llx: VMA offset says page %llu, the model %llu",
			    (unsigned long long)p->addr,
			    (unsigned long long)(p->vma_pgoff + (p->addr - p->vma_start) / PS),
			    (unsigned long long)pg);
		if (!!(p->vma & VMLAB_VMA_COW) != !g->shared)
			die("INSPECT: %#llx: COW bit wrong (vma %#llx)", (unsigned long long)p->addr,
			    (unsigned long long)p->vma);
		if (!(p->entry & VMLAB_ENTRY_PRESENT))
			continue;
		if (p->page & VMLAB_PAGE_VMLAB) {
			if (p->obj_offset != pg)
				die("INSPECT: %#llx maps object page %llu, should be %llu",
				    (unsigned long long)p->addr,
				    (unsigned long long)p->obj_offset, (unsigned long long)pg);
			if (pg >= SH->npages || !(PST[pg] & P_PRESENT))
				die("INSPECT: %#llx maps object page %llu, which the object "
				    "does not hold", (unsigned long long)p->addr,
				    (unsigned long long)pg);
			if (!g->shared && cow_find(p->addr) >= 0)
				die("INSPECT: %#llx maps the object's page but has a private copy",
				    (unsigned long long)p->addr);
		} else if (p->page & VMLAB_PAGE_VMLAB_ZERO) {
			die("INSPECT: %#llx maps the module's old zero frame (page %#llx)",
			    (unsigned long long)p->addr, (unsigned long long)p->page);
		} else if (p->page & VMLAB_PAGE_ZERO) {
			/*
			 * A private read of a hole: the kernel's zero page, by a
			 * special entry; never once the object holds the page
			 * (a stale entry) or where we have a private copy.
			 */
			if (g->shared || (pg < SH->npages && (PST[pg] & P_PRESENT)) ||
			    cow_find(p->addr) >= 0)
				die("INSPECT: %#llx maps the zero page where it may not",
				    (unsigned long long)p->addr);
			if (!(p->entry & VMLAB_ENTRY_SPECIAL) || p->pfn != vl_zero_pfn())
				die("INSPECT: %#llx: zero page at PFN %#llx (the kernel's is %#llx), "
				    "entry %#llx: not a special entry of the zero page",
				    (unsigned long long)p->addr, (unsigned long long)p->pfn,
				    (unsigned long long)vl_zero_pfn(),
				    (unsigned long long)p->entry);
		} else if (g->shared || !(p->page & VMLAB_PAGE_ANON) ||
			   cow_find(p->addr) < 0) {
			die("INSPECT: %#llx maps page %#llx (%s mapping %#lx+%llu pages, prot "
			    "%#x%s, page %llu; %s private copy)",
			    (unsigned long long)p->addr, (unsigned long long)p->page,
			    g->shared ? "shared" : "private", (unsigned long)g->start,
			    (unsigned long long)g->npages, g->prot, g->locked ? " locked" : "",
			    (unsigned long long)pg, cow_find(p->addr) >= 0 ? "a" : "no");
		}
	}
}

static void op_inspect(void)
{
	struct fdm *m;
	int fd = pick_fd(&m), kind, r, err;
	struct vmlab_inspect *req = (struct vmlab_inspect *)(SCR + SCR_PAGES * PS - 512);
	uintptr_t pages, addr;
	uint64_t npages, pid;
	bool ok = true, self = false, hostile_req = chance(5);
	eset allow = 0;
	int i = pick_map(), c = rnd(100);

	/* The address range. */
	if (i >= 0 && c < 70) {
		addr = R[i].start + rnd(R[i].npages < 64 ? R[i].npages : 64) * PS;
		npages = 1 + rnd(64);
	} else if (c < 80) {
		addr = A0 + rnd(ARENA_PAGES) * PS;
		npages = 1 + rnd(VMLAB_INSPECT_MAX_PAGES);
	} else {
		addr = (uintptr_t[]){ 0, LOW_ADDR, task_size_max - PS, task_size_max,
			NONCANON, KERNEL_ADDR, A0 + 123, ~0UL & ~4095UL }[rnd(8)];
		npages = (uint64_t[]){ 0, 1, 2, VMLAB_INSPECT_MAX_PAGES,
			VMLAB_INSPECT_MAX_PAGES + 1, ~0ULL, 1ULL << 52 }[rnd(7)];
	}
	c = rnd(100);
	pid = c < 60 ? 0 : c < 70 ? (uint64_t)getpid() : c < 78 ? (uint64_t)getppid() :
	      c < 84 ? 1 : c < 88 ? 2 : c < 92 ? 0x3fffffff :
	      (uint64_t[]){ 1ULL << 31, 1ULL << 32, ~0ULL, (uint64_t)-5 }[rnd(4)];
	self = pid == 0 || pid == (uint64_t)getpid();
	pages = pick_buf(npages < 512 ? npages * sizeof(struct vmlab_page_info) : 4096, &kind);
	if (kind == B_SCRATCH && (uintptr_t)req - pages < npages * sizeof(struct vmlab_page_info))
		pages = (uintptr_t)SCR;	/* keep the request apart */
	memset(req, 0, sizeof(*req));
	*req = (struct vmlab_inspect){ .pid = pid, .addr = addr, .npages = npages,
		.pages = pages, .info_size = sizeof(struct vmlab_page_info) };
	if (hostile_req) {
		switch (rnd(3)) {
		case 0: req->flags = 1ULL << rnd(64); break;
		case 1: req->info_size = rnd(400); break;
		default: req->reserved[rnd(4)] = 1 + rnd(100); break;
		}
	}
	note("INSPECT(fd %d, pid %lld, addr %#lx, npages %llu, pages %#lx%s)", fd,
	     (long long)pid, (unsigned long)addr, (unsigned long long)npages,
	     (unsigned long)pages, hostile_req ? ", bad fields" : "");

	if (!m || m->path) {
		ok = false;
		allow = E(EBADF);
	} else if (req->flags || req->info_size != sizeof(struct vmlab_page_info) ||
		   req->reserved[0] || req->reserved[1] || req->reserved[2] ||
		   req->reserved[3] || pid > 0x7fffffff || !npages ||
		   npages > VMLAB_INSPECT_MAX_PAGES || addr % PS || addr >= task_size_max ||
		   npages > (task_size_max - addr) / PS) {
		ok = false;
		allow = E(EINVAL);
	} else if (pid == 2 || pid == 0x3fffffff) {
		ok = false;
		allow = E(ESRCH);
	} else {
		/* The walk touches nothing; then the records are copied out. */
		size_t len = npages * sizeof(struct vmlab_page_info);

		if (m_uaccess(pages, len, true, NULL, NULL, NULL) < len) {
			ok = false;
			allow = E(EFAULT);
		}
	}
	r = ioctl(fd, VMLAB_IOC_INSPECT, req);
	err = errno;
	judge("INSPECT", r, err, ok, false, 0, allow, S_INSPECT);
	if (r)
		return;
	if (req->page_size != PS || req->result != VMLAB_INSPECT_PFN_SHOWN)
		die("INSPECT: page_size %llu result %#llx", (unsigned long long)req->page_size,
		    (unsigned long long)req->result);
	if (self && kind == B_SCRATCH)
		check_records((struct vmlab_page_info *)pages, npages);
}

/* Commands the device does not have; never the VFS's own (see above). */
static void op_ioctl(void)
{
	static const uint8_t vfs_types[] = { 0x00, 0x15, 0x54, 0x58, 0x66, 0x94 };
	struct fdm *m;
	int fd = pick_fd(&m), kind, r, err;
	uintptr_t arg = pick_buf(64, &kind);
	unsigned int cmd;
	size_t i;

	for (;;) {
		uint8_t type;

		cmd = rnd64();
		if (chance(50))	/* our type, other numbers, sizes, directions */
			cmd = (cmd & ~0xff00U) | VMLAB_IOC_MAGIC << 8;
		type = cmd >> 8;
		if (cmd == VMLAB_IOC_STATS || cmd == VMLAB_IOC_RESET || cmd == VMLAB_IOC_INSPECT)
			continue;
		for (i = 0; i < sizeof(vfs_types); i++)
			if (type == vfs_types[i])
				break;
		if (i == sizeof(vfs_types))
			break;
	}
	note("ioctl(fd %d, %#x, %#lx)", fd, cmd, (unsigned long)arg);
	r = ioctl(fd, cmd, arg);
	err = errno;
	judge("ioctl", r, err, false, false, 0, !m || m->path ? E(EBADF) : E(ENOTTY), S_IOCTL);
}

/* The object's data, read back with pread() and held against the model. */
static void op_verify(void)
{
	int i, fd = -1;
	uint64_t pg = chance(70) ? rnd(80) : rnd(SH->npages), n = 1 + rnd(8), k;
	static uint8_t buf[8 * 4096];

	for (i = 0; i < nfd; i++)
		if (!F[i].path && (F[i].acc == O_RDONLY || F[i].acc == O_RDWR))
			fd = F[i].fd;
	if (fd < 0)
		return;
	if (pg + n > SH->npages)
		n = SH->npages - pg;
	note("verify pages %llu-%llu", (unsigned long long)pg, (unsigned long long)(pg + n - 1));
	check_resident("verify");
	if (pread(fd, buf, n * PS, pg * PS) != (ssize_t)(n * PS))
		die("verify: pread: %s", strerror(errno));
	for (k = 0; k < n; k++) {
		size_t j;

		if (PST[pg + k] & P_UNKNOWN)
			continue;
		for (j = 0; j < PS; j++)
			if (buf[k * PS + j] != SHADOW[(pg + k) * PS + j])
				die("verify: object page %llu byte %zu reads %#x, the model says %#x "
				    "(%s)", (unsigned long long)(pg + k), j, buf[k * PS + j],
				    SHADOW[(pg + k) * PS + j],
				    PST[pg + k] & P_PRESENT ? "held" : "a hole");
	}
}

/* Fill the object to its limit through a shared mapping of all of it. */
static void op_fill(void)
{
	int i, fd = -1, r, err;
	uintptr_t a;
	uint64_t pg;
	bool ok = true;

	for (i = 0; i < nfd; i++)
		if (!F[i].path && F[i].acc == O_RDWR)
			fd = F[i].fd;
	if (fd < 0 || !chance(3))	/* 48 MiB under TCG: not too often */
		return;
	while (n_outside() >= MAXOUT)
		unmap_outside();
	note("fill: map all %llu pages shared, MADV_POPULATE_WRITE",
	     (unsigned long long)SH->npages);
	a = (uintptr_t)mmap(NULL, SH->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if ((void *)a == MAP_FAILED)
		die("fill: mmap: %s", strerror(errno));
	reg_insert((struct reg){ .start = a, .npages = SH->npages, .kind = RK_VMLAB,
				 .shared = true, .prot = PROT_READ | PROT_WRITE,
				 .maywrite = true });
	r = madvise((void *)a, SH->size, MADV_POPULATE_WRITE);
	err = errno;
	for (pg = 0; pg < SH->npages; pg++)
		if (m_fault(a + pg * PS, true) != AC_OK) {
			ok = false;
			break;
		}
	judge("madvise(MADV_POPULATE_WRITE) of all", r, err, ok, false, 0, E(EFAULT), S_MADVISE);
	check_resident("filled to the limit");
	if (chance(50)) {
		munmap((void *)a, SH->size);
		reg_remove(a, a + SH->size);
	}
}

static void run_ops(uint64_t n);
static void op_mremap(void);

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

/* fork: the child goes on with the sequence for a while, then exits (or
 * kills itself); the parent waits. */
static void op_fork(void)
{
	uint64_t n = 1 + rnd(30), seed = rnd64();
	bool suicide = chance(20);
	pid_t pid;
	int st, i;

	if (depth >= 2)
		return;
	note("fork: the child does %llu operations%s", (unsigned long long)n,
	     suicide ? " and kills itself" : "");
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		depth++;
		rng = seed;
		/* What the child does not get: MADV_DONTFORK ranges; no
		 * mapping is locked in a child. */
		for (i = 0; i < nreg; i++) {
			R[i].locked = false;
			if (R[i].dontfork) {
				cow_drop(R[i].start, reg_end(&R[i]));
				memmove(&R[i], &R[i + 1], (nreg - i - 1) * sizeof(R[0]));
				nreg--;
				i--;
			}
		}
		arena_refill();
		run_ops(n);
		if (suicide)
			kill(getpid(), SIGKILL);
		_exit(0);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			die("waitpid: %s", strerror(errno));
	if (SH->failed)
		_exit(3);
	if (suicide ? !(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL) :
		      !(WIFEXITED(st) && !WEXITSTATUS(st)))
		die("fork child: status %#x", st);
	note("fork: the child is done");
}

static void do_op(int op)
{
	SH->counts[op]++;
	switch (op) {
	case OP_OPEN: op_open(); break;
	case OP_CLOSE: op_close(); break;
	case OP_DUP: op_dup(); break;
	case OP_READ: op_rw(false); break;
	case OP_WRITE: op_rw(true); break;
	case OP_LSEEK: op_lseek(); break;
	case OP_MMAP: op_mmap(); break;
	case OP_MUNMAP: op_munmap(); break;
	case OP_MREMAP: op_mremap(); break;
	case OP_MPROTECT: op_mprotect(); break;
	case OP_MADVISE: op_madvise(); break;
	case OP_MSYNC: op_msync(); break;
	case OP_FSYNC: op_fsync(); break;
	case OP_FILEOPS: op_fileops(); break;
	case OP_ACCESS: op_access(); break;
	case OP_TOUCH: op_touch(); break;
	case OP_STATS: op_stats(); break;
	case OP_RESET: op_reset(); break;
	case OP_INSPECT: op_inspect(); break;
	case OP_IOCTL: op_ioctl(); break;
	case OP_FORK: op_fork(); break;
	case OP_VERIFY: op_verify(); break;
	case OP_FILL: op_fill(); break;
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

static void run_ops(uint64_t n)
{
	static int total;
	uint64_t k;
	int op, r;

	if (!total)
		for (op = 0; op < OP_NR; op++)
			total += op_weight[op];
	for (k = 0; k < n && !SH->failed; k++) {
		r = rnd(total);
		for (op = 0; op < OP_NR; op++) {
			r -= op_weight[op];
			if (r < 0)
				break;
		}
		SH->opno++;
		SH->progress++;
		if (n_outside() > MAXOUTREG)
			unmap_outside();
		do_op(op);
		if (checkmaps)
			check_maps();
		if (watch_pg >= 0)
			check_watch_page();
	}
}

/* ---------------------------------------------------------------- */
/* mremap */

static void op_mremap(void)
{
	static const int fls[] = { MREMAP_MAYMOVE, 0, MREMAP_MAYMOVE | MREMAP_FIXED,
				   MREMAP_MAYMOVE | MREMAP_DONTUNMAP,
				   MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP,
				   MREMAP_FIXED, 8 };
	int i = pick_map(), flags = fls[rnd(7)], err;
	uintptr_t old, nad = 0, ret;
	size_t olen, nlen;
	struct reg g;
	bool ok = true, outside, either = false;
	eset allow = 0;
	uint64_t p, q;

	if (i < 0)
		return;
	g = R[i];
	p = rnd(g.npages < 256 ? g.npages : 256);
	q = 1 + rnd(g.npages - p < 64 ? g.npages - p : 64);
	old = g.start + p * PS;
	olen = q * PS;
	nlen = (chance(50) ? q : 1 + rnd(96)) * PS;
	if (chance(5) && g.kind == RK_VMLAB)
		olen = 0;	/* "duplicate": shared only */
	if (chance(3))
		nlen = 0;
	if (flags & MREMAP_DONTUNMAP)
		nlen = olen;
	if (flags & MREMAP_FIXED) {
		uint64_t np = (nlen ? nlen : PS) / PS;

		if (np + 3 >= ARENA_PAGES)
			return;
		nad = A0 + (1 + rnd(ARENA_PAGES - 2 - np)) * PS;
		if (chance(3))
			nad += 8;
	}
	if (chance(5))
		old = (uintptr_t[]){ LOW_ADDR, KERNEL_ADDR, A0 + 4 }[rnd(3)];
	note("mremap(%#lx, %#zx, %#zx, %#x, %#lx)", (unsigned long)old, olen, nlen, flags,
	     (unsigned long)nad);

	/* The checks before anything is done (mremap(), mremap_to()). */
	if ((flags & ~(MREMAP_FIXED | MREMAP_MAYMOVE | MREMAP_DONTUNMAP)) ||
	    ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE)) ||
	    ((flags & MREMAP_DONTUNMAP) && (!(flags & MREMAP_MAYMOVE) || olen != nlen)) ||
	    (old % PS) || !nlen)
		ok = false, allow = E(EINVAL);
	else {
		/* No VMA at old: EFAULT; a bad or overlapping target: EINVAL.
		 * Up to 6.12 the VMA is looked up first, from 6.17 on the
		 * target is checked first: either when both apply. */
		if (reg_find(old) < 0)
			ok = false, allow |= E(EFAULT);
		if ((flags & (MREMAP_FIXED | MREMAP_DONTUNMAP)) &&
		    ((nad % PS) || (old + olen > nad && nad + nlen > old)))
			ok = false, allow |= E(EINVAL);
	}
	if (!ok) {
		ret = (uintptr_t)mremap((void *)old, olen, nlen, flags, (void *)nad);
		err = errno;
		judge("mremap", (void *)ret == MAP_FAILED ? -1 : 0, err, false, false, 0,
		      allow, S_MREMAP);
		return;
	}
	outside = !in_arena(g.start, reg_end(&g));
	reg_split(old);
	reg_split(old + olen);
	reg_split(old + (olen < nlen ? olen : nlen));
	i = reg_find(old);
	g = R[i];
	/* A private mapping cannot be duplicated: EINVAL, after the target
	 * of MREMAP_FIXED was unmapped. */
	if (!olen && !g.shared)
		ok = false, allow = E(EINVAL);
	/* Past 2^64 in the file, growing (vma_to_resize()). */
	if (ok && g.kind == RK_VMLAB && nlen > olen &&
	    obj_page(&g, old) + nlen / PS < obj_page(&g, old))
		ok = false, allow = E(EINVAL);
	/* Growing (or a duplicate) where it is: only outside the arena,
	 * if what follows is free.  Without MREMAP_MAYMOVE it may fail. */
	if (ok && !(flags & (MREMAP_FIXED | MREMAP_DONTUNMAP)) && nlen > olen &&
	    !(flags & MREMAP_MAYMOVE)) {
		if (olen && outside && old + olen == reg_end(&g))
			either = true;
		else
			ok = false, allow = E(ENOMEM);
	}
	ret = (uintptr_t)mremap((void *)old, olen, nlen, flags, (void *)nad);
	err = errno;
	/* MREMAP_FIXED unmaps the target first, and a shrink its tail. */
	if (flags & MREMAP_FIXED)
		reg_remove(nad, nad + nlen);
	if (olen > nlen && (flags & (MREMAP_FIXED | MREMAP_DONTUNMAP))) {
		reg_remove(old + nlen, old + olen);
		olen = nlen;
	}
	if ((void *)ret == MAP_FAILED) {
		judge("mremap", -1, err, false, false, 0, either ? E(ENOMEM) : allow, S_MREMAP);
		arena_refill();
		return;
	}
	judge("mremap", 0, 0, ok || either, true, 0, allow, S_MREMAP);
	note("  -> %#lx", (unsigned long)ret);
	if (ret % PS)
		die("mremap returned an unaligned %#lx", (unsigned long)ret);
	i = reg_find(old);
	if (olen && olen >= nlen && !(flags & (MREMAP_FIXED | MREMAP_DONTUNMAP))) {
		/* Shrinking (or the same size): in place. */
		if (ret != old)
			die("mremap shrinking moved %#lx to %#lx", (unsigned long)old,
			    (unsigned long)ret);
		reg_remove(old + nlen, old + olen);
		arena_refill();
		return;
	}
	if ((flags & MREMAP_FIXED) && ret != nad)
		die("mremap MREMAP_FIXED to %#lx returned %#lx", (unsigned long)nad,
		    (unsigned long)ret);
	if (!(flags & MREMAP_MAYMOVE) && ret != old)
		die("mremap without MREMAP_MAYMOVE moved to %#lx", (unsigned long)ret);
	if (ret == old && olen) {
		/* Grown in place: what followed was free. */
		if (!outside)
			die("mremap grew %#lx in place in the all-mapped arena",
			    (unsigned long)old);
		g.npages = nlen / PS;
		reg_cut(old, old + olen);	/* its private copies stay */
		reg_remove(old + olen, old + nlen);
		reg_insert(g);
		if (g.locked)
			populate(reg_find(old), old + olen, (nlen - olen) / PS);
		return;
	}
	if (!(flags & MREMAP_FIXED) && !(ret + nlen <= A0 || ret >= A1 + (SCR_PAGES + 1) * PS))
		die("mremap moved a mapping over the all-mapped arena at %#lx",
		    (unsigned long)ret);
	/* Moved to ret, with its private copies; or a duplicate there. */
	{
		struct reg ng = g;

		ng.start = ret;
		ng.npages = nlen / PS;
		if (flags & MREMAP_DONTUNMAP)
			ng.locked = g.locked;
		if (!olen) {
			reg_remove(ret, ret + nlen);
			reg_insert(ng);
			if (ng.locked)
				populate(reg_find(ret), ret, nlen / PS);
			arena_refill();
			return;
		}
		reg_remove(ret, ret + nlen);	/* nothing of ours was there */
		i = reg_find(old);
		cow_move(old, olen, ret);
		if (flags & MREMAP_DONTUNMAP)
			R[i].locked = false;	/* the old range stays, emptied */
		else
			reg_remove(old, old + olen);
		reg_insert(ng);
		if (ng.locked && nlen > olen)
			populate(reg_find(ret), ret + olen, (nlen - olen) / PS);
	}
	arena_refill();
}

/* ---------------------------------------------------------------- */
/* The run */

static void setup_model(int fd)
{
	struct vmlab_stats st;
	struct statvfs sv;
	void *hi;

	if (vl_stats(fd, &st))
		die("STATS: %s", strerror(errno));
	SH->size = st.size;
	SH->npages = st.size / PS;
	SH->limit = st.mem_limit / PS;
	SH->resident = st.pages_resident;
	PST = mmap(NULL, SH->npages, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	SHADOW = mmap(NULL, SH->size, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (PST == MAP_FAILED || SHADOW == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	if (st.pages_resident)
		die("the object is not empty");
	/* 5-level page tables move the top of user space. */
	hi = mmap((void *)(1UL << 50), PS, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	task_size_max = hi != MAP_FAILED && (uintptr_t)hi >= (1UL << 47) ?
			(1UL << 56) - PS : (1UL << 47) - PS;
	if (hi != MAP_FAILED)
		munmap(hi, PS);
	dev_noexec = !statvfs(VMLAB_DEVICE, &sv) && (sv.f_flag & ST_NOEXEC);
}

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
	for (k = 0; k < OP_NR; k++)
		n += snprintf(line + n, sizeof(line) - n, " %s %llu", op_name[k],
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
