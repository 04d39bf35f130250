// SPDX-License-Identifier: GPL-2.0
/*
 * libvmlab, memory cgroups (cgroup v2): the hierarchy, found or mounted,
 * a group of our own with a memory.max, its files, joining it (see
 * libvmlab.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "libvmlab.h"

int vmlab_cgroup_open(struct vmlab_cgroup *cg, char *why, size_t len)
{
	char line[512], dev[128], dir[256], type[64];
	FILE *f;

	memset(cg, 0, sizeof(*cg));
	f = fopen("/proc/self/mounts", "re");
	if (!f) {
		snprintf(why, len, "/proc/self/mounts");
		return -1;
	}
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%127s %255s %63s", dev, dir, type) == 3 &&
		    !strcmp(type, "cgroup2")) {
			snprintf(cg->root, sizeof(cg->root), "%s", dir);
			break;
		}
	fclose(f);
	if (!cg->root[0]) {
		char tmpl[] = "/tmp/vmlab-cg.XXXXXX";

		if (!mkdtemp(tmpl)) {
			snprintf(why, len, "no cgroup2 mounted and no /tmp to mount one");
			return -1;
		}
		if (mount("none", tmpl, "cgroup2", 0, NULL)) {
			snprintf(why, len, "no cgroup2 mounted and cannot mount one");
			rmdir(tmpl);
			return -1;
		}
		snprintf(cg->root, sizeof(cg->root), "%s", tmpl);
		cg->mounted = true;
	}
	snprintf(line, sizeof(line), "%s/cgroup.subtree_control", cg->root);
	if (vmlab_write_str(line, "+memory")) {
		snprintf(why, len, "cannot enable the memory controller in %.64s",
			 cg->root);
		return -1;
	}
	return 0;
}

int vmlab_cgroup_make(struct vmlab_cgroup *cg, const char *name, unsigned long max)
{
	char path[512], buf[32];

	snprintf(cg->dir, sizeof(cg->dir), "%s/%s-%d", cg->root, name,
		 (int)getpid());
	if (mkdir(cg->dir, 0755) && errno != EEXIST) {
		cg->dir[0] = 0;
		return -1;
	}
	if (!max)
		return 0;
	snprintf(path, sizeof(path), "%s/memory.max", cg->dir);
	snprintf(buf, sizeof(buf), "%lu", max);
	if (vmlab_write_str(path, buf))
		return -1;
	snprintf(path, sizeof(path), "%s/memory.swap.max", cg->dir);
	vmlab_write_str(path, "0");	/* there may be no swap controller */
	return 0;
}

int vmlab_cgroup_remove(struct vmlab_cgroup *cg)
{
	int ret = 0;

	if (cg->dir[0])
		ret = rmdir(cg->dir);
	cg->dir[0] = 0;
	return ret;
}

void vmlab_cgroup_close(struct vmlab_cgroup *cg)
{
	vmlab_cgroup_remove(cg);
	if (cg->mounted) {
		umount(cg->root);
		rmdir(cg->root);
		cg->mounted = false;
	}
}

long vmlab_cgroup_long(const char *dir, const char *file)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return vmlab_read_long(path);
}

long vmlab_cgroup_key(const char *dir, const char *file, const char *key)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return vmlab_read_key(path, key);
}

int vmlab_cgroup_join(const char *dir)
{
	char path[512], pid[32];

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	return vmlab_write_str(path, pid);
}
