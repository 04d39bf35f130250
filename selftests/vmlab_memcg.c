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
 *    these tests had in vmlab_hostile);
 *  - a page faulted in on behalf of another process (a write through
 *    /proc/PID/mem or process_vm_writev()) is charged to the group of
 *    the process whose mapping it is, not to the writer's, as for a tmpfs
 *    file beside it; the writer's group, removed, does not linger as a
 *    dying group (remote.*).
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
#include <sys/uio.h>
#include <time.h>

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

	/* Every page takes its own write fault (no fault-around for writes). */
	m = mmap(NULL, n * ps, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, m);
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

/*
 * A process in group B (the owner) maps the object and a tmpfs file
 * (memfd) shared, touching nothing; a process in group A (the writer)
 * stores into both mappings from outside, by /proc/PID/mem or
 * process_vm_writev().  Each store faults a page in, in the writer's
 * task.  The kernel charges a tmpfs page to the owner's group (shmem
 * charges the faulted mm's); the object's pages must go the same way.
 */
FIXTURE(remote)
{
	int fd, memfd;
	size_t ps, n;
	struct vmlab_stats st;
	struct vmlab_cgroup a, b;
};

FIXTURE_VARIANT(remote)
{
	bool proc_mem;		/* else process_vm_writev() */
};

FIXTURE_VARIANT_ADD(remote, proc_mem)
{
	.proc_mem = true,
};

FIXTURE_VARIANT_ADD(remote, process_vm_writev)
{
	.proc_mem = false,
};

FIXTURE_SETUP(remote)
{
	char why[160];

	self->ps = vmlab_page_size();
	self->fd = -1;
	self->memfd = -1;
	VL_SETUP_DEVICE(self->fd, self->st);
	/*
	 * 8 MiB: memory.current moves in batches of up to 64 pages (the
	 * per-CPU charge stock), so a smaller count could not tell.
	 */
	self->n = MIN(MIN(2048, self->st.mem_limit / self->ps), self->st.size / self->ps);
	if (vmlab_cgroup_open(&self->a, why, sizeof(why)) ||
	    vmlab_cgroup_open(&self->b, why, sizeof(why)))
		SKIP(return, "%s: %s", why, strerror(errno));
	if (vmlab_cgroup_make(&self->a, "vmlab-writer", 0) ||
	    vmlab_cgroup_make(&self->b, "vmlab-owner", 0))
		SKIP(return, "no cgroup v2 memory controller: %s", strerror(errno));
	ASSERT_EQ(0, vmlab_reset(self->fd, NULL));
	self->memfd = memfd_create("vmlab-remote", MFD_CLOEXEC);
	ASSERT_LE(0, self->memfd);
	ASSERT_EQ(0, ftruncate(self->memfd, (off_t)(self->n * self->ps)));
}

FIXTURE_TEARDOWN(remote)
{
	vmlab_cgroup_remove(&self->a);
	vmlab_cgroup_close(&self->b);
	vmlab_cgroup_close(&self->a);
	if (self->memfd >= 0)
		close(self->memfd);
	if (self->fd >= 0) {
		vmlab_reset(self->fd, NULL);
		close(self->fd);
	}
}

/* The owner: join group B, map both files, say where, wait to be told to go. */
static void remote_owner(FIXTURE_DATA(remote) *self, struct vl_sync *s)
{
	size_t len = self->n * self->ps;
	void *maps[2];

	if (vmlab_cgroup_join(self->b.dir))
		_exit(20);
	maps[0] = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	maps[1] = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, self->memfd, 0);
	if (maps[0] == MAP_FAILED || maps[1] == MAP_FAILED)
		_exit(21);
	if (write(s->to_parent[1], maps, sizeof(maps)) != sizeof(maps))
		_exit(22);
	if (vl_wait_byte(s->to_child[0]))
		_exit(23);
	_exit(0);
}

/* The writer: join group A, store one byte into each page at @addr in @pid. */
static int remote_write(FIXTURE_DATA(remote) *self, bool proc_mem, pid_t pid,
			uintptr_t addr)
{
	char path[64], byte = 0x5a;
	struct iovec local = { &byte, 1 }, remote;
	size_t i;
	int mem = -1;

	if (vmlab_cgroup_join(self->a.dir))
		return 30;
	if (proc_mem) {
		snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
		mem = open(path, O_RDWR | O_CLOEXEC);
		if (mem < 0)
			return 31;
	}
	for (i = 0; i < self->n; i++) {
		remote.iov_base = (void *)(addr + i * self->ps);
		remote.iov_len = 1;
		if (proc_mem ? pwrite(mem, &byte, 1, (off_t)(addr + i * self->ps)) != 1 :
			       process_vm_writev(pid, &local, 1, &remote, 1, 0) != 1)
			return 32;
	}
	return 0;
}

struct remote_charge {
	long a, b;		/* memory.current growth of the writer's and the owner's group */
};

/* Fork a writer in group A to store into @pid's mapping at @addr; what each group gained. */
static int remote_run(FIXTURE_DATA(remote) *self, bool proc_mem, pid_t pid,
		      uintptr_t addr, struct remote_charge *c)
{
	long a0 = vmlab_cgroup_long(self->a.dir, "memory.current");
	long b0 = vmlab_cgroup_long(self->b.dir, "memory.current");
	pid_t w;
	int st;

	w = vmlab_fork();
	if (w < 0)
		return -1;
	if (w == 0)
		_exit(remote_write(self, proc_mem, pid, addr));
	st = vl_wait(w);
	c->a = vmlab_cgroup_long(self->a.dir, "memory.current") - a0;
	c->b = vmlab_cgroup_long(self->b.dir, "memory.current") - b0;
	return st;
}

/* The root's count of removed groups something still holds, 0 if unknown. */
static long dying_groups(const struct vmlab_cgroup *cg)
{
	long n = vmlab_cgroup_key(cg->root, "cgroup.stat", "nr_dying_descendants");

	return n < 0 ? 0 : n;
}

TEST_F_TIMEOUT(remote, charges_the_owner, 120)
{
	long bytes = (long)(self->n * self->ps), cur, d0, d1 = 0, slack = bytes / 8;
	struct remote_charge obj, tmpfs;
	struct vmlab_stats s0, s1;
	void *maps[2];
	struct vl_sync s;
	pid_t owner;
	int i;

	owner = vl_sync_fork(&s);
	ASSERT_LE(0, owner);
	if (owner == 0)
		remote_owner(self, &s);
	ASSERT_EQ(sizeof(maps), read(s.to_parent[0], maps, sizeof(maps)));

	ASSERT_EQ(0, vmlab_get_stats(self->fd, &s0));
	ASSERT_EQ(0, remote_run(self, variant->proc_mem, owner,
				(uintptr_t)maps[0], &obj));
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &s1));
	ASSERT_EQ(0, remote_run(self, variant->proc_mem, owner,
				(uintptr_t)maps[1], &tmpfs));
	TH_LOG("%ld bytes stored by group A into a mapping of group B's process: "
	       "vmlab: A %+ld, B %+ld; tmpfs: A %+ld, B %+ld (memory.current)",
	       bytes, obj.a, obj.b, tmpfs.a, tmpfs.b);
	ASSERT_EQ(self->n, VL_D(s0, s1, pages_allocated));

	/* The kernel's own way, on a tmpfs file: the owner's group pays. */
	ASSERT_LE(bytes - slack, tmpfs.b);
	ASSERT_GT(slack, tmpfs.a);
	/* The object's pages: the same. */
	ASSERT_LE(bytes - slack, obj.b) TH_LOG("the owner's group was not charged");
	ASSERT_GT(slack, obj.a) TH_LOG("the writer's group was charged");

	ASSERT_EQ(0, vl_post(s.to_child[1]));
	ASSERT_EQ(0, vl_wait(owner));
	vl_sync_close(&s);

	/*
	 * The writer's group, removed, is gone: nothing of it is held.  (A
	 * removed group that still has pages charged stays, dying, as long
	 * as they do.)  The kernel frees a removed group after an RCU grace
	 * period: give it a few seconds.
	 */
	d0 = dying_groups(&self->a);
	ASSERT_EQ(0, vmlab_cgroup_remove(&self->a)) TH_LOG("rmdir: %s", strerror(errno));
	for (i = 0; i < 100; i++) {
		d1 = dying_groups(&self->a);
		if (d1 <= d0)
			break;
		usleep(50000);
	}
	ASSERT_GE(d0, d1) TH_LOG("the writer's group stays dying: %ld -> %ld", d0, d1);

	/* A reset frees the object's pages: the owner's group is paid back. */
	cur = vmlab_cgroup_long(self->b.dir, "memory.current");
	ASSERT_EQ(0, vmlab_reset(self->fd, NULL));
	ASSERT_LE(bytes - slack, cur - vmlab_cgroup_long(self->b.dir, "memory.current"));
}

VL_TEST_MAIN
