// SPDX-License-Identifier: GPL-2.0
/*
 * vmlab_tour: the vmlab command's tour (userspace/tour/) as a kselftest
 * program: `vmlab tour --tap`, one TAP test per chapter, each chapter's
 * narrative and evidence as comments.  Arguments pick chapters, as for
 * `vmlab tour` (numbers or names).
 *
 * The tour runs in a child, its output passed through, and one more test
 * follows the chapters': the claims of the notes it checked ("# claim N:
 * TRUTH, chapter NAME, step K: ok") against docs/claims.md, built in
 * (vmlab_tour_claims.h, made from it by the Makefile).  Each claim line
 * must have its row, with the same truth, chapter and step, and be ok,
 * or a skip where the run cannot show it (claim 40 on a kernel that runs
 * no 32-bit programs, such as the debug kernel; any claim for a user
 * other than root);
 * each row with a chapter must have its line when that chapter ran, and
 * when no chapter was picked, whatever ran.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "cmd.h"
#include "vmlab_util.h"

/* The table of docs/claims.md, one string per row. */
static const char *const doc_rows[] = {
#include "vmlab_tour_claims.h"
};

#define MAXCLAIM	128
#define NDOC		(sizeof(doc_rows) / sizeof(doc_rows[0]))

struct row {
	bool have;
	char truth[16], chapter[32];
	int step;
};

static struct row doc[MAXCLAIM], seen[MAXCLAIM];
static bool seen_ok[MAXCLAIM];
static char ran[64][32];	/* the chapters that ran, by name */
static int nran, mismatches;

static void trim(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == ' ' || s[n - 1] == '\n'))
		s[--n] = 0;
	memmove(s, s + strspn(s, " "), strlen(s + strspn(s, " ")) + 1);
}

/* "| N | note | truth | chapter | step | shows |": false if not a row. */
static bool parse_doc_row(const char *line)
{
	char buf[2048], *f[8], *save = NULL, *p;
	int nf = 0, n;
	struct row *r;

	snprintf(buf, sizeof(buf), "%s", line);
	for (p = strtok_r(buf, "|", &save); p && nf < 8; p = strtok_r(NULL, "|", &save)) {
		trim(p);
		f[nf++] = p;
	}
	if (nf < 6)
		return false;
	n = atoi(f[0]);
	if (n < 1 || n >= MAXCLAIM)
		return false;
	r = &doc[n];
	r->have = true;
	snprintf(r->truth, sizeof(r->truth), "%s", !strcmp(f[2], "true") ? "TRUE" :
		 !strcmp(f[2], "false") ? "FALSE" : !strcmp(f[2], "oversimplified") ? "PARTLY" :
		 f[2]);
	if (isdigit((unsigned char)f[4][0])) {
		snprintf(r->chapter, sizeof(r->chapter), "%s", f[3]);
		r->step = atoi(f[4]);
	}
	return true;
}

static void mismatch(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("# claims: ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	mismatches++;
}

/*
 * Does this kernel run 32-bit x86 programs?  When its IA32 emulation is
 * built in, kallsyms names the 32-bit system calls' entries (__ia32_sys_*).
 */
static bool runs_32bit(void)
{
	char line[256];
	bool yes = false;
	FILE *f = fopen("/proc/kallsyms", "re");

	while (f && !yes && fgets(line, sizeof(line), f))
		yes = strstr(line, " ia32_sys_call") != NULL ||
		      strstr(line, " __ia32_sys_") != NULL;
	if (f)
		fclose(f);
	return yes;
}

/* A line of the tour's output: a claim it checked, or a chapter's result. */
static void note_line(const char *line)
{
	char truth[16], chapter[32], res[8];
	int n, step, k;

	if (sscanf(line, "# claim %d: %15[A-Z], chapter %31[^,], step %d: %7s", &n, truth,
		   chapter, &step, res) == 5) {
		if (n < 1 || n >= MAXCLAIM) {
			mismatch("claim %d: no such claim", n);
			return;
		}
		if (seen[n].have)
			mismatch("claim %d: checked twice", n);
		seen[n].have = true;
		snprintf(seen[n].truth, sizeof(seen[n].truth), "%s", truth);
		snprintf(seen[n].chapter, sizeof(seen[n].chapter), "%s", chapter);
		seen[n].step = step;
		/*
		 * A skip says why the run cannot show it.  Accepted only where
		 * the guest cannot do better: any claim for a user other than
		 * root, and claim 40 on a kernel that runs no 32-bit programs
		 * (the debug kernel).  As root, every other claim must be shown:
		 * the guest has what the chapters need (a loop driver for swap,
		 * a memory cgroup).
		 */
		seen_ok[n] = !strcmp(res, "ok") ||
			     (!strcmp(res, "skip") && (geteuid() || (n == 40 && !runs_32bit())));
		if (!strcmp(res, "skip"))
			printf("# claims: claim %d not shown in this run (%s, step %d: skip)%s\n",
			       n, chapter, step, seen_ok[n] ? "" : ": it must be, here");
		return;
	}
	if ((sscanf(line, "ok %d - %31[^:]:", &k, chapter) == 2 ||
	     sscanf(line, "not ok %d - %31[^:]:", &k, chapter) == 2) && nran < 64)
		snprintf(ran[nran++], sizeof(ran[0]), "%s", chapter);
}

static bool chapter_ran(const char *id)
{
	int i;

	for (i = 0; i < nran; i++)
		if (!strcmp(ran[i], id))
			return true;
	return false;
}

/* The claims the tour checked against docs/claims.md. */
static bool claims_in_sync(bool all)
{
	int n, checked = 0, rows = 0;
	size_t i;

	for (i = 0; i < NDOC; i++)
		rows += parse_doc_row(doc_rows[i]);
	if (!rows)
		mismatch("docs/claims.md has no rows");
	for (n = 1; n < MAXCLAIM; n++) {
		const struct row *d = &doc[n], *s = &seen[n];

		if (s->have) {
			checked++;
			if (!d->have)
				mismatch("claim %d is checked (%s, step %d) but has no row in "
					 "docs/claims.md", n, s->chapter, s->step);
			else if (!d->chapter[0])
				mismatch("claim %d is checked (%s, step %d) but docs/claims.md "
					 "says \"not yet checked\"", n, s->chapter, s->step);
			else if (strcmp(d->chapter, s->chapter) || d->step != s->step)
				mismatch("claim %d is checked in %s, step %d; docs/claims.md "
					 "says %s, step %d", n, s->chapter, s->step, d->chapter,
					 d->step);
			if (d->have && strcmp(d->truth, s->truth))
				mismatch("claim %d: the tour says %s, docs/claims.md %s", n,
					 s->truth, d->truth);
			if (!seen_ok[n])
				mismatch("claim %d: its evidence failed (%s, step %d)", n,
					 s->chapter, s->step);
		} else if (d->chapter[0] && (all || chapter_ran(d->chapter))) {
			mismatch("claim %d: docs/claims.md says %s, step %d, but the tour did not "
				 "check it", n, d->chapter, d->step);
		}
	}
	printf("# claims: %d checked by the chapters that ran, %d rows in docs/claims.md\n",
	       checked, rows);
	return !mismatches;
}

int main(int argc, char **argv)
{
	char **args = calloc((size_t)argc + 3, sizeof(*args));
	char *line = NULL;
	size_t cap = 0;
	int i, fds[2], st = 0, plan = -1, code;
	bool sync;
	pid_t pid;
	FILE *in;

	vl_preflight(argc, argv);
	if (!args)
		return 1;
	args[0] = "vmlab";
	args[1] = "tour";
	args[2] = "--tap";
	for (i = 1; i < argc; i++)
		args[i + 2] = argv[i];
	fflush(stdout);
	if (pipe(fds))
		return 1;
	pid = fork();
	if (pid < 0)
		return 1;
	if (pid == 0) {
		close(fds[0]);
		dup2(fds[1], STDOUT_FILENO);
		close(fds[1]);
		exit(vmlab_main(argc + 2, args));
	}
	close(fds[1]);
	in = fdopen(fds[0], "r");
	if (!in)
		return 1;
	while (getline(&line, &cap, in) > 0) {
		if (plan < 0 && sscanf(line, "1..%d", &plan) == 1) {
			printf("1..%d\n", plan + 1);
		} else {
			note_line(line);
			fputs(line, stdout);
		}
		fflush(stdout);
	}
	fclose(in);
	free(line);
	if (waitpid(pid, &st, 0) != pid)
		st = 1 << 8;
	code = WIFEXITED(st) ? WEXITSTATUS(st) : 1;
	if (plan < 0)	/* no plan: the tour bailed out, and said why */
		return code ? code : 1;
	sync = claims_in_sync(argc == 1);
	printf("%s %d - claims: the claims checked match docs/claims.md%s\n",
	       sync ? "ok" : "not ok", plan + 1, sync ? "" : " (see above)");
	return code || !sync ? 1 : 0;
}
