// SPDX-License-Identifier: GPL-2.0
/*
 * addr32: how much a 32-bit x86 program can map, in kB, on standard output.
 *
 * The tour's overcommit chapter runs it (claim 40 of the notes: "a 32-bit
 * process can map 4 GB at most").  It is built with gcc -m32 and no C
 * library (-ffreestanding -nostdlib: a 64-bit Debian has no 32-bit libc
 * to link with), makes its system calls itself through int 0x80, and is
 * carried inside the vmlab command as bytes (addr32-blob.c, made by the
 * Makefile), which the tour executes from a memfd.
 *
 * It maps address space only: PROT_NONE and MAP_NORESERVE, so no memory
 * is used and nothing is counted against the overcommit limit.  It asks
 * for 1 GiB at a time while that succeeds, then halves the size, down to
 * a page: the sum is all the room its address space had left.
 */
#define NR_EXIT		1
#define NR_WRITE	4
#define NR_MMAP2	192

#define PROT_NONE	0
#define MAP_PRIVATE	0x02
#define MAP_ANONYMOUS	0x20
#define MAP_NORESERVE	0x4000

static long sys3(long nr, long a, long b, long c)
{
	long r;

	asm volatile ("int $0x80" : "=a" (r) : "a" (nr), "b" (a), "c" (b), "d" (c) : "memory");
	return r;
}

/* mmap2(addr, len, prot, flags, fd, pgoff): the sixth argument in ebp. */
static long sys_mmap2(unsigned long len)
{
	long r;

	asm volatile ("push %%ebp\n\tmov $0, %%ebp\n\tint $0x80\n\tpop %%ebp"
		      : "=a" (r)
		      : "a" (NR_MMAP2), "b" (0), "c" (len), "d" (PROT_NONE),
			"S" (MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE), "D" (-1)
		      : "memory");
	return r;
}

void _start(void)
{
	unsigned long chunk = 1UL << 30, kb = 0;
	char buf[16];
	int i = sizeof(buf);

	while (chunk >= 4096) {
		if ((unsigned long)sys_mmap2(chunk) >= -4095UL)
			chunk >>= 1;	/* no room that large: try half */
		else
			kb += chunk >> 10;
	}
	buf[--i] = '\n';
	do {
		buf[--i] = '0' + kb % 10;
		kb /= 10;
	} while (kb);
	sys3(NR_WRITE, 1, (long)(buf + i), sizeof(buf) - i);
	for (;;)
		sys3(NR_EXIT, 0, 0, 0);
}
