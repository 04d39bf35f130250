// SPDX-License-Identifier: GPL-2.0
/*
 * vmlab_privacy: what INSPECT tells a caller without CAP_SYS_ADMIN, and
 * what INSPECT from a child pid namespace costs.
 *
 * As nobody (uid 65534, with /dev/vmlab made 0666 as dev_mode=0666 would,
 * and nobody's own open of it), the UAPI header's "Who may see what":
 *  - a page of libc (a file page other processes map): the same answer
 *    whether 1 or 4 other processes map it: map count 2 ("more than one"),
 *    no reference count, frame id, LOCKED, DIRTY, KSM or LARGE bit, no
 *    folio size, and each withheld group named in `hidden`; root sees the
 *    real counts, held against /proc/kpagecount and /proc/kpageflags of
 *    the PFN pagemap gives;
 *  - vmlab's own pages (an object page, the kernel's zero page a private
 *    hole maps): what root sees, but the PFN and raw entries;
 *  - an anonymous page of the inspected process alone: every fact, the
 *    map count held against kpagecount;
 *  - an anonymous page shared after fork: the frame id (the same in every
 *    process that maps it), but not the counts.
 *
 * pid namespaces: 10000 INSPECTs of another process from inside a child
 * pid namespace succeed, cost at most twice what the same calls cost from
 * the initial namespace (medians of interleaved batches), and make no
 * mount: counted with the unique mount ids of statx() (6.8 on), which
 * every mount, the kernel's own included, takes from one counter; or,
 * before 6.8, with a kprobe on proc_fill_super (its hit count).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "vmlab_util.h"

#ifndef STATX_MNT_ID_UNIQUE
#define STATX_MNT_ID_UNIQUE	0x00004000U	/* 6.8: stx_mnt_id never reused */
#endif

#define VP_ALL_HIDDEN	(VMLAB_HIDDEN_PFN | VMLAB_HIDDEN_FRAME_ID |		\
			 VMLAB_HIDDEN_MAPCOUNT | VMLAB_HIDDEN_REFCOUNT |	\
			 VMLAB_HIDDEN_STATE)
#define VP_COUNTS_HIDDEN (VMLAB_HIDDEN_PFN | VMLAB_HIDDEN_MAPCOUNT |		\
			  VMLAB_HIDDEN_REFCOUNT | VMLAB_HIDDEN_STATE)
#define VP_STATE_BITS	(VMLAB_PAGE_LOCKED | VMLAB_PAGE_DIRTY | VMLAB_PAGE_KSM | \
			 VMLAB_PAGE_LARGE)

FIXTURE(privacy)
{
	struct vl_unpriv d;
};

FIXTURE_SETUP(privacy)
{
	VL_SETUP_UNPRIV(self->d);
	/* nobody opens the device itself, as a dev_mode=0666 user would. */
	ASSERT_EQ(0, vl_devmode_open_to_all(&self->d.dm));
}

FIXTURE_TEARDOWN(privacy)
{
	vl_unpriv_teardown(&self->d);
}

static int vp_inspect(int fd, pid_t pid, const void *addr,
		      struct vmlab_page_info *pi)
{
	struct vmlab_inspect req = {
		.pid = pid,
		.addr = (uintptr_t)addr,
		.npages = 1,
		.pages = (uintptr_t)pi,
		.info_size = sizeof(*pi),
	};

	memset(pi, 0xa5, sizeof(*pi));
	return ioctl(fd, VMLAB_IOC_INSPECT, &req);
}

static void vp_log(const char *tag, const struct vmlab_page_info *p)
{
	fprintf(stderr,
		"# %s: walk %#llx level %llu entry %#llx np %llu swap %llu pfn %#llx frame %#llx page %#llx ref %llu map %llu folio %llu hidden %#llx\n",
		tag, (unsigned long long)p->walk, (unsigned long long)p->level,
		(unsigned long long)p->entry, (unsigned long long)p->nonpresent,
		(unsigned long long)p->swap_type, (unsigned long long)p->pfn,
		(unsigned long long)p->frame_id, (unsigned long long)p->page,
		(unsigned long long)p->refcount, (unsigned long long)p->mapcount,
		(unsigned long long)p->folio_pages, (unsigned long long)p->hidden);
}

/*
 * The first field (but pfn, raw, hidden and the walk's PFN_HIDDEN bit)
 * in which two records of the same page differ, or NULL.  The reference
 * count is compared only when refs.
 */
static const char *vp_differs(const struct vmlab_page_info *a,
			      const struct vmlab_page_info *b, bool refs)
{
#define VP_FIELD(f) do { if (a->f != b->f) return #f; } while (0)
	if ((a->walk | VMLAB_WALK_PFN_HIDDEN) != (b->walk | VMLAB_WALK_PFN_HIDDEN))
		return "walk";
	VP_FIELD(addr);
	VP_FIELD(level);
	VP_FIELD(entry);
	VP_FIELD(nonpresent);
	VP_FIELD(frame_id);
	VP_FIELD(page);
	VP_FIELD(mapcount);
	VP_FIELD(folio_pages);
	VP_FIELD(obj_offset);
	VP_FIELD(vma_start);
	VP_FIELD(vma_end);
	VP_FIELD(vma_pgoff);
	VP_FIELD(vm_flags);
	VP_FIELD(vma);
	VP_FIELD(vma_dev);
	VP_FIELD(vma_ino);
	if (refs)
		VP_FIELD(refcount);
	return NULL;
#undef VP_FIELD
}

/* Nothing of the frame's place: no PFN, no raw entry at any level. */
static bool vp_no_pfn(const struct vmlab_page_info *p)
{
	size_t i;

	for (i = 0; i < VMLAB_NR_LEVELS; i++)
		if (p->raw[i])
			return false;
	return !p->pfn && !p->swap_offset &&
	       (p->walk & VMLAB_WALK_PFN_HIDDEN) && (p->hidden & VMLAB_HIDDEN_PFN);
}

/*
 * Root's record of a present page held against the kernel's own view of
 * it: the PFN pagemap gives, the map count /proc/kpagecount gives for that
 * PFN, and kpageflags' dirty and zero-page bits.
 */
static const char *vp_root_check(const struct vmlab_page_info *r, pid_t pid,
				 const void *addr)
{
	uint64_t pm = vl_pagemap_pid(pid, addr), pfn = pm_pfn(pm), kf;

	if (!pm_present(pm) || !(r->entry & VMLAB_ENTRY_PRESENT))
		return "not present";
	if (r->hidden || (r->walk & VMLAB_WALK_PFN_HIDDEN))
		return "something hidden from root";
	if (r->pfn != pfn || !pfn)
		return "PFN differs from pagemap";
	if (!r->frame_id)
		return "no frame id";
	kf = vl_kpageflags(pfn);
	if (kf == ~0ULL)
		return "cannot read kpageflags";
	if (vmlab_kpf(kf, VMLAB_KPF_ZERO_PAGE) != !!(r->page & VMLAB_PAGE_ZERO))
		return "zero page differs from kpageflags";
	if (r->page & VMLAB_PAGE_ZERO)
		return NULL;
	if (!(r->page & VMLAB_PAGE_VALID))
		return "no page facts";
	if ((int64_t)r->mapcount != vl_kpagecount(pfn))
		return "mapcount differs from kpagecount";
	if (r->refcount < r->mapcount)
		return "fewer references than mappings";
	if (vmlab_kpf(kf, VMLAB_KPF_DIRTY) != !!(r->page & VMLAB_PAGE_DIRTY))
		return "dirty differs from kpageflags";
	if (vmlab_kpf(kf, VMLAB_KPF_ANON) != !!(r->page & VMLAB_PAGE_ANON))
		return "anon differs from kpageflags";
	return NULL;
}

#define VP_ROOT_CHECK(r, pid, addr) do {				\
	const char *__why = vp_root_check(&(r), pid, addr);		\
									\
	if (__why)							\
		vp_log("root", &(r));					\
	ASSERT_EQ(NULL, __why) TH_LOG("%s (pagemap %#llx, kpagecount %lld)", \
		__why, (unsigned long long)vl_pagemap_pid(pid, addr),	\
		(long long)vl_kpagecount(pm_pfn(vl_pagemap_pid(pid, addr)))); \
} while (0)

/* Records a nobody child made, in memory shared with the test. */
struct vp_board {
	struct vmlab_page_info rec[4];
	pid_t pid[2];
};

static struct vp_board *vp_board_new(void)
{
	void *b = mmap(NULL, sizeof(struct vp_board), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return b == MAP_FAILED ? NULL : b;
}

/* Open the device as nobody (after vl_become_nobody(true)). */
static int vp_open_nobody(void)
{
	int fd = open(VMLAB_DEVICE, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		fprintf(stderr, "# nobody cannot open %s: %s\n", VMLAB_DEVICE,
			strerror(errno));
	return fd;
}

/* A file of the C library the guest has, else this program's own file. */
static int vp_open_libc(char *name, size_t len)
{
	static const char *const paths[] = {
		"/lib/x86_64-linux-gnu/libc.so.6", "/usr/lib/x86_64-linux-gnu/libc.so.6",
		"/lib64/libc.so.6", "/usr/lib64/libc.so.6", "/proc/self/exe",
	};
	size_t i;
	int fd;

	for (i = 0; i < ARRAY_SIZE(paths); i++) {
		fd = open(paths[i], O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			snprintf(name, len, "%s", paths[i]);
			return fd;
		}
	}
	return -1;
}

/*
 * The nobody process of file_page_of_other_users: map the page (inherited
 * mapping, its own entry), then inspect it each time the test says.
 */
static int vp_file_child(struct vl_sync *s, struct vp_board *b,
			 const volatile char *m)
{
	int fd, i;

	CK(vl_become_nobody(true) == 0, "cannot become nobody: %s", strerror(errno));
	fd = vp_open_nobody();
	CK(fd >= 0, "open");
	(void)m[0];
	CK(vl_post(s->to_parent[1]) == 0, "post");
	for (i = 0; i < 2; i++) {
		CK(vl_wait_byte(s->to_child[0]) == 0, "wait");
		CK(vp_inspect(fd, 0, (const void *)m, &b->rec[i]) == 0,
		   "INSPECT as nobody: %s", strerror(errno));
		CK(vl_post(s->to_parent[1]) == 0, "post");
	}
	CK(vl_wait_byte(s->to_child[0]) == 0, "wait");
	close(fd);
	return 0;
}

/*
 * Another process that maps the page, says so on ready and keeps it
 * until the test closes hold[1].
 */
static pid_t vp_mapper(const volatile char *m, int ready, const int hold[2])
{
	pid_t pid = fork();
	char c;

	if (pid == 0) {
		close(hold[1]);
		(void)m[0];
		if (write(ready, "m", 1) != 1)
			_exit(1);
		while (read(hold[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	return pid;
}

/*
 * A page of libc that 1 and then 4 other processes map: nobody's answer
 * does not change and says what it withholds; root's is the real count.
 */
TEST_F(privacy, file_page_of_other_users)
{
	struct vmlab_page_info r1, r2, *n;
	pid_t pid, mappers[3];
	int lfd, rd[2], hold[2];
	struct vp_board *b;
	const char *why;
	struct vl_sync s;
	char name[64], c;
	size_t i;
	char *m;

	lfd = vp_open_libc(name, sizeof(name));
	ASSERT_LE(0, lfd) TH_LOG("no C library and no /proc/self/exe");
	TH_LOG("the file: %s", name);
	m = mmap(NULL, self->d.ps, PROT_READ, MAP_PRIVATE, lfd, 0);
	ASSERT_NE(MAP_FAILED, m);
	close(lfd);
	(void)*(volatile char *)m;	/* we are the one other process */
	b = vp_board_new();
	ASSERT_NE(NULL, b);
	pid = vl_sync_fork(&s);
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(vp_file_child(&s, b, m));
	ASSERT_EQ(0, vl_wait_byte(s.to_parent[0]));
	/* After the fork: only the mappers may hold hold[1]'s copies. */
	ASSERT_EQ(0, pipe2(rd, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(hold, O_CLOEXEC));

	/* One other process (us) maps it. */
	ASSERT_EQ(0, vp_inspect(self->d.fd, pid, m, &r1));
	VP_ROOT_CHECK(r1, pid, m);
	ASSERT_LE(2, r1.mapcount);
	ASSERT_TRUE(r1.page & VMLAB_PAGE_FILE);
	ASSERT_FALSE(r1.page & (VMLAB_PAGE_ANON | VMLAB_PAGE_VMLAB));
	ASSERT_EQ(0, vl_post(s.to_child[1]));
	ASSERT_EQ(0, vl_wait_byte(s.to_parent[0]));

	/* Four other processes map it. */
	for (i = 0; i < ARRAY_SIZE(mappers); i++) {
		mappers[i] = vp_mapper(m, rd[1], hold);
		ASSERT_LE(0, mappers[i]);
		ASSERT_EQ(1, read(rd[0], &c, 1));
	}
	ASSERT_EQ(0, vp_inspect(self->d.fd, pid, m, &r2));
	VP_ROOT_CHECK(r2, pid, m);
	ASSERT_EQ(r1.mapcount + 3, r2.mapcount)
		TH_LOG("root: map count %llu with 1 other, %llu with 4",
		       (unsigned long long)r1.mapcount,
		       (unsigned long long)r2.mapcount);
	ASSERT_EQ(r1.frame_id, r2.frame_id);
	ASSERT_EQ(0, vl_post(s.to_child[1]));
	ASSERT_EQ(0, vl_wait_byte(s.to_parent[0]));
	vp_log("root, 1 other", &r1);
	vp_log("root, 4 others", &r2);
	vp_log("nobody, 1 other", &b->rec[0]);
	vp_log("nobody, 4 others", &b->rec[1]);

	why = vp_differs(&b->rec[0], &b->rec[1], true);
	ASSERT_EQ(NULL, why) TH_LOG("nobody's answer changed (%s) when 3 more processes mapped the page",
				    why);
	for (i = 0; i < 2; i++) {
		n = &b->rec[i];
		ASSERT_EQ(2, n->mapcount) TH_LOG("record %zu", i);
		ASSERT_EQ(0, n->refcount) TH_LOG("record %zu", i);
		ASSERT_EQ(0, n->frame_id) TH_LOG("record %zu", i);
		ASSERT_EQ(0, n->folio_pages) TH_LOG("record %zu", i);
		ASSERT_EQ(0, n->page & VP_STATE_BITS) TH_LOG("record %zu", i);
		ASSERT_TRUE(vp_no_pfn(n)) TH_LOG("record %zu", i);
		ASSERT_EQ(VP_ALL_HIDDEN, n->hidden) TH_LOG("record %zu", i);
		ASSERT_TRUE(n->entry & VMLAB_ENTRY_PRESENT);
		/* What is left is root's, but the withheld. */
		ASSERT_EQ(r1.page & ~VP_STATE_BITS, n->page);
		ASSERT_EQ(r1.vma_ino, n->vma_ino);
	}
	/* Root's facts did move: the map count nobody no longer sees. */
	ASSERT_NE(r1.mapcount, r2.mapcount);

	close(hold[1]);
	for (i = 0; i < ARRAY_SIZE(mappers); i++)
		ASSERT_EQ(0, vl_wait(mappers[i]));
	ASSERT_EQ(0, vl_post(s.to_child[1]));
	ASSERT_EQ(0, vl_wait(pid));
	vl_sync_close(&s);
	close(hold[0]);
	close(rd[0]);
	close(rd[1]);
	munmap(b, sizeof(*b));
	munmap(m, self->d.ps);
}

/*
 * The nobody process of vmlab_pages_read_alike and anon_*: make the
 * pages (an object page, a private hole read, an anonymous page), then
 * inspect them when told.  rec[0..2] are its records of them.
 */
static int vp_own_child(struct vl_sync *s, struct vp_board *b, char *obj,
			const char *hole, char *anon)
{
	int fd;

	CK(vl_become_nobody(true) == 0, "cannot become nobody: %s", strerror(errno));
	fd = vp_open_nobody();
	CK(fd >= 0, "open");
	obj[0] = 1;			/* the object's page 0 */
	(void)*(const volatile char *)hole;	/* the zero page */
	anon[0] = 1;			/* anonymous, ours alone */
	CK(vl_post(s->to_parent[1]) == 0, "post");
	CK(vl_wait_byte(s->to_child[0]) == 0, "wait");
	CK(vp_inspect(fd, 0, obj, &b->rec[0]) == 0, "INSPECT: %s", strerror(errno));
	CK(vp_inspect(fd, 0, hole, &b->rec[1]) == 0, "INSPECT: %s", strerror(errno));
	CK(vp_inspect(fd, 0, anon, &b->rec[2]) == 0, "INSPECT: %s", strerror(errno));
	CK(vl_post(s->to_parent[1]) == 0, "post");
	CK(vl_wait_byte(s->to_child[0]) == 0, "wait");
	close(fd);
	return 0;
}

/*
 * vmlab's pages (an object page, the zero page at a private hole) and an
 * anonymous page the process alone maps: nobody sees what root sees, but
 * the PFN and raw entries.
 */
TEST_F(privacy, own_pages_read_alike)
{
	struct vmlab_page_info r[3], r2[3], *n;
	size_t ps = self->d.ps, i;
	char *obj, *priv, *anon;
	struct vp_board *b;
	struct vl_sync s;
	const char *why;
	pid_t pid;

	obj = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_SHARED, self->d.fd, 0);
	priv = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_PRIVATE, self->d.fd, 8 * ps);
	anon = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, obj);
	ASSERT_NE(MAP_FAILED, priv);
	ASSERT_NE(MAP_FAILED, anon);
	b = vp_board_new();
	ASSERT_NE(NULL, b);
	pid = vl_sync_fork(&s);
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(vp_own_child(&s, b, obj, priv, anon));
	ASSERT_EQ(0, vl_wait_byte(s.to_parent[0]));
	ASSERT_EQ(0, vp_inspect(self->d.fd, pid, obj, &r[0]));
	ASSERT_EQ(0, vp_inspect(self->d.fd, pid, priv, &r[1]));
	ASSERT_EQ(0, vp_inspect(self->d.fd, pid, anon, &r[2]));
	ASSERT_EQ(0, vl_post(s.to_child[1]));
	ASSERT_EQ(0, vl_wait_byte(s.to_parent[0]));
	ASSERT_EQ(0, vp_inspect(self->d.fd, pid, obj, &r2[0]));
	ASSERT_EQ(0, vp_inspect(self->d.fd, pid, priv, &r2[1]));
	ASSERT_EQ(0, vp_inspect(self->d.fd, pid, anon, &r2[2]));
	VP_ROOT_CHECK(r[0], pid, obj);
	VP_ROOT_CHECK(r[1], pid, priv);
	VP_ROOT_CHECK(r[2], pid, anon);
	ASSERT_TRUE(r[0].page & VMLAB_PAGE_VMLAB);
	ASSERT_EQ(0, r[0].obj_offset);
	ASSERT_TRUE(r[1].page & VMLAB_PAGE_ZERO);
	ASSERT_TRUE(r[1].entry & VMLAB_ENTRY_SPECIAL);
	ASSERT_EQ(VMLAB_PAGE_VALID | VMLAB_PAGE_ANON | VMLAB_PAGE_ANON_EXCLUSIVE,
		  r[2].page & (VMLAB_PAGE_VALID | VMLAB_PAGE_ANON |
			       VMLAB_PAGE_ANON_EXCLUSIVE));
	ASSERT_EQ(1, r[2].mapcount);

	for (i = 0; i < 3; i++) {
		static const char *const what[] = {
			"object page", "zero page", "exclusive anonymous page",
		};

		n = &b->rec[i];
		vp_log(what[i], &r[i]);
		vp_log("  as nobody", n);
		ASSERT_TRUE(vp_no_pfn(n)) TH_LOG("%s", what[i]);
		ASSERT_EQ(VMLAB_HIDDEN_PFN, n->hidden) TH_LOG("%s", what[i]);
		ASSERT_NE(0, n->frame_id) TH_LOG("%s", what[i]);
		why = vp_differs(&r[i], n, false);
		ASSERT_EQ(NULL, why) TH_LOG("%s: %s differs between root and nobody",
					    what[i], why);
		/* Counts shown: root's, before or after nobody's look. */
		ASSERT_TRUE(n->refcount == r[i].refcount || n->refcount == r2[i].refcount)
			TH_LOG("%s: refcount %llu, root saw %llu and %llu", what[i],
			       (unsigned long long)n->refcount,
			       (unsigned long long)r[i].refcount,
			       (unsigned long long)r2[i].refcount);
	}
	ASSERT_LE(1, b->rec[2].refcount);
	ASSERT_EQ(1, b->rec[2].folio_pages);
	ASSERT_EQ(0, vl_post(s.to_child[1]));
	ASSERT_EQ(0, vl_wait(pid));
	vl_sync_close(&s);
	munmap(b, sizeof(*b));
	munmap(obj, ps);
	munmap(priv, ps);
	munmap(anon, ps);
}

/*
 * The nobody process of anon_shared_after_fork: write an anonymous page,
 * fork two children that keep it, inspect it in itself (rec[0]) and in
 * its first child (rec[1]).
 */
static int vp_fork_child(struct vl_sync *s, struct vp_board *b, char *anon)
{
	int fd, hold[2], i;
	char c;

	CK(vl_become_nobody(true) == 0, "cannot become nobody: %s", strerror(errno));
	fd = vp_open_nobody();
	CK(fd >= 0, "open");
	anon[0] = 1;
	CK(pipe(hold) == 0, "pipe");
	for (i = 0; i < 2; i++) {
		pid_t pid = fork();

		CK(pid >= 0, "fork");
		if (pid == 0) {
			close(hold[1]);
			while (read(hold[0], &c, 1) < 0 && errno == EINTR)
				;
			_exit(0);
		}
		b->pid[i] = pid;
	}
	close(hold[0]);
	CK(vp_inspect(fd, 0, anon, &b->rec[0]) == 0, "INSPECT: %s", strerror(errno));
	CK(vp_inspect(fd, b->pid[0], anon, &b->rec[1]) == 0,
	   "INSPECT of our child: %s", strerror(errno));
	CK(vl_post(s->to_parent[1]) == 0, "post");
	CK(vl_wait_byte(s->to_child[0]) == 0, "wait");
	close(hold[1]);
	CK(vl_wait(b->pid[0]) == 0 && vl_wait(b->pid[1]) == 0, "children");
	close(fd);
	return 0;
}

/*
 * An anonymous page shared after fork by three processes: nobody sees
 * the same frame id in parent and child, and no counts.
 */
TEST_F(privacy, anon_shared_after_fork)
{
	struct vmlab_page_info r, rc, *n;
	struct vp_board *b;
	struct vl_sync s;
	size_t i;
	pid_t pid;
	char *anon;

	anon = mmap(NULL, self->d.ps, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, anon);
	b = vp_board_new();
	ASSERT_NE(NULL, b);
	pid = vl_sync_fork(&s);
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(vp_fork_child(&s, b, anon));
	ASSERT_EQ(0, vl_wait_byte(s.to_parent[0]));
	ASSERT_EQ(0, vp_inspect(self->d.fd, pid, anon, &r));
	ASSERT_EQ(0, vp_inspect(self->d.fd, b->pid[0], anon, &rc));
	VP_ROOT_CHECK(r, pid, anon);
	ASSERT_EQ(3, r.mapcount);
	ASSERT_LE(3, r.refcount);
	ASSERT_FALSE(r.page & VMLAB_PAGE_ANON_EXCLUSIVE);
	ASSERT_FALSE(pm_exclusive(vl_pagemap_pid(pid, anon)));
	ASSERT_EQ(r.frame_id, rc.frame_id);
	vp_log("root", &r);
	for (i = 0; i < 2; i++) {
		n = &b->rec[i];
		vp_log(i ? "nobody, of its child" : "nobody, of itself", n);
		ASSERT_EQ(r.frame_id, n->frame_id);
		ASSERT_EQ(2, n->mapcount);
		ASSERT_EQ(0, n->refcount);
		ASSERT_EQ(0, n->folio_pages);
		ASSERT_TRUE(vp_no_pfn(n));
		ASSERT_EQ(VP_COUNTS_HIDDEN, n->hidden);
		ASSERT_EQ(r.page & ~VP_STATE_BITS, n->page);
		ASSERT_TRUE(n->page & VMLAB_PAGE_ANON);
	}
	ASSERT_EQ(0, vl_post(s.to_child[1]));
	ASSERT_EQ(0, vl_wait(pid));
	vl_sync_close(&s);
	munmap(b, sizeof(*b));
	munmap(anon, self->d.ps);
}

/*
 * As nobody: no PFNs or raw entries, the same frame ids as root sees, and
 * root's process refused.
 */
static int vp_unprivileged_child(int fd, char *shared, uint64_t frame)
{
	struct vmlab_page_info p;

	if (vl_become_nobody(true))
		return 10;
	/* fork does not copy the entries of shared file mappings: fault. */
	if (shared[0] != 1)
		return 17;
	if (vp_inspect(fd, 0, shared, &p))
		return 18;
	if (!(p.walk & VMLAB_WALK_VMA) || !vp_no_pfn(&p))
		return 11;
	if (!(p.entry & VMLAB_ENTRY_PRESENT) || p.frame_id != frame)
		return 13;
	if (!(p.page & VMLAB_PAGE_VMLAB))
		return 14;
	if (vp_inspect(fd, getppid(), shared, &p) == 0)
		return 15;
	if (errno != EACCES && errno != EPERM)
		return 16;
	return 0;
}

TEST_F(privacy, unprivileged)
{
	struct vmlab_page_info p;
	size_t ps = self->d.ps;
	pid_t pid;
	char *m;

	m = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_SHARED, self->d.fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	m[0] = 1;
	ASSERT_EQ(0, vp_inspect(self->d.fd, 0, m, &p));
	VP_ROOT_CHECK(p, getpid(), m);
	fflush(stderr);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(vp_unprivileged_child(self->d.fd, m, p.frame_id));
	ASSERT_EQ(0, vl_wait(pid));
	munmap(m, ps);
}

/* pid namespaces */

#define VP_NS_CALLS	10000	/* INSPECTs from the child namespace */
#define VP_BATCHES	10

/* A page every process of the test maps: what the batches inspect. */
static char vp_target[4096] __attribute__((aligned(4096)));

struct vp_batch {
	long calls;	/* that succeeded */
	int err;	/* of the first that failed, else 0 */
};

/* n INSPECTs of pid's vp_target, up to the first that fails. */
static struct vp_batch vp_run_batch(int fd, pid_t pid, long n)
{
	struct vp_batch r = { 0 };
	struct vmlab_page_info pi;

	for (r.calls = 0; r.calls < n; r.calls++) {
		if (vp_inspect(fd, pid, vp_target, &pi)) {
			r.err = errno;
			break;
		}
		if (!(pi.walk & VMLAB_WALK_VMA) || !(pi.entry & VMLAB_ENTRY_PRESENT)) {
			r.err = EIO;
			break;
		}
	}
	return r;
}

/*
 * pid 1 of the new namespace: fork a process to inspect (pid 2 here),
 * then run a batch per command byte, writing back its vp_batch.  Its
 * exit kills the namespace's other process.
 */
static int vp_ns_init(int fd, int cmd, int res)
{
	struct vp_batch r;
	pid_t t;
	char c;

	if (getpid() != 1)
		return 20;
	t = fork();
	if (t < 0)
		return 21;
	if (t == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (;;)
			pause();
	}
	while (read(cmd, &c, 1) == 1 && c != 'q') {
		r = vp_run_batch(fd, t, c == 'w' ? 100 : VP_NS_CALLS / VP_BATCHES);
		if (write(res, &r, sizeof(r)) != sizeof(r))
			return 22;
	}
	kill(t, SIGKILL);
	return 0;
}

/* The process that makes the namespace: its first child is pid 1 there. */
static int vp_ns_maker(int fd, int cmd, int res)
{
	pid_t pid;

	if (unshare(CLONE_NEWPID))
		return 30;
	pid = fork();
	if (pid < 0)
		return 31;
	if (pid == 0)
		_exit(vp_ns_init(fd, cmd, res));
	return vl_wait(pid);
}

/*
 * A number that grows by one with every mount anyone makes: the unique
 * mount id (statx, 6.8 on) of a fresh tmpfs mount; -1 without them.
 */
static long long vp_mount_seq(void)
{
	char dir[] = "/tmp/vmlab-privacy-XXXXXX";
	struct statx stx = { 0 };
	long long id = -1;

	if (!mkdtemp(dir))
		return -2;
	if (mount("none", dir, "tmpfs", 0, "size=16k")) {
		rmdir(dir);
		return -2;
	}
	if (!statx(AT_FDCWD, dir, 0, STATX_MNT_ID_UNIQUE, &stx) &&
	    (stx.stx_mask & STATX_MNT_ID_UNIQUE))
		id = (long long)stx.stx_mnt_id;
	umount(dir);
	rmdir(dir);
	return id;
}

/*
 * Before 6.8: count procfs mounts with a kprobe on proc_fill_super, which
 * every procfs mount calls.  Arming it patches proc_fill_super's first
 * instruction (and the ftrace call site there); nothing runs that code
 * while it is patched, which is what keeps QEMU's multi-threaded TCG from
 * the "Oops: int3" of docs/testing.md (code patched while another vCPU runs it).
 */
#define VP_KPROBE	"vmlab_privacy/procmount"

/*
 * 10000 INSPECTs of another process from inside a child pid namespace
 * (and as many from the initial one) succeed and mount nothing.  What a
 * call costs in each is vmlab_bench's case inspect-pidns (BENCHMARKS.md).
 */
TEST_F_TIMEOUT(privacy, pid_namespace_no_mount_per_call, 600)
{
	long long seq0, seq1;
	long ns_calls = 0, init_calls = 0, hits0 = -1, hits1 = -1;
	int cmd[2], res[2], k;
	bool kprobe = false;
	struct vp_batch r;
	pid_t target, maker;

	memset(vp_target, 1, sizeof(vp_target));
	target = fork();
	ASSERT_LE(0, target);
	if (target == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);	/* should an ASSERT end us */
		for (;;)
			pause();
	}
	ASSERT_EQ(0, pipe2(cmd, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(res, O_CLOEXEC));
	fflush(stderr);
	maker = fork();
	ASSERT_LE(0, maker);
	if (maker == 0) {
		close(cmd[1]);
		close(res[0]);
		_exit(vp_ns_maker(self->d.fd, cmd[0], res[1]));
	}
	close(cmd[0]);
	close(res[1]);

	/* Warm up both ways; the namespace's first batch shows it works. */
	r = vp_run_batch(self->d.fd, target, 100);
	ASSERT_EQ(0, r.err) TH_LOG("INSPECT from the initial namespace: %s",
				   strerror(r.err));
	ASSERT_EQ(1, write(cmd[1], "w", 1));
	ASSERT_EQ(sizeof(r), read(res[0], &r, sizeof(r)))
		TH_LOG("the namespace's init died (exit %d)", vl_wait(maker));
	ASSERT_EQ(0, r.err) TH_LOG("INSPECT from the child namespace: %s",
				   strerror(r.err));

	seq0 = vp_mount_seq();
	ASSERT_NE(-2, seq0) TH_LOG("cannot mount a tmpfs: %s", strerror(errno));
	if (seq0 < 0) {
		ASSERT_EQ(0, vmlab_kprobe_on(VP_KPROBE, "proc_fill_super"))
			TH_LOG("no unique mount ids (before 6.8) and no kprobe on proc_fill_super: %s",
			       strerror(errno));
		kprobe = true;
		hits0 = vmlab_kprobe_hits(VP_KPROBE);
	}
	for (k = 0; k < VP_BATCHES; k++) {
		r = vp_run_batch(self->d.fd, target, VP_NS_CALLS / VP_BATCHES);
		ASSERT_EQ(0, r.err) TH_LOG("INSPECT from the initial namespace: %s",
					   strerror(r.err));
		init_calls += r.calls;
		ASSERT_EQ(1, write(cmd[1], "b", 1));
		ASSERT_EQ(sizeof(r), read(res[0], &r, sizeof(r)));
		ASSERT_EQ(0, r.err) TH_LOG("INSPECT from the child namespace: %s",
					   strerror(r.err));
		ns_calls += r.calls;
	}
	if (kprobe) {
		hits1 = vmlab_kprobe_hits(VP_KPROBE);
		vmlab_kprobe_off(VP_KPROBE);
		seq1 = -1;
	} else {
		seq1 = vp_mount_seq();
	}
	ASSERT_EQ(1, write(cmd[1], "q", 1));
	ASSERT_EQ(0, vl_wait(maker));
	kill(target, SIGKILL);
	vl_wait(target);

	if (kprobe)
		TH_LOG("%ld + %ld calls; procfs mounts meanwhile (kprobe hits on proc_fill_super): %ld",
		       init_calls, ns_calls, hits1 - hits0);
	else
		TH_LOG("%ld + %ld calls; mounts meanwhile (unique mount ids %lld .. %lld): %lld",
		       init_calls, ns_calls, seq0, seq1, seq1 - seq0 - 1);
	if (kprobe) {
		ASSERT_LE(0, hits0);
		ASSERT_EQ(hits0, hits1) TH_LOG("procfs was mounted during the calls");
	} else {
		ASSERT_LT(seq0, seq1);
		ASSERT_EQ(seq0 + 1, seq1) TH_LOG("something was mounted during the calls");
	}
	ASSERT_EQ(VP_NS_CALLS, init_calls);
	ASSERT_EQ(VP_NS_CALLS, ns_calls);
}

VL_TEST_MAIN
