// SPDX-License-Identifier: GPL-2.0
/*
 * libvmlab, tracefs: where vmlab's trace events can be found, and kprobes
 * that count calls of a kernel function (see libvmlab.h).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
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

/* @file under VMLAB_KPROBE_TRACEFS, written as >> does. */
static int kprobe_write(const char *file, const char *s)
{
	char path[256];

	snprintf(path, sizeof(path), VMLAB_KPROBE_TRACEFS "/%s", file);
	return vmlab_append_str(path, s);
}

/* "kprobe_events" takes "p:GROUP/EVENT SYMBOL" and "-:GROUP/EVENT". */
int vmlab_kprobe_on(const char *probe, const char *symbol)
{
	char line[256], enable[160];

	vmlab_kprobe_off(probe);	/* a leftover of an earlier run */
	snprintf(line, sizeof(line), "p:%s %s\n", probe, symbol);
	if (kprobe_write("kprobe_events", line))
		return -1;
	snprintf(enable, sizeof(enable), "events/%s/enable", probe);
	return kprobe_write(enable, "1");
}

void vmlab_kprobe_off(const char *probe)
{
	char line[160];

	snprintf(line, sizeof(line), "events/%s/enable", probe);
	kprobe_write(line, "0");
	snprintf(line, sizeof(line), "-:%s\n", probe);
	kprobe_write("kprobe_events", line);
}

/* kprobe_profile: a line per probe, "EVENT HITS MISSES". */
long vmlab_kprobe_hits(const char *probe)
{
	FILE *f = fopen(VMLAB_KPROBE_TRACEFS "/kprobe_profile", "re");
	const char *event = strchr(probe, '/');
	char line[256], name[128];
	long hits = -1, h, miss;

	if (!f)
		return -1;
	event = event ? event + 1 : probe;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%127s %ld %ld", name, &h, &miss) == 3 &&
		    !strcmp(name, event))
			hits = h;
	fclose(f);
	return hits;
}
