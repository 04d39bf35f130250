// SPDX-License-Identifier: GPL-2.0
/*
 * read_vs_mmap: read() copies the file into your buffer; mmap() lets you
 * use the file's own pages.
 *
 * read() copies bytes from the object's pages into a buffer of ours: two
 * copies of the same bytes in two different frames (pagemap, as root), so
 * a store into the buffer leaves the object as it was.  Through mmap() the
 * process's page table points at the object's page itself: no copy, and a
 * store is a store into the object.  The price of mmap() is page faults:
 * the first pass over the pages takes minor faults (fewer than pages, as
 * the kernel maps up to 16 neighbours that are there already per fault:
 * "fault-around"), the second pass none.  read() into a buffer already
 * touched takes no fault at all, but a system call per read.
 */
#include "evidence.h"

#define N	64

int main(void)
{
	int fd = vmlab_open();
	char *buf = malloc(N * PS), *m, c = 0;
	long f0, f_read, f_map1, f_map2;
	size_t i;

	printf("read_vs_mmap: read() copies into a buffer, mmap() maps the pages\n");
	if (!buf)
		die("malloc");
	memset(buf, 'o', N * PS);	/* the object's bytes; also touches buf */
	if (pwrite(fd, buf, N * PS, 0) != (ssize_t)(N * PS))
		die("pwrite");

	f0 = minflt();
	if (pread(fd, buf, N * PS, 0) != (ssize_t)(N * PS))
		die("pread");
	f_read = minflt() - f0;
	m = mmap(NULL, N * PS, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		die("mmap");
	f0 = minflt();
	for (i = 0; i < N * PS; i += PS)
		c += ((volatile char *)m)[i];	/* first pass: faults */
	f_map1 = minflt() - f0;
	f0 = minflt();
	for (i = 0; i < N * PS; i += PS)
		c += ((volatile char *)m)[i];	/* second pass: no faults */
	f_map2 = minflt() - f0;
	printf("pread(%d pages) into buf at %p; m = mmap(%d pages) at %p\n", N, (void *)buf, N,
	       (void *)m);
	check(buf != m && !memcmp(buf, m, N * PS), "same bytes at two addresses");
	if (pfn_of(buf))
		check(pfn_of(buf) != pfn_of(m), "two frames: buf's PFN %#llx, the object's %#llx",
		      (unsigned long long)pfn_of(buf), (unsigned long long)pfn_of(m));
	else
		printf("  (pagemap hides PFNs from non-root: run as root to see the frames)\n");
	check(f_read == 0, "pread: %ld minor faults (the kernel copied, in one system call)",
	      f_read);
	check(f_map1 > 0 && f_map1 <= N && f_map2 == 0,
	      "mmap: %ld minor faults for %d pages on the first pass, %ld on the second",
	      f_map1, N, f_map2);

	buf[0] = 'B';
	if (pread(fd, &c, 1, 0) != 1)
		die("pread");
	check(c == 'o', "buf[0] = 'B': the object still holds '%c': buf is a copy", c);
	m[0] = 'M';
	if (pread(fd, &c, 1, 0) != 1)
		die("pread");
	check(c == 'M', "m[0] = 'M': the object now holds '%c': m is the object's page", c);
	munmap(m, N * PS);
	close(fd);
	return ev_exit();
}
