// SPDX-License-Identifier: GPL-2.0
/*
 * vmlab_fault: page faults on mappings of /dev/vmlab, each scenario run
 * with a MAP_SHARED and a MAP_PRIVATE mapping (the fixture's variants):
 * demand-zero pages, the kernel's zero page at holes of private mappings
 * (special entries: no count grows with them; hardware poison of it is
 * vmlab_hwpoison's), filling holes under private readers, copy-on-write
 * (also across fork), writes seen by other processes, SIGBUS past the end
 * and over the memory limit, protections, MADV_DONTNEED, munmap (whole and
 * partial), mremap and a reset while mapped; 2 MiB pages, and the
 * transparent huge page switches they follow as anonymous memory does
 * (thp.*).  The memcg charge is vmlab_memcg's.
 *
 * Every scenario holds the module's counters against the kernel's own view:
 * /proc/self/pagemap (present, PFN, file bit), /proc/kpageflags (VMLAB_KPF_ANON,
 * VMLAB_KPF_ZERO_PAGE), /proc/kpagecount, /proc/self/maps and smaps (Rss, Pss,
 * Anonymous), getrusage() minor faults and /proc/meminfo.
 *
 * Children report through their exit status only.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "vmlab_util.h"

#define MIN(a, b)	((a) < (b) ? (a) : (b))

FIXTURE(fault)
{
	int fd;
	size_t ps;
	size_t size;
	size_t limit;
	struct vmlab_stats st;
	long fault_around;	/* the kernel's, before the test */
};

FIXTURE_VARIANT(fault)
{
	bool shared;
};

FIXTURE_VARIANT_ADD(fault, shared)
{
	.shared = true,
};

FIXTURE_VARIANT_ADD(fault, private)
{
	.shared = false,
};

FIXTURE_SETUP(fault)
{
	self->ps = vmlab_page_size();
	VL_SETUP_DEVICE(self->fd, self->st);
	self->size = self->st.size;
	self->limit = self->st.mem_limit;
	/* The scenarios below use up to 256 pages of size and of the limit. */
	VL_NEED_PAGES(self->st, 256);
	/* Every page takes its own fault (fault_around tests the window). */
	VL_SETUP_NO_FAULT_AROUND(self->fault_around);
}

FIXTURE_TEARDOWN(fault)
{
	vl_fault_around_restore(self->fault_around);
	if (self->fd >= 0)
		close(self->fd);
}

/*
 * A mapping of the object.  The fixture turned the kernel's fault-around
 * off, so every page touched takes its own fault.
 */
static char *map_obj(int fd, size_t len, off_t off, bool shared)
{
	return mmap(NULL, len, PROT_READ | PROT_WRITE,
		    shared ? MAP_SHARED : MAP_PRIVATE, fd, off);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Number of distinct values among n PFNs. */
static size_t distinct(const uint64_t *v, size_t n)
{
	uint64_t *s = malloc(n * sizeof(*s));
	size_t i, d = 0;

	if (!s)
		return 0;
	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_u64);
	for (i = 0; i < n; i++)
		d += i == 0 || s[i] != s[i - 1];
	free(s);
	return d;
}

/*
 * Reading never-written pages: a shared mapping allocates one zeroed frame
 * per page; a private mapping maps the kernel's zero page everywhere, as
 * anonymous memory does (special entries: not in Rss, no map count on the
 * zero page, no file bit in pagemap), and allocates nothing.
 */
TEST_F(fault, demand_zero_read)
{
	size_t ps = self->ps, n = 256, i;
	uint64_t *pm = calloc(n, sizeof(*pm)), *pfn = calloc(n, sizeof(*pfn));
	struct vmlab_stats a, b;
	struct vmlab_page_info pi;
	int64_t zcount;
	uint64_t zero;
	long f0, f1;
	char *m;

	ASSERT_NE(NULL, pm);
	ASSERT_NE(NULL, pfn);
	m = map_obj(self->fd, n * ps, 0, variant->shared);
	ASSERT_NE(MAP_FAILED, m);
	/* No pre-population: nothing is mapped until touched. */
	ASSERT_EQ(0, vl_count_present(m, n));
	ASSERT_EQ(0, vl_smaps_kb(m, "Rss"));

	zero = vmlab_zero_pfn();
	ASSERT_NE(0, zero);
	zcount = vl_kpagecount(zero);
	ASSERT_LE(0, zcount);
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	f0 = vmlab_minflt();
	for (i = 0; i < n; i++)
		if (!vl_is_zero(m + i * ps, ps))
			break;
	f1 = vmlab_minflt();
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
	vl_stats_log("read holes", &a, &b);
	ASSERT_EQ(n, i) TH_LOG("page %zu not zero", i);

	/* One minor fault per page. */
	ASSERT_LE((long)n, f1 - f0);
	ASSERT_GE((long)n + 8, f1 - f0);
	ASSERT_EQ(0, vl_pagemap_range(m, n, pm));
	for (i = 0; i < n; i++) {
		ASSERT_TRUE(pm_present(pm[i])) TH_LOG("page %zu", i);
		ASSERT_EQ(variant->shared, pm_file(pm[i])) TH_LOG("page %zu", i);
		pfn[i] = pm_pfn(pm[i]);
		ASSERT_NE(0, pfn[i]);
	}
	ASSERT_EQ(0, vl_smaps_kb(m, "Anonymous"));

	if (variant->shared) {
		ASSERT_EQ(n, VL_D(a, b, fault_shared_read));
		ASSERT_EQ(0, VL_D(a, b, fault_shared_write));
		ASSERT_EQ(0, VL_D(a, b, zero_frame_maps));
		ASSERT_EQ(0, VL_D(a, b, page_mkwrite));
		ASSERT_EQ(n, VL_D(a, b, pages_allocated));
		ASSERT_EQ(n, b.pages_resident);
		ASSERT_EQ(n, distinct(pfn, n));
		for (i = 0; i < n; i++) {
			uint64_t fl = vl_kpageflags(pfn[i]);

			ASSERT_FALSE(vmlab_kpf(fl, VMLAB_KPF_ANON));
			ASSERT_FALSE(vmlab_kpf(fl, VMLAB_KPF_ZERO_PAGE));
			ASSERT_TRUE(vmlab_kpf(fl, VMLAB_KPF_MMAP));
			ASSERT_EQ(1, vl_kpagecount(pfn[i]));
		}
		ASSERT_EQ((long)(n * ps / 1024), vl_smaps_kb(m, "Rss"));
		ASSERT_EQ(vl_smaps_kb(m, "Rss"), vl_smaps_kb(m, "Pss"));
	} else {
		uint64_t fl = vl_kpageflags(pfn[0]);

		ASSERT_EQ(n, VL_D(a, b, fault_private_read));
		ASSERT_EQ(0, VL_D(a, b, fault_private_write));
		ASSERT_EQ(n, VL_D(a, b, zero_frame_maps));
		ASSERT_EQ(0, VL_D(a, b, pages_allocated));
		ASSERT_EQ(0, b.pages_resident);
		/* The kernel's zero page, mapped n times, counted none. */
		ASSERT_EQ(1, distinct(pfn, n));
		ASSERT_EQ(zero, pfn[0]);
		ASSERT_EQ(zcount, vl_kpagecount(zero));
		ASSERT_TRUE(vmlab_kpf(fl, VMLAB_KPF_ZERO_PAGE));
		ASSERT_FALSE(vmlab_kpf(fl, VMLAB_KPF_ANON));
		for (i = 0; i < n; i++) {
			ASSERT_FALSE(pm_exclusive(pm[i])) TH_LOG("page %zu", i);
		}
		/* Special entries: smaps counts none of them. */
		ASSERT_EQ(0, vl_smaps_kb(m, "Rss"));
		ASSERT_EQ(0, vl_smaps_kb(m, "Pss"));
		/* INSPECT: the zero page, through a special entry. */
		ASSERT_EQ(0, vl_inspect_one(self->fd, m + 5 * ps, &pi));
		ASSERT_EQ(zero, pi.pfn);
		ASSERT_TRUE(pi.page & VMLAB_PAGE_ZERO) TH_LOG("page bits %#llx",
							      (unsigned long long)pi.page);
		ASSERT_FALSE(pi.page & VMLAB_PAGE_VMLAB_ZERO);
		ASSERT_FALSE(pi.page & VMLAB_PAGE_VMLAB);
		ASSERT_TRUE(pi.entry & VMLAB_ENTRY_SPECIAL) TH_LOG("entry bits %#llx",
								   (unsigned long long)pi.entry);
	}

	/* Reading again faults nothing. */
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	f0 = vmlab_minflt();
	vl_touch_read(m, n * ps);
	f1 = vmlab_minflt();
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
	ASSERT_GE(2, f1 - f0);
	ASSERT_EQ(0, VL_D(a, b, fault_shared_read) + VL_D(a, b, fault_private_read));
	munmap(m, n * ps);
	free(pm);
	free(pfn);
}

/*
 * Writing never-written pages: a shared mapping allocates the object's
 * page (and calls page_mkwrite); a private mapping gets a new anonymous
 * page per page and the object stays all holes.
 */
TEST_F(fault, demand_zero_write)
{
	size_t ps = self->ps, n = 64, i;
	uint64_t pfn[64];
	struct vmlab_stats a, b;
	char buf[64];
	long f0, f1;
	char *m;

	m = map_obj(self->fd, n * ps, 0, variant->shared);
	ASSERT_NE(MAP_FAILED, m);
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	f0 = vmlab_minflt();
	for (i = 0; i < n; i++)
		vl_fill(m + i * ps, 64, i + 1);
	f1 = vmlab_minflt();
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
	vl_stats_log("write holes", &a, &b);
	ASSERT_LE((long)n, f1 - f0);
	ASSERT_GE((long)n + 8, f1 - f0);

	for (i = 0; i < n; i++) {
		uint64_t e = vl_pagemap(m + i * ps), fl;

		ASSERT_TRUE(pm_present(e));
		pfn[i] = pm_pfn(e);
		fl = vl_kpageflags(pfn[i]);
		ASSERT_EQ(!variant->shared, vmlab_kpf(fl, VMLAB_KPF_ANON)) TH_LOG("page %zu", i);
		ASSERT_EQ(variant->shared, pm_file(e)) TH_LOG("page %zu", i);
		ASSERT_FALSE(vmlab_kpf(fl, VMLAB_KPF_ZERO_PAGE));
		ASSERT_EQ(1, vl_kpagecount(pfn[i]));
		ASSERT_TRUE(vl_check(m + i * ps, 64, i + 1));
		/* What read() returns: the data, or still a hole. */
		ASSERT_EQ(64, pread(self->fd, buf, 64, (off_t)(i * ps)));
		if (variant->shared) {
			ASSERT_TRUE(vl_check(buf, 64, i + 1));
		} else {
			ASSERT_TRUE(vl_is_zero(buf, 64));
		}
	}
	ASSERT_EQ(n, distinct(pfn, n));

	if (variant->shared) {
		ASSERT_EQ(n, VL_D(a, b, fault_shared_write));
		ASSERT_EQ(0, VL_D(a, b, fault_shared_read));
		ASSERT_EQ(n, VL_D(a, b, page_mkwrite));
		ASSERT_EQ(n, VL_D(a, b, pages_allocated));
		ASSERT_EQ(n, b.pages_resident);
		ASSERT_EQ(n, b.pages_dirty);
		ASSERT_EQ(0, vl_smaps_kb(m, "Anonymous"));
	} else {
		ASSERT_EQ(n, VL_D(a, b, fault_private_write));
		ASSERT_EQ(0, VL_D(a, b, fault_private_read));
		ASSERT_EQ(0, VL_D(a, b, page_mkwrite));
		ASSERT_EQ(0, VL_D(a, b, pages_allocated));
		ASSERT_EQ(0, b.pages_resident);
		ASSERT_EQ(0, b.pages_dirty);
		ASSERT_EQ((long)(n * ps / 1024), vl_smaps_kb(m, "Anonymous"));
	}
	ASSERT_EQ((long)(n * ps / 1024), vl_smaps_kb(m, "Rss"));
	munmap(m, n * ps);
}

/*
 * Demand paging: mapping 32 MiB costs nothing; touching 8 MiB makes
 * exactly those pages present and costs about 8 MiB of free memory (shared:
 * object pages; private: nothing while only read, anonymous pages once
 * written).  Smaller objects scale down.
 */
TEST_F_TIMEOUT(fault, demand_paging_32m, 240)
{
	size_t ps = self->ps;
	size_t len = MIN(32 * VL_MiB, self->size);
	size_t touch = MIN(8 * VL_MiB, len / 4);
	size_t npages, tpages, i, try;
	struct vmlab_stats a, b;
	long drops[3] = { 0 }, lo, hi, want_kb;
	uint64_t *pm;
	bool ok = false;
	char *m;

	if (variant->shared)
		touch = MIN(touch, self->limit / ps * ps);
	npages = len / ps;
	tpages = touch / ps;
	pm = calloc(npages, sizeof(*pm));
	ASSERT_NE(NULL, pm);

	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	m = map_obj(self->fd, len, 0, variant->shared);
	ASSERT_NE(MAP_FAILED, m);
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
	/* The mapping alone costs nothing. */
	ASSERT_EQ(0, vl_count_present(m, npages));
	ASSERT_EQ(0, vl_smaps_kb(m, "Rss"));
	ASSERT_EQ(0, b.pages_resident);
	ASSERT_EQ(0, VL_D(a, b, pages_allocated));
	ASSERT_EQ(1, VL_D(a, b, vmas_live));

	/* Touch: shared by writing, private by reading. */
	for (try = 0; try < 3 && !ok; try++) {
		ASSERT_EQ(0, madvise(m, len, MADV_DONTNEED));
		ASSERT_EQ(0, vmlab_reset(self->fd, NULL));
		ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
		lo = vmlab_free_kb();
		if (variant->shared)
			vl_touch_write(m, touch, 1);
		else
			vl_touch_read(m, touch);
		hi = vmlab_free_kb();
		ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
		drops[try] = lo - hi;
		if (try == 0) {
			vl_stats_log("touch", &a, &b);
			ASSERT_EQ(0, vl_pagemap_range(m, npages, pm));
			for (i = 0; i < npages; i++)
				ASSERT_EQ(i < tpages, pm_present(pm[i]))
					TH_LOG("page %zu of %zu (touched %zu)",
					       i, npages, tpages);
			/* Private: the zero page's special entries, not in Rss. */
			ASSERT_EQ(variant->shared ? (long)(touch / 1024) : 0,
				  vl_smaps_kb(m, "Rss"));
			ASSERT_EQ(0, vl_smaps_kb(m, "Anonymous"));
			if (variant->shared) {
				ASSERT_EQ(tpages, VL_D(a, b, pages_allocated));
				ASSERT_EQ(tpages, b.pages_resident);
				ASSERT_EQ(tpages, VL_D(a, b, fault_shared_write));
			} else {
				ASSERT_EQ(0, VL_D(a, b, pages_allocated));
				ASSERT_EQ(0, b.pages_resident);
				ASSERT_EQ(tpages, VL_D(a, b, zero_frame_maps));
				ASSERT_EQ(vmlab_zero_pfn(), pm_pfn(pm[0]));
				ASSERT_EQ(vmlab_zero_pfn(), pm_pfn(pm[tpages - 1]));
				ASSERT_EQ(0, vl_smaps_kb(m, "Pss"));
			}
		}
		want_kb = variant->shared ? (long)(touch / 1024) : 0;
		ok = drops[try] >= want_kb - want_kb / 8 - 256 &&
		     drops[try] <= want_kb + want_kb / 4 + 1024;
	}
	TH_LOG("free memory drop after touching %zu kB (%s): %ld, %ld, %ld kB",
	       touch / 1024, variant->shared ? "written" : "read",
	       drops[0], drops[1], drops[2]);
	ASSERT_TRUE(ok);

	if (variant->shared)
		goto out;

	/* Private: writing the same pages costs anonymous memory instead. */
	ok = false;
	memset(drops, 0, sizeof(drops));
	for (try = 0; try < 3 && !ok; try++) {
		ASSERT_EQ(0, madvise(m, len, MADV_DONTNEED));
		ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
		lo = vmlab_free_kb();
		vl_touch_write(m, touch, 1);
		hi = vmlab_free_kb();
		ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
		drops[try] = lo - hi;
		if (try == 0) {
			ASSERT_EQ(0, VL_D(a, b, pages_allocated));
			ASSERT_EQ(0, b.pages_resident);
			ASSERT_EQ(tpages, VL_D(a, b, fault_private_write));
			ASSERT_EQ((long)(touch / 1024), vl_smaps_kb(m, "Anonymous"));
			ASSERT_EQ(tpages, vl_count_present(m, npages));
		}
		want_kb = touch / 1024;
		ok = drops[try] >= want_kb - want_kb / 8 - 256 &&
		     drops[try] <= want_kb + want_kb / 4 + 1024;
	}
	TH_LOG("free memory drop after writing %zu kB privately: %ld, %ld, %ld kB",
	       touch / 1024, drops[0], drops[1], drops[2]);
	ASSERT_TRUE(ok);
out:
	munmap(m, len);
	free(pm);
}

/*
 * The same pages seen through two mappings and a child: shared mappings
 * map the object's frame (kpagecount counts every mapping); private read
 * faults on holes all map the kernel's zero page, whose count none of
 * them moves.
 */
TEST_F(fault, frames_across_mappings)
{
	size_t ps = self->ps, n = 64, i;
	uint64_t p1[64], p2[64];
	struct vmlab_stats a, b;
	struct vl_sync s;
	int64_t cnt0;
	char *m1, *m2;
	pid_t pid;

	m1 = map_obj(self->fd, n * ps, 0, variant->shared);
	m2 = map_obj(self->fd, n * ps, variant->shared ? 0 : n * ps,
		     variant->shared);
	ASSERT_NE(MAP_FAILED, m1);
	ASSERT_NE(MAP_FAILED, m2);
	ASSERT_NE(0, vmlab_zero_pfn());
	cnt0 = vl_kpagecount(vmlab_zero_pfn());
	ASSERT_LE(0, cnt0);
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	vl_touch_read(m1, n * ps);
	vl_touch_read(m2, n * ps);
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
	vl_stats_log("two mappings", &a, &b);
	for (i = 0; i < n; i++) {
		p1[i] = vl_pfn(m1 + i * ps);
		p2[i] = vl_pfn(m2 + i * ps);
		ASSERT_NE(0, p1[i]);
		ASSERT_NE(0, p2[i]);
	}
	if (variant->shared) {
		ASSERT_EQ(n, VL_D(a, b, pages_allocated));
		ASSERT_EQ(2 * n, VL_D(a, b, fault_shared_read));
		ASSERT_EQ(n, distinct(p1, n));
		for (i = 0; i < n; i++) {
			ASSERT_EQ(p1[i], p2[i]);
			ASSERT_EQ(2, vl_kpagecount(p1[i]));
		}
	} else {
		ASSERT_EQ(0, VL_D(a, b, pages_allocated));
		ASSERT_EQ(2 * n, VL_D(a, b, fault_private_read));
		ASSERT_EQ(2 * n, VL_D(a, b, zero_frame_maps));
		for (i = 0; i < n; i++) {
			ASSERT_EQ(vmlab_zero_pfn(), p1[i]);
			ASSERT_EQ(vmlab_zero_pfn(), p2[i]);
		}
		ASSERT_EQ(cnt0, vl_kpagecount(p1[0]));
	}
	cnt0 = vl_kpagecount(p1[0]);

	/* A child maps them again (fork copies no PTEs here: it faults). */
	pid = vl_sync_fork(&s);
	ASSERT_LE(0, pid);
	if (pid == 0) {
		vl_touch_read(m1, n * ps);
		vl_touch_read(m2, n * ps);
		for (i = 0; i < n; i++)
			if (vl_pfn(m1 + i * ps) != p1[i] || vl_pfn(m2 + i * ps) != p2[i])
				_exit(20);
		vl_post(s.to_parent[1]);
		vl_wait_byte(s.to_child[0]);
		_exit(0);
	}
	ASSERT_EQ(0, vl_wait_byte(s.to_parent[0]));
	if (variant->shared) {
		/* The child maps each page twice too (m1 and m2). */
		for (i = 0; i < n; i++)
			ASSERT_EQ(4, vl_kpagecount(p1[i]));
	} else {
		/* The child's 2n entries count nothing either. */
		ASSERT_EQ(cnt0, vl_kpagecount(p1[0]));
	}
	vl_post(s.to_child[1]);
	ASSERT_EQ(0, vl_wait(pid));
	ASSERT_EQ(cnt0, vl_kpagecount(p1[0]));
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	vl_stats_log("child", &b, &a);
	if (variant->shared) {
		ASSERT_EQ(2 * n, VL_D(b, a, fault_shared_read));
		ASSERT_EQ(0, VL_D(b, a, pages_allocated));
	} else {
		ASSERT_EQ(2 * n, VL_D(b, a, fault_private_read));
		ASSERT_EQ(2 * n, VL_D(b, a, zero_frame_maps));
	}
	vl_sync_close(&s);
}

/*
 * A forked child sees what the parent stored (same frame); its own store
 * reaches the parent only through a shared mapping.
 */
TEST_F(fault, fork_child_sees_store)
{
	size_t ps = self->ps;
	struct vmlab_stats a, b;
	char buf[64];
	uint64_t pfn;
	pid_t pid;
	char *m;

	m = map_obj(self->fd, 4 * ps, 0, variant->shared);
	ASSERT_NE(MAP_FAILED, m);
	vl_fill(m + ps, 64, 11);
	pfn = vl_pfn(m + ps);
	ASSERT_NE(0, pfn);
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	fflush(stderr);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		uint64_t p2;

		if (!vl_check(m + ps, 64, 11))
			_exit(20);
		if (vl_pfn(m + ps) != pfn)
			_exit(21);
		vl_fill(m + ps, 64, 12);
		p2 = vl_pfn(m + ps);
		if (variant->shared && p2 != pfn)
			_exit(22);
		if (!variant->shared &&
		    (p2 == pfn || !vmlab_kpf(vl_kpageflags(p2), VMLAB_KPF_ANON)))
			_exit(23);
		_exit(0);
	}
	ASSERT_EQ(0, vl_wait(pid));
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
	vl_stats_log("child", &a, &b);
	ASSERT_EQ(pfn, vl_pfn(m + ps));
	ASSERT_EQ(64, pread(self->fd, buf, 64, ps));
	if (variant->shared) {
		ASSERT_TRUE(vl_check(m + ps, 64, 12));
		ASSERT_TRUE(vl_check(buf, 64, 12));
		/* The child faulted the page in anew, then made it writable. */
		ASSERT_EQ(1, VL_D(a, b, fault_shared_read));
		ASSERT_EQ(1, VL_D(a, b, page_mkwrite));
	} else {
		ASSERT_TRUE(vl_check(m + ps, 64, 11));
		ASSERT_TRUE(vl_is_zero(buf, 64));
		/* fork copied the anonymous PTE: the child's COW is the kernel's. */
		ASSERT_EQ(0, VL_D(a, b, fault_private_read));
		ASSERT_EQ(0, VL_D(a, b, fault_private_write));
	}
	ASSERT_EQ(0, VL_D(a, b, pages_allocated));
	munmap(m, 4 * ps);
}

/*
 * An unrelated process (this program re-executed) maps the same page: it
 * sees the object's data at the same PFN; its store reaches us only when
 * both mappings are shared.
 */
int vl_helper_main(int argc, char **argv)
{
	size_t ps = vmlab_page_size();
	uint32_t seed, nseed;
	uint64_t pfn, p, p2;
	bool shared;
	off_t off;
	char *m;
	int fd;

	if (argc != 6 || strcmp(argv[0], "peer"))
		return 2;
	shared = !strcmp(argv[1], "shared");
	off = strtoll(argv[2], NULL, 0);
	seed = strtoul(argv[3], NULL, 0);
	pfn = strtoull(argv[4], NULL, 0);
	nseed = strtoul(argv[5], NULL, 0);
	fd = vmlab_open(O_RDWR);
	if (fd < 0)
		return 10;
	m = map_obj(fd, ps, off, shared);
	if (m == MAP_FAILED)
		return 11;
	if (!vl_check(m, 64, seed))
		return 12;
	p = vl_pfn(m);
	printf("pfn %llu\n", (unsigned long long)p);
	if (p != pfn)
		return 13;
	vl_fill(m, 64, nseed);
	p2 = vl_pfn(m);
	printf("pfn after store %llu\n", (unsigned long long)p2);
	if (shared && p2 != pfn)
		return 14;
	if (!shared && (p2 == pfn || !vmlab_kpf(vl_kpageflags(p2), VMLAB_KPF_ANON)))
		return 15;
	if (!vl_check(m, 64, nseed))
		return 16;
	return 0;
}

TEST_F(fault, unrelated_process_same_frame)
{
	size_t ps = self->ps;
	char buf[64], out[256], arg_off[32], arg_pfn[32];
	struct vmlab_stats a, b;
	uint64_t pfn;
	char *m;
	int st;

	vl_fill(buf, 64, 21);
	ASSERT_EQ(64, pwrite(self->fd, buf, 64, 2 * ps));
	m = map_obj(self->fd, 4 * ps, 0, variant->shared);
	ASSERT_NE(MAP_FAILED, m);
	ASSERT_TRUE(vl_check(m + 2 * ps, 64, 21));
	pfn = vl_pfn(m + 2 * ps);
	ASSERT_NE(0, pfn);
	ASSERT_TRUE(pm_file(vl_pagemap(m + 2 * ps)));
	ASSERT_EQ(1, vl_kpagecount(pfn));

	snprintf(arg_off, sizeof(arg_off), "%zu", 2 * ps);
	snprintf(arg_pfn, sizeof(arg_pfn), "%llu", (unsigned long long)pfn);
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	st = vl_run_self(out, sizeof(out), "peer",
			 variant->shared ? "shared" : "private", arg_off, "21",
			 arg_pfn, "22", NULL);
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
	vl_stats_log("peer", &a, &b);
	ASSERT_EQ(0, st) TH_LOG("helper: exit %d, said: %s (our pfn %llu)", st,
				out, (unsigned long long)pfn);

	ASSERT_EQ(pfn, vl_pfn(m + 2 * ps));
	ASSERT_EQ(64, pread(self->fd, buf, 64, 2 * ps));
	if (variant->shared) {
		ASSERT_TRUE(vl_check(m + 2 * ps, 64, 22));
		ASSERT_TRUE(vl_check(buf, 64, 22));
		ASSERT_EQ(1, VL_D(a, b, fault_shared_read));
		ASSERT_EQ(1, VL_D(a, b, page_mkwrite));
	} else {
		ASSERT_TRUE(vl_check(m + 2 * ps, 64, 21));
		ASSERT_TRUE(vl_check(buf, 64, 21));
		ASSERT_EQ(1, VL_D(a, b, fault_private_read));
		ASSERT_EQ(0, VL_D(a, b, fault_private_write));
		ASSERT_EQ(0, VL_D(a, b, page_mkwrite));
	}
	ASSERT_EQ(0, VL_D(a, b, pages_allocated));
	ASSERT_EQ(1, vl_kpagecount(pfn));
	munmap(m, 4 * ps);
}

/*
 * A store to a page that is mapped read-only: a private mapping copies the
 * object's frame (COW: new anonymous PFN, object unchanged, no .fault), a
 * shared one makes the object's frame writable (page_mkwrite).
 */
TEST_F(fault, store_to_mapped_page)
{
	size_t ps = self->ps;
	struct vmlab_stats a, b;
	uint64_t obj, pfn;
	char buf[64], *m, *ref;
	long f0, f1;

	vl_fill(buf, 64, 5);
	ASSERT_EQ(64, pwrite(self->fd, buf, 64, ps));
	ref = map_obj(self->fd, 2 * ps, 0, true);
	m = map_obj(self->fd, 2 * ps, 0, variant->shared);
	ASSERT_NE(MAP_FAILED, ref);
	ASSERT_NE(MAP_FAILED, m);
	vl_touch_read(ref + ps, 1);
	obj = vl_pfn(ref + ps);
	ASSERT_NE(0, obj);

	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	ASSERT_TRUE(vl_check(m + ps, 64, 5));
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
	/* Both kinds map the object's frame for a read. */
	ASSERT_EQ(obj, vl_pfn(m + ps));
	ASSERT_TRUE(pm_file(vl_pagemap(m + ps)));
	ASSERT_EQ(2, vl_kpagecount(obj));
	ASSERT_EQ(1, variant->shared ? VL_D(a, b, fault_shared_read) :
				       VL_D(a, b, fault_private_read));
	ASSERT_EQ(0, VL_D(a, b, zero_frame_maps));

	a = b;
	f0 = vmlab_minflt();
	vl_fill(m + ps, 64, 6);
	f1 = vmlab_minflt();
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
	vl_stats_log("store", &a, &b);
	ASSERT_EQ(1, f1 - f0);
	pfn = vl_pfn(m + ps);
	ASSERT_EQ(0, VL_D(a, b, fault_shared_write));
	ASSERT_EQ(0, VL_D(a, b, fault_private_write));
	ASSERT_EQ(0, VL_D(a, b, pages_allocated));
	ASSERT_EQ(64, pread(self->fd, buf, 64, ps));
	if (variant->shared) {
		ASSERT_EQ(obj, pfn);
		ASSERT_EQ(1, VL_D(a, b, page_mkwrite));
		ASSERT_TRUE(vl_check(ref + ps, 64, 6));
		ASSERT_TRUE(vl_check(buf, 64, 6));
		ASSERT_EQ(2, vl_kpagecount(obj));
	} else {
		ASSERT_NE(obj, pfn);
		ASSERT_TRUE(vmlab_kpf(vl_kpageflags(pfn), VMLAB_KPF_ANON));
		ASSERT_FALSE(pm_file(vl_pagemap(m + ps)));
		ASSERT_EQ(0, VL_D(a, b, page_mkwrite));
		ASSERT_TRUE(vl_check(m + ps, 64, 6));
		ASSERT_TRUE(vl_check(ref + ps, 64, 5));
		ASSERT_TRUE(vl_check(buf, 64, 5));
		ASSERT_EQ(obj, vl_pfn(ref + ps));
		ASSERT_EQ(1, vl_kpagecount(obj));
		ASSERT_EQ(1, vl_kpagecount(pfn));
	}
	munmap(m, 2 * ps);
	munmap(ref, 2 * ps);
}

struct fork_result {
	uint64_t pfn_before;
	uint64_t pfn_after;
	uint64_t flags_after;
};

/*
 * COW after fork.  The parent stores to a page first (private: an
 * anonymous page; shared: the object's page), then forks; parent and child
 * share the frame (kpagecount 2) until one of them stores: in a private
 * mapping the writer gets a new PFN and the other keeps the original; in a
 * shared mapping both keep the frame and see the store.
 */
static void fork_cow(struct __test_metadata *_metadata,
		     FIXTURE_DATA(fault) *self,
		     const FIXTURE_VARIANT(fault) *variant, bool child_writes)
{
	size_t ps = self->ps;
	struct fork_result *r;
	struct vmlab_stats a, b;
	struct vl_sync s;
	uint64_t orig, mine;
	pid_t pid;
	char *m;

	r = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		 -1, 0);
	ASSERT_NE(MAP_FAILED, r);
	m = map_obj(self->fd, 2 * ps, 0, variant->shared);
	ASSERT_NE(MAP_FAILED, m);
	vl_fill(m, 64, 1);
	orig = vl_pfn(m);
	ASSERT_NE(0, orig);
	ASSERT_EQ(!variant->shared, vmlab_kpf(vl_kpageflags(orig), VMLAB_KPF_ANON));
	ASSERT_EQ(1, vl_kpagecount(orig));

	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	pid = vl_sync_fork(&s);
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (!vl_check(m, 64, 1))
			_exit(20);
		r->pfn_before = vl_pfn(m);
		if (vl_sync_step(&s))
			_exit(21);
		if (child_writes)
			vl_fill(m, 64, 2);
		/* What we see now: our store, or the parent's if shared. */
		if (!vl_check(m, 64, child_writes || variant->shared ? 2 : 1))
			_exit(22);
		r->pfn_after = vl_pfn(m);
		r->flags_after = vl_kpageflags(r->pfn_after);
		if (vl_sync_step(&s))
			_exit(23);
		_exit(0);
	}
	ASSERT_EQ(0, vl_wait_byte(s.to_parent[0]));
	/* Both map the original frame now. */
	ASSERT_EQ(orig, r->pfn_before);
	ASSERT_EQ(2, vl_kpagecount(orig));

	if (!child_writes)
		vl_fill(m, 64, 2);
	ASSERT_EQ(0, vl_post(s.to_child[1]));
	ASSERT_EQ(0, vl_wait_byte(s.to_parent[0]));
	mine = vl_pfn(m);
	if (variant->shared) {
		ASSERT_EQ(orig, mine);
		ASSERT_EQ(orig, r->pfn_after);
		ASSERT_TRUE(vl_check(m, 64, 2));
		ASSERT_EQ(2, vl_kpagecount(orig));
	} else if (child_writes) {
		ASSERT_EQ(orig, mine);
		ASSERT_NE(orig, r->pfn_after);
		ASSERT_TRUE(vmlab_kpf(r->flags_after, VMLAB_KPF_ANON));
		ASSERT_TRUE(vl_check(m, 64, 1));
		ASSERT_EQ(1, vl_kpagecount(orig));
	} else {
		ASSERT_NE(orig, mine);
		ASSERT_EQ(orig, r->pfn_after);
		ASSERT_TRUE(vmlab_kpf(vl_kpageflags(mine), VMLAB_KPF_ANON));
		ASSERT_TRUE(vl_check(m, 64, 2));
		ASSERT_EQ(1, vl_kpagecount(orig));
		ASSERT_EQ(1, vl_kpagecount(mine));
	}
	ASSERT_EQ(0, vl_post(s.to_child[1]));
	ASSERT_EQ(0, vl_wait(pid));
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
	vl_stats_log("fork", &a, &b);
	ASSERT_EQ(0, VL_D(a, b, pages_allocated));
	if (variant->shared) {
		/* The child's PTEs are not copied: it faults the page anew. */
		ASSERT_EQ(1, VL_D(a, b, fault_shared_read));
		ASSERT_EQ(child_writes ? 1 : 0, VL_D(a, b, page_mkwrite));
		ASSERT_EQ(0, VL_D(a, b, fault_shared_write));
	} else {
		/* Anonymous PTEs are copied and COW is the kernel's alone. */
		ASSERT_EQ(0, VL_D(a, b, fault_private_read));
		ASSERT_EQ(0, VL_D(a, b, fault_private_write));
	}
	vl_sync_close(&s);
	munmap(m, 2 * ps);
	munmap(r, ps);
}

TEST_F(fault, fork_cow_child_writes)
{
	fork_cow(_metadata, self, variant, true);
}

TEST_F(fault, fork_cow_parent_writes)
{
	fork_cow(_metadata, self, variant, false);
}

/* Closing the fd after mmap() leaves the mapping working and alive. */
TEST_F(fault, close_after_mmap)
{
	size_t ps = self->ps;
	struct vmlab_stats a, b;
	char buf[64], line[512];
	int fd2 = vmlab_open(O_RDWR);
	char *m;

	ASSERT_LE(0, fd2);
	m = map_obj(fd2, 4 * ps, 0, variant->shared);
	ASSERT_NE(MAP_FAILED, m);
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	ASSERT_EQ(0, close(fd2));
	vl_fill(m, 64, 3);
	ASSERT_TRUE(vl_is_zero(m + ps, ps));
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
	ASSERT_EQ(0, VL_D(a, b, vmas_live));
	ASSERT_EQ(0, VL_D(a, b, vma_closes));
	ASSERT_EQ(2, vl_count_present(m, 4));
	ASSERT_EQ(0, vl_maps_line(m, line, sizeof(line)));
	ASSERT_NE(NULL, strstr(line, VMLAB_DEVICE)) TH_LOG("%s", line);

	ASSERT_EQ(64, pread(self->fd, buf, 64, 0));
	if (variant->shared) {
		ASSERT_TRUE(vl_check(buf, 64, 3));
	} else {
		ASSERT_TRUE(vl_is_zero(buf, 64));
	}

	ASSERT_EQ(0, munmap(m, 4 * ps));
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	ASSERT_EQ(-1, VL_D(b, a, vmas_live));
	ASSERT_EQ(1, VL_D(b, a, vma_closes));
}

/* After munmap() the range is gone: any access gets SIGSEGV. */
TEST_F(fault, munmap_then_sigsegv)
{
	size_t ps = self->ps;
	struct vmlab_stats a, b;
	char line[512];
	char *m;

	m = map_obj(self->fd, 2 * ps, 0, variant->shared);
	ASSERT_NE(MAP_FAILED, m);
	vl_fill(m, 64, 4);
	ASSERT_EQ(0, vl_probe(m, false));
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	ASSERT_EQ(0, munmap(m, 2 * ps));
	ASSERT_EQ(SIGSEGV, vl_probe(m, false));
	ASSERT_EQ(SIGSEGV, vl_probe(m + ps, true));
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
	ASSERT_FALSE(pm_present(vl_pagemap(m)));
	ASSERT_EQ(-1, vl_maps_line(m, line, sizeof(line)));
	ASSERT_EQ(1, VL_D(a, b, vma_closes));
	ASSERT_EQ(-1, VL_D(a, b, vmas_live));
	ASSERT_EQ(0, VL_D(a, b, sigbus));
	ASSERT_EQ(0, VL_D(a, b, fault_shared_read) + VL_D(a, b, fault_private_read));
	/* The object keeps what a shared mapping stored. */
	ASSERT_EQ(variant->shared ? 1 : 0, b.pages_resident);
}

/*
 * munmap() of a page in the middle splits the VMA: the rest keeps working
 * with its data, the hole gets SIGSEGV, and the module sees the split.
 */
TEST_F(fault, partial_munmap)
{
	size_t ps = self->ps, i;
	struct vmlab_stats a, b;
	int lines0;
	char *m;

	lines0 = vmlab_maps_count(0, VMLAB_DEVICE);
	m = map_obj(self->fd, 4 * ps, 0, variant->shared);
	ASSERT_NE(MAP_FAILED, m);
	for (i = 0; i < 4; i++)
		vl_fill(m + i * ps, 64, 30 + i);
	ASSERT_EQ(lines0 + 1, vmlab_maps_count(0, VMLAB_DEVICE));

	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	ASSERT_EQ(0, munmap(m + ps, ps));
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
	vl_stats_log("munmap middle", &a, &b);
	/* Two splits (two opens), then the middle one closed. */
	ASSERT_EQ(2, VL_D(a, b, vma_opens));
	ASSERT_EQ(1, VL_D(a, b, vma_closes));
	ASSERT_EQ(1, VL_D(a, b, vmas_live));
	ASSERT_EQ(lines0 + 2, vmlab_maps_count(0, VMLAB_DEVICE));
	ASSERT_EQ(SIGSEGV, vl_probe(m + ps, false));
	ASSERT_FALSE(pm_present(vl_pagemap(m + ps)));
	ASSERT_TRUE(vl_check(m, 64, 30));
	ASSERT_TRUE(vl_check(m + 2 * ps, 64, 32));
	ASSERT_TRUE(vl_check(m + 3 * ps, 64, 33));
	vl_fill(m + 3 * ps, 64, 43);
	ASSERT_TRUE(vl_check(m + 3 * ps, 64, 43));
	/* (The probe's child forked and dropped copies of both parts.) */
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));

	/* The tail page of the second part: one split, one close. */
	ASSERT_EQ(0, munmap(m + 3 * ps, ps));
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	ASSERT_EQ(1, VL_D(b, a, vma_opens));
	ASSERT_EQ(1, VL_D(b, a, vma_closes));
	ASSERT_EQ(0, VL_D(b, a, vmas_live));
	ASSERT_TRUE(vl_check(m + 2 * ps, 64, 32));

	/* One munmap over both parts and the holes closes both. */
	ASSERT_EQ(0, munmap(m, 4 * ps));
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
	ASSERT_EQ(0, VL_D(a, b, vma_opens));
	ASSERT_EQ(2, VL_D(a, b, vma_closes));
	ASSERT_EQ(-2, VL_D(a, b, vmas_live));
	ASSERT_EQ(lines0, vmlab_maps_count(0, VMLAB_DEVICE));
	if (variant->shared) {
		char buf[64];

		ASSERT_EQ(64, pread(self->fd, buf, 64, ps));
		ASSERT_TRUE(vl_check(buf, 64, 31));
		ASSERT_EQ(64, pread(self->fd, buf, 64, 3 * ps));
		ASSERT_TRUE(vl_check(buf, 64, 43));
	}
}

/* A mapping may be longer than the object; access past the end: SIGBUS. */
TEST_F(fault, sigbus_past_end)
{
	size_t ps = self->ps, len = self->size + 2 * ps;
	struct vmlab_stats a, b;
	char *m, *m2;

	m = map_obj(self->fd, len, 0, variant->shared);
	ASSERT_NE(MAP_FAILED, m);
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	ASSERT_TRUE(vl_is_zero(m + self->size - ps, ps));
	ASSERT_EQ(SIGBUS, vl_probe(m + self->size, false));
	ASSERT_EQ(SIGBUS, vl_probe(m + self->size + ps, true));
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
	vl_stats_log("past end", &a, &b);
	ASSERT_EQ(2, VL_D(a, b, sigbus));
	ASSERT_EQ(variant->shared ? 1 : 0, VL_D(a, b, pages_allocated));
	ASSERT_TRUE(pm_present(vl_pagemap(m + self->size - ps)));
	ASSERT_FALSE(pm_present(vl_pagemap(m + self->size)));

	/* A mapping that starts one page before the end. */
	m2 = map_obj(self->fd, 2 * ps, self->size - ps, variant->shared);
	ASSERT_NE(MAP_FAILED, m2);
	ASSERT_TRUE(vl_is_zero(m2, ps));
	ASSERT_EQ(vl_pfn(m + self->size - ps), vl_pfn(m2));
	ASSERT_EQ(SIGBUS, vl_probe(m2 + ps, false));
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	ASSERT_EQ(1, VL_D(b, a, sigbus));
	munmap(m2, 2 * ps);
	munmap(m, len);
}

/*
 * The memory limit: once the object holds mem_limit, a fault that needs a
 * new object page gets SIGBUS and write() gets ENOSPC; private mappings
 * still read holes (the zero page) and write them (anonymous copies).
 */
TEST_F_TIMEOUT(fault, mem_limit, 300)
{
	size_t ps = self->ps, lpages = self->limit / ps;
	struct vmlab_stats a, b;
	char *fill, *m, c = 1;
	uint64_t pfn;

	if (self->limit >= self->size)
		SKIP(return, "mem_limit (%zu MiB) >= size (%zu MiB): load vmlab "
		     "with mem_limit_mb < size_mb to test the limit",
		     self->limit / VL_MiB, self->size / VL_MiB);
	ASSERT_LE(lpages + 2, self->size / ps);

	/* Fill the object up to its limit through a shared mapping. */
	fill = map_obj(self->fd, lpages * ps, 0, true);
	ASSERT_NE(MAP_FAILED, fill);
	vl_touch_write(fill, lpages * ps, 7);
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	ASSERT_EQ(lpages, a.pages_resident);
	ASSERT_EQ(0, munmap(fill, lpages * ps));

	m = map_obj(self->fd, (lpages + 2) * ps, 0, variant->shared);
	ASSERT_NE(MAP_FAILED, m);
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	ASSERT_EQ(7, m[0]);
	if (variant->shared) {
		ASSERT_EQ(SIGBUS, vl_probe(m + lpages * ps, true));
		ASSERT_EQ(SIGBUS, vl_probe(m + (lpages + 1) * ps, false));
		ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
		ASSERT_EQ(2, VL_D(a, b, sigbus));
	} else {
		ASSERT_EQ(0, vl_probe(m + lpages * ps, false));
		ASSERT_EQ(0, vl_probe(m + (lpages + 1) * ps, true));
		ASSERT_TRUE(vl_is_zero(m + lpages * ps, ps));
		m[(lpages + 1) * ps] = 9;
		pfn = vl_pfn(m + (lpages + 1) * ps);
		ASSERT_TRUE(vmlab_kpf(vl_kpageflags(pfn), VMLAB_KPF_ANON));
		ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
		ASSERT_EQ(0, VL_D(a, b, sigbus));
	}
	vl_stats_log("over the limit", &a, &b);
	ASSERT_EQ(0, VL_D(a, b, pages_allocated));
	ASSERT_EQ(lpages, b.pages_resident);
	ASSERT_EQ(variant->shared ? 0 : 2, vl_count_present(m + lpages * ps, 2));

	/* write() of a hole fails; of a held page works. */
	errno = 0;
	ASSERT_EQ(-1, pwrite(self->fd, &c, 1, lpages * ps));
	ASSERT_EQ(ENOSPC, errno);
	ASSERT_EQ(1, pwrite(self->fd, &c, 1, 0));
	ASSERT_EQ(1, m[0]);

	/* After a reset the same pages fault in fine. */
	ASSERT_EQ(0, vmlab_reset(self->fd, NULL));
	ASSERT_EQ(0, vl_probe(m + lpages * ps, true));
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	ASSERT_EQ(0, VL_D(b, a, sigbus));
	munmap(m, (lpages + 2) * ps);
}

/* A store through a PROT_READ mapping gets SIGSEGV before any fault. */
TEST_F(fault, prot_read_store_sigsegv)
{
	size_t ps = self->ps;
	struct vmlab_stats a, b;
	char buf[64];
	char *m;

	m = mmap(NULL, 2 * ps, PROT_READ,
		 variant->shared ? MAP_SHARED : MAP_PRIVATE, self->fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	ASSERT_EQ(0, m[0]);
	ASSERT_EQ(SIGSEGV, vl_probe(m, true));
	ASSERT_EQ(SIGSEGV, vl_probe(m + ps, true));
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
	vl_stats_log("read-only", &a, &b);
	ASSERT_EQ(0, VL_D(a, b, fault_shared_write));
	ASSERT_EQ(0, VL_D(a, b, fault_private_write));
	ASSERT_EQ(0, VL_D(a, b, page_mkwrite));
	ASSERT_EQ(0, VL_D(a, b, sigbus));
	ASSERT_EQ(variant->shared ? 1 : 0, VL_D(a, b, pages_allocated));
	ASSERT_FALSE(pm_present(vl_pagemap(m + ps)));
	ASSERT_EQ(64, pread(self->fd, buf, 64, 0));
	ASSERT_TRUE(vl_is_zero(buf, 64));

	/* Made writable, the same store works. */
	ASSERT_EQ(0, mprotect(m, 2 * ps, PROT_READ | PROT_WRITE));
	vl_fill(m, 64, 8);
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	ASSERT_EQ(64, pread(self->fd, buf, 64, 0));
	if (variant->shared) {
		ASSERT_EQ(1, VL_D(b, a, page_mkwrite));
		ASSERT_TRUE(vl_check(buf, 64, 8));
	} else {
		ASSERT_TRUE(vmlab_kpf(vl_kpageflags(vl_pfn(m)), VMLAB_KPF_ANON));
		ASSERT_TRUE(vl_is_zero(buf, 64));
	}
	munmap(m, 2 * ps);
}

/*
 * An O_RDONLY fd: a writable shared mapping is refused (EACCES) and counts
 * nothing; a read-only shared one cannot be made writable; a writable
 * private one works and never reaches the object.
 */
TEST_F(fault, rdonly_fd)
{
	size_t ps = self->ps;
	struct vmlab_stats a, b;
	int rfd = vmlab_open(O_RDONLY);
	char buf[64];
	char *m;

	ASSERT_LE(0, rfd);
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	if (variant->shared) {
		errno = 0;
		m = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_SHARED, rfd, 0);
		ASSERT_EQ(MAP_FAILED, m);
		ASSERT_EQ(EACCES, errno);
		ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
		ASSERT_EQ(0, VL_D(a, b, vma_opens));
		ASSERT_EQ(0, VL_D(a, b, vmas_live));

		m = mmap(NULL, ps, PROT_READ, MAP_SHARED, rfd, 0);
		ASSERT_NE(MAP_FAILED, m);
		ASSERT_EQ(0, m[0]);
		errno = 0;
		ASSERT_EQ(-1, mprotect(m, ps, PROT_READ | PROT_WRITE));
		ASSERT_EQ(EACCES, errno);
		ASSERT_EQ(SIGSEGV, vl_probe(m, true));
	} else {
		m = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_PRIVATE, rfd, 0);
		ASSERT_NE(MAP_FAILED, m);
		vl_fill(m, 64, 9);
		ASSERT_TRUE(vl_check(m, 64, 9));
		ASSERT_TRUE(vmlab_kpf(vl_kpageflags(vl_pfn(m)), VMLAB_KPF_ANON));
		ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
		ASSERT_EQ(0, VL_D(a, b, pages_allocated));
		ASSERT_EQ(0, VL_D(a, b, page_mkwrite));
	}
	ASSERT_EQ(64, pread(self->fd, buf, 64, 0));
	ASSERT_TRUE(vl_is_zero(buf, 64));
	munmap(m, ps);
	close(rfd);
}

/*
 * MADV_DONTNEED drops the PTEs: a shared mapping faults the object's data
 * back (same frame); a private mapping loses its copy and reads the object
 * again (the object's frame, or the zero page for a hole).
 */
TEST_F(fault, madv_dontneed)
{
	size_t ps = self->ps;
	uint64_t p0, p1, obj;
	struct vmlab_stats a, b;
	char buf[64], *m, *ref;

	vl_fill(buf, 64, 1);
	ASSERT_EQ(64, pwrite(self->fd, buf, 64, 0));
	ref = map_obj(self->fd, ps, 0, true);
	ASSERT_NE(MAP_FAILED, ref);
	vl_touch_read(ref, ps);
	obj = vl_pfn(ref);

	m = map_obj(self->fd, 2 * ps, 0, variant->shared);
	ASSERT_NE(MAP_FAILED, m);
	vl_fill(m, 64, 2);
	ASSERT_TRUE(vl_is_zero(m + ps, ps));
	p0 = vl_pfn(m);
	p1 = vl_pfn(m + ps);
	/* A private hole maps the zero page, which Rss does not count. */
	ASSERT_EQ((variant->shared ? 2 : 1) * ps / 1024, (size_t)vl_smaps_kb(m, "Rss"));
	if (!variant->shared)
		ASSERT_EQ(vmlab_zero_pfn(), p1);

	ASSERT_EQ(0, madvise(m, 2 * ps, MADV_DONTNEED));
	ASSERT_EQ(0, vl_count_present(m, 2));
	ASSERT_EQ(0, vl_smaps_kb(m, "Rss"));
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	if (variant->shared) {
		ASSERT_TRUE(vl_check(m, 64, 2));
		ASSERT_TRUE(vl_is_zero(m + ps, ps));
		ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
		ASSERT_EQ(p0, vl_pfn(m));
		ASSERT_EQ(p1, vl_pfn(m + ps));
		ASSERT_EQ(obj, p0);
		ASSERT_EQ(2, VL_D(a, b, fault_shared_read));
	} else {
		ASSERT_NE(obj, p0);
		ASSERT_TRUE(vl_check(m, 64, 1));
		ASSERT_TRUE(vl_is_zero(m + ps, ps));
		ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
		ASSERT_EQ(obj, vl_pfn(m));
		ASSERT_TRUE(pm_file(vl_pagemap(m)));
		ASSERT_FALSE(vmlab_kpf(vl_kpageflags(obj), VMLAB_KPF_ANON));
		/* The hole maps the zero page again. */
		ASSERT_EQ(p1, vl_pfn(m + ps));
		ASSERT_EQ(2, VL_D(a, b, fault_private_read));
		ASSERT_EQ(1, VL_D(a, b, zero_frame_maps));
		ASSERT_EQ(0, vl_smaps_kb(m, "Anonymous"));
	}
	vl_stats_log("after dontneed", &a, &b);
	ASSERT_EQ(0, VL_D(a, b, pages_allocated));
	munmap(m, 2 * ps);
	munmap(ref, ps);
}

/* mremap() moving a mapping keeps its pages; the old range is gone. */
TEST_F(fault, mremap_move)
{
	size_t ps = self->ps, n = 8, i;
	struct vmlab_stats a, b;
	uint64_t pfn[8];
	char line[512], *m, *t, *r;

	m = map_obj(self->fd, n * ps, 0, variant->shared);
	ASSERT_NE(MAP_FAILED, m);
	for (i = 0; i < n; i++) {
		vl_fill(m + i * ps, 64, 50 + i);
		pfn[i] = vl_pfn(m + i * ps);
	}
	t = mmap(NULL, n * ps, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, t);

	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	r = mremap(m, n * ps, n * ps, MREMAP_MAYMOVE | MREMAP_FIXED, t);
	ASSERT_EQ(t, r);
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
	vl_stats_log("mremap move", &a, &b);
	ASSERT_EQ(1, VL_D(a, b, vma_opens));
	ASSERT_EQ(1, VL_D(a, b, vma_closes));
	ASSERT_EQ(0, VL_D(a, b, vmas_live));
	for (i = 0; i < n; i++) {
		ASSERT_TRUE(vl_check(t + i * ps, 64, 50 + i));
		ASSERT_EQ(pfn[i], vl_pfn(t + i * ps));
	}
	ASSERT_EQ(0, vl_maps_line(t, line, sizeof(line)));
	ASSERT_NE(NULL, strstr(line, VMLAB_DEVICE)) TH_LOG("%s", line);
	ASSERT_EQ(SIGSEGV, vl_probe(m, false));
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	ASSERT_EQ(0, VL_D(b, a, pages_allocated));
	munmap(t, n * ps);
}

/* mremap() growing a mapping within the object maps the object's pages. */
TEST_F(fault, mremap_grow)
{
	size_t ps = self->ps, i;
	struct vmlab_stats a, b;
	char buf[64], *m, *r;

	for (i = 0; i < 8; i++) {
		vl_fill(buf, 64, 60 + i);
		ASSERT_EQ(64, pwrite(self->fd, buf, 64, i * ps));
	}
	/* Leave room above the mapping so that it may grow in place. */
	m = mmap(NULL, 8 * ps, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, m);
	ASSERT_EQ(0, munmap(m + 4 * ps, 4 * ps));
	ASSERT_EQ(m, mmap(m, 4 * ps, PROT_READ | PROT_WRITE,
			  (variant->shared ? MAP_SHARED : MAP_PRIVATE) | MAP_FIXED,
			  self->fd, 0));
	for (i = 0; i < 4; i++)
		ASSERT_TRUE(vl_check(m + i * ps, 64, 60 + i));

	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	r = mremap(m, 4 * ps, 8 * ps, MREMAP_MAYMOVE);
	ASSERT_NE(MAP_FAILED, r);
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
	vl_stats_log("mremap grow", &a, &b);
	TH_LOG("grown %s", r == m ? "in place" : "by moving");
	ASSERT_EQ(0, VL_D(a, b, vmas_live));
	ASSERT_EQ(VL_D(a, b, vma_opens), VL_D(a, b, vma_closes));
	for (i = 0; i < 8; i++)
		ASSERT_TRUE(vl_check(r + i * ps, 64, 60 + i)) TH_LOG("page %zu", i);
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	ASSERT_EQ(0, VL_D(b, a, pages_allocated));
	ASSERT_LE(4, variant->shared ? VL_D(b, a, fault_shared_read) :
				       VL_D(b, a, fault_private_read));
	munmap(r, 8 * ps);
}

/*
 * VMLAB_IOC_RESET while mapped: the object's pages leave every process
 * (ours and a child's; private copies stay), are freed, and a later access
 * faults in zeros.
 */
TEST_F(fault, reset_while_mapped)
{
	size_t ps = self->ps, i;
	struct vmlab_stats a, b;
	uint64_t old[4], freed = 0;
	struct vl_sync s;
	char buf[4 * 64];
	char *m;
	pid_t pid;

	for (i = 0; i < 4; i++) {
		vl_fill(buf, 64, 70 + i);
		ASSERT_EQ(64, pwrite(self->fd, buf, 64, i * ps));
	}
	m = map_obj(self->fd, 4 * ps, 0, variant->shared);
	ASSERT_NE(MAP_FAILED, m);
	/* Pages 0-1 read (the object's frames), pages 2-3 stored to. */
	for (i = 0; i < 4; i++) {
		ASSERT_TRUE(vl_check(m + i * ps, 64, 70 + i));
		if (i >= 2)
			vl_fill(m + i * ps, 64, 80 + i);
		old[i] = vl_pfn(m + i * ps);
		ASSERT_NE(0, old[i]);
	}

	/* A child maps page 0 too. */
	pid = vl_sync_fork(&s);
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (!vl_check(m, 64, 70))
			_exit(20);
		if (vl_sync_step(&s))
			_exit(21);
		if (!vl_is_zero(m, ps))
			_exit(22);
		_exit(0);
	}
	ASSERT_EQ(0, vl_wait_byte(s.to_parent[0]));
	ASSERT_EQ(old[0], pm_pfn(vl_pagemap_pid(pid, m)));

	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	ASSERT_EQ(0, vmlab_reset(self->fd, &freed));
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
	vl_stats_log("reset", &a, &b);
	ASSERT_EQ(4, freed);
	ASSERT_EQ(4, VL_D(a, b, pages_freed));
	ASSERT_EQ(0, b.pages_resident);
	ASSERT_EQ(1, VL_D(a, b, resets));

	/* Gone from the child and from us, except our private copies. */
	ASSERT_FALSE(pm_present(vl_pagemap_pid(pid, m)));
	ASSERT_FALSE(pm_present(vl_pagemap(m)));
	ASSERT_FALSE(pm_present(vl_pagemap(m + ps)));
	if (variant->shared) {
		ASSERT_FALSE(pm_present(vl_pagemap(m + 2 * ps)));
		ASSERT_FALSE(pm_present(vl_pagemap(m + 3 * ps)));
	} else {
		for (i = 2; i < 4; i++) {
			ASSERT_EQ(old[i], vl_pfn(m + i * ps));
			ASSERT_TRUE(vl_check(m + i * ps, 64, 80 + i));
			ASSERT_TRUE(vmlab_kpf(vl_kpageflags(old[i]), VMLAB_KPF_ANON));
		}
	}
	ASSERT_EQ(0, vl_post(s.to_child[1]));
	ASSERT_EQ(0, vl_wait(pid));
	vl_sync_close(&s);

	/* Everything the object backs reads zero again, from new frames. */
	for (i = 0; i < 4; i++) {
		if (!variant->shared && i >= 2)
			continue;
		ASSERT_TRUE(vl_is_zero(m + i * ps, ps)) TH_LOG("page %zu", i);
		if (!variant->shared) {
			ASSERT_NE(old[i], vl_pfn(m + i * ps));
		} else if (old[i] == vl_pfn(m + i * ps)) {
			TH_LOG("page %zu: the freed frame came back", i);
		}
	}
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(64, pread(self->fd, buf, 64, i * ps));
		ASSERT_TRUE(vl_is_zero(buf, 64));
	}
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	ASSERT_EQ(variant->shared ? 4 : 0, VL_D(b, a, pages_allocated));
	munmap(m, 4 * ps);
}

/*
 * Map @len bytes of @fd for reading at an address aligned to @align (the
 * fault-around window), so that the windows of the kernel's fault-around
 * fall the same way in every mapping; MAP_FAILED if it cannot.
 */
static char *map_aligned(int fd, size_t len, size_t align, bool shared)
{
	char *r = mmap(NULL, len + align, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *m;

	if (r == MAP_FAILED)
		return r;
	m = (char *)(((uintptr_t)r + align - 1) & ~((uintptr_t)align - 1));
	if (mmap(m, len, PROT_READ, (shared ? MAP_SHARED : MAP_PRIVATE) | MAP_FIXED,
		 fd, 0) == MAP_FAILED) {
		munmap(r, len + align);
		return MAP_FAILED;
	}
	if (m > r)
		munmap(r, m - r);
	munmap(m + len, r + align - m);
	return m;
}

/*
 * Read pages 0..n-1 of @m, checking their contents.  Return: how many of
 * them were not mapped when the loop came to them (pagemap): each of those
 * took a fault, which mapped it and maybe neighbours; -1 on wrong data.
 * *@minflt: the minor faults getrusage counted meanwhile (those, and any
 * fault on this code's own pages).
 */
static long fa_read(char *m, size_t n, size_t ps, size_t len, long *minflt)
{
	long f0 = vmlab_minflt(), faults = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		faults += !vl_count_present(m + i * ps, 1);
		if (!vl_check(m + i * ps, len, 700 + i))
			return -1;
	}
	*minflt = vmlab_minflt() - f0;
	return faults;
}

/*
 * Fault-around: a read fault maps the neighbours of the page that the
 * file already holds (the kernel's window, 16 pages by default: debugfs
 * fault_around_bytes), without calling the module, so a fresh mapping of
 * 64 resident pages is read with 4 faults (getrusage) and no call of
 * vmlab's .fault; holes still fault one by one.  A tmpfs file holding the
 * same, mapped and read the same way beside it, takes as many faults in
 * each pass: the default window; MADV_RANDOM, which the kernel's
 * fault-around ignores (mm/memory.c should_fault_around()), so nothing
 * changes; a one-page window, one fault per page.
 */
TEST_F(fault, fault_around)
{
	static const struct {
		const char *name;
		size_t window;	/* pages */
		bool random;	/* MADV_RANDOM */
	} passes[] = {
		{ "16-page window", 16, false },
		{ "16-page window and MADV_RANDOM", 16, true },
		{ "one-page window", 1, false },
	};
	size_t ps = self->ps, n = 64, i, flt, p;
	struct vmlab_stats a, b;
	long fv, ft, rv, rt;
	char *m, *t, buf[64];
	int memfd;

	ASSERT_EQ(0, vmlab_reset(self->fd, NULL));
	memfd = memfd_create("vmlab-fault-around", MFD_CLOEXEC);
	ASSERT_LE(0, memfd);
	for (i = 0; i < n; i++) {
		vl_fill(buf, sizeof(buf), 700 + i);
		ASSERT_EQ((ssize_t)sizeof(buf), pwrite(self->fd, buf, sizeof(buf), i * ps));
		ASSERT_EQ((ssize_t)sizeof(buf), pwrite(memfd, buf, sizeof(buf), i * ps));
	}
	for (p = 0; p < ARRAY_SIZE(passes); p++) {
		ASSERT_LE(0, vl_fault_around((long)(passes[p].window * ps)))
			TH_LOG("fault_around_bytes: %s", strerror(errno));
		m = map_aligned(self->fd, n * ps, 16 * ps, variant->shared);
		t = map_aligned(memfd, n * ps, 16 * ps, variant->shared);
		ASSERT_NE(MAP_FAILED, m);
		ASSERT_NE(MAP_FAILED, t);
		if (passes[p].random) {
			ASSERT_EQ(0, madvise(m, n * ps, MADV_RANDOM));
			ASSERT_EQ(0, madvise(t, n * ps, MADV_RANDOM));
		}
		ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
		fv = fa_read(m, n, ps, sizeof(buf), &rv);
		ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
		ft = fa_read(t, n, ps, sizeof(buf), &rt);
		flt = variant->shared ? VL_D(a, b, fault_shared_read) :
					VL_D(a, b, fault_private_read);
		TH_LOG("%s: %zu pages read with %ld faults (tmpfs: %ld; getrusage %ld and %ld), "
		       "%zu calls of .fault", passes[p].name, n, fv, ft, rv, rt, flt);
		ASSERT_LE(0, fv) TH_LOG("wrong data in the object's mapping");
		ASSERT_LE(0, ft) TH_LOG("wrong data in the tmpfs mapping");
		ASSERT_EQ(ft, fv) TH_LOG("not as many faults as on tmpfs");
		ASSERT_EQ(n / passes[p].window, (size_t)fv);
		/*
		 * getrusage: at least those faults (and, the first time, some
		 * on the pages pagemap's reading uses).
		 */
		ASSERT_LE(fv, rv);
		ASSERT_EQ(passes[p].window == 1 ? n : 0, flt);
		ASSERT_EQ(n, vl_count_present(m, n));
		ASSERT_EQ(0, VL_D(a, b, pages_allocated));
		ASSERT_EQ(0, munmap(m, n * ps));
		ASSERT_EQ(0, munmap(t, n * ps));
	}
	close(memfd);

	/* Holes: every other page.  Fault-around maps only what is there. */
	ASSERT_LE(0, vl_fault_around((long)(16 * ps)));
	ASSERT_EQ(0, vmlab_reset(self->fd, NULL));
	for (i = 0; i < n; i += 2)
		ASSERT_EQ(1, pwrite(self->fd, "x", 1, i * ps));
	m = mmap(NULL, n * ps, PROT_READ,
		 variant->shared ? MAP_SHARED : MAP_PRIVATE, self->fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	for (i = 0; i < n; i++)
		ASSERT_EQ(i % 2 ? 0 : 'x', m[i * ps]);
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
	flt = variant->shared ? VL_D(a, b, fault_shared_read) :
				VL_D(a, b, fault_private_read);
	TH_LOG("half holes: %zu calls of .fault, %lld zero-frame maps", flt,
	       (long long)VL_D(a, b, zero_frame_maps));
	ASSERT_EQ(n / 2, flt);
	ASSERT_EQ(variant->shared ? 0 : n / 2, VL_D(a, b, zero_frame_maps));
	ASSERT_EQ(variant->shared ? n / 2 : 0, VL_D(a, b, pages_allocated));
	ASSERT_EQ(0, munmap(m, n * ps));
}

/*
 * Huge mappings: a shared mapping that asks with MADV_HUGEPAGE, 2 MiB
 * aligned in memory (vmlab's get_unmapped_area aligns it) and in the
 * object, gets its first write fault served with one 2 MiB page: one
 * fault, 512 pages allocated, 512 consecutive frames of one compound
 * page (kpageflags THP), a PMD leaf (smaps FilePmdMapped, INSPECT), the
 * kernel's FileHugePages count up by 2 MiB.  Without MADV_HUGEPAGE, or
 * in a private mapping, it stays one 4 KiB page per fault.
 */
/*
 * Write every page of @m (n pages), the sixth first; return the minor
 * faults counted meanwhile.  Called first on memory already mapped, which
 * must count none: that run also maps this code's own pages (a text page
 * of the program met for the first time is a minor fault too).
 */
static __attribute__((noinline)) long hm_write_pages(char *m, size_t n, size_t ps)
{
	long f0 = vmlab_minflt();
	size_t i;

	m[5 * ps] = 2;
	for (i = 0; i < n; i++)
		m[i * ps + 1] = 3;
	return vmlab_minflt() - f0;
}

TEST_F(fault, huge_mapping)
{
	size_t ps = self->ps, huge = 2 * VL_MiB, n = huge / ps, i;
	struct vmlab_stats a, b;
	struct vmlab_page_info pi;
	uint64_t *pm, freed, fl;
	long faults, hp0, hp1;
	char *m, *warm;

	/* Under `never`, vmlab makes no huge page either: thp.* test that. */
	if (vl_thp_mode() <= VL_THP_NEVER)
		SKIP(return, "no transparent huge pages: none in this kernel, or "
		     "/sys/kernel/mm/transparent_hugepage/enabled is never");
	VL_NEED_PAGES(self->st, 3 * n);
	pm = calloc(n, sizeof(*pm));
	ASSERT_NE(NULL, pm);
	ASSERT_EQ(0, vmlab_reset(self->fd, NULL));
	m = mmap(NULL, 2 * huge, PROT_READ | PROT_WRITE,
		 variant->shared ? MAP_SHARED : MAP_PRIVATE, self->fd, huge);
	ASSERT_NE(MAP_FAILED, m);
	TH_LOG("mapped at %p", m);
	ASSERT_EQ(0, (uintptr_t)m % huge) TH_LOG("get_unmapped_area did not align");

	/* Not asked for: 4 KiB. */
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	m[huge] = 1;
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
	ASSERT_EQ(variant->shared ? 1 : 0, VL_D(a, b, pages_allocated));

	ASSERT_EQ(0, madvise(m, huge, MADV_HUGEPAGE));
	warm = malloc(huge);
	ASSERT_NE(NULL, warm);
	memset(warm, 1, huge);
	ASSERT_EQ(0, hm_write_pages(warm, n, ps)) TH_LOG("faults where all is mapped");
	free(warm);
	hp0 = vmlab_meminfo_kb("FileHugePages");
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	faults = hm_write_pages(m, n, ps);
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
	hp1 = vmlab_meminfo_kb("FileHugePages");
	ASSERT_EQ(0, vl_pagemap_range(m, n, pm));
	fl = vl_kpageflags(pm_pfn(pm[0]));
	TH_LOG("%zu pages written with %ld faults; allocated %lld; FileHugePages %ld -> %ld kB; "
	       "FilePmdMapped %ld kB; kpageflags %#llx", n, faults,
	       (long long)VL_D(a, b, pages_allocated), hp0, hp1,
	       vl_smaps_kb(m, "FilePmdMapped"), (unsigned long long)fl);
	if (!variant->shared) {
		/* Private: each write copies zeros into a new page. */
		ASSERT_EQ(0, VL_D(a, b, pages_allocated));
		ASSERT_EQ(n, VL_D(a, b, fault_private_write));
		ASSERT_EQ(0, munmap(m, 2 * huge));
		free(pm);
		return;
	}
	ASSERT_EQ(n, VL_D(a, b, pages_allocated));
	ASSERT_EQ(1, VL_D(a, b, fault_shared_write));
	ASSERT_EQ(1, faults);
	for (i = 0; i < n; i++) {
		ASSERT_TRUE(pm_present(pm[i]));
		ASSERT_EQ(pm_pfn(pm[0]) + i, pm_pfn(pm[i])) TH_LOG("page %zu", i);
	}
	ASSERT_TRUE(vmlab_kpf(fl, VMLAB_KPF_THP));
	ASSERT_TRUE(vmlab_kpf(fl, VMLAB_KPF_COMPOUND_HEAD));
	ASSERT_EQ(2048, hp1 - hp0);
	ASSERT_EQ(2048, vl_smaps_kb(m, "FilePmdMapped"));
	ASSERT_EQ(0, vl_inspect_one(self->fd, m + 7 * ps, &pi));
	ASSERT_EQ(VMLAB_LEVEL_PMD, pi.level);
	ASSERT_EQ(7, pi.obj_offset - huge / ps);
	ASSERT_TRUE(pi.page & VMLAB_PAGE_LARGE);
	ASSERT_EQ(n, pi.folio_pages);

	/* Reset frees the 2 MiB page, and the kernel's count goes down. */
	ASSERT_EQ(0, munmap(m, 2 * huge));
	ASSERT_EQ(0, vmlab_reset(self->fd, &freed));
	ASSERT_EQ(n + 1, freed);
	ASSERT_EQ(hp0, vmlab_meminfo_kb("FileHugePages"));
	free(pm);
}

/*
 * The transparent huge page policy: vmlab makes a 2 MiB folio exactly when
 * anonymous memory would, under the administrator's switches
 * (/sys/kernel/mm/transparent_hugepage/enabled, and from 6.8 its
 * hugepages-2048kB/enabled), prctl(PR_SET_THP_DISABLE) and
 * MADV_NOHUGEPAGE; its own opt-in stays MADV_HUGEPAGE, also under
 * `always`.  Each variant sets the switches and the process's and mapping's
 * advice, then write-faults a 2 MiB aligned 2 MiB range of a shared
 * mapping of vmlab and, beside it, of anonymous memory (the control), and
 * asks every view whether each got a huge folio: the minor faults (1 or
 * 512), kpageflags of the first frame (THP, compound head), smaps
 * (FilePmdMapped, AnonHugePages), /proc/meminfo (FileHugePages,
 * AnonHugePages), and for vmlab its counters (1 or 512 write faults) and
 * INSPECT (a PMD leaf of a 512-page folio).
 */
#ifndef PR_THP_DISABLE_EXCEPT_ADVISED
#define PR_THP_DISABLE_EXCEPT_ADVISED	(1 << 1)	/* 6.18 */
#endif

FIXTURE(thp)
{
	int fd;
	size_t ps;
	struct vmlab_stats st;
	int thp_saved;		/* the kernel's switch, before the test */
	int pmd_saved;		/* and hugepages-2048kB's, where set */
};

FIXTURE_VARIANT(thp)
{
	int mode;		/* VL_THP_*, written to enabled */
	bool set_pmd;		/* write pmd_mode to hugepages-2048kB/enabled */
	int pmd_mode;		/* VL_THP_* (else it says inherit) */
	int advice;		/* madvise() of both ranges, 0: none */
	int prctl;		/* PR_SET_THP_DISABLE's flags, -1: not called */
	bool anon_huge;		/* what anonymous memory gets */
	bool vmlab_huge;	/* and vmlab */
};

/* `never` wins over MADV_HUGEPAGE, for both. */
FIXTURE_VARIANT_ADD(thp, never_advised)
{
	.mode = VL_THP_NEVER, .advice = MADV_HUGEPAGE, .prctl = -1,
	.anon_huge = false, .vmlab_huge = false,
};

FIXTURE_VARIANT_ADD(thp, madvise_advised)
{
	.mode = VL_THP_MADVISE, .advice = MADV_HUGEPAGE, .prctl = -1,
	.anon_huge = true, .vmlab_huge = true,
};

FIXTURE_VARIANT_ADD(thp, always_advised)
{
	.mode = VL_THP_ALWAYS, .advice = MADV_HUGEPAGE, .prctl = -1,
	.anon_huge = true, .vmlab_huge = true,
};

/*
 * The PMD size's own switch (6.8 on) wins over the global one unless it
 * says inherit: `never` there under a global `always`, and `madvise` there
 * under a global `never`.
 */
FIXTURE_VARIANT_ADD(thp, pmd_never_always_advised)
{
	.mode = VL_THP_ALWAYS, .set_pmd = true, .pmd_mode = VL_THP_NEVER,
	.advice = MADV_HUGEPAGE, .prctl = -1,
	.anon_huge = false, .vmlab_huge = false,
};

FIXTURE_VARIANT_ADD(thp, pmd_madvise_never_advised)
{
	.mode = VL_THP_NEVER, .set_pmd = true, .pmd_mode = VL_THP_MADVISE,
	.advice = MADV_HUGEPAGE, .prctl = -1,
	.anon_huge = true, .vmlab_huge = true,
};

/* The process turned huge pages off: none for either, whatever the advice. */
FIXTURE_VARIANT_ADD(thp, madvise_prctl_disable)
{
	.mode = VL_THP_MADVISE, .advice = MADV_HUGEPAGE, .prctl = 0,
	.anon_huge = false, .vmlab_huge = false,
};

/* 6.18's milder prctl: huge pages only where MADV_HUGEPAGE asked, for both. */
FIXTURE_VARIANT_ADD(thp, madvise_prctl_except_advised)
{
	.mode = VL_THP_MADVISE, .advice = MADV_HUGEPAGE,
	.prctl = PR_THP_DISABLE_EXCEPT_ADVISED,
	.anon_huge = true, .vmlab_huge = true,
};

/* The mapping said no: none for either, even under `always`. */
FIXTURE_VARIANT_ADD(thp, always_nohugepage)
{
	.mode = VL_THP_ALWAYS, .advice = MADV_NOHUGEPAGE, .prctl = -1,
	.anon_huge = false, .vmlab_huge = false,
};

FIXTURE_VARIANT_ADD(thp, madvise_nohugepage)
{
	.mode = VL_THP_MADVISE, .advice = MADV_NOHUGEPAGE, .prctl = -1,
	.anon_huge = false, .vmlab_huge = false,
};

/*
 * `always` without advice: anonymous memory gets a huge page, vmlab does
 * not, as before: its opt-in stays MADV_HUGEPAGE.
 */
FIXTURE_VARIANT_ADD(thp, always_no_advice)
{
	.mode = VL_THP_ALWAYS, .advice = 0, .prctl = -1,
	.anon_huge = true, .vmlab_huge = false,
};

FIXTURE_SETUP(thp)
{
	self->ps = vmlab_page_size();
	self->thp_saved = -1;
	self->pmd_saved = -1;
	VL_SETUP_DEVICE(self->fd, self->st);
	VL_NEED_PAGES(self->st, 2 * VL_MiB / self->ps);
	VL_SETUP_THP(self->thp_saved, variant->mode);
	/* Last too: where it fails, the global switch is put back here. */
	if (variant->set_pmd) {
		self->pmd_saved = vl_thp_pmd_set(variant->pmd_mode);
		if (self->pmd_saved < 0) {
			int err = errno;

			vl_thp_restore(self->thp_saved);
			self->thp_saved = -1;
			if (err == ENOENT)
				SKIP(return, "no hugepages-2048kB/enabled: a "
				     "kernel before 6.8 has no switch per size");
			ASSERT_LE(0, self->pmd_saved)
				TH_LOG("hugepages-2048kB/enabled: %s", strerror(err));
		}
	}
}

FIXTURE_TEARDOWN(thp)
{
	vl_thp_restore(self->thp_saved);
	vl_thp_pmd_restore(self->pmd_saved);
	if (self->fd >= 0)
		close(self->fd);
}

/* 2 MiB of anonymous memory at a 2 MiB aligned address, or MAP_FAILED. */
static char *thp_anon_2m(void)
{
	size_t huge = 2 * VL_MiB;
	char *m = mmap(NULL, 2 * huge, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *a;

	if (m == MAP_FAILED)
		return m;
	a = (char *)(((uintptr_t)m + huge - 1) & ~(uintptr_t)(huge - 1));
	if (a > m)
		munmap(m, a - m);
	if (a + huge < m + 2 * huge)
		munmap(a + huge, m + 2 * huge - (a + huge));
	return a;
}

/* What each view says of one 2 MiB range after its write faults. */
struct thp_seen {
	long faults;		/* minor faults of the 512 writes */
	uint64_t kpf;		/* kpageflags of the first frame */
	bool contiguous;	/* 512 present pages on consecutive frames */
	long smaps_kb;		/* FilePmdMapped or AnonHugePages, grown by */
	long meminfo_kb;	/* FileHugePages or AnonHugePages, grown by */
};

static void thp_fault(char *m, size_t ps, const char *smaps,
		      const char *meminfo, struct thp_seen *seen)
{
	size_t n = 2 * VL_MiB / ps, i;
	uint64_t *pm = calloc(n, sizeof(*pm));
	long s0 = vl_smaps_kb(m, smaps), k0 = vmlab_meminfo_kb(meminfo);

	seen->faults = hm_write_pages(m, n, ps);
	seen->smaps_kb = vl_smaps_kb(m, smaps) - s0;
	seen->meminfo_kb = vmlab_meminfo_kb(meminfo) - k0;
	seen->contiguous = pm && !vl_pagemap_range(m, n, pm);
	for (i = 0; seen->contiguous && i < n; i++)
		seen->contiguous = pm_present(pm[i]) &&
				   pm_pfn(pm[i]) == pm_pfn(pm[0]) + i;
	seen->kpf = pm ? vl_kpageflags(pm_pfn(pm[0])) : 0;
	free(pm);
}

static bool thp_seen_huge(const struct thp_seen *s)
{
	return vmlab_kpf(s->kpf, VMLAB_KPF_THP);
}

TEST_F(thp, vmlab_follows_anon)
{
	static const char *const modes[] = {
		"never", "madvise", "always", "inherit"
	};
	size_t ps = self->ps, huge = 2 * VL_MiB, n = huge / ps;
	struct thp_seen vs, as;
	struct vmlab_stats a, b;
	struct vmlab_page_info pi;
	char *m, *anon, *warm;

	ASSERT_EQ(0, vmlab_reset(self->fd, NULL));
	if (variant->prctl >= 0 &&
	    prctl(PR_SET_THP_DISABLE, 1, variant->prctl, 0, 0)) {
		ASSERT_EQ(EINVAL, errno);
		SKIP(return, "prctl(PR_SET_THP_DISABLE, 1, %#x): %s: a kernel "
		     "before 6.18 has no such mode", variant->prctl, strerror(errno));
	}
	m = mmap(NULL, huge, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	ASSERT_EQ(0, (uintptr_t)m % huge) TH_LOG("get_unmapped_area did not align");
	anon = thp_anon_2m();
	ASSERT_NE(MAP_FAILED, anon);
	if (variant->advice) {
		ASSERT_EQ(0, madvise(m, huge, variant->advice));
		ASSERT_EQ(0, madvise(anon, huge, variant->advice));
	}
	/* The faults of the code and the stack of the count, taken first. */
	warm = malloc(huge);
	ASSERT_NE(NULL, warm);
	memset(warm, 1, huge);
	ASSERT_EQ(0, hm_write_pages(warm, n, ps)) TH_LOG("faults where all is mapped");
	free(warm);

	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	thp_fault(m, ps, "FilePmdMapped", "FileHugePages", &vs);
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
	thp_fault(anon, ps, "AnonHugePages", "AnonHugePages", &as);
	ASSERT_EQ(0, vl_inspect_one(self->fd, m + 7 * ps, &pi));
	TH_LOG("enabled=%s%s%s, %s%s: vmlab %ld faults (module: %lld write faults, "
	       "%lld pages), FilePmdMapped +%ld kB, FileHugePages +%ld kB, "
	       "kpageflags %#llx, level %llu, folio %llu pages; anonymous %ld faults, "
	       "AnonHugePages +%ld kB (smaps) +%ld kB (meminfo), kpageflags %#llx",
	       modes[variant->mode],
	       variant->set_pmd ? ", hugepages-2048kB/enabled=" : "",
	       variant->set_pmd ? modes[variant->pmd_mode] : "",
	       variant->advice == MADV_HUGEPAGE ? "MADV_HUGEPAGE" :
	       variant->advice == MADV_NOHUGEPAGE ? "MADV_NOHUGEPAGE" : "no advice",
	       variant->prctl < 0 ? "" : variant->prctl ?
	       ", PR_SET_THP_DISABLE except advised" : ", PR_SET_THP_DISABLE",
	       vs.faults, (long long)VL_D(a, b, fault_shared_write),
	       (long long)VL_D(a, b, pages_allocated), vs.smaps_kb, vs.meminfo_kb,
	       (unsigned long long)vs.kpf, (unsigned long long)pi.level,
	       (unsigned long long)pi.folio_pages, as.faults, as.smaps_kb,
	       as.meminfo_kb, (unsigned long long)as.kpf);

	/* The control: anonymous memory got what the kernel's rule says. */
	ASSERT_EQ(variant->anon_huge, thp_seen_huge(&as));
	ASSERT_EQ(variant->anon_huge, vmlab_kpf(as.kpf, VMLAB_KPF_COMPOUND_HEAD));
	ASSERT_EQ(variant->anon_huge ? 1 : (long)n, as.faults);
	ASSERT_EQ(variant->anon_huge ? 2048 : 0, as.smaps_kb);
	ASSERT_EQ(variant->anon_huge ? 2048 : 0, as.meminfo_kb);
	if (variant->anon_huge)
		ASSERT_TRUE(as.contiguous);

	/* vmlab: the same, where it asked with MADV_HUGEPAGE. */
	ASSERT_EQ(variant->vmlab_huge, thp_seen_huge(&vs));
	ASSERT_EQ(variant->vmlab_huge, vmlab_kpf(vs.kpf, VMLAB_KPF_COMPOUND_HEAD));
	ASSERT_EQ(variant->vmlab_huge ? 1 : (long)n, vs.faults);
	ASSERT_EQ(variant->vmlab_huge ? 1 : (int64_t)n, VL_D(a, b, fault_shared_write));
	ASSERT_EQ(n, VL_D(a, b, pages_allocated));
	ASSERT_EQ(variant->vmlab_huge ? 2048 : 0, vs.smaps_kb);
	ASSERT_EQ(variant->vmlab_huge ? 2048 : 0, vs.meminfo_kb);
	ASSERT_EQ(variant->vmlab_huge ? VMLAB_LEVEL_PMD : VMLAB_LEVEL_PTE, pi.level);
	ASSERT_EQ(variant->vmlab_huge ? n : 1, pi.folio_pages);
	if (variant->vmlab_huge)
		ASSERT_TRUE(vs.contiguous);

	ASSERT_EQ(0, munmap(m, huge));
	ASSERT_EQ(0, munmap(anon, huge));
	ASSERT_EQ(0, vmlab_reset(self->fd, NULL));
}

/*
 * The zero page at holes of private mappings, beyond one mapping: no count
 * grows with the number of its entries, and filling a hole in any way
 * takes the entries there away, so that every private mapping reads what
 * was filled (hardware poison of the zero page is vmlab_hwpoison's).
 */
FIXTURE(zero)
{
	int fd;
	size_t ps;
	struct vmlab_stats st;
	uint64_t zero;		/* the kernel's zero page's PFN */
};

FIXTURE_SETUP(zero)
{
	self->ps = vmlab_page_size();
	VL_SETUP_DEVICE(self->fd, self->st);
	VL_NEED_PAGES(self->st, 8192);
	self->zero = vmlab_zero_pfn();
	ASSERT_NE(0, self->zero) TH_LOG("no zero page found (pagemap, kpageflags)");
}

FIXTURE_TEARDOWN(zero)
{
	if (self->fd >= 0)
		close(self->fd);
}

#define ZC_VMAS		4	/* private mappings of the object per process */
#define ZC_CHILDREN	3	/* processes that map it as many times */

/*
 * A child of entries_count_nothing: map the object privately ZC_VMAS times,
 * read every page of each (MADV_POPULATE_READ: one read fault per page),
 * check a sample of the entries, tell the parent and wait for its word.
 */
static int zc_child(int fd, size_t len, uint64_t pfn, struct vl_sync *s)
{
	size_t ps = vmlab_page_size(), i;
	char *m;
	int v;

	for (v = 0; v < ZC_VMAS; v++) {
		m = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
		if (m == MAP_FAILED)
			return 10;
		if (madvise(m, len, MADV_POPULATE_READ))
			return 11;
		for (i = 0; i < len / ps; i += 61)
			if (vl_pfn(m + i * ps) != pfn)
				return 12;
	}
	if (vl_post(s->to_parent[1]) || vl_wait_byte(s->to_child[0]))
		return 13;
	return 0;
}

/*
 * Unbounded counts: 64 MiB of holes mapped privately 4 times in each of 4
 * processes (256 Ki entries).  The frame every entry maps, the kernel's
 * zero page, keeps its count (/proc/kpagecount; INSPECT's refcount and
 * mapcount) whatever their number; smaps counts none of them in Rss; the
 * object holds no page at all, so no page of vmlab's counts them either.
 * (The old module mapped a zero frame of its own with a reference and a
 * map count per entry: its kpagecount grew by one per entry.)
 */
TEST_F_TIMEOUT(zero, entries_count_nothing, 600)
{
	size_t ps = self->ps, len = MIN(64 * VL_MiB, self->st.size);
	size_t npages = len / ps, i, entries;
	struct vl_sync s[ZC_CHILDREN];
	struct vmlab_page_info p0, p1;
	pid_t pid[ZC_CHILDREN];
	struct vmlab_stats a, b;
	int64_t cnt0, cnt;
	char *m[ZC_VMAS];
	uint64_t pfn;
	int v, c;

	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	for (v = 0; v < ZC_VMAS; v++) {
		m[v] = mmap(NULL, len, PROT_READ, MAP_PRIVATE, self->fd, 0);
		ASSERT_NE(MAP_FAILED, m[v]);
	}
	/* One entry: the frame it maps, and its counts. */
	ASSERT_EQ(0, *(volatile char *)m[0]);
	pfn = vl_pfn(m[0]);
	ASSERT_NE(0, pfn);
	cnt0 = vl_kpagecount(pfn);
	ASSERT_LE(0, cnt0);
	ASSERT_EQ(0, vl_inspect_one(self->fd, m[0], &p0));
	TH_LOG("one entry: PFN %#llx, kpagecount %lld, INSPECT refcount %llu mapcount %llu",
	       (unsigned long long)pfn, (long long)cnt0,
	       (unsigned long long)p0.refcount, (unsigned long long)p0.mapcount);

	/* This process: the first mapping read by hand, the others populated. */
	vl_touch_read(m[0], len);
	for (v = 1; v < ZC_VMAS; v++)
		ASSERT_EQ(0, madvise(m[v], len, MADV_POPULATE_READ));
	entries = ZC_VMAS * npages;
	cnt = vl_kpagecount(pfn);
	TH_LOG("%zu entries in this process: kpagecount %lld", entries, (long long)cnt);
	ASSERT_EQ(cnt0, cnt) TH_LOG("the count grew with the entries");

	/* Other processes, as many entries each. */
	for (c = 0; c < ZC_CHILDREN; c++) {
		pid[c] = vl_sync_fork(&s[c]);
		ASSERT_LE(0, pid[c]);
		if (pid[c] == 0) {
			_exit(zc_child(self->fd, len, pfn, &s[c]));
		}
		ASSERT_EQ(0, vl_wait_byte(s[c].to_parent[0])) TH_LOG("child %d", c);
	}
	entries += ZC_CHILDREN * ZC_VMAS * npages;
	cnt = vl_kpagecount(pfn);
	ASSERT_EQ(0, vl_inspect_one(self->fd, m[ZC_VMAS - 1] + (npages - 1) * ps, &p1));
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
	vl_stats_log("entries", &a, &b);
	TH_LOG("%zu entries in %d processes: kpagecount %lld, INSPECT refcount %llu mapcount %llu",
	       entries, 1 + ZC_CHILDREN, (long long)cnt,
	       (unsigned long long)p1.refcount, (unsigned long long)p1.mapcount);
	ASSERT_EQ(cnt0, cnt) TH_LOG("the count grew with the entries");
	ASSERT_EQ(pfn, p1.pfn);
	ASSERT_EQ(p0.refcount, p1.refcount);
	ASSERT_EQ(p0.mapcount, p1.mapcount);
	ASSERT_EQ(entries, VL_D(a, b, zero_frame_maps));
	ASSERT_EQ(entries, VL_D(a, b, fault_private_read));
	ASSERT_EQ(0, VL_D(a, b, pages_allocated));
	ASSERT_EQ(0, b.pages_resident);

	/* What the entries are: the kernel's zero page, special, not in Rss. */
	ASSERT_EQ(self->zero, pfn);
	ASSERT_TRUE(vmlab_kpf(vl_kpageflags(pfn), VMLAB_KPF_ZERO_PAGE));
	ASSERT_TRUE(p1.page & VMLAB_PAGE_ZERO);
	ASSERT_TRUE(p1.entry & VMLAB_ENTRY_SPECIAL);
	for (v = 0; v < ZC_VMAS; v++) {
		ASSERT_EQ(0, vl_smaps_kb(m[v], "Rss")) TH_LOG("mapping %d", v);
		for (i = 0; i < npages; i += 127)
			ASSERT_EQ(pfn, vl_pfn(m[v] + i * ps));
	}

	for (c = 0; c < ZC_CHILDREN; c++) {
		ASSERT_EQ(0, vl_post(s[c].to_child[1]));
		ASSERT_EQ(0, vl_wait(pid[c])) TH_LOG("child %d", c);
		vl_sync_close(&s[c]);
	}
	for (v = 0; v < ZC_VMAS; v++)
		ASSERT_EQ(0, munmap(m[v], len));
	ASSERT_EQ(cnt0, vl_kpagecount(pfn));
}

FIXTURE(zfill)
{
	int fd;
	size_t ps;
	struct vmlab_stats st;
	uint64_t zero;
	char *sh;		/* shared mapping of the fill area (store, huge) */
	long fault_around;	/* the kernel's, before the test */
};

/* How the holes are filled. */
enum zfill_how { ZF_WRITE, ZF_STORE, ZF_HUGE };

FIXTURE_VARIANT(zfill)
{
	enum zfill_how how;
};

FIXTURE_VARIANT_ADD(zfill, write)
{
	.how = ZF_WRITE,
};

FIXTURE_VARIANT_ADD(zfill, store)
{
	.how = ZF_STORE,
};

FIXTURE_VARIANT_ADD(zfill, huge)
{
	.how = ZF_HUGE,
};

#define ZF_AREA		(2 * VL_MiB)	/* one fill area: 2 MiB aligned in the object */
#define ZF_AREAS	16

#define ZR_DELAY_KNOB	"/sys/kernel/debug/vmlab/zero_fault_delay_us"
#define ZF_DELAY_KNOB	"/sys/kernel/debug/vmlab/fill_delay_us"
#define ZG_DELAY_US	40000	/* fill_in_the_gap: the fault's wait */
#define ZG_AREAS	8

static int zr_set_delay(const char *us)
{
	return vmlab_write_str(ZR_DELAY_KNOB, us);
}

static int zf_set_delay(const char *us)
{
	return vmlab_write_str(ZF_DELAY_KNOB, us);
}

FIXTURE_SETUP(zfill)
{
	self->ps = vmlab_page_size();
	self->sh = MAP_FAILED;
	VL_SETUP_DEVICE(self->fd, self->st);
	/* 16 areas of 2 MiB, all filled by the huge variant of race. */
	VL_NEED_PAGES(self->st, ZF_AREAS * ZF_AREA / self->ps);
	if (variant->how == ZF_HUGE && vl_thp_mode() <= VL_THP_NEVER)
		SKIP(return, "no transparent huge pages: none in this kernel, or "
		     "/sys/kernel/mm/transparent_hugepage/enabled is never");
	/* A fault per page: every hole read reaches the module. */
	VL_SETUP_NO_FAULT_AROUND(self->fault_around);
	self->zero = vmlab_zero_pfn();
	ASSERT_NE(0, self->zero) TH_LOG("no zero page found (pagemap, kpageflags)");
	self->sh = mmap(NULL, ZF_AREAS * ZF_AREA, PROT_READ | PROT_WRITE, MAP_SHARED,
			self->fd, 0);
	ASSERT_NE(MAP_FAILED, self->sh);
	ASSERT_EQ(0, (uintptr_t)self->sh % ZF_AREA) TH_LOG("get_unmapped_area did not align");
	if (variant->how == ZF_HUGE)
		ASSERT_EQ(0, madvise(self->sh, ZF_AREAS * ZF_AREA, MADV_HUGEPAGE));
}

FIXTURE_TEARDOWN(zfill)
{
	/* The knobs of fill_in_the_gap and reader_in_the_fill, back to no wait. */
	zr_set_delay("0");
	zf_set_delay("0");
	vl_fault_around_restore(self->fault_around);
	if (self->sh != MAP_FAILED)
		munmap(self->sh, ZF_AREAS * ZF_AREA);
	if (self->fd >= 0)
		close(self->fd);
}

static uint64_t zf_marker(size_t area, size_t page)
{
	return 0x5a00000000000000ULL | (uint64_t)area << 32 | (page + 1);
}

/*
 * Begin filling area @area: for a huge fill, the one fault that fills all
 * of it (a store to its first page; the module allocates 512 pages).
 * Return: the pages the object gained.
 */
static int64_t zf_begin(int fd, char *sh, enum zfill_how how, size_t area)
{
	struct vmlab_stats a, b;

	if (how != ZF_HUGE)
		return 0;
	if (vmlab_get_stats(fd, &a))
		return -1;
	*(volatile char *)(sh + area * ZF_AREA + 8) = 1;
	if (vmlab_get_stats(fd, &b))
		return -1;
	return VL_D(a, b, pages_allocated);
}

/* Fill page @page of area @area with its marker: write(), or a store. */
static int zf_fill(int fd, char *sh, enum zfill_how how, size_t area, size_t page)
{
	size_t ps = vmlab_page_size();
	off_t off = (off_t)(area * ZF_AREA + page * ps);
	uint64_t v = zf_marker(area, page);

	if (how == ZF_WRITE)
		return pwrite(fd, &v, sizeof(v), off) == sizeof(v) ? 0 : -1;
	__atomic_store_n((uint64_t *)(sh + off), v, __ATOMIC_RELAXED);
	return 0;
}

/*
 * A private mapping reads holes (zero entries); then the object is filled
 * there (write(), a store through a shared mapping, or one 2 MiB huge
 * fault): the zero entries are gone at once (pagemap: nothing mapped until
 * the next read), and the next read maps the object's page with the new
 * data.  Private copies made before the fill keep their bytes: one made
 * by a write at the hole, one by a store over a zero entry.
 */
TEST_F(zfill, fill_after_zero_read)
{
	static const size_t idx[] = { 0, 1, 7, 100, 511 };
	size_t ps = self->ps, area = 1, n = ZF_AREA / ps, i, k;
	off_t off = (off_t)(area * ZF_AREA);
	struct vmlab_page_info pi;
	struct vmlab_stats a, b;
	char *pv, *pv2, *cp;
	int64_t got;
	uint64_t e;

	pv = mmap(NULL, ZF_AREA, PROT_READ | PROT_WRITE, MAP_PRIVATE, self->fd, off);
	pv2 = mmap(NULL, ZF_AREA, PROT_READ, MAP_PRIVATE, self->fd, off);
	cp = mmap(NULL, ZF_AREA, PROT_READ | PROT_WRITE, MAP_PRIVATE, self->fd, off);
	ASSERT_NE(MAP_FAILED, pv);
	ASSERT_NE(MAP_FAILED, pv2);
	ASSERT_NE(MAP_FAILED, cp);

	/* Private copies first: a write at a hole, a store over a zero entry. */
	vl_fill(cp + 1 * ps, 64, 901);
	ASSERT_EQ(0, cp[7 * ps + 100]);
	ASSERT_EQ(self->zero, vl_pfn(cp + 7 * ps));
	cp[7 * ps + 100] = 'Y';
	ASSERT_TRUE(vmlab_kpf(vl_kpageflags(vl_pfn(cp + 1 * ps)), VMLAB_KPF_ANON));
	ASSERT_TRUE(vmlab_kpf(vl_kpageflags(vl_pfn(cp + 7 * ps)), VMLAB_KPF_ANON));

	/* The readers: zero entries at every idx[]. */
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	for (k = 0; k < ARRAY_SIZE(idx); k++) {
		ASSERT_TRUE(vl_is_zero(pv + idx[k] * ps, ps));
		ASSERT_TRUE(vl_is_zero(pv2 + idx[k] * ps, ps));
		ASSERT_EQ(self->zero, vl_pfn(pv + idx[k] * ps)) TH_LOG("page %zu", idx[k]);
		ASSERT_EQ(self->zero, vl_pfn(pv2 + idx[k] * ps)) TH_LOG("page %zu", idx[k]);
		ASSERT_EQ(0, vl_inspect_one(self->fd, pv + idx[k] * ps, &pi));
		ASSERT_TRUE(pi.page & VMLAB_PAGE_ZERO);
		ASSERT_TRUE(pi.entry & VMLAB_ENTRY_SPECIAL);
	}
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
	ASSERT_EQ(2 * ARRAY_SIZE(idx), VL_D(a, b, zero_frame_maps));
	ASSERT_EQ(0, b.pages_resident);

	/* The fill. */
	a = b;
	got = zf_begin(self->fd, self->sh, variant->how, area);
	if (variant->how == ZF_HUGE) {
		ASSERT_EQ((int64_t)n, got) TH_LOG("the store did not fill 2 MiB at once");
		ASSERT_EQ(2048, vl_smaps_kb(self->sh, "FilePmdMapped"));
		/* The whole area is in the object: every zero entry is gone. */
		for (k = 0; k < ARRAY_SIZE(idx); k++) {
			ASSERT_FALSE(pm_present(vl_pagemap(pv + idx[k] * ps)))
				TH_LOG("page %zu: a zero entry outlived the huge fill", idx[k]);
			ASSERT_FALSE(pm_present(vl_pagemap(pv2 + idx[k] * ps)));
		}
	}
	for (i = 0; i < n; i++)
		ASSERT_EQ(0, zf_fill(self->fd, self->sh, variant->how, area, i));
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
	vl_stats_log("fill", &a, &b);
	ASSERT_EQ((int64_t)n, VL_D(a, b, pages_allocated));
	for (k = 0; k < ARRAY_SIZE(idx); k++) {
		ASSERT_FALSE(pm_present(vl_pagemap(pv + idx[k] * ps)))
			TH_LOG("page %zu: the zero entry outlived the fill", idx[k]);
		ASSERT_FALSE(pm_present(vl_pagemap(pv2 + idx[k] * ps)));
	}

	/* The readers read the new data, from the object's page. */
	for (k = 0; k < ARRAY_SIZE(idx); k++) {
		ASSERT_EQ(zf_marker(area, idx[k]), *(uint64_t *)(pv + idx[k] * ps))
			TH_LOG("page %zu", idx[k]);
		ASSERT_EQ(zf_marker(area, idx[k]), *(uint64_t *)(pv2 + idx[k] * ps));
		e = vl_pagemap(pv + idx[k] * ps);
		ASSERT_TRUE(pm_present(e) && pm_file(e));
		ASSERT_NE(self->zero, pm_pfn(e));
		ASSERT_EQ(pm_pfn(e), vl_pfn(pv2 + idx[k] * ps));
		ASSERT_FALSE(vmlab_kpf(vl_kpageflags(pm_pfn(e)), VMLAB_KPF_ANON));
	}
	/* The copies kept their bytes, and nobody's fill reached them. */
	ASSERT_TRUE(vl_check(cp + 1 * ps, 64, 901));
	ASSERT_TRUE(vl_is_zero(cp + 1 * ps + 64, ps - 64));
	ASSERT_EQ('Y', cp[7 * ps + 100]);
	ASSERT_TRUE(vl_is_zero(cp + 7 * ps, 100));
	ASSERT_TRUE(vl_is_zero(cp + 7 * ps + 101, ps - 101));
	/* A store into a reader now copies the object's page. */
	pv[idx[2] * ps + 9] = 'Z';
	ASSERT_EQ(zf_marker(area, idx[2]), *(uint64_t *)(pv + idx[2] * ps));
	ASSERT_EQ(zf_marker(area, idx[2]), *(uint64_t *)(self->sh + off + idx[2] * ps));
	ASSERT_EQ(0, self->sh[off + idx[2] * ps + 9]);
	munmap(pv, ZF_AREA);
	munmap(pv2, ZF_AREA);
	munmap(cp, ZF_AREA);
}

/*
 * Counting calls of unmap_mapping_pages(), the walk of every mapping of
 * the object that a fill makes where a zero entry may be: a kprobe's hit
 * count (tracefs kprobe_profile).  Armed while this test alone runs, and
 * before the code it patches is run.
 */
#define ZF_KPROBE	"vmlab_fault/unmapwalk"

/* Read every page of area @area through a private mapping, then unmap it. */
static int zf_read_privately(int fd, size_t area)
{
	size_t ps = vmlab_page_size(), i;
	volatile char *pv;
	char sum = 0;

	pv = mmap(NULL, ZF_AREA, PROT_READ, MAP_PRIVATE, fd, (off_t)(area * ZF_AREA));
	if (pv == MAP_FAILED)
		return -1;
	for (i = 0; i < ZF_AREA / ps; i++)
		sum += pv[i * ps];
	munmap((void *)pv, ZF_AREA);
	return sum;
}

/* Fill all of area @area; return the walks that made. */
static long zf_fill_area(int fd, char *sh, enum zfill_how how, size_t area)
{
	size_t i, n = ZF_AREA / vmlab_page_size();
	long before = vmlab_kprobe_hits(ZF_KPROBE);

	if (how == ZF_HUGE) {
		if (zf_begin(fd, sh, how, area) != (int64_t)n)
			return -1;
	} else {
		for (i = 0; i < n; i++)
			if (zf_fill(fd, sh, how, area, i))
				return -1;
	}
	return vmlab_kprobe_hits(ZF_KPROBE) - before;
}

/*
 * Where a private mapping once read holes, a fill walks the object's
 * mappings to take zero entries away (bits in the module's zero map say
 * where).  Once those mappings are gone, the walk finds nothing; a RESET
 * (which unmaps every entry) forgets the marks, so fills after it walk
 * nothing.  Without a reset the marks stay: the first fill of each marked
 * page walks, which shows that the count below sees the walks.
 */
TEST_F(zfill, reset_forgets_zero_entries)
{
	size_t n = ZF_AREA / self->ps;
	long kept, forgotten;

	if (access(VMLAB_KPROBE_TRACEFS "/kprobe_events", W_OK))
		SKIP(return, "no kprobe events in tracefs: %s", strerror(errno));
	ASSERT_EQ(0, vmlab_kprobe_on(ZF_KPROBE, "unmap_mapping_pages"));

	ASSERT_LE(0, zf_read_privately(self->fd, 2));
	kept = zf_fill_area(self->fd, self->sh, variant->how, 2);

	ASSERT_LE(0, zf_read_privately(self->fd, 3));
	ASSERT_EQ(0, vmlab_reset(self->fd, NULL));
	forgotten = zf_fill_area(self->fd, self->sh, variant->how, 3);

	vmlab_kprobe_off(ZF_KPROBE);
	TH_LOG("unmap_mapping_pages() calls while filling %zu once-read pages: %ld without a reset between, %ld after one",
	       n, kept, forgotten);
	/* One walk per page filled one at a time; one for a 2 MiB fill. */
	ASSERT_EQ(variant->how == ZF_HUGE ? 1 : (long)n, kept);
	ASSERT_EQ(0, forgotten);
}

#define ZR_READERS	2
#define ZR_AREAS	ZF_AREAS
#define ZR_PAGES	64	/* pages per area written (all 512 are filled by huge) */

struct zr_shared {
	char *pv[ZR_READERS];		/* each reader's private mapping of the areas */
	size_t area, npages;		/* this round */
	int done[ZF_AREA / 4096];	/* the fill of page i returned */
	int stop;
	uint64_t reads, zeros, stale;	/* over all rounds */
	uint64_t reread;		/* zeros read again after their fill */
	size_t stale_page;
	uint64_t stale_val;
};

struct zr_reader {
	struct zr_shared *z;
	int t;
};

/*
 * A private reader: drop its entries of the area, read every page, again,
 * until told to stop.  A page whose fill returned before the read began
 * must read its marker: a zero there is a stale zero entry (one that the
 * fill did not take away).
 */
static void *zr_read(void *arg)
{
	struct zr_reader *r = arg;
	struct zr_shared *z = r->z;
	size_t ps = vmlab_page_size(), i, n = z->npages;
	char *base = z->pv[r->t] + z->area * ZF_AREA;
	uint64_t v;
	int d;

	while (!__atomic_load_n(&z->stop, __ATOMIC_ACQUIRE)) {
		madvise(base, n * ps, MADV_DONTNEED);
		for (i = 0; i < n; i++) {
			d = __atomic_load_n(&z->done[i], __ATOMIC_ACQUIRE);
			v = __atomic_load_n((uint64_t *)(base + i * ps), __ATOMIC_RELAXED);
			__atomic_add_fetch(&z->reads, 1, __ATOMIC_RELAXED);
			if (!v)
				__atomic_add_fetch(&z->zeros, 1, __ATOMIC_RELAXED);
			/*
			 * A zero read while the fill ran: once the fill has
			 * returned, read again.  The entry that gave the zero
			 * must be gone by now, so this read sees the data.
			 */
			if (!d && !v && __atomic_load_n(&z->done[i], __ATOMIC_ACQUIRE)) {
				d = 1;
				__atomic_add_fetch(&z->reread, 1, __ATOMIC_RELAXED);
				v = __atomic_load_n((uint64_t *)(base + i * ps),
						    __ATOMIC_RELAXED);
			}
			if (d && v != zf_marker(z->area, i) &&
			    !__atomic_fetch_add(&z->stale, 1, __ATOMIC_RELAXED)) {
				z->stale_page = i;
				z->stale_val = v;
			}
		}
	}
	return NULL;
}

/*
 * The race: private readers fault zero entries in while the object is
 * filled under them, page by page (write(), shared stores) or 2 MiB at
 * once (huge, then stores).  A read that begins after a page's fill
 * returned must see the data, and so must a read again of a page that
 * read zero while its fill ran; after the round every reader maps the
 * object's page (pagemap) with the data, nowhere the zero page.
 */
TEST_F_TIMEOUT(zfill, race, 300)
{
	size_t ps = self->ps, area, i, order[ZF_AREA / 4096];
	struct zr_reader r[ZR_READERS];
	pthread_t th[ZR_READERS];
	struct vmlab_stats a, b;
	struct zr_shared *z;
	uint64_t e;
	int t;

	ASSERT_EQ(4096, ps);
	z = calloc(1, sizeof(*z));
	ASSERT_NE(NULL, z);
	for (t = 0; t < ZR_READERS; t++) {
		z->pv[t] = mmap(NULL, ZR_AREAS * ZF_AREA, PROT_READ, MAP_PRIVATE, self->fd, 0);
		ASSERT_NE(MAP_FAILED, z->pv[t]);
	}
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	for (area = 0; area < ZR_AREAS; area++) {
		z->area = area;
		z->npages = variant->how == ZF_HUGE ? ZF_AREA / ps : ZR_PAGES;
		z->stop = 0;
		memset(z->done, 0, sizeof(z->done));
		/* Fill in a shuffled order, so that readers meet fills anywhere. */
		for (i = 0; i < z->npages; i++)
			order[i] = i;
		for (i = z->npages - 1; i > 0; i--) {
			size_t j = (i * 7919 + area * 104729) % (i + 1), x = order[i];

			order[i] = order[j];
			order[j] = x;
		}
		for (t = 0; t < ZR_READERS; t++) {
			r[t] = (struct zr_reader){ z, t };
			ASSERT_EQ(0, pthread_create(&th[t], NULL, zr_read, &r[t]));
		}
		usleep(2000);
		if (variant->how == ZF_HUGE)
			ASSERT_EQ((int64_t)(ZF_AREA / ps),
				  zf_begin(self->fd, self->sh, variant->how, area));
		for (i = 0; i < z->npages; i++) {
			ASSERT_EQ(0, zf_fill(self->fd, self->sh, variant->how, area, order[i]));
			__atomic_store_n(&z->done[order[i]], 1, __ATOMIC_RELEASE);
			if (i % 8 == 0)
				sched_yield();
		}
		usleep(2000);
		__atomic_store_n(&z->stop, 1, __ATOMIC_RELEASE);
		for (t = 0; t < ZR_READERS; t++)
			ASSERT_EQ(0, pthread_join(th[t], NULL));
		ASSERT_EQ(0, z->stale) TH_LOG("area %zu: %llu stale reads, one of page %zu: %#llx",
					      area, (unsigned long long)z->stale,
					      z->stale_page, (unsigned long long)z->stale_val);
		/* After the round: every reader maps the object's page. */
		for (t = 0; t < ZR_READERS; t++)
			for (i = 0; i < z->npages; i++) {
				char *p = z->pv[t] + area * ZF_AREA + i * ps;

				e = vl_pagemap(p);
				ASSERT_FALSE(pm_present(e) && pm_pfn(e) == self->zero)
					TH_LOG("area %zu page %zu: a stale zero entry", area, i);
				ASSERT_EQ(zf_marker(area, i), *(uint64_t *)p);
				ASSERT_TRUE(pm_file(vl_pagemap(p)));
			}
	}
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
	vl_stats_log("race", &a, &b);
	TH_LOG("%llu private reads, %llu of them zeros (%llu read again after their fill); %lld zero entries made, %lld pages filled",
	       (unsigned long long)z->reads, (unsigned long long)z->zeros,
	       (unsigned long long)z->reread,
	       (long long)VL_D(a, b, zero_frame_maps), (long long)VL_D(a, b, pages_allocated));
	/* The readers did meet holes: the race was run. */
	ASSERT_LT(0, VL_D(a, b, zero_frame_maps));
	ASSERT_EQ((int64_t)(ZR_AREAS * z->npages), VL_D(a, b, pages_allocated));
	for (t = 0; t < ZR_READERS; t++)
		munmap(z->pv[t], ZR_AREAS * ZF_AREA);
	free(z);
}

struct zg_fill {
	int fd;
	char *sh;
	enum zfill_how how;
	size_t area, page;
	uint64_t reads;		/* fault_private_read before the reader's fault */
	int done;
};

/*
 * The fill, from another thread, once the reader is in its fault: the
 * module counts a private read fault as it begins (fault_private_read),
 * before its look for a page and its wait.
 */
static void *zg_fill(void *arg)
{
	struct zg_fill *f = arg;
	struct vmlab_stats st;
	int tries;

	for (tries = 0; tries < 20000; tries++) {
		if (vmlab_get_stats(f->fd, &st))
			return NULL;
		if (st.fault_private_read != f->reads)
			break;
		usleep(100);
	}
	if (zf_begin(f->fd, f->sh, f->how, f->area) < 0 ||
	    zf_fill(f->fd, f->sh, f->how, f->area, f->page))
		return NULL;
	__atomic_store_n(&f->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * A fill that lands inside a private read fault at a hole, on purpose:
 * the module's test knob (debugfs, root's; 0 by default) makes such a
 * fault wait between its look for a page (none) and its zero entry, and
 * the fill comes in that wait (another thread starts it once the module
 * has counted the fault).  The fill finds no entry to take away; so
 * the fault, its entry in place, looks again, finds the page and takes
 * its own entry away, and the read that faulted, run again, maps the
 * page: it reads the data.  Without that second look the reader would
 * keep a zero entry over a filled page (a stale zero), read after read.
 */
TEST_F_TIMEOUT(zfill, fill_in_the_gap, 120)
{
	size_t ps = self->ps, area, met = 0;
	struct vmlab_stats a, b;
	char us[16], *pv;
	pthread_t th;
	uint64_t v, e;

	if (access(ZR_DELAY_KNOB, W_OK))
		SKIP(return, "no %s: %s", ZR_DELAY_KNOB, strerror(errno));
	pv = mmap(NULL, ZG_AREAS * ZF_AREA, PROT_READ, MAP_PRIVATE, self->fd, 0);
	ASSERT_NE(MAP_FAILED, pv);
	snprintf(us, sizeof(us), "%d", ZG_DELAY_US);
	ASSERT_EQ(0, zr_set_delay(us));
	for (area = 0; area < ZG_AREAS; area++) {
		size_t page = (area * 37 + 5) % (ZF_AREA / ps);
		struct zg_fill f = {
			.fd = self->fd, .sh = self->sh, .how = variant->how,
			.area = area, .page = page,
		};
		char *p = pv + area * ZF_AREA + page * ps;

		ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
		f.reads = a.fault_private_read;
		ASSERT_EQ(0, pthread_create(&th, NULL, zg_fill, &f));
		v = __atomic_load_n((uint64_t *)p, __ATOMIC_RELAXED);	/* the fault */
		ASSERT_EQ(0, pthread_join(th, NULL));
		ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
		ASSERT_EQ(1, f.done) TH_LOG("area %zu: the fill failed", area);
		/* A zero entry made, and yet the read gave data: the fill came in the gap. */
		if (VL_D(a, b, zero_frame_maps) && v == zf_marker(area, page))
			met++;
		/* Filled: no zero entry may stay, and a read sees the data. */
		e = vl_pagemap(p);
		ASSERT_FALSE(pm_present(e) && pm_pfn(e) == self->zero)
			TH_LOG("area %zu page %zu: a zero entry outlived the fill (first read %#llx)",
			       area, page, (unsigned long long)v);
		ASSERT_EQ(zf_marker(area, page), *(uint64_t *)p)
			TH_LOG("area %zu page %zu: a stale zero (first read %#llx)",
			       area, page, (unsigned long long)v);
	}
	ASSERT_EQ(0, zr_set_delay("0"));
	TH_LOG("%zu of %d fills came between a read fault's look and its zero entry",
	       met, ZG_AREAS);
	ASSERT_LT(0, met);
	munmap(pv, ZG_AREAS * ZF_AREA);
}

/*
 * The fill from another thread, for reader_in_the_fill: it stops in the
 * module's wait (the fill knob) once its page is in the cache, before its
 * look at the offsets' bits.
 */
static void *zi_fill(void *arg)
{
	struct zg_fill *f = arg;

	if (zf_begin(f->fd, f->sh, f->how, f->area) < 0 ||
	    zf_fill(f->fd, f->sh, f->how, f->area, f->page))
		return NULL;
	__atomic_store_n(&f->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * A second reader inside a fill, on purpose: reader A's private mapping
 * holds a zero entry at a hole; the fill puts its page in the cache and,
 * held there by the module's fill knob (debugfs, root's; 0 by default),
 * has not yet looked for zero entries to take away; now reader B, through
 * another private mapping, faults at the same offset, finds the page and
 * maps it.  B made no zero entry, but A's is still there: the fill must
 * still take it away, and A must read the data.  (The module once let B
 * clear the offset's mark that A had set, and the fill then walked no
 * mapping: A kept reading zeros over the data.  zfill.store.race met it
 * about once in two runs under load; this meets it every time.)
 */
TEST_F_TIMEOUT(zfill, reader_in_the_fill, 120)
{
	size_t ps = self->ps, area;
	struct vmlab_stats a, b;
	char us[16], *pa, *pb;
	pthread_t th;
	uint64_t e;
	int tries;

	if (access(ZF_DELAY_KNOB, W_OK))
		SKIP(return, "no %s: %s", ZF_DELAY_KNOB, strerror(errno));
	pa = mmap(NULL, ZG_AREAS * ZF_AREA, PROT_READ, MAP_PRIVATE, self->fd, 0);
	ASSERT_NE(MAP_FAILED, pa);
	pb = mmap(NULL, ZG_AREAS * ZF_AREA, PROT_READ, MAP_PRIVATE, self->fd, 0);
	ASSERT_NE(MAP_FAILED, pb);
	snprintf(us, sizeof(us), "%d", ZG_DELAY_US);
	for (area = 0; area < ZG_AREAS; area++) {
		size_t page = (area * 53 + 3) % (ZF_AREA / ps);
		struct zg_fill f = {
			.fd = self->fd, .sh = self->sh, .how = variant->how,
			.area = area, .page = page,
		};
		size_t off = area * ZF_AREA + page * ps;

		/* A: a zero entry at the hole. */
		ASSERT_EQ(0, *(volatile uint64_t *)(pa + off));
		e = vl_pagemap(pa + off);
		ASSERT_TRUE(pm_present(e) && pm_pfn(e) == self->zero)
			TH_LOG("area %zu page %zu: no zero entry after a read of a hole",
			       area, page);
		/* The fill, held once its page is in the cache. */
		ASSERT_EQ(0, zf_set_delay(us));
		ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
		ASSERT_EQ(0, pthread_create(&th, NULL, zi_fill, &f));
		for (tries = 0; tries < 20000; tries++) {
			ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
			if (b.pages_allocated != a.pages_allocated)
				break;
			usleep(100);
		}
		/* B, in the fill's wait: the page is there, B maps it. */
		(void)*(volatile uint64_t *)(pb + off);
		ASSERT_EQ(0, pthread_join(th, NULL));
		ASSERT_EQ(0, zf_set_delay("0"));
		ASSERT_EQ(1, f.done) TH_LOG("area %zu: the fill failed", area);
		ASSERT_NE(b.pages_allocated, a.pages_allocated)
			TH_LOG("area %zu: the fill never reached its wait", area);
		/* A's zero entry is gone, and A reads the data. */
		e = vl_pagemap(pa + off);
		ASSERT_FALSE(pm_present(e) && pm_pfn(e) == self->zero)
			TH_LOG("area %zu page %zu: reader A's zero entry outlived the fill",
			       area, page);
		ASSERT_EQ(zf_marker(area, page), *(uint64_t *)(pa + off))
			TH_LOG("area %zu page %zu: reader A read a stale zero", area, page);
		ASSERT_EQ(zf_marker(area, page), *(uint64_t *)(pb + off));
	}
	munmap(pa, ZG_AREAS * ZF_AREA);
	munmap(pb, ZG_AREAS * ZF_AREA);
}

/*
 * The memory limit, exactly.  A fault at a hole reserves its page under
 * mem_limit before it allocates, and a 2 MiB fill reserves 512.  A fault
 * that finds its reservation refused only because of reservations still
 * under way (another fault at the same hole, a 2 MiB fill that covers its
 * page) looks for the page again instead of failing: SIGBUS comes only
 * when the object really holds its limit.  The module's test knob
 * reserve_delay_us holds each allocation 100 ms between its reservation
 * and its page in the store, so that the others arrive in that window
 * every time; LIM_ROUNDS rounds, since what comes after the wait (the
 * page put in between a waiting fault's look and its next reservation)
 * is left to chance.  Processes (not threads) fault, so that a SIGBUS is
 * seen as the one process's death.
 */
#define LIM_KNOB	"/sys/kernel/debug/vmlab/reserve_delay_us"
#define LIM_DELAY	"100000"
#define LIM_FAULTERS	4
#define LIM_ROUNDS	6	/* the race again, from an object filled anew */

FIXTURE(limit)
{
	int fd;
	size_t ps, limit;	/* limit in pages */
	struct vmlab_stats st;
	char *m;		/* the whole object, shared */
	long fault_around;
};

FIXTURE_VARIANT(limit)
{
	bool huge;	/* 512 pages below the limit, a 2 MiB fill; else one page below */
};

FIXTURE_VARIANT_ADD(limit, one_page_below)
{
	.huge = false,
};

FIXTURE_VARIANT_ADD(limit, huge_fill_512_below)
{
	.huge = true,
};

FIXTURE_SETUP(limit)
{
	self->ps = vmlab_page_size();
	self->m = MAP_FAILED;
	VL_SETUP_DEVICE(self->fd, self->st);
	self->limit = self->st.mem_limit / self->ps;
	if (self->st.size < self->st.mem_limit + ZF_AREA)
		SKIP(return, "the object (%llu KiB) must be 2 MiB larger than its limit "
		     "(%llu KiB)", (unsigned long long)self->st.size / 1024,
		     (unsigned long long)self->st.mem_limit / 1024);
	if (variant->huge && (vl_thp_mode() <= VL_THP_NEVER || self->st.mem_limit % ZF_AREA))
		SKIP(return, "no transparent huge pages (none in this kernel, or "
		     "enabled is never), or a limit not in 2 MiB steps");
	VL_SETUP_NO_FAULT_AROUND(self->fault_around);
	self->m = mmap(NULL, self->st.size, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, self->m);
	ASSERT_EQ(0, (uintptr_t)self->m % ZF_AREA) TH_LOG("get_unmapped_area did not align");
	if (variant->huge)
		ASSERT_EQ(0, madvise(self->m, self->st.size, MADV_HUGEPAGE));
}

FIXTURE_TEARDOWN(limit)
{
	vmlab_write_str(LIM_KNOB, "0");
	vl_fault_around_restore(self->fault_around);
	if (self->m != MAP_FAILED)
		munmap(self->m, self->st.size);
	if (self->fd >= 0) {
		vmlab_reset(self->fd, NULL);
		close(self->fd);
	}
}

TEST_F_TIMEOUT(limit, sigbus_only_at_the_limit, 120)
{
	size_t ps = self->ps, below = variant->huge ? ZF_AREA / ps : 1;
	size_t first = self->limit - below, i, k, at[LIM_FAULTERS];
	uint64_t *pfn, fl;
	struct vmlab_stats a, b;
	int go[LIM_FAULTERS][2], st, round;
	pid_t pid[LIM_FAULTERS];
	char buf[4096] = { 1 };

	pfn = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, pfn);
	for (round = 0; round < LIM_ROUNDS; round++) {
		/* The object holds all but @below pages: 0 .. first - 1. */
		ASSERT_EQ(0, vmlab_reset(self->fd, NULL));
		memset(pfn, 0, 4096);
		for (i = 0; i < first; i++)
			ASSERT_EQ(1, pwrite(self->fd, buf, 1, (off_t)(i * ps)));
		ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
		ASSERT_EQ(first, a.pages_resident);
		/* Where each process faults: the one hole, or pages of the empty 2 MiB. */
		for (k = 0; k < LIM_FAULTERS; k++)
			at[k] = first + (variant->huge ? k * (below / LIM_FAULTERS) + k : 0);
		ASSERT_EQ(0, vmlab_write_str(LIM_KNOB, LIM_DELAY))
			TH_LOG(LIM_KNOB ": %s", strerror(errno));

		for (k = 0; k < LIM_FAULTERS; k++) {
			ASSERT_EQ(0, pipe(go[k]));
			pid[k] = vmlab_fork();
			ASSERT_LE(0, pid[k]);
			if (pid[k] == 0) {
				char c;

				vmlab_child_quiet();
				if (read(go[k][0], &c, 1) != 1)
					_exit(2);
				c = *(volatile char *)(self->m + at[k] * ps);
				pfn[k] = vl_pfn(self->m + at[k] * ps);
				_exit(c == 0 ? 0 : 3);	/* a hole reads zeros */
			}
			close(go[k][0]);
		}
		/* The first goes, then the others while it holds its reservation. */
		for (k = 0; k < LIM_FAULTERS; k++) {
			ASSERT_EQ(1, write(go[k][1], "g", 1));
			close(go[k][1]);
			if (!k)
				usleep(20000);
		}
		for (k = 0; k < LIM_FAULTERS; k++) {
			st = vl_wait(pid[k]);
			EXPECT_EQ(0, st) TH_LOG("the process faulting page %zu: %s", at[k],
						VL_SIGNALED(st) ? strsignal(VL_SIG(st)) : "exit status");
		}
		ASSERT_EQ(0, vmlab_write_str(LIM_KNOB, "0"));
		ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
		TH_LOG("round %d: object at %zu of %zu pages; %d processes faulted page(s) %zu..%zu: "
		       "allocated %lld, sigbus %lld; now %llu pages", round, first, self->limit,
		       LIM_FAULTERS, at[0], at[LIM_FAULTERS - 1],
		       (long long)VL_D(a, b, pages_allocated), (long long)VL_D(a, b, sigbus),
		       (unsigned long long)b.pages_resident);
		ASSERT_EQ(0, VL_D(a, b, sigbus));
		ASSERT_EQ(self->limit, b.pages_resident);
		ASSERT_EQ(below, VL_D(a, b, pages_allocated));

		/* The kernel's view: the processes mapped one page, or one 2 MiB folio. */
		for (k = 0; k < LIM_FAULTERS; k++) {
			ASSERT_NE(0, pfn[k]) TH_LOG("process %zu: no frame in pagemap", k);
			ASSERT_EQ(pfn[0] + (at[k] - at[0]), pfn[k]);
		}
		fl = vl_kpageflags(pfn[0]);
		if (variant->huge)
			ASSERT_TRUE(vmlab_kpf(fl, VMLAB_KPF_THP)) TH_LOG("kpageflags %#llx",
									 (unsigned long long)fl);
		for (i = first; i < self->limit; i++)
			ASSERT_EQ(0, *(volatile char *)(self->m + i * ps)) TH_LOG("page %zu", i);

		/* Now the object holds its limit: the next hole is SIGBUS, write() ENOSPC. */
		ASSERT_EQ(SIGBUS, vmlab_probe(self->m + self->limit * ps, false, 0));
		ASSERT_EQ(-1, pwrite(self->fd, buf, 1, (off_t)(self->limit * ps)));
		ASSERT_EQ(ENOSPC, errno);
	}
	munmap(pfn, 4096);
}

VL_TEST_MAIN
