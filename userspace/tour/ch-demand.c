// SPDX-License-Identifier: GPL-2.0
/*
 * Chapter 2, demand paging: mapping memory costs nothing; each page gets a
 * frame when first touched.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/mount.h>

#include "tour.h"
#include "figure.h"

/*
 * How far the page tables reach at @addr (inspect): true if a PTE table
 * covers it; *known false without inspect.
 */
static bool pte_table(const void *addr, bool *known, char *buf, size_t len)
{
	struct vmlab_page_info pi;

	*known = T.inspect && !vmlab_inspect(T.fd, 0, (uintptr_t)addr, 1, &pi, NULL);
	if (!*known) {
		snprintf(buf, len, "unknown");
		return false;
	}
	snprintf(buf, len, "%s", pi.walk & VMLAB_WALK_PMD ?
		 "the PMD entry points to a PTE table" : pi.walk & VMLAB_WALK_PUD ?
		 "the PMD entry is empty: no PTE table below it" : pi.walk & VMLAB_WALK_P4D ?
		 "the PUD entry is empty: no PMD table" : "no tables below the PGD");
	return pi.walk & VMLAB_WALK_PMD;
}

#define FAULT_AROUND	"/sys/kernel/debug/fault_around_bytes"
#define AROUND_PAGES	32

/* @len bytes of @fd mapped read-only and shared at a 64 KiB boundary, or NULL. */
static char *map_aligned(int fd, size_t len)
{
	size_t al = 64 * 1024;
	char *r = mmap(NULL, len + al, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), *m;
	uintptr_t a;

	if (r == MAP_FAILED)
		return NULL;
	a = ((uintptr_t)r + al - 1) & ~(uintptr_t)(al - 1);
	m = mmap((void *)a, len, PROT_READ, MAP_SHARED | MAP_FIXED, fd, 0);
	if (m == MAP_FAILED) {
		munmap(r, len + al);
		return NULL;
	}
	if (a > (uintptr_t)r)
		munmap(r, a - (uintptr_t)r);
	munmap(m + len, (size_t)(r + len + al - (m + len)));
	return m;
}

/* Read page 0 of a fresh mapping of @fd: the pages then present, *faults. */
static long read_one(int fd, long *faults)
{
	size_t len = AROUND_PAGES * T.ps;
	char *m = map_aligned(fd, len);
	volatile char c;
	long f0, present;

	if (!m) {
		*faults = -1;
		return -1;
	}
	f0 = vmlab_minflt();
	c = m[0];
	*faults = vmlab_minflt() - f0;
	(void)c;
	present = vmlab_count_present(0, (uintptr_t)m, AROUND_PAGES);
	munmap(m, len);
	return present;
}

/* Claim 3: a file's read fault maps fault_around_bytes of cached pages. */
static void fault_around(int fd)
{
	size_t len = AROUND_PAGES * T.ps;
	char *buf = malloc(len);
	long fab, pv, pm, fv, fm, p1 = -1, f1 = -1, saved = -1;
	bool ok, ok1 = true;
	int mfd;

	if (!buf) {
		check(false, "malloc failed");
		return;
	}
	memset(buf, 'x', len);
	mfd = memfd_create("tour-tmpfs", 0);
	step("write() %d pages to the object and to a tmpfs file (memfd_create); map "
	     "each read-only, MAP_SHARED, at a 64 KiB boundary; read one byte of page 0",
	     AROUND_PAGES);
	if (mfd < 0 || pwrite(fd, buf, len, 0) != (ssize_t)len ||
	    pwrite(mfd, buf, len, 0) != (ssize_t)len) {
		check(false, "memfd_create or write: %s", strerror(errno));
		goto out;
	}
	fab = vmlab_read_long(FAULT_AROUND);
	if (fab > 0)
		ev("the kernel's fault-around window, %s: %ld bytes (%ld pages)",
		   FAULT_AROUND, fab, fab / (long)T.ps);
	else
		ev("%s cannot be read here (root and debugfs only); its default is "
		   "65536 bytes, 16 pages", FAULT_AROUND);
	pv = read_one(fd, &fv);
	pm = read_one(mfd, &fm);
	ev("%s: %ld of %d pages present after %ld minor fault(s)", VMLAB_DEVICE, pv,
	   AROUND_PAGES, fv);
	ev("tmpfs:      %ld of %d pages present after %ld minor fault(s)", pm,
	   AROUND_PAGES, fm);
	ok = check(fv == 1 && fm == 1 && pv > 1 && pv == pm &&
		   (fab <= 0 || pv == (fab / (long)T.ps < AROUND_PAGES ?
				   fab / (long)T.ps : AROUND_PAGES)),
		   "one read fault mapped %ld pages, the whole window around page 0, in\n"
		   "both files alike", pv);

	if (T.root) {
		step("echo %zu > %s (one page); read page 0 of a fresh mapping again; then "
		     "put the window back", T.ps, FAULT_AROUND);
		saved = fab;
		if (saved <= 0 && !mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL))
			saved = vmlab_read_long(FAULT_AROUND);
		if (saved > 0) {
			char s[32];

			snprintf(s, sizeof(s), "%zu", T.ps);
			if (!vmlab_write_str(FAULT_AROUND, s))
				p1 = read_one(fd, &f1);
			snprintf(s, sizeof(s), "%ld", saved);
			vmlab_write_str(FAULT_AROUND, s);
			ok1 = check(p1 == 1 && f1 == 1, "with a one-page window the fault mapped "
				    "%ld page: one page per fault", p1);
			check(vmlab_read_long(FAULT_AROUND) == saved, "%s is %ld again",
			      FAULT_AROUND, saved);
		} else {
			ev("no debugfs here: this part is skipped");
		}
	} else {
		ev("(not root: the one-page window of %s is not shown)", FAULT_AROUND);
	}
	claim_end(3, ok && ok1, "the pages were in memory before any touch (write() had "
		  "filled them: the page cache, here the object). One read fault then "
		  "mapped %ld of them, the kernel's fault-around window "
		  "(fault_around_bytes, 64 KiB by default) around the address, for a "
		  "tmpfs file just the same. Only a one-page window makes it one page per "
		  "fault. (A disk file not yet cached is also read ahead, many pages per "
		  "I/O: not shown here.)", pv);
out:
	if (mfd >= 0)
		close(mfd);
	free(buf);
}

void ch_demand(void)
{
	size_t len = 100 * MiB, stepb, npages, spages, i, k;
	struct vmlab_stats a, b, c;
	struct vmlab_smaps sm;
	uint64_t room;
	long free0, free1, f0, f1, present;
	char pt_buf0[64], pt_buf1[64], *mid;
	bool pt0, pt1, pt_known;
	bool rows_ok = true;
	static struct fig_chart fc;
	long faults = 0;
	char num[32];
	uint64_t freed;
	size_t an = 100 * MiB / T.ps - 1, at = 10 * MiB / T.ps;
	char *m, *p, *al;
	int fd;
	bool ok;

	room = T.st.size < T.st.mem_limit ? T.st.size : T.st.mem_limit;
	if (room < len) {
		stepb = (size_t)(room / 10 / MiB) * MiB;
		len = 10 * stepb;
		if (!len) {
			check(false, "the object is too small for this chapter: it needs 10 MiB "
			      "of size and of memory limit, it has %" PRIu64 " KiB and %" PRIu64
			      " KiB (load vmlab with size_mb=128 mem_limit_mb=112)",
			      (uint64_t)T.st.size >> 10, (uint64_t)T.st.mem_limit >> 10);
			return;
		}
	}
	stepb = len / 10;
	npages = len / T.ps;
	spages = stepb / T.ps;
	para("Mapping memory only reserves addresses. A page gets a frame when it is "
	     "first touched: the CPU finds no page table entry, faults, and the fault "
	     "handler (here vmlab's) supplies the page. So mapping %zu MiB costs "
	     "nothing, and touching it %zu MiB at a time makes the memory used grow "
	     "%zu MiB at a time.", len / MiB, stepb / MiB, stepb / MiB);
	if (len < 100 * MiB)
		para("(The textbook maps 100 MiB; this object is %" PRIu64 " MiB with a memory "
		     "limit of %" PRIu64 " MiB, so the chapter maps %zu MiB. Load vmlab with "
		     "size_mb=128 mem_limit_mb=112 for the full experiment.)",
		     (uint64_t)T.st.size >> 20, (uint64_t)T.st.mem_limit >> 20, len / MiB);
	fd = open_dev();
	if (fd < 0)
		return;
	free0 = vmlab_free_kb();
	stats(&a);
	step("m = mmap(NULL, %zu MiB, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)", len / MiB);
	m = map_dev(fd, len, true);
	close(fd);
	if (!m)
		return;
	stats(&b);
	present = vmlab_count_present(0, (uintptr_t)m, npages);
	if (vmlab_smaps(0, (uintptr_t)m, len, &sm))
		memset(&sm, 0, sizeof(sm));
	free1 = vmlab_free_kb();
	ev("%s", maps_line(0, m));
	check(present == 0 && sm.rss == 0 && D(a, b, pages_allocated) == 0,
	      "the mapping costs nothing: %ld of %zu pages present, Rss %ld kB, "
	      "pages_allocated %+lld", present, npages, sm.rss, D(a, b, pages_allocated));
	ev("free memory: %+.1f MiB (MemFree plus the per-CPU free lists)",
	   mib(free1 - free0));
	mid = (char *)(((uintptr_t)m + len / 2) & ~(uintptr_t)(2 * MiB - 1));
	pt0 = pte_table(mid, &pt_known, pt_buf0, sizeof(pt_buf0));
	if (pt_known)
		ev("page tables at %p, a 2 MiB range inside m (inspect): %s", (void *)mid,
		   pt_buf0);

	step("touch it %zu MiB at a time: one store per %zu-byte page", stepb / MiB, T.ps);
	out("    %-8s %9s %9s %12s %16s %12s", "touched", "present", "Rss", "minor faults",
	    "pages_allocated", "memory used");
	memset(&fc, 0, sizeof(fc));
	snprintf(fc.title, sizeof(fc.title), "Demand paging: %zu MiB mapped, touched %zu MiB at "
		 "a time", len / MiB, stepb / MiB);
	snprintf(fc.xlabel, sizeof(fc.xlabel), "touched");
	snprintf(fc.xunit, sizeof(fc.xunit), "MiB");
	fc.nseries = 4;
	fc.npoints = 1;		/* the origin: nothing touched, nothing used */
	snprintf(fc.name[0], sizeof(fc.name[0]), "present pages");
	snprintf(fc.unit[0], sizeof(fc.unit[0]), "pages");
	snprintf(fc.name[1], sizeof(fc.name[1]), "Rss");
	snprintf(fc.unit[1], sizeof(fc.unit[1]), "kB");
	snprintf(fc.name[2], sizeof(fc.name[2]), "minor faults, in all");
	snprintf(fc.unit[2], sizeof(fc.unit[2]), "faults");
	snprintf(fc.name[3], sizeof(fc.name[3]), "memory used");
	snprintf(fc.unit[3], sizeof(fc.unit[3]), "MiB");
	for (k = 1; k <= 10; k++) {
		bool ok;

		f0 = vmlab_minflt();
		for (i = (k - 1) * spages; i < k * spages; i++)
			m[i * T.ps] = 1;
		f1 = vmlab_minflt();
		stats(&c);
		present = vmlab_count_present(0, (uintptr_t)m, npages);
		if (vmlab_smaps(0, (uintptr_t)m, len, &sm))
			memset(&sm, 0, sizeof(sm));
		free1 = vmlab_free_kb();
		ok = present == (long)(k * spages) && sm.rss == (long)(k * stepb / 1024) &&
		     D(a, c, pages_allocated) == (long long)(k * spages) &&
		     f1 - f0 >= (long)spages && f1 - f0 <= (long)spages + 64;
		rows_ok &= ok;
		out("    %5zu MiB %9ld %6ld kB %12ld %16lld %8.1f MiB  %s%s%s", k * stepb / MiB,
		    present, sm.rss, f1 - f0, D(a, c, pages_allocated), mib(free0 - free1),
		    vc(ok ? VC_GREEN : VC_RED), ok ? "ok" : "FAIL", vc(VC_RESET));
		/* The chart's point: the row's numbers as printed. */
		faults += f1 - f0;
		snprintf(num, sizeof(num), "%.1f", mib(free0 - free1));
		fc.x[fc.npoints] = (double)(k * stepb / MiB);
		fc.y[0][fc.npoints] = (double)present;
		fc.y[1][fc.npoints] = (double)sm.rss;
		fc.y[2][fc.npoints] = (double)faults;
		fc.y[3][fc.npoints++] = strtod(num, NULL);
	}
	fig_chart(&fc, "Each step's row of the table above: present pages, Rss and memory used "
		  "grow with what was touched, one minor fault per page");
	check(rows_ok, "each step made exactly %zu more pages present (%zu kB of Rss), with "
	      "one\nminor fault and one new object page each", spages, stepb / 1024);
	pt1 = pte_table(mid, &pt_known, pt_buf1, sizeof(pt_buf1));
	if (pt_known) {
		ok = check(!pt0 && pt1, "at %p: before the touches, %s; after them, %s",
			   (void *)mid, pt_buf0, pt_buf1);
		claim_end(30, ok, "mmap() built no page table: it only recorded the area "
			  "(its line in maps). The kernel made the PTE table for a 2 MiB "
			  "range at the first fault in it, and fills the entries one fault "
			  "(or fault-around) at a time. Page tables are built on demand, "
			  "like the pages.");
	}
	claim_end(5, rows_ok, "each first touch of a page faulted once (the minor faults "
		  "above), the fault handler (vmlab's) gave the page a frame, and the store "
		  "went on: the program did nothing but store.");
	check(free0 - free1 >= (long)(len / 1024 / 2),
	      "free memory fell by %.1f MiB for %zu MiB touched", mib(free0 - free1), len / MiB);
	stats(&b);
	step("munmap(m, %zu MiB) and reset the object", len / MiB);
	munmap(m, len);
	vmlab_reset(T.fd, &freed);
	free0 = vmlab_free_kb();
	ev("the reset freed %" PRIu64 " pages; free memory is back up by %.1f MiB", freed,
	   mib(free0 - free1));

	step("the same with plain memory: p = malloc(100 MiB); touch its first 10 MiB");
	p = malloc(100 * MiB);
	if (!p) {
		check(false, "malloc(100 MiB) failed");
		return;
	}
	/* The whole pages of the block; no huge pages, to count 4 KiB ones. */
	al = (char *)(((uintptr_t)p + T.ps - 1) & ~(uintptr_t)(T.ps - 1));
	madvise(al, an * T.ps, MADV_NOHUGEPAGE);
	present = vmlab_count_present(0, (uintptr_t)al, an);
	if (vmlab_smaps(0, (uintptr_t)al, an * T.ps, &sm))
		memset(&sm, 0, sizeof(sm));
	ev("%s", maps_line(0, al));
	ok = check(present == 0 && sm.rss == 0 && sm.anonymous == 0, "malloc() returned at "
		   "once: an anonymous mapping with %ld of %zu pages present, Rss %ld kB",
		   present, an, sm.rss);
	free0 = vmlab_free_kb();
	f0 = vmlab_minflt();
	for (i = 0; i < at; i++)
		al[i * T.ps] = 1;
	f1 = vmlab_minflt();
	free1 = vmlab_free_kb();
	present = vmlab_count_present(0, (uintptr_t)al, an);
	if (vmlab_smaps(0, (uintptr_t)al, an * T.ps, &sm))
		memset(&sm, 0, sizeof(sm));
	ok &= check(present == (long)at && sm.rss == (long)(at * T.ps / 1024) &&
		    sm.anonymous == sm.rss && f1 - f0 >= (long)at && f1 - f0 <= (long)at + 64,
		    "touching 10 MiB made %ld pages present, Rss %ld kB (Anonymous %ld kB),\n"
		    "with %ld minor faults; free memory fell by %.1f MiB", present, sm.rss,
		    sm.anonymous, f1 - f0, mib(free0 - free1));
	free(p);
	claim_end(7, ok, "malloc() of 100 MiB got an anonymous mapping from the kernel and "
		  "cost no memory; touching 10 MiB of it gave exactly those %zu pages a "
		  "frame, one minor fault each, and added 10 MiB of Rss.", at);
	fd = open_dev();
	if (fd >= 0) {
		fault_around(fd);
		close(fd);
	}
	observed("mapping %zu MiB used no memory; each %zu MiB touched added %zu present "
		 "pages, %zu kB of Rss and %zu faults", len / MiB, stepb / MiB, spages,
		 stepb / 1024, spages);
}
