// SPDX-License-Identifier: GPL-2.0
/*
 * shared_private: every MAP_SHARED mapper sees the others' stores; stores
 * into a MAP_PRIVATE mapping stay in that mapping and never reach the
 * object (the "file").
 *
 * The parent maps page 0 of /dev/vmlab shared.  A child process maps the
 * same page shared too and stores a message: the parent reads it through
 * its own mapping.  Then the child maps the page MAP_PRIVATE and stores
 * another message: its own mapping holds it, but the parent's mapping and
 * the object itself (read with pread()) do not.
 */
#include "evidence.h"
#include <sys/wait.h>

/* In a child: map page 0 of the device (@flags) and store @msg there. */
static void child_stores(int flags, const char *msg)
{
	int fd = vmlab_open();
	char *m = mmap(NULL, PS, PROT_READ | PROT_WRITE, flags, fd, 0);

	if (m == MAP_FAILED)
		die("mmap in the child");
	strcpy(m, msg);
	/* The child's own mapping holds what it stored, either way. */
	_exit(strcmp(m, msg) != 0);
}

static void run_child(int flags, const char *msg)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		die("fork");
	if (!pid)
		child_stores(flags, msg);
	waitpid(pid, &status, 0);
	check(WIFEXITED(status) && !WEXITSTATUS(status),
	      "the child reads \"%s\" back through its own mapping", msg);
}

int main(void)
{
	int fd = vmlab_open();
	char buf[32] = "";
	char *m;

	printf("shared_private: MAP_SHARED stores are seen by all, MAP_PRIVATE by no one else\n");
	if (pwrite(fd, "original", 9, 0) != 9)
		die("pwrite");
	m = mmap(NULL, PS, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		die("mmap");
	printf("parent: page 0 holds \"%s\", mapped MAP_SHARED at %p\n", m, (void *)m);

	printf("child: mmap(MAP_SHARED), strcpy(m, \"shared store\")\n");
	run_child(MAP_SHARED, "shared store");
	check(!strcmp(m, "shared store"),
	      "parent's mapping reads \"%s\": the same page, another process's store", m);

	printf("child: mmap(MAP_PRIVATE), strcpy(m, \"private store\")\n");
	run_child(MAP_PRIVATE, "private store");
	check(!strcmp(m, "shared store"), "parent's mapping still reads \"%s\"", m);
	if (pread(fd, buf, sizeof(buf) - 1, 0) < 0)
		die("pread");
	check(!strcmp(buf, "shared store"),
	      "pread(fd) reads \"%s\": the private store never reached the object", buf);
	munmap(m, PS);
	close(fd);
	return ev_exit();
}
