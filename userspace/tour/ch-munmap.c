// SPDX-License-Identifier: GPL-2.0
/*
 * Chapter 7, munmap and closing the file: the mapping outlives close();
 * after munmap an access is SIGSEGV.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "tour.h"

void ch_munmap(void)
{
	struct vmlab_stats a, b;
	char buf[16] = { 0 };
	struct pev e;
	char *m;
	int fd, sig;

	para("mmap() takes its own reference to the file, so the mapping outlives "
	     "close(fd). munmap() removes the mapping itself: after it, the addresses "
	     "belong to nothing, and touching them is a segmentation fault. The data "
	     "stays in the file.");
	fd = open_dev();
	if (fd < 0)
		return;
	step("m = mmap(2 pages, MAP_SHARED, fd); strcpy(m, \"still here\")");
	m = map_dev(fd, 2 * T.ps, true);
	if (!m) {
		close(fd);
		return;
	}
	strcpy(m, "still here");
	step("close(fd)");
	stats(&a);
	close(fd);
	stats(&b);
	ev("%s", maps_line(0, m));
	check(strstr(maps_line(0, m), VMLAB_DEVICE) && b.vmas_live == a.vmas_live,
	      "the mapping is still there (vmas_live %" PRIu64 ")", (uint64_t)b.vmas_live);
	check(!strcmp(m, "still here"), "m still reads \"%s\"", m);
	step("read page 1, never touched, after the close");
	stats(&a);
	(void)*(volatile char *)(m + T.ps);
	stats(&b);
	e = pev(0, m + T.ps);
	check(e.present && D(a, b, fault_shared_read) == 1,
	      "the module still serves its faults: %s", diff_str(&a, &b));

	step("munmap(m, 2 pages)");
	stats(&a);
	munmap(m, 2 * T.ps);
	stats(&b);
	check(!strcmp(maps_line(0, m), "(no mapping)") && D(a, b, vma_closes) == 1,
	      "the mapping is gone from /proc/self/maps; module: %s", diff_str(&a, &b));
	e = pev(0, m);
	check(!e.present, "no page table entry at m any more");
	step("a child reads m[0]");
	sig = probe_access(m, false);
	check(sig == SIGSEGV, "it is killed by %s: there is no mapping at m", signame(sig > 0 ? sig : 0));
	step("pread(%s, 10 bytes at 0): the data is in the object", VMLAB_DEVICE);
	check(pread(T.fd, buf, 10, 0) == 10 && !strcmp(buf, "still here"),
	      "read() returns \"%s\"", buf);
	observed("after close(fd) the mapping still read and faulted pages in; after munmap "
		 "a read got %s, and the data stayed in the object", signame(sig > 0 ? sig : 0));
}
