// SPDX-License-Identifier: GPL-2.0
/*
 * What the vmlab command prints besides its views: colour, errors on
 * stderr, and the exit code that goes with each.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"

bool vc_color;

void vc_set_color(const char *when)
{
	const char *nc = getenv("NO_COLOR");

	if (!when || !strcmp(when, "auto"))
		vc_color = isatty(STDOUT_FILENO) && !(nc && *nc) &&
			   getenv("TERM") && strcmp(getenv("TERM"), "dumb");
	else
		vc_color = !strcmp(when, "always");
}

const char *vc(const char *code)
{
	static char buf[8][16];
	static int i;

	if (!vc_color)
		return "";
	i = (i + 1) % 8;
	snprintf(buf[i], sizeof(buf[i]), "\033[%sm", code);
	return buf[i];
}

int vc_err(int code, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("vmlab: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}

int vc_exit_of_errno(int err)
{
	switch (err) {
	case ESRCH:
		return VC_NOPROC;
	case EACCES:
	case EPERM:
		return VC_PERM;
	case EINVAL:
	case EFAULT:
		return VC_BADADDR;
	case ENOTTY:
		return VC_UNSUPP;
	default:
		return VC_ERR;
	}
}

int vc_open_dev(int *code)
{
	int fd = vmlab_open(O_RDWR), err;

	if (fd >= 0)
		return fd;
	err = errno;
	/* Reading the counters needs no write permission. */
	if (err == EACCES) {
		fd = vmlab_open(O_RDONLY);
		if (fd >= 0)
			return fd;
	}
	fflush(stdout);
	fprintf(stderr, "%s\n", vmlab_open_error(err));
	*code = err == EACCES || err == EPERM ? VC_PERM : err == ENOENT ||
		err == ENXIO || err == ENODEV ? VC_NODEV : VC_ERR;
	return -1;
}

int vc_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "vmlab %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (vmlab %s --help)\n", cmd);
	return VC_USAGE;
}
