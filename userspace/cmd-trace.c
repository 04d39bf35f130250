// SPDX-License-Identifier: GPL-2.0
/*
 * vmlab trace: the module's tracepoints (events/vmlab in tracefs), live,
 * one readable line per event.  A trace instance of our own
 * (instances/vmlab-PID) keeps the events out of the global trace buffer
 * and is removed on exit.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "cmd.h"
#include "json.h"

static const char trace_help[] =
"usage: vmlab trace [-p PID] [-n COUNT] [-t SECS] [--json] [-- COMMAND [ARGS...]]\n"
"\n"
"Live events from the vmlab module's tracepoints, one line each: every\n"
"fault and what the module did (filled a hole, mapped an existing page,\n"
"the kernel's zero page, SIGBUS), first stores to clean pages (page_mkwrite),\n"
"mappings made and torn down, write-back, reset.  Uses a trace instance\n"
"of its own in tracefs; needs root.  Stops on Ctrl-C, after COUNT events,\n"
"after SECS seconds, or when COMMAND (traced with its children) exits.\n"
"\n"
"  -p PID      only events of process PID (and the children it forks)\n"
"  -n COUNT    stop after COUNT events\n"
"  -t SECS     stop after SECS seconds\n"
"  --json      one JSON object per line, schema vmlab.trace/1 (docs/json.md)\n"
"  -- COMMAND  run COMMAND and trace it (and its children) until it exits\n";

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int write_file(const char *dir, const char *name, const char *val)
{
	char path[512];
	int fd, ret = 0;
	size_t len = strlen(val);

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (write(fd, val, len) != (ssize_t)len)
		ret = -1;
	close(fd);
	return ret;
}

static bool is_dir(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

/* The tracefs mount point, mounting it if needed; NULL if none. */
static const char *tracefs(void)
{
	static const char *const where[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	size_t i;

	for (i = 0; i < 2; i++)
		if (is_dir(where[i]) && access(where[i], F_OK) == 0) {
			char p[128];

			snprintf(p, sizeof(p), "%s/instances", where[i]);
			if (is_dir(p))
				return where[i];
		}
	if (!mount("tracefs", where[0], "tracefs", 0, NULL))
		return where[0];
	return NULL;
}

struct event {
	char comm[64];
	int pid, cpu;
	double time;
	char name[48];		/* without the "vmlab_" prefix */
	int nf;
	char key[12][24];
	char val[12][64];
};

static const char *ev_get(const struct event *e, const char *key)
{
	int i;

	for (i = 0; i < e->nf; i++)
		if (!strcmp(e->key[i], key))
			return e->val[i];
	return "";
}

/* Bare words of each event, by position. */
static const char *bare_name(const char *event, int n)
{
	if (!strcmp(event, "fault"))
		return n == 0 ? "mapping" : n == 1 ? "access" : "word";
	if (!strcmp(event, "page_mkwrite"))
		return "result";
	if (!strcmp(event, "vma_open") || !strcmp(event, "vma_close"))
		return "mapping";
	return "word";
}

/*
 * Parse a trace_pipe line:
 *   "  comm-123  [001] d..1.  12.345678: vmlab_fault: address=0x... shared ..."
 */
static int parse_event(const char *line, struct event *e)
{
	const char *ev = strstr(line, ": vmlab_"), *br, *p, *q;
	char head[256], tok[128];
	int nbare = 0;
	size_t n;

	memset(e, 0, sizeof(*e));
	if (!ev)
		return -1;
	n = (size_t)(ev - line) < sizeof(head) - 1 ? (size_t)(ev - line) : sizeof(head) - 1;
	memcpy(head, line, n);
	head[n] = 0;
	/* The timestamp: the last token of head. */
	p = strrchr(head, ' ');
	e->time = strtod(p ? p + 1 : head, NULL);
	br = strstr(head, " [");
	if (br) {
		e->cpu = atoi(br + 2);
		/* comm-pid: before " [", trimmed. */
		p = head;
		while (*p == ' ')
			p++;
		q = br;
		while (q > p && q[-1] == ' ')
			q--;
		n = (size_t)(q - p);
		snprintf(tok, sizeof(tok), "%.*s", (int)n, p);
		p = strrchr(tok, '-');
		if (p) {
			e->pid = atoi(p + 1);
			snprintf(e->comm, sizeof(e->comm), "%.*s", (int)(p - tok), tok);
		} else {
			snprintf(e->comm, sizeof(e->comm), "%.63s", tok);
		}
	}
	ev += strlen(": vmlab_");
	p = strchr(ev, ':');
	if (!p)
		return -1;
	snprintf(e->name, sizeof(e->name), "%.*s", (int)(p - ev), ev);
	p++;
	while (*p && e->nf < 12) {
		const char *eq;

		while (*p == ' ')
			p++;
		if (!*p || *p == '\n')
			break;
		q = p + strcspn(p, " \n");
		snprintf(tok, sizeof(tok), "%.*s", (int)(q - p), p);
		eq = strchr(tok, '=');
		if (eq) {
			snprintf(e->key[e->nf], sizeof(e->key[0]), "%.*s", (int)(eq - tok), tok);
			snprintf(e->val[e->nf], sizeof(e->val[0]), "%.63s", eq + 1);
		} else {
			snprintf(e->key[e->nf], sizeof(e->key[0]), "%s", bare_name(e->name, nbare++));
			snprintf(e->val[e->nf], sizeof(e->val[0]), "%.63s", tok);
		}
		e->nf++;
		p = q;
	}
	return 0;
}

static unsigned long long num(const char *s)
{
	return strtoull(s, NULL, 0);
}

/* The event in words. */
static void describe(const struct event *e, char *buf, size_t len)
{
	unsigned long long pfn = num(ev_get(e, "pfn")), fid = num(ev_get(e, "frame_id"));
	char frame[64] = "";

	if (fid)
		snprintf(frame, sizeof(frame), " (frame %08x%s%s)", vmlab_frame_short(fid),
			 pfn ? ", PFN " : "", pfn ? ev_get(e, "pfn") : "");
	if (!strcmp(e->name, "fault")) {
		const char *o = ev_get(e, "outcome");
		bool priv = !strcmp(ev_get(e, "mapping"), "private");
		bool wr = !strcmp(ev_get(e, "access"), "write");
		const char *what =
			!strcmp(o, "allocated") ? "filled a hole with a new zeroed page of the object" :
			!strcmp(o, "existing") ? "mapped the object's page" :
			!strcmp(o, "zero") && !wr ?
			"a hole: mapped the kernel's zero page, read-only (a special entry, no count)" :
			!strcmp(o, "zero") ? "a hole: answered with zeros" :
			!strcmp(o, "sigbus") ? "SIGBUS: past the end of the object, or over its memory limit" :
			!strcmp(o, "error") ? "failed (out of memory?)" : o;

		snprintf(buf, len, "%-7s %-5s fault at %s (object page %s): %s%s%s",
			 ev_get(e, "mapping"), ev_get(e, "access"), ev_get(e, "address"),
			 ev_get(e, "pgoff"), what, frame,
			 priv && wr && strcmp(o, "sigbus") && strcmp(o, "error") ?
			 "; the kernel copies it into a private page" : "");
	} else if (!strcmp(e->name, "page_mkwrite")) {
		if (!strcmp(ev_get(e, "result"), "dirtied"))
			snprintf(buf, len, "first store to clean page %s at %s: page_mkwrite, then the page is dirty%s",
				 ev_get(e, "pgoff"), ev_get(e, "address"), frame);
		else
			snprintf(buf, len, "page_mkwrite at %s: the page went (reset); the fault is retried",
				 ev_get(e, "address"));
	} else if (!strcmp(e->name, "vma_open") || !strcmp(e->name, "vma_close")) {
		const char *r = ev_get(e, "reason");
		unsigned long long s = num(ev_get(e, "start")), t = num(ev_get(e, "end"));
		const char *why =
			!strcmp(r, "mmap") ? "by mmap()" : !strcmp(r, "fork") ? "copied into a child by fork()" :
			!strcmp(r, "copy") ? "by a split or mremap()" : !strcmp(r, "unmap") ?
			"by munmap(), a split or mremap()" : !strcmp(r, "exit") ?
			"with its address space (exit or execve)" : r;

		snprintf(buf, len, "%s %s mapping %s-%s (%llu pages from object page %s) %s",
			 e->name[4] == 'o' ? "new" : "gone:", ev_get(e, "mapping"), ev_get(e, "start"),
			 ev_get(e, "end"), t > s ? (t - s) / vmlab_page_size() : 0,
			 ev_get(e, "pgoff"), why);
	} else if (!strcmp(e->name, "writeback")) {
		snprintf(buf, len, "write-back of object pages %s..%s: %s dirty page(s) cleaned and "
			 "write-protected", ev_get(e, "first"), ev_get(e, "last"), ev_get(e, "cleaned"));
	} else if (!strcmp(e->name, "reset")) {
		snprintf(buf, len, "reset: %s object page(s) freed, the object is all holes again",
			 ev_get(e, "freed"));
	} else {
		size_t used = 0;
		int i;

		buf[0] = 0;
		for (i = 0; i < e->nf && used < len; i++)
			used += (size_t)snprintf(buf + used, len - used, "%s%s=%s", i ? " " : "",
						 e->key[i], e->val[i]);
	}
}

static void print_event(const struct event *e, bool json)
{
	char text[512];
	int i;

	describe(e, text, sizeof(text));
	if (json) {
		struct json j;

		json_start(&j, stdout);
		json_obj(&j, NULL);
		json_str(&j, "schema", "vmlab.trace/1");
		json_double(&j, "time", e->time);
		json_int(&j, "cpu", e->cpu);
		json_str(&j, "comm", e->comm);
		json_int(&j, "pid", e->pid);
		json_str(&j, "event", e->name);
		json_obj(&j, "fields");
		for (i = 0; i < e->nf; i++) {
			const char *v = e->val[i];
			char *end;

			if (v[0] >= '0' && v[0] <= '9' && strncmp(v, "0x", 2) &&
			    (strtoull(v, &end, 10), !*end))
				json_uint(&j, e->key[i], strtoull(v, NULL, 10));
			else
				json_str(&j, e->key[i], v);
		}
		json_obj_end(&j);
		json_str(&j, "text", text);
		json_obj_end(&j);
		json_end(&j);
		return;
	}
	printf("%12.6f %s%s[%d]%s %s%-12s%s %s\n", e->time, vc(VC_DIM), e->comm, e->pid,
	       vc(VC_RESET), vc(VC_BOLD), e->name, vc(VC_RESET), text);
	fflush(stdout);
}

int cmd_trace(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *tfs;
	char inst[256], path[512], buf[8192], line[1024];
	size_t llen = 0;
	long count = -1, seen = 0;
	double secs = -1;
	bool json = false, child_done = false;
	pid_t pid = 0, child = 0;
	int c, fd, go[2] = { -1, -1 }, status = 0, code = VC_OK;
	struct timespec t0, now;
	struct sigaction sa;

	vc_opt_reset();
	while ((c = getopt_long(argc, argv, "+p:n:t:jh", lo, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (vc_parse_pid(optarg, &pid))
				return vc_usage_error("trace", "bad pid '%s'", optarg);
			break;
		case 'n':
			count = atol(optarg);
			if (count < 1)
				return vc_usage_error("trace", "bad count '%s'", optarg);
			break;
		case 't':
			secs = atof(optarg);
			if (secs <= 0)
				return vc_usage_error("trace", "bad time '%s'", optarg);
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			fputs(trace_help, stdout);
			return VC_OK;
		default:
			return vc_usage_error("trace", "unknown option or missing value: %s",
					      argv[optind - 1]);
		}
	}
	if (pid && optind < argc)
		return vc_usage_error("trace", "-p and a COMMAND do not go together");
	if (pid) {
		code = vc_check_pid(pid);
		if (code)
			return code;
	}
	tfs = tracefs();
	if (!tfs)
		return vc_err(geteuid() ? VC_PERM : VC_UNSUPP,
			      "no tracefs (mount -t tracefs tracefs /sys/kernel/tracing)%s",
			      geteuid() ? ": run as root" : "");
	snprintf(path, sizeof(path), "%s/events/vmlab", tfs);
	if (!is_dir(path)) {
		if (access(tfs, R_OK | X_OK))
			return vc_err(VC_PERM, "%s: permission denied: run as root", tfs);
		if (vmlab_open(O_RDONLY) < 0 && errno == ENOENT)
			return vc_err(VC_NODEV, "%s", vmlab_open_error(ENOENT) + strlen("vmlab: "));
		return vc_err(VC_UNSUPP, "this vmlab module has no tracepoints (%s is missing)",
			      path);
	}
	snprintf(inst, sizeof(inst), "%s/instances/vmlab-%d", tfs, (int)getpid());
	if (mkdir(inst, 0700) && errno != EEXIST)
		return vc_err(errno == EACCES || errno == EPERM ? VC_PERM : VC_ERR,
			      "cannot make a trace instance %s: %s", inst, strerror(errno));

	if (optind < argc) {
		if (pipe2(go, O_CLOEXEC)) {
			code = vc_err(VC_ERR, "pipe: %s", strerror(errno));
			goto out;
		}
		fflush(stdout);
		child = fork();
		if (child < 0) {
			code = vc_err(VC_ERR, "fork: %s", strerror(errno));
			goto out;
		}
		if (!child) {
			char b;

			close(go[1]);
			if (read(go[0], &b, 1) != 1)
				_exit(127);
			execvp(argv[optind], argv + optind);
			fprintf(stderr, "vmlab trace: %s: %s\n", argv[optind], strerror(errno));
			_exit(127);
		}
		close(go[0]);
		go[0] = -1;
		pid = child;
	}
	if (pid) {
		snprintf(buf, sizeof(buf), "%d", (int)pid);
		if (write_file(inst, "set_event_pid", buf) ||
		    write_file(inst, "options/event-fork", "1")) {
			code = vc_err(VC_ERR, "cannot filter events by pid: %s", strerror(errno));
			goto out;
		}
	}
	if (write_file(inst, "events/vmlab/enable", "1")) {
		code = vc_err(VC_ERR, "cannot enable events/vmlab in %s: %s", inst,
			      strerror(errno));
		goto out;
	}
	snprintf(path, sizeof(path), "%s/trace_pipe", inst);
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		code = vc_err(VC_ERR, "%s: %s", path, strerror(errno));
		goto out;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (!json && !child)
		fprintf(stderr, "vmlab: tracing events/vmlab%s%s; Ctrl-C stops\n",
			pid ? " of pid " : "", pid ? (snprintf(line, sizeof(line), "%d", (int)pid), line) : "");
	if (child) {
		if (write(go[1], "g", 1) != 1) {
			code = vc_err(VC_ERR, "cannot start %s", argv[optind]);
			close(fd);
			goto out;
		}
		close(go[1]);
		go[1] = -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;
		bool drained = false;

		if (!stop && !child_done)
			poll(&pfd, 1, 100);
		for (;;) {
			n = read(fd, buf, sizeof(buf));
			if (n <= 0) {
				drained = true;
				break;
			}
			for (ssize_t i = 0; i < n; i++) {
				if (buf[i] != '\n' && llen < sizeof(line) - 1) {
					line[llen++] = buf[i];
					continue;
				}
				if (buf[i] == '\n') {
					struct event e;

					line[llen] = 0;
					llen = 0;
					if (parse_event(line, &e))
						continue;
					print_event(&e, json);
					if (count > 0 && ++seen >= count)
						stop = 1;
				}
			}
			if (stop)
				break;
		}
		if (stop)
			break;
		if (child && !child_done) {
			pid_t w = waitpid(child, &status, WNOHANG);

			if (w == child)
				child_done = true;	/* one more pass drains what is left */
			continue;
		}
		if (child_done && drained)
			break;
		if (secs > 0) {
			clock_gettime(CLOCK_MONOTONIC, &now);
			if ((double)(now.tv_sec - t0.tv_sec) + (now.tv_nsec - t0.tv_nsec) / 1e9 >= secs)
				break;
		}
	}
	close(fd);
	if (child && !child_done) {
		kill(child, SIGTERM);
		waitpid(child, &status, 0);
	}
	if (child && !json && WIFSIGNALED(status))
		fprintf(stderr, "vmlab trace: %s was killed by signal %d (%s)\n", argv[optind],
			WTERMSIG(status), strsignal(WTERMSIG(status)));
out:
	write_file(inst, "events/vmlab/enable", "0");
	if (go[0] >= 0)
		close(go[0]);
	if (go[1] >= 0)
		close(go[1]);
	if (child && !child_done && code) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
	}
	if (rmdir(inst) && errno != ENOENT)
		fprintf(stderr, "vmlab trace: could not remove %s: %s\n", inst, strerror(errno));
	return code;
}
