// SPDX-License-Identifier: GPL-2.0
/*
 * The tour's child processes: probing an access in a child, waiting for
 * one, and running a program under ptrace to stop it at execve and exit.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "tour.h"

void child_quiet(void)
{
	struct rlimit rl = { 0, 0 };

	setrlimit(RLIMIT_CORE, &rl);	/* no core files from SIGBUS/SIGSEGV */
	signal(SIGSEGV, SIG_DFL);
	signal(SIGBUS, SIG_DFL);
}

/* Exit status, or 128 + signal. */
int wait_child(pid_t pid)
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
int probe_access(volatile char *addr, bool write)
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

const char *signame(int sig)
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

bool traced_start(struct traced *t, char *const argv[])
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

bool traced_next(struct traced *t, int event)
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

void traced_end(struct traced *t)
{
	if (t->pid <= 0)
		return;
	kill(t->pid, SIGKILL);
	ptrace(PTRACE_CONT, t->pid, 0, 0);
	wait_child(t->pid);
	t->pid = 0;
}
