// SPDX-License-Identifier: GPL-2.0
/*
 * vmlab_hwpoison: hardware memory errors in the frames behind holes.
 * Root only, and CONFIG_MEMORY_FAILURE (Debian's kernels have it).
 *
 * source_pages: a private write at a hole copies zeros from a page of the
 * module's own, one per CPU, that is never mapped.  The vmlab_fault
 * tracepoint names it (outcome=zero, in a tracefs instance of our own).
 * On each CPU (sched_setaffinity) such a write gives zeros; then the
 * source page of the first CPU is poisoned as a memory error would
 * (/sys/devices/system/memory/hard_offline_page: memory_failure()), which
 * kpageflags shows (HWPOISON); the next private write on that CPU still
 * gives zeros, and the tracepoint names another source page, not poisoned.
 *
 * zero_page: a private read of a hole maps the kernel's zero page; root's
 * MADV_HWPOISON there poisons that page (kpageflags HWPOISON) for the rest
 * of the system's life.  Then more hole faults (private and shared, read
 * and write), fills under private readers (write(), a shared store, a huge
 * fill), RESET, and unloading and loading the module again (VMLAB_KO):
 * no oops, right data everywhere.
 *
 * The zero page stays poisoned: this program must be the last of a guest
 * (scripts/guest/guest-init.sh runs it after all others), and the runner
 * accepts the kernel's memory-failure lines in its output only (see
 * MF_ALLOWED in scripts/guest/kernel-reports.sh).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "kselftest_harness.h"
#include "vmlab_util.h"

#ifndef MADV_HWPOISON
#define MADV_HWPOISON		100
#endif

#define TRACEFS		"/sys/kernel/tracing"
#define INSTANCE	TRACEFS "/instances/vmlab-hwpoison"
#define HARD_OFFLINE	"/sys/devices/system/memory/hard_offline_page"
#define MAX_CPUS	8

static int write_str(const char *path, const char *s, int flags)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC | flags);
	ssize_t n;
	int err;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	err = n == (ssize_t)strlen(s) ? 0 : n < 0 ? -errno : -EIO;
	close(fd);
	return err;
}

/* The CPUs we may run on, up to max; their number. */
static int our_cpus(int *cpu, int max)
{
	cpu_set_t set;
	int c, n = 0;

	if (sched_getaffinity(0, sizeof(set), &set))
		return 0;
	for (c = 0; c < CPU_SETSIZE && n < max; c++)
		if (CPU_ISSET(c, &set))
			cpu[n++] = c;
	return n;
}

static int pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

/* Our trace instance with the vmlab_fault event on; 0 or -errno. */
static int trace_on(void)
{
	int err;

	if (mkdir(INSTANCE, 0755) && errno != EEXIST)
		return -errno;
	err = write_str(INSTANCE "/events/vmlab/vmlab_fault/enable", "1", 0);
	if (!err)
		err = write_str(INSTANCE "/tracing_on", "1", 0);
	return err;
}

static void trace_off(void)
{
	write_str(INSTANCE "/tracing_on", "0", 0);
	write_str(INSTANCE "/events/vmlab/vmlab_fault/enable", "0", 0);
	rmdir(INSTANCE);
}

static void trace_clear(void)
{
	write_str(INSTANCE "/trace", "", O_TRUNC);
}

/*
 * The PFN of the vmlab_fault event "private write outcome=zero" at addr
 * in the instance's buffer (the source page the zeros came from); 0 if
 * there is no such event.
 */
static uint64_t trace_src_pfn(const void *addr)
{
	char line[512], key[64];
	unsigned long long pfn = 0;
	FILE *f = fopen(INSTANCE "/trace", "re");
	const char *p;

	if (!f)
		return 0;
	snprintf(key, sizeof(key), "address=0x%lx ", (unsigned long)(uintptr_t)addr);
	while (fgets(line, sizeof(line), f)) {
		if (!strstr(line, "vmlab_fault:") || !strstr(line, key))
			continue;
		p = strstr(line, " private write outcome=zero pfn=0x");
		if (p && sscanf(p, " private write outcome=zero pfn=0x%llx", &pfn) == 1)
			break;
	}
	fclose(f);
	return pfn;
}

/* Is pfn a page of the module's for zeros: in use, mapped nowhere, no LRU, not anonymous? */
static bool src_like(uint64_t pfn)
{
	uint64_t fl = vl_kpageflags(pfn);

	return pfn && fl != ~0ULL && !vmlab_kpf(fl, VMLAB_KPF_ANON) &&
	       !vmlab_kpf(fl, VMLAB_KPF_LRU) && !vmlab_kpf(fl, VMLAB_KPF_BUDDY) &&
	       !vmlab_kpf(fl, VMLAB_KPF_NOPAGE) && !vmlab_kpf(fl, VMLAB_KPF_ZERO_PAGE) &&
	       vl_kpagecount(pfn) == 0;
}

/* Is the anonymous page at p all zeros but the byte at off, which is v? */
static bool zeros_but(const char *p, size_t off, char v)
{
	size_t ps = vmlab_page_size();

	return p[off] == v && vl_is_zero(p, off) && vl_is_zero(p + off + 1, ps - off - 1);
}

FIXTURE(hwpoison)
{
	int fd;
	size_t ps;
	struct vmlab_stats st;
	uint64_t zero;
	long fault_around;	/* the kernel's, before the test */
};

FIXTURE_SETUP(hwpoison)
{
	self->ps = vmlab_page_size();
	VL_SETUP_DEVICE(self->fd, self->st);
	VL_NEED_PAGES(self->st, 2048);
	VL_SETUP_NO_FAULT_AROUND(self->fault_around);
	self->zero = vmlab_zero_pfn();
	ASSERT_NE(0, self->zero) TH_LOG("no zero page found (pagemap, kpageflags)");
}

FIXTURE_TEARDOWN(hwpoison)
{
	vl_fault_around_restore(self->fault_around);
	if (self->fd >= 0)
		close(self->fd);
}

/*
 * A private write at a hole on CPU cpu, at page pg of m: the page must
 * read zeros but for the byte written, be anonymous, and the trace must
 * name the source page; its PFN, or 0 with *why set.
 */
static uint64_t write_hole(char *m, size_t pg, int cpu, const char **why)
{
	size_t ps = vmlab_page_size();
	char *p = m + pg * ps;
	uint64_t src;

	*why = NULL;
	if (pin(cpu)) {
		*why = "sched_setaffinity failed";
		return 0;
	}
	trace_clear();
	p[123] = (char)(0x40 + cpu);
	if (!zeros_but(p, 123, (char)(0x40 + cpu))) {
		*why = "the new private page is not zeros";
		return 0;
	}
	if (!vmlab_kpf(vl_kpageflags(vl_pfn(p)), VMLAB_KPF_ANON)) {
		*why = "the new private page is not anonymous";
		return 0;
	}
	src = trace_src_pfn(p);
	if (!src)
		*why = "no vmlab_fault event \"private write outcome=zero\" for it";
	return src;
}

/*
 * The module's per-CPU zero source pages: each CPU's private write at a
 * hole gives zeros from its page; a poisoned one is never used again.
 */
TEST_F(hwpoison, source_pages)
{
	size_t ps = self->ps, pg = 0;
	uint64_t src[MAX_CPUS], again, fresh;
	int cpu[MAX_CPUS], n, c, d, err;
	const char *why;
	char addr[32];
	char *m;

	if (access(HARD_OFFLINE, W_OK))
		SKIP(return, "%s: %s (CONFIG_MEMORY_FAILURE and CONFIG_MEMORY_HOTPLUG)",
		     HARD_OFFLINE, strerror(errno));
	n = our_cpus(cpu, MAX_CPUS);
	ASSERT_LT(0, n);
	err = trace_on();
	ASSERT_EQ(0, err) TH_LOG("tracefs instance %s: %s", INSTANCE, strerror(-err));
	m = mmap(NULL, 256 * ps, PROT_READ | PROT_WRITE, MAP_PRIVATE, self->fd, 0);
	ASSERT_NE(MAP_FAILED, m);

	for (c = 0; c < n; c++) {
		src[c] = write_hole(m, pg++, cpu[c], &why);
		ASSERT_NE(0, src[c]) TH_LOG("CPU %d: %s", cpu[c], why);
		TH_LOG("CPU %d: zeros from PFN %#llx", cpu[c], (unsigned long long)src[c]);
		ASSERT_TRUE(src_like(src[c])) TH_LOG("PFN %#llx: kpageflags %#llx kpagecount %lld",
						     (unsigned long long)src[c],
						     (unsigned long long)vl_kpageflags(src[c]),
						     (long long)vl_kpagecount(src[c]));
		ASSERT_FALSE(vmlab_kpf(vl_kpageflags(src[c]), VMLAB_KPF_HWPOISON));
		/* The same CPU, the same page. */
		again = write_hole(m, pg++, cpu[c], &why);
		ASSERT_EQ(src[c], again) TH_LOG("CPU %d: %s", cpu[c], why ? why : "another page");
		for (d = 0; d < c; d++) {
			ASSERT_NE(src[d], src[c]) TH_LOG("CPUs %d and %d share a source page",
							 cpu[d], cpu[c]);
		}
	}

	/* A memory error in the first CPU's source page. */
	snprintf(addr, sizeof(addr), "%#llx", (unsigned long long)(src[0] * ps));
	err = write_str(HARD_OFFLINE, addr, 0);
	TH_LOG("%s <- %s: %s (the kernel cannot take a page from its owner: EBUSY)",
	       HARD_OFFLINE, addr, err ? strerror(-err) : "done");
	ASSERT_TRUE(vmlab_kpf(vl_kpageflags(src[0]), VMLAB_KPF_HWPOISON))
		TH_LOG("PFN %#llx not poisoned: kpageflags %#llx", (unsigned long long)src[0],
		       (unsigned long long)vl_kpageflags(src[0]));

	/* That CPU's next private write: zeros, from another page. */
	fresh = write_hole(m, pg++, cpu[0], &why);
	ASSERT_NE(0, fresh) TH_LOG("CPU %d after the poison: %s", cpu[0], why);
	TH_LOG("CPU %d after the poison: zeros from PFN %#llx", cpu[0],
	       (unsigned long long)fresh);
	ASSERT_NE(src[0], fresh);
	ASSERT_TRUE(src_like(fresh));
	ASSERT_FALSE(vmlab_kpf(vl_kpageflags(fresh), VMLAB_KPF_HWPOISON));
	ASSERT_EQ(fresh, write_hole(m, pg++, cpu[0], &why)) TH_LOG("%s", why ? why : "");
	/* The other CPUs go on with theirs. */
	for (c = 1; c < n; c++)
		ASSERT_EQ(src[c], write_hole(m, pg++, cpu[c], &why));
	trace_off();
	munmap(m, 256 * ps);
}

/* Unload and load the module again, as vmlab_reload does; 0 or -errno. */
static int reload(void)
{
	const char *ko = getenv("VMLAB_KO"), *params = getenv("VMLAB_PARAMS");
	int kofd, err = 0, i;

	for (i = 0; i < 50; i++) {
		if (!syscall(SYS_delete_module, "vmlab", O_NONBLOCK))
			break;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -errno;
		usleep(100000);
	}
	if (i == 50)
		return -EBUSY;
	kofd = open(ko, O_RDONLY | O_CLOEXEC);
	if (kofd < 0)
		return -errno;
	if (syscall(SYS_finit_module, kofd, params ? params : "", 0))
		err = -errno;
	close(kofd);
	return err;
}

/*
 * Poison the kernel's zero page through a private zero entry of vmlab's
 * (MADV_HWPOISON, root), then use every path that maps holes.  Last:
 * the zero page stays poisoned.
 */
TEST_F_TIMEOUT(hwpoison, zero_page, 300)
{
	size_t ps = self->ps, n = 512, i;
	size_t huge = 2 * VL_MiB;
	struct vmlab_page_info pi;
	struct vmlab_stats a, b;
	char *pv, *pv2, *sh, *an, buf[64];
	uint64_t freed, e, hole;
	int r, err;

	if (!getenv("VMLAB_KO"))
		SKIP(return, "VMLAB_KO is not set: the test cannot load the module again");
	ASSERT_FALSE(vmlab_kpf(vl_kpageflags(self->zero), VMLAB_KPF_HWPOISON))
		TH_LOG("the zero page is poisoned already: this must be the guest's last test");

	pv = mmap(NULL, 2 * huge, PROT_READ | PROT_WRITE, MAP_PRIVATE, self->fd, 0);
	ASSERT_NE(MAP_FAILED, pv);
	ASSERT_EQ(0, pv[5 * ps]);
	/*
	 * The frame the hole maps, whatever it is (the kernel's zero page;
	 * the old module's own zero frame, whose poison took the guest down
	 * at the next hole fault): checked after the faults that follow.
	 */
	hole = vl_pfn(pv + 5 * ps);
	ASSERT_NE(0, hole);

	/* The memory error, as root injects one. */
	errno = 0;
	r = madvise(pv + 5 * ps, ps, MADV_HWPOISON);
	err = r ? errno : 0;
	TH_LOG("MADV_HWPOISON on the zero entry: %s (the zero page is the kernel's own: "
	       "memory_failure() ignores it, EBUSY)", err ? strerror(err) : "done");
	if (err == EINVAL)
		SKIP(return, "MADV_HWPOISON: EINVAL (no CONFIG_MEMORY_FAILURE)");
	ASSERT_TRUE(vmlab_kpf(vl_kpageflags(hole), VMLAB_KPF_HWPOISON))
		TH_LOG("PFN %#llx not poisoned: kpageflags %#llx", (unsigned long long)hole,
		       (unsigned long long)vl_kpageflags(hole));

	/* Private reads of holes: the zero page, as ever. */
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	for (i = 0; i < n; i++) {
		ASSERT_TRUE(vl_is_zero(pv + i * ps, ps)) TH_LOG("page %zu", i);
	}
	ASSERT_EQ(hole, vl_pfn(pv + 7 * ps));
	ASSERT_EQ(self->zero, hole) TH_LOG("the hole maps PFN %#llx, not the zero page",
					   (unsigned long long)hole);
	ASSERT_EQ(0, vl_inspect_one(self->fd, pv + 7 * ps, &pi));
	ASSERT_TRUE(pi.page & VMLAB_PAGE_ZERO);
	ASSERT_TRUE(pi.entry & VMLAB_ENTRY_SPECIAL);
	/* Private writes of holes: zeros, anonymous. */
	for (i = n; i < n + 64; i++) {
		pv[i * ps + 1] = 7;
		ASSERT_TRUE(zeros_but(pv + i * ps, 1, 7)) TH_LOG("page %zu", i);
	}
	/* A store over a zero entry: the kernel copies zeros. */
	pv[9 * ps] = 3;
	ASSERT_TRUE(zeros_but(pv + 9 * ps, 0, 3));
	ASSERT_TRUE(vmlab_kpf(vl_kpageflags(vl_pfn(pv + 9 * ps)), VMLAB_KPF_ANON));
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
	vl_stats_log("after the poison", &a, &b);
	/* Page 5 was mapped before the poison: it takes no fault. */
	ASSERT_EQ(n - 1, VL_D(a, b, fault_private_read));
	ASSERT_EQ(64, VL_D(a, b, fault_private_write));
	ASSERT_EQ(n - 1 + 64, VL_D(a, b, zero_frame_maps));

	/* Anonymous memory reads the poisoned zero page too (the kernel's way). */
	an = mmap(NULL, ps, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, an);
	ASSERT_EQ(0, an[0]);
	ASSERT_EQ(self->zero, vl_pfn(an));
	munmap(an, ps);

	/* Fills under the private readers: write(), a shared store, a huge fill. */
	pv2 = mmap(NULL, 2 * huge, PROT_READ, MAP_PRIVATE, self->fd, 0);
	ASSERT_NE(MAP_FAILED, pv2);
	for (i = 0; i < 2 * huge / ps; i += 64)
		ASSERT_EQ(0, pv2[i * ps]);
	vl_fill(buf, sizeof(buf), 77);
	ASSERT_EQ((ssize_t)sizeof(buf), pwrite(self->fd, buf, sizeof(buf), 7 * ps));
	ASSERT_FALSE(pm_present(vl_pagemap(pv + 7 * ps)));
	ASSERT_TRUE(vl_check(pv + 7 * ps, sizeof(buf), 77));
	sh = mmap(NULL, 2 * huge, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, sh);
	vl_fill(sh + 11 * ps, 64, 78);
	ASSERT_TRUE(vl_check(pv + 11 * ps, 64, 78));
	ASSERT_TRUE(vl_check(pv2 + 11 * ps, 64, 78));
	/* The second 2 MiB: pv2 has zero entries at every 64th page. */
	ASSERT_EQ(0, (uintptr_t)sh % huge) TH_LOG("get_unmapped_area did not align");
	ASSERT_EQ(0, madvise(sh + huge, huge, MADV_HUGEPAGE));
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &a));
	sh[huge + 64 * ps] = 5;
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &b));
	ASSERT_EQ(huge / ps, VL_D(a, b, pages_allocated)) TH_LOG("no huge fill");
	for (i = huge / ps; i < 2 * huge / ps; i += 64) {
		ASSERT_FALSE(pm_present(vl_pagemap(pv2 + i * ps))) TH_LOG("page %zu", i);
	}
	ASSERT_EQ(5, pv2[huge + 64 * ps]);
	ASSERT_TRUE(vl_is_zero(pv2 + huge, ps));
	e = vl_pagemap(pv2 + huge);
	ASSERT_TRUE(pm_file(e));
	ASSERT_NE(self->zero, pm_pfn(e));
	/* Shared faults at holes: pages of the object, zeroed. */
	ASSERT_TRUE(vl_is_zero(sh + 20 * ps, ps));
	sh[21 * ps] = 1;
	ASSERT_TRUE(pm_file(vl_pagemap(sh + 20 * ps)));

	/* RESET: every page goes; the holes read zeros again. */
	ASSERT_EQ(0, vmlab_reset(self->fd, &freed));
	ASSERT_LT(0, freed);
	ASSERT_TRUE(vl_is_zero(pv2 + 11 * ps, ps));
	ASSERT_EQ(self->zero, vl_pfn(pv2 + 11 * ps));
	ASSERT_TRUE(vl_is_zero(sh + 11 * ps, ps));
	munmap(pv, 2 * huge);
	munmap(pv2, 2 * huge);
	munmap(sh, 2 * huge);
	close(self->fd);
	self->fd = -1;

	/* Unload (the source pages go back, a poisoned one stays out) and load. */
	err = reload();
	ASSERT_EQ(0, err) TH_LOG("unload and load: %s", strerror(-err));
	self->fd = vmlab_open(O_RDWR);
	ASSERT_LE(0, self->fd);
	pv = mmap(NULL, 16 * ps, PROT_READ | PROT_WRITE, MAP_PRIVATE, self->fd, 0);
	ASSERT_NE(MAP_FAILED, pv);
	ASSERT_EQ(0, pv[0]);
	ASSERT_EQ(self->zero, vl_pfn(pv));
	pv[ps] = 1;
	ASSERT_TRUE(zeros_but(pv + ps, 0, 1));
	munmap(pv, 16 * ps);
}

VL_TEST_MAIN
