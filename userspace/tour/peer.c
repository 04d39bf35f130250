// SPDX-License-Identifier: GPL-2.0
/*
 * A peer: a forked child that reads, writes and maps on request, so that
 * "another process" does each access of the experiment itself.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "tour.h"

enum { P_QUIT, P_READ, P_WRITE, P_MAP };

struct pmsg {
	int op, shared;
	uintptr_t addr;
	size_t len;
	char data[64];
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

bool peer_start(struct peer *pr)
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

bool peer_read(struct peer *pr, const void *addr, char *buf, size_t len)
{
	struct pmsg m = { .op = P_READ, .addr = (uintptr_t)addr, .len = len };

	if (!peer_do(pr, &m))
		return false;
	memcpy(buf, m.data, len);
	return true;
}

bool peer_write(struct peer *pr, void *addr, const char *buf, size_t len)
{
	struct pmsg m = { .op = P_WRITE, .addr = (uintptr_t)addr, .len = len };

	memcpy(m.data, buf, len);
	return peer_do(pr, &m);
}

void *peer_map(struct peer *pr, size_t len, bool shared)
{
	struct pmsg m = { .op = P_MAP, .len = len, .shared = shared };

	if (!peer_do(pr, &m))
		return NULL;
	return (void *)m.addr;
}

void peer_stop(struct peer *pr)
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
