// SPDX-License-Identifier: GPL-2.0
/*
 * libvmlab, processes: the children the tour and the tests fork to touch
 * memory (see libvmlab.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "libvmlab.h"

void vmlab_child_quiet(void)
{
	struct rlimit rl = { 0, 0 };

	setrlimit(RLIMIT_CORE, &rl);	/* no core files from SIGBUS/SIGSEGV */
	signal(SIGSEGV, SIG_DFL);
	signal(SIGBUS, SIG_DFL);
}

int vmlab_wait(pid_t pid)
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

pid_t vmlab_fork(void)
{
	fflush(NULL);
	return fork();
}

int vmlab_probe(volatile void *addr, bool write, char v)
{
	volatile char *p = addr;
	pid_t pid;
	int st;

	pid = vmlab_fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		vmlab_child_quiet();
		if (write)
			*p = v;
		else
			(void)*p;
		_exit(0);
	}
	st = vmlab_wait(pid);
	if (st == 0)
		return 0;
	return st > 128 && st < 128 + 65 ? st - 128 : -1;
}
