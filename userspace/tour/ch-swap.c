// SPDX-License-Identifier: GPL-2.0
/*
 * Chapter swap: a page of a mapping is in more states than "never used,
 * in memory, on disk"; only anonymous pages go to swap, and come back.
 *
 * Needs a swap device: the machine's own, or one this chapter makes for
 * itself when it runs as root, a loop device over a memfd (libvmlab's
 * vmlab_swap_on(); a swap file on tmpfs would not do), taken away at the
 * end.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include "tour.h"

#define SWAP_MIB	16

/* The swap area this chapter made, if it made one (libvmlab). */
static struct vmlab_swap sw = { .loop_fd = -1, .mem_fd = -1 };

/* Devices in /proc/swaps (after its header line), -1 if unreadable. */
static int swap_devices(char *first, size_t len)
{
	char line[256];
	int n = -1;
	FILE *f = fopen("/proc/swaps", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (n++ == 0)
			snprintf(first, len, "%.*s", (int)strcspn(line, " \t"), line);
	}
	fclose(f);
	return n;
}

/* Pages the object holds now. */
static uint64_t st_resident(void)
{
	struct vmlab_stats st;

	stats(&st);
	return st.pages_resident;
}

/* Faults taken by this process so far, minor and major. */
static void faults(long *minor, long *major)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	*minor = ru.ru_minflt;
	*major = ru.ru_majflt;
}

/*
 * madvise(MADV_PAGEOUT) on each of @n ranges until @want is swapped: a
 * page just made may still sit in a per-CPU batch on its way to the LRU
 * lists, out of reclaim's reach for a moment.
 */
static bool page_out(char *const *r, int n, const char *want)
{
	int i, k;

	for (i = 0; i < 50; i++) {
		for (k = 0; k < n; k++)
			madvise(r[k], 4 * T.ps, MADV_PAGEOUT);
		if (vmlab_pagemap1(0, (uintptr_t)want).swapped)
			return true;
		usleep(20000);
	}
	return false;
}

/* "a[1]: never touched: no page table entry" and the like. */
static const char *state(const void *addr)
{
	struct pev e = pev(0, addr);

	if (e.present)
		return pev_str(&e);
	return e.swapped ? "SWAPPED OUT: a swap entry (pagemap: swapped)" :
	       "no page table entry (pagemap: neither present nor swapped)";
}

static void show(const char *name, const void *addr)
{
	ev("%s: %s", name, state(addr));
}

/* The six pages of this chapter, one row each, in the states they are in now. */
static void swap_fig(const char *caption, char *a, char *p, char *s)
{
	fig_rows(caption, 1, (const char *[]){ "the tour" }, (pid_t[]){ 0 },
		 (const void *[]){ a, a + T.ps, s + T.ps, s + 2 * T.ps, a + 2 * T.ps,
		 p + 2 * T.ps }, (const char *[]){ "a[0] unused", "a[1] read", "s[1] not read",
		 "s[2] read", "a[2] written", "p[2] written" }, 6);
}

void ch_swap(void)
{
	char dev[64] = "", *a = MAP_FAILED, *p = MAP_FAILED, *s = MAP_FAILED;
	long swap0, swap1, min0, maj0, min1, maj1, kb;
	struct pev ea, ep, es;
	struct vmlab_stats st0, st1;
	char buf[4096];
	int fd, n;
	bool ok, ok6;

	para("When memory is short, the kernel takes frames away from pages it can "
	     "get back later. A page of a file can be read again from its file (written "
	     "back first if dirty). An anonymous page has no file: the kernel writes it "
	     "to a swap area and puts a swap entry in its page table entry, and the next "
	     "touch reads it back. madvise(MADV_PAGEOUT) asks for that now, for a range "
	     "of our own.");
	n = swap_devices(dev, sizeof(dev));
	step("a swap area: %s", n > 0 ? "the machine's" : "none is on: make one");
	if (n <= 0) {
		if (!T.root || vmlab_swap_on(&sw, SWAP_MIB)) {
			out("No swap is on, and this run cannot make one (%s).", T.root ? sw.why :
			    "swapon() needs root");
			claim_skip(6, "needs a swap area: run the tour as root, or with swap on");
			claim_skip(31, "needs a swap area: run the tour as root, or with swap on");
			observed("no swap area: nothing could be swapped");
			return;
		}
		snprintf(dev, sizeof(dev), "%s", sw.dev);
		ev("swapon(\"%s\"): a %d MiB swap area on a loop device over a memfd, for this "
		   "chapter", sw.dev, SWAP_MIB);
	}
	ev("/proc/swaps: %s; meminfo SwapTotal %ld kB, SwapFree %ld kB", dev,
	   vmlab_meminfo_kb("SwapTotal"), vmlab_meminfo_kb("SwapFree"));

	fd = open_dev();
	if (fd < 0)
		goto out;
	memset(buf, 'o', sizeof(buf));
	for (n = 0; n < 4; n++)
		if (pwrite(fd, buf, sizeof(buf) < T.ps ? sizeof(buf) : T.ps,
			   (off_t)(n * T.ps)) < 0)
			check(false, "write: %s", strerror(errno));
	step("a = 4 pages of anonymous memory, p = mmap(MAP_PRIVATE, fd), s = mmap("
	     "MAP_SHARED, fd), the object's pages 0-3 written by write(); then: read a[1], "
	     "write a[2], write p[2]");
	a = mmap(NULL, 4 * T.ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	p = map_dev(fd, 4 * T.ps, false);
	s = map_dev(fd, 4 * T.ps, true);
	if (a == MAP_FAILED || !p || !s) {
		check(false, "mmap: %s", strerror(errno));
		goto out_fd;
	}
	(void)*(volatile char *)(a + T.ps);
	strcpy(a + 2 * T.ps, "anonymous page");
	strcpy(p + 2 * T.ps, "private copy");
	show("a[0], never touched", a);
	show("a[1], only read", a + T.ps);
	show("a[2], written", a + 2 * T.ps);
	show("s[1], not touched here", s + T.ps);
	show("p[2], written", p + 2 * T.ps);
	swap_fig("Before MADV_PAGEOUT: never used, the zero page, not mapped here, present",
		 a, p, s);
	ea = pev(0, a + T.ps);
	es = pev(0, s + T.ps);
	ok6 = check(!pev(0, a).present && !pev(0, a).swapped, "a[0] has no entry at all: "
		    "never used");
	ok6 &= check(ea.present && (ea.kzero || !T.inspect),
		     "a[1] is present, yet has no memory of its own: it maps the kernel's "
		     "zero page");
	ok6 &= check(!es.present && !es.swapped && st_resident() >= 4,
		     "s[1] has no entry here, yet its page IS in memory: the object holds "
		     "pages 0-3 (written by write()); the first touch will only map it (a "
		     "minor fault, no I/O)");

	step("read s[2]; madvise(MADV_PAGEOUT) on a, p and s: reclaim these pages now");
	(void)*(volatile char *)(s + 2 * T.ps);
	swap0 = vmlab_meminfo_kb("SwapTotal") - vmlab_meminfo_kb("SwapFree");
	stats(&st0);
	ok = page_out((char *[]){ a, p, s }, 3, a + 2 * T.ps);
	page_out((char *[]){ p }, 1, p + 2 * T.ps);
	stats(&st1);
	swap1 = vmlab_meminfo_kb("SwapTotal") - vmlab_meminfo_kb("SwapFree");
	show("a[0]", a);
	show("a[1]", a + T.ps);
	show("s[1]", s + T.ps);
	show("s[2]", s + 2 * T.ps);
	show("a[2]", a + 2 * T.ps);
	show("p[2]", p + 2 * T.ps);
	swap_fig("After MADV_PAGEOUT: a page in each state, a[2] and p[2] swapped out", a, p, s);
	ea = pev(0, a + 2 * T.ps);
	ep = pev(0, p + 2 * T.ps);
	es = pev(0, s + 2 * T.ps);
	ok &= check(ea.swapped && !ea.present, "a[2], the written anonymous page, went to "
		    "swap: its entry is now a swap entry");
	ok &= check(ep.swapped && !ep.present, "p[2], the private copy of the object's "
		    "page, is anonymous memory too: it went to swap");
	kb = vmlab_smaps_kb(0, (uintptr_t)a, "Swap") + vmlab_smaps_kb(0, (uintptr_t)p, "Swap");
	ok &= check(kb == (long)(2 * T.ps / 1024), "smaps: Swap %ld kB in a and p together, "
		    "the two pages", kb);
	ev("meminfo: swap used %ld kB -> %ld kB", swap0, swap1);
	ok &= check(es.present && !es.swapped && D(st0, st1, pages_resident) == 0,
		    "s[2], the object's own page, is still present: vmlab's pages never leave "
		    "memory (like ramfs); module: %s", diff_str(&st0, &st1));
	ok &= check(pev(0, a + T.ps).present, "a[1] still maps the zero page: there is "
		    "nothing to swap");
	claim_end(31, ok, "only anonymous memory went to swap: the written anonymous page "
		  "and the private copy. The object's page stayed; a file's own page never "
		  "goes to swap: a clean one is dropped and read again from its file, a dirty "
		  "one written back to its file first (tmpfs's pages, having no disk, do go "
		  "to swap). And the swap area need not be a file: here a block device.");

	step("read a[2] and p[2] again");
	faults(&min0, &maj0);
	ok = check(!strcmp(a + 2 * T.ps, "anonymous page") &&
		   !strcmp(p + 2 * T.ps, "private copy"),
		   "\"%s\", \"%s\": back, intact", a + 2 * T.ps, p + 2 * T.ps);
	faults(&min1, &maj1);
	ok &= check(pev(0, a + 2 * T.ps).present && pev(0, p + 2 * T.ps).present,
		    "both present again");
	show("a[2]", a + 2 * T.ps);
	show("p[2]", p + 2 * T.ps);
	swap_fig("After reading a[2] and p[2]: both back in memory", a, p, s);
	ok &= check(min1 - min0 + maj1 - maj0 >= 2, "the reads faulted: %ld minor, %ld major "
		    "(major when the page had to be read from the device, minor when it was "
		    "still in the swap cache, on its way out)", min1 - min0, maj1 - maj0);
	claim_end(6, ok6 && ok, "a page is in more states than three. Seen here: no entry "
		  "and never used (a[0]); present but with no memory of its own, the zero "
		  "page (a[1]); no entry yet in memory, the object's page this process never "
		  "touched (s[1]); present (s[2]); swapped out, a swap entry (a[2], p[2]); "
		  "and on the way between, in the swap cache. Only anonymous pages have the "
		  "swapped state: a file's page is either in the page cache or only in its "
		  "file.");
	observed("MADV_PAGEOUT sent the anonymous page and the private copy to swap (%ld kB) "
		 "and left the object's page present; reading brought both back", kb);
out_fd:
	if (a != MAP_FAILED)
		munmap(a, 4 * T.ps);
	if (p)
		munmap(p, 4 * T.ps);
	if (s)
		munmap(s, 4 * T.ps);
	close(fd);
out:
	vmlab_swap_off(&sw);
}
