// SPDX-License-Identifier: GPL-2.0
/*
 * vmlab_memcg: the object's pages and the memory cgroup (cgroup v2).
 *
 *  - a page is charged to the memory cgroup of the task that faults it
 *    in, stays charged when that task is gone and the mapping with it,
 *    and is uncharged when a reset frees it (charge.*);
 *  - the same for pages made by write(); a memory.max stops a task from
 *    making the object grow past it: its faults get SIGBUS, its write()
 *    ENOMEM, and no OOM killer runs (memory.events) (hostile.*, the names
 *    these tests had in vmlab_hostile).
 *
 * The cgroup2 hierarchy is the one mounted (guest-init.sh mounts it on
 * /sys/fs/cgroup), or one this program mounts on a directory of /tmp for
 * its life (libvmlab's vmlab_cgroup_*()).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>

#include "kselftest_harness.h"
#include "vmlab_util.h"

#define MIN(a, b)	((a) < (b) ? (a) : (b))
#define CG_LIMIT	(8UL * VL_MiB)

/*
 * Pages are charged to the memory cgroup of the task that faults them in,
 * and uncharged when a reset frees them.
 */
FIXTURE(charge)
{
	int fd;
	struct vmlab_stats st;
	struct vmlab_cgroup cg;
	char why[160];
	int err;		/* errno of a cgroup2 that cannot be used */
};

FIXTURE_SETUP(charge)
{
	self->fd = -1;
	VL_SETUP_DEVICE(self->fd, self->st);
	if (vmlab_cgroup_open(&self->cg, self->why, sizeof(self->why)))
		self->err = errno ? errno : EINVAL;
}

FIXTURE_TEARDOWN(charge)
{
	vmlab_cgroup_close(&self->cg);
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(charge, memcg_of_faulting_task)
{
	size_t ps = vmlab_page_size(), n = MIN(MIN(1024, self->st.mem_limit / ps),
					self->st.size / ps);
	long cur0, cur1, cur2, bytes = n * ps;
	const char *dir = self->cg.dir;
	struct vmlab_stats a, b;
	struct vl_sync s;
	pid_t pid;
	char *m;

	if (self->err)
		SKIP(return, "%s: %s", self->why, strerror(self->err));
	ASSERT_EQ(0, vmlab_cgroup_make(&self->cg, "vmlab-test", 0))
		TH_LOG("%s: %s", self->cg.dir, strerror(errno));
	ASSERT_LE(0, vmlab_cgroup_long(dir, "memory.current"));

	/* Every page takes its own fault (no fault-around). */
	m = mmap(NULL, n * ps, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	ASSERT_EQ(0, madvise(m, n * ps, MADV_RANDOM));
	pid = vl_sync_fork(&s);
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (vmlab_cgroup_join(dir))
			_exit(20);
		if (vl_sync_step(&s))
			_exit(21);
		vl_touch_write(m, n * ps, 1);
		if (vl_sync_step(&s))
			_exit(22);
		_exit(0);
	}
	ASSERT_EQ(0, vl_wait_byte(s.to_parent[0]));
	cur0 = vmlab_cgroup_long(dir, "memory.current");
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	ASSERT_EQ(0, vl_post(s.to_child[1]));
	ASSERT_EQ(0, vl_wait_byte(s.to_parent[0]));
	cur1 = vmlab_cgroup_long(dir, "memory.current");
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
	ASSERT_EQ(0, vl_post(s.to_child[1]));
	ASSERT_EQ(0, vl_wait(pid));
	vl_sync_close(&s);
	ASSERT_EQ(n, VL_D(a, b, pages_allocated));
	TH_LOG("memory.current: %ld before, %ld after faulting %ld bytes",
	       cur0, cur1, bytes);
	ASSERT_LE(bytes - bytes / 8, cur1 - cur0);
	ASSERT_GE(bytes + 2 * (long)VL_MiB, cur1 - cur0);

	/* The pages stay charged after the child is gone, until freed. */
	ASSERT_EQ(0, munmap(m, n * ps));
	ASSERT_LE(bytes - bytes / 8, vmlab_cgroup_long(dir, "memory.current") - cur0);
	ASSERT_EQ(0, vmlab_reset(self->fd, NULL));
	cur2 = vmlab_cgroup_long(dir, "memory.current");
	TH_LOG("memory.current after reset: %ld", cur2);
	ASSERT_LE(bytes - bytes / 8, cur1 - cur2);
}

/*
 * A group with memory.max = CG_LIMIT, and a task in it that makes the
 * object grow.
 */
FIXTURE(hostile)
{
	int fd;
	size_t ps;
	struct vmlab_stats st;
	struct vmlab_cgroup cg;
};

FIXTURE_SETUP(hostile)
{
	char why[160];

	self->ps = vmlab_page_size();
	self->fd = -1;
	VL_SETUP_DEVICE(self->fd, self->st);
	if (vmlab_cgroup_open(&self->cg, why, sizeof(why)) ||
	    vmlab_cgroup_make(&self->cg, "vmlab-hostile", CG_LIMIT))
		SKIP(return, "no cgroup v2 memory controller: %s", strerror(errno));
}

FIXTURE_TEARDOWN(hostile)
{
	vmlab_cgroup_close(&self->cg);
	if (self->fd >= 0) {
		vmlab_reset(self->fd, NULL);
		close(self->fd);
	}
}

struct greedy {
	const char *cg;
	int fd;
	bool by_write;		/* write() instead of faults */
	size_t want;		/* bytes it tries to make the object hold */
	volatile size_t done;	/* pages it got */
	int err;		/* errno of the write() that failed */
};

/* Join the cgroup, then make the object grow as far as it lets us. */
static int greedy_task(void *arg)
{
	struct greedy *g = arg;
	size_t ps = vmlab_page_size(), i;
	char *m, *buf;

	/*
	 * SIGBUS dumps core, and the dump's first allocation (credentials,
	 * before the core size limit is looked at) is charged to this group,
	 * full by then: once, on the debug kernel, the group's OOM killer
	 * took the task that way, before the module's SIGBUS could end it.
	 * A task that is not dumpable does not start a dump.
	 */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0))
		return 5;
	if (vmlab_cgroup_join(g->cg))
		return 2;
	if (g->by_write) {
		buf = malloc(ps);
		if (!buf)
			return 3;
		memset(buf, 0x5a, ps);
		for (i = 0; i < g->want / ps; i++) {
			if (pwrite(g->fd, buf, ps, i * ps) != (ssize_t)ps) {
				g->err = errno;
				return 0;
			}
			g->done = i + 1;
		}
		return 1;
	}
	m = mmap(NULL, g->want, PROT_READ | PROT_WRITE, MAP_SHARED, g->fd, 0);
	if (m == MAP_FAILED)
		return 4;
	for (i = 0; i < g->want / ps; i++) {
		m[i * ps] = 0x5a;
		g->done = i + 1;
	}
	return 1;	/* it got all it asked for */
}

/*
 * A task in the group makes the object hold g->want bytes (or tries to),
 * by faults or by write(), and exits or dies; then RESET.  Checks that
 * the object's pages are charged to the group, stay charged after the
 * task is gone, and are uncharged by RESET.  Returns the task's status.
 */
static int run_greedy(struct __test_metadata *_metadata,
		      FIXTURE_DATA(hostile) *self, bool by_write, size_t want)
{
	const char *dir = self->cg.dir;
	size_t ps = self->ps;
	struct greedy *g;
	struct vmlab_stats a, b;
	long cur0, cur1, cur2, ooms0, ooms1;
	uint64_t freed;
	int st;

	g = mmap(NULL, sizeof(*g), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (g == MAP_FAILED)
		return -1;
	g->cg = dir;
	g->fd = self->fd;
	g->by_write = by_write;
	g->want = want;
	if (vmlab_reset(self->fd, NULL) || vmlab_get_stats(self->fd, &a))
		return -1;
	cur0 = vmlab_cgroup_long(dir, "memory.current");
	ooms0 = vmlab_cgroup_key(dir, "memory.events", "oom_kill");
	st = vl_run_child(greedy_task, g);
	if (st < 0)
		return -1;	/* fork or waitpid failed */
	EXPECT_EQ(0, vmlab_get_stats(self->fd, &b));
	cur1 = vmlab_cgroup_long(dir, "memory.current");
	ooms1 = vmlab_cgroup_key(dir, "memory.events", "oom_kill");
	TH_LOG("%s, %zu KiB wanted: the task got %zu pages, exit %d (%s), errno %d; "
	       "object holds %llu pages; memory.current %ld -> %ld KiB; oom_kill %ld -> %ld",
	       by_write ? "write()" : "faults", want / 1024, g->done, st,
	       VL_SIGNALED(st) ? strsignal(VL_SIG(st)) : "exited", g->err,
	       (unsigned long long)b.pages_resident, cur0 / 1024, cur1 / 1024,
	       ooms0, ooms1);
	if (by_write && st == 0)
		EXPECT_EQ(ENOMEM, g->err) TH_LOG("write() failed: %s", strerror(g->err));
	if (st == 128 + SIGKILL)
		EXPECT_LT(ooms0, ooms1) TH_LOG("killed, but not by its cgroup's OOM killer");
	/* The pages it made stay, charged to its group, within the limit. */
	EXPECT_LE(b.pages_resident * ps, CG_LIMIT);
	EXPECT_LE(g->done, b.pages_resident);
	EXPECT_LE(b.pages_resident, g->done + 1);
	EXPECT_LE(cur0 + (long)(b.pages_resident * ps * 7 / 8), cur1)
		TH_LOG("the object's %llu pages are not charged to the group",
		       (unsigned long long)b.pages_resident);
	/* Charges the kernel may not refuse can pass memory.max by a little. */
	EXPECT_LE(cur1, (long)(CG_LIMIT + CG_LIMIT / 64));
	/* RESET frees them and the charge goes. */
	EXPECT_EQ(0, vmlab_reset(self->fd, &freed));
	EXPECT_EQ(b.pages_resident, freed);
	cur2 = vmlab_cgroup_long(dir, "memory.current");
	TH_LOG("after RESET: memory.current %ld KiB", cur2 / 1024);
	EXPECT_LE(cur2, cur1 - (long)(freed * ps * 7 / 8))
		TH_LOG("RESET freed %llu pages but memory.current went %ld -> %ld",
		       (unsigned long long)freed, cur1, cur2);
	munmap(g, sizeof(*g));
	return st;
}

/*
 * The object's pages are charged to the memory cgroup of the task that
 * made them, by a fault or by write(); they stay charged when the task
 * has gone (the object holds them) and RESET uncharges them.
 */
TEST_F_TIMEOUT(hostile, memcg_charges_the_object, 120)
{
	int st;

	st = run_greedy(_metadata, self, false, CG_LIMIT / 2);
	ASSERT_EQ(1, st) TH_LOG("faults below the limit failed");
	st = run_greedy(_metadata, self, true, CG_LIMIT / 2);
	ASSERT_EQ(1, st) TH_LOG("write() below the limit failed");
	ASSERT_EQ(0, vmlab_cgroup_remove(&self->cg)) TH_LOG("rmdir: %s", strerror(errno));
}

/*
 * A memory cgroup limit stops a task from making the object grow past it:
 * the module allocates with __GFP_RETRY_MAYFAIL, so a charge over
 * memory.max fails instead of calling the group's OOM killer; the fault
 * gets SIGBUS, write() stops with ENOMEM.  This process, outside the
 * group, lives on, the kernel logs nothing, and RESET takes the charge
 * away (run_greedy() checks memory.current and memory.events).
 */
TEST_F_TIMEOUT(hostile, memcg_limit_stops_growth, 120)
{
	long ooms0, ooms1;
	int st;

	ASSERT_LE(3 * CG_LIMIT, self->st.mem_limit);
	ooms0 = vmlab_cgroup_key(self->cg.dir, "memory.events", "oom_kill");
	st = run_greedy(_metadata, self, false, 3 * CG_LIMIT);
	ASSERT_EQ(128 + SIGBUS, st) TH_LOG("faults past the group's limit: status %d", st);
	st = run_greedy(_metadata, self, true, 3 * CG_LIMIT);
	ASSERT_EQ(0, st) TH_LOG("write() past the group's limit: status %d", st);
	ooms1 = vmlab_cgroup_key(self->cg.dir, "memory.events", "oom_kill");
	ASSERT_EQ(ooms0, ooms1) TH_LOG("the group's OOM killer ran");
	ASSERT_EQ(0, vmlab_cgroup_remove(&self->cg)) TH_LOG("rmdir: %s", strerror(errno));
}

VL_TEST_MAIN
