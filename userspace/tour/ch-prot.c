// SPDX-License-Identifier: GPL-2.0
/*
 * Chapter 5, where mappings go: addresses, MAP_FIXED and protections.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "tour.h"

#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE	0x03
#endif
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE	0x100000
#endif

static int prot_data = 1;	/* in the program's data */

/* The VMA named @name ("[heap]", "[stack]") of this process: true if found. */
static bool find_named(const char *name, struct vmlab_vma *out)
{
	struct vmlab_vma *v;
	size_t n, i;
	bool found = false;

	if (vmlab_maps_read(0, &v, &n))
		return false;
	for (i = 0; i < n && !found; i++)
		if (!strcmp(v[i].path, name)) {
			*out = v[i];
			found = true;
		}
	free(v);
	return found;
}

static uintptr_t dist(uintptr_t a, uintptr_t b)
{
	return a > b ? a - b : b - a;
}

/* Claim 16: MAP_SHARED | MAP_PRIVATE is MAP_SHARED_VALIDATE. */
static void both_flags(int fd)
{
	struct vmlab_vma v;
	void *m, *a;
	bool ok, ok_anon;
	int err;

	step("mmap(NULL, %zu, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_PRIVATE, fd, 0), then "
	     "the same with MAP_ANONYMOUS and no file", T.ps);
	m = mmap(NULL, T.ps, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_PRIVATE, fd, 0);
	err = m == MAP_FAILED ? errno : 0;
	memset(&v, 0, sizeof(v));
	if (m != MAP_FAILED) {
		ev("the file mapping succeeded: %s", maps_line(0, m));
		vmlab_maps_find(0, (uintptr_t)m, &v);
	} else {
		ev("the file mapping failed: %s", strerror(err));
	}
	ok = check(m != MAP_FAILED && !strcmp(v.perms, "rw-s"),
		   "MAP_SHARED | MAP_PRIVATE (= 0x%x, MAP_SHARED_VALIDATE) on %s made a "
		   "shared\nmapping, \"%s\"", MAP_SHARED | MAP_PRIVATE, VMLAB_DEVICE, v.perms);
	if (m != MAP_FAILED)
		munmap(m, T.ps);
	a = mmap(NULL, T.ps, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	err = a == MAP_FAILED ? errno : 0;
	ok_anon = check(a == MAP_FAILED && err == EINVAL, "anonymous: %s",
			a == MAP_FAILED ? strerror(err) : "it succeeded");
	if (a != MAP_FAILED)
		munmap(a, T.ps);
	claim_end(16, ok && ok_anon, "the two bits together are a third value, "
		  "MAP_SHARED_VALIDATE (0x3, since Linux 4.15): for a file it is a shared "
		  "mapping whose other flags the kernel checks (an unknown one fails with "
		  "EOPNOTSUPP instead of being ignored); only anonymous memory, which has "
		  "no such mode, refuses it with EINVAL.");
}

/* Claim 17: shared and private mappings both go to the mmap area. */
static void where(int fd)
{
	struct vmlab_vma heap, stack;
	char *s, *p, *blk;
	bool have_heap, have_stack, ok;
	uintptr_t hi, lo;

	step("map %s MAP_SHARED (s) and MAP_PRIVATE (p); malloc(1000); compare with "
	     "[heap], the program's data and [stack]", VMLAB_DEVICE);
	s = map_dev(fd, T.ps, true);
	p = map_dev(fd, T.ps, false);
	blk = malloc(1000);
	if (!s || !p || !blk)
		goto out;
	blk[0] = 1;
	have_heap = find_named("[heap]", &heap);
	have_stack = find_named("[stack]", &stack);
	ev("data     %p  %s", (void *)&prot_data, maps_line(0, &prot_data));
	ev("malloc   %p  %s", (void *)blk, maps_line(0, blk));
	ev("s        %p  %s", (void *)s, maps_line(0, s));
	ev("p        %p  %s", (void *)p, maps_line(0, p));
	ev("stack    %p  %s", (void *)&ok, maps_line(0, &ok));
	fig_rows("The program's data, its heap, s and p (not touched yet: no frame) and the "
		 "stack: the frames each maps", 1, (const char *[]){ "the tour" },
		 (pid_t[]){ 0 }, (const void *[]){ &prot_data, blk, s, p, &ok },
		 (const char *[]){ "data", "malloc", "s (shared)", "p (private)", "stack" }, 5);
	hi = (uintptr_t)(s > p ? s : p);
	lo = (uintptr_t)(s > p ? p : s);
	ok = check(have_heap && (uintptr_t)blk >= heap.start && (uintptr_t)blk < heap.end,
		   "the malloc'd block is in [heap], right after the program's data");
	ok &= check(have_heap && lo > heap.end + 1024 * MiB && (uintptr_t)&prot_data < heap.start,
		    "s and p both lie far above [heap] and the data (%.1f TiB above the "
		    "heap's end)", have_heap ? (lo - heap.end) / 1048576.0 / MiB : 0.0);
	ok &= check(dist(hi, lo) < 64 * MiB && (!have_stack || hi < stack.start),
		    "s and p are %zu kB apart, together below [stack]: one region, the\n"
		    "mmap area, which grows down from below the stack",
		    (size_t)(dist(hi, lo) / 1024));
	claim_end(17, ok, "MAP_SHARED and MAP_PRIVATE mappings go to the same place, the "
		  "mmap area below the stack, side by side (each its own area of the "
		  "address space, \"s\" or \"p\" in maps). The heap and data are the "
		  "program's brk area, which mmap() does not use; sharing is a property "
		  "of each area, not of a region.");
out:
	free(blk);
	if (s)
		munmap(s, T.ps);
	if (p)
		munmap(p, T.ps);
}

/* Claim 18: the address is a hint; MAP_FIXED takes it, replacing what is there. */
static void fixed(int fd)
{
	struct vmlab_vma v;
	struct vmlab_stats a, b;
	char *hole, *m, *m2, *f, *nr;
	bool ok, ok2, ok3, ok4;
	char c;
	int err;

	if (pwrite(fd, "object", 6, 0) != 6) {
		check(false, "write: %s", strerror(errno));
		return;
	}
	/* A free address: a mapping made and removed. */
	hole = mmap(NULL, 4 * T.ps, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (hole == MAP_FAILED) {
		check(false, "mmap: %s", strerror(errno));
		return;
	}
	munmap(hole, 4 * T.ps);
	hole += T.ps;

	step("mmap(%p, %zu, ..., MAP_SHARED, fd, 0): a hint at a free address", (void *)hole,
	     T.ps);
	m = mmap(hole, T.ps, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED) {
		check(false, "mmap: %s", strerror(errno));
		return;
	}
	ok = check(m == hole, "the kernel took the hint: %p", (void *)m);

	step("the same hint again, while m is mapped there");
	m2 = mmap(hole, T.ps, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ok2 = check(m2 != MAP_FAILED && m2 != hole, "the hint is not taken: it got %p instead",
		    m2 == MAP_FAILED ? NULL : (void *)m2);
	if (m2 != MAP_FAILED)
		munmap(m2, T.ps);

	step("MAP_FIXED_NOREPLACE at the same address");
	nr = mmap(hole, T.ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS |
		  MAP_FIXED_NOREPLACE, -1, 0);
	err = nr == MAP_FAILED ? errno : 0;
	ok3 = check(nr == MAP_FAILED && err == EEXIST, "it fails: %s",
		    nr == MAP_FAILED ? strerror(err) : "it succeeded");
	if (nr != MAP_FAILED && nr != hole)
		munmap(nr, T.ps);

	step("m reads \"%.6s\"; mmap(%p, ..., MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)",
	     m, (void *)hole);
	stats(&a);
	f = mmap(hole, T.ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
		 -1, 0);
	stats(&b);
	if (f == MAP_FAILED) {
		check(false, "mmap(MAP_FIXED): %s", strerror(errno));
		munmap(m, T.ps);
		return;
	}
	memset(&v, 0, sizeof(v));
	vmlab_maps_find(0, (uintptr_t)f, &v);
	ev("%s", maps_line(0, f));
	c = f[0];
	ok4 = check(f == hole && !strcmp(v.perms, "rw-p") && !v.path[0],
		    "MAP_FIXED put the new mapping exactly there: anonymous \"%s\"", v.perms);
	ok4 &= check(D(a, b, vma_closes) == 1 && c == 0,
		     "the object's mapping was removed without munmap() (module: %s);\n"
		     "f[0] reads %d, not 'o'", diff_str(&a, &b), c);
	munmap(f, T.ps);
	claim_end(18, ok && ok2 && ok3 && ok4, "a hint at a free address was taken, one on a "
		  "live mapping was moved elsewhere; MAP_FIXED took the address and silently "
		  "unmapped what was there (MAP_FIXED_NOREPLACE refuses instead, EEXIST).");
}

/* Claim 19: the protections decide which accesses the kernel allows. */
static void prot(int fd)
{
	struct vmlab_vma v;
	struct vmlab_stats a, b;
	struct pev e;
	char *m;
	char buf[8] = { 0 };
	int sr, sw, sr2;
	bool ok, ok2;

	if (pwrite(fd, "object", 6, 0) != 6) {
		check(false, "write: %s", strerror(errno));
		return;
	}
	step("m = mmap(NULL, %zu, PROT_NONE, MAP_SHARED, fd, 0); a child reads m[0]", T.ps);
	m = mmap(NULL, T.ps, PROT_NONE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED) {
		check(false, "mmap: %s", strerror(errno));
		return;
	}
	memset(&v, 0, sizeof(v));
	vmlab_maps_find(0, (uintptr_t)m, &v);
	ev("%s", maps_line(0, m));
	stats(&a);
	sr = vmlab_probe(m, false, 0);
	stats(&b);
	ok = check(!strcmp(v.perms, "---s") && sr == SIGSEGV, "\"%s\": the read is killed by %s",
		   v.perms, signame(sr));
	ok &= check(D(a, b, fault_shared_read) == 0, "the module saw no fault (%s): the kernel "
		    "refused\nthe access itself, from the area's protection",
		    diff_str(&a, &b));

	step("mprotect(m, %zu, PROT_READ); a child reads m[0], another writes it", T.ps);
	if (mprotect(m, T.ps, PROT_READ)) {
		check(false, "mprotect: %s", strerror(errno));
		munmap(m, T.ps);
		return;
	}
	vmlab_maps_find(0, (uintptr_t)m, &v);
	sr2 = vmlab_probe(m, false, 0);
	sw = vmlab_probe(m, true, 'X');
	memcpy(buf, m, 6);
	e = pev(0, m);
	ok2 = check(!strcmp(v.perms, "r--s") && sr2 == 0 && sw == SIGSEGV,
		    "\"%s\": the read completes, the write is killed by %s", v.perms,
		    signame(sw));
	ev("m reads \"%s\"; page table: %s", buf, pev_str(&e));
	ok2 &= check(!strcmp(buf, "object"), "the refused write changed nothing");
	if (e.write_known)
		ok2 &= check(!e.write, "the page table entry is read-only");
	munmap(m, T.ps);
	claim_end(19, ok && ok2, "PROT_NONE refused every access and PROT_READ every store, "
		  "with SIGSEGV. The kernel checks the area's protection at the fault and "
		  "marks the page table entries to match (here read-only); PROT_EXEC is the "
		  "same check for instruction fetches (NX on the others). mprotect() "
		  "changes them later.");
}

void ch_prot(void)
{
	int fd;

	para("Where does mmap() put a mapping, and what does it let the program do? "
	     "The address is the kernel's choice unless MAP_FIXED forces it; MAP_SHARED "
	     "and MAP_PRIVATE choose how stores travel, not where the mapping goes; the "
	     "protections decide which accesses fault into SIGSEGV.");
	fd = open_dev();
	if (fd < 0)
		return;
	both_flags(fd);
	where(fd);
	fixed(fd);
	prot(fd);
	close(fd);
	observed("MAP_SHARED | MAP_PRIVATE is MAP_SHARED_VALIDATE; both kinds of mapping "
		 "sit in the mmap area; MAP_FIXED replaced a live mapping; PROT_NONE and "
		 "PROT_READ refused accesses with SIGSEGV");
}
