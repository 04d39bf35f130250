// SPDX-License-Identifier: GPL-2.0
/*
 * hello: a store into a MAP_SHARED mapping changes the file itself.
 *
 * The object behind /dev/vmlab behaves like a file.  We put "hello" in it
 * with write(), map it with MAP_SHARED, overwrite it with "HELLO" by a
 * plain memcpy() into memory, and read the file again with pread(): no
 * write() was needed for the file to change.  /proc/self/maps shows the
 * mapping as one line (a VMA) with "rw-s": readable, writable, shared.
 */
#include "evidence.h"

int main(void)
{
	int fd = vmlab_open();
	char buf[8] = "", line[512];
	char *m;

	printf("hello: memcpy() into a MAP_SHARED mapping changes the file\n");
	/* 1. The file holds "hello", written the ordinary way. */
	if (pwrite(fd, "hello", 5, 0) != 5)
		die("pwrite");

	/* 2. Map its first page, shared; mmap() reads nothing yet. */
	m = mmap(NULL, PS, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		die("mmap");
	printf("m = mmap(NULL, %zu, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) = %p\n",
	       PS, (void *)m);
	maps_line(m, line, sizeof(line));
	printf("    maps: %s", line);
	check(strstr(line, "rw-s") && strstr(line, "vmlab"),
	      "/proc/self/maps has one line for it: rw-s, /dev/vmlab");
	check(!memcmp(m, "hello", 5), "the memory at m reads \"%.5s\": the file's bytes", m);

	/* 3. A store into memory, no system call at all. */
	memcpy(m, "HELLO", 5);
	printf("memcpy(m, \"HELLO\", 5)\n");

	/* 4. Read the file through the file descriptor. */
	if (pread(fd, buf, 5, 0) != 5)
		die("pread");
	check(!memcmp(buf, "HELLO", 5), "pread(fd, buf, 5, 0) now reads \"%s\": the file changed",
	      buf);
	munmap(m, PS);
	close(fd);
	return ev_exit();
}
