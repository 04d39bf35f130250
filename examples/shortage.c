// SPDX-License-Identifier: GPL-2.0
/*
 * shortage: running out of virtual memory and running out of physical
 * memory are two different failures, met at two different times.
 *
 * Virtual: mmap() only reserves addresses.  A mapping of the device far
 * larger than the machine's RAM succeeds; only a request for more address
 * space than a process has (128 TiB on x86-64) fails, with ENOMEM, at
 * mmap() time.
 *
 * Physical: the frames are needed when pages are touched.  vmlab's object
 * may hold at most mem_limit_mb MiB (a module parameter): the fault that
 * needs one page more gets SIGBUS, as a store into a full tmpfs file
 * does.  The process gets the signal at the faulting instruction, long
 * after mmap() succeeded.  (Anonymous memory would instead go on until the
 * kernel's OOM killer picks a process to kill: no fault fails there.)
 */
#include "evidence.h"
#include <sys/sysinfo.h>

int main(void)
{
	int fd = vmlab_open(), sig = 0;
	struct vmlab_stats st, a, b;
	struct sysinfo si;
	size_t big, i, n;
	char *m;

	printf("shortage: virtual space is given at mmap(), memory only at the touch\n");
	sysinfo(&si);
	big = (size_t)si.totalram * si.mem_unit * 16;
	m = mmap(NULL, big, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	check(m != MAP_FAILED, "mmap(%zu GiB of /dev/vmlab) with %zu MiB of RAM: just addresses",
	      big >> 30, (size_t)si.totalram * si.mem_unit / MiB);
	if (m != MAP_FAILED)
		munmap(m, big);
	m = mmap(NULL, 1UL << 48, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	check(m == MAP_FAILED && errno == ENOMEM,
	      "mmap(256 TiB) fails at once with ENOMEM: more than the address space");

	vmlab_reset(fd);	/* an empty object: the limit is all there is */
	st = vmlab_stats(fd);
	printf("the object: %llu MiB; it may hold %llu MiB (mem_limit_mb, in\n"
	       "/sys/module/vmlab/parameters/)\n", (unsigned long long)(st.size / MiB),
	       (unsigned long long)(st.mem_limit / MiB));
	m = mmap(NULL, st.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		die("mmap");
	check(1, "mmap(all %llu MiB, MAP_SHARED) succeeds", (unsigned long long)(st.size / MiB));
	/* Touch page after page until a fault fails, catching the signal. */
	a = vmlab_stats(fd);
	for (i = 0; i < st.size / PS && !sig; i++)
		sig = touch(m + i * PS, 1);
	b = vmlab_stats(fd);
	n = sig ? i - 1 : i;	/* pages touched without a signal */
	printf("touched %zu pages (%zu MiB), then: %s\n", n, n * PS / MiB, signame(sig));
	if (st.mem_limit < st.size) {
		check(sig == SIGBUS && n * PS == st.mem_limit,
		      "SIGBUS exactly at the page past the limit (%llu MiB)",
		      (unsigned long long)(st.mem_limit / MiB));
		check(b.sigbus - a.sigbus == 1 && b.pages_resident * PS == st.mem_limit,
		      "module: 1 fault answered with SIGBUS; it holds %llu pages, its limit",
		      (unsigned long long)b.pages_resident);
	} else {
		printf("  (mem_limit_mb is the object's size here: nothing to show past it;\n"
		       "   load vmlab with e.g. size_mb=64 mem_limit_mb=48)\n");
		check(!sig, "the whole object could be touched");
	}
	munmap(m, st.size);
	vmlab_reset(fd);	/* give the memory back */
	close(fd);
	return ev_exit();
}
