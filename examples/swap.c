// SPDX-License-Identifier: GPL-2.0
/*
 * swap: only anonymous pages go to swap; a private copy of a vmlab page
 * is one, the object's own pages are not.
 *
 * A store into a MAP_PRIVATE mapping gives the process an anonymous copy
 * of the page.  MADV_PAGEOUT asks the kernel to reclaim pages now: the
 * copy is written to swap and its page table entry becomes a swap entry
 * (pagemap: "swapped", not present; smaps: Swap 4 kB).  Reading it again
 * brings it back, intact.  The object's page, mapped shared, stays: the
 * module keeps its pages in memory (unevictable, like ramfs).
 *
 * Needs root and a swap device.  Without one, this program makes one
 * for the run: a loop device over a 16 MiB memfd (a swap file on tmpfs
 * would not do), which needs the loop driver (modprobe loop).
 */
#include "evidence.h"
#include <sys/swap.h>
#include <linux/loop.h>

static char dev[32];
static int lfd = -1;

/* A swap device for the run: /dev/loopN over a memfd with a swap header. */
static void swap_on(void)
{
	int mfd = memfd_create("swap", 0), ctl, n;
	static char hdr[4096];
	uint32_t v[2] = { 1, 16 * MiB / PS - 1 };	/* version, last page */

	memcpy(hdr + 1024, v, sizeof(v));
	memcpy(hdr + PS - 10, "SWAPSPACE2", 10);	/* what mkswap writes */
	if (ftruncate(mfd, 16 * MiB) || pwrite(mfd, hdr, PS, 0) != (ssize_t)PS)
		die("memfd");
	ctl = open("/dev/loop-control", O_RDWR);
	if (ctl < 0)
		skip("no swap device, and no loop driver to make one (modprobe loop)");
	n = ioctl(ctl, LOOP_CTL_GET_FREE);
	snprintf(dev, sizeof(dev), "/dev/loop%d", n);
	lfd = open(dev, O_RDWR);
	if (n < 0 || lfd < 0 || ioctl(lfd, LOOP_SET_FD, mfd) || swapon(dev, 0))
		die("setting up swap on a loop device");
	printf("(no swap was on: made %s, over a memfd, for this run)\n", dev);
}

int main(void)
{
	int fd = vmlab_open(), i, swapped = 0;
	char line[256] = "";
	char *priv, *shar;
	FILE *f;

	printf("swap: a private copy swaps out, the object's page does not\n");
	if (geteuid())
		skip("swapon() and MADV_PAGEOUT of swap need root here");
	f = fopen("/proc/swaps", "r");	/* a header line, then one per device */
	if (!f || !fgets(line, sizeof(line), f) || !fgets(line, sizeof(line), f))
		swap_on();
	if (f)
		fclose(f);
	priv = mmap(NULL, PS, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	shar = mmap(NULL, PS, PROT_READ | PROT_WRITE, MAP_SHARED, fd, PS);
	if (priv == MAP_FAILED || shar == MAP_FAILED)
		die("mmap");
	strcpy(priv, "private copy");	/* an anonymous page of ours */
	strcpy(shar, "object page");	/* the object's page 1 */

	/* A new page may sit in a per-CPU list, out of reclaim's reach: retry. */
	for (i = 0; i < 50 && !swapped; i++) {
		madvise(priv, PS, MADV_PAGEOUT);
		madvise(shar, PS, MADV_PAGEOUT);
		swapped = (pagemap(priv) & PM_SWAPPED) != 0;
		if (!swapped)
			usleep(20000);
	}
	printf("madvise(MADV_PAGEOUT) on both pages:\n");
	check(swapped && !(pagemap(priv) & PM_PRESENT),
	      "pagemap: the private copy is swapped out, not present");
	check(smaps(priv, "Swap") == (long)(PS / 1024), "smaps: Swap %ld kB for its mapping",
	      smaps(priv, "Swap"));
	check((pagemap(shar) & PM_PRESENT) && !(pagemap(shar) & PM_SWAPPED),
	      "pagemap: the object's page is still present: vmlab's pages never swap");
	check(!strcmp(priv, "private copy"), "reading it again: \"%s\", back from swap",
	      priv);
	check(pagemap(priv) & PM_PRESENT, "pagemap: present again");
	munmap(priv, PS);
	munmap(shar, PS);
	if (*dev && swapoff(dev))	/* our device, if we made one */
		printf("swapoff %s: %s\n", dev, strerror(errno));
	if (lfd >= 0)
		ioctl(lfd, LOOP_CLR_FD, 0);
	close(fd);
	return ev_exit();
}
