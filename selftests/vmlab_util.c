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
#include <sys/mount.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "vmlab_util.h"

bool vl_allow_skip(void)
{
	const char *s = getenv("VMLAB_ALLOW_SKIP");

	return s && *s && strcmp(s, "0");
}

int vl_devmode_save(struct vl_devmode *d)
{
	struct stat sb;

	d->changed = false;
	if (stat(VMLAB_DEVICE, &sb))
		return -1;
	d->mode = sb.st_mode & 07777;
	return 0;
}

int vl_devmode_open_to_all(struct vl_devmode *d)
{
	if ((d->mode & 0666) == 0666)
		return 0;
	if (chmod(VMLAB_DEVICE, 0666))
		return -1;
	d->changed = true;
	return 0;
}

void vl_devmode_restore(struct vl_devmode *d)
{
	if (d->changed && !chmod(VMLAB_DEVICE, d->mode))
		d->changed = false;
}

void vl_unpriv_teardown(struct vl_unpriv *d)
{
	vl_devmode_restore(&d->dm);
	if (d->fd >= 0) {
		vmlab_reset(d->fd, NULL);
		close(d->fd);
	}
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

void vl_stats_log(const char *tag, const struct vmlab_stats *a,
		  const struct vmlab_stats *b)
{
	size_t i;

	fprintf(stderr, "# %s: counter deltas:", tag);
	for (i = 0; i < vmlab_nr_stat_fields; i++)
		if (vmlab_stat_value(a, i) != vmlab_stat_value(b, i))
			fprintf(stderr, " %s%+lld", vmlab_stat_fields[i].name,
				(long long)(vmlab_stat_value(b, i) - vmlab_stat_value(a, i)));
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
	fd = vmlab_open(O_RDWR);
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

/* children */

pid_t vl_spawn(char *const argv[], const char *out, uid_t uid, const char *dir)
{
	pid_t pid;
	int fd;

	pid = vmlab_fork();
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

int vl_wait_for(pid_t pid, time_t secs, long nap_ms)
{
	struct timespec nap = { nap_ms / 1000, nap_ms % 1000 * 1000000 };
	time_t deadline = time(NULL) + secs;
	int status;
	pid_t r;

	for (;;) {
		r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR)
			return -1;
		if (time(NULL) > deadline) {
			kill(-pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -2;
		}
		nanosleep(&nap, NULL);
	}
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
}

bool vl_which(const char *tool, char *path, size_t len)
{
	const char *env = getenv("PATH"), *dir, *end;

	for (dir = env ? env : "/usr/bin:/bin"; *dir; dir = *end ? end + 1 : end) {
		end = strchrnul(dir, ':');
		snprintf(path, len, "%.*s/%s", (int)(end - dir), dir, tool);
		if (end > dir && !access(path, X_OK))
			return true;
	}
	return false;
}

bool vl_required(const char *var, const char *tool)
{
	const char *s = getenv(var), *p;
	size_t n = strlen(tool);

	if (!s || !*s)
		return false;
	if (!strcmp(s, "required"))
		return true;
	for (p = s; (p = strstr(p, tool)); p += n)
		if ((p == s || p[-1] == ',') && (p[n] == ',' || !p[n]))
			return true;
	return false;
}

char *vl_slurp(const char *path)
{
	size_t len = 0, cap = 1 << 16;
	char *buf = malloc(cap), *b;
	ssize_t n = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || !buf)
		goto fail;
	while ((n = read(fd, buf + len, cap - len - 1)) > 0) {
		len += n;
		if (cap - len < 4096) {
			b = realloc(buf, cap *= 2);
			if (!b)
				goto fail;
			buf = b;
		}
	}
	if (n < 0)
		goto fail;
	close(fd);
	buf[len] = 0;
	return buf;
fail:
	if (fd >= 0)
		close(fd);
	free(buf);
	return NULL;
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

pid_t vl_sync_fork(struct vl_sync *s)
{
	pid_t pid;

	if (vl_sync_init(s))
		return -1;
	pid = vmlab_fork();
	if (pid < 0) {
		vl_sync_close(s);
		return -1;
	}
	if (pid == 0)
		vl_sync_child(s);
	else
		vl_sync_parent(s);
	return pid;
}

int vl_sync_step(struct vl_sync *s)
{
	if (vl_post(s->to_parent[1]))
		return -1;
	return vl_wait_byte(s->to_child[0]);
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

	for (off = 0; off < len; off += vmlab_page_size())
		(void)p[off];
}

void vl_touch_write(void *addr, size_t len, char val)
{
	volatile char *p = addr;
	size_t off;

	for (off = 0; off < len; off += vmlab_page_size())
		p[off] = val;
}

#define VL_FAULT_AROUND	"/sys/kernel/debug/fault_around_bytes"

long vl_fault_around(long bytes)
{
	long old = vmlab_read_long(VL_FAULT_AROUND);
	char buf[32];

	if (old < 0 && !mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL))
		old = vmlab_read_long(VL_FAULT_AROUND);
	if (old < 0)
		return -1;
	snprintf(buf, sizeof(buf), "%ld", bytes);
	if (vmlab_write_str(VL_FAULT_AROUND, buf))
		return -1;
	return old;
}

void vl_fault_around_restore(long saved)
{
	char buf[32];

	if (saved <= 0)
		return;
	snprintf(buf, sizeof(buf), "%ld", saved);
	vmlab_write_str(VL_FAULT_AROUND, buf);
}

#define VL_THP_ENABLED	"/sys/kernel/mm/transparent_hugepage/enabled"
#define VL_THP_PMD_ENABLED \
	"/sys/kernel/mm/transparent_hugepage/hugepages-2048kB/enabled"

static const char *const vl_thp_modes[] = {
	[VL_THP_NEVER] = "never",
	[VL_THP_MADVISE] = "madvise",
	[VL_THP_ALWAYS] = "always",
	[VL_THP_INHERIT] = "inherit",
};

/* The VL_THP_* mode a THP switch's file @path shows in brackets. */
static int vl_thp_read(const char *path)
{
	char line[128] = "", word[16];
	FILE *f = fopen(path, "re");
	int m;

	if (!f)
		return -1;
	if (!fgets(line, sizeof(line), f))
		line[0] = 0;
	fclose(f);
	for (m = VL_THP_NEVER; m <= VL_THP_INHERIT; m++) {
		snprintf(word, sizeof(word), "[%s]", vl_thp_modes[m]);
		if (strstr(line, word))
			return m;
	}
	errno = EINVAL;
	return -1;
}

/* Set the switch @path to @mode; return what it was, or -1 with errno. */
static int vl_thp_write(const char *path, int mode)
{
	int old = vl_thp_read(path);

	if (old < 0 || vmlab_write_str(path, vl_thp_modes[mode]))
		return -1;
	return old;
}

/* Put back what vl_thp_write() returned, if it set anything. */
static void vl_thp_put_back(const char *path, int saved)
{
	if (saved >= 0)
		vmlab_write_str(path, vl_thp_modes[saved]);
}

int vl_thp_mode(void)
{
	return vl_thp_read(VL_THP_ENABLED);
}

int vl_thp_set(int mode)
{
	return vl_thp_write(VL_THP_ENABLED, mode);
}

void vl_thp_restore(int saved)
{
	vl_thp_put_back(VL_THP_ENABLED, saved);
}

int vl_thp_pmd_set(int mode)
{
	return vl_thp_write(VL_THP_PMD_ENABLED, mode);
}

void vl_thp_pmd_restore(int saved)
{
	vl_thp_put_back(VL_THP_PMD_ENABLED, saved);
}
