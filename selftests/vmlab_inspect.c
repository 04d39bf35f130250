// SPDX-License-Identifier: GPL-2.0
/*
 * vmlab_inspect: VMLAB_IOC_INSPECT.
 *
 * Inspect's view of a page is held against the kernel's own: present bit
 * and PFN against /proc/self/pagemap, anonymous and zero-page bits against
 * /proc/kpageflags, the map count against /proc/kpagecount, soft-dirty
 * against pagemap bit 55, and the write bit against behaviour: a private
 * page after a read fault is read-only; after copy-on-write it is writable
 * and anonymous; after fork both copies of an anonymous page are read-only
 * until one writes.  Frame ids are equal exactly where PFNs are.
 *
 * Another process is inspected by pid; a process that is gone gives
 * ESRCH; what an unprivileged caller is told is vmlab_privacy's.  Bad requests fail
 * with EINVAL or EFAULT.  The tracepoints are vmlab_tracepoints'.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/mempolicy.h>
#include <sys/ioctl.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "vmlab_util.h"

#define VI_VM_SOFTDIRTY	0x08000000ULL	/* vm_flags: pagemap shows soft-dirty */

FIXTURE(inspect)
{
	int fd;
	size_t ps;
	struct vmlab_stats st;
	struct vmlab_swap swap;	/* swap_entry's, off again whatever happens */
};

FIXTURE_SETUP(inspect)
{
	self->swap.loop_fd = self->swap.mem_fd = -1;
	self->ps = vmlab_page_size();
	VL_SETUP_DEVICE(self->fd, self->st);
	ASSERT_LE(64 * self->ps, self->st.size);
}

FIXTURE_TEARDOWN(inspect)
{
	vmlab_swap_off(&self->swap);
	if (self->fd >= 0)
		close(self->fd);
}

/* VMLAB_IOC_INSPECT of n pages at addr in pid (0: ourselves). */
static int vi_inspect(int fd, pid_t pid, const void *addr, size_t n,
		      struct vmlab_page_info *out)
{
	struct vmlab_inspect req = {
		.pid = pid,
		.addr = (uintptr_t)addr,
		.npages = n,
		.pages = (uintptr_t)out,
		.info_size = sizeof(*out),
	};

	memset(out, 0xa5, n * sizeof(*out));
	return ioctl(fd, VMLAB_IOC_INSPECT, &req);
}

/* One page: its record, or a record of all ones when the call failed. */
static struct vmlab_page_info vi_page(int fd, pid_t pid, const void *addr)
{
	struct vmlab_page_info pi;

	if (vi_inspect(fd, pid, addr, 1, &pi))
		memset(&pi, 0xff, sizeof(pi));
	return pi;
}

/* errno of a failing request, 0 if it succeeded. */
static int vi_errno(int fd, struct vmlab_inspect *req)
{
	return ioctl(fd, VMLAB_IOC_INSPECT, req) ? errno : 0;
}

static bool has(uint64_t bits, uint64_t bit)
{
	return (bits & bit) == bit;
}

static void vi_log(const char *tag, const struct vmlab_page_info *p)
{
	fprintf(stderr,
		"# %s: addr %#llx walk %#llx level %llu entry %#llx np %llu (swap %llu:%#llx) pfn %#llx frame %#llx page %#llx ref %llu map %llu vma %#llx flags %#llx\n",
		tag, (unsigned long long)p->addr, (unsigned long long)p->walk,
		(unsigned long long)p->level, (unsigned long long)p->entry,
		(unsigned long long)p->nonpresent,
		(unsigned long long)p->swap_type,
		(unsigned long long)p->swap_offset, (unsigned long long)p->pfn,
		(unsigned long long)p->frame_id, (unsigned long long)p->page,
		(unsigned long long)p->refcount, (unsigned long long)p->mapcount,
		(unsigned long long)p->vma, (unsigned long long)p->vm_flags);
}

/*
 * Hold one page's record against pagemap (present, PFN, soft-dirty),
 * kpageflags (anon, zero page) and kpagecount (map count).  Returns a
 * description of the first disagreement, or NULL.
 */
static const char *vi_cross_check(const struct vmlab_page_info *p,
				  uint64_t pm)
{
	uint64_t pfn = pm_pfn(pm), kf;

	if (!has(p->walk, VMLAB_WALK_VMA))
		return "no VMA";
	if (pm_present(pm) != has(p->entry, VMLAB_ENTRY_PRESENT))
		return "present bit differs from pagemap";
	/* pagemap adds the VMA's soft-dirty flag (new VMAs have it). */
	if (!!(pm & VMLAB_PM_SOFT_DIRTY) != (has(p->entry, VMLAB_ENTRY_SOFT_DIRTY) ||
				       has(p->vm_flags, VI_VM_SOFTDIRTY)))
		return "soft-dirty differs from pagemap";
	if (!pm_present(pm))
		return p->frame_id || p->pfn ? "frame without present bit" : NULL;
	if (p->pfn != pfn)
		return "PFN differs from pagemap";
	if (!p->frame_id)
		return "no frame id";
	kf = vl_kpageflags(pfn);
	if (kf == ~0ULL)
		return "cannot read kpageflags";
	if (vmlab_kpf(kf, VMLAB_KPF_ZERO_PAGE) != has(p->page, VMLAB_PAGE_ZERO))
		return "zero page differs from kpageflags";
	if (has(p->page, VMLAB_PAGE_ZERO))
		return NULL;
	if (!has(p->page, VMLAB_PAGE_VALID))
		return "no page facts";
	if (vmlab_kpf(kf, VMLAB_KPF_ANON) != has(p->page, VMLAB_PAGE_ANON))
		return "anon differs from kpageflags";
	if ((int64_t)p->mapcount != vl_kpagecount(pfn))
		return "mapcount differs from kpagecount";
	if (p->refcount < p->mapcount)
		return "fewer references than mappings";
	return NULL;
}

#define VI_CROSS_CHECK(p, addr) do {					\
	uint64_t __pm = vl_pagemap(addr);				\
	const char *__why = vi_cross_check(&(p), __pm);		\
									\
	if (__why)							\
		vi_log("mismatch", &(p));				\
	ASSERT_EQ(NULL, __why) TH_LOG("%s (pagemap %#llx)", __why,	\
				      (unsigned long long)__pm);	\
} while (0)

/* The layout is the same for every ABI: __u64 fields only. */
TEST(uapi)
{
	ASSERT_EQ(0, sizeof(struct vmlab_page_info) % 8);
	ASSERT_EQ(0, sizeof(struct vmlab_inspect) % 8);
	ASSERT_EQ(VMLAB_NR_LEVELS,
		  sizeof(((struct vmlab_page_info *)0)->raw) / sizeof(__u64));
	ASSERT_EQ(sizeof(struct vmlab_inspect), _IOC_SIZE(VMLAB_IOC_INSPECT));
}

/* Holes between VMAs are reported, not refused; the call reports itself. */
TEST_F(inspect, unmapped_is_no_vma)
{
	struct vmlab_page_info pi[3];
	struct vmlab_inspect req;
	size_t ps = self->ps;
	char *m;
	int i;

	m = mmap(NULL, 3 * ps, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, m);
	ASSERT_EQ(0, munmap(m + ps, ps));
	ASSERT_EQ(0, vi_inspect(self->fd, 0, m, 3, pi));
	for (i = 0; i < 3; i++) {
		ASSERT_EQ((uintptr_t)m + i * ps, pi[i].addr);
		ASSERT_EQ(0, pi[i].reserved[0]);
	}
	ASSERT_TRUE(has(pi[0].walk, VMLAB_WALK_VMA));
	ASSERT_EQ((uintptr_t)m, pi[0].vma_start);
	ASSERT_EQ((uintptr_t)m + ps, pi[0].vma_end);
	ASSERT_EQ(0, pi[1].walk);
	ASSERT_EQ(VMLAB_LEVEL_NONE, pi[1].level);
	ASSERT_EQ(0, pi[1].vma_start);
	ASSERT_EQ(0, pi[1].frame_id);
	ASSERT_TRUE(has(pi[2].walk, VMLAB_WALK_VMA));
	ASSERT_EQ((uintptr_t)m + 2 * ps, pi[2].vma_start);
	/* Never touched: the walk ends at an empty entry, nothing mapped. */
	ASSERT_FALSE(has(pi[0].entry, VMLAB_ENTRY_PRESENT));
	ASSERT_EQ(VMLAB_NP_NONE, pi[0].nonpresent);
	ASSERT_NE(VMLAB_LEVEL_NONE, pi[0].level);

	/* Address 0 is never mapped. */
	pi[0] = vi_page(self->fd, 0, NULL);
	ASSERT_EQ(0, pi[0].walk);

	/* The header's outputs. */
	memset(&req, 0, sizeof(req));
	req.addr = (uintptr_t)m;
	req.npages = 1;
	req.pages = (uintptr_t)pi;
	req.info_size = sizeof(pi[0]);
	ASSERT_EQ(0, ioctl(self->fd, VMLAB_IOC_INSPECT, &req));
	ASSERT_EQ(ps, req.page_size);
	ASSERT_EQ(VMLAB_INSPECT_PFN_SHOWN, req.result);	/* we are root */
	munmap(m, 3 * ps);
}

/*
 * Anonymous memory: untouched, read (the kernel's zero page, read-only),
 * written (an anonymous page of our own, writable), cross-checked page by
 * page against pagemap, kpageflags and kpagecount.
 */
TEST_F(inspect, anon_against_pagemap)
{
	struct vmlab_page_info pi[16], *p;
	size_t ps = self->ps, i;
	char *m;

	m = mmap(NULL, 16 * ps, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, m);
	ASSERT_EQ(0, madvise(m, 16 * ps, MADV_NOHUGEPAGE));
	for (i = 0; i < 16; i++) {
		if (i % 3 == 1)
			vl_touch_read(m + i * ps, 1);
		else if (i % 3 == 2)
			m[i * ps] = 1;
	}
	ASSERT_EQ(0, vi_inspect(self->fd, 0, m, 16, pi));
	for (i = 0; i < 16; i++) {
		p = &pi[i];
		VI_CROSS_CHECK(*p, m + i * ps);
		ASSERT_TRUE(has(p->vma, VMLAB_VMA_COW));
		ASSERT_FALSE(has(p->vma, VMLAB_VMA_FILE | VMLAB_VMA_VMLAB));
		ASSERT_TRUE(has(p->vma, VMLAB_VMA_ANON_VMA));
		ASSERT_EQ(0x3, p->vm_flags & 0x3);	/* VM_READ | VM_WRITE */
		ASSERT_TRUE(has(p->walk, VMLAB_WALK_PGD | VMLAB_WALK_P4D |
				VMLAB_WALK_PUD | VMLAB_WALK_PMD));
		ASSERT_EQ(VMLAB_LEVEL_PTE, p->level);
		if (i % 3 == 0) {
			ASSERT_EQ(0, p->entry);
			continue;
		}
		ASSERT_TRUE(has(p->entry, VMLAB_ENTRY_PRESENT | VMLAB_ENTRY_LEAF |
				VMLAB_ENTRY_USER | VMLAB_ENTRY_NX));
		ASSERT_NE(0, p->raw[VMLAB_LEVEL_PTE - 1]);
		ASSERT_EQ(p->pfn, (p->raw[VMLAB_LEVEL_PTE - 1] >> 12) &
			  ((1ULL << 40) - 1));
		if (i % 3 == 1) {
			/* The zero page: read-only, no refcounted page. */
			ASSERT_TRUE(has(p->page, VMLAB_PAGE_ZERO));
			ASSERT_FALSE(has(p->entry, VMLAB_ENTRY_WRITE));
			ASSERT_TRUE(has(p->entry, VMLAB_ENTRY_SPECIAL));
			ASSERT_EQ(pi[1].frame_id, p->frame_id);
		} else {
			ASSERT_TRUE(has(p->page, VMLAB_PAGE_VALID | VMLAB_PAGE_ANON |
					VMLAB_PAGE_ANON_EXCLUSIVE));
			ASSERT_TRUE(has(p->entry, VMLAB_ENTRY_WRITE |
					VMLAB_ENTRY_DIRTY | VMLAB_ENTRY_ACCESSED));
			ASSERT_EQ(1, p->mapcount);
			ASSERT_EQ(1, p->folio_pages);
			ASSERT_NE(pi[1].frame_id, p->frame_id);
		}
	}
	/* Equal frame ids exactly for equal frames. */
	for (i = 2; i < 16; i += 3)
		ASSERT_NE(pi[2].frame_id == pi[i].frame_id, i != 2);
	munmap(m, 16 * ps);
}

/*
 * A shared mapping of the device maps the object's pages: read faults map
 * them read-only (page_mkwrite must see the first store), a write makes
 * the entry writable and dirty, write-back makes it read-only again.
 */
TEST_F(inspect, vmlab_shared)
{
	struct vmlab_page_info pi[4], *p;
	size_t ps = self->ps, i;
	char *m;

	m = mmap(NULL, 4 * ps, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd,
		 8 * ps);
	ASSERT_NE(MAP_FAILED, m);
	vl_touch_read(m, 1);
	m[ps] = 1;
	ASSERT_EQ(0, vi_inspect(self->fd, 0, m, 4, pi));
	for (i = 0; i < 4; i++) {
		p = &pi[i];
		VI_CROSS_CHECK(*p, m + i * ps);
		ASSERT_TRUE(has(p->vma, VMLAB_VMA_FILE | VMLAB_VMA_VMLAB));
		ASSERT_FALSE(has(p->vma, VMLAB_VMA_COW));
		ASSERT_EQ(8, p->vma_pgoff);
		ASSERT_EQ(0x8, p->vm_flags & 0x8);	/* VM_SHARED */
	}
	for (i = 0; i < 2; i++) {
		p = &pi[i];
		ASSERT_TRUE(has(p->page, VMLAB_PAGE_VALID | VMLAB_PAGE_FILE |
				VMLAB_PAGE_VMLAB));
		ASSERT_FALSE(has(p->page, VMLAB_PAGE_ANON));
		ASSERT_EQ(8 + i, p->obj_offset);
		ASSERT_EQ(1, p->mapcount);
	}
	ASSERT_FALSE(has(pi[0].entry, VMLAB_ENTRY_WRITE));
	ASSERT_TRUE(has(pi[1].entry, VMLAB_ENTRY_WRITE | VMLAB_ENTRY_DIRTY));
	ASSERT_TRUE(has(pi[1].page, VMLAB_PAGE_DIRTY));
	ASSERT_FALSE(has(pi[2].entry, VMLAB_ENTRY_PRESENT));

	/* fsync writes back: clean, read-only, the same frame. */
	ASSERT_EQ(0, fsync(self->fd));
	p = &pi[3];
	*p = vi_page(self->fd, 0, m + ps);
	VI_CROSS_CHECK(*p, m + ps);
	ASSERT_FALSE(has(p->entry, VMLAB_ENTRY_WRITE | VMLAB_ENTRY_DIRTY));
	ASSERT_FALSE(has(p->page, VMLAB_PAGE_DIRTY));
	ASSERT_EQ(pi[1].frame_id, p->frame_id);

	/* Another mapping of the same offset shares the frame. */
	{
		char *m2 = mmap(NULL, ps, PROT_READ, MAP_SHARED, self->fd,
				9 * ps);

		ASSERT_NE(MAP_FAILED, m2);
		ASSERT_EQ(1, m2[0]);
		*p = vi_page(self->fd, 0, m2);
		VI_CROSS_CHECK(*p, m2);
		ASSERT_EQ(pi[1].frame_id, p->frame_id);
		ASSERT_EQ(2, p->mapcount);
		munmap(m2, ps);
	}
	munmap(m, 4 * ps);
}

/*
 * A private mapping: a read of a hole maps the kernel's zero page (the one
 * anonymous memory maps, with a special entry: no struct page counted), a
 * read of a page maps the object's page, both read-only; a write copies
 * into an anonymous page of our own, writable.
 */
TEST_F(inspect, vmlab_private_cow)
{
	struct vmlab_page_info a, b, c, z;
	size_t ps = self->ps;
	char *m, *anon;

	ASSERT_EQ(1, pwrite(self->fd, "x", 1, ps));
	m = mmap(NULL, 2 * ps, PROT_READ | PROT_WRITE, MAP_PRIVATE, self->fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	ASSERT_EQ(0, m[0]);
	ASSERT_EQ('x', m[ps]);
	anon = mmap(NULL, ps, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, anon);
	ASSERT_EQ(0, anon[0]);

	a = vi_page(self->fd, 0, m);
	VI_CROSS_CHECK(a, m);
	z = vi_page(self->fd, 0, anon);
	VI_CROSS_CHECK(z, anon);
	ASSERT_TRUE(has(z.page, VMLAB_PAGE_ZERO));
	ASSERT_TRUE(has(a.page, VMLAB_PAGE_ZERO));
	ASSERT_FALSE(has(a.page, VMLAB_PAGE_VMLAB_ZERO | VMLAB_PAGE_VALID));
	ASSERT_TRUE(has(a.entry, VMLAB_ENTRY_SPECIAL));
	ASSERT_EQ(z.frame_id, a.frame_id);
	ASSERT_EQ(z.pfn, a.pfn);
	/* smaps counts the object's page, not the zero page. */
	ASSERT_EQ(4, vl_smaps_kb(m, "Rss"));
	munmap(anon, ps);
	ASSERT_FALSE(has(a.page, VMLAB_PAGE_ANON));
	ASSERT_FALSE(has(a.entry, VMLAB_ENTRY_WRITE));
	ASSERT_TRUE(has(a.vma, VMLAB_VMA_COW | VMLAB_VMA_VMLAB));
	ASSERT_FALSE(has(a.vma, VMLAB_VMA_ANON_VMA));

	b = vi_page(self->fd, 0, m + ps);
	VI_CROSS_CHECK(b, m + ps);
	ASSERT_TRUE(has(b.page, VMLAB_PAGE_VMLAB | VMLAB_PAGE_FILE));
	ASSERT_EQ(1, b.obj_offset);
	ASSERT_FALSE(has(b.entry, VMLAB_ENTRY_WRITE));
	ASSERT_NE(a.frame_id, b.frame_id);

	/* Copy-on-write, of the zero page and of the object's page. */
	m[0] = 1;
	m[ps] = 2;
	c = vi_page(self->fd, 0, m);
	VI_CROSS_CHECK(c, m);
	ASSERT_TRUE(has(c.page, VMLAB_PAGE_ANON | VMLAB_PAGE_ANON_EXCLUSIVE));
	ASSERT_FALSE(has(c.page, VMLAB_PAGE_VMLAB | VMLAB_PAGE_ZERO));
	ASSERT_TRUE(has(c.entry, VMLAB_ENTRY_WRITE | VMLAB_ENTRY_DIRTY));
	ASSERT_TRUE(has(c.vma, VMLAB_VMA_ANON_VMA));
	ASSERT_NE(a.frame_id, c.frame_id);
	c = vi_page(self->fd, 0, m + ps);
	VI_CROSS_CHECK(c, m + ps);
	ASSERT_TRUE(has(c.page, VMLAB_PAGE_ANON));
	ASSERT_TRUE(has(c.entry, VMLAB_ENTRY_WRITE));
	ASSERT_NE(b.frame_id, c.frame_id);
	munmap(m, 2 * ps);
}

/*
 * swap_entry's child, as nobody, on its copy of the swapped-out entry:
 * the kind shown, the type and offset (which device, where on it) hidden
 * and said to be, as pagemap hides the whole swap entry.
 */
static int vi_swap_child(int fd, const char *m)
{
	struct vmlab_page_info p;
	uint64_t e;

	if (vl_become_nobody(true))
		return 10;
	p = vi_page(fd, 0, m);
	if (p.nonpresent != VMLAB_NP_SWAP || p.swap_type)
		return 11;
	if (!has(p.walk, VMLAB_WALK_PFN_HIDDEN) || p.swap_offset || p.raw[0])
		return 12;
	if (p.hidden != (VMLAB_HIDDEN_PFN | VMLAB_HIDDEN_SWAP))
		return 14;
	e = vl_pagemap(m);
	if (!(e & VMLAB_PM_SWAP) || (e & VMLAB_PM_PFN_MASK))
		return 13;
	return 0;
}

/*
 * Swap: with a swap device (a loop device over a memfd), MADV_PAGEOUT
 * swaps out the anonymous copy a private write made.  Its PTE then holds
 * a swap entry: inspect must decode the same swap type and offset that
 * pagemap shows, smaps counts it as Swap, and reading it back brings the
 * data in again.  The object's own page, paged out the same way, stays
 * where it is: the module's pages are unevictable.
 */
TEST_F(inspect, swap_entry)
{
	size_t ps = self->ps, swap_used0;
	struct vmlab_page_info a, o;
	struct vmlab_swap *sw = &self->swap;
	struct vmlab_stats st0, st1;
	uint64_t e = 0, obj_pfn;
	char *m, *sh;
	int tries;
	pid_t pid;

	if (vmlab_swap_on(sw, 16)) {
		if (vl_allow_skip())
			SKIP(return, "no swap device: %s", sw->why);
		ASSERT_TRUE(false) TH_LOG("no swap device: %s", sw->why);
	}
	swap_used0 = vmlab_meminfo_kb("SwapTotal") - vmlab_meminfo_kb("SwapFree");
	m = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_PRIVATE, self->fd, 0);
	sh = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, ps);
	ASSERT_NE(MAP_FAILED, m);
	ASSERT_NE(MAP_FAILED, sh);
	vl_fill(m, ps, 0x5a5);		/* the private copy: anonymous */
	vl_fill(sh, ps, 0xa5a);		/* the object's page 1 */
	obj_pfn = vl_pfn(sh);
	ASSERT_NE(0, obj_pfn);
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &st0));

	/* The page may sit in a per-CPU batch, off the LRU, at first. */
	for (tries = 0; tries < 50; tries++) {
		ASSERT_EQ(0, madvise(m, ps, MADV_PAGEOUT));
		ASSERT_EQ(0, madvise(sh, ps, MADV_PAGEOUT));
		e = vl_pagemap(m);
		if (e & VMLAB_PM_SWAP)
			break;
		usleep(20000);
	}
	ASSERT_TRUE(e & VMLAB_PM_SWAP) TH_LOG("not swapped out after %d tries: pagemap %#llx",
					tries, (unsigned long long)e);
	ASSERT_FALSE(e & VMLAB_PM_PRESENT);

	a = vi_page(self->fd, 0, m);
	vi_log("swapped out", &a);
	ASSERT_EQ(VMLAB_LEVEL_PTE, a.level);
	ASSERT_FALSE(has(a.entry, VMLAB_ENTRY_PRESENT));
	ASSERT_EQ(VMLAB_NP_SWAP, a.nonpresent);
	/* pagemap: bits 0-4 the swap type, 5-54 the offset (as root). */
	ASSERT_EQ(e & 0x1f, a.swap_type);
	ASSERT_EQ((e & VMLAB_PM_PFN_MASK) >> 5, a.swap_offset);
	ASSERT_NE(0, a.swap_offset);	/* page 0 is the header */
	ASSERT_EQ(0, a.pfn);
	ASSERT_EQ(0, a.frame_id);
	ASSERT_FALSE(has(a.page, VMLAB_PAGE_VALID));
	ASSERT_TRUE(has(a.vma, VMLAB_VMA_VMLAB | VMLAB_VMA_COW | VMLAB_VMA_ANON_VMA));
	ASSERT_EQ(4, vl_smaps_kb(m, "Swap"));
	ASSERT_EQ(0, a.hidden);
	/* fork copies the swap entry; nobody sees neither type nor offset. */
	fflush(stderr);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(vi_swap_child(self->fd, m));
	ASSERT_EQ(0, vl_wait(pid));
	ASSERT_LE(swap_used0 + 4,
		  (size_t)(vmlab_meminfo_kb("SwapTotal") - vmlab_meminfo_kb("SwapFree")));

	/* The object's page: still mapped, same frame, still the module's. */
	ASSERT_EQ(obj_pfn, vl_pfn(sh));
	o = vi_page(self->fd, 0, sh);
	ASSERT_TRUE(has(o.entry, VMLAB_ENTRY_PRESENT));
	ASSERT_TRUE(has(o.page, VMLAB_PAGE_VMLAB));
	ASSERT_EQ(obj_pfn, o.pfn);
	ASSERT_EQ(0, vl_smaps_kb(sh, "Swap"));
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &st1));
	ASSERT_EQ(st0.pages_resident, st1.pages_resident);
	ASSERT_EQ(st0.pages_freed, st1.pages_freed);

	/* Swap-in: the same data in a new anonymous page. */
	ASSERT_TRUE(vl_check(m, ps, 0x5a5));
	a = vi_page(self->fd, 0, m);
	VI_CROSS_CHECK(a, m);
	ASSERT_TRUE(has(a.entry, VMLAB_ENTRY_PRESENT));
	ASSERT_EQ(VMLAB_NP_NONE, a.nonpresent);
	ASSERT_TRUE(has(a.page, VMLAB_PAGE_ANON));
	ASSERT_TRUE(vl_check(sh, ps, 0xa5a));
	munmap(m, ps);
	munmap(sh, ps);
}

/* migration_entry's other thread: move the pages between two nodes. */
struct vi_migrator {
	void **pages;
	size_t n;
	volatile int stop;
	long moves;
	int err;
};

static void *vi_migrate(void *arg)
{
	struct vi_migrator *mg = arg;
	int *nodes = calloc(mg->n, sizeof(int));
	int *status = calloc(mg->n, sizeof(int));
	int node = 1;
	size_t i;

	while (nodes && status && !mg->stop) {
		for (i = 0; i < mg->n; i++)
			nodes[i] = node;
		/* > 0: pages left where they were this time (busy): fine. */
		if (syscall(SYS_move_pages, 0, mg->n, mg->pages, nodes, status,
			    MPOL_MF_MOVE) < 0) {
			mg->err = errno;
			break;
		}
		mg->moves++;
		node ^= 1;
	}
	if (!nodes || !status)
		mg->err = ENOMEM;
	free(nodes);
	free(status);
	return NULL;
}

/*
 * Migration: one thread moves 512 anonymous pages (private copies in a
 * vmlab mapping) back and forth between two NUMA nodes with move_pages()
 * while this one inspects them, until both inspect and pagemap have
 * caught pages in the middle of a move: their PTEs then hold migration
 * entries.  Inspect must call them migration entries at the PTE level,
 * with the PFN of a real frame (kpageflags: not VMLAB_KPF_NOPAGE), and with a
 * type pagemap has shown for such entries; every other page must be
 * present and anonymous; the data must survive.
 */
#define VI_MIG_PAGES	512
#define VI_MIG_SECS	60
TEST_F_TIMEOUT(inspect, migration_entry, 120)
{
	size_t ps = self->ps, n = VI_MIG_PAGES, i;
	long sweeps = 0, by_inspect = 0, by_pagemap = 0;
	uint32_t pm_types = 0, in_types = 0;
	struct vi_migrator mg = { .n = n };
	struct vmlab_page_info *pi;
	uint64_t *pm;
	pthread_t th;
	time_t end;
	char *m;

	if (access("/sys/devices/system/node/node1", F_OK)) {
		if (vl_allow_skip())
			SKIP(return, "one NUMA node: nowhere to migrate to");
		ASSERT_TRUE(false) TH_LOG("one NUMA node (qemu-run.sh: VMLAB_NUMA_MB)");
	}
	pi = calloc(n, sizeof(*pi));
	pm = calloc(n, sizeof(*pm));
	mg.pages = calloc(n, sizeof(void *));
	ASSERT_TRUE(pi && pm && mg.pages);
	m = mmap(NULL, n * ps, PROT_READ | PROT_WRITE, MAP_PRIVATE, self->fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	ASSERT_EQ(0, madvise(m, n * ps, MADV_NOHUGEPAGE));
	vl_fill(m, n * ps, 0x316);	/* copies of the zero frame: anonymous */
	for (i = 0; i < n; i++)
		mg.pages[i] = m + i * ps;

	ASSERT_EQ(0, pthread_create(&th, NULL, vi_migrate, &mg));
	end = time(NULL) + VI_MIG_SECS;
	while ((!by_inspect || !by_pagemap) && time(NULL) < end && !mg.err) {
		if (vi_inspect(self->fd, 0, m, n, pi) ||
		    vl_pagemap_range(m, n, pm))
			break;
		sweeps++;
		for (i = 0; i < n; i++) {
			if (pm[i] & VMLAB_PM_SWAP) {
				by_pagemap++;
				pm_types |= 1U << (pm[i] & 0x1f);
			}
			if (pi[i].nonpresent != VMLAB_NP_MIGRATION)
				continue;
			by_inspect++;
			in_types |= 1U << (pi[i].swap_type & 0x1f);
			if (pi[i].level != VMLAB_LEVEL_PTE ||
			    has(pi[i].entry, VMLAB_ENTRY_PRESENT) ||
			    has(pi[i].page, VMLAB_PAGE_VALID) || pi[i].pfn ||
			    !pi[i].swap_offset ||
			    vmlab_kpf(vl_kpageflags(pi[i].swap_offset), VMLAB_KPF_NOPAGE)) {
				vi_log("migration entry", &pi[i]);
				mg.err = -1;
			}
		}
		for (i = 0; i < n && !mg.err; i++) {
			if (pi[i].nonpresent == VMLAB_NP_MIGRATION ||
			    (has(pi[i].entry, VMLAB_ENTRY_PRESENT) &&
			     has(pi[i].page, VMLAB_PAGE_ANON)))
				continue;
			vi_log("neither present nor migrating", &pi[i]);
			mg.err = -2;
		}
	}
	mg.stop = 1;
	ASSERT_EQ(0, pthread_join(th, NULL));
	TH_LOG("%ld sweeps of %zu pages, %ld moves: migration entries seen %ld times by inspect, %ld by pagemap",
	       sweeps, n, mg.moves, by_inspect, by_pagemap);
	ASSERT_EQ(0, mg.err) TH_LOG("move_pages: %s", strerror(mg.err));
	ASSERT_LT(0, mg.moves);
	ASSERT_LT(0, by_pagemap);
	ASSERT_LT(0, by_inspect);
	ASSERT_EQ(in_types, in_types & pm_types)
		TH_LOG("swap types: inspect %#x, pagemap %#x", in_types, pm_types);
	ASSERT_TRUE(vl_check(m, n * ps, 0x316));
	ASSERT_EQ(n, vl_count_present(m, n));
	munmap(m, n * ps);
	free(pi);
	free(pm);
	free(mg.pages);
}

/* PROT_NONE: present to the kernel, not to the MMU. */
TEST_F(inspect, protnone)
{
	struct vmlab_page_info p;
	size_t ps = self->ps;
	char *m;

	m = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	ASSERT_NE(MAP_FAILED, m);
	m[0] = 1;
	ASSERT_EQ(0, mprotect(m, ps, PROT_NONE));
	p = vi_page(self->fd, 0, m);
	VI_CROSS_CHECK(p, m);
	ASSERT_TRUE(has(p.entry, VMLAB_ENTRY_PRESENT | VMLAB_ENTRY_PROTNONE));
	ASSERT_FALSE(has(p.entry, VMLAB_ENTRY_WRITE));
	munmap(m, ps);
}

/* Soft-dirty: set by a write, cleared by clear_refs, as pagemap says. */
TEST_F(inspect, soft_dirty)
{
	struct vmlab_page_info p;
	size_t ps = self->ps;
	int cr;
	char *m;

	m = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	ASSERT_NE(MAP_FAILED, m);
	m[0] = 1;
	p = vi_page(self->fd, 0, m);
	VI_CROSS_CHECK(p, m);
	cr = open("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
	if (cr < 0 || !(vl_pagemap(m) & VMLAB_PM_SOFT_DIRTY))
		SKIP(goto out, "no soft-dirty tracking");
	ASSERT_TRUE(has(p.entry, VMLAB_ENTRY_SOFT_DIRTY));
	ASSERT_EQ(1, write(cr, "4", 1));
	p = vi_page(self->fd, 0, m);
	VI_CROSS_CHECK(p, m);
	ASSERT_FALSE(has(p.entry, VMLAB_ENTRY_SOFT_DIRTY));
	ASSERT_FALSE(has(p.entry, VMLAB_ENTRY_WRITE));
	m[0] = 2;
	p = vi_page(self->fd, 0, m);
	VI_CROSS_CHECK(p, m);
	ASSERT_TRUE(has(p.entry, VMLAB_ENTRY_SOFT_DIRTY | VMLAB_ENTRY_WRITE));
out:
	if (cr >= 0)
		close(cr);
	munmap(m, ps);
}

/*
 * fork: parent and child map the same anonymous frame, both read-only,
 * map count 2.  The first to write gets a copy; the other, now the only
 * mapper, reuses the original frame on its own write.
 */
TEST_F(inspect, fork_cow)
{
	struct vmlab_page_info p, c;
	struct vl_sync s;
	size_t ps = self->ps;
	uint64_t frame;
	pid_t pid;
	char *m;

	m = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	ASSERT_NE(MAP_FAILED, m);
	m[0] = 1;
	frame = vi_page(self->fd, 0, m).frame_id;
	pid = vl_sync_fork(&s);
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* Wait for the parent's look, write, wait again. */
		if (vl_wait_byte(s.to_child[0]))
			_exit(10);
		m[0] = 2;
		if (vl_sync_step(&s))
			_exit(11);
		_exit(0);
	}
	p = vi_page(self->fd, 0, m);
	c = vi_page(self->fd, pid, m);
	VI_CROSS_CHECK(p, m);
	ASSERT_EQ(frame, p.frame_id);
	ASSERT_EQ(frame, c.frame_id);
	ASSERT_EQ(vl_pfn(m), c.pfn);
	ASSERT_EQ(2, p.mapcount);
	ASSERT_FALSE(has(p.entry, VMLAB_ENTRY_WRITE));
	ASSERT_FALSE(has(c.entry, VMLAB_ENTRY_WRITE));
	ASSERT_FALSE(has(p.page, VMLAB_PAGE_ANON_EXCLUSIVE));

	/* The child writes: its own copy; ours is still read-only. */
	ASSERT_EQ(0, vl_post(s.to_child[1]));
	ASSERT_EQ(0, vl_wait_byte(s.to_parent[0]));
	c = vi_page(self->fd, pid, m);
	p = vi_page(self->fd, 0, m);
	VI_CROSS_CHECK(p, m);
	ASSERT_NE(frame, c.frame_id);
	ASSERT_TRUE(has(c.entry, VMLAB_ENTRY_WRITE));
	ASSERT_TRUE(has(c.page, VMLAB_PAGE_ANON | VMLAB_PAGE_ANON_EXCLUSIVE));
	ASSERT_EQ(vl_pagemap_pid(pid, m) & VMLAB_PM_PFN_MASK, c.pfn);
	ASSERT_EQ(frame, p.frame_id);
	ASSERT_EQ(1, p.mapcount);
	ASSERT_FALSE(has(p.entry, VMLAB_ENTRY_WRITE));

	/*
	 * We write: the frame is ours alone now, and is reused unless a
	 * per-CPU LRU batch still holds a reference to it.
	 */
	m[0] = 3;
	p = vi_page(self->fd, 0, m);
	VI_CROSS_CHECK(p, m);
	ASSERT_TRUE(has(p.entry, VMLAB_ENTRY_WRITE));
	ASSERT_TRUE(has(p.page, VMLAB_PAGE_ANON_EXCLUSIVE));
	if (p.frame_id != frame)
		TH_LOG("the parent's write copied the frame");
	ASSERT_EQ(0, vl_post(s.to_child[1]));
	ASSERT_EQ(0, vl_wait(pid));
	vl_sync_close(&s);
	munmap(m, ps);
}

/* A 2 MiB THP is a PMD leaf: every one of its pages reports it. */
TEST_F(inspect, thp_pmd_leaf)
{
	size_t ps = self->ps, huge = 2 * VL_MiB, i;
	struct vmlab_page_info *pi;
	char *m, *h;

	pi = calloc(512, sizeof(*pi));
	ASSERT_NE(NULL, pi);
	m = mmap(NULL, 2 * huge, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, m);
	h = (char *)(((uintptr_t)m + huge - 1) & ~(huge - 1));
	madvise(h, huge, MADV_HUGEPAGE);
	h[0] = 1;
	ASSERT_EQ(0, vi_inspect(self->fd, 0, h, 512, pi));
	if (pi[0].level != VMLAB_LEVEL_PMD) {
		unsigned long long level = pi[0].level;

		free(pi);
		munmap(m, 2 * huge);
		SKIP(return, "no THP here (level %llu)", level);
	}
	for (i = 0; i < 512; i += 37) {
		VI_CROSS_CHECK(pi[i], h + i * ps);
		ASSERT_EQ(VMLAB_LEVEL_PMD, pi[i].level);
		ASSERT_TRUE(has(pi[i].entry, VMLAB_ENTRY_LEAF | VMLAB_ENTRY_WRITE));
		ASSERT_TRUE(has(pi[i].page, VMLAB_PAGE_LARGE | VMLAB_PAGE_ANON));
		ASSERT_FALSE(has(pi[i].walk, VMLAB_WALK_PMD));
		ASSERT_EQ(512, pi[i].folio_pages);
		ASSERT_EQ(pi[0].pfn + i, pi[i].pfn);
	}
	free(pi);
	munmap(m, 2 * huge);
}

/* Set /proc/sys/vm/nr_hugepages (of the default size); the old value. */
static long vi_nr_hugepages(long n)
{
	char buf[32];
	long old = -1;
	int fd = open("/proc/sys/vm/nr_hugepages", O_RDWR | O_CLOEXEC);
	ssize_t r;

	if (fd < 0)
		return -1;
	r = read(fd, buf, sizeof(buf) - 1);
	if (r > 0) {
		buf[r] = 0;
		old = strtol(buf, NULL, 10);
		snprintf(buf, sizeof(buf), "%ld", n);
		if (pwrite(fd, buf, strlen(buf), 0) < 0)
			old = -1;
	}
	close(fd);
	return old;
}

/*
 * hugetlbfs: a private huge page is a leaf of its size (PMD for 2 MiB, PUD
 * for 1 GiB), walked like THP; a shared one is not walked, as hugetlb may
 * share its page tables between processes.
 */
#define VI_PUD_FORKS	6	/* forks for a child with the 1 GiB entry */

/* Has this kernel ptdesc's pt_share_count (6.13 on), and so the bug below? */
static bool vi_pt_share_count_kernel(void)
{
	struct utsname u;
	int major, minor;

	if (uname(&u) || sscanf(u.release, "%d.%d", &major, &minor) != 2)
		return false;
	return major > 6 || (major == 6 && minor >= 13);
}

static void vi_hugetlb(struct __test_metadata *_metadata, int fd,
		       size_t size, int flags, uint64_t level)
{
	size_t ps = vmlab_page_size(), n = size / ps, i;
	struct vmlab_page_info p, *pi;
	int hold[2], tries, nstale = 0, stale_fd[VI_PUD_FORKS];
	pid_t pid, stale[VI_PUD_FORKS];
	char *m, c;

	m = mmap(NULL, size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | flags, -1, 0);
	ASSERT_NE(MAP_FAILED, m);
	m[0] = 1;
	pi = calloc(1, sizeof(*pi));
	ASSERT_NE(NULL, pi);
	/*
	 * Freshly written, the page is ours alone: anonymous-exclusive in
	 * every one of its base pages, head and tails (the kernel keeps the
	 * bit on the head only), as pagemap's exclusive bit says.
	 */
	for (i = 0; i < n; i += n / 4 - 1) {
		*pi = vi_page(fd, 0, m + i * ps);
		VI_CROSS_CHECK(*pi, m + i * ps);
		ASSERT_EQ(level, pi->level);
		ASSERT_TRUE(has(pi->vma, VMLAB_VMA_HUGETLB | VMLAB_VMA_COW));
		ASSERT_TRUE(has(pi->entry, VMLAB_ENTRY_LEAF | VMLAB_ENTRY_WRITE));
		ASSERT_TRUE(has(pi->page, VMLAB_PAGE_HUGETLB | VMLAB_PAGE_LARGE |
				VMLAB_PAGE_ANON));
		ASSERT_EQ(n, pi->folio_pages);
		ASSERT_EQ(vl_pfn(m) + i, pi->pfn);
		/*
		 * pagemap's exclusive bit of a 1 GiB page was clear on the
		 * debug kernel (6.12 with DEBUG_VM) and set on Debian's 6.12:
		 * held against it for 2 MiB pages only.
		 */
		if (level == VMLAB_LEVEL_PMD)
			ASSERT_TRUE(pm_exclusive(vl_pagemap(m + i * ps)));
		ASSERT_TRUE(has(pi->page, VMLAB_PAGE_ANON_EXCLUSIVE))
			TH_LOG("base page %zu of the huge page: not exclusive", i);
	}
	/*
	 * After fork parent and child share it: exclusive nowhere, and the
	 * child reads the parent's byte through it.
	 *
	 * 7.x kernels may leave the child without the 1 GiB entry:
	 * copy_hugetlb_page_range() skips a destination it takes for a shared
	 * PMD table (ptdesc_pmd_is_shared()), and for a 1 GiB page that is
	 * the child's PUD table, whose share count pagetable_pud_ctor() never
	 * sets: a stale number left in the page's struct by its last user
	 * reads as "shared" (seen here about one fork in three after other
	 * programs had run; the child then dies of SIGBUS at the address).
	 * That kernel bug is named in the log and the fork tried again.  The
	 * child that missed its entry lives on until the end of the test: it
	 * holds its PUD table's page, so that the next fork gets another
	 * page (a child that exits frees it, and the next fork got the same
	 * page, stale number and all: four misses in a row in CI).  Seen on
	 * 7.3 even so: six misses in a row, each with a new table page, once
	 * the freed pages all carried stale numbers.  Then, on a kernel with
	 * pt_share_count, the state this part checks cannot be made: the
	 * test says so and skips it (the parent's side was checked above).
	 * 2 MiB pages (PMD tables, whose count is set) must get it the first
	 * time, and on older kernels so must 1 GiB pages.
	 */
	for (tries = 1;; tries++) {
		ASSERT_EQ(0, pipe2(hold, O_CLOEXEC));
		fflush(stderr);
		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0) {
			close(hold[1]);
			if (read(hold[0], &c, 1) != 1)
				_exit(0);
			_exit(*(volatile char *)m);	/* asked: what is at m[0]? */
		}
		close(hold[0]);
		if (level != VMLAB_LEVEL_PUD || tries == VI_PUD_FORKS ||
		    pm_present(vl_pagemap_pid(pid, m)))
			break;
		*pi = vi_page(fd, 0, m);
		TH_LOG("fork %d: the child has no entry for the 1 GiB page (our map count %llu): the kernel's bug above; forking again",
		       tries, (unsigned long long)pi->mapcount);
		stale[nstale] = pid;		/* kept: see above */
		stale_fd[nstale++] = hold[1];
	}
	if (level == VMLAB_LEVEL_PUD && !pm_present(vl_pagemap_pid(pid, m)) &&
	    vi_pt_share_count_kernel()) {
		stale[nstale] = pid;
		stale_fd[nstale++] = hold[1];
		while (nstale--) {
			close(stale_fd[nstale]);
			ASSERT_EQ(0, vl_wait(stale[nstale]));
		}
		free(pi);
		munmap(m, size);
		SKIP(return, "%d forks, and no child got the 1 GiB entry: the kernel's stale pt_share_count (copy_hugetlb_page_range() on a PUD table), not vmlab; the shared 1 GiB page after fork is not checked",
		     VI_PUD_FORKS);
	}
	for (i = 0; i < n; i += n / 4 - 1) {
		*pi = vi_page(fd, 0, m + i * ps);
		VI_CROSS_CHECK(*pi, m + i * ps);
		ASSERT_EQ(2, pi->mapcount)
			TH_LOG("base page %zu: child %s, its pagemap %#llx, ours %#llx, pfn %#llx",
			       i, kill(pid, 0) ? "gone" : "alive",
			       (unsigned long long)vl_pagemap_pid(pid, m + i * ps),
			       (unsigned long long)vl_pagemap(m + i * ps),
			       (unsigned long long)pi->pfn);
		ASSERT_TRUE(pm_present(vl_pagemap_pid(pid, m + i * ps)));
		ASSERT_EQ(pi->pfn, pm_pfn(vl_pagemap_pid(pid, m + i * ps)));
		ASSERT_FALSE(pm_exclusive(vl_pagemap(m + i * ps)));
		ASSERT_FALSE(has(pi->page, VMLAB_PAGE_ANON_EXCLUSIVE))
			TH_LOG("base page %zu of the huge page: exclusive after fork", i);
		ASSERT_FALSE(has(pi->entry, VMLAB_ENTRY_WRITE));
	}
	c = 'r';
	ASSERT_EQ(1, write(hold[1], &c, 1));
	close(hold[1]);
	ASSERT_EQ(1, vl_wait(pid)) TH_LOG("the child did not read the parent's 1 at m[0]");
	while (nstale--) {
		close(stale_fd[nstale]);	/* end of file: it exits 0 */
		ASSERT_EQ(0, vl_wait(stale[nstale]));
	}
	free(pi);
	munmap(m, size);

	m = mmap(NULL, size, PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS | MAP_HUGETLB | flags, -1, 0);
	ASSERT_NE(MAP_FAILED, m);
	m[0] = 1;
	p = vi_page(fd, 0, m);
	ASSERT_TRUE(has(p.walk, VMLAB_WALK_VMA | VMLAB_WALK_SKIPPED));
	ASSERT_EQ(VMLAB_LEVEL_NONE, p.level);
	ASSERT_EQ(0, p.frame_id);
	munmap(m, size);
}

TEST_F(inspect, hugetlb_pmd)
{
	long old = vi_nr_hugepages(2);

	if (old < 0)
		SKIP(return, "no hugetlbfs");
	vi_hugetlb(_metadata, self->fd, 2 * VL_MiB, 21 << MAP_HUGE_SHIFT,
		   VMLAB_LEVEL_PMD);
	vi_nr_hugepages(old);
}

/* Only with 1 GiB pages reserved at boot (hugepagesz=1G hugepages=1). */
TEST_F_TIMEOUT(inspect, hugetlb_pud, 300)
{
	const char *nr = "/sys/kernel/mm/hugepages/hugepages-1048576kB/free_hugepages";
	char buf[16] = "";
	int fd = open(nr, O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (read(fd, buf, sizeof(buf) - 1) < 0)
			buf[0] = 0;
		close(fd);
	}
	if (atoi(buf) < 1)
		SKIP(return, "no free 1 GiB huge page");
	vi_hugetlb(_metadata, self->fd, 1024 * VL_MiB, 30 << MAP_HUGE_SHIFT,
		   VMLAB_LEVEL_PUD);
}

/*
 * From another pid namespace pids are that namespace's: our own pid there
 * is 1, and a pid of the parent namespace does not exist.
 */
static int pidns_child(int fd, pid_t outer)
{
	struct vmlab_page_info p;
	pid_t pid;

	if (unshare(CLONE_NEWPID))
		return 10;
	pid = fork();
	if (pid < 0)
		return 11;
	if (pid == 0) {
		char *here = (char *)((uintptr_t)&p & ~(uintptr_t)(vmlab_page_size() - 1));

		if (getpid() != 1)
			_exit(12);
		if (vi_inspect(fd, 1, here, 1, &p) || !has(p.walk, VMLAB_WALK_VMA))
			_exit(13);
		if (vi_inspect(fd, outer, here, 1, &p) == 0 || errno != ESRCH)
			_exit(14);
		_exit(0);
	}
	return vl_wait(pid);
}

TEST_F(inspect, pid_namespace)
{
	pid_t pid;

	fflush(stderr);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(pidns_child(self->fd, getppid()));
	ASSERT_EQ(0, vl_wait(pid));
}

/* Exited, reaped, zombie and never-existing processes: ESRCH. */
TEST_F(inspect, gone_processes)
{
	struct vmlab_page_info p;
	siginfo_t si;
	void *here;
	pid_t pid;
	int st;

	here = (void *)((uintptr_t)&p & ~(uintptr_t)(self->ps - 1));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(0);
	/* A zombie has no address space left. */
	ASSERT_EQ(0, waitid(P_PID, pid, &si, WEXITED | WNOWAIT));
	errno = 0;
	ASSERT_EQ(-1, vi_inspect(self->fd, pid, here, 1, &p));
	ASSERT_EQ(ESRCH, errno);
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	errno = 0;
	ASSERT_EQ(-1, vi_inspect(self->fd, pid, here, 1, &p));
	ASSERT_EQ(ESRCH, errno);
	errno = 0;
	ASSERT_EQ(-1, vi_inspect(self->fd, 0x3fffffff, here, 1, &p));
	ASSERT_EQ(ESRCH, errno);
	/* Ourselves by pid, as by 0. */
	ASSERT_EQ(0, vi_inspect(self->fd, getpid(), here, 1, &p));
	ASSERT_TRUE(has(p.walk, VMLAB_WALK_VMA));
}

/*
 * Inspecting a process while it exits: every call either succeeds or
 * fails with ESRCH, and nothing leaks (the runner checks memory).
 */
TEST_F(inspect, pid_exits_mid_call)
{
	struct vmlab_page_info *pi = calloc(VMLAB_INSPECT_MAX_PAGES, sizeof(*pi));
	size_t ps = self->ps;
	int round, ok = 0, gone = 0;
	char *m;

	ASSERT_NE(NULL, pi);
	m = mmap(NULL, VMLAB_INSPECT_MAX_PAGES * ps, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	ASSERT_NE(MAP_FAILED, m);
	for (round = 0; round < 20; round++) {
		pid_t pid = fork();

		ASSERT_LE(0, pid);
		if (pid == 0) {
			usleep(round * 300);
			_exit(0);
		}
		for (;;) {
			siginfo_t si = { 0 };
			bool exited;

			ASSERT_EQ(0, waitid(P_PID, pid, &si,
					    WEXITED | WNOHANG | WNOWAIT));
			exited = si.si_pid == pid;
			if (vi_inspect(self->fd, pid, m, VMLAB_INSPECT_MAX_PAGES,
				       pi)) {
				ASSERT_EQ(ESRCH, errno);
				gone++;
				break;
			}
			/* A zombie has no address space to inspect. */
			ASSERT_FALSE(exited);
			ok++;
		}
		ASSERT_EQ(0, vl_wait(pid));
	}
	TH_LOG("%d calls while alive, %d after the exit", ok, gone);
	free(pi);
	munmap(m, VMLAB_INSPECT_MAX_PAGES * ps);
}

/* The request good with field set to value fails with err (0: succeeds). */
#define VI_BAD(err, field, value) do {					\
	req = good;							\
	req.field = (value);						\
	ASSERT_EQ(err, vi_errno(self->fd, &req))			\
		TH_LOG("%s = %s", #field, #value);			\
} while (0)

/* Bad requests: EINVAL; bad pointers: EFAULT. */
TEST_F(inspect, bad_input)
{
	struct vmlab_page_info pi[2];
	struct vmlab_inspect req, good = {
		.addr = (uintptr_t)pi & ~(uintptr_t)(self->ps - 1),
		.npages = 1,
		.pages = (uintptr_t)pi,
		.info_size = sizeof(pi[0]),
	};
	char *ro;

	req = good;
	ASSERT_EQ(0, vi_errno(self->fd, &req));
	VI_BAD(EINVAL, npages, 0);
	VI_BAD(EINVAL, npages, VMLAB_INSPECT_MAX_PAGES + 1);
	VI_BAD(EINVAL, npages, ~0ULL);
	VI_BAD(EINVAL, addr, good.addr + 1);
	VI_BAD(EINVAL, addr, 0xffff800000000000ULL);	/* kernel */
	VI_BAD(EINVAL, addr, 0xffffffffffffe000ULL);	/* wraps */
	VI_BAD(EINVAL, info_size, sizeof(pi[0]) - 8);
	VI_BAD(EINVAL, flags, 1);
	VI_BAD(EINVAL, reserved[3], 1);
	VI_BAD(EINVAL, pid, -1ULL);
	VI_BAD(EINVAL, pid, 1ULL << 32);
	/* The last user page (4- or 5-level paging) is fine: no VMA. */
	VI_BAD(0, addr, 0x00007fffffffe000ULL);
	ASSERT_EQ(0, pi[0].walk);

	/* Results to a bad or read-only buffer, a bad argument. */
	VI_BAD(EFAULT, pages, 16);
	VI_BAD(EFAULT, pages, 0xffff888000000000ULL);
	ro = mmap(NULL, self->ps, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	VI_BAD(EFAULT, pages, (uintptr_t)ro);
	munmap(ro, self->ps);
	errno = 0;
	ASSERT_EQ(-1, ioctl(self->fd, VMLAB_IOC_INSPECT, (void *)16));
	ASSERT_EQ(EFAULT, errno);
	errno = 0;
	ASSERT_EQ(-1, ioctl(self->fd, _IOWR(VMLAB_IOC_MAGIC, 0x7f, struct vmlab_inspect),
			    &req));
	ASSERT_EQ(ENOTTY, errno);
}

VL_TEST_MAIN
