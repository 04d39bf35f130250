// SPDX-License-Identifier: GPL-2.0
/*
 * vmlab_examples: runs each program of examples/ and passes when it says
 * its claim held (exit 0), skips when it says it cannot run here (exit
 * 4, KSFT_SKIP), fails otherwise.  Each program's own words become the
 * test's diagnostics, with the time it took.
 *
 * The programs are looked for in $VMLAB_EXAMPLES_DIR, /examples (the
 * guests of make check), then beside this program: ./examples (installed)
 * and ../examples (a source tree).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "vmlab_util.h"

static const char *examples_dir(void)
{
	static char dir[4096];
	const char *env = getenv("VMLAB_EXAMPLES_DIR");
	char self[2048], *slash;
	ssize_t n;

	if (env && *env)
		return env;
	if (!access("/examples/hello", X_OK))
		return "/examples";
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0)
		return "/examples";
	self[n] = 0;
	slash = strrchr(self, '/');
	*slash = 0;
	snprintf(dir, sizeof(dir), "%s/examples", self);
	if (access(dir, X_OK))
		snprintf(dir, sizeof(dir), "%s/../examples", self);
	return dir;
}

/* Run example @name; its output as "# " lines; return its exit status. */
static int run(const char *name, char *last, size_t lastsz)
{
	char path[4096], line[1024];
	struct timespec t0, t1;
	int pfd[2], status;
	FILE *out;
	pid_t pid;

	if (snprintf(path, sizeof(path), "%s/%s", examples_dir(), name) >= (int)sizeof(path) ||
	    access(path, X_OK)) {
		printf("# %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (pipe(pfd))
		return -1;
	fflush(stdout);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		close(pfd[0]);
		close(pfd[1]);
		execl(path, name, (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	out = fdopen(pfd[0], "r");
	while (out && fgets(line, sizeof(line), out)) {
		printf("# %s", line);
		snprintf(last, lastsz, "%s", line);
	}
	if (out)
		fclose(out);
	waitpid(pid, &status, 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("# %s: %s %d after %.2f s\n", name,
	       WIFEXITED(status) ? "exit" : "killed by signal",
	       WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
	       (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* One test: run the example, judge its exit status. */
static void example(struct __test_metadata *_metadata, const char *name)
{
	char last[1024] = "";
	int rc = run(name, last, sizeof(last));

	if (rc == KSFT_SKIP)
		SKIP(return, "%s", last);
	ASSERT_EQ(0, rc) TH_LOG("%s: the claim did not hold, or the example could not run",
				name);
}

/*
 * A fixture only for the names: "examples.hello"...  Each example may take
 * EXAMPLE_SECS, not the harness's default 30 s: demand touches 100 MiB,
 * which on the debug kernel (KASAN, debug_pagealloc) beside other guests
 * took longer than that.
 */
#define EXAMPLE_SECS	180
FIXTURE(examples) {};
FIXTURE_SETUP(examples) {}
FIXTURE_TEARDOWN(examples) {}

TEST_F_TIMEOUT(examples, hello, EXAMPLE_SECS)
{
	example(_metadata, "hello");
}

TEST_F_TIMEOUT(examples, demand, EXAMPLE_SECS)
{
	example(_metadata, "demand");
}

TEST_F_TIMEOUT(examples, zeropage, EXAMPLE_SECS)
{
	example(_metadata, "zeropage");
}

TEST_F_TIMEOUT(examples, shared_private, EXAMPLE_SECS)
{
	example(_metadata, "shared_private");
}

TEST_F_TIMEOUT(examples, cow, EXAMPLE_SECS)
{
	example(_metadata, "cow");
}

TEST_F_TIMEOUT(examples, shortage, EXAMPLE_SECS)
{
	example(_metadata, "shortage");
}

TEST_F_TIMEOUT(examples, munmap, EXAMPLE_SECS)
{
	example(_metadata, "munmap");
}

TEST_F_TIMEOUT(examples, dirty, EXAMPLE_SECS)
{
	example(_metadata, "dirty");
}

TEST_F_TIMEOUT(examples, granularity, EXAMPLE_SECS)
{
	example(_metadata, "granularity");
}

TEST_F_TIMEOUT(examples, fixed_prot, EXAMPLE_SECS)
{
	example(_metadata, "fixed_prot");
}

TEST_F_TIMEOUT(examples, read_vs_mmap, EXAMPLE_SECS)
{
	example(_metadata, "read_vs_mmap");
}

TEST_F_TIMEOUT(examples, swap, EXAMPLE_SECS)
{
	/* The loop driver for its swap area: the guest loads it at boot. */
	example(_metadata, "swap");
}

VL_TEST_MAIN
