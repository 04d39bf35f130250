// SPDX-License-Identifier: GPL-2.0
/*
 * libvmlab, tracefs: where vmlab's trace events can be found (see
 * libvmlab.h).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <unistd.h>

#include "libvmlab.h"

const char *vmlab_tracefs(void)
{
	static const char *const dirs[] = {
		"/sys/kernel/tracing", "/sys/kernel/debug/tracing",
	};
	char path[128];
	size_t i;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/events/vmlab", dirs[i]);
		if (!access(path, F_OK))
			return dirs[i];
	}
	return NULL;
}
