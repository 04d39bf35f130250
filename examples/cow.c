// SPDX-License-Identifier: GPL-2.0
/*
 * cow: after fork(), parent and child share the frames of a private
 * mapping, read-only; the first to write gets a copy (copy-on-write).
 *
 * The parent writes a page of a MAP_PRIVATE mapping of /dev/vmlab, which
 * gives it a private (anonymous) page, then forks.  The child's page
 * table points at the same frame: pagemap shows the same PFN, kpagecount
 * says 2 mappings (root only).  The child writes: the fault gives it a new
 * frame; the parent's frame and contents are unchanged.
 *
 * Without root, pagemap hides PFNs; its "exclusive" bit still shows the
 * page shared after fork() and the child's own after its write.
 */
#include "evidence.h"
#include <sys/wait.h>

struct seen { uint64_t pfn, pm; int64_t count; };

static struct seen look(char *m)
{
	struct seen s = { pfn_of(m), pagemap(m), -1 };

	if (s.pfn)
		s.count = kpagecount(s.pfn);
	return s;
}

int main(void)
{
	int fd = vmlab_open(), to_child[2], to_parent[2], status;
	struct seen p0, c0, c1, p1;
	char *m, go = 0;
	pid_t pid;

	printf("cow: fork() shares private pages until one side writes\n");
	m = mmap(NULL, PS, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (m == MAP_FAILED || pipe(to_child) || pipe(to_parent))
		die("mmap or pipe");
	strcpy(m, "parent's data");		/* a private copy of page 0 */
	p0 = look(m);
	printf("parent wrote \"%s\": PFN %#llx\n", m, (unsigned long long)p0.pfn);

	pid = fork();
	if (pid < 0)
		die("fork");
	if (!pid) {		/* the child: report, wait, write, report */
		c0 = look(m);
		write(to_parent[1], &c0, sizeof(c0));
		read(to_child[0], &go, 1);
		strcpy(m, "child's data");
		c1 = look(m);
		write(to_parent[1], &c1, sizeof(c1));
		_exit(0);
	}
	if (read(to_parent[0], &c0, sizeof(c0)) != sizeof(c0))
		die("read from the child");
	printf("after fork(), before any write:\n");
	if (p0.pfn) {
		check(c0.pfn == p0.pfn, "the child maps the parent's frame: PFN %#llx",
		      (unsigned long long)c0.pfn);
		check(c0.count == 2, "kpagecount: %lld page tables map it",
		      (long long)c0.count);
	} else {
		printf("  (pagemap hides PFNs from non-root: run as root to see the frames)\n");
	}
	check(!(c0.pm & PM_EXCLUSIVE) && !(pagemap(m) & PM_EXCLUSIVE),
	      "pagemap: the page is no longer exclusive to either process");

	write(to_child[1], &go, 1);	/* let the child write */
	if (read(to_parent[0], &c1, sizeof(c1)) != sizeof(c1))
		die("read from the child");
	waitpid(pid, &status, 0);
	p1 = look(m);
	printf("the child wrote \"child's data\":\n");
	if (p0.pfn)
		check(c1.pfn && c1.pfn != p0.pfn && p1.pfn == p0.pfn,
		      "the child got a new frame %#llx; the parent keeps %#llx",
		      (unsigned long long)c1.pfn, (unsigned long long)p1.pfn);
	check(c1.pm & PM_EXCLUSIVE, "pagemap: the child's page is its own (exclusive)");
	check(!strcmp(m, "parent's data"), "the parent still reads \"%s\"", m);
	munmap(m, PS);
	close(fd);
	return ev_exit();
}
