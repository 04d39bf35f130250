// SPDX-License-Identifier: GPL-2.0
/*
 * vmlab_fuzz: loads and stores through the mappings, each judged by the
 * signal the model predicts; the object filled to its limit; fork, the
 * child going on with the sequence (fuzz_ops.h).
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

static int depth;		/* fork depth of this process */

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

void op_access(void)
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
void op_touch(void)
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


void op_fill(void)
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

/* fork: the child goes on with the sequence for a while, then exits (or
 * kills itself); the parent waits. */
void op_fork(void)
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
