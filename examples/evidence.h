/* SPDX-License-Identifier: GPL-2.0 */
/*
 * evidence.h: what the kernel itself says about memory, for the examples.
 *
 * Every function reads one of the kernel's own reports and nothing else:
 *
 *   /proc/self/pagemap	 one 64-bit entry per virtual page: present?
 *			 swapped? and the page frame number (PFN), which
 *			 only root (CAP_SYS_ADMIN) sees; others read 0
 *   /proc/kpagecount	 per PFN: how many page tables map that frame (root)
 *   /proc/kpageflags	 per PFN: the frame's flags, KPF_* (root)
 *   /proc/self/smaps	 per mapping: Rss, Private_Dirty, Swap... in kB
 *   /proc/self/maps	 one line per mapping (VMA)
 *   getrusage()	 the process's minor and major page faults
 *   VMLAB_IOC_STATS	 what vmlab's fault handlers did (linux/vmlab.h)
 *
 * And a little for the verdicts: check() prints one claim with "ok" or
 * "NOT OK", ev_exit() turns them into the exit status.  Exit status of
 * every example: 0 the claims held, 1 one did not, 2 the experiment could
 * not be set up (an error), 4 it cannot run here (skipped; kselftest's
 * KSFT_SKIP), with the reason printed.
 */
#ifndef VMLAB_EVIDENCE_H
#define VMLAB_EVIDENCE_H

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <linux/kernel-page-flags.h>
#include <linux/vmlab.h>

#define PS		((size_t)sysconf(_SC_PAGESIZE))
#define MiB		(1024UL * 1024)

/* Bits of a pagemap entry (Documentation/admin-guide/mm/pagemap.rst). */
#define PM_PRESENT	(1ULL << 63)	/* a frame is mapped here */
#define PM_SWAPPED	(1ULL << 62)	/* the page is in swap */
#define PM_FILE		(1ULL << 61)	/* a file page, or shared anon */
#define PM_EXCLUSIVE	(1ULL << 56)	/* mapped by this process only */
#define PM_PFN_MASK	((1ULL << 55) - 1)

static int ev_failed;	/* claims that did not hold */

/*
 * Print one claim and whether it held.  Returns @ok.  (bool: any non-zero
 * value is true, also a bit like PM_PRESENT that an int would lose.)
 */
__attribute__((format(printf, 2, 3)))
static inline bool check(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("  %s: ", ok ? "ok" : "NOT OK");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	ev_failed += !ok;
	return ok;
}

/* The example's exit status: 0 when every claim held. */
static inline int ev_exit(void)
{
	printf("%s\n", ev_failed ? "=> the claim did NOT hold" : "=> the claim held");
	return ev_failed ? 1 : 0;
}

/* Give up: the experiment could not be set up (2), or cannot run here (4). */
static inline void die(const char *what)
{
	printf("error: %s: %s\n", what, strerror(errno));
	exit(2);
}

static inline void skip(const char *why)
{
	printf("SKIP: %s\n", why);
	exit(4);
}

/* /dev/vmlab, and its counters. */
static inline int vmlab_open(void)
{
	int fd = open(VMLAB_DEVICE, O_RDWR);

	if (fd < 0)
		die("open " VMLAB_DEVICE " (is the module loaded?)");
	return fd;
}

static inline struct vmlab_stats vmlab_stats(int fd)
{
	struct vmlab_stats st;

	if (ioctl(fd, VMLAB_IOC_STATS, &st))
		die("VMLAB_IOC_STATS");
	return st;
}

/* Make the whole object holes again (every page reads as zeros). */
static inline void vmlab_reset(int fd)
{
	struct vmlab_reset rs = { 0 };

	if (ioctl(fd, VMLAB_IOC_RESET, &rs))
		die("VMLAB_IOC_RESET");
}

/* The pagemap entry of the page at @addr (0 if it cannot be read). */
static inline uint64_t pagemap(const void *addr)
{
	uint64_t e = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd >= 0) {
		if (pread(fd, &e, 8, (uintptr_t)addr / PS * 8) != 8)
			e = 0;
		close(fd);
	}
	return e;
}

/* The PFN mapped at @addr: 0 if none is, or if we may not see it. */
static inline uint64_t pfn_of(const void *addr)
{
	uint64_t e = pagemap(addr);

	return (e & PM_PRESENT) ? e & PM_PFN_MASK : 0;
}

/* One 64-bit value of /proc/kpagecount or kpageflags; -1 if not root. */
static inline int64_t kpage(const char *file, uint64_t pfn)
{
	uint64_t v;
	int fd = open(file, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : pread(fd, &v, 8, pfn * 8);

	if (fd >= 0)
		close(fd);
	return n == 8 ? (int64_t)v : -1;
}

#define kpagecount(pfn)	kpage("/proc/kpagecount", pfn)
#define kpageflags(pfn)	kpage("/proc/kpageflags", pfn)

/*
 * A field ("Rss", "Private_Dirty"...) of the smaps entry of the mapping
 * that holds @addr, in kB; with @addr NULL, of /proc/self/smaps_rollup
 * (the whole process).  -1 if not found.
 */
static inline long smaps(const void *addr, const char *field)
{
	FILE *f = fopen(addr ? "/proc/self/smaps" : "/proc/self/smaps_rollup", "r");
	size_t flen = strlen(field);
	unsigned long lo, hi;
	char line[256];
	int in = !addr;
	long kb = -1;

	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2)	/* a mapping's first line */
			in = !addr || ((uintptr_t)addr >= lo && (uintptr_t)addr < hi);
		else if (in && !strncmp(line, field, flen) && line[flen] == ':')
			kb = strtol(line + flen + 1, NULL, 10);
	}
	if (f)
		fclose(f);
	return kb;
}

/* The /proc/self/maps line of the mapping that holds @addr, in @buf. */
static inline char *maps_line(const void *addr, char *buf, int size)
{
	FILE *f = fopen("/proc/self/maps", "r");
	unsigned long lo, hi, a = (uintptr_t)addr;
	char *found = NULL;

	while (f && !found && fgets(buf, size, f))
		if (sscanf(buf, "%lx-%lx", &lo, &hi) == 2 && a >= lo && a < hi)
			found = buf;
	if (f)
		fclose(f);
	return found ? found : strcpy(buf, "(no mapping)\n");
}

/* Print the /proc/self/maps lines that overlap [addr, addr + len). */
static inline int show_maps(const void *addr, size_t len)
{
	FILE *f = fopen("/proc/self/maps", "r");
	unsigned long lo, hi, a = (uintptr_t)addr;
	char line[512];
	int n = 0;

	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx", &lo, &hi) == 2 && lo < a + len && hi > a) {
			printf("    maps: %s", line);
			n++;
		}
	}
	if (f)
		fclose(f);
	return n;
}

/* Page faults of this process so far: minor (no I/O) and major. */
static inline long minflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

static inline long majflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_majflt;
}

/*
 * Touch one byte and report the signal it raised: 0 if none, else
 * SIGSEGV or SIGBUS.  Our handler jumps back into touch() instead of
 * letting the signal kill the process.  SA_NODEFER leaves the signal
 * unblocked while the handler runs, so nothing stays blocked after the
 * jump, and the next touch may fault again.
 */
static sigjmp_buf ev_jump;

static inline void ev_on_signal(int sig)
{
	siglongjmp(ev_jump, sig);
}

static inline int touch(volatile char *p, int write)
{
	static struct sigaction sa = { .sa_handler = ev_on_signal };
	int sig;

	if (!sa.sa_flags) {		/* the first call: install the handler */
		sa.sa_flags = SA_NODEFER;
		sigaction(SIGSEGV, &sa, NULL);
		sigaction(SIGBUS, &sa, NULL);
	}
	sig = sigsetjmp(ev_jump, 0);
	if (!sig) {
		if (write)
			*p = 1;
		else
			(void)*p;
	}
	return sig;
}

static inline const char *signame(int sig)
{
	return sig == SIGSEGV ? "SIGSEGV" : sig == SIGBUS ? "SIGBUS" : sig ? "a signal" :
	       "no signal";
}

#endif /* VMLAB_EVIDENCE_H */
