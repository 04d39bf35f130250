// SPDX-License-Identifier: GPL-2.0
/*
 * vmlab_migrate: the object's pages move, and are never taken away.
 *
 * The pages are the page cache of the object's inode and the kernel may
 * move them, as it moves tmpfs's: allocated movable, migrated by
 * filemap_migrate_folio(), with no reference of the module's own in the
 * way.  Root only; the guest has two NUMA nodes (qemu-run.sh).
 *
 *  - move.*: move_pages() moves every page of a shared mapping to the
 *    other node and back, as root (MPOL_MF_MOVE_ALL, since another
 *    process maps them too): the kernel's own answer (the node of each
 *    page, asked with move_pages() again) says they moved; pagemap shows
 *    the new frames, INSPECT the same ones, kpageflags that they are still
 *    dirty, and the other process's
 *    pagemap too once it read them again: every mapping followed (a 2 MiB
 *    folio mapped by a PMD is unmapped by the move and refaults).  The data is intact, the object
 *    holds as many pages as before and freed none.  A 2 MiB folio moves
 *    whole or is split on the way (the test says which).
 *  - huge.split: the kernel splits a 2 MiB folio of the object (debugfs
 *    split_huge_pages), as memory-failure recovery needs to: kpageflags
 *    shows 512 small pages after, the data intact.
 *  - compact.moves_object_pages: object pages spread evenly among free
 *    memory over the whole of node 1 (anonymous pages faulted between
 *    each two, then unmapped), where the compaction's scan of a zone
 *    reaches them; writing
 *    1 to /proc/sys/vm/compact_memory moves some of them: counted by
 *    pagemap (frames that changed) and against /proc/vmstat's
 *    pgmigrate_success.
 *  - keep.*: what would drop a file's clean pages leaves the object's
 *    alone: drop_caches, fadvise(POSIX_FADV_DONTNEED), MADV_PAGEOUT and a
 *    memory cgroup's memory.reclaim.  The pages were written and cleaned
 *    (fsync), some mapped, some not: afterwards the object holds them all
 *    and freed none, read() returns the data, and the mapped ones are on
 *    the same frames.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "vmlab_util.h"

#define MPOL_DEFAULT		0
#define MPOL_PREFERRED		1
#define MPOL_MF_MOVE_ALL	(1 << 2)
#define NODE1		"/sys/devices/system/node/node1"
#define SPLIT		"/sys/kernel/debug/split_huge_pages"
#define HPAGE		(2 * VL_MiB)

/* The node of each of @n pages (move_pages() without nodes), or an errno. */
static int nodes_of(pid_t pid, void **pages, size_t n, int *status)
{
	return syscall(SYS_move_pages, pid, n, pages, NULL, status, 0) ? errno : 0;
}

/*
 * Move @n pages of this process to @node: 0, or an errno.  The kernel
 * takes a large folio away from the LRU at the first of its pages it is
 * given and answers EBUSY for the others: give it one page per folio
 * (@stride pages), and ask for the node of every page afterwards.
 */
static int move_to(void **pages, size_t n, size_t stride, int node, int *status)
{
	int *nodes = calloc(n, sizeof(int));
	long ret;
	size_t i;

	if (!nodes)
		return ENOMEM;
	void **one = calloc(n, sizeof(void *));

	if (!one) {
		free(nodes);
		return ENOMEM;
	}
	for (i = 0; i < n / stride; i++) {
		nodes[i] = node;
		one[i] = pages[i * stride];
	}
	ret = syscall(SYS_move_pages, 0, n / stride, one, nodes, status, MPOL_MF_MOVE_ALL);
	free(nodes);
	free(one);
	return ret < 0 ? errno : 0;
}

/* MemFree of @node, from its meminfo ("Node 0 MemFree:  123 kB"). */
static long node_free_kb(int node)
{
	char path[64], line[128];
	long kb = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/meminfo", node);
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Node %*d MemFree: %ld kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

static long vmstat(const char *key)
{
	return vmlab_read_key("/proc/vmstat", key);
}

/* Map @len bytes of the object shared at 2 MiB alignment, with or without huge pages. */
static char *map_object(int fd, size_t len, bool huge)
{
	char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	if (m == MAP_FAILED)
		return NULL;
	if (madvise(m, len, huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE)) {
		munmap(m, len);
		return NULL;
	}
	return m;
}

static bool is_thp(const void *addr)
{
	return vmlab_kpf(vl_kpageflags(vl_pfn(addr)), VMLAB_KPF_THP);
}

FIXTURE(move)
{
	int fd;
	size_t ps;
	struct vmlab_stats st;
};

FIXTURE_VARIANT(move)
{
	size_t pages;
	bool huge;
};

FIXTURE_VARIANT_ADD(move, small)
{
	.pages = 64,
	.huge = false,
};

FIXTURE_VARIANT_ADD(move, huge)
{
	.pages = 512,
	.huge = true,
};

FIXTURE_SETUP(move)
{
	self->ps = vmlab_page_size();
	VL_SETUP_DEVICE(self->fd, self->st);
	if (access(NODE1, F_OK)) {
		if (vl_allow_skip())
			SKIP(return, "one NUMA node: nowhere to move pages to");
		ASSERT_TRUE(false) TH_LOG("one NUMA node (qemu-run.sh: VMLAB_NUMA_MB)");
	}
}

FIXTURE_TEARDOWN(move)
{
	if (self->fd >= 0) {
		vmlab_reset(self->fd, NULL);
		close(self->fd);
	}
}

/*
 * Move every page of @m (@n pages, mapped by this process and by the
 * child @pid at @cm) to @node, and check the kernel's views.
 */
static void move_and_check(struct __test_metadata *_metadata, int fd, char *m,
			   size_t n, pid_t pid, char *cm, struct vl_sync *s, int node,
			   uint32_t seed)
{
	size_t ps = vmlab_page_size(), i, moved = 0;
	uint64_t *pm0 = calloc(n, 8), *pm1 = calloc(n, 8), *cpm = calloc(n, 8);
	struct vmlab_page_info *pi = calloc(n, sizeof(*pi));
	int *st = calloc(n, sizeof(int)), *st0 = calloc(n, sizeof(int));
	void **pages = calloc(n, sizeof(void *));
	struct vmlab_stats a, b;
	uint64_t head;
	bool thp0;

	ASSERT_TRUE(pm0 && pm1 && cpm && pi && st && st0 && pages);
	for (i = 0; i < n; i++)
		pages[i] = m + i * ps;
	thp0 = is_thp(m);
	ASSERT_EQ(0, vl_pagemap_range(m, n, pm0));
	ASSERT_EQ(0, nodes_of(0, pages, n, st0));
	ASSERT_EQ(0, vmlab_get_stats(fd, &a));
	ASSERT_EQ(0, move_to(pages, n, thp0 ? HPAGE / ps : 1, node, st));
	ASSERT_EQ(0, vmlab_get_stats(fd, &b));
	for (i = 0; i < n / (thp0 ? HPAGE / ps : 1); i++) {
		ASSERT_EQ(node, st[i]) TH_LOG("move %zu: status %d (%s)", i, st[i],
					      st[i] < 0 ? strerror(-st[i]) : "another node");
	}
	/*
	 * The kernel's own answer, asked again; the frames, from pagemap,
	 * after both processes read the pages again.  A small page keeps its
	 * mappings through the move (migration entries, then the new frame);
	 * a 2 MiB one mapped by a PMD is unmapped and refaults.
	 */
	ASSERT_EQ(0, nodes_of(0, pages, n, st));
	ASSERT_TRUE(vl_check(m, n * ps, seed)) TH_LOG("the data changed");
	ASSERT_EQ(0, vl_post(s->to_child[1]));
	ASSERT_EQ(0, vl_wait_byte(s->to_parent[0]));
	ASSERT_EQ(0, vl_pagemap_range(m, n, pm1));
	ASSERT_EQ(0, vmlab_pagemap(pid, (uintptr_t)cm, n, cpm));
	ASSERT_EQ(0, vmlab_inspect(fd, 0, (uintptr_t)m, n, pi, NULL));
	for (i = 0; i < n; i++) {
		ASSERT_EQ(node, st[i]) TH_LOG("page %zu is on node %d", i, st[i]);
		ASSERT_TRUE(pm_present(pm1[i]));
		if (st0[i] != node) {
			moved++;
			ASSERT_NE(pm_pfn(pm0[i]), pm_pfn(pm1[i]))
				TH_LOG("page %zu left node %d on the same frame", i, st0[i]);
		}
		ASSERT_EQ(pm_pfn(pm1[i]), pi[i].pfn) TH_LOG("page %zu: INSPECT", i);
		/*
		 * Written through the mapping: dirty, and still dirty on its
		 * new frame.  A folio's flags are its head page's; 6.1's
		 * kpageflags gives a tail page its own, which never say dirty
		 * (seen), so ask the head (the mapping is 2 MiB aligned).
		 */
		head = pm_pfn(pm1[i]);
		if (vmlab_kpf(vl_kpageflags(head), VMLAB_KPF_COMPOUND_TAIL))
			head = pm_pfn(pm1[i & ~(HPAGE / ps - 1)]);
		ASSERT_TRUE(vmlab_kpf(vl_kpageflags(head), VMLAB_KPF_DIRTY))
			TH_LOG("page %zu is clean on its new frame", i);
		ASSERT_EQ(pm_pfn(pm1[i]), pm_pfn(cpm[i]))
			TH_LOG("page %zu: the other process maps PFN %#llx, not %#llx", i,
			       (unsigned long long)pm_pfn(cpm[i]),
			       (unsigned long long)pm_pfn(pm1[i]));
	}
	TH_LOG("to node %d: %zu of %zu pages moved (the others were there); first PFN %#llx -> %#llx%s",
	       node, moved, n, (unsigned long long)pm_pfn(pm0[0]),
	       (unsigned long long)pm_pfn(pm1[0]), !thp0 ? "" : is_thp(m) ?
	       "; the 2 MiB folio moved whole" : "; the 2 MiB folio was split to move");
	ASSERT_LT(0, moved);
	ASSERT_TRUE(vl_check(m, n * ps, seed)) TH_LOG("the data changed");
	ASSERT_EQ(a.pages_resident, b.pages_resident);
	ASSERT_EQ(a.pages_freed, b.pages_freed) TH_LOG("a move is no free");
	ASSERT_EQ(a.pages_dirty, b.pages_dirty);
	free(pm0);
	free(pm1);
	free(cpm);
	free(pi);
	free(st);
	free(st0);
	free(pages);
}

TEST_F(move, to_the_other_node_and_back)
{
	size_t n = variant->pages, len = n * self->ps;
	uint32_t seed = 0x6d6f7665;
	struct vl_sync s;
	int st0, node;
	void *p0;
	pid_t pid;
	char *m;

	m = map_object(self->fd, len < HPAGE ? HPAGE : len, variant->huge);
	ASSERT_NE(NULL, m);
	ASSERT_EQ(0, (uintptr_t)m % HPAGE);
	vl_fill(m, len, seed);
	if (variant->huge && !is_thp(m)) {
		if (vl_allow_skip())
			SKIP(return, "no 2 MiB folio (transparent huge pages off?)");
		ASSERT_TRUE(false) TH_LOG("no 2 MiB folio for the huge variant");
	}
	/* Another process maps the same pages, and checks them at the end. */
	pid = vl_sync_fork(&s);
	ASSERT_LE(0, pid);
	if (pid == 0) {
		char *cm;

		munmap(m, len < HPAGE ? HPAGE : len);	/* the parent's, not ours */
		cm = mmap(NULL, len, PROT_READ, MAP_SHARED, self->fd, 0);

		if (cm == MAP_FAILED)
			_exit(2);
		/* Read every page, then again after each of the two moves. */
		for (int k = 0; k < 3; k++) {
			vl_touch_read(cm, len);
			if (vl_post(s.to_parent[1]))
				_exit(3);
			if (vl_wait_byte(s.to_child[0]))
				_exit(4);
		}
		_exit(vl_check(cm, len, seed) ? 0 : 5);
	}
	/* Where it mapped them: its maps. */
	ASSERT_EQ(0, vl_wait_byte(s.to_parent[0]));
	{
		struct vmlab_vma *v = NULL;
		char *cm = NULL;
		size_t nv, i;

		ASSERT_EQ(0, vmlab_maps_read(pid, &v, &nv));
		for (i = 0; i < nv; i++)
			if (strstr(v[i].path, "vmlab") && v[i].end - v[i].start == len)
				cm = (char *)(uintptr_t)v[i].start;
		free(v);
		ASSERT_NE(NULL, cm) TH_LOG("the child's mapping is not in its maps");

		p0 = m;
		ASSERT_EQ(0, nodes_of(0, &p0, 1, &st0));
		node = st0 == 0 ? 1 : 0;
		move_and_check(_metadata, self->fd, m, n, pid, cm, &s, node, seed);
		move_and_check(_metadata, self->fd, m, n, pid, cm, &s, !node, seed);
	}
	ASSERT_EQ(0, vl_post(s.to_child[1]));
	ASSERT_EQ(0, vl_wait(pid)) TH_LOG("the other process read other data");
	vl_sync_close(&s);
	munmap(m, len < HPAGE ? HPAGE : len);
}

/* The kernel splits a 2 MiB folio of the object. */
FIXTURE(huge)
{
	int fd;
	size_t ps;
	struct vmlab_stats st;
};

FIXTURE_SETUP(huge)
{
	self->ps = vmlab_page_size();
	VL_SETUP_DEVICE(self->fd, self->st);
}

FIXTURE_TEARDOWN(huge)
{
	if (self->fd >= 0) {
		vmlab_reset(self->fd, NULL);
		close(self->fd);
	}
}

TEST_F(huge, split)
{
	size_t n = HPAGE / self->ps, i, thp = 0;
	struct vmlab_stats a, b;
	char cmd[96];
	char *m;

	if (access(SPLIT, W_OK))
		SKIP(return, "no %s (debugfs, CONFIG_TRANSPARENT_HUGEPAGE)", SPLIT);
	m = map_object(self->fd, HPAGE, true);
	ASSERT_NE(NULL, m);
	vl_fill(m, HPAGE, 0x5b1);
	if (!is_thp(m)) {
		if (vl_allow_skip())
			SKIP(return, "no 2 MiB folio (transparent huge pages off?)");
		ASSERT_TRUE(false) TH_LOG("no 2 MiB folio");
	}
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	snprintf(cmd, sizeof(cmd), "%d,%#lx,%#lx", (int)getpid(), (unsigned long)(uintptr_t)m,
		 (unsigned long)(uintptr_t)(m + HPAGE));
	ASSERT_EQ(0, vmlab_write_str(SPLIT, cmd)) TH_LOG("%s: %s", SPLIT, strerror(errno));
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
	for (i = 0; i < n; i++)
		thp += is_thp(m + i * self->ps);
	TH_LOG("after the split: %zu of %zu pages still in a 2 MiB folio", thp, n);
	ASSERT_EQ(0, thp);
	ASSERT_TRUE(vl_check(m, HPAGE, 0x5b1));
	ASSERT_EQ(a.pages_resident, b.pages_resident);
	ASSERT_EQ(a.pages_freed, b.pages_freed);
	munmap(m, HPAGE);
}

/* Compaction moves object pages scattered among free memory. */
FIXTURE(compact)
{
	int fd;
	size_t ps;
	struct vmlab_stats st;
};

FIXTURE_SETUP(compact)
{
	self->ps = vmlab_page_size();
	VL_SETUP_DEVICE(self->fd, self->st);
}

FIXTURE_TEARDOWN(compact)
{
	if (self->fd >= 0) {
		vmlab_reset(self->fd, NULL);
		close(self->fd);
	}
}

TEST_F_TIMEOUT(compact, moves_object_pages, 300)
{
	size_t n = 4096, len = n * self->ps, i, j, k, moved = 0, on1 = 0;
	uint64_t *pm0 = calloc(n, 8), *pm1 = calloc(n, 8);
	unsigned long node1 = 2;	/* a node mask: node 1 */
	long mig0, mig1, scan0, scan1, free1;
	int *st = calloc(n, sizeof(int));
	void **pages = calloc(n, sizeof(void *));
	char *m, *anon;

	ASSERT_TRUE(pm0 && pm1 && st && pages);
	if (len > self->st.mem_limit / 2)
		SKIP(return, "the object's memory limit is too small for %zu pages", n);
	if (access(NODE1, F_OK)) {
		if (vl_allow_skip())
			SKIP(return, "one NUMA node");
		ASSERT_TRUE(false) TH_LOG("one NUMA node (qemu-run.sh: VMLAB_NUMA_MB)");
	}
	/*
	 * Compaction moves pages from the start of a zone to free room at
	 * its end, until the two scans meet: pages near the end are left
	 * alone.  So spread the object's pages evenly over a whole node:
	 * node 1 (no CPU: nothing else allocates there), one object page
	 * then k anonymous pages, over all its free memory; then free the
	 * anonymous pages.  MPOL_PREFERRED: what node 1 cannot hold goes to
	 * node 0, no OOM.
	 */
	free1 = node_free_kb(1) * 1024 - 48 * (long)VL_MiB;
	k = free1 > 0 ? (size_t)free1 / len : 0;
	if (k < 2)
		SKIP(return, "node 1 has too little free memory (%ld kB)", node_free_kb(1));
	k--;
	ASSERT_EQ(0, syscall(SYS_set_mempolicy, MPOL_PREFERRED, &node1, 8 * sizeof(node1)))
		TH_LOG("set_mempolicy: %s", strerror(errno));
	m = map_object(self->fd, len, false);
	ASSERT_NE(NULL, m);
	anon = mmap(NULL, n * k * self->ps, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	ASSERT_NE(MAP_FAILED, anon);
	ASSERT_EQ(0, madvise(anon, n * k * self->ps, MADV_NOHUGEPAGE));
	for (i = 0; i < n; i++) {
		m[i * self->ps] = (char)i;
		for (j = 0; j < k; j++)
			anon[(i * k + j) * self->ps] = 1;
	}
	munmap(anon, n * k * self->ps);	/* free memory between the object's pages */
	syscall(SYS_set_mempolicy, MPOL_DEFAULT, NULL, 0);
	for (i = 0; i < n; i++)
		pages[i] = m + i * self->ps;
	ASSERT_EQ(0, nodes_of(0, pages, n, st));
	for (i = 0; i < n; i++)
		on1 += st[i] == 1;
	ASSERT_EQ(0, vl_pagemap_range(m, n, pm0));
	mig0 = vmstat("pgmigrate_success");
	scan0 = vmstat("compact_migrate_scanned");
	ASSERT_EQ(0, vmlab_write_str("/proc/sys/vm/compact_memory", "1"));
	mig1 = vmstat("pgmigrate_success");
	scan1 = vmstat("compact_migrate_scanned");
	ASSERT_EQ(0, vl_pagemap_range(m, n, pm1));
	for (i = 0; i < n; i++) {
		ASSERT_TRUE(pm_present(pm1[i]));
		moved += pm_pfn(pm0[i]) != pm_pfn(pm1[i]);
		ASSERT_EQ((char)i, m[i * self->ps]);
	}
	TH_LOG("%zu of the object's %zu pages on node 1, one per %zu pages of its free memory; "
	       "compaction moved %zu; vmstat: compact_migrate_scanned +%ld, pgmigrate_success +%ld",
	       on1, n, k + 1, moved, scan1 - scan0, mig1 - mig0);
	ASSERT_LT(0, moved);
	ASSERT_LE((long)moved, mig1 - mig0);
	munmap(m, len);
	free(pm0);
	free(pm1);
	free(st);
	free(pages);
}

/* What drops a file's clean pages leaves the object's alone. */
FIXTURE(keep)
{
	int fd;
	size_t ps;
	struct vmlab_stats st;
	struct vmlab_cgroup cg;
	bool cg_open;
};

FIXTURE_VARIANT(keep)
{
	const char *how;
};

FIXTURE_VARIANT_ADD(keep, drop_caches) { .how = "drop_caches" };
FIXTURE_VARIANT_ADD(keep, fadvise_dontneed) { .how = "fadvise" };
FIXTURE_VARIANT_ADD(keep, madv_pageout) { .how = "pageout" };
FIXTURE_VARIANT_ADD(keep, memcg_reclaim) { .how = "reclaim" };

FIXTURE_SETUP(keep)
{
	self->ps = vmlab_page_size();
	self->cg_open = false;
	VL_SETUP_DEVICE(self->fd, self->st);
}

FIXTURE_TEARDOWN(keep)
{
	if (self->fd >= 0) {
		vmlab_reset(self->fd, NULL);
		close(self->fd);
	}
	if (self->cg_open)
		vmlab_cgroup_close(&self->cg);
}

/*
 * Pages 0..2n-1 written and cleaned (fsync): by a child in the group
 * @dir for memory.reclaim (its pages are charged there), or here.
 */
static int make_pages(int fd, const char *dir, const char *buf, size_t len)
{
	pid_t pid;

	if (dir) {
		pid = fork();
		if (pid < 0)
			return -1;
		if (pid > 0)
			return vl_wait(pid);
		if (vmlab_cgroup_join(dir))
			_exit(2);
	}
	if (pwrite(fd, buf, len, 0) != (ssize_t)len ||
	    pwrite(fd, buf, len, len) != (ssize_t)len || fsync(fd))
		return dir ? 3 : -1;
	if (dir)
		_exit(0);
	return 0;
}

TEST_F(keep, clean_pages)
{
	size_t n = 64, len = n * self->ps, i;
	uint64_t *pm0 = calloc(n, 8), *pm1 = calloc(n, 8);
	char *buf = malloc(len), *m, path[512], why[160] = "";
	bool reclaim = !strcmp(variant->how, "reclaim");
	long cur0 = 0, cur1 = 0;
	struct vmlab_stats a, b;

	ASSERT_TRUE(pm0 && pm1 && buf);
	if (reclaim) {
		if (vmlab_cgroup_open(&self->cg, why, sizeof(why)))
			SKIP(return, "no memory cgroup: %s", why);
		self->cg_open = true;
		ASSERT_EQ(0, vmlab_cgroup_make(&self->cg, "vmlab-keep", 0));
		snprintf(path, sizeof(path), "%s/memory.reclaim", self->cg.dir);
		if (access(path, W_OK))
			SKIP(return, "no memory.reclaim (Linux 5.19 and later)");
	}
	/* Pages 0..n-1 are mapped below, pages n..2n-1 never. */
	vl_fill(buf, len, 0x6b65);
	ASSERT_EQ(0, make_pages(self->fd, reclaim ? self->cg.dir : NULL, buf, len));
	m = map_object(self->fd, len, false);
	ASSERT_NE(NULL, m);
	vl_touch_read(m, len);
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	ASSERT_EQ(2 * n, a.pages_resident);
	ASSERT_EQ(0, a.pages_dirty);
	ASSERT_EQ(0, vl_pagemap_range(m, n, pm0));
	if (!strcmp(variant->how, "drop_caches")) {
		sync();
		ASSERT_EQ(0, vmlab_write_str("/proc/sys/vm/drop_caches", "3"));
	} else if (!strcmp(variant->how, "fadvise")) {
		ASSERT_EQ(0, posix_fadvise(self->fd, 0, 2 * len, POSIX_FADV_DONTNEED));
	} else if (!strcmp(variant->how, "pageout")) {
		for (i = 0; i < 10; i++)
			ASSERT_EQ(0, madvise(m, len, MADV_PAGEOUT));
	} else {
		cur0 = vmlab_cgroup_long(self->cg.dir, "memory.current");
		/* EAGAIN: it could not reclaim that much, which is the point. */
		ASSERT_TRUE(!vmlab_write_str(path, "64M") || errno == EAGAIN)
			TH_LOG("memory.reclaim: %s", strerror(errno));
		cur1 = vmlab_cgroup_long(self->cg.dir, "memory.current");
		TH_LOG("memory.current %ld -> %ld bytes", cur0, cur1);
		ASSERT_LE((long)(2 * len), cur1) TH_LOG("the group's pages were uncharged");
	}
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
	ASSERT_EQ(0, vl_pagemap_range(m, n, pm1));
	TH_LOG("%s: the object holds %llu pages before, %llu after; freed %llu",
	       variant->how, (unsigned long long)a.pages_resident,
	       (unsigned long long)b.pages_resident,
	       (unsigned long long)(b.pages_freed - a.pages_freed));
	ASSERT_EQ(a.pages_resident, b.pages_resident);
	ASSERT_EQ(a.pages_freed, b.pages_freed);
	for (i = 0; i < n; i++) {
		ASSERT_TRUE(pm_present(pm1[i]) && pm_pfn(pm0[i]) == pm_pfn(pm1[i]))
			TH_LOG("mapped page %zu was unmapped or moved", i);
	}
	memset(buf, 0, len);
	ASSERT_EQ((ssize_t)len, pread(self->fd, buf, len, len));
	ASSERT_TRUE(vl_check(buf, len, 0x6b65)) TH_LOG("an unmapped page lost its data");
	ASSERT_TRUE(vl_check(m, len, 0x6b65)) TH_LOG("a mapped page lost its data");
	munmap(m, len);
	free(buf);
	free(pm0);
	free(pm1);
}

VL_TEST_MAIN
