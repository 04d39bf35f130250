// SPDX-License-Identifier: GPL-2.0
/*
 * munmap: a mapping outlives the file descriptor it was made from; after
 * munmap() the addresses are gone and touching them is SIGSEGV.
 *
 * mmap() takes its own reference to the open file, so close(fd) right
 * after it changes nothing: loads and stores through the mapping still
 * reach the object.  munmap() removes the mapping (the VMA): the module
 * sees its .close, and the next access to those addresses finds no
 * mapping at all, which the kernel answers with SIGSEGV.
 */
#include "evidence.h"

int main(void)
{
	int fd = vmlab_open(), ev = vmlab_open(), sig;
	struct vmlab_stats a, b;
	char buf[16] = "", line[512];
	char *m;

	printf("munmap: the mapping outlives close(fd); after munmap() access is SIGSEGV\n");
	m = mmap(NULL, PS, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		die("mmap");
	close(fd);	/* the mapping keeps the file open by itself */
	printf("m = mmap(MAP_SHARED, fd); close(fd); strcpy(m, \"after close\")\n");
	strcpy(m, "after close");
	if (pread(ev, buf, sizeof(buf) - 1, 0) < 0)	/* ev: another open file */
		die("pread");
	check(!strcmp(buf, "after close"), "the store reached the object: pread reads \"%s\"",
	      buf);
	maps_line(m, line, sizeof(line));
	printf("    maps: %s", line);
	check(strstr(line, "vmlab"), "/proc/self/maps still lists the mapping");

	a = vmlab_stats(ev);
	munmap(m, PS);
	b = vmlab_stats(ev);
	printf("munmap(m, %zu)\n", PS);
	check(b.vma_closes - a.vma_closes == 1, "module: its VMA was closed (vma_closes +1)");
	maps_line(m, line, sizeof(line));
	check(!strstr(line, "vmlab"), "/proc/self/maps: %s", "no mapping at m any more");
	sig = touch(m, 0);
	check(sig == SIGSEGV, "reading m: %s (caught), no mapping there", signame(sig));
	if (pread(ev, buf, sizeof(buf) - 1, 0) < 0)
		die("pread");
	check(!strcmp(buf, "after close"), "the data stays in the object: \"%s\"", buf);
	close(ev);
	return ev_exit();
}
