// SPDX-License-Identifier: GPL-2.0
/*
 * zeropage: pages that were never written, read through a private
 * mapping, all map ONE frame: the kernel's shared zero page.
 *
 * A hole of the object (a page never written) reads as zeros.  For a
 * MAP_PRIVATE read, vmlab maps the kernel's zero page there, as anonymous
 * memory does: no memory is allocated, Rss does not grow.  Only a write
 * gives the page a frame of its own (a private copy).
 *
 * The evidence: pagemap's PFN (the frame number, root only) is the same
 * for every page and kpageflags calls it ZERO_PAGE; smaps shows Rss 0 kB;
 * the module counts zero-page maps and no allocation.
 */
#include "evidence.h"

#define N	16

int main(void)
{
	int fd = vmlab_open(), i, same = 1, zeros = 1, root;
	struct vmlab_stats a, b;
	uint64_t pfn0, pfn5;
	char *m;

	printf("zeropage: never-written private pages share the kernel's zero page\n");
	vmlab_reset(fd);	/* every page of the object is a hole now */
	m = mmap(NULL, N * PS, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (m == MAP_FAILED)
		die("mmap");
	a = vmlab_stats(fd);
	for (i = 0; i < N; i++)		/* read one byte of every page */
		zeros &= m[i * PS] == 0;
	b = vmlab_stats(fd);
	printf("read %d pages of a MAP_PRIVATE mapping at holes\n", N);
	check(zeros, "every page reads as zeros");

	/* pagemap: which frame each page maps (0 if we may not see it) */
	pfn0 = pfn_of(m);
	root = pfn0 != 0;
	for (i = 1; i < N; i++)
		same &= pfn_of(m + i * PS) == pfn0;
	if (root) {
		check(same, "pagemap: all %d pages map the same frame, PFN %#llx", N,
		      (unsigned long long)pfn0);
		check(kpageflags(pfn0) >= 0 && (kpageflags(pfn0) >> KPF_ZERO_PAGE & 1),
		      "kpageflags: that frame is the kernel's ZERO_PAGE");
	} else {
		printf("  (pagemap hides PFNs from non-root: run as root to see the frame)\n");
	}
	check(smaps(m, "Rss") == 0, "smaps: Rss of the mapping is %ld kB: no memory used",
	      smaps(m, "Rss"));
	check(b.zero_frame_maps - a.zero_frame_maps == N && b.pages_allocated == a.pages_allocated,
	      "module: %llu zero-page maps, %llu pages allocated",
	      (unsigned long long)(b.zero_frame_maps - a.zero_frame_maps),
	      (unsigned long long)(b.pages_allocated - a.pages_allocated));

	/* A write: the kernel copies the zero page into a new private page. */
	m[5 * PS] = 'x';
	printf("m[5 * %zu] = 'x': write to page 5\n", PS);
	pfn5 = pfn_of(m + 5 * PS);
	if (root)
		check(pfn5 != pfn0 && pfn_of(m + 4 * PS) == pfn0,
		      "page 5 now maps its own frame %#llx; page 4 still the zero page",
		      (unsigned long long)pfn5);
	check(smaps(m, "Rss") == (long)(PS / 1024) && smaps(m, "Anonymous") == (long)(PS / 1024),
	      "smaps: Rss %ld kB, Anonymous %ld kB: only the private copy counts",
	      smaps(m, "Rss"), smaps(m, "Anonymous"));
	check(vmlab_stats(fd).pages_allocated == b.pages_allocated,
	      "module: still no page allocated: the object's page 5 is still a hole");
	munmap(m, N * PS);
	close(fd);
	return ev_exit();
}
