// SPDX-License-Identifier: GPL-2.0
/*
 * Chapter 8, munmap and closing the file: the mapping outlives close();
 * after munmap an access is SIGSEGV.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "tour.h"

void ch_munmap(void)
{
	static const char *const tour[] = { "the tour" };
	static const pid_t self[] = { 0 };
	struct vmlab_stats a, b;
	bool ok;
	char buf[16] = { 0 };
	pid_t pid;
	int st;
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
	e = pev(0, m);
	ev("m[0]: %s", pev_str(&e));
	fig_tl_begin("m's two pages: after close(fd), after reading page 1, after munmap()");
	fig_tl_step("after close(fd)", 1, tour, self, m, 2);
	ok = check(strstr(maps_line(0, m), VMLAB_DEVICE) && b.vmas_live == a.vmas_live,
		   "the mapping is still there (vmas_live %" PRIu64 ")", (uint64_t)b.vmas_live);
	ok &= check(!strcmp(m, "still here"), "m still reads \"%s\"", m);
	claim_end(21, check(b.pages_dirty == 1 && D(a, b, pages_cleaned) == 0,
			    "close() wrote nothing back: the page the store dirtied is still "
			    "dirty (pages_dirty %" PRIu64 ", pages_cleaned %+lld)",
			    (uint64_t)b.pages_dirty, D(a, b, pages_cleaned)),
		  "close() does not write the mapping's changes anywhere: the mapping lives "
		  "on, and its dirty page stays dirty until msync(), fsync() or the kernel's "
		  "own write-back (chapter 8). The same holds for a file on a disk.");
	step("read page 1, never touched, after the close");
	stats(&a);
	(void)*(volatile char *)(m + T.ps);
	stats(&b);
	e = pev(0, m + T.ps);
	ok &= check(e.present && D(a, b, fault_shared_read) == 1,
		    "the module still serves its faults: %s", diff_str(&a, &b));
	ev("m[1]: %s", pev_str(&e));
	fig_tl_step("page 1 read", 1, tour, self, m, 2);
	claim_end(20, ok, "mmap() holds its own reference to the file: after close(fd) the "
		  "mapping still reads the data and still faults new pages in.");

	step("munmap(m, 2 pages)");
	stats(&a);
	munmap(m, 2 * T.ps);
	stats(&b);
	check(!strcmp(maps_line(0, m), "(no mapping)") && D(a, b, vma_closes) == 1,
	      "the mapping is gone from /proc/self/maps; module: %s", diff_str(&a, &b));
	e = pev(0, m);
	check(!e.present, "no page table entry at m any more");
	fig_tl_step("after munmap()", 1, tour, self, m, 2);
	fig_tl_end("The mapping outlives close(fd): page 0 stays mapped (dirty) and page 1 "
		   "faults in after it; munmap() leaves no mapping at all.");
	step("a child reads m[0]");
	sig = vmlab_probe(m, false, 0);
	ok = check(sig == SIGSEGV, "it is killed by %s: there is no mapping at m",
		   signame(sig > 0 ? sig : 0));
	claim_end(25, ok, "after munmap() no area covers the addresses, so the fault finds "
		  "nothing to map and the kernel sends SIGSEGV.");
	step("pread(%s, 10 bytes at 0): the data is in the object", VMLAB_DEVICE);
	check(pread(T.fd, buf, 10, 0) == 10 && !strcmp(buf, "still here"),
	      "read() returns \"%s\"", buf);
	step("a child maps the object, stores into it and exits without munmap()");
	stats(&a);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		char *c;

		vmlab_child_quiet();
		fd = open(VMLAB_DEVICE, O_RDWR);
		c = fd < 0 ? MAP_FAILED : mmap(NULL, T.ps, PROT_READ | PROT_WRITE, MAP_SHARED,
					       fd, 0);
		if (c == MAP_FAILED)
			_exit(1);
		strcpy(c, "from a child");
		_exit(0);
	}
	st = pid > 0 ? vmlab_wait(pid) : -1;
	stats(&b);
	memset(buf, 0, sizeof(buf));
	ok = check(st == 0 && D(a, b, vma_opens) == 1 && D(a, b, vma_closes) == 1 &&
		   b.vmas_live == a.vmas_live, "module: %s: its exit closed\nthe mapping",
		   diff_str(&a, &b));
	ok &= check(pread(T.fd, buf, 12, 0) == 12 && !strcmp(buf, "from a child"),
		    "and its store stayed in the object: read() returns \"%s\"", buf);
	claim_end(26, ok, "the child called no munmap(), yet its exit closed its mapping "
		  "(vma_closes +1): exit() unmaps every area of the process, and what it "
		  "stored through a shared mapping stays in the file.");
	observed("after close(fd) the mapping still read and faulted pages in; after munmap "
		 "a read got %s, and the data stayed in the object", signame(sig > 0 ? sig : 0));
}
