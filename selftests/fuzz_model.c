// SPDX-License-Identifier: GPL-2.0
/*
 * vmlab_fuzz's model (fuzz_model.h): the regions of the address space,
 * the private copies, the object's pages and expected bytes, what each
 * access does to them, the module's read() and write(), and the errnos
 * each call may give.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/statvfs.h>

#include "fuzz_model.h"


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
const eset S_OPEN = E(EACCES) | E(ENOTDIR) | E(EINVAL) | E(EEXIST) |
		    E(EISDIR) | E(EFAULT);
const eset S_CLOSE = E(EBADF);
const eset S_READ = E(EBADF) | E(EFAULT) | E(EINVAL) | E(EOPNOTSUPP);
const eset S_WRITE = E(EBADF) | E(EFAULT) | E(EINVAL) | E(EOPNOTSUPP) |
		     E(ENOSPC);
const eset S_LSEEK = E(EBADF) | E(EINVAL);
const eset S_MMAP = E(EBADF) | E(EINVAL) | E(ENOMEM) | E(EOVERFLOW) |
		    E(EEXIST) | E(EACCES) | E(EPERM) | E(EOPNOTSUPP) |
		    E(EAGAIN);
const eset S_MUNMAP = E(EINVAL);
const eset S_MREMAP = E(EINVAL) | E(EFAULT) | E(ENOMEM) | E(EAGAIN);
const eset S_MPROTECT = E(EINVAL) | E(ENOMEM) | E(EACCES);
const eset S_MADVISE = E(EINVAL) | E(ENOMEM) | E(EACCES) | E(ENODEV) |
		       E(EOPNOTSUPP) | E(EFAULT) | E(EAGAIN) | E(EBADF) |
		       E(EPERM);
const eset S_MSYNC = E(EINVAL) | E(ENOMEM) | E(EBUSY);
const eset S_FSYNC = E(EBADF);
const eset S_SFR = E(EBADF) | E(EINVAL) | E(ESPIPE);
const eset S_FALLOCATE = E(EBADF) | E(EINVAL) | E(EOPNOTSUPP) | E(ENODEV);
const eset S_FTRUNCATE = E(EBADF) | E(EINVAL);
const eset S_FADVISE = E(EBADF) | E(EINVAL);
const eset S_FCNTL = E(EBADF) | E(EINVAL);
const eset S_STATS = E(EBADF) | E(EFAULT);
const eset S_RESET = E(EBADF) | E(EFAULT) | E(EINVAL);
const eset S_INSPECT = E(EBADF) | E(EFAULT) | E(EINVAL) | E(ESRCH) |
		       E(EACCES) | E(ENOMEM) | E(EINTR) | E(EAGAIN);
const eset S_IOCTL = E(EBADF) | E(ENOTTY);

struct shared *SH;
uint8_t *PST;
uint8_t *SHADOW;
size_t PS;
uintptr_t task_size_max;
bool dev_noexec;
uintptr_t watch;

struct reg R[MAXREG];
int nreg;
uintptr_t A0, A1;
char *SCR;
struct cow C[MAXCOW];
int ncow;
struct fdm F[MAXFD];
int nfd;

/* ---------------------------------------------------------------- */
/* The address space model */

uintptr_t reg_end(const struct reg *r)
{
	return r->start + r->npages * PS;
}

bool in_arena(uintptr_t a, uintptr_t b)
{
	return a >= A0 && b <= A1 && a < b;
}

int reg_find(uintptr_t va)
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

void reg_insert(struct reg r)
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
void reg_split(uintptr_t va)
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

int cow_find(uintptr_t va)
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
void cow_drop(uintptr_t a, uintptr_t b)
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
void cow_move(uintptr_t a, uintptr_t len, uintptr_t to)
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
void reg_cut(uintptr_t a, uintptr_t b)
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
void reg_remove(uintptr_t a, uintptr_t b)
{
	if (watch >= a && watch < b)
		note("  watch: unmapped");
	reg_cut(a, b);
	cow_drop(a, b);
}

/* Fill the holes of the arena with PROT_NONE placeholders. */
void arena_refill(void)
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

int n_outside(void)
{
	int i, n = 0;

	for (i = 0; i < nreg; i++)
		n += !in_arena(R[i].start, reg_end(&R[i]));
	return n;
}

/* ---------------------------------------------------------------- */
/* The object model */

uint64_t obj_page(const struct reg *r, uintptr_t va)
{
	return r->pgoff + (va - r->start) / PS;
}

static void obj_alloc(uint64_t pg)
{
	PST[pg] = P_PRESENT;
	memset(SHADOW + pg * PS, 0, PS);
	SH->resident++;
}

void obj_reset(void)
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
void check_resident(const char *when)
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

/*
 * An access to the page holding va, by the CPU or by the kernel copying
 * to or from user memory: its outcome, with its side effects on the
 * model (the object allocating a page, a private copy being made).
 */
int m_fault(uintptr_t va, bool write)
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
bool m_peek(uintptr_t va, size_t len, uint8_t *out)
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
void m_poke(uintptr_t va, size_t len, const uint8_t *in)
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
size_t m_uaccess(uintptr_t va, size_t n, bool write, const uint8_t *src,
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
/* read() and write() as the module does them */

/*
 * vmlab_rw() for a read of len bytes at pos into buf, after the VFS's
 * checks: the expected return value; updates the model and, for a
 * scratch buffer, fills want[] with the expected data (known[i] false
 * where the model does not know it).
 */
long sim_read(uintptr_t buf, uint64_t len, int64_t pos, uint8_t *want,
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

long sim_write(uintptr_t buf, uint64_t len, int64_t pos)
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
bool uaccess_ok(uintptr_t buf, uint64_t count)
{
	return buf + count >= buf && buf + count <= task_size_max;
}

/* At the edge of user space the kernels differ by a page: don't judge. */
bool uaccess_edge(uintptr_t buf, uint64_t count)
{
	uintptr_t e = buf + count;

	return e >= buf && e > task_size_max - 2 * PS && e <= task_size_max + 2 * PS;
}

/* ---------------------------------------------------------------- */
/* Setting up */

void setup_model(int fd)
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

