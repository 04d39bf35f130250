// SPDX-License-Identifier: GPL-2.0
/*
 * vmlab_dirty: dirty tracking of shared mappings.  The first store to a
 * clean page calls page_mkwrite and makes the page dirty; later stores go
 * unseen until write-back (fsync, fdatasync, msync(MS_SYNC)) cleans the
 * page and write-protects it in every process, so the next store is seen
 * again.
 *
 * The kernel's view held against the counters: getrusage() minor faults
 * (a store to a write-protected page faults, a store to a writable one does
 * not) and /proc/kpageflags VMLAB_KPF_DIRTY of the frame.
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

/* One store that the caller expects to fault (1) or not (0). */
static long store_faults(volatile char *p, char v)
{
	long f0 = vmlab_minflt();

	*p = v;
	return vmlab_minflt() - f0;
}

static bool kpf_dirty(const void *addr)
{
	return vmlab_kpf(vl_kpageflags(vl_pfn(addr)), VMLAB_KPF_DIRTY);
}

FIXTURE(dirty)
{
	int fd;
	size_t ps;
	struct vmlab_stats st;
};

FIXTURE_SETUP(dirty)
{
	self->ps = vmlab_page_size();
	VL_SETUP_DEVICE(self->fd, self->st);
	VL_NEED_PAGES(self->st, 64);
}

FIXTURE_TEARDOWN(dirty)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* A store to a hole: .fault (write), page_mkwrite, dirty; once per page. */
TEST_F(dirty, store_to_hole)
{
	size_t ps = self->ps;
	struct vmlab_stats a, b;
	char *m;

	m = mmap(NULL, 4 * ps, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	ASSERT_EQ(1, store_faults(m, 1));
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
	vl_stats_log("first store", &a, &b);
	ASSERT_EQ(1, VL_D(a, b, fault_shared_write));
	ASSERT_EQ(0, VL_D(a, b, fault_shared_read));
	ASSERT_EQ(1, VL_D(a, b, page_mkwrite));
	ASSERT_EQ(1, VL_D(a, b, pages_dirty));
	ASSERT_EQ(1, b.pages_dirty);
	ASSERT_TRUE(kpf_dirty(m));

	/* Later stores to the same page are not seen. */
	ASSERT_EQ(0, store_faults(m + 100, 2));
	ASSERT_EQ(0, store_faults(m + ps - 1, 3));
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	ASSERT_EQ(0, VL_D(b, a, page_mkwrite));
	ASSERT_EQ(0, VL_D(b, a, fault_shared_write));
	ASSERT_EQ(0, VL_D(b, a, pages_dirty));

	/* Another page is. */
	ASSERT_EQ(1, store_faults(m + 2 * ps, 4));
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
	ASSERT_EQ(1, VL_D(a, b, page_mkwrite));
	ASSERT_EQ(2, b.pages_dirty);
	munmap(m, 4 * ps);
}

/* A read fault maps a clean page read-only; the store then makes it dirty. */
TEST_F(dirty, read_then_store)
{
	size_t ps = self->ps;
	struct vmlab_stats a, b;
	volatile char *m;
	long f0;

	m = mmap(NULL, 4 * ps, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	f0 = vmlab_minflt();
	ASSERT_EQ(0, m[0]);
	ASSERT_EQ(1, vmlab_minflt() - f0);
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
	ASSERT_EQ(1, VL_D(a, b, fault_shared_read));
	ASSERT_EQ(1, VL_D(a, b, pages_allocated));
	ASSERT_EQ(0, VL_D(a, b, page_mkwrite));
	ASSERT_EQ(0, b.pages_dirty);
	ASSERT_FALSE(kpf_dirty((void *)m));

	ASSERT_EQ(1, store_faults(m, 5));
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	vl_stats_log("store", &b, &a);
	ASSERT_EQ(1, VL_D(b, a, page_mkwrite));
	ASSERT_EQ(0, VL_D(b, a, fault_shared_write));
	ASSERT_EQ(0, VL_D(b, a, fault_shared_read));
	ASSERT_EQ(1, a.pages_dirty);
	ASSERT_TRUE(kpf_dirty((void *)m));
	ASSERT_EQ(0, store_faults(m + 1, 6));
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
	ASSERT_EQ(0, VL_D(a, b, page_mkwrite));
	munmap((void *)m, 4 * ps);
}

/*
 * Each mapping's first store to a page calls page_mkwrite, but the page is
 * counted dirty once; write() dirties a page without page_mkwrite.
 */
TEST_F(dirty, dirty_counts_pages)
{
	size_t ps = self->ps;
	struct vmlab_stats a, b;
	char c = 7, *m1, *m2;

	m1 = mmap(NULL, 4 * ps, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	m2 = mmap(NULL, 4 * ps, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, m1);
	ASSERT_NE(MAP_FAILED, m2);
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	ASSERT_EQ(1, store_faults(m1, 1));
	ASSERT_EQ(1, store_faults(m2 + 1, 2));
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
	vl_stats_log("two mappings", &a, &b);
	ASSERT_EQ(2, VL_D(a, b, page_mkwrite));
	ASSERT_EQ(2, VL_D(a, b, fault_shared_write));
	ASSERT_EQ(1, VL_D(a, b, pages_allocated));
	ASSERT_EQ(1, b.pages_dirty);

	/* write(): dirty, no page_mkwrite; again: still one dirty page. */
	ASSERT_EQ(1, pwrite(self->fd, &c, 1, 2 * ps));
	ASSERT_EQ(1, pwrite(self->fd, &c, 1, 2 * ps + 9));
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	ASSERT_EQ(0, VL_D(b, a, page_mkwrite));
	ASSERT_EQ(2, a.pages_dirty);
	/* Mapped, that page still needs page_mkwrite for a store. */
	ASSERT_EQ(7, m1[2 * ps]);
	ASSERT_EQ(1, store_faults(m1 + 2 * ps, 8));
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
	ASSERT_EQ(1, VL_D(a, b, page_mkwrite));
	ASSERT_EQ(2, b.pages_dirty);
	munmap(m1, 4 * ps);
	munmap(m2, 4 * ps);
}

/* Stores to a private mapping never reach the object: nothing gets dirty. */
TEST_F(dirty, private_store_not_dirty)
{
	size_t ps = self->ps;
	struct vmlab_stats a, b;
	char c = 1, *m;

	ASSERT_EQ(1, pwrite(self->fd, &c, 1, ps));
	ASSERT_EQ(0, fsync(self->fd));
	m = mmap(NULL, 2 * ps, PROT_READ | PROT_WRITE, MAP_PRIVATE, self->fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	ASSERT_EQ(0, a.pages_dirty);
	m[0] = 1;		/* a hole */
	ASSERT_EQ(1, m[ps]);	/* a page... */
	m[ps] = 2;		/* ...copied */
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
	vl_stats_log("private stores", &a, &b);
	ASSERT_EQ(0, VL_D(a, b, page_mkwrite));
	ASSERT_EQ(0, b.pages_dirty);
	ASSERT_EQ(0, VL_D(a, b, pages_allocated));
	munmap(m, 2 * ps);
}

/* msync(MS_SYNC) of part of a mapping cleans only that part. */
TEST_F(dirty, msync_range)
{
	size_t ps = self->ps, i;
	struct vmlab_stats a, b;
	char *m;

	m = mmap(NULL, 4 * ps, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	for (i = 0; i < 4; i++)
		m[i * ps] = i + 1;
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	ASSERT_EQ(4, a.pages_dirty);
	ASSERT_EQ(0, msync(m + 2 * ps, 2 * ps, MS_SYNC));
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
	vl_stats_log("msync half", &a, &b);
	ASSERT_EQ(2, VL_D(a, b, pages_cleaned));
	ASSERT_EQ(2, b.pages_dirty);
	ASSERT_TRUE(kpf_dirty(m));
	ASSERT_FALSE(kpf_dirty(m + 2 * ps));
	ASSERT_EQ(0, store_faults(m + 1, 9));
	ASSERT_EQ(1, store_faults(m + 2 * ps + 1, 9));

	ASSERT_EQ(0, fsync(self->fd));
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	ASSERT_EQ(3, VL_D(b, a, pages_cleaned));
	ASSERT_EQ(0, a.pages_dirty);
	munmap(m, 4 * ps);
}

/* A reset frees dirty pages: none is left dirty, none was cleaned. */
TEST_F(dirty, reset_drops_dirty)
{
	size_t ps = self->ps, i;
	struct vmlab_stats a, b;
	char *m;

	m = mmap(NULL, 3 * ps, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	for (i = 0; i < 3; i++)
		m[i * ps] = 1;
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	ASSERT_EQ(3, a.pages_dirty);
	ASSERT_EQ(0, vmlab_reset(self->fd, NULL));
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
	ASSERT_EQ(0, b.pages_dirty);
	ASSERT_EQ(0, VL_D(a, b, pages_cleaned));
	ASSERT_EQ(3, VL_D(a, b, pages_freed));
	/* A store after the reset is a store to a hole again. */
	ASSERT_EQ(1, store_faults(m, 2));
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	ASSERT_EQ(1, VL_D(b, a, fault_shared_write));
	ASSERT_EQ(1, VL_D(b, a, page_mkwrite));
	ASSERT_EQ(1, a.pages_dirty);
	munmap(m, 3 * ps);
}

/* Write-back, by each of the ways to ask for it. */
enum sync_how { SYNC_FSYNC, SYNC_FDATASYNC, SYNC_MSYNC };

FIXTURE(writeback)
{
	int fd;
	size_t ps;
	struct vmlab_stats st;
};

FIXTURE_VARIANT(writeback)
{
	enum sync_how how;
};

FIXTURE_VARIANT_ADD(writeback, fsync)
{
	.how = SYNC_FSYNC,
};

FIXTURE_VARIANT_ADD(writeback, fdatasync)
{
	.how = SYNC_FDATASYNC,
};

FIXTURE_VARIANT_ADD(writeback, msync)
{
	.how = SYNC_MSYNC,
};

FIXTURE_SETUP(writeback)
{
	self->ps = vmlab_page_size();
	VL_SETUP_DEVICE(self->fd, self->st);
	VL_NEED_PAGES(self->st, 64);
}

FIXTURE_TEARDOWN(writeback)
{
	if (self->fd >= 0)
		close(self->fd);
}

static int do_sync(enum sync_how how, int fd, void *m, size_t len)
{
	switch (how) {
	case SYNC_FSYNC:
		return fsync(fd);
	case SYNC_FDATASYNC:
		return fdatasync(fd);
	case SYNC_MSYNC:
		return msync(m, len, MS_SYNC);
	}
	return -1;
}

/*
 * Write-back cleans every dirty page (pages_dirty back, pages_cleaned += n,
 * VMLAB_KPF_DIRTY clear) and write-protects it: the next store faults and calls
 * page_mkwrite again.  The data stays.
 */
TEST_F(writeback, cleans_and_rearms)
{
	size_t ps = self->ps, n = 8, d = 5, i;
	struct vmlab_stats a, b;
	char buf[8];
	char *m;

	m = mmap(NULL, n * ps, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	for (i = 0; i < n; i++)
		ASSERT_EQ(0, m[i * ps]);
	for (i = 0; i < d; i++)
		ASSERT_EQ(1, store_faults(m + i * ps, 10 + i));
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	ASSERT_EQ(d, a.pages_dirty);

	ASSERT_EQ(0, do_sync(variant->how, self->fd, m, n * ps));
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
	vl_stats_log("write-back", &a, &b);
	ASSERT_EQ(d, VL_D(a, b, pages_cleaned));
	ASSERT_EQ(0, b.pages_dirty);
	ASSERT_EQ(0, VL_D(a, b, page_mkwrite));
	ASSERT_EQ(0, VL_D(a, b, pages_freed));
	for (i = 0; i < n; i++) {
		ASSERT_FALSE(kpf_dirty(m + i * ps)) TH_LOG("page %zu", i);
		ASSERT_TRUE(pm_present(vl_pagemap(m + i * ps)));
		ASSERT_EQ(1, pread(self->fd, buf, 1, i * ps));
		ASSERT_EQ(i < d ? (char)(10 + i) : 0, buf[0]);
	}

	/* Nothing dirty: nothing to clean. */
	ASSERT_EQ(0, do_sync(variant->how, self->fd, m, n * ps));
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	ASSERT_EQ(0, VL_D(b, a, pages_cleaned));

	/* Each cleaned page's next store is seen again, once. */
	for (i = 0; i < d; i++) {
		ASSERT_EQ(1, store_faults(m + i * ps + 1, 20 + i)) TH_LOG("page %zu", i);
		ASSERT_EQ(0, store_faults(m + i * ps + 2, 30 + i));
		ASSERT_TRUE(kpf_dirty(m + i * ps));
	}
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
	vl_stats_log("stores again", &a, &b);
	ASSERT_EQ(d, VL_D(a, b, page_mkwrite));
	ASSERT_EQ(0, VL_D(a, b, fault_shared_write));
	ASSERT_EQ(0, VL_D(a, b, fault_shared_read));
	ASSERT_EQ(d, b.pages_dirty);
	ASSERT_EQ(10, m[0]);

	ASSERT_EQ(0, do_sync(variant->how, self->fd, m, n * ps));
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	ASSERT_EQ(d, VL_D(b, a, pages_cleaned));
	ASSERT_EQ(0, a.pages_dirty);
	munmap(m, n * ps);
}

/*
 * Write-back reaches every process: a page a child dirtied through its own
 * mapping is write-protected there too, so the child's next store faults
 * and calls page_mkwrite.
 */
TEST_F(writeback, reaches_other_process)
{
	size_t ps = self->ps;
	struct vmlab_stats a, b, c;
	struct vl_sync s;
	char *m;
	pid_t pid;

	m = mmap(NULL, 2 * ps, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	pid = vl_sync_fork(&s);
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char *cm;

		/* Our own mapping, made in this process. */
		cm = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
		if (cm == MAP_FAILED)
			_exit(20);
		if (store_faults(cm, 1) != 1)
			_exit(21);
		if (store_faults(cm + 1, 1) != 0)
			_exit(22);
		if (vl_sync_step(&s))
			_exit(23);
		/* The parent wrote back: our store faults again. */
		if (store_faults(cm + 2, 2) != 1)
			_exit(24);
		if (store_faults(cm + 3, 2) != 0)
			_exit(25);
		if (vl_sync_step(&s))
			_exit(26);
		_exit(0);
	}
	ASSERT_EQ(0, vl_wait_byte(s.to_parent[0]));
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	ASSERT_EQ(1, a.pages_dirty);
	ASSERT_EQ(1, m[0]);	/* our read maps it here too */
	ASSERT_EQ(0, do_sync(variant->how, self->fd, m, 2 * ps));
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
	ASSERT_EQ(1, VL_D(a, b, pages_cleaned));
	ASSERT_EQ(0, b.pages_dirty);
	ASSERT_EQ(0, vl_post(s.to_child[1]));
	ASSERT_EQ(0, vl_wait_byte(s.to_parent[0]));
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &c));
	vl_stats_log("child's store after write-back", &b, &c);
	ASSERT_EQ(1, VL_D(b, c, page_mkwrite));
	ASSERT_EQ(1, c.pages_dirty);
	ASSERT_EQ(2, m[2]);
	ASSERT_EQ(0, vl_post(s.to_child[1]));
	ASSERT_EQ(0, vl_wait(pid));
	vl_sync_close(&s);
	munmap(m, 2 * ps);
}

VL_TEST_MAIN
