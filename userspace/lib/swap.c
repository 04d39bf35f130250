// SPDX-License-Identifier: GPL-2.0
/*
 * libvmlab, a swap area for a while: a loop device over a memfd, with the
 * header mkswap writes, enabled with swapon() (see libvmlab.h).  The
 * tour's swap chapter and the tests make one when the machine has none.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/loop.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/swap.h>

#include "libvmlab.h"

static int swap_fail(struct vmlab_swap *s, const char *what)
{
	snprintf(s->why, sizeof(s->why), "%s: %s", what, strerror(errno));
	vmlab_swap_off(s);
	return -1;
}

/*
 * The swap header (mkswap's, include/linux/swap.h's union swap_header):
 * version 1 at byte 1024, then the last page's number, and the magic
 * "SWAPSPACE2" in the last 10 bytes of the first page.
 */
static int swap_format(int fd, size_t bytes)
{
	size_t ps = vmlab_page_size();
	char *hdr = calloc(1, ps);
	uint32_t v[2] = { 1, bytes / ps - 1 };
	int ret;

	if (!hdr)
		return -1;
	memcpy(hdr + 1024, v, sizeof(v));
	memcpy(hdr + ps - 10, "SWAPSPACE2", 10);
	ret = pwrite(fd, hdr, ps, 0) == (ssize_t)ps ? 0 : -1;
	free(hdr);
	return ret;
}

int vmlab_swap_on(struct vmlab_swap *s, size_t mb)
{
	size_t bytes = mb << 20;
	int ctl, n;

	memset(s, 0, sizeof(*s));
	s->loop_fd = s->mem_fd = -1;
	s->mem_fd = memfd_create("vmlab-swap", MFD_CLOEXEC);
	if (s->mem_fd < 0)
		return swap_fail(s, "memfd_create");
	if (ftruncate(s->mem_fd, bytes) || swap_format(s->mem_fd, bytes))
		return swap_fail(s, "writing the swap header");
	ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (ctl < 0)
		return swap_fail(s, "/dev/loop-control (the loop driver: modprobe loop)");
	n = ioctl(ctl, LOOP_CTL_GET_FREE);
	close(ctl);
	if (n < 0)
		return swap_fail(s, "LOOP_CTL_GET_FREE");
	snprintf(s->dev, sizeof(s->dev), "/dev/loop%d", n);
	s->loop_fd = open(s->dev, O_RDWR | O_CLOEXEC);
	if (s->loop_fd < 0)
		return swap_fail(s, s->dev);
	if (ioctl(s->loop_fd, LOOP_SET_FD, s->mem_fd))
		return swap_fail(s, "LOOP_SET_FD");
	if (swapon(s->dev, 0))
		return swap_fail(s, "swapon");
	s->on = true;
	return 0;
}

void vmlab_swap_off(struct vmlab_swap *s)
{
	if (s->on && swapoff(s->dev))
		fprintf(stderr, "# swapoff %s: %s\n", s->dev, strerror(errno));
	s->on = false;
	if (s->loop_fd >= 0) {
		ioctl(s->loop_fd, LOOP_CLR_FD, 0);
		close(s->loop_fd);
	}
	if (s->mem_fd >= 0)
		close(s->mem_fd);
	s->loop_fd = s->mem_fd = -1;
}
