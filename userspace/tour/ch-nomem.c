// SPDX-License-Identifier: GPL-2.0
/*
 * Chapter 7, not enough memory: mmap beyond the available memory
 * succeeds; touching past it gets SIGBUS.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "tour.h"
#include "figure.h"

void ch_nomem(void)
{
	size_t size = T.st.size, limit = T.st.mem_limit, lp = limit / T.ps;
	struct vmlab_stats a, b;
	struct vmlab_smaps sm;
	volatile long *count;
	long free0, free1;
	void *huge;
	char *m;
	pid_t pid;
	int fd, st, sig, mf;
	struct stat sb;
	char c = 0;
	struct pev e;
	bool ok;

	para("Two different shortages. Virtual memory runs out when the address space "
	     "has no room for a mapping: mmap() itself fails. Physical memory runs out "
	     "later, when pages are touched: mmap() succeeded long ago, and the fault "
	     "that needs a frame is what fails. vmlab's object has a memory limit "
	     "(mem_limit_mb) that plays the physical memory: a fault that needs a page "
	     "past it gets SIGBUS.");
	fd = open_dev();
	if (fd < 0)
		return;
	step("mmap(NULL, 256 TiB, ..., MAP_SHARED, fd, 0): more than the whole address space");
	huge = mmap(NULL, 1UL << 48, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	check(huge == MAP_FAILED && errno == ENOMEM,
	      "it fails at once%s: out of virtual memory, whatever is free",
	      huge != MAP_FAILED ? "... no, it succeeded" : errno == ENOMEM ?
	      " with ENOMEM" : strerror(errno));
	if (huge != MAP_FAILED)
		munmap(huge, 1UL << 48);

	count = mmap(NULL, T.ps, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (count == MAP_FAILED) {
		check(false, "mmap: %s", strerror(errno));
		close(fd);
		return;
	}
	if (limit < size) {
		step("m = mmap(NULL, %zu MiB, ..., MAP_SHARED, fd, 0): the whole object, though "
		     "it may hold only %zu MiB", size / MiB, limit / MiB);
		stats(&a);
		m = map_dev(fd, size, true);
		if (!m)
			goto out;
		stats(&b);
		if (vmlab_smaps(0, (uintptr_t)m, size, &sm))
			memset(&sm, 0, sizeof(sm));
		check(D(a, b, pages_allocated) == 0 && sm.rss == 0,
		      "mmap succeeds: it reserved %zu MiB of addresses and no memory (Rss %ld kB)",
		      size / MiB, sm.rss);

		step("a child writes one byte per page from the start, counting the pages");
		free0 = vmlab_free_kb();
		stats(&a);
		fflush(stdout);
		pid = fork();
		if (pid == 0) {
			size_t i;

			vmlab_child_quiet();
			for (i = 0; i < size / T.ps; i++) {
				m[i * T.ps] = 1;
				*count = (long)i + 1;
			}
			_exit(0);
		}
		st = pid > 0 ? vmlab_wait(pid) : -1;
		sig = st >= 128 ? st - 128 : 0;
		stats(&b);
		free1 = vmlab_free_kb();
		check(sig == SIGBUS, "the child was %s%s", sig ? "killed by " : "not killed",
		      sig ? signame(sig) : "");
		check(*count == (long)lp, "after %ld pages (%.1f MiB): exactly the memory limit, "
		      "%zu pages", *count, *count * (double)T.ps / MiB, lp);
		check(D(a, b, sigbus) == 1 && b.pages_resident == lp,
		      "module: %s;\nthe object holds %" PRIu64 " pages, its limit",
		      diff_str(&a, &b), (uint64_t)b.pages_resident);
		ev("free memory fell by %.1f MiB", mib(free0 - free1));
		if (rec_on()) {
			static struct fig_values v;
			char sh[32], t[96];

			snprintf(t, sizeof(t), "mmap() of %zu MiB, touched up to the object's "
				 "memory limit", size / MiB);
			fig_values_begin(&v, t, "MiB");
			snprintf(sh, sizeof(sh), "%zu MiB", size / MiB);
			fig_values_row(&v, "m: the addresses mmap() reserved (no memory)",
				       (double)(size / MiB), sh, "mmap succeeds", false);
			snprintf(sh, sizeof(sh), "%.1f MiB", *count * (double)T.ps / MiB);
			fig_values_row(&v, "what the child wrote, a byte per page",
				       *count * (double)T.ps / MiB, sh, sig == SIGBUS ?
				       "then SIGBUS" : "", sig == SIGBUS);
			snprintf(sh, sizeof(sh), "%zu MiB", limit / MiB);
			fig_values_limit(&v, "memory limit (mem_limit_mb)", (double)(limit / MiB),
					 sh);
			fig_values(&v, "The object's mapping against its memory limit: mmap() "
				   "reserved the whole object; the child's touches stopped at the "
				   "limit, with SIGBUS.");
		}
		munmap(m, size);
		vmlab_reset(T.fd, NULL);
	} else {
		step("(the memory limit is the object's size: nothing to show past it. Load "
		     "vmlab with mem_limit_mb below size_mb, e.g. size_mb=128 mem_limit_mb=112.)");
	}

	step("m = mmap(NULL, %zu MiB + 1 page, ...): past the end of the object", size / MiB);
	m = map_dev(fd, size + T.ps, true);
	if (!m)
		goto out;
	stats(&a);
	sig = vmlab_probe(m + size, true, 1);
	stats(&b);
	check(sig == SIGBUS, "touching the page past the end: %s; mmap() had succeeded",
	      signame(sig > 0 ? sig : 0));
	ev("module: %s", diff_str(&a, &b));
	munmap(m, size + T.ps);

	step("a file of 6 bytes mapped 100 MiB: f = memfd_create(); write(f, \"hello\\n\", 6); "
	     "m = mmap(NULL, 100 MiB, ..., MAP_SHARED, f, 0)");
	mf = memfd_create("six-bytes", MFD_CLOEXEC);
	if (mf < 0 || write(mf, "hello\n", 6) != 6) {
		check(false, "memfd_create, write: %s", strerror(errno));
		goto out;
	}
	m = mmap(NULL, 100 * MiB, PROT_READ | PROT_WRITE, MAP_SHARED, mf, 0);
	ok = check(m != MAP_FAILED, "mmap of 100 MiB of the 6-byte file %s",
		   m != MAP_FAILED ? "succeeds" : strerror(errno));
	if (m != MAP_FAILED) {
		m[100] = '!';
		if (fstat(mf, &sb))
			sb.st_size = -1;
		ok &= check(m[100] == '!' && sb.st_size == 6 && pread(mf, &c, 1, 100) == 0,
			    "a store at byte 100, past the end of "
			    "the file but in its last page, works;\nthe file still holds %lld "
			    "bytes and read() at 100 finds nothing: the store never reaches it",
			    (long long)sb.st_size);
		sig = vmlab_probe(m + T.ps, false, 0);
		ok &= check(sig == SIGBUS, "reading page 1, wholly past the end of the file: %s",
			    signame(sig > 0 ? sig : 0));
		e = pev(0, m);
		ev("m's page 0: %s", pev_str(&e));
		fig_pages("A 6-byte file mapped 100 MiB: page 0 in the page cache, page 1 none",
			  1, (const char *[]){ "the tour" }, (pid_t[]){ 0 }, m, 2);
		munmap(m, 100 * MiB);
	}
	close(mf);
	claim_end(9, ok, "mmap() succeeds: it only reserves addresses and does not look at "
		  "the file's size. Only the file's pages are backed, though: the rest of its "
		  "last page takes stores that never reach the file, and a touch of a page "
		  "wholly past the end gets SIGBUS.");
	if (limit < size)
		observed("mmap of 256 TiB failed (ENOMEM); mmap of %zu MiB with a %zu MiB limit "
			 "succeeded, and the child got SIGBUS at page %zu", size / MiB,
			 limit / MiB, lp + 1);
	else
		observed("mmap of 256 TiB failed (ENOMEM); mmap past the end succeeded and the "
			 "touch got SIGBUS (the memory limit part needs mem_limit_mb < size_mb)");
out:
	munmap((void *)count, T.ps);
	close(fd);
}
