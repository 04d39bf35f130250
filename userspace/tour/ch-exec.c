// SPDX-License-Identifier: GPL-2.0
/*
 * vmlab tour: one chapter per claim of the textbook on memory mapping, in
 * the order a course teaches them.  Each chapter does the experiment in
 * real processes, prints each step with the kernel's evidence (PFNs and
 * frame ids, page table bits, the module's counters, smaps, minor faults,
 * free memory) and checks the claim: `vmlab tour` fails if one does not
 * hold.  --tap prints the same as TAP (one test per chapter).
 *
 * The tour resets the object before each chapter: it is a lab, not a
 * store.
 */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "cmd.h"

#define MiB		(1024UL * 1024UL)
#define WRAP		76

static struct {
	int fd;			/* /dev/vmlab: counters, reset, inspect */
	size_t ps;
	bool tap, root, inspect;
	int checks, failed;	/* of the current chapter */
	char obs[512];		/* what the chapter observed, for its verdict */
	char first_fail[160];	/* the chapter's first failed check */
	struct vmlab_stats st;	/* at the start of the chapter */
} T;

/* Output */

static void vline(const char *indent, const char *fmt, va_list ap)
{
	char buf[4096], *line, *save = NULL;

	vsnprintf(buf, sizeof(buf), fmt, ap);
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		printf("%s%s%s\n", T.tap ? "# " : "", indent, line);
}

static void out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void out(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline("", fmt, ap);
	va_end(ap);
}

/* Text wrapped at WRAP columns, each line after indent. */
static void vwrapped(const char *indent, const char *fmt, va_list ap)
{
	char buf[4096], *p, *sp;
	size_t width = WRAP - strlen(indent);

	vsnprintf(buf, sizeof(buf), fmt, ap);
	p = buf;
	while (strlen(p) > width) {
		for (sp = p + width; sp > p && *sp != ' '; sp--)
			;
		if (sp == p)
			break;
		*sp = 0;
		printf("%s%s%s\n", T.tap ? "# " : "", indent, p);
		p = sp + 1;
	}
	printf("%s%s%s\n", T.tap ? "# " : "", indent, p);
}

/* A paragraph of the narrative. */
static void para(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void para(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwrapped("  ", fmt, ap);
	va_end(ap);
}

static void wrapped(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void wrapped(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwrapped("", fmt, ap);
	va_end(ap);
}

static void step(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void step(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	printf("%s\n%s  %s>%s %s%s%s\n", T.tap ? "#" : "", T.tap ? "# " : "", vc(VC_CYAN),
	       vc(VC_RESET), vc(VC_BOLD), buf, vc(VC_RESET));
}

/* Evidence: a fact the kernel reported. */
static void ev(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void ev(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline("         ", fmt, ap);
	va_end(ap);
}

/* A checked fact: [ok] or [FAIL]. */
static bool check(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool check(bool ok, const char *fmt, ...)
{
	char buf[2048], *line, *save = NULL, *p, *sp;
	bool first = true;
	size_t w = WRAP - 11;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	T.checks++;
	T.failed += !ok;
	for (p = buf; *p; p++)	/* one paragraph, wrapped below */
		if (*p == '\n')
			*p = ' ';
	if (!ok && !T.first_fail[0])
		snprintf(T.first_fail, sizeof(T.first_fail), "%.150s", buf);
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		for (p = line; *p; p = sp) {
			/* Wrap long lines at a space. */
			sp = p + strlen(p);
			if (strlen(p) > w) {
				for (sp = p + w; sp > p && *sp != ' '; sp--)
					;
				if (sp == p)
					sp = p + strlen(p);
				else
					*sp++ = 0;
			}
			if (first)
				printf("%s    %s%s%s %s\n", T.tap ? "# " : "",
				       vc(ok ? VC_GREEN : VC_RED), ok ? "[ok]  " : "[FAIL]",
				       vc(VC_RESET), p);
			else
				printf("%s           %s\n", T.tap ? "# " : "", p);
			first = false;
		}
	}
	return ok;
}

static void observed(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void observed(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(T.obs, sizeof(T.obs), fmt, ap);
	va_end(ap);
}

/* The device and the counters */

static void stats(struct vmlab_stats *st)
{
	if (vmlab_get_stats(T.fd, st))
		memset(st, 0, sizeof(*st));
}

#define D(a, b, f)	((long long)((b).f - (a).f))

static const char *diff_str(const struct vmlab_stats *a, const struct vmlab_stats *b)
{
	static char buf[512];

	return vmlab_stats_diff_str(a, b, buf, sizeof(buf));
}

static int open_dev(void)
{
	int fd = vmlab_open(O_RDWR);

	if (fd < 0)
		check(false, "open %s: %s", VMLAB_DEVICE, strerror(errno));
	return fd;
}

static void *map_dev(int fd, size_t len, bool shared)
{
	void *m = mmap(NULL, len, PROT_READ | PROT_WRITE, shared ? MAP_SHARED : MAP_PRIVATE,
		       fd, 0);

	if (m == MAP_FAILED) {
		check(false, "mmap(%zu bytes, %s) of %s: %s", len,
		      shared ? "MAP_SHARED" : "MAP_PRIVATE", VMLAB_DEVICE, strerror(errno));
		return NULL;
	}
	return m;
}

/* Page evidence: what the kernel maps at one address. */

struct pev {
	bool present, swapped;
	bool write_known, write, pte_dirty;	/* from inspect */
	bool anon, file, obj, vzero, kzero, page_dirty, exclusive, special;
	bool have_pfn, have_frame;
	bool frame_hidden;	/* inspect withheld the frame id (not root) */
	bool map_hidden;	/* inspect gave the map count only as 1 or 2+ */
	uint64_t pfn, frame_id;
	uint64_t frame;		/* identity: frame id, else PFN */
	long mapcount;		/* -1: unknown; with map_hidden 2 is "2 or more" */
	long kpagecount;	/* /proc/kpagecount (root), -1: unknown */
	long obj_off;		/* -1: not an object page */
	enum pstate state;
	char ch;
};

static struct pev pev(pid_t pid, const void *addr)
{
	uintptr_t a = (uintptr_t)addr & ~(uintptr_t)(T.ps - 1);
	struct vmlab_page_info pi;
	struct vmlab_pm pm = vmlab_pagemap1(pid, a);
	struct pev e = { .mapcount = -1, .kpagecount = -1, .obj_off = -1, .state = PS_UNKNOWN,
			 .ch = '?' };
	uint64_t kf, cnt;

	e.present = pm.present;
	e.swapped = pm.swapped;
	e.exclusive = pm.exclusive;
	if (pm.present && pm.pfn) {
		e.have_pfn = true;
		e.pfn = pm.pfn;
		e.frame = pm.pfn;
		e.have_frame = true;
		if (!vmlab_kpageflags(pm.pfn, &kf)) {
			e.anon = vmlab_kpf(kf, VMLAB_KPF_ANON);
			e.kzero = vmlab_kpf(kf, VMLAB_KPF_ZERO_PAGE);
			e.page_dirty = vmlab_kpf(kf, VMLAB_KPF_DIRTY);
			e.file = !e.anon && !e.kzero && pm.file;
		}
		if (!vmlab_kpagecount(pm.pfn, &cnt))
			e.mapcount = e.kpagecount = (long)cnt;
	}
	if (T.inspect && !vmlab_inspect(T.fd, pid, a, 1, &pi, NULL)) {
		e.present = pi.entry & VMLAB_ENTRY_PRESENT;
		e.write_known = true;
		e.write = pi.entry & VMLAB_ENTRY_WRITE;
		e.pte_dirty = pi.entry & VMLAB_ENTRY_DIRTY;
		e.state = page_state(&pi);
		e.ch = page_char(&pi);
		e.special = pi.entry & VMLAB_ENTRY_SPECIAL;
		if (e.present && (pi.hidden & VMLAB_HIDDEN_FRAME_ID)) {
			/* pagemap's PFN (root) still names the frame. */
			e.frame_hidden = !e.have_pfn;
			e.have_frame = e.have_pfn;
		} else if (e.present) {
			e.frame_id = pi.frame_id;
			e.frame = pi.frame_id;
			e.have_frame = true;
		}
		if (e.present) {
			if (pi.pfn) {
				e.pfn = pi.pfn;
				e.have_pfn = true;
			}
			e.kzero = pi.page & VMLAB_PAGE_ZERO;
			e.vzero = pi.page & VMLAB_PAGE_VMLAB_ZERO;
			if (pi.page & VMLAB_PAGE_VALID) {
				e.anon = pi.page & VMLAB_PAGE_ANON;
				e.file = pi.page & VMLAB_PAGE_FILE;
				e.obj = pi.page & VMLAB_PAGE_VMLAB;
				e.page_dirty = pi.page & VMLAB_PAGE_DIRTY;
				e.mapcount = (long)pi.mapcount;
				e.map_hidden = pi.hidden & VMLAB_HIDDEN_MAPCOUNT;
				if (e.obj)
					e.obj_off = (long)pi.obj_offset;
			}
		}
	}
	if (!e.present)
		e.have_frame = e.have_pfn = false;
	/* The zero page's entries are special: kpagecount does not count them. */
	if (e.kzero)
		e.mapcount = -1;
	return e;
}

static bool same(const struct pev *a, const struct pev *b)
{
	return a->present && b->present && a->have_frame && b->have_frame && a->frame == b->frame;
}

/* "PFN 0x1234 (frame 3fa2c1d0)" */
static const char *frame_name(const struct pev *e)
{
	static char buf[4][64];
	static int i;

	i = (i + 1) % 4;
	if (!e->present)
		snprintf(buf[i], sizeof(buf[i]), "no frame");
	else if (e->have_pfn && e->frame_id)
		snprintf(buf[i], sizeof(buf[i]), "PFN %#" PRIx64 ", frame %08x", e->pfn,
			 vmlab_frame_short(e->frame_id));
	else if (e->have_pfn)
		snprintf(buf[i], sizeof(buf[i]), "PFN %#" PRIx64, e->pfn);
	else if (e->frame_id)
		snprintf(buf[i], sizeof(buf[i]), "frame %08x", vmlab_frame_short(e->frame_id));
	else if (e->frame_hidden)
		snprintf(buf[i], sizeof(buf[i]), "a frame (PFN and frame id %s)", HIDDEN_WORDS);
	else
		snprintf(buf[i], sizeof(buf[i]), "a frame (PFN %s)", HIDDEN_WORDS);
	return buf[i];
}

/* One line about a page: frame, bits, kind. */
static const char *pev_str(const struct pev *e)
{
	static char buf[4][256];
	static int i;
	char *b;

	i = (i + 1) % 4;
	b = buf[i];
	if (!e->present) {
		snprintf(b, 256, "not present%s", e->swapped ? " (swapped out)" : "");
		return b;
	}
	snprintf(b, 256, "present, %s%s%s%s", frame_name(e),
		 !e->write_known ? "" : e->write ? ", writable" : ", read-only",
		 e->write_known && e->pte_dirty ? ", dirty" : "",
		 e->obj ? ", the object's page" : e->vzero ? ", vmlab's zero frame" :
		 e->kzero ? ", the kernel's zero page" : e->anon ? ", anonymous" :
		 e->file ? ", a file page" : "");
	if (e->obj_off >= 0)
		snprintf(b + strlen(b), 256 - strlen(b), " %ld", e->obj_off);
	if (e->map_hidden && e->mapcount >= 2)
		snprintf(b + strlen(b), 256 - strlen(b), ", mapped more than once (the exact "
			 "count is %s)", HIDDEN_WORDS);
	else if (e->mapcount >= 0)
		snprintf(b + strlen(b), 256 - strlen(b), ", mapped %ld time%s", e->mapcount,
			 e->mapcount == 1 ? "" : "s");
	else if (e->kzero && e->special)
		snprintf(b + strlen(b), 256 - strlen(b), ", a special entry (no count on the page)");
	return b;
}

/* Processes */

static void child_quiet(void)
{
	struct rlimit rl = { 0, 0 };

	setrlimit(RLIMIT_CORE, &rl);	/* no core files from SIGBUS/SIGSEGV */
	signal(SIGSEGV, SIG_DFL);
	signal(SIGBUS, SIG_DFL);
}

/* Exit status, or 128 + signal. */
static int wait_child(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return -1;
}

/* Touch addr in a child: 0 if the access completed, else the signal. */
static int probe_access(volatile char *addr, bool write)
{
	pid_t pid;
	int st;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		child_quiet();
		if (write)
			*addr = 1;
		else
			(void)*addr;
		_exit(0);
	}
	st = wait_child(pid);
	return st >= 128 ? st - 128 : st == 0 ? 0 : -1;
}

/*
 * A peer: a forked child that reads, writes and maps on request, so that
 * "another process" does each access of the experiment itself.
 */
enum { P_QUIT, P_READ, P_WRITE, P_MAP };

struct pmsg {
	int op, shared;
	uintptr_t addr;
	size_t len;
	char data[64];
};

struct peer {
	pid_t pid;
	int to, from;
};

static void peer_loop(int in, int outfd)
{
	struct pmsg m;
	int fd;
	void *p;

	while (read(in, &m, sizeof(m)) == sizeof(m)) {
		switch (m.op) {
		case P_QUIT:
			_exit(0);
		case P_READ:
			memcpy(m.data, (const void *)m.addr, m.len);
			break;
		case P_WRITE:
			memcpy((void *)m.addr, m.data, m.len);
			break;
		case P_MAP:
			fd = open(VMLAB_DEVICE, O_RDWR | O_CLOEXEC);
			p = fd < 0 ? MAP_FAILED : mmap(NULL, m.len, PROT_READ | PROT_WRITE,
						       m.shared ? MAP_SHARED : MAP_PRIVATE, fd, 0);
			m.addr = p == MAP_FAILED ? 0 : (uintptr_t)p;
			if (fd >= 0)
				close(fd);
			break;
		}
		if (write(outfd, &m, sizeof(m)) != sizeof(m))
			_exit(1);
	}
	_exit(0);
}

static bool peer_start(struct peer *pr)
{
	int to[2], from[2];

	if (pipe2(to, O_CLOEXEC) || pipe2(from, O_CLOEXEC))
		return check(false, "pipe: %s", strerror(errno));
	fflush(stdout);
	pr->pid = fork();
	if (pr->pid < 0)
		return check(false, "fork: %s", strerror(errno));
	if (!pr->pid) {
		child_quiet();
		close(to[1]);
		close(from[0]);
		peer_loop(to[0], from[1]);
	}
	close(to[0]);
	close(from[1]);
	pr->to = to[1];
	pr->from = from[0];
	return true;
}

static bool peer_do(struct peer *pr, struct pmsg *m)
{
	if (write(pr->to, m, sizeof(*m)) != sizeof(*m) ||
	    read(pr->from, m, sizeof(*m)) != sizeof(*m))
		return check(false, "the other process (pid %d) died", (int)pr->pid);
	return true;
}

static bool peer_read(struct peer *pr, const void *addr, char *buf, size_t len)
{
	struct pmsg m = { .op = P_READ, .addr = (uintptr_t)addr, .len = len };

	if (!peer_do(pr, &m))
		return false;
	memcpy(buf, m.data, len);
	return true;
}

static bool peer_write(struct peer *pr, void *addr, const char *buf, size_t len)
{
	struct pmsg m = { .op = P_WRITE, .addr = (uintptr_t)addr, .len = len };

	memcpy(m.data, buf, len);
	return peer_do(pr, &m);
}

static void *peer_map(struct peer *pr, size_t len, bool shared)
{
	struct pmsg m = { .op = P_MAP, .len = len, .shared = shared };

	if (!peer_do(pr, &m))
		return NULL;
	return (void *)m.addr;
}

static void peer_stop(struct peer *pr)
{
	struct pmsg m = { .op = P_QUIT };

	if (pr->pid <= 0)
		return;
	if (write(pr->to, &m, sizeof(m)) < 0)
		kill(pr->pid, SIGKILL);
	close(pr->to);
	close(pr->from);
	wait_child(pr->pid);
	pr->pid = 0;
}

static const char *maps_line(pid_t pid, const void *addr)
{
	static char buf[512];

	if (vmlab_maps_line(pid, (uintptr_t)addr, buf, sizeof(buf)))
		snprintf(buf, sizeof(buf), "(no mapping)");
	return buf;
}

static const char *signame(int sig)
{
	static char buf[32];

	switch (sig) {
	case SIGBUS:
		return "SIGBUS";
	case SIGSEGV:
		return "SIGSEGV";
	case 0:
		return "no signal";
	default:
		snprintf(buf, sizeof(buf), "signal %d (%s)", sig, strsignal(sig));
		return buf;
	}
}

static double mib(long kb)
{
	return kb / 1024.0;
}

/* Chapter 1 */

static void ch_file(void)
{
	struct vmlab_stats a, b;
	struct vmlab_vma v;
	struct pev e0, e1;
	char buf[16] = { 0 };
	bool ok_read, ok_file;
	char *m;
	int fd;

	para("The object behind %s behaves like a file on a RAM disk: read() and "
	     "write() work on it. The classic experiment: put \"hello\" in the file, "
	     "map the file, overwrite the text with a plain store through the pointer, "
	     "and read the file back with read().", VMLAB_DEVICE);
	fd = open_dev();
	if (fd < 0)
		return;
	step("fd = open(\"%s\"); write(fd, \"hello\\n\", 6); fsync(fd)", VMLAB_DEVICE);
	stats(&a);
	if (pwrite(fd, "hello\n", 6, 0) != 6 || fsync(fd)) {
		check(false, "write: %s", strerror(errno));
		close(fd);
		return;
	}
	stats(&b);
	ev("module: %s:", diff_str(&a, &b));
	ev("write() filled a new object page; fsync() wrote it back: it is clean");

	step("m = mmap(NULL, 6, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)");
	m = mmap(NULL, 6, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED) {
		check(false, "mmap: %s", strerror(errno));
		close(fd);
		return;
	}
	ev("m = %p; its line in /proc/self/maps:", (void *)m);
	ev("  %s", maps_line(0, m));
	if (vmlab_maps_find(0, (uintptr_t)m, &v))
		memset(&v, 0, sizeof(v));
	check(!strcmp(v.perms, "rw-s"), "\"%s\": readable, writable, not executable, s = shared: "
	      "stores go to the file", v.perms);
	check(v.end - v.start == T.ps, "6 bytes asked, one whole page (%zu bytes) mapped: "
	      "mappings are made of pages", (size_t)(v.end - v.start));
	e0 = pev(0, m);
	check(!e0.present, "no page is mapped yet: %s", pev_str(&e0));

	step("read the text through the pointer: a plain load of m[0..4]");
	stats(&a);
	memcpy(buf, m, 5);
	stats(&b);
	e0 = pev(0, m);
	check(!strcmp(buf, "hello"), "m reads \"%s\", with no read() call", buf);
	ev("module: %s: the first access faulted, the module", diff_str(&a, &b));
	ev("mapped the object's page that write() had filled");
	check(e0.present && (!T.inspect || (e0.obj && e0.obj_off == 0)),
	      "page table: %s", pev_str(&e0));
	if (e0.write_known)
		check(!e0.write, "read-only although the mapping is writable, so that the "
		      "kernel notices\nthe first store (to mark the page dirty)");

	step("memcpy(m, \"HELLO\", 5): a plain store, no write()");
	stats(&a);
	memcpy(m, "HELLO", 5);
	stats(&b);
	e1 = pev(0, m);
	check(D(a, b, page_mkwrite) == 1 && b.pages_dirty == 1,
	      "the store faulted once: %s", diff_str(&a, &b));
	check(same(&e0, &e1) && (!e1.write_known || e1.write),
	      "same frame, now writable: %s", pev_str(&e1));

	step("read the file back: pread(fd, buf, 6, 0)");
	memset(buf, 0, sizeof(buf));
	ok_read = pread(fd, buf, 6, 0) == 6;
	ok_file = ok_read && !memcmp(buf, "HELLO\n", 6);
	buf[5] = 0;
	check(ok_file, "read() returns \"%s\": the file itself changed", buf);
	munmap(m, 6);
	close(fd);
	observed("after a plain store into the rw-s mapping, read() returned \"%s\"; "
		 "the mapping and the file share one frame, %s", buf, frame_name(&e1));
}

/* Chapter 2 */

static void ch_demand(void)
{
	size_t len = 100 * MiB, stepb, npages, spages, i, k;
	struct vmlab_stats a, b, c;
	struct vmlab_smaps sm;
	uint64_t room;
	long free0, free1, f0, f1, present;
	bool rows_ok = true;
	uint64_t freed;
	char *m;
	int fd;

	room = T.st.size < T.st.mem_limit ? T.st.size : T.st.mem_limit;
	if (room < len) {
		stepb = (size_t)(room / 10 / MiB) * MiB;
		len = 10 * stepb;
		if (!len) {
			check(false, "the object is too small for this chapter: it needs 10 MiB "
			      "of size and of memory limit, it has %" PRIu64 " KiB and %" PRIu64
			      " KiB (load vmlab with size_mb=128 mem_limit_mb=112)",
			      (uint64_t)T.st.size >> 10, (uint64_t)T.st.mem_limit >> 10);
			return;
		}
	}
	stepb = len / 10;
	npages = len / T.ps;
	spages = stepb / T.ps;
	para("Mapping memory only reserves addresses. A page gets a frame when it is "
	     "first touched: the CPU finds no page table entry, faults, and the fault "
	     "handler (here vmlab's) supplies the page. So mapping %zu MiB costs "
	     "nothing, and touching it %zu MiB at a time makes the memory used grow "
	     "%zu MiB at a time.", len / MiB, stepb / MiB, stepb / MiB);
	if (len < 100 * MiB)
		para("(The textbook maps 100 MiB; this object is %" PRIu64 " MiB with a memory "
		     "limit of %" PRIu64 " MiB, so the chapter maps %zu MiB. Load vmlab with "
		     "size_mb=128 mem_limit_mb=112 for the full experiment.)",
		     (uint64_t)T.st.size >> 20, (uint64_t)T.st.mem_limit >> 20, len / MiB);
	fd = open_dev();
	if (fd < 0)
		return;
	free0 = vmlab_free_kb();
	stats(&a);
	step("m = mmap(NULL, %zu MiB, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)", len / MiB);
	m = map_dev(fd, len, true);
	close(fd);
	if (!m)
		return;
	stats(&b);
	present = vmlab_count_present(0, (uintptr_t)m, npages);
	if (vmlab_smaps(0, (uintptr_t)m, len, &sm))
		memset(&sm, 0, sizeof(sm));
	free1 = vmlab_free_kb();
	ev("%s", maps_line(0, m));
	check(present == 0 && sm.rss == 0 && D(a, b, pages_allocated) == 0,
	      "the mapping costs nothing: %ld of %zu pages present, Rss %ld kB, "
	      "pages_allocated %+lld", present, npages, sm.rss, D(a, b, pages_allocated));
	ev("free memory: %+.1f MiB (MemFree plus the per-CPU free lists)",
	   mib(free1 - free0));

	step("touch it %zu MiB at a time: one store per %zu-byte page", stepb / MiB, T.ps);
	out("    %-8s %9s %9s %12s %16s %12s", "touched", "present", "Rss", "minor faults",
	    "pages_allocated", "memory used");
	for (k = 1; k <= 10; k++) {
		bool ok;

		f0 = vmlab_minflt();
		for (i = (k - 1) * spages; i < k * spages; i++)
			m[i * T.ps] = 1;
		f1 = vmlab_minflt();
		stats(&c);
		present = vmlab_count_present(0, (uintptr_t)m, npages);
		if (vmlab_smaps(0, (uintptr_t)m, len, &sm))
			memset(&sm, 0, sizeof(sm));
		free1 = vmlab_free_kb();
		ok = present == (long)(k * spages) && sm.rss == (long)(k * stepb / 1024) &&
		     D(a, c, pages_allocated) == (long long)(k * spages) &&
		     f1 - f0 >= (long)spages && f1 - f0 <= (long)spages + 64;
		rows_ok &= ok;
		out("    %5zu MiB %9ld %6ld kB %12ld %16lld %8.1f MiB  %s%s%s", k * stepb / MiB,
		    present, sm.rss, f1 - f0, D(a, c, pages_allocated), mib(free0 - free1),
		    vc(ok ? VC_GREEN : VC_RED), ok ? "ok" : "FAIL", vc(VC_RESET));
	}
	check(rows_ok, "each step made exactly %zu more pages present (%zu kB of Rss), with "
	      "one\nminor fault and one new object page each", spages, stepb / 1024);
	check(free0 - free1 >= (long)(len / 1024 / 2),
	      "free memory fell by %.1f MiB for %zu MiB touched", mib(free0 - free1), len / MiB);
	stats(&b);
	step("munmap(m, %zu MiB) and reset the object", len / MiB);
	munmap(m, len);
	vmlab_reset(T.fd, &freed);
	free0 = vmlab_free_kb();
	ev("the reset freed %" PRIu64 " pages; free memory is back up by %.1f MiB", freed,
	   mib(free0 - free1));
	observed("mapping %zu MiB used no memory; each %zu MiB touched added %zu present "
		 "pages, %zu kB of Rss and %zu faults", len / MiB, stepb / MiB, spages,
		 stepb / 1024, spages);
}

/* Chapter 3 */

/* /proc/kpagecount of the zero page (root), -1 if unknown. */
static long zero_page_count(void)
{
	char *z = mmap(NULL, T.ps, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct pev e;

	if (z == MAP_FAILED)
		return -1;
	(void)*(volatile char *)z;
	e = pev(0, z);
	munmap(z, T.ps);
	return e.kzero && e.have_pfn ? e.kpagecount : -1;
}

static void ch_zero(void)
{
	const size_t n = 16;
	struct vmlab_stats a, b;
	struct vmlab_smaps sm;
	struct pev e[16], e5, z;
	bool zeros = true, one = true, ro = true, others = true, no_count = true;
	long f0, f1, kc0 = -1, kc1 = -1;
	char *m, *an, *sh;
	size_t i;
	int fd;

	para("A page that was never written holds zeros. Reading such pages through a "
	     "private mapping needs no memory: the kernel maps its zero page, one "
	     "read-only frame of zeros, wherever they are read. It is the very page "
	     "anonymous memory reads from, and vmlab's private mappings use it for the "
	     "object's holes. Its entries are special: no count is kept on the page and "
	     "Rss does not count them. Only a write gives a page a frame of its own "
	     "(a copy, made by the fault).");
	fd = open_dev();
	if (fd < 0)
		return;
	step("m = mmap(NULL, %zu pages, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0); "
	     "read every page", n);
	m = map_dev(fd, n * T.ps, false);
	if (!m) {
		close(fd);
		return;
	}
	kc0 = zero_page_count();
	stats(&a);
	f0 = vmlab_minflt();
	for (i = 0; i < n; i++)
		zeros &= m[i * T.ps] == 0 && m[i * T.ps + T.ps - 1] == 0;
	f1 = vmlab_minflt();
	stats(&b);
	for (i = 0; i < n; i++) {
		e[i] = pev(0, m + i * T.ps);
		one &= same(&e[0], &e[i]);
		ro &= !e[i].write_known || !e[i].write;
		no_count &= !T.inspect || e[i].special;
	}
	check(zeros, "every page reads as zeros");
	check(one, "all %zu pages are present and map ONE frame: %s", n, frame_name(&e[0]));
	check(ro && e[0].kzero && !e[0].vzero && !e[0].anon,
	      "it is the kernel's zero page, mapped read-only (%s)",
	      T.inspect ? "inspect: page bit zero" : "kpageflags: ZERO_PAGE");
	if (T.inspect)
		check(no_count, "each entry is special: the kernel keeps no count on the page "
		      "for it");
	check(D(a, b, zero_frame_maps) == (long long)n && D(a, b, pages_allocated) == 0,
	      "module: %s:\nno memory allocated (%ld minor faults)", diff_str(&a, &b), f1 - f0);
	if (!vmlab_smaps(0, (uintptr_t)m, n * T.ps, &sm))
		check(sm.rss == 0, "smaps: Rss %ld kB, Pss %ld kB: entries of the zero page are "
		      "not counted", sm.rss, sm.pss);

	step("beside it, a private anonymous mapping: mmap(MAP_PRIVATE | MAP_ANONYMOUS), "
	     "read %zu pages", n);
	an = mmap(NULL, n * T.ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (an == MAP_FAILED) {
		check(false, "mmap: %s", strerror(errno));
		munmap(m, n * T.ps);
		close(fd);
		return;
	}
	madvise(an, n * T.ps, MADV_NOHUGEPAGE);
	zeros = true;
	one = true;
	for (i = 0; i < n; i++)
		zeros &= an[i * T.ps] == 0;
	z = pev(0, an);
	for (i = 1; i < n; i++) {
		struct pev x = pev(0, an + i * T.ps);

		one &= same(&z, &x);
	}
	check(zeros && one && z.kzero, "all read zeros from one frame, the kernel's zero page: %s",
	      frame_name(&z));
	check(same(&z, &e[0]), "the same frame as the holes of the vmlab mapping (%s): one "
	      "zero page\nfor both", frame_name(&e[0]));
	kc1 = zero_page_count();
	if (kc0 >= 0 && kc1 >= 0) {
		check(kc0 == kc1, "kpagecount of the zero page: %ld before the 2 x %zu reads, "
		      "%ld after: it does not grow", kc0, n, kc1);
	} else {
		ev("(kpagecount, which would show the zero page's count not growing, is root's)");
	}
	munmap(an, n * T.ps);

	step("m[5 * %zu] = 1: write into page 5", T.ps);
	stats(&a);
	f0 = vmlab_minflt();
	m[5 * T.ps] = 1;
	f1 = vmlab_minflt();
	stats(&b);
	e5 = pev(0, m + 5 * T.ps);
	for (i = 0; i < n; i++) {
		if (i == 5)
			continue;
		z = pev(0, m + i * T.ps);
		others &= same(&z, &e[0]);
	}
	check(e5.present && !same(&e5, &e[0]) && e5.anon && (!e5.write_known || e5.write),
	      "page 5 has a frame of its own: %s", pev_str(&e5));
	check(others, "the other %zu pages still map the zero page", n - 1);
	check(D(a, b, pages_allocated) == 0 && f1 - f0 >= 1,
	      "one minor fault; module: %s: the kernel copied the\nzero page by itself, "
	      "the object was not touched", diff_str(&a, &b));
	if (!vmlab_smaps(0, (uintptr_t)m, n * T.ps, &sm))
		check(sm.anonymous == (long)(T.ps / 1024) && sm.rss == (long)(T.ps / 1024),
		      "smaps: Anonymous %ld kB, Rss %ld kB: only the private copy counts",
		      sm.anonymous, sm.rss);
	munmap(m, n * T.ps);

	step("but a MAP_SHARED mapping cannot share a zero page: read one page of one");
	sh = map_dev(fd, T.ps, true);
	close(fd);
	if (!sh)
		return;
	stats(&a);
	zeros = sh[0] == 0;
	stats(&b);
	z = pev(0, sh);
	check(zeros && D(a, b, pages_allocated) == 1 && z.present && (!T.inspect || z.obj),
	      "it reads zeros from a new zero-filled page of the object (%s):\nanother process "
	      "may write it, and must see the same page", diff_str(&a, &b));
	munmap(sh, T.ps);
	observed("%zu never-written private pages read as zeros from the kernel's zero page "
		 "(%s), the one anonymous memory reads, with Rss 0 kB; the first write gave "
		 "page 5 its own anonymous frame", n, frame_name(&e[0]));
}

/* Chapter 4 */

static void ch_shared(void)
{
	struct vmlab_stats a, b;
	struct peer pr = { 0 };
	struct pev es, ep, eb, ep2;
	char bs[16], bp[16], bb[16], bf[16];
	char *s, *p, *pb = NULL;
	bool r;
	int fd;

	para("One object, mapped two ways. Through a MAP_SHARED mapping a store goes to "
	     "the object itself: every process that maps it, and read(), see it at once, "
	     "since they all use the same frame. Through a MAP_PRIVATE mapping a store "
	     "copies the page first, and nobody else sees it.");
	fd = open_dev();
	if (fd < 0)
		return;
	if (pwrite(fd, "original", 8, 0) != 8 || fsync(fd)) {
		check(false, "write: %s", strerror(errno));
		close(fd);
		return;
	}
	step("write \"original\" to the object; map it MAP_SHARED (s) and MAP_PRIVATE (p); "
	     "another process B maps it MAP_SHARED itself");
	s = map_dev(fd, T.ps, true);
	p = map_dev(fd, T.ps, false);
	if (!s || !p || !peer_start(&pr))
		goto out;
	pb = peer_map(&pr, T.ps, true);
	if (!pb) {
		check(false, "process B could not map %s", VMLAB_DEVICE);
		goto out;
	}
	memset(bs, 0, sizeof(bs));
	memset(bp, 0, sizeof(bp));
	memset(bb, 0, sizeof(bb));
	memcpy(bs, s, 8);
	memcpy(bp, p, 8);
	if (!peer_read(&pr, pb, bb, 8))
		goto out;
	es = pev(0, s);
	ep = pev(0, p);
	eb = pev(pr.pid, pb);
	ev("s reads \"%s\", p reads \"%s\", B (pid %d) reads \"%s\"", bs, bp, (int)pr.pid, bb);
	check(same(&es, &ep) && same(&es, &eb) && (!T.inspect || es.obj),
	      "all three map the same frame, the object's page: %s", frame_name(&es));

	step("memcpy(s, \"shared!!\", 8): store through the shared mapping");
	memcpy(s, "shared!!", 8);
	memset(bf, 0, sizeof(bf));
	r = peer_read(&pr, pb, bb, 8) && pread(fd, bf, 8, 0) == 8;
	memcpy(bp, p, 8);
	check(r && !memcmp(bb, "shared!!", 8), "B sees \"%s\" at once, through its own mapping", bb);
	check(!memcmp(bf, "shared!!", 8), "read() sees \"%s\"", bf);
	check(!memcmp(bp, "shared!!", 8), "p sees \"%s\" too: it has written nothing, so it still "
	      "maps the object's page", bp);

	step("memcpy(p, \"private!\", 8): store through the private mapping");
	stats(&a);
	memcpy(p, "private!", 8);
	stats(&b);
	ep2 = pev(0, p);
	check(ep2.present && !same(&ep2, &es) && ep2.anon && (!ep2.write_known || ep2.write),
	      "p now maps a copy of its own: %s", pev_str(&ep2));
	memcpy(bs, s, 8);
	memcpy(bp, p, 8);
	r = peer_read(&pr, pb, bb, 8) && pread(fd, bf, 8, 0) == 8;
	check(r && !memcmp(bs, "shared!!", 8) && !memcmp(bb, "shared!!", 8) &&
	      !memcmp(bf, "shared!!", 8) && !memcmp(bp, "private!", 8),
	      "p reads \"%s\"; s, B and read() still read \"%s\": nobody else sees\n"
	      "the private store", bp, bs);
	check(D(a, b, pages_allocated) == 0, "the object did not change; module counters: %s",
	      diff_str(&a, &b));
	observed("the shared store reached B and read() through one frame (%s); the "
		 "private store went to a new anonymous frame (%s) that nobody else sees",
		 frame_name(&es), frame_name(&ep2));
out:
	peer_stop(&pr);
	if (s)
		munmap(s, T.ps);
	if (p)
		munmap(p, T.ps);
	close(fd);
}

/* Chapter 5 */

static void grid_line(const char *who, const struct pev *e, size_t n)
{
	char cells[64];
	size_t i;

	for (i = 0; i < n && i < sizeof(cells) - 1; i++)
		cells[i] = e[i].ch;
	cells[i] = 0;
	ev("%-8s %s", who, cells);
}

static void ch_cow(void)
{
	enum { N = 8 };
	struct pev pa[N], ch[N], orig[N], x;
	struct vmlab_stats a, b;
	struct peer pr = { 0 };
	bool all_same = true, all_ro = true, twice = true, rest = true, counted = false;
	char buf[16], eq[N + 1];
	char *p, *sh = NULL;
	size_t i;
	int fd;

	para("fork() does not copy a process's memory. The child gets a copy of the "
	     "parent's page tables, and the kernel makes every private page read-only "
	     "in both. They share each frame until one of them writes to it: the writer "
	     "gets a copy, the other keeps the original.");
	fd = open_dev();
	if (fd < 0)
		return;
	step("p = mmap(%d pages, MAP_PRIVATE) of the object; the parent writes every page", N);
	p = map_dev(fd, N * T.ps, false);
	sh = map_dev(fd, T.ps, true);
	close(fd);
	if (!p || !sh)
		goto out;
	for (i = 0; i < N; i++)
		snprintf(p + i * T.ps, 16, "parent %zu", i);
	strcpy(sh, "shared");
	for (i = 0; i < N; i++)
		pa[i] = pev(0, p + i * T.ps);
	grid_line("parent", pa, N);
	ev("(C: a private copy, writable; c: the same, read-only; `vmlab grid --help`)");
	check(pa[0].anon && (!pa[0].write_known || pa[0].write) &&
	      (pa[0].mapcount < 0 || pa[0].mapcount == 1),
	      "page 0: %s", pev_str(&pa[0]));

	step("fork()");
	stats(&a);
	if (!peer_start(&pr))
		goto out;
	/* The child runs nothing until asked: its page tables are as fork() made them. */
	stats(&b);
	check(D(a, b, vma_opens) == 2, "module: %s: the child got its own copies\nof the two "
	      "vmlab mappings", diff_str(&a, &b));
	for (i = 0; i < N; i++) {
		pa[i] = pev(0, p + i * T.ps);
		ch[i] = pev(pr.pid, p + i * T.ps);
		orig[i] = pa[i];
		all_same &= same(&pa[i], &ch[i]);
		all_ro &= !pa[i].write_known || (!pa[i].write && !ch[i].write);
		/*
		 * Not root: the count of an anonymous page two processes share is
		 * withheld beyond "more than one" (2); the equal frame ids show whose.
		 */
		twice &= pa[i].mapcount < 0 || (pa[i].mapcount == 2 && ch[i].mapcount == 2);
		counted |= pa[i].mapcount >= 0;
		eq[i] = same(&pa[i], &ch[i]) ? '=' : 'x';
	}
	eq[N] = 0;
	grid_line("parent", pa, N);
	grid_line("child", ch, N);
	ev("%-8s %s", "frames", eq);
	check(all_same, "parent and child map the same %d frames (page 0: %s)", N,
	      frame_name(&pa[0]));
	check(all_ro, "read-only in both page tables now: the kernel write-protected them");
	if (counted && pa[0].map_hidden)
		check(twice, "each frame is mapped more than once: the map count says \"more than "
		      "one\" (its exact value is %s); the equal frame ids say by whom:\n"
		      "the parent and the child", HIDDEN_WORDS);
	else if (counted)
		check(twice, "each frame is mapped twice (mapcount 2)");

	step("the child writes page 0");
	if (!peer_write(&pr, p, "child 0", 8))
		goto out;
	x = pev(pr.pid, p);
	pa[0] = pev(0, p);
	check(x.present && !same(&x, &orig[0]) && (!x.write_known || x.write),
	      "the child got a new frame for page 0: %s", pev_str(&x));
	check(same(&pa[0], &orig[0]), "the parent keeps the original: %s", pev_str(&pa[0]));
	if (peer_read(&pr, p, buf, 8))
		check(!strcmp(p, "parent 0") && !strcmp(buf, "child 0"),
		      "the parent reads \"%s\", the child \"%s\"", p, buf);

	step("the parent writes page 1");
	strcpy(p + T.ps, "parent*");
	pa[1] = pev(0, p + T.ps);
	x = pev(pr.pid, p + T.ps);
	check(pa[1].present && !same(&pa[1], &orig[1]) && (!pa[1].write_known || pa[1].write),
	      "the parent got a new frame for page 1: %s", pev_str(&pa[1]));
	check(same(&x, &orig[1]), "the child keeps the original: %s", pev_str(&x));

	for (i = 0; i < N; i++) {
		pa[i] = pev(0, p + i * T.ps);
		ch[i] = pev(pr.pid, p + i * T.ps);
		eq[i] = same(&pa[i], &ch[i]) ? '=' : 'x';
		if (i >= 2)
			rest &= same(&pa[i], &orig[i]) && same(&ch[i], &orig[i]);
	}
	step("pages 2 to %d: written by nobody since fork", N - 1);
	grid_line("parent", pa, N);
	grid_line("child", ch, N);
	ev("%-8s %s", "frames", eq);
	check(rest, "still one shared frame each, read-only: no copy was made for them");

	step("and the MAP_SHARED mapping? The child writes \"child\" into it");
	if (peer_write(&pr, sh, "child", 6)) {
		struct pev s1 = pev(0, sh), s2 = pev(pr.pid, sh);

		check(!strcmp(sh, "child") && same(&s1, &s2),
		      "the parent reads \"%s\": shared pages are never copied (%s)", sh,
		      frame_name(&s1));
	}
	observed("after fork both mapped the same %d frames read-only; the child's write to "
		 "page 0 and the parent's to page 1 each made one copy, for the writer only",
		 N);
out:
	peer_stop(&pr);
	if (p)
		munmap(p, N * T.ps);
	if (sh)
		munmap(sh, T.ps);
}

/* Chapter 6 */

static void ch_nomem(void)
{
	size_t size = T.st.size, limit = T.st.mem_limit, lp = limit / T.ps;
	struct vmlab_stats a, b;
	struct vmlab_smaps sm;
	volatile long *count;
	long free0, free1;
	void *huge;
	char *m;
	pid_t pid;
	int fd, st, sig;

	para("Two different shortages. Virtual memory runs out when the address space "
	     "has no room for a mapping: mmap() itself fails. Physical memory runs out "
	     "later, when pages are touched: mmap() succeeded long ago, and the fault "
	     "that needs a frame is what fails. vmlab's object has a memory limit "
	     "(mem_limit_mb) that plays the physical memory: a fault that needs a page "
	     "past it gets SIGBUS.");
	fd = open_dev();
	if (fd < 0)
		return;
	step("mmap(NULL, 256 TiB, ..., MAP_SHARED, fd, 0): more than the whole address space");
	huge = mmap(NULL, 1UL << 48, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	check(huge == MAP_FAILED && errno == ENOMEM,
	      "it fails at once%s: out of virtual memory, whatever is free",
	      huge != MAP_FAILED ? "... no, it succeeded" : errno == ENOMEM ?
	      " with ENOMEM" : strerror(errno));
	if (huge != MAP_FAILED)
		munmap(huge, 1UL << 48);

	count = mmap(NULL, T.ps, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (count == MAP_FAILED) {
		check(false, "mmap: %s", strerror(errno));
		close(fd);
		return;
	}
	if (limit < size) {
		step("m = mmap(NULL, %zu MiB, ..., MAP_SHARED, fd, 0): the whole object, though "
		     "it may hold only %zu MiB", size / MiB, limit / MiB);
		stats(&a);
		m = map_dev(fd, size, true);
		if (!m)
			goto out;
		stats(&b);
		if (vmlab_smaps(0, (uintptr_t)m, size, &sm))
			memset(&sm, 0, sizeof(sm));
		check(D(a, b, pages_allocated) == 0 && sm.rss == 0,
		      "mmap succeeds: it reserved %zu MiB of addresses and no memory (Rss %ld kB)",
		      size / MiB, sm.rss);

		step("a child writes one byte per page from the start, counting the pages");
		free0 = vmlab_free_kb();
		stats(&a);
		fflush(stdout);
		pid = fork();
		if (pid == 0) {
			size_t i;

			child_quiet();
			for (i = 0; i < size / T.ps; i++) {
				m[i * T.ps] = 1;
				*count = (long)i + 1;
			}
			_exit(0);
		}
		st = pid > 0 ? wait_child(pid) : -1;
		sig = st >= 128 ? st - 128 : 0;
		stats(&b);
		free1 = vmlab_free_kb();
		check(sig == SIGBUS, "the child was %s%s", sig ? "killed by " : "not killed",
		      sig ? signame(sig) : "");
		check(*count == (long)lp, "after %ld pages (%.1f MiB): exactly the memory limit, "
		      "%zu pages", *count, *count * (double)T.ps / MiB, lp);
		check(D(a, b, sigbus) == 1 && b.pages_resident == lp,
		      "module: %s;\nthe object holds %" PRIu64 " pages, its limit",
		      diff_str(&a, &b), (uint64_t)b.pages_resident);
		ev("free memory fell by %.1f MiB", mib(free0 - free1));
		munmap(m, size);
		vmlab_reset(T.fd, NULL);
	} else {
		step("(the memory limit is the object's size: nothing to show past it. Load "
		     "vmlab with mem_limit_mb below size_mb, e.g. size_mb=128 mem_limit_mb=112.)");
	}

	step("m = mmap(NULL, %zu MiB + 1 page, ...): past the end of the object", size / MiB);
	m = map_dev(fd, size + T.ps, true);
	if (!m)
		goto out;
	stats(&a);
	sig = probe_access(m + size, true);
	stats(&b);
	check(sig == SIGBUS, "touching the page past the end: %s; mmap() had succeeded",
	      signame(sig > 0 ? sig : 0));
	ev("module: %s", diff_str(&a, &b));
	munmap(m, size + T.ps);
	if (limit < size)
		observed("mmap of 256 TiB failed (ENOMEM); mmap of %zu MiB with a %zu MiB limit "
			 "succeeded, and the child got SIGBUS at page %zu", size / MiB,
			 limit / MiB, lp + 1);
	else
		observed("mmap of 256 TiB failed (ENOMEM); mmap past the end succeeded and the "
			 "touch got SIGBUS (the memory limit part needs mem_limit_mb < size_mb)");
out:
	munmap((void *)count, T.ps);
	close(fd);
}

/* Chapter 7 */

static void ch_munmap(void)
{
	struct vmlab_stats a, b;
	char buf[16] = { 0 };
	struct pev e;
	char *m;
	int fd, sig;

	para("mmap() takes its own reference to the file, so the mapping outlives "
	     "close(fd). munmap() removes the mapping itself: after it, the addresses "
	     "belong to nothing, and touching them is a segmentation fault. The data "
	     "stays in the file.");
	fd = open_dev();
	if (fd < 0)
		return;
	step("m = mmap(2 pages, MAP_SHARED, fd); strcpy(m, \"still here\")");
	m = map_dev(fd, 2 * T.ps, true);
	if (!m) {
		close(fd);
		return;
	}
	strcpy(m, "still here");
	step("close(fd)");
	stats(&a);
	close(fd);
	stats(&b);
	ev("%s", maps_line(0, m));
	check(strstr(maps_line(0, m), VMLAB_DEVICE) && b.vmas_live == a.vmas_live,
	      "the mapping is still there (vmas_live %" PRIu64 ")", (uint64_t)b.vmas_live);
	check(!strcmp(m, "still here"), "m still reads \"%s\"", m);
	step("read page 1, never touched, after the close");
	stats(&a);
	(void)*(volatile char *)(m + T.ps);
	stats(&b);
	e = pev(0, m + T.ps);
	check(e.present && D(a, b, fault_shared_read) == 1,
	      "the module still serves its faults: %s", diff_str(&a, &b));

	step("munmap(m, 2 pages)");
	stats(&a);
	munmap(m, 2 * T.ps);
	stats(&b);
	check(!strcmp(maps_line(0, m), "(no mapping)") && D(a, b, vma_closes) == 1,
	      "the mapping is gone from /proc/self/maps; module: %s", diff_str(&a, &b));
	e = pev(0, m);
	check(!e.present, "no page table entry at m any more");
	step("a child reads m[0]");
	sig = probe_access(m, false);
	check(sig == SIGSEGV, "it is killed by %s: there is no mapping at m", signame(sig > 0 ? sig : 0));
	step("pread(%s, 10 bytes at 0): the data is in the object", VMLAB_DEVICE);
	check(pread(T.fd, buf, 10, 0) == 10 && !strcmp(buf, "still here"),
	      "read() returns \"%s\"", buf);
	observed("after close(fd) the mapping still read and faulted pages in; after munmap "
		 "a read got %s, and the data stayed in the object", signame(sig > 0 ? sig : 0));
}

/* Chapter 8 */

static void ch_dirty(void)
{
	struct vmlab_stats a, b;
	struct pev e;
	long f0, f1;
	char *m;
	int fd;

	para("The kernel must know which pages of a shared file mapping were written, "
	     "to write them back. It maps a clean page read-only: the first store "
	     "faults, and the file's page_mkwrite handler marks the page dirty. "
	     "Later stores go straight through. Writing back (msync, fsync) cleans the "
	     "page and write-protects it again, so the next store is noticed again.");
	fd = open_dev();
	if (fd < 0)
		return;
	step("m = mmap(4 pages, MAP_SHARED, fd); read page 0");
	m = map_dev(fd, 4 * T.ps, true);
	if (!m) {
		close(fd);
		return;
	}
	stats(&a);
	(void)*(volatile char *)m;
	stats(&b);
	e = pev(0, m);
	check(b.pages_dirty == 0 && e.present && (!e.write_known || !e.write),
	      "a clean page (pages_dirty 0), mapped read-only: %s", pev_str(&e));

	step("m[0] = 'x': the first store");
	stats(&a);
	f0 = vmlab_minflt();
	m[0] = 'x';
	f1 = vmlab_minflt();
	stats(&b);
	e = pev(0, m);
	check(D(a, b, page_mkwrite) == 1 && b.pages_dirty == 1 && f1 - f0 >= 1,
	      "it faulted (%ld minor fault); module: %s", f1 - f0, diff_str(&a, &b));
	check(!e.write_known || (e.write && e.pte_dirty), "%s", pev_str(&e));

	step("m[1] = 'y': a second store to the same page");
	stats(&a);
	f0 = vmlab_minflt();
	m[1] = 'y';
	f1 = vmlab_minflt();
	stats(&b);
	check(D(a, b, page_mkwrite) == 0 && f1 == f0,
	      "no fault, no page_mkwrite: it went straight to memory (%ld faults)", f1 - f0);

	step("msync(m, 4 pages, MS_SYNC): write the dirty page back");
	stats(&a);
	msync(m, 4 * T.ps, MS_SYNC);
	stats(&b);
	e = pev(0, m);
	check(D(a, b, pages_cleaned) == 1 && b.pages_dirty == 0,
	      "module: %s: clean again", diff_str(&a, &b));
	check(!e.write_known || !e.write, "write-protected again: %s", pev_str(&e));

	step("m[2] = 'z': store again");
	stats(&a);
	m[2] = 'z';
	stats(&b);
	check(D(a, b, page_mkwrite) == 1 && b.pages_dirty == 1,
	      "noticed again: %s", diff_str(&a, &b));

	step("fsync(fd): the same for the whole file");
	stats(&a);
	fsync(fd);
	stats(&b);
	check(D(a, b, pages_cleaned) == 1 && b.pages_dirty == 0, "module: %s", diff_str(&a, &b));
	munmap(m, 4 * T.ps);
	close(fd);
	observed("the first store after each write-back faulted into page_mkwrite and "
		 "dirtied the page; msync and fsync cleaned and write-protected it");
}

/* Chapter 9 */

/* A program to run, stopped by ptrace before execve, at execve, at exit. */
struct traced {
	pid_t pid;
	const char *path;
};

static int ptrace_wait_event(pid_t pid, int event)
{
	int st;

	for (;;) {
		if (waitpid(pid, &st, __WALL) < 0)
			return -1;
		if (WIFEXITED(st) || WIFSIGNALED(st))
			return -1;
		if (WIFSTOPPED(st)) {
			int sig = WSTOPSIG(st);

			if (sig == SIGTRAP && (st >> 16) == event)
				return 0;
			/* Another stop: pass a real signal on, swallow the rest. */
			if (ptrace(PTRACE_CONT, pid, 0,
				   (sig == SIGTRAP || sig == SIGSTOP) ? 0 : sig))
				return -1;
		}
	}
}

static bool traced_start(struct traced *t, char *const argv[])
{
	int st;

	fflush(stdout);
	t->pid = fork();
	if (t->pid < 0)
		return check(false, "fork: %s", strerror(errno));
	if (!t->pid) {
		child_quiet();
		if (ptrace(PTRACE_TRACEME, 0, 0, 0))
			_exit(126);
		raise(SIGSTOP);
		execv(t->path, argv);
		_exit(127);
	}
	if (waitpid(t->pid, &st, 0) < 0 || !WIFSTOPPED(st)) {
		t->pid = 0;
		return check(false, "could not trace a child (ptrace: %s)",
			     WIFEXITED(st) && WEXITSTATUS(st) == 126 ? "not allowed" : "failed");
	}
	ptrace(PTRACE_SETOPTIONS, t->pid, 0,
	       PTRACE_O_TRACEEXEC | PTRACE_O_TRACEEXIT | PTRACE_O_EXITKILL);
	return true;
}

static bool traced_next(struct traced *t, int event)
{
	if (ptrace(PTRACE_CONT, t->pid, 0, 0) || ptrace_wait_event(t->pid, event)) {
		check(false, "%s did not reach its %s", t->path,
		      event == PTRACE_EVENT_EXEC ? "execve" : "exit");
		wait_child(t->pid);
		t->pid = 0;
		return false;
	}
	return true;
}

static void traced_end(struct traced *t)
{
	if (t->pid <= 0)
		return;
	kill(t->pid, SIGKILL);
	ptrace(PTRACE_CONT, t->pid, 0, 0);
	wait_child(t->pid);
	t->pid = 0;
}

enum seg { SEG_TEXT, SEG_RODATA, SEG_DATA, SEG_BSS, SEG_HEAP, SEG_STACK, SEG_LIB,
	   SEG_VDSO, SEG_VVAR, SEG_ANON, SEG_OTHER, SEG_RELRO, SEG_NR };
static const char *const seg_names[SEG_NR] = {
	"text", "rodata", "data", "bss", "heap", "stack", "library", "vdso", "vvar",
	"anonymous", "other", "relro",
};

struct region {
	struct vmlab_vma v;
	enum seg seg;
	long pages, present, copies, files, anons, zeros;
};

static enum seg classify(const struct vmlab_vma *v, const struct vmlab_vma *prev,
			 const char *prog)
{
	if (!strcmp(v->path, prog))
		return v->perms[2] == 'x' ? SEG_TEXT : v->perms[1] == 'w' ? SEG_DATA : SEG_RODATA;
	if (!strcmp(v->path, "[heap]"))
		return SEG_HEAP;
	if (!strcmp(v->path, "[stack]"))
		return SEG_STACK;
	if (!strcmp(v->path, "[vdso]"))
		return SEG_VDSO;
	if (!strncmp(v->path, "[vvar", 5))
		return SEG_VVAR;
	if (!v->path[0]) {
		/* Right after the program's data: its bss. */
		if (prev && !strcmp(prev->path, prog) && prev->end == v->start &&
		    v->perms[1] == 'w')
			return SEG_BSS;
		return SEG_ANON;
	}
	if (v->path[0] == '/')
		return SEG_LIB;
	return SEG_OTHER;
}

/* The regions of pid, classified and counted. */
static size_t regions(pid_t pid, const char *prog, struct region *r, size_t max)
{
	struct vmlab_vma *v;
	size_t n, i, k = 0, j;

	if (vmlab_maps_read(pid, &v, &n))
		return 0;
	for (i = 0; i < n && k < max; i++) {
		struct region *x = &r[k];

		if (!strcmp(v[i].path, "[vsyscall]"))
			continue;
		memset(x, 0, sizeof(*x));
		x->v = v[i];
		x->seg = classify(&v[i], i ? &v[i - 1] : NULL, prog);
		x->pages = (long)((v[i].end - v[i].start) / T.ps);
		if (x->pages <= 4096) {
			for (j = 0; j < (size_t)x->pages; j++) {
				struct pev e = pev(pid, (void *)(v[i].start + j * T.ps));

				if (!e.present)
					continue;
				x->present++;
				if (e.kzero || e.vzero)
					x->zeros++;
				else if (e.anon && v[i].inode)
					x->copies++;
				else if (e.anon)
					x->anons++;
				else if (e.file || e.obj)
					x->files++;
			}
			/* Written, then made read-only: relocated data (RELRO). */
			if (x->seg == SEG_RODATA && x->copies)
				x->seg = SEG_RELRO;
		} else {
			x->present = vmlab_count_present(pid, v[i].start, (size_t)x->pages);
		}
		k++;
	}
	free(v);
	return k;
}

static void print_regions(const struct region *r, size_t n)
{
	size_t i;

	out("    %-9s %-27s %-4s %6s %8s  %s", "region", "addresses", "perm", "pages",
	    "present", "of which: file pages, copies, anonymous, zero");
	for (i = 0; i < n; i++) {
		const char *p = strrchr(r[i].v.path, '/');

		out("    %-9s %12" PRIxPTR "-%-12" PRIxPTR "  %s %6ld %8ld  %ld F, %ld C, %ld A, "
		    "%ld 0  %s", seg_names[r[i].seg], r[i].v.start, r[i].v.end, r[i].v.perms,
		    r[i].pages, r[i].present, r[i].files, r[i].copies, r[i].anons, r[i].zeros,
		    p ? p + 1 : r[i].v.path);
	}
	for (i = 0; i < n; i++)
		if (r[i].seg == SEG_RELRO) {
			out("    relro: data written at start-up (relocations), then made read-only");
			break;
		}
}

static const struct region *find_seg(const struct region *r, size_t n, enum seg s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (r[i].seg == s)
			return &r[i];
	return NULL;
}

static bool is_dynamic(const char *path)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	bool dyn = false;
	int fd = open(path, O_RDONLY | O_CLOEXEC), i;

	if (fd < 0)
		return false;
	if (pread(fd, &eh, sizeof(eh), 0) == sizeof(eh) && !memcmp(eh.e_ident, ELFMAG, SELFMAG) &&
	    eh.e_ident[EI_CLASS] == ELFCLASS64)
		for (i = 0; i < eh.e_phnum; i++)
			if (pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff + (size_t)i * eh.e_phentsize))
			    == sizeof(ph) && ph.p_type == PT_INTERP)
				dyn = true;
	close(fd);
	return dyn;
}

/* A dynamically linked program to show shared libraries with. */
static const char *dynamic_program(char *buf, size_t len)
{
	static const char *const fixed[] = {
		"/usr/libexec/vmlab/vmlab-probe", "/usr/local/libexec/vmlab/vmlab-probe",
		"/usr/bin/true", "/bin/true",
	};
	const char *env = getenv("VMLAB_PROBE");
	char self[PATH_MAX];
	ssize_t n;
	size_t i;

	if (env && !access(env, X_OK) && is_dynamic(env)) {
		snprintf(buf, len, "%s", env);
		return buf;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		char *slash;

		self[n] = 0;
		slash = strrchr(self, '/');
		if (slash) {
			snprintf(slash + 1, sizeof(self) - (size_t)(slash + 1 - self), "vmlab-probe");
			if (!access(self, X_OK) && is_dynamic(self)) {
				snprintf(buf, len, "%s", self);
				return buf;
			}
		}
	}
	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		if (!access(fixed[i], X_OK) && is_dynamic(fixed[i]) && realpath(fixed[i], buf))
			return buf;
	return NULL;
}

/*
 * Compare the frames of pages present in both pid a and pid b (the first
 * such pair into *ea, *eb): 1 all equal, 0 not, -1 none present in both,
 * -2 frame ids withheld (not root, a file's pages).
 */
static int shared_frames(pid_t pa, pid_t pb, uintptr_t sa, uintptr_t sb, long pages,
			 struct pev *ea, struct pev *eb)
{
	long j, both = 0, eq = 0, hidden = 0;

	for (j = 0; j < pages; j++) {
		struct pev x = pev(pa, (void *)(sa + (uintptr_t)j * T.ps));
		struct pev y = pev(pb, (void *)(sb + (uintptr_t)j * T.ps));

		if (!x.present || !y.present)
			continue;
		if (!both) {
			*ea = x;
			*eb = y;
		}
		both++;
		hidden += x.frame_hidden || y.frame_hidden;
		eq += same(&x, &y);
	}
	if (both && hidden == both)
		return -2;
	return both ? (eq == both ? 1 : 0) : -1;
}

static void ch_exec(void)
{
	struct region r0[64], r1[64], r2[64];
	const struct region *tx, *da, *bss, *heap, *stack, *g;
	struct vmlab_stats a, b;
	struct traced t = { 0 };
	char prog[PATH_MAX], dyn[PATH_MAX];
	char *argv[] = { "vmlab", "__probe", NULL };
	struct pev ea, eb;
	struct timespec ts;
	size_t n0, n1;
	ssize_t len;
	char *m;
	int fd, same_text;

	para("execve() throws the old program's memory away and maps the new one's: "
	     "text (the code) and data straight from the program file, private, so "
	     "that writes make copies; bss, heap and stack anonymous and demand-zero; "
	     "shared libraries from their files the same way. Nothing is read in yet: "
	     "the pages come as the program touches them. Here the tour runs a "
	     "program and stops it twice with ptrace: right after execve, and as it exits.");
	len = readlink("/proc/self/exe", prog, sizeof(prog) - 1);
	if (len <= 0) {
		check(false, "readlink /proc/self/exe: %s", strerror(errno));
		return;
	}
	prog[len] = 0;
	t.path = prog;
	fd = open_dev();
	if (fd < 0)
		return;
	m = map_dev(fd, T.ps, true);
	close(fd);
	if (!m)
		return;
	m[0] = 1;
	clock_gettime(CLOCK_MONOTONIC, &ts);	/* our vDSO pages, to compare with */

	step("fork(); the child (with the tour's mapping of %s) calls execve(\"%s\")",
	     VMLAB_DEVICE, prog);
	stats(&a);
	if (!traced_start(&t, argv))
		goto out;
	if (!traced_next(&t, PTRACE_EVENT_EXEC))
		goto out;
	stats(&b);
	check(D(a, b, vma_opens) == 1 && D(a, b, vma_closes) == 1,
	      "module: %s: fork copied the tour's mapping of\n%s into the child, execve "
	      "threw it away with the old address space", diff_str(&a, &b), VMLAB_DEVICE);
	n0 = regions(t.pid, prog, r0, 64);
	ev("the new program's maps, right after execve (pid %d):", (int)t.pid);
	print_regions(r0, n0);
	ev("F: page cache pages of a file, C: private copies, A: anonymous, 0: zero page");
	tx = find_seg(r0, n0, SEG_TEXT);
	da = find_seg(r0, n0, SEG_DATA);
	stack = find_seg(r0, n0, SEG_STACK);
	check(tx && da && !strcmp(tx->v.perms, "r-xp") && !strcmp(da->v.perms, "rw-p") &&
	      tx->v.inode && tx->v.inode == da->v.inode,
	      "text (r-xp) and data (rw-p) are private mappings of the program file (inode %"
	      PRIu64 ")", tx ? tx->v.inode : 0);
	check(tx && tx->present == 0, "not one page of the text is in memory yet: %ld of %ld "
	      "present", tx ? tx->present : -1, tx ? tx->pages : -1);
	check(stack && stack->present > 0 && !stack->v.inode,
	      "the stack is anonymous, with %ld page(s) present: the kernel wrote the\n"
	      "arguments and environment there", stack ? stack->present : -1);

	step("let it run to its exit (it writes data, bss, heap and stack pages)");
	if (!traced_next(&t, PTRACE_EVENT_EXIT))
		goto out;
	n1 = regions(t.pid, prog, r1, 64);
	print_regions(r1, n1);
	tx = find_seg(r1, n1, SEG_TEXT);
	da = find_seg(r1, n1, SEG_DATA);
	bss = find_seg(r1, n1, SEG_BSS);
	heap = find_seg(r1, n1, SEG_HEAP);
	stack = find_seg(r1, n1, SEG_STACK);
	check(tx && tx->present > 0 && tx->files == tx->present,
	      "the text pages it ran are present now (%ld), all page cache pages of the file",
	      tx ? tx->present : -1);
	if (tx) {
		same_text = shared_frames(t.pid, 0, tx->v.start, tx->v.start, tx->pages, &ea, &eb);
		if (same_text >= 0)
			check(same_text == 1, "and the same frames as the tour's own text (it runs "
			      "the same file): %s", frame_name(&ea));
		else if (same_text == -2)
			ev("(whether they are the tour's own text frames needs root: frame ids of a "
			   "file's pages are withheld)");
	}
	check(da && da->copies >= 1, "data: %ld page(s) written, each now a private copy (C)",
	      da ? da->copies : -1);
	g = bss ? bss : heap;
	check(bss ? bss->anons >= 1 && !bss->v.inode : true,
	      "bss: anonymous, %ld page(s) touched of %ld, the rest never got a frame",
	      bss ? bss->anons : 0, bss ? bss->pages : 0);
	check(heap && heap->anons >= 1, "heap: grown by malloc() (brk), %ld anonymous page(s)",
	      heap ? heap->anons : -1);
	check(stack && stack->anons > 0, "stack: %ld anonymous page(s)", stack ? stack->anons : -1);
	(void)g;
	g = find_seg(r1, n1, SEG_VDSO);
	if (g) {
		struct vmlab_vma *own;
		size_t nown, i;

		if (!vmlab_maps_read(0, &own, &nown)) {
			for (i = 0; i < nown; i++) {
				if (strcmp(own[i].path, "[vdso]"))
					continue;
				same_text = shared_frames(t.pid, 0, g->v.start, own[i].start,
							  g->pages, &ea, &eb);
				if (same_text >= 0)
					check(same_text == 1, "the vDSO, code the kernel maps into "
					      "every process: the same frames as the tour's (%s)",
					      frame_name(&ea));
				else if (same_text == -2)
					ev("(the vDSO's frame ids are withheld: comparing them "
					   "needs root)");
			}
			free(own);
		}
	}
	traced_end(&t);

	step("shared libraries");
	if (!dynamic_program(dyn, sizeof(dyn))) {
		para("Every program here is statically linked (a busybox system?): no shared "
		     "libraries to show besides the vDSO above, which the kernel itself maps "
		     "into every process. Put a dynamically linked vmlab-probe next to vmlab "
		     "(make -C userspace) to see libc.");
		observed("right after execve the program's text was mapped from its file with "
			 "no page present; at exit its text pages were the page cache's, "
			 "its written data pages private copies, bss/heap/stack anonymous");
		goto out;
	} else {
		struct traced t2 = { 0 };
		const struct region *lib = NULL, *lib2 = NULL;
		char *dargv[] = { dyn, NULL };
		size_t n2, i;

		t.path = dyn;
		t2.path = dyn;
		ev("running %s twice (it is dynamically linked), both stopped at exit", dyn);
		if (!traced_start(&t, dargv) || !traced_next(&t, PTRACE_EVENT_EXIT) ||
		    !traced_start(&t2, dargv) || !traced_next(&t2, PTRACE_EVENT_EXIT)) {
			traced_end(&t2);
			goto out;
		}
		n1 = regions(t.pid, dyn, r1, 64);
		n2 = regions(t2.pid, dyn, r2, 64);
		print_regions(r1, n1);
		for (i = 0; i < n1; i++)
			if (r1[i].seg == SEG_LIB && !strcmp(r1[i].v.perms, "r-xp") &&
			    strstr(r1[i].v.path, "libc")) {
				lib = &r1[i];
				break;
			}
		for (i = 0; lib && i < n2; i++)
			if (!strcmp(r2[i].v.path, lib->v.path) && !strcmp(r2[i].v.perms, "r-xp")) {
				lib2 = &r2[i];
				break;
			}
		check(lib && lib->v.perms[3] == 'p' && lib->v.inode,
		      "libc's code is a private (r-xp) mapping of its file: %s",
		      lib ? lib->v.path : "(no libc mapping found)");
		if (lib && lib2) {
			same_text = shared_frames(t.pid, t2.pid, lib->v.start, lib2->v.start,
						  lib->pages, &ea, &eb);
			if (same_text == -2)
				check(ea.map_hidden && ea.mapcount >= 2 && eb.map_hidden &&
				      eb.mapcount >= 2, "its first page present in both (pid %d and "
				      "%d) is mapped more than once in each\n(frame ids of a file's "
				      "pages are %s; smaps calls such pages Shared):\none copy of "
				      "libc in memory serves every program", (int)t.pid, (int)t2.pid,
				      HIDDEN_WORDS);
			else
				check(same_text == 1, "its pages are the same frames in both processes "
				      "(%s, pid %d and %d): one copy\nof libc in memory serves every "
				      "program", frame_name(&ea), (int)t.pid, (int)t2.pid);
		}
		traced_end(&t2);
		observed("after execve text and data were private mappings of the file with no "
			 "page present; at exit text pages were shared page cache frames, written "
			 "data private copies, bss/heap/stack anonymous, libc one set of frames "
			 "for two processes");
	}
out:
	traced_end(&t);
	munmap(m, T.ps);
}

/* The chapters */

static const struct chapter {
	const char *id;
	const char *title;
	const char *claim;
	void (*fn)(void);
} chapters[] = {
	{ "file", "A file mapping",
	  "a store into a MAP_SHARED mapping of a file changes the file", ch_file },
	{ "demand", "Demand paging",
	  "mapping memory costs nothing; each page gets a frame when first touched", ch_demand },
	{ "zero", "Demand-zero pages and the zero frame",
	  "never-written private pages map the kernel's one zero page, as anonymous memory's "
	  "do; a write gives a page its own",
	  ch_zero },
	{ "shared", "Shared versus private mappings",
	  "a shared store is seen by every process and by read(); a private store copies the "
	  "page and nobody else sees it", ch_shared },
	{ "cow", "Copy-on-write after fork",
	  "parent and child share every frame read-only; whoever writes first gets a copy, "
	  "the other keeps the original", ch_cow },
	{ "nomem", "Not enough memory",
	  "mmap beyond the available memory succeeds; touching past it gets SIGBUS", ch_nomem },
	{ "munmap", "munmap and closing the file",
	  "the mapping outlives close(); after munmap an access is SIGSEGV", ch_munmap },
	{ "dirty", "Dirty pages and write-back",
	  "the first store marks a page dirty; msync cleans it; the next store is seen again",
	  ch_dirty },
	{ "exec", "execve: how a program is mapped",
	  "text and data map the program file privately; bss, heap and stack are "
	  "demand-zero; libraries are shared", ch_exec },
};
#define NCHAPTERS	(sizeof(chapters) / sizeof(chapters[0]))

static const char tour_help[] =
"usage: vmlab tour [--tap] [CHAPTER...]\n"
"       vmlab tour --list\n"
"\n"
"The guided tour: each chapter does an experiment in real processes,\n"
"shows the kernel's evidence for each step, and checks the claim.  The\n"
"exit status is 1 if any claim fails.  CHAPTER is a number or a name\n"
"(--list); without one, every chapter runs.  Needs a user who may open\n"
"/dev/vmlab (root, or dev_mode); without root some evidence is withheld\n"
"and said to be (PFNs, page flags, counts of pages other processes may\n"
"map).  It resets the vmlab object (its contents are lost).  Best with the module loaded as\n"
"size_mb=128 mem_limit_mb=112 (100 MiB for demand paging, a memory limit\n"
"below the size); smaller objects make chapters scale down.\n"
"\n"
"  --list   the chapters and their claims\n"
"  --tap    TAP output (one test per chapter, the narrative as comments)\n";

static int find_chapter(const char *s)
{
	char *end;
	long n = strtol(s, &end, 10);
	size_t i;

	if (!*end && n >= 1 && (size_t)n <= NCHAPTERS)
		return (int)n - 1;
	for (i = 0; i < NCHAPTERS; i++)
		if (!strcmp(chapters[i].id, s))
			return (int)i;
	return -1;
}

/* prefix, then text wrapped under itself. */
static void wrap_under(const char *prefix, const char *text)
{
	char buf[1024], *p = buf, *sp;
	size_t w = WRAP - strlen(prefix);

	snprintf(buf, sizeof(buf), "%s", text);
	printf("%s", prefix);
	while (strlen(p) > w) {
		for (sp = p + w; sp > p && *sp != ' '; sp--)
			;
		if (sp == p)
			break;
		*sp = 0;
		printf("%s\n%*s", p, (int)strlen(prefix), "");
		p = sp + 1;
	}
	printf("%s\n", p);
}

static bool run_chapter(size_t i, int num)
{
	const struct chapter *c = &chapters[i];
	bool pass;

	T.checks = T.failed = 0;
	T.obs[0] = 0;
	T.first_fail[0] = 0;
	if (T.tap)
		printf("#\n# Chapter %zu: %s\n#\n", i + 1, c->title);
	else {
		int w = printf("\n%sChapter %zu: %s%s\n", vc(VC_BOLD), i + 1, c->title,
			       vc(VC_RESET));

		w -= 2 + (int)strlen(vc(VC_BOLD)) + (int)strlen(vc(VC_RESET));
		while (w-- > 0)
			putchar('-');
		printf("\n\n");
	}
	vmlab_reset(T.fd, NULL);
	stats(&T.st);
	fflush(stdout);
	c->fn();
	vmlab_reset(T.fd, NULL);
	pass = T.checks > 0 && T.failed == 0;
	if (!T.obs[0])
		snprintf(T.obs, sizeof(T.obs), "the experiment did not complete");
	if (T.tap) {
		printf("#\n# Verdict: %s\n#   claim: %s\n#   observed: %s\n", pass ? "PASS" : "FAIL",
		       c->claim, T.obs);
		if (!pass)
			printf("#   (%d of %d checks failed)\n", T.failed, T.checks);
		/* The result line says what failed first: runners show it. */
		for (char *q = T.first_fail; *q; q++)
			if (*q == '#')
				*q = ' ';
		printf("%s %d - %s: %s%s%s%s\n", pass ? "ok" : "not ok", num, c->id, c->title,
		       pass ? "" : " (failed: ", pass ? "" :
		       T.first_fail[0] ? T.first_fail : "no check ran", pass ? "" : ")");
	} else {
		printf("\n  %sVerdict: %s%s\n", vc(pass ? VC_GREEN : VC_RED),
		       pass ? "PASS" : "FAIL", vc(VC_RESET));
		wrap_under("    claim:    ", c->claim);
		wrap_under("    observed: ", T.obs);
		if (!pass)
			printf("    (%d of %d checks failed)\n", T.failed, T.checks);
	}
	fflush(stdout);
	return pass;
}

int cmd_tour(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "tap", no_argument, NULL, 't' },
		{ "list", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c, code = VX_OK, sel[NCHAPTERS], nsel = 0, passed = 0, k;
	bool list = false;
	size_t i;

	optind = 1;
	opterr = 0;
	memset(&T, 0, sizeof(T));
	while ((c = getopt_long(argc, argv, "tlh", lo, NULL)) != -1) {
		switch (c) {
		case 't':
			T.tap = true;
			break;
		case 'l':
			list = true;
			break;
		case 'h':
			fputs(tour_help, stdout);
			return VX_OK;
		default:
			return usage_error("tour", "unknown option %s", argv[optind - 1]);
		}
	}
	if (list) {
		for (i = 0; i < NCHAPTERS; i++)
			printf("%zu %-7s %s\n          claim: %s\n", i + 1, chapters[i].id,
			       chapters[i].title, chapters[i].claim);
		return VX_OK;
	}
	for (; optind < argc; optind++) {
		k = find_chapter(argv[optind]);
		if (k < 0)
			return usage_error("tour", "no chapter '%s' (vmlab tour --list)", argv[optind]);
		if (nsel < (int)NCHAPTERS)
			sel[nsel++] = k;
	}
	if (!nsel)
		for (i = 0; i < NCHAPTERS; i++)
			sel[nsel++] = (int)i;
	if (T.tap)
		vc_color = false;
	if (T.tap)
		printf("TAP version 13\n");
	T.fd = vmlab_open(O_RDWR);
	if (T.fd < 0) {
		int err = errno;

		code = err == ENOENT || err == ENXIO || err == ENODEV ? VX_NODEV :
		       err == EACCES || err == EPERM ? VX_PERM : VX_ERR;
		if (T.tap) {
			printf("Bail out! %s\n", vmlab_open_error(err));
			fflush(stdout);
		}
		fprintf(stderr, "%s\n", vmlab_open_error(err));
		return code;
	}
	T.ps = vmlab_page_size();
	T.root = geteuid() == 0;
	T.inspect = vmlab_have_inspect(T.fd);
	stats(&T.st);
	if (T.tap)
		printf("1..%d\n", nsel);
	out("%svmlab tour%s: %d chapter%s. The object: %" PRIu64 " MiB, memory limit %" PRIu64
	    " MiB.", vc(VC_BOLD), vc(VC_RESET), nsel, nsel == 1 ? "" : "s",
	    (uint64_t)T.st.size >> 20, (uint64_t)T.st.mem_limit >> 20);
	wrapped("Evidence: %s%s; the module's counters (VMLAB_IOC_STATS); smaps; minor faults "
		"(getrusage); free memory (/proc/meminfo). A frame is a page of physical "
		"memory, %zu bytes here, and its PFN its number%s",
		T.root ? "PFNs (/proc/PID/pagemap), page flags and map counts (/proc/kpageflags, "
		"kpagecount)" : "not root, so no PFNs", T.inspect ? "; page table entries and "
		"frame ids (VMLAB_IOC_INSPECT)" : " (this module has no INSPECT ioctl)", T.ps,
		T.inspect ? "; a frame id names a frame without telling its PFN: equal ids, "
		"same frame." : ".");
	if (!T.root)
		out("Run as root for the whole picture.");
	for (k = 0; k < nsel; k++)
		passed += run_chapter((size_t)sel[k], k + 1);
	if (T.tap) {
		printf("# %d of %d chapters passed\n", passed, nsel);
	} else {
		printf("\n%s%d of %d chapter%s passed%s\n", vc(passed == nsel ? VC_GREEN : VC_RED),
		       passed, nsel, nsel == 1 ? "" : "s", vc(VC_RESET));
	}
	close(T.fd);
	return passed == nsel ? VX_OK : VX_FAIL;
}
