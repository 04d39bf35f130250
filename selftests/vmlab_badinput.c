// SPDX-License-Identifier: GPL-2.0
/*
 * vmlab_badinput: every way to hand the device something wrong.  Unknown
 * ioctls (ENOTTY), bad pointers (EFAULT), bad arguments (EINVAL), wrong
 * open modes (EBADF, EACCES), mappings wholly past the end (SIGBUS), and
 * unloading the module while it is in use (refused).  A refused call
 * changes nothing: the counters and the object's data are checked after.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "vmlab_util.h"

/* NULL, hidden from the compiler's nonnull checks. */
static void *volatile null_ptr;

FIXTURE(bad)
{
	int fd;
	size_t ps;
	struct vmlab_stats st;
	char *ro;	/* a PROT_READ page */
	char *none;	/* a PROT_NONE page */
	char *gone;	/* an unmapped page */
};

FIXTURE_SETUP(bad)
{
	char buf[64];

	self->ps = vmlab_page_size();
	VL_SETUP_DEVICE(self->fd, self->st);
	self->ro = mmap(NULL, 3 * self->ps, PROT_READ,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->ro);
	self->none = self->ro + self->ps;
	self->gone = self->ro + 2 * self->ps;
	ASSERT_EQ(0, mprotect(self->none, self->ps, PROT_NONE));
	ASSERT_EQ(0, munmap(self->gone, self->ps));
	/* One page of data that nothing below may disturb. */
	vl_fill(buf, sizeof(buf), 99);
	ASSERT_EQ((ssize_t)sizeof(buf), pwrite(self->fd, buf, sizeof(buf), 0));
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &self->st));
}

FIXTURE_TEARDOWN(bad)
{
	if (self->fd >= 0)
		close(self->fd);
}

static bool data_intact(int fd)
{
	char buf[64];

	if (pread(fd, buf, sizeof(buf), 0) != sizeof(buf))
		return false;
	if (!vl_check(buf, sizeof(buf), 99)) {
		size_t i;

		fprintf(stderr, "# object bytes 0-31 now:");
		for (i = 0; i < 32; i++)
			fprintf(stderr, " %02x", (unsigned char)buf[i]);
		fprintf(stderr, "\n");
		return false;
	}
	return true;
}

/* The object still holds exactly its one page of data, untouched. */
#define CHECK_UNCHANGED() do {						\
	struct vmlab_stats __s;						\
	char __buf[64];							\
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &__s));				\
	vl_stats_log("after", &self->st, &__s);				\
	ASSERT_EQ(0, VL_D(self->st, __s, resets));			\
	ASSERT_EQ(0, VL_D(self->st, __s, pages_freed));			\
	ASSERT_EQ(0, VL_D(self->st, __s, pages_allocated));		\
	ASSERT_EQ(1, __s.pages_resident);				\
	ASSERT_EQ(64, pread(self->fd, __buf, 64, 0));			\
	ASSERT_TRUE(vl_check(__buf, 64, 99));				\
} while (0)

/* Commands the device does not know: ENOTTY, the argument untouched. */
TEST_F(bad, unknown_ioctl)
{
	const unsigned long cmds[] = {
		_IO(VMLAB_IOC_MAGIC, 0x40),
		_IOWR(VMLAB_IOC_MAGIC, 0x7f, struct vmlab_stats),
		_IOR(VMLAB_IOC_MAGIC, 0x00, __u32),		/* wrong size */
		_IOW(VMLAB_IOC_MAGIC, 0x00, struct vmlab_stats),	/* wrong way */
		_IOR(VMLAB_IOC_MAGIC, 0x01, struct vmlab_reset),
		_IOWR(VMLAB_IOC_MAGIC + 1, 0x00, struct vmlab_stats),
		_IOR('V', 0x00, struct vmlab_stats),
		0,
		TCGETS,
		0xffffffff,
	};
	union {
		struct vmlab_stats st;
		char raw[sizeof(struct vmlab_stats)];
	} arg;
	size_t i, j;

	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		memset(&arg, 0x5c, sizeof(arg));
		errno = 0;
		ASSERT_EQ(-1, ioctl(self->fd, cmds[i], &arg))
			TH_LOG("cmd %#lx", cmds[i]);
		ASSERT_EQ(ENOTTY, errno) TH_LOG("cmd %#lx", cmds[i]);
		for (j = 0; j < sizeof(arg); j++)
			ASSERT_EQ(0x5c, arg.raw[j]);
	}
	CHECK_UNCHANGED();
}

/* VMLAB_IOC_STATS to memory it cannot write: EFAULT. */
TEST_F(bad, stats_efault)
{
	void *ptrs[] = {
		NULL,
		(void *)1,
		self->ro,
		self->none,
		self->gone,
		/* the struct's last bytes on the PROT_NONE page */
		self->none - sizeof(struct vmlab_stats) + 8,
		(void *)0xffffffff81000000UL,
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ptrs); i++) {
		errno = 0;
		ASSERT_EQ(-1, ioctl(self->fd, VMLAB_IOC_STATS, ptrs[i]))
			TH_LOG("pointer %p", ptrs[i]);
		ASSERT_EQ(EFAULT, errno) TH_LOG("pointer %p", ptrs[i]);
	}
	CHECK_UNCHANGED();
}

/* VMLAB_IOC_RESET from memory it cannot read: EFAULT, nothing reset. */
TEST_F(bad, reset_efault)
{
	void *ptrs[] = {
		NULL,
		(void *)1,
		self->none,
		self->gone,
		self->none - sizeof(struct vmlab_reset) + 8,
		(void *)0xffffffff81000000UL,
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ptrs); i++) {
		errno = 0;
		ASSERT_EQ(-1, ioctl(self->fd, VMLAB_IOC_RESET, ptrs[i]))
			TH_LOG("pointer %p", ptrs[i]);
		ASSERT_EQ(EFAULT, errno) TH_LOG("pointer %p", ptrs[i]);
	}
	CHECK_UNCHANGED();

	/*
	 * Readable but not writable: the answer cannot be stored, EFAULT
	 * (whether the reset itself happened is not specified).
	 */
	errno = 0;
	ASSERT_EQ(-1, ioctl(self->fd, VMLAB_IOC_RESET, self->ro));
	ASSERT_EQ(EFAULT, errno);
}

/* VMLAB_IOC_RESET with flags: EINVAL, nothing reset. */
TEST_F(bad, reset_flags_einval)
{
	const __u64 flags[] = { 1, 2, 0x80, 1ULL << 32, 1ULL << 63, ~0ULL };
	struct vmlab_reset r;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(flags); i++) {
		r = (struct vmlab_reset){ .flags = flags[i], .pages_freed = 0 };
		errno = 0;
		ASSERT_EQ(-1, ioctl(self->fd, VMLAB_IOC_RESET, &r))
			TH_LOG("flags %#llx", (unsigned long long)flags[i]);
		ASSERT_EQ(EINVAL, errno);
		ASSERT_EQ(flags[i], r.flags);
	}
	CHECK_UNCHANGED();
}

/* read()/write() with buffers the kernel cannot use: EFAULT. */
TEST_F(bad, rw_efault)
{
	off_t pos;

	ASSERT_EQ(0, lseek(self->fd, 0, SEEK_SET));
	errno = 0;
	ASSERT_EQ(-1, read(self->fd, null_ptr, 16));
	ASSERT_EQ(EFAULT, errno);
	errno = 0;
	ASSERT_EQ(-1, read(self->fd, self->ro, 16));
	ASSERT_EQ(EFAULT, errno);
	errno = 0;
	ASSERT_EQ(-1, pread(self->fd, self->gone, 16, 0));
	ASSERT_EQ(EFAULT, errno);
	/* Reading a hole into a bad buffer too. */
	errno = 0;
	ASSERT_EQ(-1, pread(self->fd, self->none, 16, 5 * self->ps));
	ASSERT_EQ(EFAULT, errno);
	pos = lseek(self->fd, 0, SEEK_CUR);
	ASSERT_EQ(0, pos);

	/*
	 * Writes from bad buffers to the page that has data: refused, and
	 * the data is not touched (no partial copy, no zero fill).
	 */
	errno = 0;
	ASSERT_EQ(-1, write(self->fd, null_ptr, 16));
	ASSERT_EQ(EFAULT, errno);
	ASSERT_EQ(0, lseek(self->fd, 0, SEEK_CUR));
	ASSERT_TRUE(data_intact(self->fd))
		TH_LOG("write() from NULL failed with EFAULT but changed the data");
	errno = 0;
	ASSERT_EQ(-1, pwrite(self->fd, self->none, 16, 0));
	ASSERT_EQ(EFAULT, errno);
	ASSERT_TRUE(data_intact(self->fd))
		TH_LOG("pwrite() from PROT_NONE failed with EFAULT but changed the data");
	errno = 0;
	ASSERT_EQ(-1, pwrite(self->fd, self->gone, 16, 8));
	ASSERT_EQ(EFAULT, errno);
	ASSERT_TRUE(data_intact(self->fd))
		TH_LOG("pwrite() from unmapped memory failed with EFAULT but changed the data");
	CHECK_UNCHANGED();
}

/* Negative offsets and unknown whence: EINVAL. */
TEST_F(bad, offsets_einval)
{
	char buf[16] = { 0 };

	errno = 0;
	ASSERT_EQ(-1, pread(self->fd, buf, sizeof(buf), -1));
	ASSERT_EQ(EINVAL, errno);
	errno = 0;
	ASSERT_EQ(-1, pwrite(self->fd, buf, sizeof(buf), -4096));
	ASSERT_EQ(EINVAL, errno);
	errno = 0;
	ASSERT_EQ(-1, lseek(self->fd, -1, SEEK_SET));
	ASSERT_EQ(EINVAL, errno);
	errno = 0;
	ASSERT_EQ(-1, lseek(self->fd, 0, 42));
	ASSERT_EQ(EINVAL, errno);
	errno = 0;
	ASSERT_EQ(-1, lseek(self->fd, -(off_t)self->st.size - 1, SEEK_END));
	ASSERT_EQ(EINVAL, errno);
	CHECK_UNCHANGED();
}

/*
 * Open modes: a write-only fd cannot be read or mapped at all; a read-only
 * fd cannot be written or mapped shared and writable.
 */
TEST_F(bad, open_modes)
{
	size_t ps = self->ps;
	int wfd = vmlab_open(O_WRONLY), rfd = vmlab_open(O_RDONLY);
	char buf[16] = { 0 };
	char *m;

	ASSERT_LE(0, wfd);
	ASSERT_LE(0, rfd);
	errno = 0;
	ASSERT_EQ(-1, read(wfd, buf, sizeof(buf)));
	ASSERT_EQ(EBADF, errno);
	errno = 0;
	ASSERT_EQ(MAP_FAILED, mmap(NULL, ps, PROT_READ, MAP_SHARED, wfd, 0));
	ASSERT_EQ(EACCES, errno);
	errno = 0;
	ASSERT_EQ(MAP_FAILED, mmap(NULL, ps, PROT_READ, MAP_PRIVATE, wfd, 0));
	ASSERT_EQ(EACCES, errno);

	errno = 0;
	ASSERT_EQ(-1, write(rfd, buf, sizeof(buf)));
	ASSERT_EQ(EBADF, errno);
	errno = 0;
	ASSERT_EQ(MAP_FAILED, mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_SHARED,
				   rfd, 0));
	ASSERT_EQ(EACCES, errno);
	m = mmap(NULL, ps, PROT_READ, MAP_SHARED, rfd, 0);
	ASSERT_NE(MAP_FAILED, m);
	ASSERT_TRUE(vl_check(m, 64, 99));
	ASSERT_EQ(SIGSEGV, vl_probe(m, true));
	munmap(m, ps);
	close(wfd);
	close(rfd);
	CHECK_UNCHANGED();
}

/* mmap() arguments the kernel refuses before the device sees them. */
TEST_F(bad, mmap_einval)
{
	size_t ps = self->ps;
	struct vmlab_stats a, b;

	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	errno = 0;
	ASSERT_EQ(MAP_FAILED, mmap(NULL, 0, PROT_READ, MAP_SHARED, self->fd, 0));
	ASSERT_EQ(EINVAL, errno);
	errno = 0;
	ASSERT_EQ(MAP_FAILED, mmap(NULL, ps, PROT_READ, MAP_SHARED, self->fd, 100));
	ASSERT_EQ(EINVAL, errno);
	errno = 0;	/* neither shared nor private */
	ASSERT_EQ(MAP_FAILED, mmap(NULL, ps, PROT_READ, 0, self->fd, 0));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
	ASSERT_EQ(0, VL_D(a, b, vma_opens));
	CHECK_UNCHANGED();
}

/* A mapping wholly past the end may be made; any access gets SIGBUS. */
TEST_F(bad, map_past_end_sigbus)
{
	size_t ps = self->ps;
	struct vmlab_stats a, b;
	char *m;

	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	m = mmap(NULL, 2 * ps, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd,
		 self->st.size + 16 * ps);
	ASSERT_NE(MAP_FAILED, m);
	ASSERT_EQ(SIGBUS, vl_probe(m, false));
	ASSERT_EQ(SIGBUS, vl_probe(m + ps, true));
	munmap(m, 2 * ps);
	m = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_PRIVATE, self->fd,
		 self->st.size);
	ASSERT_NE(MAP_FAILED, m);
	ASSERT_EQ(SIGBUS, vl_probe(m, false));
	ASSERT_EQ(SIGBUS, vl_probe(m, true));
	munmap(m, ps);
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
	ASSERT_EQ(4, VL_D(a, b, sigbus));
	CHECK_UNCHANGED();
}

/* The counters agree with each other and with the kernel. */
TEST_F(bad, stats_consistent)
{
	struct vmlab_stats a, b;
	size_t i;

	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	ASSERT_EQ((off_t)a.size, lseek(self->fd, 0, SEEK_END));
	ASSERT_NE(0, a.mem_limit);
	ASSERT_EQ(0, a.mem_limit % self->ps);
	ASSERT_EQ(a.pages_allocated - a.pages_freed, a.pages_resident);
	ASSERT_EQ(a.vma_opens - a.vma_closes, a.vmas_live);
	ASSERT_LE(a.pages_dirty, a.pages_resident);
	for (i = 0; i < ARRAY_SIZE(a.reserved); i++)
		ASSERT_EQ(0, a.reserved[i]);
	/* Reading the counters changes none. */
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
	ASSERT_EQ(0, memcmp(&a, &b, sizeof(a)));
	/* A read-only fd reads the same counters. */
	{
		int rfd = vmlab_open(O_RDONLY);

		ASSERT_LE(0, rfd);
		ASSERT_EQ(0, vmlab_get_stats(rfd, &b));
		ASSERT_EQ(0, memcmp(&a, &b, sizeof(a)));
		close(rfd);
	}
}

/* The module cannot be unloaded while a fd or a mapping is alive. */
TEST_F(bad, rmmod_refused_while_in_use)
{
	size_t ps = self->ps;
	struct stat sb;
	char *m;

	if (stat("/sys/module/vmlab", &sb) || stat("/sys/module/vmlab/refcnt", &sb))
		SKIP(return, "vmlab is not a loaded module (built in?)");
	errno = 0;
	ASSERT_EQ(-1, syscall(SYS_delete_module, "vmlab", O_NONBLOCK));
	ASSERT_TRUE(errno == EWOULDBLOCK || errno == EBUSY)
		TH_LOG("delete_module with an open fd: %s", strerror(errno));

	/* Only a mapping left: the fd is closed. */
	m = mmap(NULL, ps, PROT_READ, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	ASSERT_EQ(0, close(self->fd));
	self->fd = -1;
	errno = 0;
	ASSERT_EQ(-1, syscall(SYS_delete_module, "vmlab", O_NONBLOCK));
	ASSERT_TRUE(errno == EWOULDBLOCK || errno == EBUSY)
		TH_LOG("delete_module with a mapping: %s", strerror(errno));
	ASSERT_TRUE(vl_check(m, 64, 99));
	munmap(m, ps);
	self->fd = vmlab_open(O_RDWR);
	ASSERT_LE(0, self->fd);
}

VL_TEST_MAIN
