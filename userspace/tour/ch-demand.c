// SPDX-License-Identifier: GPL-2.0
/*
 * Chapter 2, demand paging: mapping memory costs nothing; each page gets a
 * frame when first touched.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "tour.h"

void ch_demand(void)
{
	size_t len = 100 * MiB, stepb, npages, spages, i, k;
	struct vmlab_stats a, b, c;
	struct vmlab_smaps sm;
	uint64_t room;
	long free0, free1, f0, f1, present;
	bool rows_ok = true;
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

	step("touch it %zu MiB at a time: one store per %zu-byte page", stepb / MiB, T.ps);
	out("    %-8s %9s %9s %12s %16s %12s", "touched", "present", "Rss", "minor faults",
	    "pages_allocated", "memory used");
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
	}
	check(rows_ok, "each step made exactly %zu more pages present (%zu kB of Rss), with "
	      "one\nminor fault and one new object page each", spages, stepb / 1024);
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
	observed("mapping %zu MiB used no memory; each %zu MiB touched added %zu present "
		 "pages, %zu kB of Rss and %zu faults", len / MiB, stepb / MiB, spages,
		 stepb / 1024, spages);
}
