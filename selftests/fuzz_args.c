// SPDX-License-Identifier: GPL-2.0
/*
 * vmlab_fuzz: choosing the arguments of the operations (fuzz_ops.h): fds
 * good and bad, ranges of the arena and hostile ones, user buffers,
 * lengths and offsets, mostly where the model holds pages.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include "fuzz_ops.h"

int pick_fd(struct fdm **m)
{
	int i;

	*m = NULL;
	if (!nfd || chance(4)) {
		static const int bad[] = { -1, 999, 1 << 20, -1000 };

		return bad[rnd(4)];
	}
	i = rnd(nfd);
	*m = &F[i];
	return F[i].fd;
}

int pick_reg(void)
{
	return nreg ? (int)rnd(nreg) : -1;
}

/* A region that is not a placeholder, if there is one. */
int pick_map(void)
{
	int i, tries;

	for (tries = 0; tries < 8; tries++) {
		i = pick_reg();
		if (i >= 0 && (R[i].kind == RK_VMLAB || chance(10)))
			return i;
	}
	return pick_reg();
}

/* A page-aligned range [*a, *a + *len) for the address-space calls. */
void pick_range(uintptr_t *a, size_t *len)
{
	int i = pick_map();
	uint64_t n, p;

	if (i < 0 || chance(20)) {	/* anywhere in the arena */
		p = 1 + rnd(ARENA_PAGES - 2);
		n = 1 + rnd(chance(80) ? 16 : ARENA_PAGES - 1 - p);
		if (p + n > ARENA_PAGES - 1)
			n = ARENA_PAGES - 1 - p;
		*a = A0 + p * PS;
		*len = n * PS;
		return;
	}
	p = rnd(R[i].npages < 1024 ? R[i].npages : 1024);
	n = 1 + rnd(R[i].npages - p < 64 ? R[i].npages - p : 64);
	*a = R[i].start + p * PS;
	*len = n * PS;
	/* Sometimes past the region, inside the arena. */
	if (in_arena(*a, *a + *len) && chance(15)) {
		uintptr_t e = *a + *len + rnd(8) * PS;

		if (e <= A1 - PS)
			*len = e - *a;
	}
}

/*
 * A range where nothing of ours is: below mmap_min_addr (nobody can map
 * there), past user space, wrapping around, or not page aligned.
 */
void pick_hostile_range(uintptr_t *a, size_t *len)
{
	static const uintptr_t addrs[] = { 0, LOW_ADDR, NONCANON, KERNEL_ADDR,
					   KTEXT_ADDR, ~0UL & ~4095UL };
	static const size_t lens[] = { 0, 1, 4096, 1UL << 47, ~0UL, ~0UL - 4095 };

	*a = addrs[rnd(6)];
	if (*a < NONCANON)
		*len = rnd(3) * PS + (chance(20) ? 1 : 0);	/* below 64 KiB */
	else
		*len = lens[rnd(6)];
	if (chance(30))
		*a = A0 + PS + 1 + rnd(100);	/* not aligned */
}

/*
 * A user buffer for about want bytes: in the scratch area (sometimes
 * running into the PROT_NONE page after it), in one of our mappings
 * (whatever they allow), or a pointer nobody may use.
 */

uintptr_t pick_buf(size_t want, int *kind)
{
	static const uintptr_t bad[] = { 0, LOW_ADDR, NONCANON, KERNEL_ADDR,
					 KTEXT_ADDR, ~0UL - 15 };
	int i, r = rnd(100);

	if (r < 65) {
		size_t max = SCR_PAGES * PS, off;

		*kind = B_SCRATCH;
		if (want < max && chance(85))
			off = rnd(max - want + 1);
		else
			off = max - rnd(want < max ? want + 1 : max);	/* runs into the guard */
		return (uintptr_t)SCR + off;
	}
	if (r < 90 && nreg) {
		i = pick_map();
		*kind = B_MAP;
		return R[i].start + rnd(R[i].npages < 256 ? R[i].npages : 256) * PS +
		       (chance(50) ? 0 : rnd(PS));
	}
	*kind = B_HOSTILE;
	return bad[rnd(6)];
}

uint64_t pick_len(void)
{
	static const uint64_t huge[] = {
		0, 1UL << 31, 0x7ffff000UL, 0x7ffff001UL, 1UL << 40, ~0UL >> 1,
		(~0UL >> 1) + 1, ~0UL, ~0UL - 4095,
	};
	int r = rnd(100);

	if (r < 10)
		return 0;
	if (r < 55)
		return 1 + rnd(64);
	if (r < 80)
		return 1 + rnd(3 * PS);
	if (r < 92)
		return 1 + rnd(SCR_PAGES * PS);
	if (r < 96)
		return SH->size - rnd(3) + rnd(3);
	return huge[rnd(sizeof(huge) / sizeof(huge[0]))];
}

int64_t pick_off(void)
{
	static const int64_t odd[] = { -1, -4096, INT64_MIN, INT64_MAX,
				       INT64_MAX - 4095, 1LL << 62 };
	int r = rnd(100);
	uint64_t size = SH->size;

	if (r < 10)
		return 0;
	if (r < 50)		/* where the model holds pages, mostly */
		return rnd(64 * PS);
	if (r < 75)
		return rnd(size);
	if (r < 88)
		return size - rnd(2 * PS) + rnd(2 * PS);
	if (r < 94)
		return size + rnd(1 << 20);
	return odd[rnd(6)];
}
