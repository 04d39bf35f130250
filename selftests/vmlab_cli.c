// SPDX-License-Identifier: GPL-2.0
/*
 * vmlab_cli: the vmlab command's views (userspace/), run as a user runs
 * them, in a child process (this program re-executed in its helper mode,
 * which is the whole command), their output captured:
 *
 *   - each view's --json (stat, maps, inspect, grid, trace) follows its
 *     schema (docs/json.md) and says what the kernel's own views say:
 *     pagemap (present, PFN), kpageflags (anon), kpagecount (map count),
 *     smaps (Rss), the module's counters;
 *   - the error paths give the documented message and exit code: bad
 *     PID, bad address, address not mapped, not a user address, unknown
 *     command, module not loaded (the device and /sys/module hidden in a
 *     mount namespace of the child's own), permission denied (as nobody);
 *   - as nobody with the device open to all (dev_mode=0666): what INSPECT
 *     withholds is printed as withheld, never as a false 0 (text and
 *     JSON), and the tour's chapters zero, shared and cow still pass and
 *     show sharing.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "vmlab_util.h"
#include "cmd.h"

#define OUTLEN		(1 << 20)

/* A small JSON parser: enough to check the documents vmlab prints. */

enum jtype { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct jv {
	enum jtype t;
	bool b;
	double num;
	char *str;		/* J_STR */
	size_t n;		/* J_ARR, J_OBJ: elements */
	char **keys;		/* J_OBJ */
	struct jv **v;		/* J_ARR, J_OBJ */
};

static const char *jp;

static void jws(void)
{
	while (*jp == ' ' || *jp == '\n' || *jp == '\t' || *jp == '\r')
		jp++;
}

static struct jv *jparse(void);

static char *jstring(void)
{
	size_t cap = 16, n = 0;
	char *s = malloc(cap);

	if (*jp != '"' || !s)
		return NULL;
	jp++;
	while (*jp && *jp != '"') {
		char c = *jp++;

		if (c == '\\') {
			c = *jp++;
			switch (c) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'u': c = (char)strtol((char[]){ jp[0], jp[1], jp[2], jp[3], 0 }, NULL, 16);
				jp += 4;
				break;
			case '"': case '\\': case '/': break;
			default: free(s); return NULL;
			}
		} else if ((unsigned char)c < 0x20) {
			free(s);
			return NULL;
		}
		if (n + 2 > cap)
			s = realloc(s, cap *= 2);
		s[n++] = c;
	}
	if (*jp != '"') {
		free(s);
		return NULL;
	}
	jp++;
	s[n] = 0;
	return s;
}

static struct jv *jparse(void)
{
	struct jv *v = calloc(1, sizeof(*v));
	char *end;

	jws();
	if (!v)
		return NULL;
	if (*jp == '{' || *jp == '[') {
		bool obj = *jp == '{';

		v->t = obj ? J_OBJ : J_ARR;
		jp++;
		jws();
		if (*jp == (obj ? '}' : ']')) {
			jp++;
			return v;
		}
		for (;;) {
			char *key = NULL;
			struct jv *e;

			jws();
			if (obj) {
				key = jstring();
				jws();
				if (!key || *jp++ != ':')
					return NULL;
			}
			e = jparse();
			if (!e)
				return NULL;
			v->v = realloc(v->v, (v->n + 1) * sizeof(*v->v));
			v->keys = realloc(v->keys, (v->n + 1) * sizeof(*v->keys));
			v->v[v->n] = e;
			v->keys[v->n] = key;
			v->n++;
			jws();
			if (*jp == ',') {
				jp++;
				continue;
			}
			if (*jp++ != (obj ? '}' : ']'))
				return NULL;
			return v;
		}
	}
	if (*jp == '"') {
		v->t = J_STR;
		v->str = jstring();
		return v->str ? v : NULL;
	}
	if (!strncmp(jp, "true", 4) || !strncmp(jp, "false", 5)) {
		v->t = J_BOOL;
		v->b = *jp == 't';
		jp += v->b ? 4 : 5;
		return v;
	}
	if (!strncmp(jp, "null", 4)) {
		jp += 4;
		return v;
	}
	v->t = J_NUM;
	v->num = strtod(jp, &end);
	if (end == jp)
		return NULL;
	jp = end;
	return v;
}

/* The document in s, which must be nothing else but white space. */
static struct jv *json(const char *s)
{
	struct jv *v;

	jp = s;
	v = jparse();
	jws();
	return v && !*jp ? v : NULL;
}

static struct jv *jget(const struct jv *o, const char *key)
{
	size_t i;

	if (!o || o->t != J_OBJ)
		return NULL;
	for (i = 0; i < o->n; i++)
		if (!strcmp(o->keys[i], key))
			return o->v[i];
	return NULL;
}

/* Typed getters: the member must exist with the type. */
static bool jhas(const struct jv *o, const char *key, enum jtype t)
{
	struct jv *v = jget(o, key);

	return v && v->t == t;
}

static double jnum(const struct jv *o, const char *key)
{
	struct jv *v = jget(o, key);

	return v && v->t == J_NUM ? v->num : -1;
}

static const char *jstr(const struct jv *o, const char *key)
{
	struct jv *v = jget(o, key);

	return v && v->t == J_STR ? v->str : "";
}

static bool jbool(const struct jv *o, const char *key)
{
	struct jv *v = jget(o, key);

	return v && v->t == J_BOOL && v->b;
}

/* A "0x..." member as a number; ~0 if missing or not hex. */
static uint64_t jhex(const struct jv *o, const char *key)
{
	const char *s = jstr(o, key);

	return strncmp(s, "0x", 2) && strcmp(s, "0") ? ~0ULL : strtoull(s, NULL, 16);
}

/* Running the command */

/* A page of this program's text: a file page every copy of it may map. */
static const void *text_page(void)
{
	return (const void *)((uintptr_t)vmlab_main & ~(uintptr_t)(vmlab_page_size() - 1));
}

static char *text_page_hex(void)
{
	static char buf[32];

	snprintf(buf, sizeof(buf), "%lx", (unsigned long)(uintptr_t)text_page());
	return buf;
}

/* The helper mode: the vmlab command; "--stderr" first: stderr to stdout. */
int vl_helper_main(int argc, char **argv)
{
	char **args = calloc((size_t)argc + 2, sizeof(*args));
	int i, a = 0;

	if (!args)
		return 99;
	if (argc && !strcmp(argv[0], "--stderr")) {
		dup2(STDOUT_FILENO, STDERR_FILENO);
		argv++, argc--;
	}
	/* Hide the module: a private /dev and /sys/module without it. */
	if (argc && !strcmp(argv[0], "--no-module")) {
		if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
		    mount("tmpfs", "/dev", "tmpfs", 0, NULL) ||
		    mount("tmpfs", "/sys/module", "tmpfs", 0, NULL))
			return 98;
		argv++, argc--;
	}
	/*
	 * Drop root.  setuid() makes the process undumpable, which a user's
	 * own vmlab is not: make it dumpable again, so that it may inspect
	 * the children it forks (the tour's), as a user's vmlab may.
	 */
	if (argc && !strcmp(argv[0], "--nobody")) {
		if (setgroups(0, NULL) || setgid(VL_NOBODY) || setuid(VL_NOBODY) ||
		    prctl(PR_SET_DUMPABLE, 1))
			return 97;
		argv++, argc--;
	}
	/* Write a hole of the object (page 100) through a mapping, and go. */
	if (argc && !strcmp(argv[0], "--touch")) {
		int fd = open(VMLAB_DEVICE, O_RDWR);
		char *m = fd < 0 ? MAP_FAILED :
			mmap(NULL, vmlab_page_size(), PROT_READ | PROT_WRITE, MAP_SHARED, fd,
			     (off_t)(100 * vmlab_page_size()));

		if (m == MAP_FAILED)
			return 96;
		m[0] = 1;
		munmap(m, vmlab_page_size());
		return 0;
	}
	args[a++] = "vmlab";
	/* "TEXT": the page of this program's text that holds vmlab_main(). */
	for (i = 0; i < argc; i++)
		args[a++] = strcmp(argv[i], "TEXT") ? argv[i] : text_page_hex();
	return vmlab_main(a, args);
}

/*
 * Run the command with up to 11 arguments (NULL ends them), its stdout in
 * out; returns its exit status.  vfork(), not fork(): fork() would
 * write-protect our private pages (copy-on-write for the child) and change
 * what the views are to show.
 */
static __attribute__((noinline)) pid_t spawn(const char **argv, int outfd)
{
	pid_t pid = vfork();

	if (!pid) {
		dup2(outfd, STDOUT_FILENO);
		execv("/proc/self/exe", (char *const *)argv);
		_exit(127);
	}
	return pid;
}

static int run(char *out, const char *a0, ...)
{
	const char *a[20] = { "vmlab-helper", "--vmlab-helper", a0 };
	size_t got = 0;
	int n = 3, pfd[2];
	ssize_t r;
	va_list ap;
	pid_t pid;

	va_start(ap, a0);
	while (n < 19 && (a[n] = va_arg(ap, const char *)))
		n++;
	va_end(ap);
	if (pipe2(pfd, O_CLOEXEC))
		return -1;
	fflush(stdout);
	fflush(stderr);
	pid = spawn(a, pfd[1]);
	close(pfd[1]);
	if (pid < 0) {
		close(pfd[0]);
		return -1;
	}
	while (got < OUTLEN - 1 && (r = read(pfd[0], out + got, OUTLEN - 1 - got)) > 0)
		got += (size_t)r;
	out[got] = 0;
	close(pfd[0]);
	return vl_wait(pid);
}

static char *hexs(char *buf, const void *p)
{
	sprintf(buf, "%lx", (unsigned long)(uintptr_t)p);
	return buf;
}

static pid_t dead_pid(void)
{
	pid_t pid = fork();

	if (!pid)
		_exit(0);
	vl_wait(pid);
	return pid;
}

/*
 * A child of fork() that writes the byte at p (a private page: it gets its
 * copy) and waits: its pid once it wrote, or -1.  end_writer() ends it.
 */
static pid_t fork_writer(char *p, struct vl_sync *sy)
{
	pid_t pid = vl_sync_fork(sy);

	if (!pid) {
		*p = 2;
		vl_post(sy->to_parent[1]);
		vl_wait_byte(sy->to_child[0]);
		_exit(0);
	}
	if (pid > 0 && vl_wait_byte(sy->to_parent[0])) {
		kill(pid, SIGKILL);
		vl_wait(pid);
		vl_sync_close(sy);
		return -1;
	}
	return pid;
}

static void end_writer(pid_t pid, struct vl_sync *sy)
{
	vl_post(sy->to_child[1]);
	vl_wait(pid);
	vl_sync_close(sy);
}

FIXTURE(cli)
{
	int fd;
	size_t ps;
	struct vmlab_stats st;
	char *out;
	char pid[16];
	char *s, *p, *a;	/* shared, private, anonymous: 16 pages each */
};

/*
 * The mappings the views look at:
 *   s: shared, object pages 0-15: 0-3 written (S), 4-7 read (s), 8-15 untouched
 *   p: private, object pages 32-47: 0-3 read (zero frame), 4-7 written (C),
 *      8-15 untouched
 *   a: anonymous, pages 0-3 written (A), 4-15 untouched
 */
FIXTURE_SETUP(cli)
{
	size_t ps = vmlab_page_size(), i;

	self->ps = ps;
	VL_SETUP_DEVICE(self->fd, self->st);
	self->out = malloc(OUTLEN);
	ASSERT_NE(NULL, self->out);
	snprintf(self->pid, sizeof(self->pid), "%d", (int)getpid());
	self->s = mmap(NULL, 16 * ps, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	self->p = mmap(NULL, 16 * ps, PROT_READ | PROT_WRITE, MAP_PRIVATE, self->fd,
		       (off_t)(32 * ps));
	self->a = mmap(NULL, 16 * ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->s);
	ASSERT_NE(MAP_FAILED, self->p);
	ASSERT_NE(MAP_FAILED, self->a);
	ASSERT_EQ(0, madvise(self->a, 16 * ps, MADV_NOHUGEPAGE));
	for (i = 0; i < 4; i++) {
		self->s[i * ps] = 1;
		vl_touch_read(self->s + (4 + i) * ps, 1);
		vl_touch_read(self->p + i * ps, 1);
		self->p[(4 + i) * ps] = 1;
		self->a[i * ps] = 1;
	}
}

FIXTURE_TEARDOWN(cli)
{
	munmap(self->s, 16 * self->ps);
	munmap(self->p, 16 * self->ps);
	munmap(self->a, 16 * self->ps);
	free(self->out);
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(cli, stat_json)
{
	struct vmlab_stats st;
	struct jv *d, *c;
	size_t i;

	ASSERT_EQ(0, run(self->out, "stat", "--json", NULL));
	ASSERT_EQ(0, vmlab_get_stats(self->fd, &st));
	d = json(self->out);
	ASSERT_NE(NULL, d) TH_LOG("not JSON: %s", self->out);
	ASSERT_STREQ("vmlab.stat/1", jstr(d, "schema"));
	ASSERT_STREQ(VMLAB_DEVICE, jstr(d, "device"));
	ASSERT_EQ(self->ps, jnum(d, "page_size"));
	c = jget(d, "counters");
	ASSERT_NE(NULL, c);
	ASSERT_EQ(vmlab_nr_stat_fields, c->n);
	for (i = 0; i < vmlab_nr_stat_fields; i++)
		ASSERT_TRUE(jhas(c, vmlab_stat_fields[i].name, J_NUM))
			TH_LOG("no counter %s", vmlab_stat_fields[i].name);
	ASSERT_EQ(st.size, jnum(c, "size"));
	ASSERT_EQ(st.mem_limit, jnum(c, "mem_limit"));
	ASSERT_EQ(st.pages_resident, jnum(c, "pages_resident"));
	ASSERT_EQ(8, jnum(c, "pages_resident"));	/* s: 4 written, 4 read */
	ASSERT_EQ(st.vmas_live, jnum(c, "vmas_live"));
	ASSERT_EQ(NULL, jget(d, "delta"));

	/* With a command: the deltas it caused. */
	ASSERT_EQ(0, run(self->out, "stat", "--json", "--", "/proc/self/exe",
			 "--vmlab-helper", "--touch", NULL));
	d = json(self->out);
	ASSERT_NE(NULL, d) TH_LOG("not JSON: %s", self->out);
	c = jget(d, "delta");
	ASSERT_NE(NULL, c);
	ASSERT_EQ(1, jnum(c, "fault_shared_write"));
	ASSERT_EQ(1, jnum(c, "pages_allocated"));
	ASSERT_EQ(1, jnum(c, "vma_opens"));
	ASSERT_EQ(1, jnum(c, "vma_closes"));
	ASSERT_EQ(0, jnum(d, "command_status"));
}

/* Expected state and write bit of page i of each mapping. */
static const char *want_state(char which, size_t i, bool *write, bool *present)
{
	*present = true;
	*write = false;
	switch (which) {
	case 's':
		if (i < 4)
			*write = true;
		return i < 8 ? "object" : (*present = false, "not_present");
	case 'p':
		if (i < 4)
			return "zero";
		*write = true;
		return i < 8 ? "copy" : (*present = false, *write = false, "not_present");
	default:
		*write = true;
		return i < 4 ? "anon" : (*present = false, *write = false, "not_present");
	}
}

static const char *page_problem(const struct jv *pg, char which, size_t i, const void *addr)
{
	static char why[160];
	struct jv *e = jget(pg, "entry"), *page = jget(pg, "page"), *vma = jget(pg, "vma");
	uint64_t pm = vl_pagemap(addr), kf;
	bool write, present;
	const char *st = want_state(which, i, &write, &present);

	if (jhex(pg, "addr") != (uintptr_t)addr)
		return "addr";
	if (strcmp(jstr(pg, "state"), st)) {
		snprintf(why, sizeof(why), "state %s, expected %s", jstr(pg, "state"), st);
		return why;
	}
	if (!e || !page || !vma || !jhas(pg, "walk", J_OBJ) || !jhas(pg, "level", J_STR) ||
	    !jhas(pg, "nonpresent", J_STR) || !jget(pg, "pfn") || !jget(pg, "frame_id") ||
	    !jget(pg, "mapcount") || !jget(pg, "raw_entries") || !jhas(pg, "char", J_STR) ||
	    !jhas(pg, "hidden", J_OBJ))
		return "a member is missing";
	/* root: nothing withheld. */
	if (jhex(jget(pg, "hidden"), "raw") != 0)
		return "hidden is not 0 for root";
	if (jbool(e, "present") != pm_present(pm) || jbool(e, "present") != present)
		return "present differs from pagemap";
	if (jbool(e, "write") != write)
		return "write bit";
	if (strcmp(jstr(vma, "perms"), which == 's' ? "rw-s" : "rw-p"))
		return "vma perms";
	if (jbool(vma, "vmlab") != (which != 'a'))
		return "vma vmlab";
	if (!present)
		return jget(pg, "pfn")->t == J_NULL && jget(pg, "frame_id")->t == J_NULL ?
		       NULL : "a frame without present bit";
	if (jhex(pg, "pfn") != pm_pfn(pm))
		return "PFN differs from pagemap";
	if (jhex(pg, "frame_id") == ~0ULL || !jhex(pg, "frame_id"))
		return "no frame id";
	kf = vl_kpageflags(pm_pfn(pm));
	if (jbool(page, "anon") != vmlab_kpf(kf, VMLAB_KPF_ANON))
		return "anon differs from kpageflags";
	if (jbool(page, "valid") && jnum(pg, "mapcount") != vl_kpagecount(pm_pfn(pm)))
		return "mapcount differs from kpagecount";
	if (which == 's' && jnum(pg, "obj_offset") != (double)i)
		return "obj_offset";
	return NULL;
}

TEST_F(cli, inspect_json_against_pagemap)
{
	static const char which[] = "spa";
	char addr[32];
	uint64_t zero_frame = 0;
	struct jv *d, *pages;
	int k;
	size_t i;

	for (k = 0; k < 3; k++) {
		char *m = k == 0 ? self->s : k == 1 ? self->p : self->a;

		ASSERT_EQ(0, run(self->out, "inspect", "-p", self->pid, "--json", hexs(addr, m),
				 "64K", NULL));
		d = json(self->out);
		ASSERT_NE(NULL, d) TH_LOG("not JSON: %.300s", self->out);
		ASSERT_STREQ("vmlab.inspect/1", jstr(d, "schema"));
		ASSERT_EQ(getpid(), jnum(d, "pid"));
		ASSERT_EQ(self->ps, jnum(d, "page_size"));
		ASSERT_TRUE(jbool(d, "pfn_shown"));
		ASSERT_EQ((uintptr_t)m, jhex(d, "addr"));
		ASSERT_EQ(16, jnum(d, "npages"));
		pages = jget(d, "pages");
		ASSERT_NE(NULL, pages);
		ASSERT_EQ(J_ARR, pages->t);
		ASSERT_EQ(16, pages->n);
		for (i = 0; i < 16; i++) {
			const char *why = page_problem(pages->v[i], which[k], i, m + i * self->ps);

			ASSERT_EQ(NULL, why) TH_LOG("mapping %c page %zu: %s", which[k], i, why);
		}
		if (k == 1) {
			/*
			 * Pages 0-3: the kernel's zero page, with special entries
			 * (no struct page examined, no count), as anonymous memory's.
			 */
			zero_frame = jhex(pages->v[0], "frame_id");
			for (i = 0; i < 4; i++) {
				struct jv *pg = jget(pages->v[i], "page");

				ASSERT_EQ(zero_frame, jhex(pages->v[i], "frame_id"));
				ASSERT_TRUE(jbool(pg, "zero"));
				ASSERT_FALSE(jbool(pg, "vmlab_zero"));
				ASSERT_FALSE(jbool(pg, "valid"));
				ASSERT_TRUE(jbool(jget(pages->v[i], "entry"), "special"));
				ASSERT_EQ(J_NULL, jget(pages->v[i], "mapcount")->t);
				ASSERT_TRUE(vmlab_kpf(vl_kpageflags(jhex(pages->v[i], "pfn")),
						    VMLAB_KPF_ZERO_PAGE));
			}
		}
	}
	/* An anonymous page read, never written: the same zero page. */
	{
		char *z = mmap(NULL, self->ps, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		struct jv *pg;

		ASSERT_NE(MAP_FAILED, z);
		vl_touch_read(z, 1);
		ASSERT_EQ(0, run(self->out, "inspect", "-p", self->pid, "--json", hexs(addr, z),
				 NULL));
		munmap(z, self->ps);
		d = json(self->out);
		ASSERT_NE(NULL, d) TH_LOG("not JSON: %.300s", self->out);
		pg = jget(d, "pages")->v[0];
		ASSERT_STREQ("zero", jstr(pg, "state"));
		ASSERT_EQ(zero_frame, jhex(pg, "frame_id"));
	}

	/* One page without --json: the detailed block. */
	ASSERT_EQ(0, run(self->out, "inspect", "-p", self->pid, hexs(addr, self->s), NULL));
	ASSERT_NE(NULL, strstr(self->out, "vmlab's object, at page 0 of the object"));
	ASSERT_NE(NULL, strstr(self->out, "write       yes"));
}

TEST_F(cli, grid_json)
{
	char addr[32], child[16];
	struct jv *d, *procs, *c;
	struct vl_sync sy;
	pid_t pid;
	int s;

	ASSERT_EQ(0, run(self->out, "grid", "-p", self->pid, "--json", "--vma",
			 hexs(addr, self->s + self->ps), NULL));
	d = json(self->out);
	ASSERT_NE(NULL, d) TH_LOG("not JSON: %.300s", self->out);
	ASSERT_STREQ("vmlab.grid/1", jstr(d, "schema"));
	ASSERT_EQ((uintptr_t)self->s, jhex(d, "addr"));	/* the whole VMA */
	ASSERT_EQ(16, jnum(d, "npages"));
	ASSERT_TRUE(jhas(d, "legend", J_OBJ));
	ASSERT_EQ(VC_PS_NR, jget(d, "legend")->n);
	procs = jget(d, "procs");
	ASSERT_NE(NULL, procs);
	ASSERT_EQ(1, procs->n);
	ASSERT_EQ(getpid(), jnum(procs->v[0], "pid"));
	ASSERT_STREQ("SSSSssss........", jstr(procs->v[0], "cells"));
	c = jget(procs->v[0], "counts");
	ASSERT_EQ(8, jnum(c, "object"));
	ASSERT_EQ(8, jnum(c, "not_present"));
	for (s = 0; s < VC_PS_NR; s++)
		ASSERT_TRUE(jhas(c, vc_pstates[s].name, J_NUM));
	ASSERT_EQ(J_NULL, jget(d, "same")->t);

	ASSERT_EQ(0, run(self->out, "grid", "-p", self->pid, "--json", hexs(addr, self->p),
			 "64K", NULL));
	d = json(self->out);
	ASSERT_NE(NULL, d);
	ASSERT_STREQ("0000CCCC........", jstr(jget(d, "procs")->v[0], "cells"));
	ASSERT_EQ(0, run(self->out, "grid", "-p", self->pid, "--json", hexs(addr, self->a),
			 "64K", NULL));
	d = json(self->out);
	ASSERT_NE(NULL, d);
	ASSERT_STREQ("AAAA............", jstr(jget(d, "procs")->v[0], "cells"));

	/* Parent and child after fork; the child writes private page 4. */
	pid = fork_writer(self->p + 4 * self->ps, &sy);
	ASSERT_LE(0, pid);
	snprintf(child, sizeof(child), "%d", (int)pid);
	s = run(self->out, "grid", "-p", self->pid, "-p", child, "--json", hexs(addr, self->p),
		"64K", NULL);
	end_writer(pid, &sy);
	ASSERT_EQ(0, s);
	d = json(self->out);
	ASSERT_NE(NULL, d) TH_LOG("not JSON: %.300s", self->out);
	procs = jget(d, "procs");
	ASSERT_EQ(2, procs->n);
	ASSERT_EQ(pid, jnum(procs->v[1], "pid"));
	/* Copy-on-write: both read-only after fork, the child's page 4 its own. */
	ASSERT_STREQ("0000cccc........", jstr(procs->v[0], "cells"));
	ASSERT_STREQ("0000Cccc........", jstr(procs->v[1], "cells"));
	ASSERT_STREQ("====x===........", jstr(d, "same"));
}

TEST_F(cli, maps_json)
{
	struct jv *d, *vmas, *v = NULL, *st;
	struct vmlab_smaps sm;
	size_t i;
	long sum = 0;
	int s;

	ASSERT_EQ(0, run(self->out, "maps", "-p", self->pid, "--json", NULL));
	d = json(self->out);
	ASSERT_NE(NULL, d) TH_LOG("not JSON: %.300s", self->out);
	ASSERT_STREQ("vmlab.maps/1", jstr(d, "schema"));
	ASSERT_EQ(getpid(), jnum(d, "pid"));
	vmas = jget(d, "vmas");
	ASSERT_NE(NULL, vmas);
	ASSERT_LT(3, vmas->n);
	for (i = 0; i < vmas->n; i++) {
		ASSERT_TRUE(jhas(vmas->v[i], "start", J_STR));
		ASSERT_TRUE(jhas(vmas->v[i], "perms", J_STR));
		ASSERT_TRUE(jhas(vmas->v[i], "kind", J_STR));
		ASSERT_TRUE(jhas(vmas->v[i], "flags", J_OBJ));
		if (jhex(vmas->v[i], "start") == (uintptr_t)self->s)
			v = vmas->v[i];
		if (i)
			ASSERT_LE(jhex(vmas->v[i - 1], "end"), jhex(vmas->v[i], "start"));
	}
	ASSERT_NE(NULL, v);
	ASSERT_EQ((uintptr_t)self->s + 16 * self->ps, jhex(v, "end"));
	ASSERT_STREQ("rw-s", jstr(v, "perms"));
	ASSERT_STREQ(VMLAB_DEVICE, jstr(v, "path"));
	ASSERT_STREQ("vmlab", jstr(v, "kind"));
	ASSERT_TRUE(jbool(jget(v, "flags"), "shared"));
	ASSERT_TRUE(jbool(jget(v, "flags"), "write"));
	ASSERT_FALSE(jbool(jget(v, "flags"), "exec"));
	ASSERT_EQ(16, jnum(v, "pages"));
	ASSERT_EQ(0, vmlab_smaps(0, (uintptr_t)self->s, 1, &sm));
	ASSERT_EQ(sm.rss, jnum(v, "rss_kb"));
	ASSERT_EQ((long)vl_count_present(self->s, 16), jnum(jget(v, "states"), "object"));
	st = jget(v, "states");
	for (s = VC_PS_NOT_PRESENT; s < VC_PS_NR; s++) {
		ASSERT_TRUE(jhas(st, vc_pstates[s].name, J_NUM));
		sum += (long)jnum(st, vc_pstates[s].name);
	}
	ASSERT_EQ(16, sum);
	ASSERT_EQ(4, jnum(v, "writable"));
}

/* trace: the events of a process that maps, writes and unmaps a page. */
TEST_F(cli, trace_json)
{
	static const char *const want[] = { "vma_open", "fault", "page_mkwrite", "vma_close" };
	char *line, *save = NULL;
	size_t n = 0;
	int rc;

	rc = run(self->out, "--stderr", "trace", "--json", "--", "/proc/self/exe",
		 "--vmlab-helper", "--touch", NULL);
	if (rc == VC_UNSUPP)
		SKIP(return, "no tracefs or no vmlab tracepoints: %s", self->out);
	ASSERT_EQ(0, rc) TH_LOG("%s", self->out);
	for (line = strtok_r(self->out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		struct jv *e = json(line), *f;

		ASSERT_NE(NULL, e) TH_LOG("not JSON: %s", line);
		ASSERT_STREQ("vmlab.trace/1", jstr(e, "schema"));
		ASSERT_TRUE(jhas(e, "time", J_NUM));
		ASSERT_TRUE(jhas(e, "cpu", J_NUM));
		ASSERT_TRUE(jhas(e, "pid", J_NUM));
		ASSERT_TRUE(jhas(e, "comm", J_STR));
		ASSERT_TRUE(jhas(e, "text", J_STR));
		f = jget(e, "fields");
		ASSERT_NE(NULL, f);
		ASSERT_LT(n, 4) TH_LOG("more events than expected: %s", line);
		ASSERT_STREQ(want[n], jstr(e, "event"));
		if (n == 0 || n == 3) {
			ASSERT_STREQ("shared", jstr(f, "mapping"));
			ASSERT_STREQ(n ? "unmap" : "mmap", jstr(f, "reason"));
		} else if (n == 1) {
			ASSERT_STREQ("shared", jstr(f, "mapping"));
			ASSERT_STREQ("write", jstr(f, "access"));
			ASSERT_STREQ("allocated", jstr(f, "outcome"));
			ASSERT_EQ(100, jnum(f, "pgoff"));
			ASSERT_NE(~0ULL, jhex(f, "frame_id"));
		} else {
			ASSERT_STREQ("dirtied", jstr(f, "result"));
		}
		n++;
	}
	ASSERT_EQ(4, n);
}

/* The documented exit codes and messages of the error paths. */
TEST_F(cli, errors)
{
	char addr[32], dead[16], *far;
	static const char *const cmds[] = { "tour", "stat", "maps", "inspect", "grid", "trace" };
	size_t i;

	snprintf(dead, sizeof(dead), "%d", (int)dead_pid());
	ASSERT_EQ(VC_NOPROC, run(self->out, "--stderr", "inspect", "-p", dead, "1000", NULL));
	ASSERT_NE(NULL, strstr(self->out, "vmlab: no process with pid ")) TH_LOG("%s", self->out);
	ASSERT_EQ(VC_NOPROC, run(self->out, "--stderr", "maps", "-p", dead, NULL));
	ASSERT_EQ(VC_NOPROC, run(self->out, "--stderr", "grid", "-p", dead, "1000", "4K", NULL));
	ASSERT_EQ(VC_USAGE, run(self->out, "--stderr", "maps", "-p", "12x", NULL));

	/* An address nothing maps. */
	far = mmap(NULL, self->ps, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, far);
	ASSERT_EQ(0, munmap(far, self->ps));
	ASSERT_EQ(VC_BADADDR, run(self->out, "--stderr", "inspect", "-p", self->pid,
				  hexs(addr, far), NULL));
	ASSERT_NE(NULL, strstr(self->out, ": not mapped in process ")) TH_LOG("%s", self->out);
	ASSERT_EQ(VC_BADADDR, run(self->out, "--stderr", "grid", "-p", self->pid, "--vma",
				  hexs(addr, far), NULL));
	ASSERT_NE(NULL, strstr(self->out, ": not mapped in process ")) TH_LOG("%s", self->out);
	/* Not a user address. */
	ASSERT_EQ(VC_BADADDR, run(self->out, "--stderr", "inspect", "-p", self->pid,
				  "ffffffffff600000", NULL));
	ASSERT_NE(NULL, strstr(self->out, "not a range of user-space addresses"))
		TH_LOG("%s", self->out);
	/* Not an address at all; unknown commands and options. */
	ASSERT_EQ(VC_USAGE, run(self->out, "--stderr", "inspect", "zz", NULL));
	ASSERT_NE(NULL, strstr(self->out, "bad address 'zz'")) TH_LOG("%s", self->out);
	ASSERT_EQ(VC_USAGE, run(self->out, "--stderr", "frobnicate", NULL));
	ASSERT_EQ(VC_USAGE, run(self->out, "--stderr", "tour", "no-such-chapter", NULL));
	ASSERT_EQ(VC_USAGE, run(self->out, "--stderr", "grid", "--bogus", NULL));

	/* --help of each subcommand: exit 0, a usage line. */
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		char want[64];

		snprintf(want, sizeof(want), "usage: vmlab %s", cmds[i]);
		ASSERT_EQ(0, run(self->out, cmds[i], "--help", NULL));
		ASSERT_NE(NULL, strstr(self->out, want)) TH_LOG("%s --help: %s", cmds[i], self->out);
	}
}

/* No module: the device and /sys/module/vmlab hidden from the command. */
TEST_F(cli, module_not_loaded)
{
	static const char msg[] =
		"vmlab: /dev/vmlab not found: is the module loaded? (insmod vmlab.ko)\n";

	ASSERT_EQ(VC_NODEV, run(self->out, "--stderr", "--no-module", "stat", NULL));
	ASSERT_STREQ(msg, self->out);
	ASSERT_EQ(VC_NODEV, run(self->out, "--stderr", "--no-module", "maps", NULL));
	ASSERT_STREQ(msg, self->out);
	ASSERT_EQ(VC_NODEV, run(self->out, "--stderr", "--no-module", "tour", "1", NULL));
	ASSERT_STREQ(msg, self->out);
	ASSERT_EQ(VC_NODEV, run(self->out, "--stderr", "--no-module", "tour", "--tap", NULL));
	ASSERT_NE(NULL, strstr(self->out, "Bail out! vmlab: /dev/vmlab not found"));
}

/*
 * nobody, with the device open to everyone (as dev_mode=0666): a page of
 * this program's text, which the test process maps too, is a file page
 * other processes map: INSPECT withholds its frame id, reference count,
 * state bits and exact map count.  The views say so and print no false 0;
 * root's view of the same page has every value, its map count
 * kpagecount's.
 */
TEST_F(cli, nobody_sees_what_is_hidden)
{
	const char *text = text_page();
	struct jv *d, *pg, *h;
	struct stat st;
	mode_t mode;
	int rc;

	ASSERT_EQ(0, stat(VMLAB_DEVICE, &st));
	mode = st.st_mode & 07777;
	vl_touch_read(text, 1);	/* we map the page too: more than one mapping */

	/* root first: nothing withheld, the map count kpagecount's. */
	ASSERT_EQ(0, run(self->out, "inspect", "--json", "TEXT", NULL)) TH_LOG("%s", self->out);
	d = json(self->out);
	ASSERT_NE(NULL, d) TH_LOG("not JSON: %.300s", self->out);
	pg = jget(d, "pages")->v[0];
	ASSERT_EQ(0, jhex(jget(pg, "hidden"), "raw"));
	ASSERT_TRUE(jbool(jget(pg, "page"), "file"));
	ASSERT_LE(2, jnum(pg, "mapcount"));
	ASSERT_LE(1, jnum(pg, "refcount"));
	ASSERT_EQ(pm_pfn(vl_pagemap(text)), jhex(pg, "pfn"));

	ASSERT_EQ(0, chmod(VMLAB_DEVICE, 0666));
	rc = run(self->out, "--stderr", "--nobody", "inspect", "--json", "TEXT", NULL);
	if (rc) {
		chmod(VMLAB_DEVICE, mode);
		ASSERT_EQ(0, rc) TH_LOG("%s", self->out);
	}
	d = json(self->out);
	pg = d ? jget(d, "pages")->v[0] : NULL;
	h = jget(pg, "hidden");
	EXPECT_NE(NULL, h) TH_LOG("%.400s", self->out);
	EXPECT_FALSE(jbool(d, "pfn_shown"));
	EXPECT_TRUE(jbool(h, "pfn"));
	EXPECT_TRUE(jbool(h, "frame_id"));
	EXPECT_TRUE(jbool(h, "mapcount"));
	EXPECT_TRUE(jbool(h, "refcount"));
	EXPECT_TRUE(jbool(h, "state"));
	EXPECT_FALSE(jbool(h, "swap"));
	EXPECT_TRUE(jget(pg, "frame_id") && jget(pg, "frame_id")->t == J_NULL);
	EXPECT_TRUE(jget(pg, "pfn") && jget(pg, "pfn")->t == J_NULL);
	EXPECT_TRUE(jget(pg, "refcount") && jget(pg, "refcount")->t == J_NULL);
	EXPECT_TRUE(jget(pg, "folio_pages") && jget(pg, "folio_pages")->t == J_NULL);
	EXPECT_EQ(2, jnum(pg, "mapcount"));	/* "more than one" */
	EXPECT_STREQ("file", jstr(pg, "state"));

	/* The block: each withheld value said to be so. */
	rc = run(self->out, "--stderr", "--nobody", "inspect", "TEXT", NULL);
	EXPECT_EQ(0, rc) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "mapcount more than one")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "refcount hidden (needs root)")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "PFN and frame id hidden (needs root)"))
		TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "pages in its folio hidden (needs root)"))
		TH_LOG("%s", self->out);
	EXPECT_EQ(NULL, strstr(self->out, "refcount 0")) TH_LOG("%s", self->out);
	EXPECT_EQ(NULL, strstr(self->out, "frame id 0")) TH_LOG("%s", self->out);
	EXPECT_EQ(NULL, strstr(self->out, " 0 pages in its folio")) TH_LOG("%s", self->out);

	/* The table: short forms and their legend. */
	rc = run(self->out, "--stderr", "--nobody", "inspect", "TEXT", "8K", NULL);
	EXPECT_EQ(0, rc) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, " 2+ ")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "hid: hidden (needs root)")) TH_LOG("%s", self->out);
	EXPECT_EQ(NULL, strstr(self->out, " 00000000 ")) TH_LOG("%s", self->out);
	chmod(VMLAB_DEVICE, mode);
}

/*
 * The tour's chapters zero, shared, cow and dirty as nobody: still every
 * verdict, with frame ids of vmlab's pages, the zero page and the tour's
 * own anonymous pages, and the withheld count of a shared anonymous page
 * said to be "more than once", never a false number; claim 23, which needs
 * root, skipped with its reason, not failed.
 */
TEST_F(cli, tour_as_nobody)
{
	struct stat st;
	mode_t mode;
	int rc;

	ASSERT_EQ(0, stat(VMLAB_DEVICE, &st));
	mode = st.st_mode & 07777;
	ASSERT_EQ(0, chmod(VMLAB_DEVICE, 0666));
	rc = run(self->out, "--stderr", "--nobody", "tour", "--tap", "zero", "shared", "cow",
		 "dirty", NULL);
	chmod(VMLAB_DEVICE, mode);
	EXPECT_EQ(0, rc) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "\nok 1 - zero: ")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "\nok 2 - shared: ")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "\nok 3 - cow: ")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "\nok 4 - dirty: ")) TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "Not shown in this run: shortening the kernel's"))
		TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "# claim 23: PARTLY, chapter dirty, step "))
		TH_LOG("%s", self->out);
	/* Chapter 3: the zero page's frame id, equal to anonymous memory's. */
	EXPECT_NE(NULL, strstr(self->out, "[ok]   the same frame as the holes of the vmlab "
			       "mapping")) TH_LOG("%s", self->out);
	/* Chapter 4: the object's page named by its frame id. */
	EXPECT_NE(NULL, strstr(self->out, "the object's page: frame ")) TH_LOG("%s", self->out);
	/* Chapter 6 (cow): shared after fork, its count withheld and said to be. */
	EXPECT_NE(NULL, strstr(self->out, "each frame is mapped more than once"))
		TH_LOG("%s", self->out);
	EXPECT_NE(NULL, strstr(self->out, "parent and child map the same 8 frames (page 0: "
			       "frame")) TH_LOG("%s", self->out);
	EXPECT_EQ(NULL, strstr(self->out, "mapcount 2")) TH_LOG("%s", self->out);
	EXPECT_EQ(NULL, strstr(self->out, "mapped 2 times")) TH_LOG("%s", self->out);
	EXPECT_EQ(NULL, strstr(self->out, "mapped 0 times")) TH_LOG("%s", self->out);
	EXPECT_EQ(NULL, strstr(self->out, "frame 00000000")) TH_LOG("%s", self->out);
	EXPECT_EQ(NULL, strstr(self->out, "PFN 0x0,")) TH_LOG("%s", self->out);
}

/*
 * The figures (issue 16): a file the guest made, printed as base64 between
 * "VMLAB-FILE-BEGIN NAME" and "VMLAB-FILE-END NAME" for the host, which
 * decodes it (scripts/extract-files.sh) and validates it with tidy,
 * xmllint and a headless Chromium (scripts/check-figures.sh).
 */
static void print_file_b64(const char *name, const char *path)
{
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned char in[57];
	char line[80];
	size_t n, i, o;
	FILE *f = fopen(path, "re");

	if (!f)
		return;
	fflush(stdout);
	printf("VMLAB-FILE-BEGIN %s\n", name);
	while ((n = fread(in, 1, sizeof(in), f)) > 0) {
		for (i = 0, o = 0; i < n; i += 3) {
			unsigned int v = (unsigned int)in[i] << 16;

			v |= i + 1 < n ? (unsigned int)in[i + 1] << 8 : 0;
			v |= i + 2 < n ? in[i + 2] : 0;
			line[o++] = b64[(v >> 18) & 63];
			line[o++] = b64[(v >> 12) & 63];
			line[o++] = i + 1 < n ? b64[(v >> 6) & 63] : '=';
			line[o++] = i + 2 < n ? b64[v & 63] : '=';
		}
		line[o] = 0;
		printf("%s\n", line);
	}
	printf("VMLAB-FILE-END %s\n", name);
	fflush(stdout);
	fclose(f);
}

/* A whole file, NUL-terminated, or NULL. */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "re");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	if (buf)
		buf[n] = 0;
	fclose(f);
	return buf;
}

/* The number of figures the report has for chapter id, -1: no section. */
static int section_figures(const char *html, const char *id)
{
	char key[64];
	const char *p;

	snprintf(key, sizeof(key), "<section id=\"ch-%s\" data-figures=\"", id);
	p = strstr(html, key);
	return p ? atoi(p + strlen(key)) : -1;
}

/* The chapters of the report that have no figure, "" if none: "swap exec ". */
static const char *chapters_without_figures(const char *html)
{
	static char none[256];
	const char *p = html, *key = "<section id=\"ch-";
	size_t n = 0;

	none[0] = 0;
	while ((p = strstr(p, key))) {
		int len = (int)strcspn(p + strlen(key), "\"");
		char id[32];

		snprintf(id, sizeof(id), "%.*s", len, p + strlen(key));
		if (section_figures(html, id) < 1 && n < sizeof(none) - 40)
			n += (size_t)snprintf(none + n, sizeof(none) - n, "%s ", id);
		p += strlen(key);
	}
	return none;
}

/*
 * The text of a run as one line: TAP's "# " and the wrapping gone, each run
 * of blanks one space, so that "PFN 0x1a2b" is found where a line broke
 * between "PFN" and "0x1a2b".  Free it.
 */
static char *flat_text(const char *out)
{
	char *f = malloc(strlen(out) + 1), *o = f;
	const char *p;

	if (!f)
		return NULL;
	for (p = out; *p; p++) {
		bool blank = *p == '\n' || *p == ' ' || *p == '\t';

		if (*p == '\n' && p[1] == '#')
			p++;	/* TAP's "#" at the start of a line */
		if (blank) {
			if (o > f && o[-1] != ' ')
				*o++ = ' ';
			continue;
		}
		*o++ = *p;
	}
	*o = 0;
	return f;
}

/* Each frame a figure's pages name ("PFN 0x..", "frame .."): printed by the run too. */
static int frames_printed(struct __test_metadata *_metadata, const char *flat,
			  const struct jv *procs, const char *chapter)
{
	int k, i, n = 0;

	for (k = 0; procs && k < (int)procs->n; k++) {
		const struct jv *pages = jget(procs->v[k], "pages");

		for (i = 0; pages && i < (int)pages->n; i++) {
			const char *lab;

			if (!jhas(pages->v[i], "label", J_STR))
				continue;
			lab = jstr(pages->v[i], "label");
			EXPECT_NE(NULL, strstr(flat, lab))
				TH_LOG("%s: the figure draws %s (page %d of %s), the text never "
				       "printed it", chapter, lab, i, jstr(procs->v[k], "name"));
			n++;
		}
	}
	return n;
}

/* The figures of the chapters with no frame drawn elsewhere, against the text. */
static void check_new_figures(struct __test_metadata *_metadata, const char *flat,
			      const struct jv *f, bool root)
{
	const char *ch = jstr(f, "chapter"), *kind = jstr(f, "kind");
	const struct jv *rows, *procs, *pages, *steps;
	char want[160];
	int i;

	if (!strcmp(kind, "values")) {
		/* Every amount and the limit as the text printed them. */
		rows = jget(f, "rows");
		ASSERT_NE(NULL, rows);
		EXPECT_LE(2, (int)rows->n) TH_LOG("%s", ch);
		for (i = 0; i < (int)rows->n; i++)
			EXPECT_NE(NULL, strstr(flat, jstr(rows->v[i], "shown")))
				TH_LOG("%s: the figure shows %s (%s), not printed", ch,
				       jstr(rows->v[i], "shown"), jstr(rows->v[i], "label"));
		ASSERT_TRUE(jhas(f, "limit", J_OBJ)) TH_LOG("%s: amounts without their limit", ch);
		EXPECT_NE(NULL, strstr(flat, jstr(jget(f, "limit"), "shown")))
			TH_LOG("%s: the limit %s not printed", ch, jstr(jget(f, "limit"), "shown"));
		return;
	}
	if (!strcmp(kind, "timeline")) {
		steps = jget(f, "steps");
		ASSERT_NE(NULL, steps);
		EXPECT_EQ(3, (int)steps->n);
		/* Page 0's frame after close(), then both pages' frames: printed. */
		EXPECT_LE(3, frames_printed(_metadata, flat, jget(steps->v[0], "procs"), ch) +
			  frames_printed(_metadata, flat, jget(steps->v[1], "procs"), ch));
		/* None after munmap(). */
		pages = jget(jget(steps->v[2], "procs")->v[0], "pages");
		for (i = 0; i < (int)pages->n; i++)
			EXPECT_FALSE(jbool(pages->v[i], "present")) TH_LOG("after munmap");
		return;
	}
	ASSERT_STREQ("mapping", kind);
	procs = jget(f, "procs");
	ASSERT_NE(NULL, procs);
	frames_printed(_metadata, flat, procs, ch);
	pages = jget(procs->v[0], "pages");
	if (!strcmp(ch, "swap")) {
		/* A swapped row as the text said it: "a[2]: SWAPPED OUT". */
		for (i = 0; i < (int)pages->n; i++) {
			const char *name = jstr(pages->v[i], "name");
			bool swapped = !strcmp(jstr(pages->v[i], "state"), "swap");

			int len = (int)strcspn(name, " ");

			snprintf(want, sizeof(want), "%.*s: SWAPPED OUT", len, name);
			if (swapped)
				EXPECT_NE(NULL, strstr(flat, want)) TH_LOG("%s", want);
		}
	} else if (!strcmp(ch, "exec")) {
		/* Text from the page cache, data a private copy, the rest anonymous. */
		static const char *const kinds[] = { "file", "copy", "anon", "anon", "anon" };

		ASSERT_EQ(5, (int)pages->n);
		EXPECT_STREQ("text", jstr(pages->v[0], "name"));
		for (i = 0; i < 5; i++)
			if (jbool(pages->v[i], "present"))
				EXPECT_STREQ(kinds[i], jstr(pages->v[i], "state"))
					TH_LOG("exec: the program's %s page",
					       jstr(pages->v[i], "name"));
		/* The program's text page is the tour's: one frame (root: by PFN). */
		pages = jget(procs->v[1], "pages");
		if (root && jhas(pages->v[0], "label", J_STR))
			EXPECT_STREQ(jstr(jget(procs->v[0], "pages")->v[0], "label"),
				     jstr(pages->v[0], "label"));
	}
}

/*
 * Check a report against the text of the same run (out): every chapter
 * has its figures, each figure's data is in the JSON block, and the
 * numbers figures show are those the text printed.
 */
static void check_report(struct __test_metadata *_metadata, const char *out,
			 const char *html, bool root, bool demand)
{
	const char *js = strstr(html, "<script type=\"application/json\" id=\"vmlab-figures\">");
	struct jv *d, *figs;
	char *buf, *end, want[256], *flat = flat_text(out);
	int i, k, st, seen_tl = 0, labels = 0, kinds[5] = { 0 };

	ASSERT_NE(NULL, js);
	ASSERT_NE(NULL, flat);
	EXPECT_EQ(NULL, strstr(html, "<script>")) TH_LOG("a script to run in the report");
	EXPECT_EQ(NULL, strstr(html, "src=")) TH_LOG("the report fetches something");
	EXPECT_EQ(NULL, strstr(html, "<link")) TH_LOG("the report fetches something");
	/* Every chapter that ran has its figures. */
	EXPECT_STREQ("", chapters_without_figures(html))
		TH_LOG("chapters without a figure: %s", chapters_without_figures(html));
	EXPECT_LE(3, section_figures(html, "zero"));
	EXPECT_LE(2, section_figures(html, "shared"));
	EXPECT_LE(3, section_figures(html, "cow"));
	EXPECT_LE(1, section_figures(html, "dirty"));
	if (demand) {
		EXPECT_LE(1, section_figures(html, "demand"));
		EXPECT_LE(1, section_figures(html, "prot"));
	}
	buf = strdup(strchr(js, '>') + 1);
	ASSERT_NE(NULL, buf);
	end = strstr(buf, "</script>");
	ASSERT_NE(NULL, end);
	*end = 0;
	d = json(buf);
	ASSERT_NE(NULL, d) TH_LOG("the figures' data is not JSON: %.300s", buf);
	EXPECT_STREQ("vmlab.figures/1", jstr(d, "schema"));
	EXPECT_EQ(root, jbool(d, "root"));
	figs = jget(d, "figures");
	ASSERT_NE(NULL, figs);
	for (i = 0; i < (int)figs->n; i++) {
		const struct jv *f = figs->v[i], *procs, *steps, *pages;
		const char *kind = jstr(f, "kind"), *lab, *ch = jstr(f, "chapter");

		/* Each figure is drawn in the HTML: <figure id="fig-N" ...>. */
		snprintf(want, sizeof(want), "<figure id=\"fig-%d\" data-chapter=\"%s\" "
			 "data-kind=\"%s\">", (int)jnum(f, "figure"), ch, kind);
		EXPECT_NE(NULL, strstr(html, want)) TH_LOG("%s", want);
		snprintf(want, sizeof(want), " %s ", ch);
		if (strstr(" file nomem overcommit memcg munmap swap exec ", want)) {
			check_new_figures(_metadata, flat, f, root);
			kinds[4]++;
		} else if (!strcmp(kind, "mapping")) {
			kinds[0]++;
			procs = jget(f, "procs");
			pages = jget(procs->v[0], "pages");
			/* The first page's frame, as the text named it, in the figure. */
			for (k = 0; k < (int)pages->n; k++) {
				lab = jhas(pages->v[k], "label", J_STR) ? jstr(pages->v[k], "label")
								      : NULL;
				if (!lab)
					continue;
				EXPECT_EQ(0, strncmp(lab, root ? "PFN 0x" : "frame ", 6)) TH_LOG("%s", lab);
				EXPECT_NE(NULL, strstr(html, lab)) TH_LOG("%s not drawn", lab);
				labels += strstr(out, lab) != NULL;
				break;
			}
		} else if (!strcmp(kind, "timeline")) {
			kinds[1]++;
			steps = jget(f, "steps");
			EXPECT_EQ(5, (int)steps->n);
			/* After fork, the grids the text printed: "parent   cccccccc". */
			for (st = 0; st < (int)steps->n; st++) {
				if (strcmp(jstr(steps->v[st], "step"), "after fork"))
					continue;
				procs = jget(steps->v[st], "procs");
				snprintf(want, sizeof(want), "parent   %s\n",
					 jstr(procs->v[0], "cells"));
				EXPECT_NE(NULL, strstr(out, want)) TH_LOG("%s", want);
				snprintf(want, sizeof(want), "child    %s\n",
					 jstr(procs->v[1], "cells"));
				EXPECT_NE(NULL, strstr(out, want)) TH_LOG("%s", want);
				seen_tl++;
			}
		} else if (!strcmp(kind, "chart")) {
			const struct jv *ser = jget(f, "series"), *xs = jget(f, "xs");
			const struct jv *ys0 = jget(ser->v[0], "ys"), *ys1 = jget(ser->v[1], "ys");

			kinds[2]++;
			EXPECT_EQ(4, (int)ser->n);
			EXPECT_EQ(11, (int)xs->n);
			/* Each row of the table: "  N MiB  present  rss kB". */
			for (k = 1; k < (int)xs->n; k++) {
				snprintf(want, sizeof(want), "%5.0f MiB %9.0f %6.0f kB", xs->v[k]->num,
					 ys0->v[k]->num, ys1->v[k]->num);
				EXPECT_NE(NULL, strstr(out, want)) TH_LOG("%s", want);
			}
		} else if (!strcmp(kind, "states")) {
			steps = jget(f, "steps");
			kinds[3]++;
			EXPECT_EQ(6, (int)steps->n);
			EXPECT_NE(NULL, strstr(out, jstr(steps->v[0], "note")))
				TH_LOG("%s", jstr(steps->v[0], "note"));
			/* Clean, then dirty, then cleaned: as the text said. */
			EXPECT_FALSE(jbool(steps->v[0], "dirty (pages_dirty)"));
			EXPECT_TRUE(jbool(steps->v[1], "dirty (pages_dirty)"));
			EXPECT_TRUE(jbool(steps->v[1], "page_mkwrite called"));
			EXPECT_FALSE(jbool(steps->v[3], "dirty (pages_dirty)"));
			EXPECT_FALSE(jbool(steps->v[3], "writable (PTE)"));
		}
	}
	EXPECT_LE(5, kinds[0]);
	EXPECT_EQ(1, kinds[1]);
	EXPECT_EQ(demand ? 1 : 0, kinds[2]);
	EXPECT_EQ(1, kinds[3]);
	EXPECT_EQ(1, seen_tl);
	EXPECT_LE(3, labels);
	free(buf);
	free(flat);
}

/*
 * vmlab tour --html as root: every chapter, each with its figures, their
 * numbers those the text printed.
 */
TEST_F_TIMEOUT(cli, tour_html, 240)
{
	const char *path = "/tmp/vmlab-tour.html";
	char *html;
	int rc;

	unlink(path);
	rc = run(self->out, "tour", "--tap", "--html=/tmp/vmlab-tour.html", NULL);
	EXPECT_EQ(0, rc) TH_LOG("%.2000s", self->out);
	print_file_b64("tour-root.html", path);
	html = slurp(path);
	ASSERT_NE(NULL, html);
	check_report(_metadata, self->out, html, true, true);
	free(html);
}

/* The same as nobody: frame ids instead of PFNs. */
TEST_F_TIMEOUT(cli, tour_html_as_nobody, 180)
{
	const char *path = "/tmp/vmlab-tour-nobody.html";
	struct stat st;
	mode_t mode;
	char *html;
	int rc;

	ASSERT_EQ(0, stat(VMLAB_DEVICE, &st));
	mode = st.st_mode & 07777;
	ASSERT_EQ(0, chmod(VMLAB_DEVICE, 0666));
	unlink(path);
	rc = run(self->out, "--nobody", "tour", "--tap", "--html=/tmp/vmlab-tour-nobody.html",
		 "file", "zero", "shared", "cow", "nomem", "overcommit", "munmap", "dirty", "exec",
		 NULL);
	chmod(VMLAB_DEVICE, mode);
	EXPECT_EQ(0, rc) TH_LOG("%.2000s", self->out);
	print_file_b64("tour-nobody.html", path);
	html = slurp(path);
	ASSERT_NE(NULL, html);
	check_report(_metadata, self->out, html, false, false);
	EXPECT_EQ(NULL, strstr(html, "PFN 0x"));
	free(html);
}

/*
 * vmlab grid --svg for a parent and its child after fork, once the child
 * wrote page 4: every page drawn, page 4's two frames those inspect gives;
 * then as nobody.
 */
TEST_F(cli, grid_svg)
{
	const char *path = "/tmp/vmlab-grid.svg";
	struct vmlab_page_info pi[2];
	struct stat st;
	mode_t mode;
	char addr[32], child[16], want[64], *svg;
	struct vl_sync sy;
	const char *q;
	pid_t pid;
	int s, n = 0, k;

	unlink(path);
	pid = fork_writer(self->p + 4 * self->ps, &sy);
	ASSERT_LE(0, pid);
	snprintf(child, sizeof(child), "%d", (int)pid);
	s = run(self->out, "grid", "-p", self->pid, "-p", child, "--svg=/tmp/vmlab-grid.svg",
		hexs(addr, self->p), "64K", NULL);
	ASSERT_EQ(0, vmlab_inspect(self->fd, 0, (uintptr_t)self->p + 4 * self->ps, 1, &pi[0],
				   NULL));
	ASSERT_EQ(0, vmlab_inspect(self->fd, pid, (uintptr_t)self->p + 4 * self->ps, 1, &pi[1],
				   NULL));
	end_writer(pid, &sy);
	ASSERT_EQ(0, s) TH_LOG("%s", self->out);
	svg = slurp(path);
	ASSERT_NE(NULL, svg);
	EXPECT_EQ(0, strncmp(svg, "<?xml", 5));
	/* 16 pages in each process, each named. */
	for (q = svg; (q = strstr(q, ">page ")); q++)
		n++;
	EXPECT_EQ(32, n);
	for (k = 0; k < 2; k++) {
		snprintf(want, sizeof(want), ">PFN %#llx<", (unsigned long long)pi[k].pfn);
		EXPECT_NE(NULL, strstr(svg, want)) TH_LOG("%s", want);
	}
	EXPECT_NE(pi[0].pfn, pi[1].pfn);
	EXPECT_NE(NULL, strstr(svg, ">C<"));	/* the child's copy, writable */
	free(svg);
	print_file_b64("grid.svg", path);

	/*
	 * As nobody (the device open to all), its own text: no PFN, and the
	 * frames of a file's pages withheld, drawn as such.
	 */
	ASSERT_EQ(0, stat(VMLAB_DEVICE, &st));
	mode = st.st_mode & 07777;
	ASSERT_EQ(0, chmod(VMLAB_DEVICE, 0666));
	unlink("/tmp/vmlab-grid-nobody.svg");
	s = run(self->out, "--stderr", "--nobody", "grid", "--svg=/tmp/vmlab-grid-nobody.svg",
		"TEXT", "8K", NULL);
	chmod(VMLAB_DEVICE, mode);
	ASSERT_EQ(0, s) TH_LOG("%s", self->out);
	svg = slurp("/tmp/vmlab-grid-nobody.svg");
	ASSERT_NE(NULL, svg);
	EXPECT_EQ(NULL, strstr(svg, "PFN"));
	EXPECT_NE(NULL, strstr(svg, ">hidden<")) TH_LOG("a file page's frame id, withheld");
	EXPECT_NE(NULL, strstr(svg, "(frame id)"));
	free(svg);
	print_file_b64("grid-nobody.svg", "/tmp/vmlab-grid-nobody.svg");
}

/*
 * vmlab maps --svg: a row per VMA; the shared mapping s (object pages 0-7
 * present, 8-15 not) drawn with its range and its counts by state; with
 * -p twice, two processes side by side.
 */
TEST_F(cli, maps_svg)
{
	const char *path = "/tmp/vmlab-maps.svg";
	char want[128], ppid[16], *svg;
	struct jv *d;

	unlink(path);
	ASSERT_EQ(0, run(self->out, "maps", "-p", self->pid, "--svg", path, NULL))
		TH_LOG("%s", self->out);
	svg = slurp(path);
	ASSERT_NE(NULL, svg);
	EXPECT_EQ(0, strncmp(svg, "<?xml", 5));
	snprintf(want, sizeof(want), ">%lx-%lx rw-s /dev/vmlab<", (unsigned long)self->s,
		 (unsigned long)self->s + 16 * self->ps);
	EXPECT_NE(NULL, strstr(svg, want)) TH_LOG("%s", want);
	/* As many rows as maps --json has VMAs. */
	ASSERT_EQ(0, run(self->out, "maps", "-p", self->pid, "--json", NULL));
	d = json(self->out);
	ASSERT_NE(NULL, d);
	snprintf(want, sizeof(want), "pages, Rss ");
	{
		const char *q;
		size_t n = 0;

		for (q = svg; (q = strstr(q, want)); q++)
			n++;
		EXPECT_EQ(jget(d, "vmas")->n, n);
	}
	EXPECT_NE(NULL, strstr(svg, ">S 8<")) TH_LOG("the object's 8 pages");
	free(svg);
	print_file_b64("maps.svg", path);

	/* Two processes side by side: this one and its parent; without --svg, no. */
	snprintf(ppid, sizeof(ppid), "%d", (int)getppid());
	ASSERT_EQ(0, run(self->out, "maps", "-p", self->pid, "-p", ppid,
			 "--svg=/tmp/vmlab-maps2.svg", NULL)) TH_LOG("%s", self->out);
	svg = slurp("/tmp/vmlab-maps2.svg");
	ASSERT_NE(NULL, svg);
	snprintf(want, sizeof(want), ">process %s (", self->pid);
	EXPECT_NE(NULL, strstr(svg, want)) TH_LOG("%s", want);
	snprintf(want, sizeof(want), ">process %s (", ppid);
	EXPECT_NE(NULL, strstr(svg, want)) TH_LOG("%s", want);
	free(svg);
	print_file_b64("maps2.svg", "/tmp/vmlab-maps2.svg");
	EXPECT_EQ(VC_USAGE, run(self->out, "--stderr", "maps", "-p", self->pid, "-p", ppid, NULL));
}

/* Not root: /dev/vmlab is 0600 by default. */
TEST_F(cli, permission_denied)
{
	struct stat st;

	ASSERT_EQ(0, stat(VMLAB_DEVICE, &st));
	if (st.st_mode & 0006)
		SKIP(return, "%s is open to everyone (dev_mode)", VMLAB_DEVICE);
	ASSERT_EQ(VC_PERM, run(self->out, "--stderr", "--nobody", "stat", NULL));
	ASSERT_NE(NULL, strstr(self->out, "vmlab: /dev/vmlab: permission denied"))
		TH_LOG("%s", self->out);
	ASSERT_EQ(VC_PERM, run(self->out, "--stderr", "--nobody", "inspect", "-p", self->pid,
			       "1000", NULL));
}

VL_TEST_MAIN
