// SPDX-License-Identifier: GPL-2.0
/*
 * hello.c: map 4 pages of /dev/vmlab, touch two of them, and print what
 * happened: how many pages the page table holds (the kernel's pagemap) and
 * what vmlab's counters say.  Build it on the host (make), run it in the
 * guest of make shell (./hello, in /lab).  Change it and try: MAP_PRIVATE,
 * more pages, reading before writing...
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>

#include "libvmlab.h"

#define NPAGES 4

static void show(const char *what, volatile char *p)
{
	printf("hello: %-28s %ld of %d pages present\n", what,
	       vmlab_count_present(0, (uintptr_t)p, NPAGES), NPAGES);
}

int main(void)
{
	struct vmlab_stats before, after;
	size_t ps = vmlab_page_size();
	volatile char *p;
	char diff[512];
	int fd;

	fd = vmlab_open(O_RDWR);
	if (fd < 0) {
		fprintf(stderr, "hello: %s\n", vmlab_open_error(errno));
		return 1;
	}
	/* Empty the object, so that each page starts absent. */
	if (vmlab_reset(fd, NULL))
		perror("hello: reset (the object keeps its pages)");
	p = mmap(NULL, NPAGES * ps, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		perror("hello: mmap /dev/vmlab");
		return 1;
	}
	show("mapped, not touched yet:", p);
	if (vmlab_get_stats(fd, &before)) {
		perror("hello: VMLAB_IOC_STATS");
		return 1;
	}
	(void)p[0];		/* read page 0 */
	p[ps] = 'x';		/* write page 1 */
	show("read page 0, wrote page 1:", p);
	if (vmlab_get_stats(fd, &after)) {
		perror("hello: VMLAB_IOC_STATS");
		return 1;
	}
	printf("hello: vmlab counted %s\n",
	       vmlab_stats_diff_str(&before, &after, diff, sizeof(diff)));
	munmap((void *)p, NPAGES * ps);
	return 0;
}
