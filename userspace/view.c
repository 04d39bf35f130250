// SPDX-License-Identifier: GPL-2.0
/*
 * What the views (maps, inspect, grid) share: the process they look at,
 * the device, its inspect records with errors in words, and their page
 * counts in JSON.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "json.h"

/* The pid to show for pid: 0 is vmlab itself. */
int vc_shown_pid(pid_t pid)
{
	return pid ? (int)pid : (int)getpid();
}

/* Check that the processes exist, then open the device: fd, or -1 and *code. */
int vc_open_for(const pid_t *pids, int npids, int *code)
{
	int k;

	for (k = 0; k < npids; k++) {
		*code = vc_check_pid(pids[k]);
		if (*code)
			return -1;
	}
	return vc_open_dev(code);
}

int vc_not_mapped(uintptr_t addr, pid_t pid)
{
	return vc_err(VC_BADADDR, "%#" PRIxPTR ": not mapped in process %d (see vmlab maps -p %d)",
		      addr, vc_shown_pid(pid), vc_shown_pid(pid));
}

/* Object key: the count of pages in each state from first on, by name. */
void vc_json_counts(struct json *j, const char *key, const long counts[VC_PS_NR],
		    enum vc_pstate first)
{
	int s;

	json_obj(j, key);
	for (s = first; s < VC_PS_NR; s++)
		json_int(j, vc_pstates[s].name, counts[s]);
	json_obj_end(j);
}

const char *vc_pid_name(pid_t pid, char *buf, size_t len)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", vc_shown_pid(pid));
	f = fopen(path, "re");
	buf[0] = 0;
	if (f) {
		if (fgets(buf, (int)len, f))
			buf[strcspn(buf, "\n")] = 0;
		fclose(f);
	}
	return buf;
}

/*
 * Inspect npages from addr of pid into a new array; prints the error and
 * returns NULL with *code set.
 */
struct vmlab_page_info *vc_get_pages(int fd, pid_t pid, uintptr_t addr,
				     size_t npages, bool *pfn_shown, int *code)
{
	struct vmlab_page_info *pi = calloc(npages ? npages : 1, sizeof(*pi));
	uint64_t result;
	int err;

	if (!pi) {
		*code = vc_err(VC_ERR, "out of memory");
		return NULL;
	}
	if (!vmlab_inspect(fd, pid, addr, npages, pi, &result)) {
		*pfn_shown = result & VMLAB_INSPECT_PFN_SHOWN;
		return pi;
	}
	err = errno;
	free(pi);
	switch (err) {
	case ENOTTY:
		*code = vc_err(VC_UNSUPP, "this vmlab module has no INSPECT ioctl: "
			       "load a vmlab.ko that has it");
		break;
	case ESRCH:
		*code = vc_err(VC_NOPROC, "no process with pid %d (or it has no memory: a kernel thread, or it exited)",
			       (int)pid);
		break;
	case EACCES:
	case EPERM:
		*code = vc_err(VC_PERM, "not allowed to inspect process %d: it needs what reading "
			       "/proc/%d/pagemap needs (the same user, or root)",
			       (int)pid, (int)pid);
		break;
	case EINVAL:
		*code = vc_err(VC_BADADDR, "%#" PRIxPTR ": not a range of user-space addresses",
			       addr);
		break;
	default:
		*code = vc_err(vc_exit_of_errno(err), "inspect: %s", strerror(err));
	}
	return NULL;
}
