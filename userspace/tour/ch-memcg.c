// SPDX-License-Identifier: GPL-2.0
/*
 * Chapter memcg: memory really running out, in a memory cgroup of its own
 * (memory.max 64 MiB, no swap): an mmap() twice that size succeeds and
 * its touches end in the OOM killer; a fork() that could never copy
 * everything succeeds, and the copies run out.
 *
 * The kernel logs each OOM kill with a stack ("Call Trace:"), which the
 * test runners count as a problem everywhere else: the chapter writes
 * MEMCG_BEGIN and MEMCG_END into the kernel log around its two kills, and
 * the runners (scripts/guest/kernel-reports.sh: OOM_*) accept the stack
 * of an OOM report between them, and nothing else.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "tour.h"
#include "figure.h"

#define LIMIT		(64 * MiB)
#define MEMCG_BEGIN	"vmlab-tour: out of memory on purpose: begin"
#define MEMCG_END	"vmlab-tour: out of memory on purpose: end"

/* What a child tells the chapter, in shared memory. */
struct progress {
	long mapped;		/* 1: its mmap() succeeded */
	long pages;		/* pages it touched (or copied) so far */
	long current0;		/* memory.current right after fork() */
};

static void kmsg(const char *s)
{
	char line[128];

	snprintf(line, sizeof(line), "<6>%s\n", s);
	vmlab_write_str("/dev/kmsg", line);
}

static void oom_score_adj(const char *v)
{
	vmlab_write_str("/proc/self/oom_score_adj", v);
}

/* A figure of amounts against the group's memory.max: title, then rows. */
static struct fig_values *memcg_fig(const char *title)
{
	static struct fig_values v;

	fig_values_begin(&v, title, "MiB");
	fig_values_limit(&v, "memory.max", LIMIT / (double)MiB, "64 MiB");
	return &v;
}

/* "12.3 MiB" of bytes, as the text prints it. */
static const char *mib_str(double bytes)
{
	static char buf[2][32];
	static int i;

	i = !i;
	snprintf(buf[i], sizeof(buf[i]), "%.1f MiB", bytes / MiB);
	return buf[i];
}

/* Claim 38: a child maps twice the group's memory and touches it all. */
static bool touch_too_much(const char *dir, volatile struct progress *pr, long *kills)
{
	long k0 = vmlab_cgroup_key(dir, "memory.events", "oom_kill");
	size_t len = 2 * LIMIT, i;
	pid_t pid;
	int st;
	bool ok;

	step("a child joins the group, maps 128 MiB of anonymous memory (twice the "
	     "group's memory) and writes a byte to each page");
	pr->mapped = pr->pages = pr->current0 = 0;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		char *m;

		vmlab_child_quiet();
		if (vmlab_cgroup_join(dir))
			_exit(2);
		m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED)
			_exit(3);
		pr->mapped = 1;
		for (i = 0; i < len / T.ps; i++) {
			m[i * T.ps] = 1;
			pr->pages = (long)i + 1;
		}
		_exit(0);
	}
	st = pid > 0 ? vmlab_wait(pid) : -1;
	*kills = vmlab_cgroup_key(dir, "memory.events", "oom_kill") - k0;
	ok = check(pr->mapped, "mmap() of 128 MiB %s", pr->mapped ? "succeeded" : "failed");
	ok &= check(st == 128 + SIGKILL, "the child was %s after writing %ld pages "
		    "(%.1f MiB)", st == 128 + SIGKILL ? "killed by SIGKILL" :
		    st == 0 ? "not killed" : "stopped otherwise", pr->pages,
		    pr->pages * (double)T.ps / MiB);
	ok &= check(*kills == 1, "memory.events: oom_kill +%ld: the group's OOM killer "
		    "chose it", *kills);
	ok &= check(pr->pages * T.ps > LIMIT / 2 && pr->pages * T.ps <= LIMIT,
		    "it got as far as the group's 64 MiB allowed, less what else the group "
		    "holds (its page tables, its program's pages)");
	if (rec_on()) {
		struct fig_values *v = memcg_fig("128 MiB mapped in a group of 64 MiB, each "
						 "page written");

		fig_values_row(v, "mmap() of anonymous memory", 128, "128 MiB",
			       pr->mapped ? "succeeded" : "failed", !pr->mapped);
		fig_values_row(v, "written before the OOM killer's SIGKILL",
			       pr->pages * (double)T.ps / MiB, mib_str(pr->pages * (double)T.ps),
			       st == 128 + SIGKILL ? "OOM-killed" : "not killed",
			       st == 128 + SIGKILL);
		fig_values(v, "mmap() promised twice the group's memory; the writes stopped "
			   "just under memory.max, where the OOM killer killed the child.");
	}
	return claim_end(38, ok, "mmap() promised 128 MiB and kept only what the memory "
			 "allowed: the touch that found no memory had no errno to return, so "
			 "the kernel's OOM killer killed the process (SIGKILL). That is "
			 "anonymous memory's answer; a file's page that cannot be made is "
			 "SIGBUS instead (vmlab's object, chapter nomem).");
}

/*
 * Claim 37: the parent writes 40 MiB, forks, and the child writes it all:
 * each write copies a page, until the group has no more.  The parent is
 * made the OOM killer's last choice (oom_score_adj -1000), the child its
 * first (1000).
 */
static bool fork_too_much(const char *dir, volatile struct progress *pr, long *kills)
{
	long k0 = vmlab_cgroup_key(dir, "memory.events", "oom_kill"), cur0 = 0;
	size_t len = 40 * MiB, i;
	int st = -1, p[2];
	bool ok, intact = false;
	pid_t pid;

	step("another child joins the group and writes 40 MiB of anonymous memory; it "
	     "forks, and its own child writes every page of it: each write a copy");
	pr->mapped = pr->pages = pr->current0 = 0;
	if (pipe(p))
		return check(false, "pipe: %s", strerror(errno));
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		char *m;
		pid_t c;
		int cst;

		vmlab_child_quiet();
		close(p[0]);
		if (vmlab_cgroup_join(dir))
			_exit(2);
		m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED)
			_exit(3);
		memset(m, 'p', len);
		oom_score_adj("-1000");
		c = fork();
		if (c == 0) {
			oom_score_adj("1000");
			pr->current0 = vmlab_cgroup_long(dir, "memory.current");
			pr->mapped = 1;
			for (i = 0; i < len / T.ps; i++) {
				m[i * T.ps] = 'c';
				pr->pages = (long)i + 1;
			}
			_exit(0);
		}
		if (c < 0)
			_exit(4);
		while (waitpid(c, &cst, 0) < 0 && errno == EINTR)
			;
		/* Its own pages, after the child's end: all still 'p'? */
		for (i = 0; i < len && m[i] == 'p'; i++)
			;
		cst = WIFSIGNALED(cst) ? 128 + WTERMSIG(cst) : WEXITSTATUS(cst);
		if (write(p[1], &cst, sizeof(cst)) != sizeof(cst))
			_exit(5);
		_exit(i == len ? 0 : 6);
	}
	close(p[1]);
	if (pid > 0) {
		if (read(p[0], &st, sizeof(st)) != sizeof(st))
			st = -1;
		intact = vmlab_wait(pid) == 0;
	}
	close(p[0]);
	*kills = vmlab_cgroup_key(dir, "memory.events", "oom_kill") - k0;
	cur0 = pr->current0;
	ok = check(pr->mapped && cur0 > 0 && cur0 < (long)(LIMIT - 8 * MiB),
		   "fork() succeeded with the group at %.1f MiB: a copy of everything would "
		   "have needed %.1f MiB, more than its 64 MiB", cur0 / (double)MiB,
		   (cur0 + len) / (double)MiB);
	ok &= check(st == 128 + SIGKILL && *kills == 1,
		    "the child was %s after copying %ld pages (%.1f MiB); memory.events: "
		    "oom_kill +%ld", st == 128 + SIGKILL ? "killed by SIGKILL" : "not killed",
		    pr->pages, pr->pages * (double)T.ps / MiB, *kills);
	ok &= check(pr->pages > 0 && pr->pages * T.ps < len,
		    "it ran out part way: %ld of its %zu pages were copied", pr->pages,
		    len / T.ps);
	ok &= check(intact, "the parent lives on, its 40 MiB intact");
	if (rec_on()) {
		struct fig_values *v = memcg_fig("fork() of 40 MiB in a group of 64 MiB, then "
						 "the child writes every page");

		fig_values_row(v, "the group when fork() succeeded (memory.current)",
			       cur0 / (double)MiB, mib_str((double)cur0), "fork() succeeded",
			       false);
		fig_values_row(v, "what a copy of everything would have needed",
			       (double)(cur0 + len) / MiB, mib_str((double)(cur0 + len)), "",
			       false);
		fig_values_row(v, "the child's copies (on top) before SIGKILL",
			       pr->pages * (double)T.ps / MiB, mib_str(pr->pages * (double)T.ps),
			       st == 128 + SIGKILL ? "OOM-killed" : "not killed",
			       st == 128 + SIGKILL);
		fig_values(v, "fork() copied nothing and succeeded; the child's copies, added "
			   "to what the group held, reached memory.max and the OOM killer "
			   "killed it part way.");
	}
	return claim_end(37, ok, "fork() copied no page, so it needed no memory for them "
			 "and succeeded. The memory ran out later, at the child's copies, "
			 "and the OOM killer ended it there. (Under the strict overcommit "
			 "mode, vm.overcommit_memory = 2, fork() itself would have been "
			 "refused: it counts every private page as a future copy.)");
}

void ch_memcg(void)
{
	struct vmlab_cgroup cg;
	struct progress *pr;
	long kills38 = 0, kills37 = 0;
	char why[160] = "";

	para("Overcommit makes a promise at mmap() and fork(); the touches find out "
	     "whether it is kept. To run out of memory for real without harming the "
	     "machine, this chapter makes a memory cgroup, a small machine of its own: "
	     "memory.max 64 MiB and no swap. Past 64 MiB, a process in it finds no "
	     "memory at all.");
	if (!T.root) {
		out("Making a memory cgroup needs root: this chapter shows nothing as %s.",
		    "another user");
		claim_skip(37, "a memory cgroup to run out of memory in needs root");
		claim_skip(38, "a memory cgroup to run out of memory in needs root");
		observed("nothing: it needs root");
		return;
	}
	pr = mmap(NULL, sizeof(*pr), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (pr == MAP_FAILED) {
		check(false, "mmap: %s", strerror(errno));
		return;
	}
	step("mkdir /sys/fs/cgroup/vmlab-tour-PID; memory.max 64 MiB, memory.swap.max 0");
	if (vmlab_cgroup_open(&cg, why, sizeof(why)) ||
	    vmlab_cgroup_make(&cg, "vmlab-tour", LIMIT)) {
		out("No memory cgroup could be made (%s).", why[0] ? why : strerror(errno));
		claim_skip(37, "no memory cgroup could be made");
		claim_skip(38, "no memory cgroup could be made");
		observed("no memory cgroup");
		vmlab_cgroup_close(&cg);
		munmap(pr, sizeof(*pr));
		return;
	}
	ev("%s: memory.max %ld, memory.current %ld", cg.dir,
	   vmlab_cgroup_long(cg.dir, "memory.max"), vmlab_cgroup_long(cg.dir, "memory.current"));
	kmsg(MEMCG_BEGIN);
	touch_too_much(cg.dir, pr, &kills38);
	fork_too_much(cg.dir, pr, &kills37);
	kmsg(MEMCG_END);
	ev("(each kill left an OOM report in the kernel log: dmesg shows it)");
	if (vmlab_cgroup_remove(&cg))
		ev("rmdir %s: %s", cg.dir, strerror(errno));
	vmlab_cgroup_close(&cg);
	munmap(pr, sizeof(*pr));
	observed("the touches of a 128 MiB mapping and the copies after fork() each ran "
		 "the group out of memory; the OOM killer killed %ld process(es)",
		 kills38 + kills37);
}
