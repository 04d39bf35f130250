// SPDX-License-Identifier: GPL-2.0
/*
 * Chapter 1, a file mapping: a store into a MAP_SHARED mapping of a file
 * changes the file.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "tour.h"

#define PASS_PAGES	256

/* syscr of /proc/self/io: the read system calls this process made, -1 if unknown. */
static long syscr(void)
{
	char line[128];
	long v = -1;
	FILE *f = fopen("/proc/self/io", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "syscr: %ld", &v) == 1)
			break;
	fclose(f);
	return v;
}

/* Claim 11: reading through a mapping still enters the kernel, at faults. */
static void mapped_vs_read(int fd)
{
	size_t len = PASS_PAGES * T.ps, i;
	char *buf = malloc(len), *m, pg[64];
	long f0, f1, f2, f3, r0, r1, r2, r3, own, sum = 0;
	bool ok;

	if (!buf) {
		check(false, "malloc failed");
		return;
	}
	memset(buf, 'r', len);
	step("write() %d pages; read one byte of each, first through a fresh mapping "
	     "(twice), then with pread()", PASS_PAGES);
	m = pwrite(fd, buf, len, 0) == (ssize_t)len ?
	    mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0) : MAP_FAILED;
	if (m == MAP_FAILED) {
		check(false, "write or mmap: %s", strerror(errno));
		free(buf);
		return;
	}
	/* Reading /proc/self/io is a read system call too: subtract its own. */
	own = syscr();
	own = syscr() - own;
	r0 = syscr();
	f0 = vmlab_minflt();
	for (i = 0; i < PASS_PAGES; i++)
		sum += ((volatile char *)m)[i * T.ps];
	f1 = vmlab_minflt();
	r1 = syscr();
	for (i = 0; i < PASS_PAGES; i++)
		sum += ((volatile char *)m)[i * T.ps];
	f2 = vmlab_minflt();
	r2 = syscr();
	for (i = 0; i < PASS_PAGES; i++)
		if (pread(fd, pg, 1, (off_t)(i * T.ps)) == 1)
			sum += pg[0];
	f3 = vmlab_minflt();
	r3 = syscr();
	munmap(m, len);
	free(buf);
	(void)sum;
	r3 -= r2 + own;
	r2 -= r1 + own;
	r1 -= r0 + own;
	out("    %-22s %14s %12s", "", "read syscalls", "page faults");
	if (own > 0) {
		out("    %-22s %14ld %12ld", "mapping, first pass", r1, f1 - f0);
		out("    %-22s %14ld %12ld", "mapping, second pass", r2, f2 - f1);
		out("    %-22s %14ld %12ld", "pread() of each page", r3, f3 - f2);
		ev("(syscr of /proc/self/io and getrusage; less the %ld read of "
		   "/proc/self/io itself)", own);
		ok = check(r1 == 0 && r2 == 0 && r3 == PASS_PAGES,
			   "no read system call through the mapping; %d through pread()",
			   PASS_PAGES);
	} else {
		/* Kernels built without CONFIG_TASK_XACCT count no system calls. */
		out("    %-22s %14s %12ld", "mapping, first pass", "?", f1 - f0);
		out("    %-22s %14s %12ld", "mapping, second pass", "?", f2 - f1);
		out("    %-22s %14s %12ld", "pread() of each page", "?", f3 - f2);
		ev("(getrusage; this kernel counts no read system calls in /proc/self/io: "
		   "syscr did not move for its own read, so only the faults are shown)");
		ok = true;
	}
	ok &= check(f1 - f0 >= 1 && f1 - f0 < PASS_PAGES && f2 == f1 && f3 == f2,
		    "the first pass entered the kernel at %ld page faults (fault-around "
		    "mapped\nthe rest), the second at none; pread() at no fault", f1 - f0);
	claim_end(11, ok, "reading through the mapping made no system call, but the first "
		  "pass entered the kernel %ld times, at page faults: a fault is a trap into "
		  "the kernel just like a system call, with no context switch in either "
		  "case. Fault-around made it %ld and not %d; once mapped, the pages cost "
		  "nothing more. Whether that beats read() depends: mmap(), the faults and "
		  "munmap() (with its TLB flush) have their own price, and for small or "
		  "one-pass reads read() is often as fast or faster.", f1 - f0, f1 - f0,
		  PASS_PAGES);
}

void ch_file(void)
{
	struct vmlab_stats a, b;
	struct vmlab_vma v;
	struct pev e0, e1, eb;
	char buf[16] = { 0 };
	bool ok_read, ok_file, ok_line, ok_page, ok;
	char *m;
	int fd;

	para("The object behind %s behaves like a file on a RAM disk: read() and "
	     "write() work on it. The classic experiment: put \"hello\" in the file, "
	     "map the file, overwrite the text with a plain store through the pointer, "
	     "and read the file back with read().", VMLAB_DEVICE);
	fd = open_dev();
	if (fd < 0)
		return;
	step("fd = open(\"%s\"); write(fd, \"hello\\n\", 6); fsync(fd)", VMLAB_DEVICE);
	stats(&a);
	if (pwrite(fd, "hello\n", 6, 0) != 6 || fsync(fd)) {
		check(false, "write: %s", strerror(errno));
		close(fd);
		return;
	}
	stats(&b);
	ev("module: %s:", diff_str(&a, &b));
	ev("write() filled a new object page; fsync() wrote it back: it is clean");

	step("m = mmap(NULL, 6, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)");
	m = mmap(NULL, 6, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED) {
		check(false, "mmap: %s", strerror(errno));
		close(fd);
		return;
	}
	ev("m = %p; its line in /proc/self/maps:", (void *)m);
	ev("  %s", maps_line(0, m));
	if (vmlab_maps_find(0, (uintptr_t)m, &v))
		memset(&v, 0, sizeof(v));
	ok_line = check(!strcmp(v.perms, "rw-s"), "\"%s\": readable, writable, not executable, "
			"s = shared: stores go to the file", v.perms);
	ok_page = check(v.end - v.start == T.ps, "6 bytes asked, one whole page (%zu bytes) "
			"mapped: mappings are made of pages", (size_t)(v.end - v.start));
	e0 = pev(0, m);
	ok = check(!e0.present, "no page is mapped yet: %s", pev_str(&e0));
	claim_end(1, ok_line, "the mapping is a new line of /proc/self/maps, \"rw-s\" with the "
		  "file's name, here %s.", VMLAB_DEVICE);
	claim_end(8, ok_page, "6 bytes asked, a whole page of %zu bytes mapped: the other "
		  "%zu bytes of the page are mapped too.", T.ps, T.ps - 6);
	claim_end(2, ok, "mmap() only made the area: no page of the file is mapped yet and "
		  "nothing was read. A page comes when the program first touches it, in "
		  "the next step.");

	step("read the text through the pointer: a plain load of m[0..4]");
	stats(&a);
	memcpy(buf, m, 5);
	stats(&b);
	e0 = pev(0, m);
	check(!strcmp(buf, "hello"), "m reads \"%s\", with no read() call", buf);
	ev("module: %s: the first access faulted, the module", diff_str(&a, &b));
	ev("mapped the object's page that write() had filled");
	ok = check(e0.present && (!T.inspect || (e0.obj && e0.obj_off == 0)),
		   "page table: %s", pev_str(&e0));
	if (e0.write_known)
		check(!e0.write, "read-only although the mapping is writable, so that the "
		      "kernel notices\nthe first store (to mark the page dirty)");
	claim_end(4, ok, "nothing was copied at the fault. The kernel mapped the file's own "
		  "page, the one write() had filled (a file's page cache; here, the "
		  "object's page), so the mapping and read() use one frame.");

	step("memcpy(m, \"HELLO\", 5): a plain store, no write()");
	stats(&a);
	memcpy(m, "HELLO", 5);
	stats(&b);
	e1 = pev(0, m);
	check(D(a, b, page_mkwrite) == 1 && b.pages_dirty == 1,
	      "the store faulted once: %s", diff_str(&a, &b));
	check(same(&e0, &e1) && (!e1.write_known || e1.write),
	      "same frame, now writable: %s", pev_str(&e1));

	step("read the file back: pread(fd, buf, 6, 0)");
	memset(buf, 0, sizeof(buf));
	ok_read = pread(fd, buf, 6, 0) == 6;
	ok_file = ok_read && !memcmp(buf, "HELLO\n", 6);
	buf[5] = 0;
	check(ok_file, "read() returns \"%s\": the file itself changed", buf);
	claim_end(10, ok_file, "a plain store into the MAP_SHARED mapping changed the file: "
		  "read() returns the new bytes, with no write() call.");
	eb = pev(0, buf);
	ok = check(ok_file && eb.present && !same(&eb, &e1) && (!T.inspect || !eb.obj),
		   "read() copied them into buf, a page of this process's own stack\n(%s), "
		   "not the file's frame (%s)", frame_name(&eb), frame_name(&e1));
	fig_rows("After read(): m maps the file's page, buf a copy in a frame of its own", 1,
		 (const char *[]){ "the tour" },
		 (pid_t[]){ 0 }, (const void *[]){ m, buf }, (const char *[]){ "m (rw-s)",
		 "buf (stack)" }, 2);
	claim_end(12, ok, "read() copied the bytes from the file's frame into the buffer, "
		  "another frame: two frames now hold the same bytes. The mapping reads "
		  "and writes the file's frame itself, with no copy.");
	munmap(m, 6);
	mapped_vs_read(fd);
	close(fd);
	observed("after a plain store into the rw-s mapping, read() returned \"%s\"; "
		 "the mapping and the file share one frame, %s", buf, frame_name(&e1));
}
