// SPDX-License-Identifier: GPL-2.0
/*
 * demand: memory that was only allocated costs nothing; each page gets a
 * frame when it is first touched (demand paging).
 *
 * malloc(100 MiB) (which glibc serves with an anonymous mmap()) changes
 * nothing in the process's resident memory (Rss).  Touching it 10 MiB at
 * a time adds 10 MiB of Rss each time, and one minor page fault per page
 * touched (2560 per 10 MiB of 4 KiB pages).  Then the same with a
 * MAP_SHARED mapping of /dev/vmlab, whose object gets a page at each fault
 * (the module's pages_allocated counter).
 *
 * "demand --pause" stops after each step until Enter, so that from a
 * second terminal you can watch: grep Rss /proc/PID/smaps_rollup.
 */
#include "evidence.h"

#define STEP	(10 * MiB)

static int pause_each;

/* Touch @len bytes of @p, STEP at a time, saying what each step cost. */
static void walk(char *p, size_t len, int fd)
{
	long rss0 = smaps(NULL, "Rss"), prev = rss0, rss, f0, f;
	struct vmlab_stats a = { 0 }, b = { 0 };
	size_t off, i;

	for (off = 0; off < len; off += STEP) {
		if (fd >= 0)
			a = vmlab_stats(fd);
		f0 = minflt();
		for (i = off; i < off + STEP; i += PS)
			p[i] = 1;	/* one store per page: its first touch */
		f = minflt() - f0;
		rss = smaps(NULL, "Rss");
		if (fd >= 0)
			b = vmlab_stats(fd);
		printf("  touched %3zu MiB: Rss +%5ld kB (%6ld kB in all), %4ld minor faults",
		       (off + STEP) / MiB, rss - prev, rss - rss0, f);
		if (fd >= 0)
			printf(", vmlab allocated %llu pages",
			       (unsigned long long)(b.pages_allocated - a.pages_allocated));
		putchar('\n');
		/* 10 MiB = 10240 kB, give or take the process's own small changes */
		check(labs(rss - prev - (long)(STEP / 1024)) < 512 &&
		      f >= (long)(STEP / PS) - 1,
		      "+10 MiB of Rss and about one minor fault per 4 KiB page");
		if (fd >= 0)
			check(b.pages_allocated - a.pages_allocated == STEP / PS,
			      "the module allocated one page of its object per page touched");
		prev = rss;
		if (pause_each) {
			printf("  (paused: pid %d; press Enter)\n", getpid());
			getchar();
		}
	}
}

int main(int argc, char **argv)
{
	size_t len = 100 * MiB;
	long rss0 = smaps(NULL, "Rss");
	struct vmlab_stats st;
	char *p;
	int fd;

	pause_each = argc > 1 && !strcmp(argv[1], "--pause");
	printf("demand: malloc(100 MiB) costs nothing until it is touched (pid %d)\n", getpid());
	p = malloc(len);
	if (!p)
		die("malloc");
	/* Keep the kernel from using 2 MiB pages here: one fault per 4 KiB page. */
	madvise((void *)((uintptr_t)p & ~(PS - 1)), len, MADV_NOHUGEPAGE);
	check(smaps(NULL, "Rss") - rss0 < 512, "after malloc(100 MiB): Rss +%ld kB, nothing",
	      smaps(NULL, "Rss") - rss0);
	walk(p, len, -1);
	free(p);	/* munmap: the 100 MiB go back */

	/* The same on the device: every first touch makes the module allocate. */
	fd = vmlab_open();
	vmlab_reset(fd);	/* start with an object of holes only */
	st = vmlab_stats(fd);
	len = (st.mem_limit < st.size ? st.mem_limit : st.size) / STEP * STEP;
	len = len > 100 * MiB ? 100 * MiB : len;
	printf("mmap(%zu MiB of /dev/vmlab, MAP_SHARED), touched the same way:\n", len / MiB);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		die("mmap");
	walk(p, len, fd);
	munmap(p, len);
	vmlab_reset(fd);	/* give the memory back */
	return ev_exit();
}
