// SPDX-License-Identifier: GPL-2.0
/*
 * vmlab_fuzz: the operations on the address space (fuzz_ops.h): mmap,
 * munmap, mprotect, madvise, msync, mremap, each region by region as
 * the kernel goes VMA by VMA.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include "fuzz_ops.h"

/* Too many regions outside the arena (mremap moves them there): unmap one. */
void unmap_outside(void)
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

void op_mmap(void)
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

void op_munmap(void)
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

/*
 * Every page of [a, e) is in a region (true of the ranges pick_range()
 * gives): make a and e region boundaries, for a call that goes VMA by VMA.
 */
static void split_range(uintptr_t a, uintptr_t e)
{
	uintptr_t at = a;

	while (at < e) {
		int i = reg_find(at);

		if (i < 0)
			die("model: %#lx in a range that should be all mapped is not",
			    (unsigned long)at);
		at = reg_end(&R[i]);
	}
	reg_split(a);
	reg_split(e);
}

void op_mprotect(void)
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
	if (ok && len && !hostile)
		split_range(a, e);
	r = mprotect((void *)a, len, prot);
	err = errno;
	if (!ok || !len || hostile) {
		judge("mprotect", r, err, ok, false, 0, allow, S_MPROTECT);
		return;
	}
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

void op_madvise(void)
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
	if (ok && len && !hostile)
		split_range(a, e);
	r = madvise((void *)a, len, adv);
	err = errno;
	if (!ok || !len || hostile) {
		judge("madvise", r, err, ok, false, 0, allow, S_MADVISE);
		return;
	}
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

void op_msync(void)
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

void op_mremap(void)
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
