// SPDX-License-Identifier: GPL-2.0
/*
 * vmlab_hostile: what an unprivileged or greedy user can and cannot do.
 *
 *  - with the default dev_mode (0600) nobody (uid 65534) cannot open the
 *    device at all;
 *  - with the device made 0666 (as dev_mode=0666 would) nobody can use it,
 *    but INSPECT shows no PFN, swap offset or raw entry (the frame id
 *    only, the same as root's for the same frame, and of the object's
 *    pages every count, with `hidden` naming the PFN only), and nobody
 *    cannot inspect root's processes;
 *  - nothing nobody does makes the kernel log a line (/dev/kmsg);
 *  - fresh pages never show what freed pages held;
 *  - ioctl answers hold no byte the kernel did not mean to write: buffers
 *    prefilled with two patterns come back identical, reserved fields 0.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "vmlab_util.h"


struct as_nobody {
	int (*fn)(void *);
	void *arg;
	bool dumpable;
};

static int as_nobody(void *arg)
{
	struct as_nobody *a = arg;

	if (vl_become_nobody(a->dumpable)) {
		fprintf(stderr, "# cannot become uid %d: %s\n", VL_NOBODY,
			strerror(errno));
		return 100;
	}
	return a->fn(a->arg);
}

/* Fork, become nobody, run fn(arg); returns as vl_wait(). */
static int run_as_nobody(int (*fn)(void *), void *arg, bool dumpable)
{
	struct as_nobody a = { .fn = fn, .arg = arg, .dumpable = dumpable };

	return vl_run_child(as_nobody, &a);
}

/* Expect call to fail with errno e (or e2). */
#define CK_ERR(call, e, e2) do {					\
	long __r;							\
	errno = 0;							\
	__r = (long)(call);						\
	CK(__r == -1 && (errno == (e) || errno == (e2)),		\
	   "returned %ld, errno %d (%s), wanted %s", __r, errno,	\
	   strerror(errno), strerror(e));				\
} while (0)

static int inspect(int fd, pid_t pid, const void *addr, size_t npages,
		   struct vmlab_page_info *pi, struct vmlab_inspect *req)
{
	*req = (struct vmlab_inspect){
		.pid = pid, .addr = (uintptr_t)addr, .npages = npages,
		.pages = (uintptr_t)pi, .info_size = sizeof(*pi),
	};
	return ioctl(fd, VMLAB_IOC_INSPECT, req);
}

/* The module's dev_mode parameter, -1 if unknown. */
static int dev_mode_param(void)
{
	return (int)vmlab_read_long("/sys/module/vmlab/parameters/dev_mode");
}

FIXTURE(hostile)
{
	struct vl_unpriv d;
};

FIXTURE_SETUP(hostile)
{
	VL_SETUP_UNPRIV(self->d);
}

FIXTURE_TEARDOWN(hostile)
{
	vl_unpriv_teardown(&self->d);
}

/* Make /dev/vmlab usable by anyone, as dev_mode=0666 would; the teardown
 * restores the mode. */
#define OPEN_TO_ALL()	ASSERT_EQ(0, vl_devmode_open_to_all(&self->d.dm))

static int try_open_refused(void *arg)
{
	static const int modes[] = { O_RDWR, O_RDONLY, O_WRONLY };
	struct vmlab_stats st;
	size_t i;
	int fd;

	(void)arg;
	for (i = 0; i < ARRAY_SIZE(modes); i++)
		CK_ERR(open(VMLAB_DEVICE, modes[i] | O_CLOEXEC), EACCES, EACCES);
	/* O_PATH needs no permission on the file, and gives nothing. */
	fd = open(VMLAB_DEVICE, O_PATH | O_CLOEXEC);
	CK(fd >= 0, "O_PATH open: %s", strerror(errno));
	CK_ERR(ioctl(fd, VMLAB_IOC_STATS, &st), EBADF, EBADF);
	CK_ERR(read(fd, &st, 8), EBADF, EBADF);
	CK(mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0) == MAP_FAILED &&
	   errno == EBADF, "mmap of an O_PATH fd: %s", strerror(errno));
	close(fd);
	return 0;
}

/* With the default dev_mode 0600, nobody cannot open the device. */
TEST_F(hostile, default_mode_refused)
{
	struct vmlab_stats b;
	int param = dev_mode_param();

	if (param >= 0 && param != 0600)
		SKIP(return, "the module was loaded with dev_mode=%#o, not the default", param);
	ASSERT_EQ(0600, self->d.dm.mode & 0777)
		TH_LOG("/dev/vmlab has mode %#o, dev_mode says %#o", self->d.dm.mode, param);
	ASSERT_EQ(0, run_as_nobody(try_open_refused, NULL, false));
	ASSERT_EQ(0, vmlab_get_stats(self->d.fd, &b));
	ASSERT_EQ(0, VL_D(self->d.st, b, vma_opens));
	ASSERT_EQ(0, VL_D(self->d.st, b, pages_allocated));
}

struct share {
	size_t npages;
	pid_t root_pid;
	uint64_t frame_id[8];	/* root's frame ids of object pages 0..7 */
	uint64_t seed;
};

/*
 * nobody maps the object, finds root's data, and inspects its mapping:
 * the same frame ids as root saw, but no PFN, swap offset or raw entry.
 */
static int nobody_uses_device(void *arg)
{
	struct share *sh = arg;
	size_t ps = vmlab_page_size(), i, j;
	struct vmlab_page_info pi[8];
	struct vmlab_inspect req;
	struct vmlab_stats st;
	uint64_t e;
	char *m;
	int fd;

	fd = open(VMLAB_DEVICE, O_RDWR | O_CLOEXEC);
	CK(fd >= 0, "open as nobody with mode 0666: %s", strerror(errno));
	CK(ioctl(fd, VMLAB_IOC_STATS, &st) == 0, "STATS: %s", strerror(errno));
	m = mmap(NULL, sh->npages * ps, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	CK(m != MAP_FAILED, "mmap: %s", strerror(errno));
	for (i = 0; i < sh->npages; i++)
		CK(vl_check(m + i * ps, ps, sh->seed + i), "page %zu: not root's data", i);
	memset(pi, 0xa5, sizeof(pi));
	CK(inspect(fd, 0, m, sh->npages, pi, &req) == 0, "INSPECT: %s", strerror(errno));
	CK(!(req.result & VMLAB_INSPECT_PFN_SHOWN), "result %#llx",
	   (unsigned long long)req.result);
	for (i = 0; i < sh->npages; i++) {
		CK(pi[i].walk & VMLAB_WALK_PFN_HIDDEN, "page %zu walk %#llx", i,
		   (unsigned long long)pi[i].walk);
		CK(pi[i].entry & VMLAB_ENTRY_PRESENT, "page %zu not present", i);
		CK(pi[i].pfn == 0, "page %zu: pfn %#llx shown to nobody", i,
		   (unsigned long long)pi[i].pfn);
		CK(pi[i].swap_offset == 0, "page %zu: swap_offset shown", i);
		for (j = 0; j < VMLAB_NR_LEVELS; j++)
			CK(pi[i].raw[j] == 0, "page %zu: raw[%zu] = %#llx shown to nobody",
			   i, j, (unsigned long long)pi[i].raw[j]);
		CK(pi[i].frame_id == sh->frame_id[i],
		   "page %zu: frame id %#llx, root saw %#llx", i,
		   (unsigned long long)pi[i].frame_id,
		   (unsigned long long)sh->frame_id[i]);
		CK(pi[i].page & VMLAB_PAGE_VMLAB && pi[i].obj_offset == i,
		   "page %zu: page %#llx offset %llu", i,
		   (unsigned long long)pi[i].page, (unsigned long long)pi[i].obj_offset);
		/* vmlab's own page: only where it is is withheld. */
		CK(pi[i].hidden == VMLAB_HIDDEN_PFN && pi[i].mapcount == 2 &&
		   pi[i].refcount >= 2 && pi[i].folio_pages == 1,
		   "page %zu: hidden %#llx mapcount %llu refcount %llu folio_pages %llu",
		   i, (unsigned long long)pi[i].hidden,
		   (unsigned long long)pi[i].mapcount,
		   (unsigned long long)pi[i].refcount,
		   (unsigned long long)pi[i].folio_pages);
	}
	/* The kernel's own view agrees: pagemap hides the PFN too. */
	e = vl_pagemap(m);
	CK(pm_present(e) && pm_pfn(e) == 0, "pagemap entry %#llx", (unsigned long long)e);

	/* root's processes are out of reach: the test process and init. */
	CK_ERR(inspect(fd, sh->root_pid, m, 1, pi, &req), EACCES, EPERM);
	CK_ERR(inspect(fd, 1, (void *)0x400000, 1, pi, &req), EACCES, EPERM);
	munmap(m, sh->npages * ps);
	close(fd);
	return 0;
}

/*
 * A second nobody process, dumpable, that maps one page and waits: nobody
 * may inspect it (same uid), which shows the refusal above is about root.
 */
static int nobody_inspects_peer(void *arg)
{
	struct share *sh = arg;
	struct vmlab_page_info pi;
	struct vmlab_inspect req;
	int fd, p[2], q[2];
	char c = 0, *m;
	pid_t peer;

	fd = open(VMLAB_DEVICE, O_RDWR | O_CLOEXEC);
	CK(fd >= 0, "open: %s", strerror(errno));
	CK(pipe(p) == 0 && pipe(q) == 0, "pipe");
	peer = fork();
	CK(peer >= 0, "fork");
	if (peer == 0) {
		m = mmap((void *)0x200000000UL, vmlab_page_size(), PROT_READ,
			 MAP_SHARED | MAP_FIXED_NOREPLACE, fd, 0);
		if (m == MAP_FAILED)
			_exit(1);
		c = *(volatile char *)m;
		if (write(p[1], &c, 1) != 1)
			_exit(1);
		(void)read(q[0], &c, 1);
		_exit(0);
	}
	CK(read(p[0], &c, 1) == 1, "the peer did not map");
	memset(&pi, 0xa5, sizeof(pi));
	CK(inspect(fd, peer, (void *)0x200000000UL, 1, &pi, &req) == 0,
	   "INSPECT of a dumpable nobody peer: %s", strerror(errno));
	CK(pi.walk & VMLAB_WALK_VMA && pi.vma & VMLAB_VMA_VMLAB && pi.pfn == 0 &&
	   pi.frame_id == sh->frame_id[0], "walk %#llx vma %#llx pfn %#llx",
	   (unsigned long long)pi.walk, (unsigned long long)pi.vma,
	   (unsigned long long)pi.pfn);
	CK(write(q[1], &c, 1) == 1, "pipe");
	CK(vl_wait(peer) == 0, "peer failed");
	close(fd);
	return 0;
}

/* With the device open to all, nobody uses it but sees no PFN. */
TEST_F(hostile, unprivileged_use_hides_pfns)
{
	size_t ps = self->d.ps, i;
	struct vmlab_page_info pi[8];
	struct vmlab_inspect req;
	struct share *sh;
	char *m;

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, sh);
	sh->npages = 8;
	sh->root_pid = getpid();
	sh->seed = 0x51;
	m = mmap(NULL, sh->npages * ps, PROT_READ | PROT_WRITE, MAP_SHARED, self->d.fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	for (i = 0; i < sh->npages; i++)
		vl_fill(m + i * ps, ps, sh->seed + i);
	ASSERT_EQ(0, inspect(self->d.fd, 0, m, sh->npages, pi, &req));
	ASSERT_TRUE(req.result & VMLAB_INSPECT_PFN_SHOWN);
	for (i = 0; i < sh->npages; i++) {
		ASSERT_NE(0, pi[i].pfn);
		ASSERT_EQ(vl_pfn(m + i * ps), pi[i].pfn);
		ASSERT_NE(0, pi[i].raw[VMLAB_LEVEL_PTE - 1]);
		ASSERT_FALSE(pi[i].walk & VMLAB_WALK_PFN_HIDDEN);
		sh->frame_id[i] = pi[i].frame_id;
	}
	OPEN_TO_ALL();
	ASSERT_EQ(0, run_as_nobody(nobody_uses_device, sh, true));
	ASSERT_EQ(0, run_as_nobody(nobody_inspects_peer, sh, true));
	/* Still root's data, untouched. */
	for (i = 0; i < sh->npages; i++)
		ASSERT_TRUE(vl_check(m + i * ps, ps, sh->seed + i));
	munmap(m, sh->npages * ps);
	munmap(sh, sizeof(*sh));
}

/* Everything an unprivileged caller can try; each refused as documented. */
static int nobody_misbehaves(void *arg)
{
	size_t ps = vmlab_page_size(), i;
	struct vmlab_stats *st = arg, tmp;
	struct vmlab_page_info pi[2];
	struct vmlab_inspect req;
	struct vmlab_reset rs;
	char buf[64], *m, *none;
	off_t end;
	int fd, rfd, r;
	pid_t pid;

	fd = open(VMLAB_DEVICE, O_RDWR | O_CLOEXEC);
	CK(fd >= 0, "open: %s", strerror(errno));
	rfd = open(VMLAB_DEVICE, O_RDONLY | O_CLOEXEC);
	CK(rfd >= 0, "open: %s", strerror(errno));
	none = mmap(NULL, ps, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CK(none != MAP_FAILED, "mmap");

	/* Unknown and mangled commands. */
	for (i = 0; i < 256; i++)
		CK_ERR(ioctl(fd, _IOC(i & 3, VMLAB_IOC_MAGIC, i, i * 8), buf),
		       ENOTTY, ENOTTY);
	/* Bad pointers of every kind. */
	CK_ERR(ioctl(fd, VMLAB_IOC_STATS, NULL), EFAULT, EFAULT);
	CK_ERR(ioctl(fd, VMLAB_IOC_STATS, none), EFAULT, EFAULT);
	CK_ERR(ioctl(fd, VMLAB_IOC_STATS, (void *)0xffffffff81000000UL), EFAULT, EFAULT);
	CK_ERR(ioctl(fd, VMLAB_IOC_RESET, (void *)0xffff888000000000UL), EFAULT, EFAULT);
	rs = (struct vmlab_reset){ .flags = 1 };
	CK_ERR(ioctl(fd, VMLAB_IOC_RESET, &rs), EINVAL, EINVAL);
	CK_ERR(ioctl(rfd, VMLAB_IOC_RESET, &rs), EBADF, EBADF);
	CK_ERR(ioctl(fd, VMLAB_IOC_INSPECT, none), EFAULT, EFAULT);
	/* INSPECT requests that are wrong in every field. */
	for (i = 0; i < 9; i++) {
		req = (struct vmlab_inspect){ .addr = 0x400000, .npages = 1,
			.pages = (uintptr_t)pi, .info_size = sizeof(pi[0]) };
		switch (i) {
		case 0: req.npages = 0; break;
		case 1: req.npages = VMLAB_INSPECT_MAX_PAGES + 1; break;
		case 2: req.npages = ~0ULL; break;
		case 3: req.addr = 0xffffffff81000000ULL; break;
		case 4: req.addr = 0x00007ffffffff000ULL; req.npages = 2; break;
		case 5: req.addr = 0x401; break;
		case 6: req.info_size = 8; break;
		case 7: req.reserved[3] = 1; break;
		case 8: req.pid = 1ULL << 40; break;
		}
		CK_ERR(ioctl(fd, VMLAB_IOC_INSPECT, &req), EINVAL, EINVAL);
	}
	CK_ERR(inspect(fd, 0, (void *)0x400000, 1, (void *)0xffffffff81000000UL, &req),
	       EFAULT, EFAULT);
	CK_ERR(inspect(fd, 0, (void *)0x400000, 2, (struct vmlab_page_info *)none, &req),
	       EFAULT, EFAULT);
	CK_ERR(inspect(fd, 2, (void *)0x400000, 1, pi, &req), ESRCH, ESRCH); /* kthreadd */
	CK_ERR(inspect(fd, 0x3fffffff, (void *)0x400000, 1, pi, &req), ESRCH, ESRCH);
	CK_ERR(inspect(fd, 1, (void *)0x400000, 1, pi, &req), EACCES, EPERM);

	/* The edges of the object. */
	end = lseek(fd, 0, SEEK_END);
	CK(end == (off_t)st->size, "SEEK_END %lld", (long long)end);
	CK_ERR(pwrite(fd, buf, 1, end), ENOSPC, ENOSPC);
	CK(pread(fd, buf, 1, end) == 0, "read at the end");
	CK_ERR(pread(fd, buf, 1, -1), EINVAL, EINVAL);
	CK_ERR(pread(fd, (void *)0xffffffff81000000UL, 16, 0), EFAULT, EFAULT);
	CK_ERR(pwrite(fd, none, 16, 0), EFAULT, EFAULT);
	CK_ERR(lseek(fd, end + 1, SEEK_SET), EINVAL, EINVAL);
	m = mmap(NULL, 2 * ps, PROT_READ | PROT_WRITE, MAP_SHARED, fd, end - ps);
	CK(m != MAP_FAILED, "mmap at the end: %s", strerror(errno));
	CK(vl_probe(m + ps, false) == SIGBUS, "read past the end");
	CK(vl_probe(m + ps, true) == SIGBUS, "write past the end");
	CK_ERR(madvise(m, 2 * ps, MADV_POPULATE_WRITE), EFAULT, EFAULT);
	CK(fsync(fd) == 0 && msync(m, 2 * ps, MS_SYNC) == 0, "fsync");
	munmap(m, 2 * ps);
	/* Over the memory limit: a shared mapping of all of the object. */
	if (st->mem_limit < st->size) {
		m = mmap(NULL, st->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		CK(m != MAP_FAILED, "mmap: %s", strerror(errno));
		CK_ERR(madvise(m, st->size, MADV_POPULATE_WRITE), EFAULT, EFAULT);
		CK(ioctl(fd, VMLAB_IOC_STATS, &tmp) == 0 &&
		   tmp.pages_resident * ps == tmp.mem_limit, "resident %llu",
		   (unsigned long long)tmp.pages_resident);
		/* The last page is held (POPULATE at the end, above): the
		 * one before it is a hole. */
		r = vl_probe(m + st->size - 2 * ps, true);
		CK(r == SIGBUS, "write over the limit: %d", r);
		CK_ERR(pwrite(fd, buf, 1, st->size - ps - 1), ENOSPC, ENOSPC);
		munmap(m, st->size);
	}
	/* A fork that dies of SIGBUS, a child killed while faulting. */
	pid = fork();
	if (pid == 0) {
		m = mmap(NULL, ps, PROT_READ, MAP_SHARED, fd, end);
		(void)*(volatile char *)m;
		_exit(0);
	}
	CK(vl_wait(pid) == 128 + SIGBUS, "child past the end");
	close(rfd);
	close(fd);
	return 0;
}

/* Open /dev/kmsg positioned after the last record. */
static int kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0 && lseek(fd, 0, SEEK_END) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Records logged since kmsg_open(); each printed. */
static int kmsg_new(int fd)
{
	char rec[2048];
	ssize_t n;
	int count = 0;

	for (;;) {
		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)	/* overwritten records */
			continue;
		if (n <= 0)
			break;
		rec[n] = 0;
		/* CONFIG_DEBUG_STACK_USAGE notes a new deepest stack at any
		 * process's exit: nothing the caller made the module say. */
		if (strstr(rec, "used greatest stack depth"))
			continue;
		fprintf(stderr, "# new kernel log record: %s", rec);
		count++;
	}
	return count;
}

/* nobody's every misuse is refused and makes the kernel log nothing. */
TEST_F_TIMEOUT(hostile, unprivileged_misuse_is_silent, 180)
{
	struct vmlab_stats b;
	int kfd;

	OPEN_TO_ALL();
	kfd = kmsg_open();
	ASSERT_LE(0, kfd) TH_LOG("/dev/kmsg: %s", strerror(errno));
	ASSERT_EQ(0, run_as_nobody(nobody_misbehaves, &self->d.st, false));
	ASSERT_EQ(0, kmsg_new(kfd)) TH_LOG("the kernel logged while nobody misbehaved");
	close(kfd);
	ASSERT_EQ(0, vmlab_get_stats(self->d.fd, &b));
	vl_stats_log("misuse", &self->d.st, &b);
	ASSERT_EQ(b.pages_allocated - b.pages_freed, b.pages_resident);
	ASSERT_EQ(0, b.vmas_live);
	ASSERT_LE(3, VL_D(self->d.st, b, sigbus));
}

static int nobody_fresh_pages(void *arg)
{
	size_t ps = vmlab_page_size(), n = *(size_t *)arg, i;
	char *m, *p;
	int fd;

	fd = open(VMLAB_DEVICE, O_RDWR | O_CLOEXEC);
	CK(fd >= 0, "open: %s", strerror(errno));
	m = mmap(NULL, n * ps, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	p = mmap(NULL, n * ps, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, n * ps);
	CK(m != MAP_FAILED && p != MAP_FAILED, "mmap: %s", strerror(errno));
	for (i = 0; i < n; i++) {
		m[i * ps + 7] = 1;	/* a new object page */
		p[i * ps + 9] = 1;	/* a copy of the zero frame */
		m[i * ps + 7] = 0;
		p[i * ps + 9] = 0;
		CK(vl_is_zero(m + i * ps, ps), "new page %zu is not zero", i);
		CK(vl_is_zero(p + i * ps, ps), "private copy %zu is not zero", i);
	}
	return 0;
}

/*
 * Pages freed full of a pattern never show through new ones: after a
 * RESET every page the object allocates, shared or copied, reads zero,
 * for root and for nobody.
 */
TEST_F_TIMEOUT(hostile, fresh_pages_are_zero, 120)
{
	size_t ps = self->d.ps, n = 2048, i, bad = 0;
	struct vmlab_stats b;
	uint64_t freed;
	char *m, *buf;
	int round;

	VL_NEED_PAGES(self->d.st, 2 * n);
	buf = malloc(ps);
	ASSERT_NE(NULL, buf);
	m = mmap(NULL, 2 * n * ps, PROT_READ | PROT_WRITE, MAP_SHARED, self->d.fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	for (round = 0; round < 3; round++) {
		for (i = 0; i < 2 * n; i++)
			memset(m + i * ps, 0xa5 ^ round, ps);
		ASSERT_EQ(0, vmlab_reset(self->d.fd, &freed));
		ASSERT_EQ(2 * n, freed);
		if (round == 2) {
			OPEN_TO_ALL();
			ASSERT_EQ(0, run_as_nobody(nobody_fresh_pages, &n, false));
			break;
		}
		/* Holes read zero through read() and both kinds of mapping. */
		for (i = 0; i < 2 * n; i++) {
			ASSERT_EQ((ssize_t)ps, pread(self->d.fd, buf, ps, i * ps));
			bad += !vl_is_zero(buf, ps);
		}
		for (i = 0; i < 2 * n; i++) {
			if (i & 1)
				m[i * ps + 3] = 0;	/* write fault: a new page */
			bad += !vl_is_zero(m + i * ps, ps);
		}
		ASSERT_EQ(0, bad) TH_LOG("%zu pages showed old data", bad);
	}
	/* nobody's shared mapping made n new pages; its copies made none. */
	ASSERT_EQ(0, vmlab_get_stats(self->d.fd, &b));
	ASSERT_EQ(n, b.pages_resident);
	for (i = 0; i < 2 * n; i++)
		bad += !vl_is_zero(m + i * ps, ps);
	ASSERT_EQ(0, bad);
	munmap(m, 2 * n * ps);
	free(buf);
}

/* Every byte of two answers must agree: nothing of the prefill survives. */
static void *twice(int fd, unsigned long cmd, void *arg, size_t len,
		   void *pages, size_t plen, void *pages2, int *err)
{
	char *a = malloc(len), *b = malloc(len);

	memcpy(a, arg, len);
	memcpy(b, arg, len);
	if (pages)
		memset(pages, 0xa5, plen);
	if (ioctl(fd, cmd, a)) {
		*err = errno;
		return NULL;
	}
	if (pages2) {
		memset(pages2, 0x5a, plen);
		((struct vmlab_inspect *)b)->pages = (uintptr_t)pages2;
	}
	if (ioctl(fd, cmd, b)) {
		*err = errno;
		return NULL;
	}
	if (pages2)
		((struct vmlab_inspect *)b)->pages = ((struct vmlab_inspect *)a)->pages;
	*err = memcmp(a, b, len) ? -1 : 0;
	free(b);
	return a;
}

static bool all_zero_but_addr(const struct vmlab_page_info *pi)
{
	struct vmlab_page_info z;

	memset(&z, 0, sizeof(z));
	z.addr = pi->addr;
	return !memcmp(&z, pi, sizeof(z));
}

/*
 * STATS, RESET and INSPECT answers leak nothing: called twice, over
 * buffers prefilled with 0xa5 and then 0x5a, on a quiet object, they give
 * byte-identical answers; reserved fields are 0; INSPECT writes exactly
 * npages records, each zero but its address where no VMA is.
 */
static int check_answers(int fd, bool root)
{
	size_t ps = vmlab_page_size(), i;
	struct vmlab_page_info *pa, *pb;
	struct vmlab_inspect req, *ra;
	struct vmlab_reset rs, *rr;
	struct vmlab_stats st, *sa;
	char *m;
	int err;

	CK(vmlab_reset(fd, NULL) == 0, "reset: %s", strerror(errno));
	memset(&st, 0xa5, sizeof(st));
	sa = twice(fd, VMLAB_IOC_STATS, &st, sizeof(st), NULL, 0, NULL, &err);
	CK(sa && !err, "STATS answers differ (%d)", err);
	for (i = 0; i < ARRAY_SIZE(sa->reserved); i++)
		CK(sa->reserved[i] == 0, "stats reserved[%zu] = %#llx", i,
		   (unsigned long long)sa->reserved[i]);
	CK(sa->size && sa->mem_limit && sa->mem_limit <= sa->size &&
	   sa->pages_allocated - sa->pages_freed == sa->pages_resident &&
	   sa->vma_opens - sa->vma_closes == sa->vmas_live &&
	   sa->pages_dirty <= sa->pages_resident, "stats do not add up");

	rs = (struct vmlab_reset){ .flags = 0, .pages_freed = 0xa5a5a5a5a5a5a5a5ULL };
	rr = twice(fd, VMLAB_IOC_RESET, &rs, sizeof(rs), NULL, 0, NULL, &err);
	CK(rr && !err, "RESET answers differ (%d)", err);
	CK(rr->flags == 0 && rr->pages_freed == 0, "reset: flags %#llx freed %llu",
	   (unsigned long long)rr->flags, (unsigned long long)rr->pages_freed);

	/* A mapping with a hole before and after it, all inside the range. */
	m = mmap(NULL, 8 * ps, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CK(m != MAP_FAILED, "mmap");
	CK(munmap(m, 8 * ps) == 0, "munmap");
	CK(mmap(m + 2 * ps, 3 * ps, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
		fd, 0) == m + 2 * ps, "mmap: %s", strerror(errno));
	m[2 * ps] = 1;
	m[3 * ps] = 1;
	pa = malloc(9 * sizeof(*pa));
	pb = malloc(9 * sizeof(*pb));
	req = (struct vmlab_inspect){ .pid = 0, .addr = (uintptr_t)m, .npages = 8,
		.pages = (uintptr_t)pa, .info_size = sizeof(*pa),
		.result = 0xa5a5a5a5a5a5a5a5ULL, .page_size = 0xa5a5a5a5a5a5a5a5ULL };
	ra = twice(fd, VMLAB_IOC_INSPECT, &req, sizeof(req), pa, 9 * sizeof(*pa), pb, &err);
	CK(ra, "INSPECT: %s", strerror(err));
	CK(!err, "INSPECT: the request came back different from a prefill");
	CK(ra->page_size == ps && ra->result == (root ? VMLAB_INSPECT_PFN_SHOWN : 0) &&
	   ra->pid == 0 && ra->npages == 8 && ra->flags == 0 &&
	   ra->info_size == sizeof(*pa), "request fields: result %#llx page_size %llu",
	   (unsigned long long)ra->result, (unsigned long long)ra->page_size);
	for (i = 0; i < ARRAY_SIZE(ra->reserved); i++)
		CK(ra->reserved[i] == 0, "inspect reserved[%zu]", i);
	for (i = 0; i < 8; i++) {
		size_t j;

		/* Records of pages that are not ours come from the walk
		 * of someone else's mapping: the test leaves them alone. */
		CK(pa[i].addr == (uintptr_t)m + i * ps, "record %zu addr", i);
		CK(!memcmp(&pa[i], &pb[i], sizeof(pa[i])),
		   "record %zu differs between a 0xa5 and a 0x5a prefill", i);
		for (j = 0; j < ARRAY_SIZE(pa[i].reserved); j++)
			CK(pa[i].reserved[j] == 0, "record %zu reserved[%zu]", i, j);
		if (i < 2 || i >= 5) {
			CK(all_zero_but_addr(&pa[i]), "record %zu (no VMA) not zero", i);
			continue;
		}
		CK(pa[i].walk & VMLAB_WALK_VMA && pa[i].vma & VMLAB_VMA_VMLAB &&
		   pa[i].vma_start == (uintptr_t)m + 2 * ps &&
		   pa[i].vma_end == (uintptr_t)m + 5 * ps, "record %zu: vma", i);
		if (i == 4) {	/* never touched: nothing below the table */
			CK(!(pa[i].entry & VMLAB_ENTRY_PRESENT) && pa[i].pfn == 0 &&
			   pa[i].frame_id == 0 && pa[i].page == 0 && pa[i].refcount == 0,
			   "record 4 (not faulted) has a frame");
		} else {
			CK(pa[i].entry & VMLAB_ENTRY_PRESENT && pa[i].frame_id &&
			   pa[i].page & VMLAB_PAGE_VMLAB && pa[i].obj_offset == i - 2,
			   "record %zu: entry %#llx page %#llx", i,
			   (unsigned long long)pa[i].entry, (unsigned long long)pa[i].page);
			CK(root == (pa[i].pfn != 0), "record %zu: pfn %#llx", i,
			   (unsigned long long)pa[i].pfn);
			CK(pa[i].hidden == (root ? 0 : VMLAB_HIDDEN_PFN),
			   "record %zu: hidden %#llx", i,
			   (unsigned long long)pa[i].hidden);
		}
		if (!root)
			for (j = 0; j < VMLAB_NR_LEVELS; j++)
				CK(pa[i].raw[j] == 0, "record %zu raw[%zu] shown", i, j);
	}
	for (i = 0; i < sizeof(pa[8]); i++)
		CK(((unsigned char *)&pa[8])[i] == 0xa5,
		   "INSPECT wrote past its %d records (byte %zu)", 8, i);
	munmap(m + 2 * ps, 3 * ps);
	free(pa);
	free(pb);
	free(sa);
	free(rr);
	free(ra);
	return 0;
}

static int nobody_checks_answers(void *arg)
{
	int fd = open(VMLAB_DEVICE, O_RDWR | O_CLOEXEC);

	(void)arg;
	CK(fd >= 0, "open: %s", strerror(errno));
	return check_answers(fd, false);
}

TEST_F(hostile, ioctl_answers_leak_nothing)
{
	ASSERT_EQ(0, check_answers(self->d.fd, true));
	OPEN_TO_ALL();
	ASSERT_EQ(0, run_as_nobody(nobody_checks_answers, NULL, false));
}

VL_TEST_MAIN
