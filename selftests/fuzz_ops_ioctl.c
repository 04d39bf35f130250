// SPDX-License-Identifier: GPL-2.0
/*
 * vmlab_fuzz: the ioctls (fuzz_ops.h): STATS and RESET against the
 * model, INSPECT with its records held against the regions, and
 * commands the device does not have.
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

void op_stats(void)
{
	struct fdm *m;
	int fd = pick_fd(&m), kind, r, err;
	uintptr_t arg = pick_buf(sizeof(struct vmlab_stats), &kind);
	int64_t resident = SH->resident;
	size_t k = 0;
	struct vmlab_stats *st;
	bool ok = m && !m->path;

	note("STATS(fd %d, %#lx)", fd, (unsigned long)arg);
	if (ok) {
		k = m_uaccess(arg, sizeof(*st), true, NULL, NULL, NULL);
		ok = k == sizeof(*st);
	}
	r = ioctl(fd, VMLAB_IOC_STATS, arg);
	err = errno;
	judge("STATS", r, err, ok, false, 0, !m || m->path ? E(EBADF) : E(EFAULT), S_STATS);
	if (r || kind != B_SCRATCH)
		return;
	st = (struct vmlab_stats *)arg;
	if (st->size != SH->size || st->mem_limit != SH->limit * PS ||
	    (int64_t)st->pages_resident != resident ||
	    st->pages_allocated - st->pages_freed != st->pages_resident ||
	    st->vma_opens - st->vma_closes != st->vmas_live ||
	    st->pages_dirty > st->pages_resident || st->reserved[0] || st->reserved[5])
		die("STATS: size %llu limit %llu resident %llu (model %lld) allocated %llu "
		    "freed %llu dirty %llu vmas %llu/%llu/%llu",
		    (unsigned long long)st->size, (unsigned long long)st->mem_limit,
		    (unsigned long long)st->pages_resident, (long long)resident,
		    (unsigned long long)st->pages_allocated,
		    (unsigned long long)st->pages_freed, (unsigned long long)st->pages_dirty,
		    (unsigned long long)st->vmas_live, (unsigned long long)st->vma_opens,
		    (unsigned long long)st->vma_closes);
}

void op_reset(void)
{
	struct fdm *m;
	int fd = pick_fd(&m), kind, r, err;
	uintptr_t arg = pick_buf(16, &kind);
	struct vmlab_reset rs = { 0 };
	uint8_t in[16];
	bool known = true, ok = true, maybe = false;
	int64_t resident = SH->resident;
	eset allow = 0;
	size_t k;

	if (kind == B_SCRATCH) {
		size_t room = (uintptr_t)SCR + SCR_PAGES * PS - arg;

		rs.flags = chance(90) ? 0 : 1ULL << rnd(64);
		rs.pages_freed = rnd64();
		memcpy((void *)arg, &rs, room < sizeof(rs) ? room : sizeof(rs));
	}
	note("RESET(fd %d, %#lx, flags %#llx)", fd, (unsigned long)arg,
	     (unsigned long long)rs.flags);
	if (!m || m->path || !(m->acc == O_WRONLY || m->acc == O_RDWR)) {
		ok = false;
		allow = E(EBADF);
	} else {
		k = m_uaccess(arg, 16, false, NULL, in, &known);
		if (k < 16) {
			ok = false;
			allow = E(EFAULT);
		} else {
			uint64_t flags;

			memcpy(&flags, in, 8);
			if (kind == B_SCRATCH)
				flags = rs.flags;
			else if (kind != B_MAP)
				known = false;
			if (!known) {
				maybe = true;	/* the model does not know the flags */
			} else if (flags) {
				ok = false;
				allow = E(EINVAL);
			}
		}
	}
	resident = SH->resident;
	r = ioctl(fd, VMLAB_IOC_RESET, arg);
	err = errno;
	if (maybe && r && err == EINVAL) {
		ok = false;
		allow = E(EINVAL);
	}
	if (!ok) {
		judge("RESET", r, err, false, false, 0, allow, S_RESET);
		return;
	}
	/* The reset happened; writing the answer back may fail. */
	obj_reset();
	rs.flags = 0;
	rs.pages_freed = resident;
	k = m_uaccess(arg, 16, true, (uint8_t *)&rs, NULL, NULL);
	judge("RESET", r, err, k == 16, false, 0, E(EFAULT), S_RESET);
	check_resident("after RESET");
	if (!r && kind == B_SCRATCH &&
	    ((struct vmlab_reset *)arg)->pages_freed != (uint64_t)resident)
		die("RESET freed %llu pages, the model says %lld",
		    (unsigned long long)((struct vmlab_reset *)arg)->pages_freed,
		    (long long)resident);
}

/* INSPECT records of our own mappings against the model. */
static void check_records(const struct vmlab_page_info *pi, size_t n)
{
	size_t k;

	for (k = 0; k < n; k++) {
		const struct vmlab_page_info *p = &pi[k];
		int i = reg_find(p->addr);
		struct reg *g;
		uint64_t pg;

		if (p->reserved[0] || p->reserved[1] || p->reserved[2])
			die("INSPECT record %zu: reserved fields set", k);
		/* We are root: nothing is withheld. */
		if (p->hidden)
			die("INSPECT record %zu: %#llx withheld from root", k,
			    (unsigned long long)p->hidden);
		if (i < 0) {
			if (p->addr >= A0 && p->addr < A1)
				die("INSPECT: %#llx in the arena has no region",
				    (unsigned long long)p->addr);
			continue;
		}
		g = &R[i];
		if (!(p->walk & VMLAB_WALK_VMA))
			die("INSPECT: %#llx is mapped but has no VMA", (unsigned long long)p->addr);
		if (!!(p->vma & VMLAB_VMA_VMLAB) != (g->kind == RK_VMLAB))
			die("INSPECT: %#llx: vma bits %#llx for a %s region",
			    (unsigned long long)p->addr, (unsigned long long)p->vma,
			    g->kind == RK_VMLAB ? "vmlab" : "anonymous");
		if (g->kind != RK_VMLAB)
			continue;
		pg = obj_page(g, p->addr);
		if (p->vma_pgoff + (p->addr - p->vma_start) / PS != pg)
			die("INSPECT: %#llx: VMA offset says page %llu, the model %llu",
			    (unsigned long long)p->addr,
			    (unsigned long long)(p->vma_pgoff + (p->addr - p->vma_start) / PS),
			    (unsigned long long)pg);
		if (!!(p->vma & VMLAB_VMA_COW) != !g->shared)
			die("INSPECT: %#llx: COW bit wrong (vma %#llx)", (unsigned long long)p->addr,
			    (unsigned long long)p->vma);
		if (!(p->entry & VMLAB_ENTRY_PRESENT))
			continue;
		if (p->page & VMLAB_PAGE_VMLAB) {
			if (p->obj_offset != pg)
				die("INSPECT: %#llx maps object page %llu, should be %llu",
				    (unsigned long long)p->addr,
				    (unsigned long long)p->obj_offset, (unsigned long long)pg);
			if (pg >= SH->npages || !(PST[pg] & P_PRESENT))
				die("INSPECT: %#llx maps object page %llu, which the object "
				    "does not hold", (unsigned long long)p->addr,
				    (unsigned long long)pg);
			if (!g->shared && cow_find(p->addr) >= 0)
				die("INSPECT: %#llx maps the object's page but has a private copy",
				    (unsigned long long)p->addr);
		} else if (p->page & VMLAB_PAGE_VMLAB_ZERO) {
			die("INSPECT: %#llx maps the module's old zero frame (page %#llx)",
			    (unsigned long long)p->addr, (unsigned long long)p->page);
		} else if (p->page & VMLAB_PAGE_ZERO) {
			/*
			 * A private read of a hole: the kernel's zero page, by a
			 * special entry; never once the object holds the page
			 * (a stale entry) or where we have a private copy.
			 */
			if (g->shared || (pg < SH->npages && (PST[pg] & P_PRESENT)) ||
			    cow_find(p->addr) >= 0)
				die("INSPECT: %#llx maps the zero page where it may not",
				    (unsigned long long)p->addr);
			if (!(p->entry & VMLAB_ENTRY_SPECIAL) || p->pfn != vl_zero_pfn())
				die("INSPECT: %#llx: zero page at PFN %#llx (the kernel's is %#llx), "
				    "entry %#llx: not a special entry of the zero page",
				    (unsigned long long)p->addr, (unsigned long long)p->pfn,
				    (unsigned long long)vl_zero_pfn(),
				    (unsigned long long)p->entry);
		} else if (g->shared || !(p->page & VMLAB_PAGE_ANON) ||
			   cow_find(p->addr) < 0) {
			die("INSPECT: %#llx maps page %#llx (%s mapping %#lx+%llu pages, prot "
			    "%#x%s, page %llu; %s private copy)",
			    (unsigned long long)p->addr, (unsigned long long)p->page,
			    g->shared ? "shared" : "private", (unsigned long)g->start,
			    (unsigned long long)g->npages, g->prot, g->locked ? " locked" : "",
			    (unsigned long long)pg, cow_find(p->addr) >= 0 ? "a" : "no");
		}
	}
}

void op_inspect(void)
{
	struct fdm *m;
	int fd = pick_fd(&m), kind, r, err;
	struct vmlab_inspect *req = (struct vmlab_inspect *)(SCR + SCR_PAGES * PS - 512);
	uintptr_t pages, addr;
	uint64_t npages, pid;
	bool ok = true, self = false, hostile_req = chance(5);
	eset allow = 0;
	int i = pick_map(), c = rnd(100);

	/* The address range. */
	if (i >= 0 && c < 70) {
		addr = R[i].start + rnd(R[i].npages < 64 ? R[i].npages : 64) * PS;
		npages = 1 + rnd(64);
	} else if (c < 80) {
		addr = A0 + rnd(ARENA_PAGES) * PS;
		npages = 1 + rnd(VMLAB_INSPECT_MAX_PAGES);
	} else {
		addr = (uintptr_t[]){ 0, LOW_ADDR, task_size_max - PS, task_size_max,
			NONCANON, KERNEL_ADDR, A0 + 123, ~0UL & ~4095UL }[rnd(8)];
		npages = (uint64_t[]){ 0, 1, 2, VMLAB_INSPECT_MAX_PAGES,
			VMLAB_INSPECT_MAX_PAGES + 1, ~0ULL, 1ULL << 52 }[rnd(7)];
	}
	c = rnd(100);
	pid = c < 60 ? 0 : c < 70 ? (uint64_t)getpid() : c < 78 ? (uint64_t)getppid() :
	      c < 84 ? 1 : c < 88 ? 2 : c < 92 ? 0x3fffffff :
	      (uint64_t[]){ 1ULL << 31, 1ULL << 32, ~0ULL, (uint64_t)-5 }[rnd(4)];
	self = pid == 0 || pid == (uint64_t)getpid();
	pages = pick_buf(npages < 512 ? npages * sizeof(struct vmlab_page_info) : 4096, &kind);
	if (kind == B_SCRATCH && (uintptr_t)req - pages < npages * sizeof(struct vmlab_page_info))
		pages = (uintptr_t)SCR;	/* keep the request apart */
	memset(req, 0, sizeof(*req));
	*req = (struct vmlab_inspect){ .pid = pid, .addr = addr, .npages = npages,
		.pages = pages, .info_size = sizeof(struct vmlab_page_info) };
	if (hostile_req) {
		switch (rnd(3)) {
		case 0: req->flags = 1ULL << rnd(64); break;
		case 1: req->info_size = rnd(400); break;
		default: req->reserved[rnd(4)] = 1 + rnd(100); break;
		}
	}
	note("INSPECT(fd %d, pid %lld, addr %#lx, npages %llu, pages %#lx%s)", fd,
	     (long long)pid, (unsigned long)addr, (unsigned long long)npages,
	     (unsigned long)pages, hostile_req ? ", bad fields" : "");

	if (!m || m->path) {
		ok = false;
		allow = E(EBADF);
	} else if (req->flags || req->info_size != sizeof(struct vmlab_page_info) ||
		   req->reserved[0] || req->reserved[1] || req->reserved[2] ||
		   req->reserved[3] || pid > 0x7fffffff || !npages ||
		   npages > VMLAB_INSPECT_MAX_PAGES || addr % PS || addr >= task_size_max ||
		   npages > (task_size_max - addr) / PS) {
		ok = false;
		allow = E(EINVAL);
	} else if (pid == 2 || pid == 0x3fffffff) {
		ok = false;
		allow = E(ESRCH);
	} else {
		/* The walk touches nothing; then the records are copied out. */
		size_t len = npages * sizeof(struct vmlab_page_info);

		if (m_uaccess(pages, len, true, NULL, NULL, NULL) < len) {
			ok = false;
			allow = E(EFAULT);
		}
	}
	r = ioctl(fd, VMLAB_IOC_INSPECT, req);
	err = errno;
	judge("INSPECT", r, err, ok, false, 0, allow, S_INSPECT);
	if (r)
		return;
	if (req->page_size != PS || req->result != VMLAB_INSPECT_PFN_SHOWN)
		die("INSPECT: page_size %llu result %#llx", (unsigned long long)req->page_size,
		    (unsigned long long)req->result);
	if (self && kind == B_SCRATCH)
		check_records((struct vmlab_page_info *)pages, npages);
}

/* Commands the device does not have; never the VFS's own (see above). */
void op_ioctl(void)
{
	static const uint8_t vfs_types[] = { 0x00, 0x15, 0x54, 0x58, 0x66, 0x94 };
	struct fdm *m;
	int fd = pick_fd(&m), kind, r, err;
	uintptr_t arg = pick_buf(64, &kind);
	unsigned int cmd;
	size_t i;

	for (;;) {
		uint8_t type;

		cmd = rnd64();
		if (chance(50))	/* our type, other numbers, sizes, directions */
			cmd = (cmd & ~0xff00U) | VMLAB_IOC_MAGIC << 8;
		type = cmd >> 8;
		if (cmd == VMLAB_IOC_STATS || cmd == VMLAB_IOC_RESET || cmd == VMLAB_IOC_INSPECT)
			continue;
		for (i = 0; i < sizeof(vfs_types); i++)
			if (type == vfs_types[i])
				break;
		if (i == sizeof(vfs_types))
			break;
	}
	note("ioctl(fd %d, %#x, %#lx)", fd, cmd, (unsigned long)arg);
	r = ioctl(fd, cmd, arg);
	err = errno;
	judge("ioctl", r, err, false, false, 0, !m || m->path ? E(EBADF) : E(ENOTTY), S_IOCTL);
}
