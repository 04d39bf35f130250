// SPDX-License-Identifier: GPL-2.0
/*
 * Chapter overcommit: what bounds virtual memory.  The address space
 * (47 bits for a 64-bit process, 32 for a 32-bit one), the limits a
 * process is given (RLIMIT_AS), and the kernel's commit accounting of
 * private writable memory (vm.overcommit_memory), which is where RAM and
 * swap come in.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "tour.h"
#include "figure.h"

#define GiB		(1024UL * MiB)
#define OVERCOMMIT	"/proc/sys/vm/overcommit_memory"
#define NRANGES		256

/* addr32/addr32.c's bytes (userspace/Makefile): empty if it could not be built. */
extern const unsigned char vmlab_addr32[];
extern const unsigned long vmlab_addr32_len;

static const unsigned long TiB = 1024UL * GiB;

/* The ranges map_all() mapped, for unmapping. */
static struct {
	void *addr;
	size_t len;
} rng[NRANGES];
static int nrng;
static size_t space64;	/* what a 64-bit process could map, step 1 */

/*
 * Map address space only (PROT_NONE, MAP_NORESERVE: no memory, nothing
 * committed), as large as it goes: @chunk at a time while that succeeds,
 * then halving down to a page.  Returns the bytes mapped.
 */
static size_t map_all(size_t chunk)
{
	size_t total = 0;
	void *m;

	nrng = 0;
	while (chunk >= T.ps && nrng < NRANGES) {
		m = mmap(NULL, chunk, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
			 -1, 0);
		if (m == MAP_FAILED) {
			chunk /= 2;
			continue;
		}
		rng[nrng].addr = m;
		rng[nrng++].len = chunk;
		total += chunk;
	}
	return total;
}

/* VmSize of /proc/self/status, -1 if unknown. */
static long vm_size_kb(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[128];
	long kb = -1;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmSize: %ld", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

static void unmap_all(void)
{
	while (nrng > 0) {
		nrng--;
		munmap(rng[nrng].addr, rng[nrng].len);
	}
}

/*
 * Run addr32 from a memfd and read what it printed: kB it could map.
 * Returns -1 and sets *err when it could not run (ENOEXEC: the kernel
 * runs no 32-bit programs; ENOENT: vmlab was built without it).
 */
static long run_addr32(int *err)
{
	char buf[32] = "";
	int p[2], mfd, st;
	ssize_t n = 0;
	pid_t pid;

	*err = ENOENT;
	if (!vmlab_addr32_len)
		return -1;
	mfd = memfd_create("addr32", MFD_CLOEXEC);
	if (mfd < 0 || write(mfd, vmlab_addr32, vmlab_addr32_len) != (ssize_t)vmlab_addr32_len ||
	    pipe2(p, O_CLOEXEC)) {
		*err = errno;
		return -1;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		char *argv[] = { "addr32", NULL }, *envp[] = { NULL };

		dup2(p[1], 1);
		fexecve(mfd, argv, envp);
		/* Tell the parent why: "!errno". */
		dprintf(1, "!%d", errno);
		_exit(127);
	}
	close(p[1]);
	close(mfd);
	if (pid > 0)
		n = read(p[0], buf, sizeof(buf) - 1);
	close(p[0]);
	if (pid < 0 || waitpid(pid, &st, 0) < 0) {
		*err = errno;
		return -1;
	}
	buf[n > 0 ? n : 0] = 0;
	if (buf[0] == '!') {
		*err = atoi(buf + 1);
		return -1;
	}
	*err = 0;
	return WIFEXITED(st) && buf[0] ? atol(buf) : -1;
}

/* Steps 1 and 2: the address space of a 64-bit and of a 32-bit process. */
static void address_space(void)
{
	size_t total;
	long kb32;
	int err;
	bool ok;

	step("map address space only, PROT_NONE and MAP_NORESERVE, 16 TiB at a time while "
	     "that works, then half as much, down to a page");
	total = space64 = map_all(16 * TiB);
	ev("mapped %.2f TiB in %d mmap() calls; /proc/self/status: VmSize %ld kB",
	   (double)total / TiB, nrng, vm_size_kb());
	unmap_all();
	ok = check(total > 120 * TiB && total < 128 * TiB,
		   "%.2f TiB: nearly all of the 128 TiB (2^47 bytes) of a 64-bit process's "
		   "addresses; the rest holds the program, its libraries and stack",
		   (double)total / TiB);

	step("the same in a 32-bit x86 program (addr32, carried inside vmlab), run here");
	kb32 = run_addr32(&err);
	if (kb32 < 0 && (err == ENOEXEC || err == ENOENT)) {
		out("%s", err == ENOEXEC ? "This kernel runs no 32-bit programs (no IA32 "
		    "emulation, or ia32_emulation=0)." : "This vmlab was built without its "
		    "32-bit program (the compiler had no -m32).");
		claim_skip(40, err == ENOEXEC ? "the kernel runs no 32-bit programs" :
			   "vmlab was built without its 32-bit program");
		return;
	}
	ok &= check(kb32 > (long)(3 * GiB / 1024) && kb32 < (long)(4 * GiB / 1024),
		    "the 32-bit program mapped %.3f GiB%s", kb32 / (double)(GiB / 1024),
		    kb32 < 0 ? " (it did not run)" : "");
	claim_end(40, ok, "4 GiB is the size of a 32-bit address space, and under a 64-bit "
		  "kernel a 32-bit process gets nearly all of it (here %.3f GiB): the kernel "
		  "keeps none of those addresses for itself. Under a 32-bit kernel it gets "
		  "3 GiB with the usual split, the top gigabyte being the kernel's. The "
		  "bound is per process and on addresses: the machine may have more memory "
		  "than 4 GiB (PAE), and a 64-bit process has 128 TiB.",
		  kb32 / (double)(GiB / 1024));
}

/* A child that lowers its RLIMIT_AS to 1 GiB and maps 2 GiB: errno, or 0. */
static int rlimit_as(void)
{
	pid_t pid;
	int st;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct rlimit r = { GiB, GiB };
		void *m;

		if (setrlimit(RLIMIT_AS, &r))
			_exit(100);
		m = mmap(NULL, 2 * GiB, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
			 -1, 0);
		_exit(m == MAP_FAILED ? errno : 0);
	}
	if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/* mmap of @len private anonymous memory with @flags: errno, or 0 (unmapped again). */
static int try_map(size_t len, int prot, int flags)
{
	void *m = mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);

	if (m == MAP_FAILED)
		return errno;
	munmap(m, len);
	return 0;
}

static const char *result(int err)
{
	return err ? strerror(err) : "succeeds";
}

void ch_overcommit(void)
{
	long mode0 = vmlab_read_long(OVERCOMMIT), ram, swp, lim, com0, com1;
	size_t big, part, total = 0;
	char *maps[4] = { 0 };
	int i, e1, e2, e3, e4;
	char s[16];
	bool ok, strict = false;

	para("mmap() can fail before any page is touched: virtual memory has limits of "
	     "its own. The address space is one, the same whatever memory the machine "
	     "has. The kernel's commit accounting is another: private writable memory "
	     "may need a frame for each of its pages some day, and the kernel may refuse "
	     "to promise more of it than RAM and swap could hold "
	     "(vm.overcommit_memory).");
	address_space();

	step("a child sets its RLIMIT_AS to 1 GiB, then maps 2 GiB of address space only");
	e1 = rlimit_as();
	ok = check(e1 == ENOMEM, "mmap() in the child: %s%s", e1 < 0 ? "(no child)" :
		   result(e1), e1 == ENOMEM ? ": a limit on addresses, not on memory" : "");

	if (mode0 != 0) {
		if (!T.root || vmlab_write_str(OVERCOMMIT, "0")) {
			out("vm.overcommit_memory is %ld here, not the default 0 (heuristic); "
			    "the rest of this chapter needs 0, and root to set it.", mode0);
			claim_skip(39, "vm.overcommit_memory is not 0, and only root may set it");
			claim_skip(32, "vm.overcommit_memory is not 0, and only root may set it");
			observed("RLIMIT_AS of 1 GiB refused 2 GiB of addresses");
			return;
		}
		ev("vm.overcommit_memory was %ld: set to 0, the default, for this chapter",
		   mode0);
	}
	ram = vmlab_meminfo_kb("MemTotal");
	swp = vmlab_meminfo_kb("SwapTotal");
	big = (size_t)(ram + swp) * 1024 + GiB;
	step("vm.overcommit_memory = 0 (the default heuristic); MemTotal %ld kB, SwapTotal "
	     "%ld kB: mmap() one private writable mapping of RAM + swap + 1 GiB (%.2f GiB), "
	     "then the same with MAP_NORESERVE, and read-only", ram, swp, big / (double)GiB);
	e1 = try_map(big, PROT_READ | PROT_WRITE, 0);
	e2 = try_map(big, PROT_READ | PROT_WRITE, MAP_NORESERVE);
	e3 = try_map(big, PROT_READ, 0);
	ok &= check(e1 == ENOMEM, "private and writable: %s", result(e1));
	ok &= check(!e2, "with MAP_NORESERVE: %s", result(e2));
	ok &= check(!e3, "read-only: %s", result(e3));
	claim_end(39, ok, "the address space runs out whatever the memory (the 128 TiB and "
		  "4 GiB above), and so does a limit like RLIMIT_AS. But physical memory "
		  "matters too: one private writable mapping larger than RAM and swap "
		  "together is refused at mmap() by the default heuristic, though the "
		  "address space has room. Memory that can never need a frame of its own "
		  "(read-only) or that the program says it will not fill (MAP_NORESERVE) "
		  "passes.");

	lim = vmlab_meminfo_kb("CommitLimit");
	com0 = vmlab_meminfo_kb("Committed_AS");
	part = (size_t)(ram + swp) * 1024 / 4 * 3;
	step("four private writable mappings of 3/4 of RAM + swap each (%.2f GiB), kept: "
	     "three times what RAM and swap can hold", part / (double)GiB);
	for (i = 0; i < 4; i++) {
		maps[i] = mmap(NULL, part, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			       -1, 0);
		if (maps[i] == MAP_FAILED) {
			maps[i] = NULL;
			break;
		}
		total += part;
	}
	com1 = vmlab_meminfo_kb("Committed_AS");
	for (i = 0; i < 4; i++)
		if (maps[i])
			munmap(maps[i], part);
	ok = check(total == 4 * part, "%d of 4 succeed: %.2f GiB of virtual memory, with %ld "
		   "kB of RAM and %ld kB of swap", (int)(total / part), total / (double)GiB,
		   ram, swp);
	ok &= check(com1 - com0 >= (long)(total / 1024) && com1 > lim,
		    "meminfo: Committed_AS %ld -> %ld kB, past CommitLimit %ld kB (swap + "
		    "half of RAM): the default mode does not enforce it", com0, com1, lim);
	if (rec_on()) {
		static struct fig_values v;
		char sh[32];

		fig_values_begin(&v, "Private writable memory asked of mmap(), overcommit mode 0",
				 "GiB");
		snprintf(sh, sizeof(sh), "%ld kB", ram);
		fig_values_row(&v, "RAM (MemTotal)", ram / (double)(GiB / 1024), sh, "", false);
		snprintf(sh, sizeof(sh), "%.2f GiB", big / (double)GiB);
		fig_values_row(&v, "one private writable mapping of RAM + swap + 1 GiB",
			       big / (double)GiB, sh, result(e1), e1);
		fig_values_row(&v, "the same with MAP_NORESERVE", big / (double)GiB, sh,
			       result(e2), e2);
		fig_values_row(&v, "the same, read-only", big / (double)GiB, sh, result(e3), e3);
		snprintf(sh, sizeof(sh), "%.2f GiB", total / (double)GiB);
		fig_values_row(&v, "four mappings of 3/4 of RAM + swap each, kept at once",
			       total / (double)GiB, sh, total == 4 * part ? "all 4 succeed" :
			       "not all", total != 4 * part);
		snprintf(sh, sizeof(sh), "%ld kB", com1);
		fig_values_row(&v, "Committed_AS with the four mapped", com1 / (double)(GiB / 1024),
			       sh, "past CommitLimit: not enforced", false);
		snprintf(sh, sizeof(sh), "%ld kB", lim);
		fig_values_limit(&v, "CommitLimit", lim / (double)(GiB / 1024), sh);
		fig_values(&v, "The default heuristic refuses one private writable mapping "
			   "larger than RAM and swap, but lets many smaller ones commit far past "
			   "CommitLimit; MAP_NORESERVE and read-only mappings are not counted.");
	}

	if (T.root && !vmlab_write_str(OVERCOMMIT, "2")) {
		strict = true;
		step("vm.overcommit_memory = 2 (strict), for a moment: mmap() private writable "
		     "memory of what CommitLimit leaves (%ld kB - Committed_AS) plus 64 MiB, "
		     "then half of what it leaves", lim);
		com0 = vmlab_meminfo_kb("Committed_AS");
		e4 = try_map((size_t)(lim - com0) * 1024 + 64 * MiB, PROT_READ | PROT_WRITE, 0);
		e1 = lim > com0 ? try_map((size_t)(lim - com0) * 1024 / 2,
					  PROT_READ | PROT_WRITE, 0) : ENOMEM;
		vmlab_write_str(OVERCOMMIT, "0");
		ok &= check(e4 == ENOMEM && !e1, "past the limit: %s; within it: %s",
			    result(e4), result(e1));
	}
	if (mode0 != 0) {
		snprintf(s, sizeof(s), "%ld", mode0);
		vmlab_write_str(OVERCOMMIT, s);
		ev("vm.overcommit_memory: back to %ld", mode0);
	}
	claim_end(32, ok, "swap bounds nothing by default: here %.2f GiB of private "
		  "writable memory was mapped at once, with %ld MiB of RAM and %ld MiB of "
		  "swap, and only touching it would have needed the memory. %s Shared "
		  "mappings of a file and read-only ones are never counted.",
		  total / (double)GiB, ram / 1024, swp / 1024,
		  strict ? "Only the strict mode (vm.overcommit_memory = 2) bounds it, by "
		  "CommitLimit, swap plus a share of RAM (vm.overcommit_ratio): it refused "
		  "the mapping that went past it." : "Only the strict mode "
		  "(vm.overcommit_memory = 2, root; not tried here) bounds it, by "
		  "CommitLimit: swap plus a share of RAM.");
	observed("%.2f TiB of addresses for a 64-bit process; one mapping larger than RAM + "
		 "swap refused, four that add up to 3 times as much accepted%s",
		 (double)space64 / TiB, strict ? "; the strict mode refused past CommitLimit" :
		 "");
}
