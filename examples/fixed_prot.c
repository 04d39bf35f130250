// SPDX-License-Identifier: GPL-2.0
/*
 * fixed_prot: mmap()'s address is a hint, MAP_FIXED replaces whatever is
 * there without a word, PROT_NONE pages cannot be touched, and mprotect()
 * of part of a mapping splits it in two.
 */
#include "evidence.h"

int main(void)
{
	int fd = vmlab_open(), sig;
	struct vmlab_stats a, b;
	char *m, *q;

	printf("fixed_prot: hints, MAP_FIXED, PROT_NONE and mprotect()\n");
	m = mmap(NULL, PS, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		die("mmap");
	strcpy(m, "old contents");

	/* 1. A hint at a busy address is not honoured: another address comes back. */
	q = mmap(m, PS, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	check(q != MAP_FAILED && q != m, "mmap(hint %p, ...) where a mapping is: got %p",
	      (void *)m, (void *)q);
	munmap(q, PS);
	q = mmap(m, PS, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	check(q == MAP_FAILED && errno == EEXIST, "with MAP_FIXED_NOREPLACE: EEXIST");

	/* 2. MAP_FIXED: the old mapping at m is thrown away, no error. */
	a = vmlab_stats(fd);
	q = mmap(m, PS, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	b = vmlab_stats(fd);
	printf("mmap(%p, MAP_FIXED | MAP_ANONYMOUS) over the vmlab mapping holding \"%s\"\n",
	       (void *)m, "old contents");
	check(q == m && m[0] == 0, "it returns %p, which reads zeros: the old contents are gone",
	      (void *)q);
	check(b.vma_closes - a.vma_closes == 1,
	      "module: the old mapping was closed (vma_closes +1), without an error");
	munmap(m, PS);

	/* 3. PROT_NONE: the page is mapped, but every access is refused. */
	m = mmap(NULL, PS, PROT_NONE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		die("mmap");
	a = vmlab_stats(fd);
	sig = touch(m, 0);
	b = vmlab_stats(fd);
	show_maps(m, PS);
	check(sig == SIGSEGV && b.fault_shared_read == a.fault_shared_read,
	      "reading a PROT_NONE page: %s; the module saw no fault", signame(sig));
	munmap(m, PS);

	/* 4. mprotect() of the second page: one VMA becomes two. */
	m = mmap(NULL, 2 * PS, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		die("mmap");
	a = vmlab_stats(fd);
	mprotect(m + PS, PS, PROT_READ);
	b = vmlab_stats(fd);
	printf("mprotect(second page, PROT_READ):\n");
	check(show_maps(m, 2 * PS) == 2 && b.vma_opens - a.vma_opens == 1,
	      "maps shows two lines, rw-s and r--s (the module: vma_opens +1)");
	sig = touch(m + PS, 1);
	check(sig == SIGSEGV && !touch(m, 1), "a store to the first page works, to the second: %s",
	      signame(sig));
	munmap(m, 2 * PS);
	close(fd);
	return ev_exit();
}
