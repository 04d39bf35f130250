// SPDX-License-Identifier: GPL-2.0
/*
 * vmlab_file: /dev/vmlab as a file on a RAM disk.  read(), write(), pread(),
 * pwrite() and lseek() on the object: size, holes, persistence across
 * opens, writes past the end and over the memory limit, reset.
 *
 * The kernel's view held against the module's counters: the frames that
 * write() filled are what a shared mapping maps (pagemap PFN, file bit,
 * kpageflags not anonymous, kpagecount).
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

FIXTURE(file)
{
	int fd;
	size_t ps;
	size_t size;
	size_t limit;
	struct vmlab_stats st;
	long fault_around;	/* the kernel's, before the test */
};

FIXTURE_SETUP(file)
{
	self->ps = vmlab_page_size();
	VL_SETUP_DEVICE(self->fd, self->st);
	self->size = self->st.size;
	self->limit = self->st.mem_limit;
	VL_NEED_PAGES(self->st, 16);
	VL_SETUP_NO_FAULT_AROUND(self->fault_around);
}

FIXTURE_TEARDOWN(file)
{
	vl_fault_around_restore(self->fault_around);
	if (self->fd >= 0)
		close(self->fd);
}

/* lseek(): SEEK_END is the object's size; bad offsets and whence fail. */
TEST_F(file, size_and_seek)
{
	off_t size = self->size;

	ASSERT_EQ(size, lseek(self->fd, 0, SEEK_END));
	ASSERT_EQ(size, lseek(self->fd, 0, SEEK_CUR));
	ASSERT_EQ(size - (off_t)self->ps, lseek(self->fd, -(off_t)self->ps, SEEK_END));
	ASSERT_EQ(100, lseek(self->fd, 100, SEEK_SET));
	ASSERT_EQ(110, lseek(self->fd, 10, SEEK_CUR));
	ASSERT_EQ(100, lseek(self->fd, -10, SEEK_CUR));

	errno = 0;
	ASSERT_EQ(-1, lseek(self->fd, -1, SEEK_SET));
	ASSERT_EQ(EINVAL, errno);
	errno = 0;
	ASSERT_EQ(-1, lseek(self->fd, -(size + 1), SEEK_END));
	ASSERT_EQ(EINVAL, errno);
	errno = 0;
	ASSERT_EQ(-1, lseek(self->fd, 0, 77));
	ASSERT_EQ(EINVAL, errno);
	/* A failed lseek leaves the position alone. */
	ASSERT_EQ(100, lseek(self->fd, 0, SEEK_CUR));

	/* A second open starts at 0 and has its own position. */
	{
		int fd2 = vmlab_open(O_RDONLY);

		ASSERT_LE(0, fd2);
		ASSERT_EQ(0, lseek(fd2, 0, SEEK_CUR));
		ASSERT_EQ(size, lseek(fd2, 0, SEEK_END));
		ASSERT_EQ(100, lseek(self->fd, 0, SEEK_CUR));
		close(fd2);
	}
}

/* Never-written bytes read as zero and reading them allocates nothing. */
TEST_F(file, holes_read_zero)
{
	size_t len = 16 * self->ps;
	off_t offs[] = { 0, (off_t)(self->size / 2 + 123),
			 (off_t)(self->size - len) };
	struct vmlab_stats a, b;
	char *buf = malloc(len);
	size_t i;

	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	for (i = 0; i < ARRAY_SIZE(offs); i++) {
		memset(buf, 0xff, len);
		ASSERT_EQ((ssize_t)len, pread(self->fd, buf, len, offs[i]));
		ASSERT_TRUE(vl_is_zero(buf, len)) TH_LOG("offset %lld",
							 (long long)offs[i]);
	}
	/* read() from position 0 too */
	ASSERT_EQ(0, lseek(self->fd, 0, SEEK_SET));
	ASSERT_EQ((ssize_t)len, read(self->fd, buf, len));
	ASSERT_TRUE(vl_is_zero(buf, len));
	ASSERT_EQ((off_t)len, lseek(self->fd, 0, SEEK_CUR));

	ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
	vl_stats_log("holes", &a, &b);
	EXPECT_EQ(0, VL_D(a, b, pages_allocated));
	EXPECT_EQ(0, b.pages_resident);
	free(buf);
}

/*
 * Writes at unaligned offsets and across pages read back exactly, allocate
 * one page per page touched, and are the very frames a shared mapping of
 * the object then maps.
 */
TEST_F(file, write_read_back)
{
	size_t ps = self->ps;
	struct {
		off_t off;
		size_t len;
		unsigned int first, npages;	/* pages touched */
	} w[] = {
		{ 100, 200, 0, 1 },
		{ 5 * ps - 10, 2 * ps + 20, 4, 4 },
		{ self->size - ps, ps, self->size / ps - 1, 1 },
	};
	struct vmlab_stats a, b;
	char *buf = malloc(4 * ps), *map;
	unsigned int i, p, pages = 0;

	ASSERT_NE(NULL, buf);
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	for (i = 0; i < ARRAY_SIZE(w); i++) {
		vl_fill(buf, w[i].len, i + 1);
		ASSERT_EQ((ssize_t)w[i].len, pwrite(self->fd, buf, w[i].len, w[i].off));
		pages += w[i].npages;
	}
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
	vl_stats_log("writes", &a, &b);
	ASSERT_EQ(pages, VL_D(a, b, pages_allocated));
	ASSERT_EQ(pages, b.pages_resident);
	ASSERT_EQ(0, VL_D(a, b, pages_freed));

	for (i = 0; i < ARRAY_SIZE(w); i++) {
		memset(buf, 0, 4 * ps);
		ASSERT_EQ((ssize_t)w[i].len, pread(self->fd, buf, w[i].len, w[i].off));
		ASSERT_TRUE(vl_check(buf, w[i].len, i + 1)) TH_LOG("write %u", i);
	}
	/* The bytes around the first write are still zero. */
	ASSERT_EQ((ssize_t)ps, pread(self->fd, buf, ps, 0));
	ASSERT_TRUE(vl_is_zero(buf, 100));
	ASSERT_TRUE(vl_is_zero(buf + 300, ps - 300));

	/* The kernel's view: map the object shared and look at the frames. */
	map = mmap(NULL, self->size, PROT_READ, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	/* One fault per page: the fixture turned fault-around off. */
	ASSERT_EQ(0, vl_count_present(map, 8));
	for (i = 0; i < ARRAY_SIZE(w); i++) {
		ASSERT_TRUE(vl_check(map + w[i].off, w[i].len, i + 1));
		for (p = w[i].first; p < w[i].first + w[i].npages; p++) {
			uint64_t pfn = vl_pfn(map + p * ps);
			uint64_t fl = vl_kpageflags(pfn);

			ASSERT_NE(0, pfn) TH_LOG("page %u not mapped", p);
			ASSERT_TRUE(pm_file(vl_pagemap(map + p * ps)));
			ASSERT_FALSE(vmlab_kpf(fl, VMLAB_KPF_ANON));
			ASSERT_FALSE(vmlab_kpf(fl, VMLAB_KPF_ZERO_PAGE));
			ASSERT_TRUE(vmlab_kpf(fl, VMLAB_KPF_MMAP));
			ASSERT_EQ(1, vl_kpagecount(pfn));
		}
	}
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	vl_stats_log("mapped", &b, &a);
	/* Mapping pages that write() filled allocates nothing new. */
	ASSERT_EQ(0, VL_D(b, a, pages_allocated));
	ASSERT_EQ(pages, VL_D(b, a, fault_shared_read));
	munmap(map, self->size);
	free(buf);
}

/* read() and write() move the file position; reads stop at the end. */
TEST_F(file, position_and_end)
{
	size_t ps = self->ps;
	off_t end = self->size;
	char buf[64], out[64];

	vl_fill(buf, sizeof(buf), 7);
	ASSERT_EQ(0, lseek(self->fd, 0, SEEK_SET));
	ASSERT_EQ(32, write(self->fd, buf, 32));
	ASSERT_EQ(32, lseek(self->fd, 0, SEEK_CUR));
	ASSERT_EQ(32, write(self->fd, buf + 32, 32));
	ASSERT_EQ(0, lseek(self->fd, 0, SEEK_SET));
	ASSERT_EQ(64, read(self->fd, out, 64));
	ASSERT_EQ(0, memcmp(buf, out, 64));
	ASSERT_EQ(64, lseek(self->fd, 0, SEEK_CUR));

	/* At or past the end, reads return 0 and the position stays. */
	ASSERT_EQ(end, lseek(self->fd, 0, SEEK_END));
	ASSERT_EQ(0, read(self->fd, out, sizeof(out)));
	ASSERT_EQ(end, lseek(self->fd, 0, SEEK_CUR));
	ASSERT_EQ(0, pread(self->fd, out, sizeof(out), end));
	ASSERT_EQ(0, pread(self->fd, out, sizeof(out), end + 100));
	ASSERT_EQ(0, pread(self->fd, out, sizeof(out), end + 16 * (off_t)ps));

	/* A read straddling the end is cut at the end. */
	ASSERT_EQ(10, pread(self->fd, out, sizeof(out), end - 10));
	ASSERT_EQ(end - 10, lseek(self->fd, -10, SEEK_END));
	ASSERT_EQ(10, read(self->fd, out, sizeof(out)));
	ASSERT_EQ(end, lseek(self->fd, 0, SEEK_CUR));

	/* Zero-length I/O does nothing. */
	ASSERT_EQ(0, pwrite(self->fd, buf, 0, 0));
	ASSERT_EQ(0, pread(self->fd, out, 0, 0));
}

/* Writes at or past the end fail with ENOSPC and allocate nothing. */
TEST_F(file, write_past_end)
{
	off_t end = self->size;
	struct vmlab_stats a, b;
	char buf[256];
	ssize_t r;

	memset(buf, 0x3c, sizeof(buf));
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	errno = 0;
	ASSERT_EQ(-1, pwrite(self->fd, buf, sizeof(buf), end));
	ASSERT_EQ(ENOSPC, errno);
	errno = 0;
	ASSERT_EQ(-1, pwrite(self->fd, buf, 1, end + 12345));
	ASSERT_EQ(ENOSPC, errno);
	ASSERT_EQ(end, lseek(self->fd, 0, SEEK_END));
	errno = 0;
	ASSERT_EQ(-1, write(self->fd, buf, sizeof(buf)));
	ASSERT_EQ(ENOSPC, errno);
	ASSERT_EQ(end, lseek(self->fd, 0, SEEK_CUR));
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
	vl_stats_log("past end", &a, &b);
	ASSERT_EQ(0, VL_D(a, b, pages_allocated));

	/*
	 * A write straddling the end: like a file that cannot grow, it is
	 * either cut at the end (short count) or refused with ENOSPC.
	 */
	errno = 0;
	r = pwrite(self->fd, buf, sizeof(buf), end - 100);
	if (r == -1) {
		ASSERT_EQ(ENOSPC, errno);
	} else {
		char out[100];

		ASSERT_EQ(100, r);
		ASSERT_EQ(100, pread(self->fd, out, 100, end - 100));
		ASSERT_EQ(0, memcmp(out, buf, 100));
	}
}

static int child_reads_pattern(void *arg)
{
	size_t ps = *(size_t *)arg;
	char *buf = malloc(ps);
	int fd = vmlab_open(O_RDONLY);

	if (!buf || fd < 0)
		return 10;
	if (pread(fd, buf, ps, 3 * ps) != (ssize_t)ps)
		return 11;
	if (!vl_check(buf, ps, 77))
		return 12;
	return 0;
}

/* Content persists across close and open, and is shared by all opens. */
TEST_F(file, persists_across_opens)
{
	size_t ps = self->ps;
	char *buf = malloc(ps), *out = malloc(ps);
	struct vmlab_stats a, b;
	int fd2;

	ASSERT_NE(NULL, buf);
	ASSERT_NE(NULL, out);
	vl_fill(buf, ps, 77);
	ASSERT_EQ((ssize_t)ps, pwrite(self->fd, buf, ps, 3 * ps));
	ASSERT_EQ(0, close(self->fd));
	self->fd = -1;

	fd2 = vmlab_open(O_RDWR);
	ASSERT_LE(0, fd2);
	ASSERT_EQ((ssize_t)ps, pread(fd2, out, ps, 3 * ps));
	ASSERT_TRUE(vl_check(out, ps, 77));

	/* An unrelated process opening the device sees it too. */
	ASSERT_EQ(0, vl_run_child(child_reads_pattern, &ps));

	/* Two opens at once see each other's writes at once. */
	self->fd = vmlab_open(O_RDWR);
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, vmlab_get_stats(fd2, &a));
	vl_fill(buf, ps, 78);
	ASSERT_EQ((ssize_t)ps, pwrite(self->fd, buf, ps, 3 * ps));
	ASSERT_EQ((ssize_t)ps, pread(fd2, out, ps, 3 * ps));
	ASSERT_TRUE(vl_check(out, ps, 78));
	ASSERT_EQ(0, vmlab_get_stats(fd2, &b));
	/* Overwriting a page allocates nothing. */
	ASSERT_EQ(0, VL_D(a, b, pages_allocated));
	ASSERT_EQ(1, b.pages_resident);
	close(fd2);
	free(buf);
	free(out);
}

/* A reset frees every page, reports how many, and the object reads zero. */
TEST_F(file, reset_frees_everything)
{
	size_t ps = self->ps, n = 10, i;
	char *buf = malloc(ps);
	struct vmlab_stats a, b;
	uint64_t freed = 0;

	ASSERT_NE(NULL, buf);
	for (i = 0; i < n; i++) {
		vl_fill(buf, ps, i);
		ASSERT_EQ((ssize_t)ps, pwrite(self->fd, buf, ps, (off_t)(i * 3 * ps)));
	}
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	ASSERT_EQ(n, a.pages_resident);
	ASSERT_EQ(0, vmlab_reset(self->fd, &freed));
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
	vl_stats_log("reset", &a, &b);
	ASSERT_EQ(n, freed);
	ASSERT_EQ(n, VL_D(a, b, pages_freed));
	ASSERT_EQ(1, VL_D(a, b, resets));
	ASSERT_EQ(0, b.pages_resident);
	ASSERT_EQ(b.pages_allocated - b.pages_freed, b.pages_resident);
	for (i = 0; i < n; i++) {
		ASSERT_EQ((ssize_t)ps, pread(self->fd, buf, ps, (off_t)(i * 3 * ps)));
		ASSERT_TRUE(vl_is_zero(buf, ps));
	}
	/* A reset of an empty object frees nothing. */
	ASSERT_EQ(0, vmlab_reset(self->fd, &freed));
	ASSERT_EQ(0, freed);
	free(buf);
}

/*
 * write() that needs a new page when the object already holds mem_limit
 * fails with ENOSPC; pages already held can still be rewritten.
 */
TEST_F_TIMEOUT(file, write_enospc_at_mem_limit, 180)
{
	size_t ps = self->ps, lpages = self->limit / ps, i;
	char *buf = malloc(ps), *out = malloc(ps);
	struct vmlab_stats a, b;

	if (self->limit >= self->size)
		SKIP(return, "mem_limit (%zu MiB) >= size (%zu MiB): load vmlab "
		     "with mem_limit_mb < size_mb to test the limit",
		     self->limit / VL_MiB, self->size / VL_MiB);
	ASSERT_NE(NULL, buf);
	ASSERT_NE(NULL, out);
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	for (i = 0; i < lpages; i++) {
		vl_fill(buf, 64, i);
		ASSERT_EQ(64, pwrite(self->fd, buf, 64, (off_t)(i * ps)))
			TH_LOG("page %zu of %zu: %s", i, lpages, strerror(errno));
	}
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
	ASSERT_EQ(lpages, b.pages_resident);

	errno = 0;
	ASSERT_EQ(-1, pwrite(self->fd, buf, 1, (off_t)(lpages * ps)));
	ASSERT_EQ(ENOSPC, errno);
	errno = 0;
	ASSERT_EQ(-1, pwrite(self->fd, buf, 1, (off_t)(self->size - 1)));
	ASSERT_EQ(ENOSPC, errno);
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	ASSERT_EQ(lpages, a.pages_resident);
	ASSERT_EQ(0, VL_D(b, a, pages_allocated));
	/* The hole past the limit still reads zero. */
	ASSERT_EQ((ssize_t)ps, pread(self->fd, out, ps, (off_t)(lpages * ps)));
	ASSERT_TRUE(vl_is_zero(out, ps));

	/* Held pages can be rewritten. */
	vl_fill(buf, ps, 999);
	ASSERT_EQ((ssize_t)ps, pwrite(self->fd, buf, ps, 0));
	ASSERT_EQ((ssize_t)ps, pread(self->fd, out, ps, 0));
	ASSERT_TRUE(vl_check(out, ps, 999));
	if (lpages > 1) {
		ASSERT_EQ(64, pread(self->fd, out, 64, (off_t)((lpages - 1) * ps)));
		vl_fill(buf, 64, lpages - 1);
		ASSERT_EQ(0, memcmp(buf, out, 64));
	}

	/* After a reset the same write succeeds. */
	ASSERT_EQ(0, vmlab_reset(self->fd, NULL));
	ASSERT_EQ(1, pwrite(self->fd, buf, 1, (off_t)(lpages * ps)));
	free(buf);
	free(out);
}

/* One large write and read across many pages. */
TEST_F(file, large_io)
{
	size_t len = 256 * self->ps;
	char *buf = malloc(len), *out = malloc(len);
	struct vmlab_stats a, b;
	off_t off = 17 * self->ps + 1000;

	ASSERT_NE(NULL, buf);
	ASSERT_NE(NULL, out);
	if (self->limit < 300 * self->ps)
		SKIP(return, "mem_limit below 300 pages");
	vl_fill(buf, len, 4242);
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	ASSERT_EQ((ssize_t)len, pwrite(self->fd, buf, len, off));
	ASSERT_EQ((ssize_t)len, pread(self->fd, out, len, off));
	ASSERT_EQ(0, memcmp(buf, out, len));
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
	/* 256 pages at an unaligned offset touch 257 pages. */
	ASSERT_EQ(257, VL_D(a, b, pages_allocated));
	ASSERT_EQ(257, b.pages_resident);
	free(buf);
	free(out);
}

VL_TEST_MAIN
