// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers shared by the vmlab selftests (see vmlab_util.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <grp.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/loop.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "vmlab_util.h"

size_t vl_psize(void)
{
	static size_t ps;

	if (!ps)
		ps = sysconf(_SC_PAGESIZE);
	return ps;
}

bool vl_allow_skip(void)
{
	const char *s = getenv("VMLAB_ALLOW_SKIP");

	return s && *s && strcmp(s, "0");
}

int vl_open(int flags)
{
	return open(VMLAB_DEVICE, flags | O_CLOEXEC);
}

int vl_stats(int fd, struct vmlab_stats *st)
{
	memset(st, 0xa5, sizeof(*st));
	return ioctl(fd, VMLAB_IOC_STATS, st);
}

int vl_reset(int fd, uint64_t *pages_freed)
{
	struct vmlab_reset r = { .flags = 0, .pages_freed = ~0ULL };
	int ret = ioctl(fd, VMLAB_IOC_RESET, &r);

	if (pages_freed)
		*pages_freed = r.pages_freed;
	return ret;
}

long vl_read_long(const char *path)
{
	char buf[64];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	return strtol(buf, NULL, 0);
}

static int write_str(const char *path, const char *s, int how)
{
	int fd = open(path, O_WRONLY | how | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -1;
}

int vl_write_str(const char *path, const char *s)
{
	return write_str(path, s, O_TRUNC);
}

int vl_append_str(const char *path, const char *s)
{
	return write_str(path, s, O_APPEND);
}

long vl_read_key(const char *path, const char *key)
{
	FILE *f = fopen(path, "re");
	size_t klen = strlen(key);
	char line[256];
	long v = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, klen) && line[klen] == ' ')
			v = strtol(line + klen + 1, NULL, 10);
	fclose(f);
	return v;
}

int vl_become_nobody(bool dumpable)
{
	if (setgroups(0, NULL) || setresgid(VL_NOBODY, VL_NOBODY, VL_NOBODY) ||
	    setresuid(VL_NOBODY, VL_NOBODY, VL_NOBODY))
		return -1;
	if (dumpable && prctl(PR_SET_DUMPABLE, 1, 0, 0, 0))
		return -1;
	return geteuid() == VL_NOBODY ? 0 : -1;
}

const char *vl_tracefs(void)
{
	static const char *const dirs[] = {
		"/sys/kernel/tracing", "/sys/kernel/debug/tracing",
	};
	char path[128];
	size_t i;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/events/vmlab", dirs[i]);
		if (!access(path, F_OK))
			return dirs[i];
	}
	return NULL;
}

int vl_inspect_one(int fd, const void *addr, struct vmlab_page_info *pi)
{
	struct vmlab_inspect req = {
		.addr = (uintptr_t)addr & ~(uintptr_t)(vl_psize() - 1),
		.npages = 1,
		.pages = (uintptr_t)pi,
		.info_size = sizeof(*pi),
	};

	memset(pi, 0, sizeof(*pi));
	return ioctl(fd, VMLAB_IOC_INSPECT, &req);
}

void vl_stats_log(const char *tag, const struct vmlab_stats *a,
		  const struct vmlab_stats *b)
{
	static const char *const names[] = {
		"size", "mem_limit", "fault_shared_read", "fault_shared_write",
		"fault_private_read", "fault_private_write", "zero_frame_maps",
		"page_mkwrite", "pages_allocated", "pages_freed",
		"pages_resident", "pages_dirty", "vmas_live", "vma_opens",
		"vma_closes", "sigbus", "pages_cleaned", "resets",
	};
	const __u64 *x = (const __u64 *)a, *y = (const __u64 *)b;
	size_t i;

	fprintf(stderr, "# %s: counter deltas:", tag);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (x[i] != y[i])
			fprintf(stderr, " %s%+lld", names[i],
				(long long)(y[i] - x[i]));
	fprintf(stderr, "\n");
}

void vl_preflight(int argc, char **argv)
{
	const char *why = NULL;
	char buf[256];
	int i, fd;

	for (i = 1; i < argc; i++)
		if (!strcmp(argv[i], "-l") || !strcmp(argv[i], "-h"))
			return;
	fd = vl_open(O_RDWR);
	if (fd < 0) {
		snprintf(buf, sizeof(buf), "cannot open %s: %s (is vmlab.ko loaded?)",
			 VMLAB_DEVICE, strerror(errno));
		why = buf;
	} else {
		close(fd);
		if (geteuid() != 0)
			why = "must run as root (PFNs in pagemap, kpageflags)";
	}
	if (!why)
		return;
	printf("TAP version 13\n");
	if (vl_allow_skip()) {
		printf("1..0 # SKIP %s\n", why);
		exit(4);	/* KSFT_SKIP */
	}
	printf("Bail out! %s (set VMLAB_ALLOW_SKIP=1 to skip instead)\n", why);
	exit(1);
}

__attribute__((weak)) int vl_helper_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "this program has no helper mode\n");
	return 2;
}

/* pagemap */

static uint64_t pagemap_read(int fd, const void *addr)
{
	uint64_t e;
	off_t off = (uintptr_t)addr / vl_psize() * sizeof(e);

	if (pread(fd, &e, sizeof(e), off) != sizeof(e))
		return 0;
	return e;
}

static int self_pagemap_fd(void)
{
	static int fd = -1;
	static pid_t owner;

	/* A forked child must not read its parent's pagemap. */
	if (fd >= 0 && owner != getpid()) {
		close(fd);
		fd = -1;
	}
	if (fd < 0) {
		fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
		owner = getpid();
	}
	return fd;
}

uint64_t vl_pagemap(const void *addr)
{
	int fd = self_pagemap_fd();

	return fd < 0 ? 0 : pagemap_read(fd, addr);
}

uint64_t vl_pagemap_pid(pid_t pid, const void *addr)
{
	char path[64];
	uint64_t e;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	e = pagemap_read(fd, addr);
	close(fd);
	return e;
}

int vl_pagemap_range(const void *addr, size_t npages, uint64_t *out)
{
	int fd = self_pagemap_fd();
	off_t off = (uintptr_t)addr / vl_psize() * sizeof(*out);
	size_t want = npages * sizeof(*out), got = 0;
	ssize_t n;

	if (fd < 0)
		return -1;
	while (got < want) {
		n = pread(fd, (char *)out + got, want - got, off + got);
		if (n <= 0)
			return -1;
		got += n;
	}
	return 0;
}

size_t vl_count_present(const void *addr, size_t npages)
{
	uint64_t *e = calloc(npages, sizeof(*e));
	size_t i, n = 0;

	if (!e || vl_pagemap_range(addr, npages, e)) {
		free(e);
		return (size_t)-1;
	}
	for (i = 0; i < npages; i++)
		n += pm_present(e[i]);
	free(e);
	return n;
}

uint64_t vl_pfn(const void *addr)
{
	uint64_t e = vl_pagemap(addr);

	return pm_present(e) ? pm_pfn(e) : 0;
}

static uint64_t kpage_read(const char *path, uint64_t pfn, bool *ok)
{
	uint64_t v = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	*ok = fd >= 0 && pread(fd, &v, sizeof(v), pfn * sizeof(v)) == sizeof(v);
	if (fd >= 0)
		close(fd);
	return v;
}

uint64_t vl_kpageflags(uint64_t pfn)
{
	bool ok;
	uint64_t v = kpage_read("/proc/kpageflags", pfn, &ok);

	return ok ? v : ~0ULL;
}

int64_t vl_kpagecount(uint64_t pfn)
{
	bool ok;
	uint64_t v = kpage_read("/proc/kpagecount", pfn, &ok);

	return ok ? (int64_t)v : -1;
}

/*
 * The kernel's zero page, as anonymous memory maps it: the PFN that a read
 * of a private anonymous page, never written, maps (root sees PFNs).  One
 * page, so that no huge zero page can be used.
 */
uint64_t vl_zero_pfn(void)
{
	static uint64_t zero;
	volatile char *m;
	uint64_t pfn;

	if (zero)
		return zero;
	m = mmap(NULL, vl_psize(), PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return 0;
	(void)m[0];
	pfn = vl_pfn((const void *)m);
	munmap((void *)m, vl_psize());
	if (pfn && kpf_has(vl_kpageflags(pfn), KPF_ZERO_PAGE))
		zero = pfn;
	return zero;
}

/* maps and smaps */

static bool line_holds(const char *line, uintptr_t a)
{
	unsigned long lo, hi;

	return sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && a >= lo && a < hi;
}

long vl_smaps_kb(const void *addr, const char *field)
{
	FILE *f = fopen("/proc/self/smaps", "re");
	size_t flen = strlen(field);
	bool in = false;
	char line[512];
	long kb = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		/* A VMA header line starts with a hex range "lo-hi ". */
		unsigned long lo, hi;

		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 && strchr(line, '-') &&
		    line[strspn(line, "0123456789abcdef")] == '-') {
			if (in)
				break;
			in = line_holds(line, (uintptr_t)addr);
			continue;
		}
		if (in && !strncmp(line, field, flen) && line[flen] == ':') {
			kb = strtol(line + flen + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return kb;
}

int vl_maps_line(const void *addr, char *buf, size_t len)
{
	FILE *f = fopen("/proc/self/maps", "re");
	char line[512];
	int ret = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (line_holds(line, (uintptr_t)addr)) {
			line[strcspn(line, "\n")] = 0;
			snprintf(buf, len, "%s", line);
			ret = 0;
			break;
		}
	}
	fclose(f);
	return ret;
}

int vl_maps_count(const char *needle)
{
	FILE *f = fopen("/proc/self/maps", "re");
	char line[512];
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n += strstr(line, needle) != NULL;
	fclose(f);
	return n;
}

long vl_minflt(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		return -1;
	return ru.ru_minflt;
}

long vl_meminfo_kb(const char *field)
{
	FILE *f = fopen("/proc/meminfo", "re");
	size_t flen = strlen(field);
	char line[256];
	long kb = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, field, flen) && line[flen] == ':') {
			kb = strtol(line + flen + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return kb;
}

long vl_free_kb(void)
{
	FILE *f = fopen("/proc/zoneinfo", "re");
	long kb = vl_meminfo_kb("MemFree"), pcp = 0, n;
	char line[256];

	if (!f || kb < 0) {
		if (f)
			fclose(f);
		return -1;
	}
	/* Only "count:" lines of the per-cpu pagesets start that way. */
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " count: %ld", &n) == 1)
			pcp += n;
	fclose(f);
	return kb + pcp * (long)(vl_psize() / 1024);
}

/* children */

pid_t vl_spawn(char *const argv[], const char *out, uid_t uid, const char *dir)
{
	pid_t pid;
	int fd;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid > 0) {
		setpgid(pid, pid);
		return pid;
	}
	setpgid(0, 0);
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || dup2(fd, STDOUT_FILENO) < 0 || dup2(fd, STDERR_FILENO) < 0)
		_exit(126);
	close(fd);
	fd = open("/dev/null", O_RDONLY);
	if (fd < 0 || dup2(fd, STDIN_FILENO) < 0)
		_exit(126);
	close(fd);
	if (uid && (setgroups(0, NULL) || setgid(uid) || setuid(uid))) {
		fprintf(stderr, "cannot become uid %d: %s\n", (int)uid, strerror(errno));
		_exit(126);
	}
	if (dir && chdir(dir)) {
		fprintf(stderr, "chdir %s: %s\n", dir, strerror(errno));
		_exit(126);
	}
	execv(argv[0], argv);
	fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

int vl_wait(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return -1;
}

void vl_child_quiet(void)
{
	struct rlimit rl = { 0, 0 };

	setrlimit(RLIMIT_CORE, &rl);
	signal(SIGSEGV, SIG_DFL);
	signal(SIGBUS, SIG_DFL);
}

/* fork() with nothing buffered twice; the child starts quiet. */
static pid_t fork_quiet(void)
{
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0)
		vl_child_quiet();
	return pid;
}

int vl_run_child(int (*fn)(void *), void *arg)
{
	pid_t pid = fork_quiet();

	if (pid < 0)
		return -1;
	if (pid == 0)
		_exit(fn(arg));
	return vl_wait(pid);
}

struct probe {
	volatile char *p;
	bool write;
};

static int probe_child(void *arg)
{
	struct probe *pr = arg;

	if (pr->write)
		*pr->p = 0x5a;
	else
		(void)*pr->p;
	return 0;
}

int vl_probe(volatile void *addr, bool write)
{
	struct probe pr = { .p = addr, .write = write };
	int st = vl_run_child(probe_child, &pr);

	if (st == 0)
		return 0;
	return VL_SIGNALED(st) ? VL_SIG(st) : -1;
}

/* The jump buffer of the thread's vl_access() while it runs. */
static __thread sigjmp_buf *access_jb;

int vl_access(volatile uint64_t *p, bool write, uint64_t v, uint64_t *out)
{
	sigjmp_buf jb;
	int sig;

	sig = sigsetjmp(jb, 1);
	if (sig) {
		access_jb = NULL;
		return sig;
	}
	access_jb = &jb;
	if (write)
		*p = v;
	else
		*out = *p;
	access_jb = NULL;
	return 0;
}

void vl_access_fault(int sig)
{
	if (access_jb)
		siglongjmp(*access_jb, sig);
}

void vl_catch_faults(void (*handler)(int sig, siginfo_t *si, void *uc))
{
	struct sigaction sa = { .sa_sigaction = handler, .sa_flags = SA_SIGINFO | SA_NODEFER };

	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
}

uint64_t vl_seed(const char *env)
{
	const char *s = getenv(env);
	uint64_t seed;

	if (s && *s)
		return strtoull(s, NULL, 0);
	if (getrandom(&seed, sizeof(seed), 0) != sizeof(seed))
		seed = time(NULL);
	return seed;
}

int vl_run_self(char *out, size_t outlen, const char *arg, ...)
{
	const char *argv[32];
	size_t got = 0;
	int pfd[2], n = 0;
	va_list ap;
	pid_t pid;
	ssize_t r;

	argv[n++] = "vmlab-helper";
	argv[n++] = "--vmlab-helper";
	va_start(ap, arg);
	for (; arg && n < 31; arg = va_arg(ap, const char *))
		argv[n++] = arg;
	va_end(ap);
	argv[n] = NULL;

	if (pipe2(pfd, O_CLOEXEC))
		return -1;
	pid = fork_quiet();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(pfd[1], STDOUT_FILENO);
		execv("/proc/self/exe", (char *const *)argv);
		_exit(127);
	}
	close(pfd[1]);
	while (outlen && got < outlen - 1 &&
	       (r = read(pfd[0], out + got, outlen - 1 - got)) > 0)
		got += r;
	if (outlen)
		out[got] = 0;
	close(pfd[0]);
	return vl_wait(pid);
}

int vl_sync_init(struct vl_sync *s)
{
	if (pipe2(s->to_child, O_CLOEXEC))
		return -1;
	if (pipe2(s->to_parent, O_CLOEXEC)) {
		close(s->to_child[0]);
		close(s->to_child[1]);
		return -1;
	}
	return 0;
}

static void close_once(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

void vl_sync_parent(struct vl_sync *s)
{
	close_once(&s->to_child[0]);
	close_once(&s->to_parent[1]);
}

void vl_sync_child(struct vl_sync *s)
{
	close_once(&s->to_child[1]);
	close_once(&s->to_parent[0]);
}

void vl_sync_close(struct vl_sync *s)
{
	close_once(&s->to_child[0]);
	close_once(&s->to_child[1]);
	close_once(&s->to_parent[0]);
	close_once(&s->to_parent[1]);
}

int vl_post(int fd)
{
	char c = 1;

	return write(fd, &c, 1) == 1 ? 0 : -1;
}

int vl_wait_byte(int fd)
{
	char c;
	ssize_t r;

	do {
		r = read(fd, &c, 1);
	} while (r < 0 && errno == EINTR);
	return r == 1 ? 0 : -1;
}

/* data */

static uint32_t xorshift(uint32_t x)
{
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return x;
}

/*
 * The byte at each position depends on the seed and on the position, so a
 * page shifted or swapped with another is caught.
 */
void vl_fill(void *buf, size_t len, uint32_t seed)
{
	uint32_t *w = buf;
	size_t i;

	for (i = 0; i < len / 4; i++)
		w[i] = xorshift(seed * 2654435761u + (uint32_t)i + 1);
	for (i = len / 4 * 4; i < len; i++)
		((uint8_t *)buf)[i] = (uint8_t)(seed + i);
}

bool vl_check(const void *buf, size_t len, uint32_t seed)
{
	const uint32_t *w = buf;
	size_t i;

	for (i = 0; i < len / 4; i++)
		if (w[i] != xorshift(seed * 2654435761u + (uint32_t)i + 1))
			return false;
	for (i = len / 4 * 4; i < len; i++)
		if (((const uint8_t *)buf)[i] != (uint8_t)(seed + i))
			return false;
	return true;
}

bool vl_is_zero(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i])
			return false;
	return true;
}

void vl_touch_read(const void *addr, size_t len)
{
	const volatile char *p = addr;
	size_t off;

	for (off = 0; off < len; off += vl_psize())
		(void)p[off];
}

void vl_touch_write(void *addr, size_t len, char val)
{
	volatile char *p = addr;
	size_t off;

	for (off = 0; off < len; off += vl_psize())
		p[off] = val;
}

/* swap on a loop device */

static int swap_fail(struct vl_swap *s, const char *what)
{
	snprintf(s->why, sizeof(s->why), "%s: %s", what, strerror(errno));
	vl_swap_off(s);
	return -1;
}

/* The loop driver: there already, or loaded from the guest's copy. */
static int swap_loop_driver(void)
{
	const char *dir = getenv("VMLAB_KMOD_DIR");
	char path[256];
	int fd, ret;

	if (!access("/dev/loop-control", F_OK))
		return 0;
	snprintf(path, sizeof(path), "%s/loop.ko", dir && *dir ? dir : "/vmlab/kmod");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ret = syscall(SYS_finit_module, fd, "", 0);
	close(fd);
	if (ret && errno != EEXIST)
		return -1;
	return access("/dev/loop-control", F_OK);
}

/*
 * The swap header (mkswap's, include/linux/swap.h's union swap_header):
 * version 1 at byte 1024, then the last page's number, and the magic
 * "SWAPSPACE2" in the last 10 bytes of the first page.
 */
static int swap_format(int fd, size_t bytes)
{
	size_t ps = vl_psize();
	char *hdr = calloc(1, ps);
	uint32_t v[2] = { 1, bytes / ps - 1 };
	int ret;

	if (!hdr)
		return -1;
	memcpy(hdr + 1024, v, sizeof(v));
	memcpy(hdr + ps - 10, "SWAPSPACE2", 10);
	ret = pwrite(fd, hdr, ps, 0) == (ssize_t)ps ? 0 : -1;
	free(hdr);
	return ret;
}

int vl_swap_on(struct vl_swap *s, size_t mb)
{
	size_t bytes = mb << 20;
	int ctl, n;

	memset(s, 0, sizeof(*s));
	s->loop_fd = s->mem_fd = -1;
	if (swap_loop_driver())
		return swap_fail(s, "no loop driver (/dev/loop-control; /vmlab/kmod/loop.ko)");
	s->mem_fd = memfd_create("vmlab-swap", MFD_CLOEXEC);
	if (s->mem_fd < 0)
		return swap_fail(s, "memfd_create");
	if (ftruncate(s->mem_fd, bytes) || swap_format(s->mem_fd, bytes))
		return swap_fail(s, "writing the swap header");
	ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (ctl < 0)
		return swap_fail(s, "/dev/loop-control");
	n = ioctl(ctl, LOOP_CTL_GET_FREE);
	close(ctl);
	if (n < 0)
		return swap_fail(s, "LOOP_CTL_GET_FREE");
	snprintf(s->dev, sizeof(s->dev), "/dev/loop%d", n);
	s->loop_fd = open(s->dev, O_RDWR | O_CLOEXEC);
	if (s->loop_fd < 0)
		return swap_fail(s, s->dev);
	if (ioctl(s->loop_fd, LOOP_SET_FD, s->mem_fd))
		return swap_fail(s, "LOOP_SET_FD");
	if (swapon(s->dev, 0))
		return swap_fail(s, "swapon");
	s->on = true;
	return 0;
}

void vl_swap_off(struct vl_swap *s)
{
	if (s->on && swapoff(s->dev))
		fprintf(stderr, "# swapoff %s: %s\n", s->dev, strerror(errno));
	s->on = false;
	if (s->loop_fd >= 0) {
		ioctl(s->loop_fd, LOOP_CLR_FD, 0);
		close(s->loop_fd);
	}
	if (s->mem_fd >= 0)
		close(s->mem_fd);
	s->loop_fd = s->mem_fd = -1;
}
