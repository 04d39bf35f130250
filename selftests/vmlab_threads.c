// SPDX-License-Identifier: GPL-2.0
/*
 * vmlab_threads: threads and processes faulting the same pages at once,
 * write() racing faults on the same holes, and resets racing faults.  Each
 * page of the object must be allocated once however many fault it at the
 * same time, every store must land in that one frame, and the counters
 * must add up.
 *
 * The kernel's view held against the counters: pagemap (every page
 * present, one PFN per page in every thread and process), kpageflags,
 * smaps, and the data itself.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "vmlab_util.h"

#define NWORKERS	4
#define NPAGES		256
#define NRESETS		25

FIXTURE(race)
{
	int fd;
	size_t ps;
	struct vmlab_stats st;
};

FIXTURE_VARIANT(race)
{
	bool shared;
};

FIXTURE_VARIANT_ADD(race, shared)
{
	.shared = true,
};

FIXTURE_VARIANT_ADD(race, private)
{
	.shared = false,
};

FIXTURE_SETUP(race)
{
	self->ps = vmlab_page_size();
	VL_SETUP_DEVICE(self->fd, self->st);
	VL_NEED_PAGES(self->st, 2 * NPAGES);
}

FIXTURE_TEARDOWN(race)
{
	if (self->fd >= 0)
		close(self->fd);
}

static char *map_obj(int fd, size_t len, bool shared)
{
	return mmap(NULL, len, PROT_READ | PROT_WRITE,
		    shared ? MAP_SHARED : MAP_PRIVATE, fd, 0);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* What worker id stores in its slot of page i. */
static uint64_t marker(int id, size_t i)
{
	return 0x766d6c6100000000ULL | (uint64_t)(id + 1) << 20 | i;
}

/* Worker id visits every page: even ids upwards, odd ones downwards. */
static size_t nth_page(int id, size_t k)
{
	return id & 1 ? NPAGES - 1 - k : k;
}

struct worker {
	pthread_t thread;
	pthread_barrier_t *start;
	char *map;
	size_t ps;
	int id;
};

static void *store_all(void *arg)
{
	struct worker *w = arg;
	size_t k, i;

	pthread_barrier_wait(w->start);
	for (k = 0; k < NPAGES; k++) {
		i = nth_page(w->id, k);
		((volatile uint64_t *)(w->map + i * w->ps))[w->id] = marker(w->id, i);
	}
	return NULL;
}

/*
 * Threads of one process store to every page at once: one frame per page
 * (allocated once, for a shared mapping; one anonymous copy per page for a
 * private one), holding every thread's store.
 */
TEST_F_TIMEOUT(race, threads_store_same_pages, 120)
{
	size_t ps = self->ps, i;
	struct worker w[NWORKERS];
	pthread_barrier_t start;
	struct vmlab_stats a, b;
	uint64_t pfn[NPAGES], e;
	long f0, f1;
	char *m;
	int t;

	m = map_obj(self->fd, NPAGES * ps, variant->shared);
	ASSERT_NE(MAP_FAILED, m);
	ASSERT_EQ(0, pthread_barrier_init(&start, NULL, NWORKERS));
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	f0 = vmlab_minflt();
	for (t = 0; t < NWORKERS; t++) {
		w[t] = (struct worker){ .start = &start, .map = m, .ps = ps, .id = t };
		ASSERT_EQ(0, pthread_create(&w[t].thread, NULL, store_all, &w[t]));
	}
	for (t = 0; t < NWORKERS; t++)
		ASSERT_EQ(0, pthread_join(w[t].thread, NULL));
	f1 = vmlab_minflt();
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
	vl_stats_log("threads", &a, &b);
	pthread_barrier_destroy(&start);

	for (i = 0; i < NPAGES; i++) {
		for (t = 0; t < NWORKERS; t++)
			ASSERT_EQ(marker(t, i), ((uint64_t *)(m + i * ps))[t])
				TH_LOG("page %zu, thread %d", i, t);
		e = vl_pagemap(m + i * ps);
		ASSERT_TRUE(pm_present(e));
		pfn[i] = pm_pfn(e);
		ASSERT_EQ(!variant->shared, vmlab_kpf(vl_kpageflags(pfn[i]), VMLAB_KPF_ANON));
	}
	qsort(pfn, NPAGES, sizeof(pfn[0]), cmp_u64);
	for (i = 1; i < NPAGES; i++)
		ASSERT_NE(pfn[i], pfn[i - 1]);
	ASSERT_LE(NPAGES, f1 - f0);

	if (variant->shared) {
		uint64_t buf[NWORKERS];

		ASSERT_EQ(NPAGES, VL_D(a, b, pages_allocated));
		ASSERT_EQ(NPAGES, b.pages_resident);
		ASSERT_EQ(NPAGES, b.pages_dirty);
		ASSERT_LE(NPAGES, VL_D(a, b, fault_shared_write));
		ASSERT_GE(NPAGES * NWORKERS, VL_D(a, b, fault_shared_write));
		ASSERT_EQ(0, VL_D(a, b, fault_shared_read));
		ASSERT_EQ(VL_D(a, b, fault_shared_write), VL_D(a, b, page_mkwrite));
		for (i = 0; i < NPAGES; i++) {
			ASSERT_EQ((ssize_t)sizeof(buf),
				  pread(self->fd, buf, sizeof(buf), i * ps));
			for (t = 0; t < NWORKERS; t++)
				ASSERT_EQ(marker(t, i), buf[t]);
		}
	} else {
		ASSERT_EQ(0, VL_D(a, b, pages_allocated));
		ASSERT_EQ(0, b.pages_resident);
		ASSERT_LE(NPAGES, VL_D(a, b, fault_private_write));
		ASSERT_GE(NPAGES * NWORKERS, VL_D(a, b, fault_private_write));
		ASSERT_EQ(0, VL_D(a, b, page_mkwrite));
		ASSERT_EQ((long)(NPAGES * ps / 1024), vl_smaps_kb(m, "Anonymous"));
	}
	munmap(m, NPAGES * ps);
}

/* PFNs each process saw, shared between them (MAP_SHARED | MAP_ANONYMOUS). */
struct seen {
	uint64_t pfn[NWORKERS][NPAGES];
};

static int process_worker(int fd, int gate, bool shared, int id,
			  struct seen *seen)
{
	size_t ps = vmlab_page_size(), k, i;
	char *m, c;

	m = mmap(NULL, NPAGES * ps, PROT_READ | PROT_WRITE,
		 shared ? MAP_SHARED : MAP_PRIVATE, fd, 0);
	if (m == MAP_FAILED)
		return 10;
	/* Wait until the parent opens the gate for all of us at once. */
	if (read(gate, &c, 1) != 0)
		return 11;
	for (k = 0; k < NPAGES; k++) {
		volatile uint64_t *p;

		i = nth_page(id, k);
		p = (volatile uint64_t *)(m + i * ps);
		if (shared)
			p[id] = marker(id, i);
		else if (p[id] != 0)
			return 12;
	}
	for (i = 0; i < NPAGES; i++)
		seen->pfn[id][i] = vl_pfn(m + i * ps);
	return 0;
}

/*
 * Processes map the object and fault every page at once: each faults each
 * page exactly once (exact counters), all map the same frame per page (a
 * shared mapping: the object's page, allocated once; a private read: the
 * kernel's zero page).
 */
TEST_F_TIMEOUT(race, processes_fault_same_pages, 120)
{
	size_t ps = self->ps, i;
	struct vmlab_stats a, b;
	pid_t pid[NWORKERS];
	struct seen *seen;
	int gate[2], t;
	uint64_t zero = 0;
	char *m;

	seen = mmap(NULL, sizeof(*seen), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, seen);
	ASSERT_EQ(0, pipe(gate));
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	fflush(stderr);
	for (t = 0; t < NWORKERS; t++) {
		pid[t] = fork();
		ASSERT_LE(0, pid[t]);
		if (pid[t] == 0) {
			close(gate[1]);
			_exit(process_worker(self->fd, gate[0], variant->shared,
					     t, seen));
		}
	}
	close(gate[0]);
	close(gate[1]);		/* open the gate */
	for (t = 0; t < NWORKERS; t++)
		ASSERT_EQ(0, vl_wait(pid[t])) TH_LOG("process %d", t);
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
	vl_stats_log("processes", &a, &b);

	for (i = 0; i < NPAGES; i++) {
		ASSERT_NE(0, seen->pfn[0][i]);
		for (t = 1; t < NWORKERS; t++)
			ASSERT_EQ(seen->pfn[0][i], seen->pfn[t][i])
				TH_LOG("page %zu, process %d", i, t);
	}
	m = map_obj(self->fd, NPAGES * ps, variant->shared);
	ASSERT_NE(MAP_FAILED, m);
	if (variant->shared) {
		ASSERT_EQ(NPAGES, VL_D(a, b, pages_allocated));
		ASSERT_EQ(NPAGES * NWORKERS, VL_D(a, b, fault_shared_write));
		ASSERT_EQ(NPAGES * NWORKERS, VL_D(a, b, page_mkwrite));
		ASSERT_EQ(0, VL_D(a, b, fault_shared_read));
		ASSERT_EQ(NPAGES, b.pages_dirty);
		for (i = 0; i < NPAGES; i++) {
			for (t = 0; t < NWORKERS; t++)
				ASSERT_EQ(marker(t, i), ((uint64_t *)(m + i * ps))[t]);
			ASSERT_EQ(seen->pfn[0][i], vl_pfn(m + i * ps));
			ASSERT_EQ(1, vl_kpagecount(seen->pfn[0][i]));
		}
	} else {
		ASSERT_EQ(0, VL_D(a, b, pages_allocated));
		ASSERT_EQ(NPAGES * NWORKERS, VL_D(a, b, fault_private_read));
		ASSERT_EQ(NPAGES * NWORKERS, VL_D(a, b, zero_frame_maps));
		ASSERT_EQ(0, m[0]);
		zero = vl_pfn(m);
		ASSERT_EQ(vmlab_zero_pfn(), zero);
		for (i = 0; i < NPAGES; i++)
			ASSERT_EQ(zero, seen->pfn[0][i]);
	}
	munmap(m, NPAGES * ps);
	munmap(seen, sizeof(*seen));
}

struct writer {
	int fd;
	size_t ps;
	pthread_barrier_t *start;
	int err;
};

static void *write_all(void *arg)
{
	struct writer *w = arg;
	uint64_t v;
	size_t i;

	pthread_barrier_wait(w->start);
	for (i = 0; i < NPAGES; i++) {
		v = marker(0, i);
		if (pwrite(w->fd, &v, sizeof(v), i * w->ps) != sizeof(v))
			w->err = errno ? errno : EIO;
	}
	return NULL;
}

/*
 * write() and faults race on the same holes: one page each.  A shared
 * mapping's stores and write()'s land in the same frame; a private
 * mapping that read a hole before write() filled it sees the data after.
 */
TEST_F_TIMEOUT(race, write_races_fault, 120)
{
	size_t ps = self->ps, i;
	pthread_barrier_t start;
	struct vmlab_stats a, b;
	struct writer w;
	pthread_t th;
	char *m;

	m = map_obj(self->fd, NPAGES * ps, variant->shared);
	ASSERT_NE(MAP_FAILED, m);
	ASSERT_EQ(0, pthread_barrier_init(&start, NULL, 2));
	w = (struct writer){ .fd = self->fd, .ps = ps, .start = &start };
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	ASSERT_EQ(0, pthread_create(&th, NULL, write_all, &w));
	pthread_barrier_wait(&start);
	for (i = 0; i < NPAGES; i++) {
		volatile uint64_t *p = (volatile uint64_t *)(m + i * ps);

		if (variant->shared)
			p[1] = marker(1, i);
		else
			(void)p[0];
	}
	ASSERT_EQ(0, pthread_join(th, NULL));
	ASSERT_EQ(0, w.err);
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
	vl_stats_log("write vs fault", &a, &b);
	pthread_barrier_destroy(&start);

	ASSERT_EQ(NPAGES, VL_D(a, b, pages_allocated));
	ASSERT_EQ(NPAGES, b.pages_resident);
	for (i = 0; i < NPAGES; i++) {
		uint64_t *p = (uint64_t *)(m + i * ps), buf[2];

		ASSERT_EQ(marker(0, i), p[0]) TH_LOG("page %zu", i);
		ASSERT_EQ(16, pread(self->fd, buf, 16, i * ps));
		ASSERT_EQ(marker(0, i), buf[0]);
		if (variant->shared) {
			ASSERT_EQ(marker(1, i), p[1]);
			ASSERT_EQ(marker(1, i), buf[1]);
		}
		/* Whichever came first, the object's frame is mapped now. */
		ASSERT_TRUE(pm_file(vl_pagemap(p)));
		ASSERT_FALSE(vmlab_kpf(vl_kpageflags(vl_pfn(p)), VMLAB_KPF_ANON));
	}
	munmap(m, NPAGES * ps);
}

struct churner {
	pthread_t thread;
	char *map;
	size_t ps;
	bool shared;
	volatile bool *stop;
	unsigned long loops;
	int id;
};

static void *churn(void *arg)
{
	struct churner *c = arg;
	size_t i = c->id * 7;

	while (!*c->stop) {
		volatile char *p = c->map + (i % 64) * c->ps;

		if (c->shared || (i & 3) == 0)
			p[c->id] = 1;
		else
			(void)p[c->id];
		i++;
		c->loops++;
	}
	return NULL;
}

/*
 * Resets race with threads faulting pages in and out: nothing may leak or
 * be freed twice.  Afterwards the object holds nothing, every page that
 * was allocated was freed, and the resets' reports add up.
 */
TEST_F_TIMEOUT(race, reset_races_faults, 120)
{
	size_t ps = self->ps, i;
	struct churner c[2];
	volatile bool stop = false;
	struct vmlab_stats a, b;
	uint64_t freed, sum = 0;
	char *m;
	int t, r;

	m = map_obj(self->fd, 64 * ps, variant->shared);
	ASSERT_NE(MAP_FAILED, m);
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	for (t = 0; t < 2; t++) {
		c[t] = (struct churner){ .map = m, .ps = ps, .shared = variant->shared,
					 .stop = &stop, .id = t };
		ASSERT_EQ(0, pthread_create(&c[t].thread, NULL, churn, &c[t]));
	}
	for (r = 0; r < NRESETS; r++) {
		struct timespec ts = { 0, 1000 * 1000 };

		nanosleep(&ts, NULL);
		ASSERT_EQ(0, vmlab_reset(self->fd, &freed));
		sum += freed;
	}
	stop = true;
	for (t = 0; t < 2; t++)
		ASSERT_EQ(0, pthread_join(c[t].thread, NULL));
	ASSERT_EQ(0, vmlab_reset(self->fd, &freed));
	sum += freed;
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
	vl_stats_log("resets vs faults", &a, &b);
	TH_LOG("%lu and %lu loops, %llu pages freed by %d resets",
	       c[0].loops, c[1].loops, (unsigned long long)sum, NRESETS + 1);
	ASSERT_EQ(NRESETS + 1, VL_D(a, b, resets));
	ASSERT_EQ(0, b.pages_resident);
	ASSERT_EQ(0, b.pages_dirty);
	ASSERT_EQ(b.pages_allocated - b.pages_freed, b.pages_resident);
	ASSERT_EQ(VL_D(a, b, pages_allocated), VL_D(a, b, pages_freed));
	ASSERT_EQ(sum, (uint64_t)VL_D(a, b, pages_freed));
	ASSERT_EQ(0, VL_D(a, b, sigbus));
	if (variant->shared) {
		ASSERT_LT(0, VL_D(a, b, pages_allocated));
		ASSERT_EQ(0, vl_count_present(m, 64));
		for (i = 0; i < 64; i++)
			ASSERT_TRUE(vl_is_zero(m + i * ps, ps)) TH_LOG("page %zu", i);
	} else {
		ASSERT_EQ(0, VL_D(a, b, pages_allocated));
	}
	munmap(m, 64 * ps);
}

VL_TEST_MAIN
