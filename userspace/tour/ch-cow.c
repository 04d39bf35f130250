// SPDX-License-Identifier: GPL-2.0
/*
 * Chapter 6, copy-on-write after fork.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "tour.h"

static const char *const pc[] = { "parent", "child" };

static void grid_line(const char *who, const struct pev *e, size_t n)
{
	char cells[64];
	size_t i;

	for (i = 0; i < n && i < sizeof(cells) - 1; i++)
		cells[i] = e[i].ch;
	cells[i] = 0;
	ev("%-8s %s", who, cells);
}

void ch_cow(void)
{
	enum { N = 8 };
	struct pev pa[N], ch[N], orig[N], x;
	struct vmlab_stats a, b;
	struct peer pr = { 0 };
	bool all_same = true, all_ro = true, twice = true, rest = true, counted = false;
	bool ok_ro, ok, ok33;
	struct pev s0, s1;
	struct vmlab_vma v;
	char *dk = NULL;
	long f0, f1;
	char buf[16], eq[N + 1];
	char *p, *sh = NULL;
	size_t i;
	int fd;

	para("fork() does not copy a process's memory. The child gets a copy of the "
	     "parent's page tables, and the kernel makes every private page read-only "
	     "in both. They share each frame until one of them writes to it: the writer "
	     "gets a copy, the other keeps the original.");
	fd = open_dev();
	if (fd < 0)
		return;
	step("p = mmap(%d pages, MAP_PRIVATE) of the object; the parent writes every page", N);
	p = map_dev(fd, N * T.ps, false);
	sh = map_dev(fd, T.ps, true);
	close(fd);
	if (!p || !sh)
		goto out;
	for (i = 0; i < N; i++)
		snprintf(p + i * T.ps, 16, "parent %zu", i);
	strcpy(sh, "shared");
	dk = mmap(NULL, T.ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (dk == MAP_FAILED || madvise(dk, T.ps, MADV_DONTFORK)) {
		check(false, "mmap or madvise(MADV_DONTFORK): %s", strerror(errno));
		if (dk != MAP_FAILED)
			munmap(dk, T.ps);
		dk = NULL;
		goto out;
	}
	dk[0] = 1;
	ev("the parent also writes a shared page (sh) and an anonymous one marked "
	   "MADV_DONTFORK (dk)");
	for (i = 0; i < N; i++)
		pa[i] = pev(0, p + i * T.ps);
	grid_line("parent", pa, N);
	ev("(C: a private copy, writable; c: the same, read-only; `vmlab grid --help`)");
	fig_tl_begin("The fork timeline: parent's and child's pages at each step");
	fig_tl_step("before fork", 2, pc, (pid_t[]){ 0, -1 }, p, N);
	check(pa[0].anon && (!pa[0].write_known || pa[0].write) &&
	      (pa[0].mapcount < 0 || pa[0].mapcount == 1),
	      "page 0: %s", pev_str(&pa[0]));

	step("fork()");
	stats(&a);
	if (!peer_start(&pr))
		goto out;
	/* The child runs nothing until asked: its page tables are as fork() made them. */
	stats(&b);
	check(D(a, b, vma_opens) == 2, "module: %s: the child got its own copies\nof the two "
	      "vmlab mappings", diff_str(&a, &b));
	for (i = 0; i < N; i++) {
		pa[i] = pev(0, p + i * T.ps);
		ch[i] = pev(pr.pid, p + i * T.ps);
		orig[i] = pa[i];
		all_same &= same(&pa[i], &ch[i]);
		all_ro &= !pa[i].write_known || (!pa[i].write && !ch[i].write);
		/*
		 * Not root: the count of an anonymous page two processes share is
		 * withheld beyond "more than one" (2); the equal frame ids show whose.
		 */
		twice &= pa[i].mapcount < 0 || (pa[i].mapcount == 2 && ch[i].mapcount == 2);
		counted |= pa[i].mapcount >= 0;
		eq[i] = same(&pa[i], &ch[i]) ? '=' : 'x';
	}
	eq[N] = 0;
	grid_line("parent", pa, N);
	grid_line("child", ch, N);
	ev("%-8s %s", "frames", eq);
	fig_tl_step("after fork", 2, pc, (pid_t[]){ 0, pr.pid }, p, N);
	fig_pages("After fork(): parent and child map the same frames, read-only", 2, pc,
		  (pid_t[]){ 0, pr.pid }, p, N);
	check(all_same, "parent and child map the same %d frames (page 0: %s)", N,
	      frame_name(&pa[0]));
	ok_ro = check(all_ro, "read-only in both page tables now: the kernel write-protected "
		      "them");
	if (counted && pa[0].map_hidden)
		check(twice, "each frame is mapped more than once: the map count says \"more than "
		      "one\" (its exact value is %s); the equal frame ids say by whom:\n"
		      "the parent and the child", VC_HIDDEN_WORDS);
	else if (counted)
		check(twice, "each frame is mapped twice (mapcount 2)");
	s0 = pev(0, sh);
	s1 = pev(pr.pid, sh);
	ev("the MAP_SHARED page: parent %s", pev_str(&s0));
	ev("                     child  %s", pev_str(&s1));
	ok33 = check(s0.present && !s1.present, "fork() copied no entry for the shared area: "
		     "the child will fault\nits page in from the object");
	memset(&v, 0, sizeof(v));
	ok33 &= check(vmlab_maps_find(pr.pid, (uintptr_t)dk, &v) != 0,
		      "the MADV_DONTFORK area (%p) is not in the child's maps at all",
		      (void *)dk);
	claim_end(33, all_same && ok33, "fork() copied the areas, but not all of them (none "
		  "marked MADV_DONTFORK), and copied page table entries only where it had "
		  "to: for the private pages, write-protected in both. A shared file area's "
		  "entries were left out; the child faults them in from the page cache "
		  "when it touches them.");

	step("the child writes page 0");
	if (!peer_write(&pr, p, "child 0", 8))
		goto out;
	x = pev(pr.pid, p);
	pa[0] = pev(0, p);
	fig_tl_step("child wrote page 0", 2, pc, (pid_t[]){ 0, pr.pid }, p, N);
	ok = check(x.present && !same(&x, &orig[0]) && (!x.write_known || x.write),
		   "the child got a new frame for page 0: %s", pev_str(&x));
	ok &= check(same(&pa[0], &orig[0]) && (!pa[0].write_known || !pa[0].write),
		    "the parent keeps the original, still read-only: %s", pev_str(&pa[0]));
	if (peer_read(&pr, p, buf, 8))
		ok &= check(!strcmp(p, "parent 0") && !strcmp(buf, "child 0"),
			    "the parent reads \"%s\", the child \"%s\"", p, buf);
	claim_end(35, ok_ro && ok, "fork() write-protected every private page in both page "
		  "tables; the child's store faulted and got a copy of page 0, and the "
		  "parent kept the original.");

	step("the parent writes page 1");
	strcpy(p + T.ps, "parent*");
	pa[1] = pev(0, p + T.ps);
	x = pev(pr.pid, p + T.ps);
	fig_tl_step("parent wrote page 1", 2, pc, (pid_t[]){ 0, pr.pid }, p, N);
	check(pa[1].present && !same(&pa[1], &orig[1]) && (!pa[1].write_known || pa[1].write),
	      "the parent got a new frame for page 1: %s", pev_str(&pa[1]));
	check(same(&x, &orig[1]), "the child keeps the original: %s", pev_str(&x));

	step("the parent writes page 0, whose original only it maps now");
	f0 = vmlab_minflt();
	strcpy(p, "parent*");
	f1 = vmlab_minflt();
	x = pev(0, p);
	fig_tl_step("parent wrote page 0", 2, pc, (pid_t[]){ 0, pr.pid }, p, N);
	fig_tl_end("Copy-on-write step by step: a frame marked new is a copy made by that step's "
		   "write (page 0 at the last step: reused or copied once more, as the text says)");
	ok = check(f1 - f0 >= 1, "the store faulted (%ld minor fault%s): the page was still "
		   "read-only for the parent", f1 - f0, f1 - f0 == 1 ? "" : "s");
	ok &= check(x.present && (!x.write_known || x.write), "now it is writable: %s",
		    pev_str(&x));
	if (same(&x, &orig[0]))
		ev("the same frame: the kernel saw that nobody else maps the page any more "
		   "and reused it, without a copy");
	else
		ev("a new frame: the kernel copied the page once more, because something "
		   "still held a reference to the original (a per-CPU batch of new pages "
		   "not yet on the LRU lists does, for a while); it copies whenever it "
		   "cannot be sure the page is the parent's alone");
	claim_end(36, ok, "after the child's copy, the parent's page 0 stayed read-only: its "
		  "first store still faulted. Only then did the kernel make it writable, "
		  "reusing the frame when the page was the parent's alone, copying it "
		  "otherwise.");

	for (i = 0; i < N; i++) {
		pa[i] = pev(0, p + i * T.ps);
		ch[i] = pev(pr.pid, p + i * T.ps);
		eq[i] = same(&pa[i], &ch[i]) ? '=' : 'x';
		if (i >= 2)
			rest &= same(&pa[i], &orig[i]) && same(&ch[i], &orig[i]);
	}
	step("pages 2 to %d: written by nobody since fork", N - 1);
	grid_line("parent", pa, N);
	grid_line("child", ch, N);
	ev("%-8s %s", "frames", eq);
	fig_pages("At the end: pages 0 and 1 copied, pages 2 to 7 still one frame each for both",
		  2, pc, (pid_t[]){ 0, pr.pid }, p, N);
	check(rest, "still one shared frame each, read-only: no copy was made for them");

	step("and the MAP_SHARED mapping? The child writes \"child\" into it");
	if (peer_write(&pr, sh, "child", 6)) {
		struct pev s1 = pev(0, sh), s2 = pev(pr.pid, sh);

		ok = check(!strcmp(sh, "child") && same(&s1, &s2),
			   "the parent reads \"%s\": shared pages are never copied (%s)", sh,
			   frame_name(&s1));
		claim_end(34, ok, "fork() did not make the MAP_SHARED area private: the "
			  "child's store went into the very page the parent maps. Only private "
			  "areas become copy-on-write.");
	}
	observed("after fork both mapped the same %d frames read-only; the child's write to "
		 "page 0 and the parent's to page 1 each made one copy, for the writer only",
		 N);
out:
	peer_stop(&pr);
	if (p)
		munmap(p, N * T.ps);
	if (sh)
		munmap(sh, T.ps);
	if (dk)
		munmap(dk, T.ps);
}
