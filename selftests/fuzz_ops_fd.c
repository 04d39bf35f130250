// SPDX-License-Identifier: GPL-2.0
/*
 * vmlab_fuzz: the operations on an fd (fuzz_ops.h): open, close, dup, the
 * read and write family, lseek, fsync, the VFS calls a character device
 * refuses, and the object read back against the model.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include "fuzz_ops.h"

void op_open(void)
{
	static const int accs[] = { O_RDONLY, O_WRONLY, O_RDWR, 3 };
	static const int extra[] = { O_NONBLOCK, O_APPEND, O_SYNC, O_DSYNC,
				     O_NOATIME, O_TRUNC, O_LARGEFILE, O_ASYNC,
				     O_CREAT, O_NOFOLLOW, O_NOCTTY };
	int flags = accs[rnd(4)], i, fd, err, r = rnd(100);
	bool path = false;
	eset allow = 0;
	const char *p = VMLAB_DEVICE;

	for (i = 0; i < 3; i++)
		if (chance(30))
			flags |= extra[rnd(sizeof(extra) / sizeof(extra[0]))];
	if (r < 10) {
		flags |= O_PATH;
		path = true;
	} else if (r < 14) {
		flags |= O_DIRECTORY;
		allow = E(ENOTDIR) | E(EINVAL);
	} else if (r < 17) {
		flags |= O_CREAT | O_EXCL;
		allow = E(EEXIST);
	} else if (r < 20) {
		flags |= O_TMPFILE;
		allow = E(ENOTDIR) | E(EINVAL) | E(EISDIR);
	} else if (r < 23) {
		flags |= O_DIRECT;
		allow = E(EINVAL);
	} else if (r < 25) {
		p = chance(50) ? NULL : (const char *)KERNEL_ADDR;
		allow = E(EFAULT);
	}
	if (path && (flags & O_DIRECTORY))
		allow = E(ENOTDIR);
	if (nfd >= MAXFD && !allow)
		return;
	note("open(%s, %#x)", allow & E(EFAULT) ? "<bad pointer>" : p, flags);
	fd = syscall(SYS_openat, AT_FDCWD, p, flags | O_CLOEXEC, 0600);
	err = errno;
	if (fd >= 0 && nfd >= MAXFD)
		close(fd);
	judge("open", fd, err, !allow, true, 0, allow, S_OPEN);
	if (fd >= 0)
		F[nfd++] = (struct fdm){ fd, flags & O_ACCMODE, path };
}

void op_close(void)
{
	struct fdm *m;
	int fd = pick_fd(&m), r, err;

	note("close(%d)", fd);
	r = close(fd);
	err = errno;
	judge("close", r, err, m != NULL, false, 0, m ? 0 : E(EBADF), S_CLOSE);
	if (m)
		*m = F[--nfd];
}

void op_dup(void)
{
	struct fdm *m;
	int fd = pick_fd(&m), r, err;

	if (nfd >= MAXFD)
		return;
	note("dup(%d)", fd);
	r = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	err = errno;
	judge("dup", r, err, m != NULL, true, 0, m ? 0 : E(EBADF), S_CLOSE);
	if (r >= 0)
		F[nfd++] = (struct fdm){ r, m->acc, m->path };
}

/* The f_pos of an fd, -1 when it has none (O_PATH, bad fd). */
static int64_t fpos(int fd)
{
	return lseek(fd, 0, SEEK_CUR);
}

static void check_pos(int fd, int64_t want, const char *call)
{
	int64_t p;

	if (want < 0)
		return;
	p = fpos(fd);
	if (p != want)
		die("%s left the file position at %lld, the model says %lld", call,
		    (long long)p, (long long)want);
}

/*
 * read(), pread(), readv(), preadv2() (and the write versions): one
 * buffer, or an iovec splitting it in two.  For an iovec the VFS calls
 * the module once per segment and stops at the first short one.
 */
static void op_rw(bool wr)
{
	static const int vflags[] = { 0, RWF_HIPRI, RWF_NOWAIT, RWF_DSYNC,
				      RWF_APPEND, 0x1000 };
	/* sim_read() fills whole chunks: room for one more page */
	static uint8_t want[(SCR_PAGES + 1) * 4096];
	static bool wknown[(SCR_PAGES + 1) * 4096];
	struct fdm *m;
	int fd = pick_fd(&m), kind, how = rnd(4), err, flags = 0;
	uint64_t count = pick_len(), seg[2];
	int64_t off = pick_off(), pos;
	uintptr_t buf = pick_buf(count < SCR_PAGES * PS ? count : SCR_PAGES * PS, &kind);
	struct iovec iov[2];
	bool ok = true, use_pos, vec = how >= 2;
	eset allow = 0;
	long ret, want_ret = 0, r;
	const char *call;
	size_t i;
	int nseg = 1, k;

	use_pos = how == 1 || how == 3;
	if (how == 3 && chance(30))
		off = -1;
	if (how == 3 && off == -1)
		use_pos = false;	/* preadv2/pwritev2 at the file position */
	if (how == 3)
		flags = vflags[rnd(6)];
	call = wr ? (const char *[]){ "write", "pwrite", "writev", "pwritev2" }[how] :
		       (const char *[]){ "read", "pread", "readv", "preadv2" }[how];
	pos = use_pos ? off : fpos(fd);
	seg[0] = count;
	if (vec) {
		nseg = 2;
		seg[0] = count < 2 ? 0 : rnd(count < 64 * PS ? count : 64 * PS);
		seg[1] = count - seg[0];
		iov[0] = (struct iovec){ (void *)buf, seg[0] };
		iov[1] = (struct iovec){ (void *)(buf + seg[0]), seg[1] };
	}
	if (uaccess_edge(buf, count) || (vec && uaccess_edge(buf + seg[0], seg[1])))
		return;		/* the kernels differ by a page there */
	if (kind == B_SCRATCH && !wr)
		memset(SCR, 0x6b, SCR_PAGES * PS);
	if (kind == B_SCRATCH && wr)
		for (i = 0; i < SCR_PAGES * PS; i += 8)
			*(uint64_t *)(SCR + i) = rnd64();

	/* The VFS's checks, before the module sees anything; the kernels
	 * do them in different orders: any of the errnos that apply. */
	if (use_pos && off < 0) {
		ok = false;
		allow |= E(EINVAL);
	}
	if (!m || m->path || (wr ? !(m->acc == O_WRONLY || m->acc == O_RDWR) :
				      !(m->acc == O_RDONLY || m->acc == O_RDWR))) {
		ok = false;
		allow |= E(EBADF);
	}
	for (k = 0; k < nseg; k++) {
		uintptr_t b = k ? buf + seg[0] : buf;

		if ((int64_t)seg[k] < 0) {
			ok = false;
			allow |= E(EINVAL) | E(EFAULT);
		} else if (!uaccess_ok(b, seg[k])) {
			ok = false;
			allow |= E(EFAULT);
		}
	}
	if (ok && !vec && !uaccess_ok(buf, count)) {
		ok = false;
		allow |= E(EFAULT);
	}
	if (vec && (int64_t)(seg[0] + seg[1]) < 0) {
		ok = false;
		allow |= E(EINVAL);
	}
	if (vec && count > 0x7ffff000UL) {	/* the iovec is cut to MAX_RW_COUNT */
		if (seg[0] > 0x7ffff000UL)
			seg[0] = 0x7ffff000UL;
		seg[1] = seg[1] > 0x7ffff000UL - seg[0] ? 0x7ffff000UL - seg[0] : seg[1];
	}
	if (!vec && count > 0x7ffff000UL)
		seg[0] = 0x7ffff000UL;
	if (ok && pos >= 0 && (int64_t)((uint64_t)pos + (vec ? seg[0] + seg[1] : count)) < 0) {
		ok = false;	/* rw_verify_area: pos + count overflows */
		allow |= E(EINVAL);
	}
	if (how == 3 && (flags & ~RWF_HIPRI) && (seg[0] + seg[1])) {
		ok = false;	/* the module has no read_iter */
		allow |= E(EOPNOTSUPP);
	}

	note("%s(fd %d%s, buf %#lx%s, count %#llx (%llu+%llu), off %lld, flags %#x)", call, fd,
	     m ? (m->path ? " O_PATH" : (const char *[]){ " r", " w", " rw", " ioctl" }[m->acc]) : " bad",
	     (unsigned long)buf, (const char *[]){ "", " map", " bad" }[kind],
	     (unsigned long long)count, (unsigned long long)seg[0],
	     (unsigned long long)(vec ? seg[1] : 0), (long long)(use_pos ? off : pos), flags);
	if (ok && vec && !(seg[0] + seg[1])) {
		want_ret = 0;	/* nothing to do: the module is not called */
	} else if (ok) {
		/* O_APPEND (from open, fcntl, a dup or a parent): the VFS's view */
		int fl = wr ? fcntl(fd, F_GETFL) : -1;
		uint64_t done = 0;

		for (k = 0; k < nseg; k++) {
			uintptr_t b = buf + done;

			if (wr && fl >= 0 && (fl & O_APPEND))
				r = seg[k] ? -ENOSPC : 0;	/* no room at the end */
			else if (wr)
				r = sim_write(b, seg[k], pos + done);
			else
				r = sim_read(b, seg[k], pos + done,
					     kind == B_SCRATCH ? want + done : NULL,
					     wknown + done);
			if (r < 0) {
				if (!done) {
					ok = false;
					allow = E(-r);
				}
				break;
			}
			done += r;
			if ((uint64_t)r != seg[k])
				break;
		}
		want_ret = done;
	}
	errno = 0;
	switch (how) {
	case 0:
		ret = wr ? write(fd, (void *)buf, count) : read(fd, (void *)buf, count);
		break;
	case 1:
		ret = wr ? pwrite(fd, (void *)buf, count, off) :
			      pread(fd, (void *)buf, count, off);
		break;
	case 2:
		ret = wr ? writev(fd, iov, 2) : readv(fd, iov, 2);
		break;
	default:
		ret = wr ? pwritev2(fd, iov, 2, off, flags) :
			      preadv2(fd, iov, 2, off, flags);
		break;
	}
	err = errno;
	judge(call, ret, err, ok, false, want_ret, allow, wr ? S_WRITE : S_READ);
	if (ret >= 0 && !use_pos && m && !m->path)
		check_pos(fd, pos + ret, call);
	if (!wr && ret > 0 && kind == B_SCRATCH) {
		size_t o = buf - (uintptr_t)SCR;

		for (i = 0; i < (size_t)ret; i++)
			if (wknown[i] && (uint8_t)SCR[o + i] != want[i])
				die("%s: byte %zu (object offset %#llx) reads %#x, the model "
				    "says %#x", call, i, (unsigned long long)(pos + i),
				    (uint8_t)SCR[o + i], want[i]);
		/* Nothing past what it returned was touched, when it did not
		 * stop on a fault. */
		if ((uint64_t)ret == (vec ? seg[0] + seg[1] : seg[0]) ||
		    (uint64_t)pos + ret == SH->size)
			for (i = o + ret; i < SCR_PAGES * PS; i++)
				if ((uint8_t)SCR[i] != 0x6b)
					die("%s returned %ld but wrote byte %zu of the buffer",
					    call, ret, i - o);
	}
}

void op_read(void)
{
	op_rw(false);
}

void op_write(void)
{
	op_rw(true);
}

void op_lseek(void)
{
	static const int wh[] = { SEEK_SET, SEEK_CUR, SEEK_END, SEEK_DATA,
				  SEEK_HOLE, 5, 1000 };
	struct fdm *m;
	int fd = pick_fd(&m), whence = wh[rnd(7)], err;
	int64_t off = pick_off(), cur = -1, want = 0, r;
	int64_t size = SH->size;
	bool ok = true;
	eset allow = 0;

	if (chance(20))
		off = -off;
	if (m && !m->path)
		cur = fpos(fd);
	if (!m || m->path) {
		ok = false;
		allow = E(EBADF);
	} else if (whence > SEEK_END) {
		/* fixed_size_llseek(): SEEK_SET, SEEK_CUR, SEEK_END only */
		ok = false;
		allow = E(EINVAL);
	} else {
		switch (whence) {
		case SEEK_SET: want = off; break;
		case SEEK_CUR: want = (int64_t)((uint64_t)cur + off); break;
		case SEEK_END: want = (int64_t)((uint64_t)size + off); break;
		}
		if (ok && whence == SEEK_CUR && off == 0)
			want = cur;
		else if (ok && (want < 0 || want > size)) {
			ok = false;
			allow = E(EINVAL);
		}
	}
	note("lseek(%d, %lld, %d)", fd, (long long)off, whence);
	r = lseek(fd, off, whence);
	err = errno;
	judge("lseek", r, err, ok, false, want, allow, S_LSEEK);
	if (!ok)
		check_pos(fd, cur, "a failed lseek");
}


void op_fsync(void)
{
	struct fdm *m;
	int fd = pick_fd(&m), r, err;
	bool ok = m && !m->path;

	note("fsync(%d)", fd);
	r = chance(50) ? fsync(fd) : fdatasync(fd);
	err = errno;
	judge("fsync", r, err, ok, false, 0, ok ? 0 : E(EBADF), S_FSYNC);
}

/* The VFS calls a character device gets: nothing they may do. */
void op_fileops(void)
{
	struct fdm *m;
	int fd = pick_fd(&m), r, err, what = rnd(6);
	bool bad = !m || m->path, writable = m && (m->acc == O_WRONLY || m->acc == O_RDWR);
	int64_t off = pick_off(), len = pick_off();
	struct stat sb;

	switch (what) {
	case 0: {
		unsigned int fl = chance(80) ? rnd(8) : 0x10 + rnd(8);

		note("sync_file_range(%d, %lld, %lld, %#x)", fd, (long long)off,
		     (long long)len, fl);
		r = sync_file_range(fd, off, len, fl);
		err = errno;
		judge("sync_file_range", r, err, false, false, 0,
		      bad ? E(EBADF) : E(EINVAL) | E(ESPIPE), S_SFR);
		break;
	}
	case 1: {
		int mode = chance(70) ? (int[]){ 0, FALLOC_FL_KEEP_SIZE,
			FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, FALLOC_FL_ZERO_RANGE }[rnd(4)] :
			(int)rnd64();

		note("fallocate(%d, %#x, %lld, %lld)", fd, mode, (long long)off, (long long)len);
		r = fallocate(fd, mode, off, len);
		err = errno;
		judge("fallocate", r, err, false, false, 0,
		      bad ? E(EBADF) : E(EINVAL) | E(EOPNOTSUPP) | E(ENODEV) |
				       (writable ? 0 : E(EBADF)), S_FALLOCATE);
		break;
	}
	case 2:
		note("ftruncate(%d, %lld)", fd, (long long)off);
		r = ftruncate(fd, off);
		err = errno;
		judge("ftruncate", r, err, false, false, 0,
		      bad ? E(EBADF) | (off < 0 ? E(EINVAL) : 0) : E(EINVAL), S_FTRUNCATE);
		break;
	case 3: {
		int adv = rnd(8);

		note("posix_fadvise(%d, %lld, %lld, %d)", fd, (long long)off, (long long)len, adv);
		r = posix_fadvise(fd, off, len, adv);	/* returns the error */
		err = r;
		judge("posix_fadvise", r ? -1 : 0, err, !bad && adv <= 5 && len >= 0, false,
		      0, bad ? E(EBADF) : E(EINVAL), S_FADVISE);
		break;
	}
	case 4: {
		int fl = (int[]){ O_APPEND, O_NONBLOCK, O_DIRECT, O_NOATIME, O_ASYNC, 0 }[rnd(6)];

		note("fcntl(%d, F_SETFL, %#x)", fd, fl);
		r = fcntl(fd, F_SETFL, fl);
		err = errno;
		judge("fcntl", r, err, !bad && fl != O_DIRECT, false, 0,
		      bad ? E(EBADF) : E(EINVAL), S_FCNTL);
		break;
	}
	default:
		note("fstat(%d)", fd);
		r = fstat(fd, &sb);
		err = errno;
		judge("fstat", r, err, m != NULL, false, 0, E(EBADF), E(EBADF));
		if (!r && (!S_ISCHR(sb.st_mode)))
			die("fstat: not a character device (%#o)", sb.st_mode);
		break;
	}
}

/* The object's data, read back with pread() and held against the model. */
void op_verify(void)
{
	int i, fd = -1;
	uint64_t pg = chance(70) ? rnd(80) : rnd(SH->npages), n = 1 + rnd(8), k;
	static uint8_t buf[8 * 4096];

	for (i = 0; i < nfd; i++)
		if (!F[i].path && (F[i].acc == O_RDONLY || F[i].acc == O_RDWR))
			fd = F[i].fd;
	if (fd < 0)
		return;
	if (pg + n > SH->npages)
		n = SH->npages - pg;
	note("verify pages %llu-%llu", (unsigned long long)pg, (unsigned long long)(pg + n - 1));
	check_resident("verify");
	if (pread(fd, buf, n * PS, pg * PS) != (ssize_t)(n * PS))
		die("verify: pread: %s", strerror(errno));
	for (k = 0; k < n; k++) {
		size_t j;

		if (PST[pg + k] & P_UNKNOWN)
			continue;
		for (j = 0; j < PS; j++)
			if (buf[k * PS + j] != SHADOW[(pg + k) * PS + j])
				die("verify: object page %llu byte %zu reads %#x, the model says %#x "
				    "(%s)", (unsigned long long)(pg + k), j, buf[k * PS + j],
				    SHADOW[(pg + k) * PS + j],
				    PST[pg + k] & P_PRESENT ? "held" : "a hole");
	}
}

