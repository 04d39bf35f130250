// SPDX-License-Identifier: GPL-2.0
/*
 * granularity: mappings are made of whole pages.  Seven bytes mapped take
 * a whole 4 KiB page; a fault past that page is SIGSEGV (no mapping), a
 * fault in a mapping past the end of the object is SIGBUS.
 *
 * We map 7 bytes of the object's last page.  The kernel rounds the length
 * up to a page: maps shows a 4096-byte mapping, and byte 4095 can be read
 * and written (it is the object's byte too).  The address right after the
 * page belongs to no mapping: SIGSEGV.  Then we map two pages from the
 * last page on: the mapping is there, but its second page lies past the
 * end of the object, which the module answers with SIGBUS.
 */
#include "evidence.h"

int main(void)
{
	int fd = vmlab_open(), sig;
	unsigned long lo = 0, hi = 0;
	char line[512], c = 0;
	off_t last;
	char *m;

	printf("granularity: a 7-byte mapping is a whole page\n");
	last = vmlab_stats(fd).size - PS;	/* the object's last page */
	/* Reserve 2 pages of addresses, map 7 bytes at the first, free the second. */
	m = mmap(NULL, 2 * PS, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED ||
	    mmap(m, 7, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, last) != m)
		die("mmap");
	munmap(m + PS, PS);	/* so that no mapping follows ours */
	printf("m = mmap(7 bytes, MAP_SHARED, fd, offset %lld)\n", (long long)last);
	maps_line(m, line, sizeof(line));
	printf("    maps: %s", line);
	check(sscanf(line, "%lx-%lx", &lo, &hi) == 2 && hi - lo == PS,
	      "the mapping is %lu bytes: one whole page", hi - lo);

	sig = touch(m + PS - 1, 1);	/* m[4095] = 1 */
	if (pread(fd, &c, 1, last + PS - 1) != 1)
		die("pread");
	check(!sig && c == 1, "m[%zu] = 1 works (%s), and reached the object's byte", PS - 1,
	      signame(sig));
	sig = touch(m + PS, 0);
	check(sig == SIGSEGV, "reading m[%zu], past the page: %s, no mapping there", PS,
	      signame(sig));
	munmap(m, PS);

	/* Two pages from the last page on: the second is past the object's end. */
	m = mmap(NULL, 2 * PS, PROT_READ | PROT_WRITE, MAP_SHARED, fd, last);
	if (m == MAP_FAILED)
		die("mmap");
	printf("m = mmap(2 pages, MAP_SHARED, fd, offset %lld): the object ends after the first\n",
	       (long long)last);
	sig = touch(m + PS, 0);
	check(sig == SIGBUS, "reading m[%zu]: %s: mapped, but no object behind it", PS,
	      signame(sig));
	munmap(m, 2 * PS);
	close(fd);
	return ev_exit();
}
