// SPDX-License-Identifier: GPL-2.0
/*
 * vmlab_vma: the life of the device's VMAs.  vma_opens, vma_closes and
 * vmas_live must follow every way a VMA is made or torn down: mmap, fork,
 * exec, exit, munmap (whole and partial), mprotect splitting a VMA,
 * MAP_FIXED over part of one, mremap (move, grow, shrink), MADV_DONTFORK.
 *
 * The kernel's view held against the counters: the /proc/self/maps lines
 * naming /dev/vmlab (their number, permissions and offsets); vmas_live
 * must change by exactly as many lines as maps shows.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "vmlab_util.h"

FIXTURE(vma)
{
	int fd;
	size_t ps;
	struct vmlab_stats st;
	int lines0;
};

FIXTURE_VARIANT(vma)
{
	bool shared;
};

FIXTURE_VARIANT_ADD(vma, shared)
{
	.shared = true,
};

FIXTURE_VARIANT_ADD(vma, private)
{
	.shared = false,
};

FIXTURE_SETUP(vma)
{
	self->ps = vmlab_page_size();
	VL_SETUP_DEVICE(self->fd, self->st);
	VL_NEED_PAGES(self->st, 64);
	self->lines0 = vmlab_maps_count(0, VMLAB_DEVICE);
	/* Nothing of ours is mapped yet, and nothing else maps the device. */
	ASSERT_EQ(0, self->lines0);
	ASSERT_EQ(0, self->st.vmas_live);
}

FIXTURE_TEARDOWN(vma)
{
	if (self->fd >= 0)
		close(self->fd);
}

static char *map_at(int fd, void *addr, size_t len, off_t off, bool shared)
{
	return mmap(addr, len, PROT_READ | PROT_WRITE,
		    (shared ? MAP_SHARED : MAP_PRIVATE) | (addr ? MAP_FIXED : 0),
		    fd, off);
}

/*
 * Check the counters and the maps: opens, closes since a; vmas_live equal
 * to the number of maps lines.
 */
#define CHECK_VMAS(a, opens, closes) do {				\
	struct vmlab_stats __b;						\
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &__b));				\
	vl_stats_log(#opens "/" #closes, &(a), &__b);			\
	ASSERT_EQ(opens, VL_D(a, __b, vma_opens));			\
	ASSERT_EQ(closes, VL_D(a, __b, vma_closes));			\
	ASSERT_EQ(__b.vma_opens - __b.vma_closes, __b.vmas_live);	\
	ASSERT_EQ((uint64_t)vmlab_maps_count(0, VMLAB_DEVICE), __b.vmas_live); \
} while (0)

/* mmap opens one VMA shown in maps with the right permissions and offset. */
TEST_F(vma, mmap_munmap)
{
	size_t ps = self->ps;
	struct vmlab_stats a;
	char line[512], want[64];
	char *m;

	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	m = map_at(self->fd, NULL, 3 * ps, 2 * ps, variant->shared);
	ASSERT_NE(MAP_FAILED, m);
	CHECK_VMAS(a, 1, 0);
	ASSERT_EQ(0, vl_maps_line(m, line, sizeof(line)));
	snprintf(want, sizeof(want), " rw-%c %08zx ", variant->shared ? 's' : 'p',
		 2 * ps);
	ASSERT_NE(NULL, strstr(line, want)) TH_LOG("'%s' lacks '%s'", line, want);
	ASSERT_NE(NULL, strstr(line, VMLAB_DEVICE)) TH_LOG("%s", line);
	/* Faults do not open VMAs. */
	vl_touch_write(m, 3 * ps, 1);
	CHECK_VMAS(a, 1, 0);
	ASSERT_EQ(0, munmap(m, 3 * ps));
	CHECK_VMAS(a, 1, 1);
}

/* A refused mmap() opens nothing. */
TEST_F(vma, failed_mmap_counts_nothing)
{
	size_t ps = self->ps;
	struct vmlab_stats a;
	int rfd = vmlab_open(O_RDONLY);

	ASSERT_LE(0, rfd);
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	errno = 0;
	ASSERT_EQ(MAP_FAILED, mmap(NULL, 0, PROT_READ,
				   variant->shared ? MAP_SHARED : MAP_PRIVATE,
				   self->fd, 0));
	ASSERT_EQ(EINVAL, errno);
	errno = 0;
	ASSERT_EQ(MAP_FAILED, mmap(NULL, ps, PROT_READ,
				   variant->shared ? MAP_SHARED : MAP_PRIVATE,
				   self->fd, 1));
	ASSERT_EQ(EINVAL, errno);
	if (variant->shared) {
		errno = 0;
		ASSERT_EQ(MAP_FAILED, mmap(NULL, ps, PROT_READ | PROT_WRITE,
					   MAP_SHARED, rfd, 0));
		ASSERT_EQ(EACCES, errno);
	}
	CHECK_VMAS(a, 0, 0);
	close(rfd);
}

/* Closing the fd keeps the VMA; munmap closes it. */
TEST_F(vma, close_fd_keeps_vma)
{
	size_t ps = self->ps;
	struct vmlab_stats a;
	int fd2 = vmlab_open(O_RDWR);
	char *m;

	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	m = map_at(fd2, NULL, 2 * ps, 0, variant->shared);
	ASSERT_NE(MAP_FAILED, m);
	ASSERT_EQ(0, close(fd2));
	CHECK_VMAS(a, 1, 0);
	m[0] = 1;
	ASSERT_EQ(0, munmap(m, 2 * ps));
	CHECK_VMAS(a, 1, 1);
}

/*
 * fork copies each VMA (opens += n, unless MADV_DONTFORK), the child's exit
 * closes them; the child sees its own copies counted.
 */
TEST_F(vma, fork_and_exit)
{
	size_t ps = self->ps;
	struct vmlab_stats a;
	char *m1, *m2, *m3;
	uint64_t live;
	pid_t pid;

	m1 = map_at(self->fd, NULL, ps, 0, variant->shared);
	m2 = map_at(self->fd, NULL, ps, ps, variant->shared);
	m3 = map_at(self->fd, NULL, ps, 2 * ps, variant->shared);
	ASSERT_NE(MAP_FAILED, m1);
	ASSERT_NE(MAP_FAILED, m2);
	ASSERT_NE(MAP_FAILED, m3);
	m1[0] = 1;
	ASSERT_EQ(0, madvise(m3, ps, MADV_DONTFORK));
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	live = a.vmas_live;
	ASSERT_EQ(3, live);
	fflush(stderr);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct vmlab_stats c;

		if (vmlab_get_stats(self->fd, &c))
			_exit(20);
		if (c.vmas_live != live + 2)
			_exit(21);
		if (vmlab_maps_count(0, VMLAB_DEVICE) != 2)
			_exit(22);
		if (m1[0] != 1)
			_exit(23);
		_exit(0);
	}
	ASSERT_EQ(0, vl_wait(pid));
	CHECK_VMAS(a, 2, 2);
	munmap(m1, ps);
	munmap(m2, ps);
	munmap(m3, ps);
	CHECK_VMAS(a, 2, 5);
}

/* A child that exits (or execs) without munmap closes all its VMAs. */
static int child_maps_and_exits(void *arg)
{
	int fd = *(int *)arg, i;

	for (i = 0; i < 3; i++)
		if (mmap(NULL, vmlab_page_size(), PROT_READ, MAP_SHARED, fd, 0) == MAP_FAILED)
			return 10;
	return 0;
}

TEST_F(vma, exit_and_exec_close)
{
	size_t ps = self->ps;
	struct vmlab_stats a;
	char out[64];
	char *m;

	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	ASSERT_EQ(0, vl_run_child(child_maps_and_exits, &self->fd));
	CHECK_VMAS(a, 3, 3);

	/* exec replaces the child's copy of our mapping. */
	m = map_at(self->fd, NULL, 2 * ps, 0, variant->shared);
	ASSERT_NE(MAP_FAILED, m);
	ASSERT_EQ(0, vl_run_self(out, sizeof(out), "noop", NULL));
	CHECK_VMAS(a, 5, 4);
	munmap(m, 2 * ps);
	CHECK_VMAS(a, 5, 5);
}

int vl_helper_main(int argc, char **argv)
{
	return argc == 1 && !strcmp(argv[0], "noop") ? 0 : 2;
}

/* munmap of the head, the tail and the middle of a VMA. */
TEST_F(vma, partial_munmap)
{
	size_t ps = self->ps;
	struct vmlab_stats a;
	char *m;

	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	m = map_at(self->fd, NULL, 8 * ps, 0, variant->shared);
	ASSERT_NE(MAP_FAILED, m);
	vl_touch_write(m, 8 * ps, 1);
	CHECK_VMAS(a, 1, 0);
	ASSERT_EQ(0, munmap(m, ps));			/* head */
	CHECK_VMAS(a, 2, 1);
	ASSERT_EQ(0, munmap(m + 7 * ps, ps));		/* tail */
	CHECK_VMAS(a, 3, 2);
	ASSERT_EQ(0, munmap(m + 3 * ps, 2 * ps));	/* middle */
	CHECK_VMAS(a, 5, 3);
	ASSERT_EQ(1, m[ps]);
	ASSERT_EQ(1, m[6 * ps]);
	ASSERT_EQ(0, munmap(m, 8 * ps));		/* both parts */
	CHECK_VMAS(a, 5, 5);
}

/* mprotect of part of a VMA splits it; the offsets in maps follow. */
TEST_F(vma, mprotect_split)
{
	size_t ps = self->ps;
	struct vmlab_stats a;
	char line[512], want[64];
	char *m;

	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	m = map_at(self->fd, NULL, 3 * ps, 4 * ps, variant->shared);
	ASSERT_NE(MAP_FAILED, m);
	ASSERT_EQ(0, mprotect(m + ps, ps, PROT_READ));
	CHECK_VMAS(a, 3, 0);
	ASSERT_EQ(0, vl_maps_line(m + ps, line, sizeof(line)));
	snprintf(want, sizeof(want), " r--%c %08zx ", variant->shared ? 's' : 'p',
		 5 * ps);
	ASSERT_NE(NULL, strstr(line, want)) TH_LOG("'%s' lacks '%s'", line, want);
	ASSERT_EQ(0, vl_maps_line(m + 2 * ps, line, sizeof(line)));
	snprintf(want, sizeof(want), " rw-%c %08zx ", variant->shared ? 's' : 'p',
		 6 * ps);
	ASSERT_NE(NULL, strstr(line, want)) TH_LOG("'%s' lacks '%s'", line, want);
	ASSERT_EQ(SIGSEGV, vl_probe(m + ps, true));
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));

	/* Back to one protection: the kernel may or may not merge them. */
	ASSERT_EQ(0, mprotect(m + ps, ps, PROT_READ | PROT_WRITE));
	{
		struct vmlab_stats b;

		ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
		ASSERT_EQ(b.vma_opens - b.vma_closes, b.vmas_live);
		ASSERT_EQ((uint64_t)vmlab_maps_count(0, VMLAB_DEVICE), b.vmas_live);
	}
	m[ps] = 1;
	ASSERT_EQ(0, munmap(m, 3 * ps));
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	ASSERT_EQ(0, a.vmas_live);
	ASSERT_EQ(0, vmlab_maps_count(0, VMLAB_DEVICE));
}

/* MAP_FIXED of something else over the middle of a VMA. */
TEST_F(vma, map_fixed_over_middle)
{
	size_t ps = self->ps;
	struct vmlab_stats a;
	char *m, *x;

	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	m = map_at(self->fd, NULL, 4 * ps, 0, variant->shared);
	ASSERT_NE(MAP_FAILED, m);
	x = mmap(m + ps, ps, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	ASSERT_EQ(m + ps, x);
	CHECK_VMAS(a, 3, 1);
	/* And the device over its own hole again, at another offset. */
	x = map_at(self->fd, m + ps, ps, 9 * ps, variant->shared);
	ASSERT_EQ(m + ps, x);
	CHECK_VMAS(a, 4, 1);
	ASSERT_EQ(0, munmap(m, 4 * ps));
	CHECK_VMAS(a, 4, 4);
}

/* mremap: a move opens the new VMA and closes the old one; a shrink
 * splits off and closes the tail; a grow keeps the count. */
TEST_F(vma, mremap_counts)
{
	size_t ps = self->ps;
	struct vmlab_stats a, b;
	char *m, *t, *r;

	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	m = map_at(self->fd, NULL, 4 * ps, 0, variant->shared);
	ASSERT_NE(MAP_FAILED, m);
	vl_touch_write(m, 4 * ps, 3);
	t = mmap(NULL, 4 * ps, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, t);
	r = mremap(m, 4 * ps, 4 * ps, MREMAP_MAYMOVE | MREMAP_FIXED, t);
	ASSERT_EQ(t, r);
	CHECK_VMAS(a, 2, 1);
	ASSERT_EQ(3, r[3 * ps]);

	r = mremap(t, 4 * ps, 2 * ps, 0);
	ASSERT_EQ(t, r);
	CHECK_VMAS(a, 3, 2);
	ASSERT_EQ(3, r[ps]);

	ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
	r = mremap(t, 2 * ps, 6 * ps, MREMAP_MAYMOVE);
	ASSERT_NE(MAP_FAILED, r);
	{
		struct vmlab_stats c;

		ASSERT_EQ(0, vmlab_get_stats(self->fd, &c));
		vl_stats_log("grow", &b, &c);
		ASSERT_EQ(0, VL_D(b, c, vmas_live));
		ASSERT_EQ(VL_D(b, c, vma_opens), VL_D(b, c, vma_closes));
		ASSERT_EQ((uint64_t)vmlab_maps_count(0, VMLAB_DEVICE), c.vmas_live);
	}
	ASSERT_EQ(3, r[ps]);
	/* The regrown tail maps the object again: private copies are gone. */
	ASSERT_EQ(variant->shared ? 3 : 0, r[3 * ps]);
	ASSERT_EQ(0, munmap(r, 6 * ps));
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
	ASSERT_EQ(0, b.vmas_live);
}

VL_TEST_MAIN
