// SPDX-License-Identifier: GPL-2.0
/*
 * vmlab_stress: threads and processes doing everything at once to the
 * same pages for a fixed time, then checking that nothing was lost,
 * invented or leaked.
 *
 * NPROC worker processes of NTHR threads each (the writers) work on the
 * first REGION_PAGES pages of the object, on overlapping ranges: shared
 * and private mappings made, faulted (read and write), partly unmapped,
 * mremapped, mprotected, madvised (DONTNEED, POPULATE_READ/WRITE, COLD,
 * PAGEOUT, WILLNEED), msynced; write()/pwrite()/pwritev()/read()/pread();
 * fsync; forks whose children write for their parent or just read; reads
 * and writes past the end (SIGBUS).  Meanwhile the main process RESETs
 * the object at random moments, reads STATS and INSPECTs the workers'
 * mappings.  The time budget is --seconds N (or VMLAB_STRESS_SECONDS),
 * VMLAB_STRESS_DEFAULT_SECS by default; --seed S (VMLAB_STRESS_SEED)
 * fixes the workers' random choices (the interleaving is the scheduler's).
 *
 * The data is tagged so that any word read back can be judged.  The
 * object is cut into SEG-byte segments, dealt round-robin to the writers:
 * only a segment's owner ever writes its words, through any path.  Each
 * 8-byte word holds (owner, sequence number, fixed marks), every byte
 * offset by a hash of the word's object offset.  write() and read() copy
 * bytes, not words, so a word read while its owner writes it may mix the
 * bytes of two of the owner's tags (or of a tag and a fresh page's
 * zeros): while the workers run, every byte of a word must be zero or
 * decode to the owner's marks; once they are done every word must be
 * zero or a whole tag of its owner with a sequence number the owner has
 * used.  A writer reading back what it just wrote must find exactly that,
 * or zero after a RESET (a shared page), or exactly that (its private
 * copy).  Stale pages, pages at the wrong offset, lost or torn writes
 * fail these checks.
 *
 * At the end: every process exited cleanly; the counters balance
 * (pages_allocated - pages_freed == pages_resident; VMAs opened == VMAs
 * closed, none live); every word is a whole tag or zero, through pread()
 * and through the shared and private mappings of two reader processes;
 * pagemap, kpageflags, smaps and INSPECT agree with the object about a
 * sample of its pages, and MemFree moves by what the object allocates and
 * frees; after a final RESET everybody reads zeros.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "vmlab_util.h"

#define VMLAB_STRESS_DEFAULT_SECS	8
#define NPROC		3		/* worker processes */
#define NTHR		3		/* writer threads in each */
#define NW		(NPROC * NTHR)	/* writers, ids 1..NW */
#define REGION_PAGES	384		/* the pages they all work on */
#define SEG		1000		/* bytes of a segment: not a page divisor */
#define MAXMAPS		12		/* live mappings of one writer */
#define MAXPAGES	48		/* pages of one mapping */
#define MAXKIDS		4		/* reader children not yet reaped */
#define BIG_PAGES	4096		/* the end's MemFree measurement */

#define M_ID	0xa7		/* the fixed marks of a tag */
#define M_END	0x5c

static unsigned int opt_seconds = VMLAB_STRESS_DEFAULT_SECS;
static uint64_t opt_seed;

/* Shared by every process of the test (MAP_SHARED | MAP_ANONYMOUS). */
struct board {
	atomic_int stop;
	atomic_uint_fast64_t seq[NW + 1];	/* last sequence number used */
	atomic_int nerr;
	char err[1024];				/* the first failure */
	pid_t pid[NPROC];
	_Atomic uintptr_t addr[NPROC];		/* a mapping of each process */
	atomic_ulong ops[32];			/* per operation, all writers */
	atomic_ulong sigbus, sigsegv;		/* deliberate faults taken */
	atomic_ulong resets, inspects, forks;
};

static struct board *B;
static size_t PS;
static uint64_t OBJ_SIZE;

/* The first failure wins; later ones are counted. */
static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void fail(const char *fmt, ...)
{
	va_list ap;

	if (atomic_fetch_add(&B->nerr, 1) == 0) {
		int n = snprintf(B->err, sizeof(B->err), "pid %d: ", getpid());

		va_start(ap, fmt);
		vsnprintf(B->err + n, sizeof(B->err) - n, fmt, ap);
		va_end(ap);
	}
	atomic_store(&B->stop, 1);
}

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t rnd(uint64_t *s, uint64_t n)
{
	return n ? splitmix(s) % n : 0;
}

/* The per-offset key that every byte of a tag is offset by. */
static uint64_t key(uint64_t off)
{
	uint64_t s = off * 0x2545f4914f6cdd1dULL;

	return splitmix(&s);
}

static int owner(uint64_t off)
{
	return (int)((off / SEG) % NW) + 1;
}

static uint8_t byte_of(uint64_t v, int k)
{
	return v >> (8 * k);
}

static uint64_t tag(int w, uint64_t seq, uint64_t off)
{
	uint64_t p = (uint64_t)w | (uint64_t)M_ID << 8 |
		     (seq & 0xffffffffULL) << 16 |
		     (uint64_t)(uint8_t)(w ^ 0xff) << 48 | (uint64_t)M_END << 56;
	uint64_t k = key(off), t = 0;
	int i;

	for (i = 0; i < 8; i++)
		t |= (uint64_t)(uint8_t)(byte_of(p, i) + byte_of(k, i)) << (8 * i);
	return t;
}

/* The expected decoded value of byte i of any tag of writer w (-1: any). */
static int mark(int w, int i)
{
	switch (i) {
	case 0: return w;
	case 1: return M_ID;
	case 6: return (uint8_t)(w ^ 0xff);
	case 7: return M_END;
	default: return -1;
	}
}

/* While writers run: each byte zero (a fresh page) or the owner's mark. */
static bool word_ok_live(uint64_t v, uint64_t off)
{
	uint64_t k;
	int w, i, m;

	if (!v)
		return true;
	k = key(off);
	w = owner(off);
	for (i = 0; i < 8; i++) {
		uint8_t b = byte_of(v, i);

		m = mark(w, i);
		if (b && m >= 0 && (uint8_t)(b - byte_of(k, i)) != m)
			return false;
	}
	return true;
}

/* At rest: zero, or a whole tag of the owner with a sequence it used. */
static bool word_ok_final(uint64_t v, uint64_t off)
{
	uint64_t k, seq = 0;
	int w, i;

	if (!v)
		return true;
	k = key(off);
	w = owner(off);
	for (i = 0; i < 8; i++) {
		uint8_t d = byte_of(v, i) - byte_of(k, i);

		if (mark(w, i) >= 0 && d != mark(w, i))
			return false;
		if (i >= 2 && i <= 5)
			seq |= (uint64_t)d << (8 * (i - 2));
	}
	return seq >= 1 && seq <= (atomic_load(&B->seq[w]) & 0xffffffffULL);
}

static void describe(char *buf, size_t len, uint64_t v, uint64_t off)
{
	uint64_t k = key(off), d = 0;
	int i;

	for (i = 0; i < 8; i++)
		d |= (uint64_t)(uint8_t)(byte_of(v, i) - byte_of(k, i)) << (8 * i);
	snprintf(buf, len, "word %#llx at object offset %#llx (page %llu): decodes to "
		 "%#llx, owner %d", (unsigned long long)v, (unsigned long long)off,
		 (unsigned long long)(off / 4096), (unsigned long long)d, owner(off));
}

/* Check n words at object offset off (8-aligned) read into buf. */
static bool check_words(const uint64_t *buf, size_t n, uint64_t off, bool final,
			const char *what)
{
	char d[256];
	size_t i;

	for (i = 0; i < n; i++) {
		uint64_t o = off + 8 * i;
		bool ok = final ? word_ok_final(buf[i], o) : word_ok_live(buf[i], o);

		if (!ok) {
			describe(d, sizeof(d), buf[i], o);
			fail("%s: %s", what, d);
			return false;
		}
	}
	return true;
}

static void fmt_hex(char *p, uint64_t v)
{
	int i;

	for (i = 15; i >= 0; i--, v >>= 4)
		p[i] = "0123456789abcdef"[v & 15];
}

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	char msg[] = "unexpected signal XX at 0x0000000000000000";

	(void)uc;
	vl_access_fault(sig);
	msg[18] = '0' + sig / 10;
	msg[19] = '0' + sig % 10;
	fmt_hex(msg + sizeof(msg) - 17, (uintptr_t)si->si_addr);
	if (atomic_fetch_add(&B->nerr, 1) == 0)
		memcpy(B->err, msg, sizeof(msg));
	atomic_store(&B->stop, 1);
	_exit(70);
}

struct map {
	char *addr;
	size_t npages;
	uint64_t pgoff;		/* object page of addr */
	bool shared;
	int prot;
};

enum op {
	OP_MAP, OP_UNMAP, OP_PUNCH, OP_MREMAP, OP_MPROTECT, OP_MADVISE,
	OP_STORE, OP_LOAD, OP_PWRITE, OP_WRITE, OP_PWRITEV, OP_PREAD,
	OP_FSYNC, OP_MSYNC, OP_FORK_WRITER, OP_FORK_READER, OP_PAST_END,
	OP_INSPECT, OP_NR
};

static const char *const op_names[OP_NR] = {
	"mmap", "munmap", "munmap-part", "mremap", "mprotect", "madvise",
	"store", "load", "pwrite", "write", "pwritev", "pread/readv",
	"fsync", "msync", "fork-writer", "fork-reader", "past-end",
	"inspect",
};

/* Relative weights of the operations. */
static const int op_weight[OP_NR] = {
	[OP_MAP] = 8, [OP_UNMAP] = 3, [OP_PUNCH] = 3, [OP_MREMAP] = 4,
	[OP_MPROTECT] = 4, [OP_MADVISE] = 6, [OP_STORE] = 20, [OP_LOAD] = 12,
	[OP_PWRITE] = 8, [OP_WRITE] = 3, [OP_PWRITEV] = 3, [OP_PREAD] = 8,
	[OP_FSYNC] = 2, [OP_MSYNC] = 2, [OP_FORK_WRITER] = 1,
	[OP_FORK_READER] = 1, [OP_PAST_END] = 2, [OP_INSPECT] = 3,
};

struct writer {
	int w;			/* writer id, 1..NW */
	int proc;		/* worker process index */
	int fd;
	uint64_t rng;
	struct map maps[MAXMAPS];
	int nmaps;
	char *end;		/* 4 pages at the object's last 2 pages */
	bool end_shared;
	pid_t kids[MAXKIDS];
	int nkids;
	bool in_child;		/* a forked writer: no more forks */
	uint64_t buf[(SEG + 4 * 4096) / 8];
	uint64_t buf2[(SEG + 4 * 4096) / 8];
	struct vmlab_page_info info[MAXPAGES];
	pthread_t thread;
};

static uint64_t next_seq(int w)
{
	return atomic_fetch_add(&B->seq[w], 1) + 1;
}

static bool stopping(void)
{
	return atomic_load(&B->stop);
}

/* Mappings */

static bool add_map(struct writer *wr, struct map m)
{
	if (wr->nmaps >= MAXMAPS)
		return false;
	wr->maps[wr->nmaps++] = m;
	if (m.addr)
		atomic_store(&B->addr[wr->proc], (uintptr_t)m.addr);
	return true;
}

static void drop_map(struct writer *wr, int i)
{
	wr->maps[i] = wr->maps[--wr->nmaps];
}

static void op_map(struct writer *wr)
{
	size_t n = 1 + rnd(&wr->rng, MAXPAGES);
	uint64_t pgoff = rnd(&wr->rng, REGION_PAGES - n + 1);
	bool shared = rnd(&wr->rng, 3) != 0;
	int prot = rnd(&wr->rng, 6) ? PROT_READ | PROT_WRITE : PROT_READ;
	int flags = (shared ? MAP_SHARED : MAP_PRIVATE) |
		    (rnd(&wr->rng, 8) ? 0 : MAP_POPULATE);
	char *a;

	if (wr->nmaps >= MAXMAPS)
		return;
	a = mmap(NULL, n * PS, prot, flags, wr->fd, pgoff * PS);
	if (a == MAP_FAILED) {
		fail("mmap %zu pages at page %llu: %s", n, (unsigned long long)pgoff,
		     strerror(errno));
		return;
	}
	add_map(wr, (struct map){ a, n, pgoff, shared, prot });
}

static void op_unmap(struct writer *wr)
{
	int i;

	if (!wr->nmaps)
		return;
	i = rnd(&wr->rng, wr->nmaps);
	if (munmap(wr->maps[i].addr, wr->maps[i].npages * PS))
		fail("munmap: %s", strerror(errno));
	drop_map(wr, i);
}

/* Unmap the head, the tail or a middle part of a mapping. */
static void op_punch(struct writer *wr)
{
	struct map *m, tail;
	size_t a, b;
	int i;

	if (!wr->nmaps)
		return;
	i = rnd(&wr->rng, wr->nmaps);
	m = &wr->maps[i];
	if (m->npages < 2)
		return;
	a = rnd(&wr->rng, m->npages);
	b = a + 1 + rnd(&wr->rng, m->npages - a);
	if (a == 0 && b == m->npages)
		b--;
	if (munmap(m->addr + a * PS, (b - a) * PS)) {
		fail("munmap pages %zu-%zu of %zu: %s", a, b, m->npages, strerror(errno));
		return;
	}
	tail = (struct map){ m->addr + b * PS, m->npages - b, m->pgoff + b,
			     m->shared, m->prot };
	if (a == 0) {
		*m = tail;
		return;
	}
	m->npages = a;
	if (tail.npages && !add_map(wr, tail))
		munmap(tail.addr, tail.npages * PS);
}

static void op_mremap(struct writer *wr)
{
	struct map *m;
	size_t n;
	char *a;
	int i, flags = MREMAP_MAYMOVE;

	if (!wr->nmaps)
		return;
	i = rnd(&wr->rng, wr->nmaps);
	m = &wr->maps[i];
	n = 1 + rnd(&wr->rng, MAXPAGES);
	if (m->pgoff + n > REGION_PAGES)
		n = REGION_PAGES - m->pgoff;
	if (!rnd(&wr->rng, 4) && wr->nmaps < MAXMAPS) {
		flags |= MREMAP_DONTUNMAP;	/* the old range stays, emptied */
		n = m->npages;
	}
	a = mremap(m->addr, m->npages * PS, n * PS, flags, NULL);
	if (a == MAP_FAILED) {
		fail("mremap %zu -> %zu pages (flags %#x): %s", m->npages, n, flags,
		     strerror(errno));
		return;
	}
	if (flags & MREMAP_DONTUNMAP)
		add_map(wr, *m);
	m->addr = a;
	m->npages = n;
	atomic_store(&B->addr[wr->proc], (uintptr_t)a);
}

/*
 * Pages [a, b) of a mapping get new attributes, which splits its VMA:
 * split our record of it the same way (a mapping we record must stay one
 * VMA, for mremap).  Returns the record of [a, b), NULL if there is no
 * room for the pieces.
 */
static struct map *pick_part(struct writer *wr, size_t *pa, size_t *pb)
{
	struct map *m;
	size_t a, b;

	if (!wr->nmaps || wr->nmaps > MAXMAPS - 2)
		return NULL;
	m = &wr->maps[rnd(&wr->rng, wr->nmaps)];
	a = rnd(&wr->rng, m->npages);
	b = a + 1 + rnd(&wr->rng, m->npages - a);
	*pa = a;
	*pb = b;
	return m;
}

static struct map *split_map(struct writer *wr, struct map *m, size_t a, size_t b)
{
	struct map mid, tail;

	mid = (struct map){ m->addr + a * PS, b - a, m->pgoff + a, m->shared, m->prot };
	tail = (struct map){ m->addr + b * PS, m->npages - b, m->pgoff + b,
			     m->shared, m->prot };
	if (tail.npages)
		add_map(wr, tail);
	if (a == 0) {
		*m = mid;
		return m;
	}
	m->npages = a;
	add_map(wr, mid);
	return &wr->maps[wr->nmaps - 1];
}

/* A new protection for part of a mapping. */
static void op_mprotect(struct writer *wr)
{
	static const int prots[] = { PROT_NONE, PROT_READ, PROT_READ | PROT_WRITE };
	struct map *m;
	size_t a, b;
	int prot;

	m = pick_part(wr, &a, &b);
	if (!m)
		return;
	prot = prots[rnd(&wr->rng, 3)];
	if (mprotect(m->addr + a * PS, (b - a) * PS, prot)) {
		fail("mprotect %#x: %s", prot, strerror(errno));
		return;
	}
	split_map(wr, m, a, b)->prot = prot;
}

static void op_madvise(struct writer *wr)
{
	static const int advs[] = {
		MADV_DONTNEED, MADV_POPULATE_READ, MADV_POPULATE_WRITE,
		MADV_COLD, MADV_PAGEOUT, MADV_WILLNEED, MADV_RANDOM, MADV_NORMAL,
	};
	struct map *m;
	size_t a, b;
	int adv, r;

	m = pick_part(wr, &a, &b);
	if (!m)
		return;
	adv = advs[rnd(&wr->rng, ARRAY_SIZE(advs))];
	r = madvise(m->addr + a * PS, (b - a) * PS, adv);
	/* These change the VMA's flags: it splits. */
	if (!r && (adv == MADV_RANDOM || adv == MADV_NORMAL))
		split_map(wr, m, a, b);
	if (!r)
		return;
	/* Populating what may not be read or written is refused. */
	if ((adv == MADV_POPULATE_READ && m->prot == PROT_NONE) ||
	    (adv == MADV_POPULATE_WRITE && !(m->prot & PROT_WRITE)))
		if (errno == EINVAL || errno == EFAULT)
			return;
	fail("madvise %d on %zu pages (prot %#x, %s): %s", adv, b - a, m->prot,
	     m->shared ? "shared" : "private", strerror(errno));
}

/* The object offsets of page i of map m. */
static uint64_t map_off(const struct map *m, size_t i)
{
	return (m->pgoff + i) * PS;
}

/*
 * Store this writer's tags into its words of a few pages of a writable
 * mapping, read them back, and check the other words of those pages.
 */
static void op_store(struct writer *wr)
{
	struct map *m;
	size_t k, i, j, npg;
	uint64_t seq, off;
	char d[256];

	if (!wr->nmaps)
		return;
	m = &wr->maps[rnd(&wr->rng, wr->nmaps)];
	if (!(m->prot & PROT_WRITE))
		return;
	npg = 1 + rnd(&wr->rng, 4);
	seq = next_seq(wr->w);
	for (k = 0; k < npg && !stopping(); k++) {
		volatile uint64_t *p;

		i = rnd(&wr->rng, m->npages);
		p = (volatile uint64_t *)(m->addr + i * PS);
		off = map_off(m, i);
		for (j = 0; j < PS / 8; j++)
			if (owner(off + 8 * j) == wr->w)
				p[j] = tag(wr->w, seq, off + 8 * j);
		for (j = 0; j < PS / 8; j++) {
			uint64_t v = p[j], o = off + 8 * j;

			if (owner(o) != wr->w) {
				if (!word_ok_live(v, o)) {
					describe(d, sizeof(d), v, o);
					fail("load from a %s mapping: %s",
					     m->shared ? "shared" : "private", d);
					return;
				}
				continue;
			}
			/* Our own word: what we stored, or zero after a
			 * RESET (shared); always what we stored (private). */
			if (v == tag(wr->w, seq, o) || (m->shared && v == 0))
				continue;
			describe(d, sizeof(d), v, o);
			fail("%s store of seq %llu read back as %s",
			     m->shared ? "shared" : "private", (unsigned long long)seq, d);
			return;
		}
	}
}

static void op_load(struct writer *wr)
{
	struct map *m;
	size_t i, j;
	uint64_t v;
	int sig;

	if (!wr->nmaps)
		return;
	m = &wr->maps[rnd(&wr->rng, wr->nmaps)];
	i = rnd(&wr->rng, m->npages);
	if (m->prot == PROT_NONE) {
		sig = vl_access((volatile uint64_t *)(m->addr + i * PS), false, 0, &v);
		if (sig != SIGSEGV)
			fail("load from PROT_NONE: signal %d", sig);
		atomic_fetch_add(&B->sigsegv, 1);
		return;
	}
	if (!(m->prot & PROT_WRITE) && !rnd(&wr->rng, 4)) {
		sig = vl_access((volatile uint64_t *)(m->addr + i * PS), true, 0, &v);
		if (sig != SIGSEGV)
			fail("store to PROT_READ: signal %d", sig);
		atomic_fetch_add(&B->sigsegv, 1);
		return;
	}
	for (j = 0; j < PS / 8; j++)
		wr->buf[j] = ((volatile uint64_t *)(m->addr + i * PS))[j];
	check_words(wr->buf, PS / 8, map_off(m, i), false,
		    m->shared ? "load from a shared mapping" : "load from a private mapping");
}

/* A part of one of this writer's segments in the region: [*off, +*len). */
static void pick_segment(struct writer *wr, uint64_t *off, size_t *len)
{
	uint64_t nseg = (REGION_PAGES * PS / SEG - (wr->w - 1)) / NW;
	uint64_t s = (rnd(&wr->rng, nseg) * NW + wr->w - 1) * SEG;
	size_t a = 8 * rnd(&wr->rng, SEG / 8), b = 8 * rnd(&wr->rng, SEG / 8);

	if (a > b) {
		size_t t = a;

		a = b;
		b = t;
	}
	*off = s + a;
	*len = b - a + 8;
}

/* Fill buf with this writer's tags for [off, off + len). */
static uint64_t fill_tags(struct writer *wr, uint64_t *buf, uint64_t off, size_t len)
{
	uint64_t seq = next_seq(wr->w);
	size_t i;

	for (i = 0; i < len / 8; i++)
		buf[i] = tag(wr->w, seq, off + 8 * i);
	return seq;
}

/* Read back [off, off + len) just written with seq: ours, or zeros. */
static void check_own(struct writer *wr, uint64_t off, size_t len, uint64_t seq,
		      const char *how)
{
	char d[256];
	ssize_t n;
	size_t i;

	n = pread(wr->fd, wr->buf2, len, off);
	if (n != (ssize_t)len) {
		fail("pread after %s: %zd: %s", how, n, strerror(errno));
		return;
	}
	for (i = 0; i < len / 8; i++) {
		if (wr->buf2[i] == 0 || wr->buf2[i] == tag(wr->w, seq, off + 8 * i))
			continue;
		describe(d, sizeof(d), wr->buf2[i], off + 8 * i);
		fail("%s of seq %llu read back as %s", how, (unsigned long long)seq, d);
		return;
	}
}

static void op_pwrite(struct writer *wr, int kind)
{
	struct iovec iov[2];
	uint64_t off, seq;
	size_t len, cut;
	ssize_t n;

	pick_segment(wr, &off, &len);
	seq = fill_tags(wr, wr->buf, off, len);
	switch (kind) {
	case OP_PWRITE:
		n = pwrite(wr->fd, wr->buf, len, off);
		break;
	case OP_WRITE:
		if (lseek(wr->fd, off, SEEK_SET) != (off_t)off) {
			fail("lseek: %s", strerror(errno));
			return;
		}
		n = write(wr->fd, wr->buf, len);
		if (n == (ssize_t)len && lseek(wr->fd, 0, SEEK_CUR) != (off_t)(off + len))
			fail("write() left the position at %lld, not %llu",
			     (long long)lseek(wr->fd, 0, SEEK_CUR),
			     (unsigned long long)(off + len));
		break;
	default:
		cut = 8 * rnd(&wr->rng, len / 8 + 1);
		iov[0] = (struct iovec){ wr->buf, cut };
		iov[1] = (struct iovec){ (char *)wr->buf + cut, len - cut };
		n = pwritev(wr->fd, iov, 2, off);
		break;
	}
	if (n != (ssize_t)len) {
		fail("%s of %zu bytes at %#llx: %zd: %s", op_names[kind], len,
		     (unsigned long long)off, n, strerror(errno));
		return;
	}
	check_own(wr, off, len, seq, op_names[kind]);
}

static void op_pread(struct writer *wr)
{
	size_t len = 8 * (1 + rnd(&wr->rng, sizeof(wr->buf) / 8));
	uint64_t off = 8 * rnd(&wr->rng, (REGION_PAGES * PS - len) / 8 + 1);
	struct iovec iov[2];
	size_t cut;
	ssize_t n;

	if (rnd(&wr->rng, 2)) {
		n = pread(wr->fd, wr->buf, len, off);
	} else {
		cut = 8 * rnd(&wr->rng, len / 8 + 1);
		iov[0] = (struct iovec){ wr->buf, cut };
		iov[1] = (struct iovec){ (char *)wr->buf + cut, len - cut };
		n = preadv(wr->fd, iov, 2, off);
	}
	if (n != (ssize_t)len) {
		fail("pread of %zu bytes at %#llx: %zd: %s", len, (unsigned long long)off,
		     n, strerror(errno));
		return;
	}
	check_words(wr->buf, len / 8, off, false, "pread");
}

static void op_fsync(struct writer *wr)
{
	if ((rnd(&wr->rng, 2) ? fsync(wr->fd) : fdatasync(wr->fd)))
		fail("fsync: %s", strerror(errno));
}

static void op_msync(struct writer *wr)
{
	static const int flags[] = { MS_SYNC, MS_ASYNC, MS_SYNC | MS_INVALIDATE };
	struct map *m;

	if (!wr->nmaps)
		return;
	m = &wr->maps[rnd(&wr->rng, wr->nmaps)];
	if (msync(m->addr, m->npages * PS, flags[rnd(&wr->rng, 3)]))
		fail("msync: %s", strerror(errno));
}

/* Reads and writes past the end of the object: SIGBUS. */
static void op_past_end(struct writer *wr)
{
	size_t i = 2 + rnd(&wr->rng, 2);
	bool write = rnd(&wr->rng, 2);
	uint64_t v;
	int sig;

	sig = vl_access((volatile uint64_t *)(wr->end + i * PS + 8 * rnd(&wr->rng, PS / 8)),
			write, 1, &v);
	if (sig != SIGBUS) {
		fail("%s %zu pages past the end: signal %d", write ? "store" : "load",
		     i - 1, sig);
		return;
	}
	atomic_fetch_add(&B->sigbus, 1);
	/* The last two pages of the object are only ever read: zeros. */
	i = rnd(&wr->rng, 2);
	if (vl_access((volatile uint64_t *)(wr->end + i * PS), false, 0, &v) || v)
		fail("the object's page %llu reads %#llx",
		     (unsigned long long)(OBJ_SIZE / PS - 2 + i), (unsigned long long)v);
}

/*
 * INSPECT one of our mappings: wherever an object page is mapped, it is
 * the one at the VMA's offset; a shared mapping never maps anything else.
 */
static bool check_info(const struct vmlab_page_info *pi, size_t n, char *why, size_t len)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const struct vmlab_page_info *p = &pi[i];

		if (!(p->walk & VMLAB_WALK_VMA) || !(p->vma & VMLAB_VMA_VMLAB) ||
		    !(p->entry & VMLAB_ENTRY_PRESENT))
			continue;
		if (p->page & VMLAB_PAGE_VMLAB &&
		    p->obj_offset != p->vma_pgoff + (p->addr - p->vma_start) / PS) {
			snprintf(why, len, "%#llx maps object page %llu, its VMA says %llu",
				 (unsigned long long)p->addr, (unsigned long long)p->obj_offset,
				 (unsigned long long)(p->vma_pgoff +
						      (p->addr - p->vma_start) / PS));
			return false;
		}
		if (p->vm_flags & 0x8 /* VM_SHARED */ && !(p->page & VMLAB_PAGE_VMLAB)) {
			snprintf(why, len, "%#llx, in a shared mapping, maps page %#llx",
				 (unsigned long long)p->addr, (unsigned long long)p->page);
			return false;
		}
	}
	return true;
}

static void op_inspect(struct writer *wr)
{
	struct vmlab_inspect req;
	struct map *m;
	char why[160];

	if (!wr->nmaps)
		return;
	m = &wr->maps[rnd(&wr->rng, wr->nmaps)];
	req = (struct vmlab_inspect){ .addr = (uintptr_t)m->addr, .npages = m->npages,
		.pages = (uintptr_t)wr->info, .info_size = sizeof(wr->info[0]) };
	if (ioctl(wr->fd, VMLAB_IOC_INSPECT, &req)) {
		fail("INSPECT of our mapping: %s", strerror(errno));
		return;
	}
	if (!check_info(wr->info, m->npages, why, sizeof(why)))
		fail("INSPECT: %s", why);
}

static void do_op(struct writer *wr, int op);

/* Reap reader children that are done; all of them when all. */
static void reap(struct writer *wr, bool all)
{
	int i, st;

	for (i = 0; i < wr->nkids; i++) {
		pid_t r = waitpid(wr->kids[i], &st, all ? 0 : WNOHANG);

		if (r == 0)
			continue;
		if (r < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
			fail("reader child %d: %s %d", wr->kids[i],
			     r < 0 ? "waitpid" : WIFEXITED(st) ? "exit" : "signal",
			     r < 0 ? errno : WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
		wr->kids[i--] = wr->kids[--wr->nkids];
	}
}

/*
 * A child that goes on writing as this writer (the thread that forked it
 * waits), in the mappings it inherited; or a child that only reads, while
 * the parent goes on.
 */
static void op_fork(struct writer *wr, bool writer)
{
	int i, n, st;
	pid_t pid;

	if (wr->in_child)
		return;
	if (!writer && wr->nkids == MAXKIDS)
		reap(wr, true);
	atomic_fetch_add(&B->forks, 1);
	pid = fork();
	if (pid < 0) {
		fail("fork: %s", strerror(errno));
		return;
	}
	if (pid == 0) {
		wr->in_child = true;
		wr->nkids = 0;
		wr->rng ^= 0x6a09e667f3bcc909ULL;	/* not the parent's stream */
		n = 5 + rnd(&wr->rng, 20);
		for (i = 0; i < n && !stopping(); i++) {
			static const int reads[] = { OP_LOAD, OP_PREAD, OP_INSPECT };
			int op = writer ? (int)rnd(&wr->rng, OP_NR) :
					  reads[rnd(&wr->rng, 3)];

			do_op(wr, op);
		}
		_exit(atomic_load(&B->nerr) ? 1 : 0);
	}
	if (!writer) {
		wr->kids[wr->nkids++] = pid;
		return;
	}
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		fail("writer child %d: status %#x", pid, st);
}

static void do_op(struct writer *wr, int op)
{
	atomic_fetch_add(&B->ops[op], 1);
	switch (op) {
	case OP_MAP: op_map(wr); break;
	case OP_UNMAP: op_unmap(wr); break;
	case OP_PUNCH: op_punch(wr); break;
	case OP_MREMAP: op_mremap(wr); break;
	case OP_MPROTECT: op_mprotect(wr); break;
	case OP_MADVISE: op_madvise(wr); break;
	case OP_STORE: op_store(wr); break;
	case OP_LOAD: op_load(wr); break;
	case OP_PWRITE: case OP_WRITE: case OP_PWRITEV: op_pwrite(wr, op); break;
	case OP_PREAD: op_pread(wr); break;
	case OP_FSYNC: op_fsync(wr); break;
	case OP_MSYNC: op_msync(wr); break;
	case OP_FORK_WRITER: op_fork(wr, true); break;
	case OP_FORK_READER: op_fork(wr, false); break;
	case OP_PAST_END: op_past_end(wr); break;
	case OP_INSPECT: op_inspect(wr); break;
	}
}

static int pick_op(struct writer *wr)
{
	static int total;
	int r, op;

	if (!total)
		for (op = 0; op < OP_NR; op++)
			total += op_weight[op];
	r = rnd(&wr->rng, total);
	for (op = 0; op < OP_NR; op++) {
		r -= op_weight[op];
		if (r < 0)
			return op;
	}
	return OP_LOAD;
}

static void *writer_thread(void *arg)
{
	struct writer *wr = arg;
	int i;

	wr->fd = vmlab_open(O_RDWR);
	if (wr->fd < 0) {
		fail("open: %s", strerror(errno));
		return NULL;
	}
	wr->end_shared = wr->w & 1;
	wr->end = mmap(NULL, 4 * PS, PROT_READ | PROT_WRITE,
		       wr->end_shared ? MAP_SHARED : MAP_PRIVATE, wr->fd, OBJ_SIZE - 2 * PS);
	if (wr->end == MAP_FAILED) {
		fail("mmap at the end: %s", strerror(errno));
		return NULL;
	}
	while (!stopping())
		do_op(wr, pick_op(wr));
	reap(wr, true);
	for (i = 0; i < wr->nmaps; i++)
		munmap(wr->maps[i].addr, wr->maps[i].npages * PS);
	munmap(wr->end, 4 * PS);
	close(wr->fd);
	return NULL;
}

/* A worker process: NTHR writer threads. */
static int worker_process(int proc)
{
	struct writer *wr;
	int t;

	vl_catch_faults(on_fault);
	wr = calloc(NTHR, sizeof(*wr));
	if (!wr)
		return 2;
	for (t = 0; t < NTHR; t++) {
		wr[t].w = proc * NTHR + t + 1;
		wr[t].proc = proc;
		wr[t].rng = opt_seed ^ (uint64_t)wr[t].w * 0x100000001b3ULL;
		if (pthread_create(&wr[t].thread, NULL, writer_thread, &wr[t]))
			return 3;
	}
	for (t = 0; t < NTHR; t++)
		pthread_join(wr[t].thread, NULL);
	free(wr);
	return atomic_load(&B->nerr) ? 1 : 0;
}

/*
 * The main process's thread: RESET, STATS, INSPECT of the workers.  No
 * RESET in the last quarter of the time, so that the object holds data
 * for the checks at rest.
 */
struct resetter {
	int fd;
	uint64_t rng;
	uint64_t freed;
	struct timespec quiet;	/* no RESET from then on */
	struct vmlab_page_info info[16];
};

static void *reset_thread(void *arg)
{
	struct resetter *r = arg;
	struct vmlab_inspect req;
	struct vmlab_stats st;
	uint64_t freed;
	char why[160];
	int p;

	while (!stopping()) {
		struct timespec ts = { 0, (5 + rnd(&r->rng, 60)) * 1000 * 1000 };

		struct timespec now;

		nanosleep(&ts, NULL);
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec < r->quiet.tv_sec ||
		    (now.tv_sec == r->quiet.tv_sec && now.tv_nsec < r->quiet.tv_nsec)) {
			if (vmlab_reset(r->fd, &freed)) {
				fail("RESET: %s", strerror(errno));
				break;
			}
			r->freed += freed;
			atomic_fetch_add(&B->resets, 1);
		}
		if (vmlab_get_stats(r->fd, &st)) {
			fail("STATS: %s", strerror(errno));
			break;
		}
		if (st.size != OBJ_SIZE || st.pages_resident * PS > st.mem_limit ||
		    st.reserved[0] || st.reserved[5]) {
			fail("STATS: size %llu resident %llu limit %llu",
			     (unsigned long long)st.size,
			     (unsigned long long)st.pages_resident,
			     (unsigned long long)st.mem_limit);
			break;
		}
		/* A look at a worker's mapping while it changes. */
		p = rnd(&r->rng, NPROC);
		req = (struct vmlab_inspect){ .pid = B->pid[p],
			.addr = atomic_load(&B->addr[p]), .npages = 16,
			.pages = (uintptr_t)r->info, .info_size = sizeof(r->info[0]) };
		if (!req.addr)
			continue;
		if (ioctl(r->fd, VMLAB_IOC_INSPECT, &req)) {
			if (errno != ESRCH) {
				fail("INSPECT of worker %d: %s", B->pid[p], strerror(errno));
				break;
			}
		} else if (!check_info(r->info, 16, why, sizeof(why))) {
			fail("INSPECT of worker %d: %s", B->pid[p], why);
			break;
		}
		atomic_fetch_add(&B->inspects, 1);
	}
	return NULL;
}

/*
 * An end reader: maps the region shared and private, checks both against
 * the object's content (passed in), waits, and after the final RESET
 * checks that both read zeros.
 */
static int end_reader(int fd, const uint64_t *snap, int go, int ready)
{
	size_t len = REGION_PAGES * PS, i;
	uint64_t *s, *p;
	char c = 0;

	s = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	p = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
	if (s == MAP_FAILED || p == MAP_FAILED)
		return 10;
	for (i = 0; i < len / 8; i++)
		if (s[i] != snap[i] || p[i] != snap[i])
			return 11;
	if (write(ready, &c, 1) != 1)
		return 12;
	close(ready);	/* so that the parent sees EOF if the other fails */
	if (read(go, &c, 1) != 1)
		return 12;
	for (i = 0; i < len / 8; i++)
		if (s[i] || p[i])
			return 13;
	return 0;
}

static void print_ops(void)
{
	char line[512];
	int op, n = 0;
	unsigned long total = 0;

	for (op = 0; op < OP_NR; op++) {
		n += snprintf(line + n, sizeof(line) - n, " %s %lu", op_names[op],
			      (unsigned long)atomic_load(&B->ops[op]));
		total += atomic_load(&B->ops[op]);
	}
	fprintf(stderr, "# %lu operations:%s\n", total, line);
	fprintf(stderr, "# %lu resets, %lu inspects of workers, %lu forks, "
		"%lu deliberate SIGBUS, %lu deliberate SIGSEGV\n",
		(unsigned long)B->resets, (unsigned long)B->inspects,
		(unsigned long)B->forks, (unsigned long)B->sigbus,
		(unsigned long)B->sigsegv);
}

FIXTURE(stress)
{
	int fd;
	struct vmlab_stats st;
};

FIXTURE_SETUP(stress)
{
	PS = vmlab_page_size();
	VL_SETUP_DEVICE(self->fd, self->st);
	VL_NEED_PAGES(self->st, BIG_PAGES + REGION_PAGES + 2);
	OBJ_SIZE = self->st.size;
	B = mmap(NULL, sizeof(*B), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, B);
	memset(B, 0, sizeof(*B));
}

FIXTURE_TEARDOWN(stress)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* MemFree went down (or up) by about want_kb. */
static bool near_kb(long got, long want)
{
	return got >= want - want / 8 - 256 && got <= want + want / 4 + 1024;
}

TEST_F_TIMEOUT(stress, everything_at_once, 3600)
{
	size_t ps = PS, len = REGION_PAGES * PS, i, tagged = 0;
	struct vmlab_stats a, b, c;
	struct resetter rs = { .fd = self->fd, .rng = opt_seed ^ 0x5eed };
	struct timespec t0, t1;
	pthread_t rth;
	pid_t pid[NPROC], rd[2];
	int p, go[2], ready[2], st;
	uint64_t *snap, freed, pfn[64], e;
	long free0, free1, free2, rss;
	char *big, cbuf;

	fprintf(stderr, "# seed %#llx, %u seconds, %d processes x %d threads on %d pages"
		" (replay the choices with --seed %#llx)\n",
		(unsigned long long)opt_seed, opt_seconds, NPROC, NTHR, REGION_PAGES,
		(unsigned long long)opt_seed);
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	ASSERT_EQ(0, a.vmas_live) TH_LOG("someone else maps the device");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rs.quiet = t0;
	rs.quiet.tv_sec += opt_seconds * 3 / 4;
	rs.quiet.tv_nsec += (opt_seconds * 3 % 4) * 250000000L;
	if (rs.quiet.tv_nsec >= 1000000000L) {
		rs.quiet.tv_sec++;
		rs.quiet.tv_nsec -= 1000000000L;
	}
	fflush(stdout);
	fflush(stderr);
	for (p = 0; p < NPROC; p++) {
		pid[p] = fork();
		ASSERT_LE(0, pid[p]);
		if (pid[p] == 0)
			_exit(worker_process(p));
		B->pid[p] = pid[p];
	}
	ASSERT_EQ(0, pthread_create(&rth, NULL, reset_thread, &rs));
	do {
		struct timespec ts = { 0, 50 * 1000 * 1000 };

		nanosleep(&ts, NULL);
		clock_gettime(CLOCK_MONOTONIC, &t1);
	} while (!stopping() && t1.tv_sec - t0.tv_sec < (time_t)opt_seconds);
	atomic_store(&B->stop, 1);
	pthread_join(rth, NULL);
	for (p = 0; p < NPROC; p++) {
		st = vl_wait(pid[p]);
		EXPECT_EQ(0, st) TH_LOG("worker process %d: status %d", p, st);
	}
	print_ops();
	ASSERT_EQ(0, atomic_load(&B->nerr)) TH_LOG("%d failures, the first: %s",
						 atomic_load(&B->nerr), B->err);

	/* Everybody is gone: the counters balance and no VMA is left. */
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
	vl_stats_log("workload", &a, &b);
	ASSERT_EQ(b.pages_allocated - b.pages_freed, b.pages_resident);
	ASSERT_EQ(VL_D(a, b, vma_opens), VL_D(a, b, vma_closes));
	ASSERT_EQ(0, b.vmas_live);
	ASSERT_EQ(atomic_load(&B->resets), VL_D(a, b, resets));
	ASSERT_EQ(rs.freed + b.pages_resident, (uint64_t)VL_D(a, b, pages_allocated));
	ASSERT_LE(atomic_load(&B->sigbus), (unsigned long)VL_D(a, b, sigbus));
	ASSERT_LT(0, VL_D(a, b, page_mkwrite));
	ASSERT_LT(0, VL_D(a, b, fault_private_write));
	ASSERT_LT(0, VL_D(a, b, pages_cleaned));

	/* Every word at rest: a whole tag of its owner, or zero. */
	snap = malloc(len);
	ASSERT_NE(NULL, snap);
	ASSERT_EQ((ssize_t)len, pread(self->fd, snap, len, 0));
	ASSERT_TRUE(check_words(snap, len / 8, 0, true, "at rest")) TH_LOG("%s", B->err);
	{
		uint64_t endw[2 * 4096 / 8];

		ASSERT_EQ((ssize_t)(2 * ps), pread(self->fd, endw, 2 * ps, OBJ_SIZE - 2 * ps));
		ASSERT_TRUE(vl_is_zero(endw, 2 * ps));
	}
	for (i = 0; i < len / 8; i++)
		tagged += snap[i] != 0;
	fprintf(stderr, "# at rest: %zu of %zu words hold tags, %llu pages resident\n",
		tagged, len / 8, (unsigned long long)b.pages_resident);

	/* Two readers check the same through shared and private mappings. */
	ASSERT_EQ(0, pipe(go));
	ASSERT_EQ(0, pipe(ready));
	fflush(stderr);
	for (p = 0; p < 2; p++) {
		rd[p] = fork();
		ASSERT_LE(0, rd[p]);
		if (rd[p] == 0) {
			close(go[1]);
			_exit(end_reader(self->fd, snap, go[0], ready[1]));
		}
	}
	close(go[0]);
	close(ready[1]);
	for (p = 0; p < 2; p++)
		ASSERT_EQ(1, read(ready[0], &cbuf, 1)) TH_LOG("a reader failed");

	/*
	 * The kernel's views: pagemap, kpageflags and INSPECT agree on a
	 * sample of the object's pages, smaps counts them, and MemFree
	 * drops by what the object allocates.
	 */
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
	/* The readers faulted all the region in; the last 2 pages may be. */
	ASSERT_LE(REGION_PAGES, b.pages_resident);
	ASSERT_GE(REGION_PAGES + 2, b.pages_resident);
	big = mmap(NULL, BIG_PAGES * ps, PROT_READ | PROT_WRITE, MAP_SHARED,
		   self->fd, len);
	ASSERT_NE(MAP_FAILED, big);
	free0 = vmlab_free_kb();
	vl_touch_write(big, BIG_PAGES * ps, 1);
	free1 = vmlab_free_kb();
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &c));
	ASSERT_EQ(b.pages_resident + BIG_PAGES, c.pages_resident);
	ASSERT_EQ(c.pages_allocated - c.pages_freed, c.pages_resident);
	ASSERT_EQ(2 * 2 + 1, c.vmas_live);
	rss = vl_smaps_kb(big, "Rss");
	ASSERT_EQ((long)(BIG_PAGES * ps / 1024), rss);
	ASSERT_EQ(BIG_PAGES, vl_count_present(big, BIG_PAGES));
	for (i = 0; i < 64; i++) {
		struct vmlab_page_info pi;
		struct vmlab_inspect req = { .addr = (uintptr_t)big + i * 61 * ps,
			.npages = 1, .pages = (uintptr_t)&pi, .info_size = sizeof(pi) };
		size_t j;

		e = vl_pagemap(big + i * 61 * ps);
		ASSERT_TRUE(pm_present(e) && pm_file(e));
		pfn[i] = pm_pfn(e);
		ASSERT_FALSE(vmlab_kpf(vl_kpageflags(pfn[i]), VMLAB_KPF_ANON));
		ASSERT_EQ(1, vl_kpagecount(pfn[i]));
		ASSERT_EQ(0, ioctl(self->fd, VMLAB_IOC_INSPECT, &req));
		ASSERT_EQ(pfn[i], pi.pfn);
		ASSERT_TRUE(pi.page & VMLAB_PAGE_VMLAB);
		ASSERT_EQ(REGION_PAGES + i * 61, pi.obj_offset);
		for (j = 0; j < i; j++)
			ASSERT_NE(pfn[j], pfn[i]);
	}
	TH_LOG("MemFree + per-cpu lists: %ld -> %ld kB for %d new pages",
	       free0, free1, BIG_PAGES);
	EXPECT_TRUE(near_kb(free0 - free1, BIG_PAGES * ps / 1024))
		TH_LOG("MemFree dropped %ld kB for %zu kB of pages", free0 - free1,
		       BIG_PAGES * ps / 1024);

	/* The final RESET: it frees everything; everybody reads zeros. */
	ASSERT_EQ(0, vmlab_reset(self->fd, &freed));
	free2 = vmlab_free_kb();
	ASSERT_EQ(c.pages_resident, freed);
	TH_LOG("RESET freed %llu pages: MemFree + per-cpu lists %ld -> %ld kB",
	       (unsigned long long)freed, free1, free2);
	EXPECT_TRUE(near_kb(free2 - free1, (long)(freed * ps / 1024)))
		TH_LOG("MemFree rose %ld kB for %llu kB freed", free2 - free1,
		       (unsigned long long)(freed * ps / 1024));
	ASSERT_EQ(0, vl_count_present(big, BIG_PAGES));
	ASSERT_EQ(2, write(go[1], "gg", 2));
	close(go[1]);
	for (p = 0; p < 2; p++) {
		st = vl_wait(rd[p]);
		ASSERT_EQ(0, st) TH_LOG("end reader %d: status %d (10 map, 11 not the "
					"object's data, 13 not zero after RESET)", p, st);
	}
	ASSERT_EQ((ssize_t)len, pread(self->fd, snap, len, 0));
	ASSERT_TRUE(vl_is_zero(snap, len));
	ASSERT_TRUE(vl_is_zero(big, BIG_PAGES * ps));
	munmap(big, BIG_PAGES * ps);
	free(snap);

	ASSERT_EQ(0, vmlab_reset(self->fd, &freed));
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &c));
	vl_stats_log("end", &b, &c);
	ASSERT_EQ(0, c.vmas_live);
	ASSERT_EQ(VL_D(a, c, vma_opens), VL_D(a, c, vma_closes));
	ASSERT_EQ(0, c.pages_resident);
	ASSERT_EQ(0, c.pages_dirty);
	ASSERT_EQ(c.pages_allocated, c.pages_freed);
}

static void usage(const char *prog)
{
	fprintf(stderr, "usage: %s [--seconds N] [--seed S] [harness options]\n"
		"  environment: VMLAB_STRESS_SECONDS, VMLAB_STRESS_SEED\n", prog);
}

int main(int argc, char **argv)
{
	char **args = calloc(argc + 1, sizeof(*args));
	const char *s;
	int i, n = 0;

	if ((s = getenv("VMLAB_STRESS_SECONDS")) && *s)
		opt_seconds = strtoul(s, NULL, 0);
	opt_seed = vl_seed("VMLAB_STRESS_SEED");
	for (i = 0; i < argc; i++) {
		if (i && !strcmp(argv[i], "--seconds") && i + 1 < argc) {
			opt_seconds = strtoul(argv[++i], NULL, 0);
		} else if (i && !strcmp(argv[i], "--seed") && i + 1 < argc) {
			opt_seed = strtoull(argv[++i], NULL, 0);
		} else if (i && !strcmp(argv[i], "--help")) {
			usage(argv[0]);
			return 0;
		} else {
			args[n++] = argv[i];
		}
	}
	if (!opt_seconds)
		opt_seconds = 1;
	/* The harness's own time limit: the budget and the checks after. */
	_stress_everything_at_once_object->timeout = opt_seconds + 300;
	vl_preflight(n, args);
	return test_harness_run(n, args);
}
