// SPDX-License-Identifier: GPL-2.0
/*
 * libvmlab, small kernel files: the one number or line that a sysfs,
 * cgroupfs or tracefs file holds, read or written whole (see libvmlab.h).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libvmlab.h"

long vmlab_read_long(const char *path)
{
	char buf[64];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	return strtol(buf, NULL, 0);
}

static int write_str(const char *path, const char *s, int how)
{
	int fd = open(path, O_WRONLY | how | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, s, strlen(s));
	close(fd);
	return n == (ssize_t)strlen(s) ? 0 : -1;
}

int vmlab_write_str(const char *path, const char *s)
{
	return write_str(path, s, O_TRUNC);
}

int vmlab_append_str(const char *path, const char *s)
{
	return write_str(path, s, O_APPEND);
}

long vmlab_read_key(const char *path, const char *key)
{
	FILE *f = fopen(path, "re");
	size_t klen = strlen(key);
	char line[256];
	long v = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, klen) && line[klen] == ' ')
			v = strtol(line + klen + 1, NULL, 10);
	fclose(f);
	return v;
}
