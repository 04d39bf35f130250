// SPDX-License-Identifier: GPL-2.0
/*
 * Chapter 3, demand-zero pages and the zero frame: never-written private
 * pages map the kernel's one zero page.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "tour.h"

/* /proc/kpagecount of the zero page (root), -1 if unknown. */
static long zero_page_count(void)
{
	char *z = mmap(NULL, T.ps, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct pev e;

	if (z == MAP_FAILED)
		return -1;
	(void)*(volatile char *)z;
	e = pev(0, z);
	munmap(z, T.ps);
	return e.kzero && e.have_pfn ? e.kpagecount : -1;
}

/* Claim 27: private anonymous memory has no file; shared has a hidden one. */
static void anon_file(void)
{
	struct vmlab_vma vp, vs;
	struct vmlab_smaps sp, ss;
	struct pev ep, es;
	char *pa, *sa;
	bool ok, known = T.inspect;

	step("pa = mmap(MAP_PRIVATE | MAP_ANONYMOUS), sa = mmap(MAP_SHARED | "
	     "MAP_ANONYMOUS), one page each; write a byte to each");
	pa = mmap(NULL, T.ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	sa = mmap(NULL, T.ps, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (pa == MAP_FAILED || sa == MAP_FAILED) {
		check(false, "mmap: %s", strerror(errno));
		goto out;
	}
	pa[0] = 1;
	sa[0] = 1;
	memset(&vp, 0, sizeof(vp));
	memset(&vs, 0, sizeof(vs));
	vmlab_maps_find(0, (uintptr_t)pa, &vp);
	vmlab_maps_find(0, (uintptr_t)sa, &vs);
	if (vmlab_smaps(0, (uintptr_t)pa, T.ps, &sp))
		memset(&sp, 0, sizeof(sp));
	if (vmlab_smaps(0, (uintptr_t)sa, T.ps, &ss))
		memset(&ss, 0, sizeof(ss));
	ep = pev(0, pa);
	es = pev(0, sa);
	known |= ep.have_pfn;
	ev("pa: %s", maps_line(0, pa));
	ev("sa: %s", maps_line(0, sa));
	ok = check(!vp.path[0] && vp.inode == 0 && sp.anonymous == (long)(T.ps / 1024),
		   "pa names no file (inode 0, no path); smaps: Anonymous %ld kB", sp.anonymous);
	if (known)
		ok &= check(ep.anon && !ep.file, "pa's page is anonymous memory, no file's: %s",
			    pev_str(&ep));
	ok &= check(strstr(vs.path, "/dev/zero") && vs.inode != 0 && ss.anonymous == 0,
		    "sa IS a file: \"%s\", inode %" PRIu64 ", a hidden tmpfs (shmem) file;\n"
		    "smaps: Anonymous %ld kB", vs.path, vs.inode, ss.anonymous);
	if (known)
		ok &= check(!es.anon, "sa's page is that file's page, not anonymous: %s",
			    pev_str(&es));
	claim_end(27, ok, "only shared anonymous memory is a file: a hidden tmpfs file, "
		  "\"/dev/zero (deleted)\" in maps, whose pages are its page cache. "
		  "Private anonymous memory has no file at all: a read maps the zero page, "
		  "a write's fault takes a new frame and zeroes it (ANON, counted in "
		  "Anonymous); nothing is read from anywhere, and under pressure its "
		  "pages go to swap, not to a file.");
out:
	if (pa != MAP_FAILED)
		munmap(pa, T.ps);
	if (sa != MAP_FAILED)
		munmap(sa, T.ps);
}

void ch_zero(void)
{
	const size_t n = 16;
	struct vmlab_stats a, b;
	struct vmlab_smaps sm;
	struct pev e[16], e5, z, x;
	bool zeros = true, one = true, ro = true, others = true, no_count = true;
	bool ok_zero, ok;
	long f0, f1, kc0 = -1, kc1 = -1;
	char *m, *an, *sh;
	size_t i;
	int fd;

	para("A page that was never written holds zeros. Reading such pages through a "
	     "private mapping needs no memory: the kernel maps its zero page, one "
	     "read-only frame of zeros, wherever they are read. It is the very page "
	     "anonymous memory reads from, and vmlab's private mappings use it for the "
	     "object's holes. Its entries are special: no count is kept on the page and "
	     "Rss does not count them. Only a write gives a page a frame of its own "
	     "(a copy, made by the fault).");
	fd = open_dev();
	if (fd < 0)
		return;
	step("m = mmap(NULL, %zu pages, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0); "
	     "read every page", n);
	m = map_dev(fd, n * T.ps, false);
	if (!m) {
		close(fd);
		return;
	}
	kc0 = zero_page_count();
	stats(&a);
	f0 = vmlab_minflt();
	for (i = 0; i < n; i++)
		zeros &= m[i * T.ps] == 0 && m[i * T.ps + T.ps - 1] == 0;
	f1 = vmlab_minflt();
	stats(&b);
	for (i = 0; i < n; i++) {
		e[i] = pev(0, m + i * T.ps);
		one &= same(&e[0], &e[i]);
		ro &= !e[i].write_known || !e[i].write;
		no_count &= !T.inspect || e[i].special;
	}
	check(zeros, "every page reads as zeros");
	fig_pages("Every page of the private mapping read: all map the kernel's zero page", 1,
		  (const char *[]){ "the tour" }, (pid_t[]){ 0 }, m, (int)n);
	check(one, "all %zu pages are present and map ONE frame: %s", n, frame_name(&e[0]));
	ok_zero = check(ro && e[0].kzero && !e[0].vzero && !e[0].anon,
			"it is the kernel's zero page, mapped read-only (%s)",
	      T.inspect ? "inspect: page bit zero" : "kpageflags: ZERO_PAGE");
	if (T.inspect)
		check(no_count, "each entry is special: the kernel keeps no count on the page "
		      "for it");
	check(D(a, b, zero_frame_maps) == (long long)n && D(a, b, pages_allocated) == 0,
	      "module: %s:\nno memory allocated (%ld minor faults)", diff_str(&a, &b), f1 - f0);
	if (!vmlab_smaps(0, (uintptr_t)m, n * T.ps, &sm))
		check(sm.rss == 0, "smaps: Rss %ld kB, Pss %ld kB: entries of the zero page are "
		      "not counted", sm.rss, sm.pss);

	step("beside it, a private anonymous mapping: mmap(MAP_PRIVATE | MAP_ANONYMOUS), "
	     "read %zu pages", n);
	an = mmap(NULL, n * T.ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (an == MAP_FAILED) {
		check(false, "mmap: %s", strerror(errno));
		munmap(m, n * T.ps);
		close(fd);
		return;
	}
	madvise(an, n * T.ps, MADV_NOHUGEPAGE);
	zeros = true;
	one = true;
	for (i = 0; i < n; i++)
		zeros &= an[i * T.ps] == 0;
	z = pev(0, an);
	for (i = 1; i < n; i++) {
		x = pev(0, an + i * T.ps);
		one &= same(&z, &x);
	}
	ok = check(zeros && one && z.kzero && !z.anon, "all read zeros from one frame, the "
		   "kernel's zero page: %s", frame_name(&z));
	ok &= check(same(&z, &e[0]), "the same frame as the holes of the vmlab mapping (%s): "
		    "one zero page\nfor both", frame_name(&e[0]));
	kc1 = zero_page_count();
	if (kc0 >= 0 && kc1 >= 0) {
		check(kc0 == kc1, "kpagecount of the zero page: %ld before the 2 x %zu reads, "
		      "%ld after: it does not grow", kc0, n, kc1);
	} else {
		ev("(kpagecount, which would show the zero page's count not growing, is root's)");
	}
	claim_end(28, ok_zero && ok, "they share one page, but it is no anonymous memory: it "
		  "is the kernel's own read-only page of zeros (page flag ZERO_PAGE, not "
		  "ANON), mapped by special entries that Rss does not count, for every "
		  "process and every private mapping alike.");

	step("an[5 * %zu] = 1: write into page 5 of the anonymous mapping", T.ps);
	f0 = vmlab_minflt();
	an[5 * T.ps] = 1;
	f1 = vmlab_minflt();
	e5 = pev(0, an + 5 * T.ps);
	others = true;
	for (i = 0; i < n; i++) {
		if (i == 5)
			continue;
		x = pev(0, an + i * T.ps);
		others &= same(&x, &z);
	}
	ok = check(e5.present && !same(&e5, &z) && e5.anon && !e5.kzero &&
		   (!e5.write_known || e5.write), "page 5 has an anonymous frame of its own "
		   "(%ld minor fault): %s", f1 - f0, pev_str(&e5));
	ok &= check(others, "the other %zu pages still map the zero page", n - 1);
	fig_pages("The anonymous mapping after the write to page 5: an anonymous frame for "
		  "it, the zero page for the rest", 1, (const char *[]){ "the tour" },
		  (pid_t[]){ 0 }, an, (int)n);
	claim_end(29, ok, "the write faulted once and the kernel gave page 5 a new anonymous "
		  "frame (page flag ANON), filled with zeros; the other pages still share "
		  "the zero page.");
	others = true;
	munmap(an, n * T.ps);

	step("m[5 * %zu] = 1: write into page 5", T.ps);
	stats(&a);
	f0 = vmlab_minflt();
	m[5 * T.ps] = 1;
	f1 = vmlab_minflt();
	stats(&b);
	e5 = pev(0, m + 5 * T.ps);
	for (i = 0; i < n; i++) {
		if (i == 5)
			continue;
		z = pev(0, m + i * T.ps);
		others &= same(&z, &e[0]);
	}
	check(e5.present && !same(&e5, &e[0]) && e5.anon && (!e5.write_known || e5.write),
	      "page 5 has a frame of its own: %s", pev_str(&e5));
	fig_pages("After the write to page 5: a private copy of its own; the rest still the "
		  "zero page", 1, (const char *[]){ "the tour" }, (pid_t[]){ 0 }, m, (int)n);
	check(others, "the other %zu pages still map the zero page", n - 1);
	check(D(a, b, pages_allocated) == 0 && f1 - f0 >= 1,
	      "one minor fault; module: %s: the kernel copied the\nzero page by itself, "
	      "the object was not touched", diff_str(&a, &b));
	if (!vmlab_smaps(0, (uintptr_t)m, n * T.ps, &sm))
		check(sm.anonymous == (long)(T.ps / 1024) && sm.rss == (long)(T.ps / 1024),
		      "smaps: Anonymous %ld kB, Rss %ld kB: only the private copy counts",
		      sm.anonymous, sm.rss);
	munmap(m, n * T.ps);

	step("but a MAP_SHARED mapping cannot share a zero page: read one page of one");
	sh = map_dev(fd, T.ps, true);
	close(fd);
	if (!sh)
		return;
	stats(&a);
	zeros = sh[0] == 0;
	stats(&b);
	z = pev(0, sh);
	check(zeros && D(a, b, pages_allocated) == 1 && z.present && (!T.inspect || z.obj),
	      "it reads zeros from a new zero-filled page of the object (%s):\nanother process "
	      "may write it, and must see the same page", diff_str(&a, &b));
	munmap(sh, T.ps);
	anon_file();
	observed("%zu never-written private pages read as zeros from the kernel's zero page "
		 "(%s), the one anonymous memory reads, with Rss 0 kB; the first write gave "
		 "page 5 its own anonymous frame", n, frame_name(&e[0]));
}
