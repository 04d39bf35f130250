// SPDX-License-Identifier: GPL-2.0
/*
 * libvmlab, the device: opening /dev/vmlab, its counters (the one table
 * of them in user space), reset and the INSPECT ioctl (see libvmlab.h).
 */
#define _GNU_SOURCE
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "libvmlab.h"

int vmlab_open(int flags)
{
	return open(VMLAB_DEVICE, flags | O_CLOEXEC);
}

const char *vmlab_open_error(int err)
{
	static char buf[256];
	struct stat st;

	switch (err) {
	case ENOENT:
		if (!stat("/sys/module/vmlab", &st))
			return "vmlab: " VMLAB_DEVICE " not found, but the module is loaded: "
			       "is devtmpfs mounted on /dev?";
		return "vmlab: " VMLAB_DEVICE " not found: is the module loaded? (insmod vmlab.ko)";
	case EACCES:
	case EPERM:
		return "vmlab: " VMLAB_DEVICE ": permission denied: run as root, "
		       "or load the module with dev_mode=0666";
	case ENXIO:
	case ENODEV:
		return "vmlab: " VMLAB_DEVICE " is there but no driver answers: "
		       "is the module loaded? (insmod vmlab.ko)";
	default:
		snprintf(buf, sizeof(buf), "vmlab: cannot open " VMLAB_DEVICE ": %s",
			 strerror(err));
		return buf;
	}
}

int vmlab_get_stats(int fd, struct vmlab_stats *st)
{
	memset(st, 0, sizeof(*st));
	return ioctl(fd, VMLAB_IOC_STATS, st);
}

int vmlab_reset(int fd, uint64_t *pages_freed)
{
	struct vmlab_reset r = { .flags = 0, .pages_freed = 0 };
	int ret = ioctl(fd, VMLAB_IOC_RESET, &r);

	if (pages_freed)
		*pages_freed = r.pages_freed;
	return ret;
}

#define F(n, g, b, h) { #n, offsetof(struct vmlab_stats, n), g, b, h }
const struct vmlab_stat_field vmlab_stat_fields[] = {
	F(size, true, true, "size of the object (what lseek(fd, 0, SEEK_END) returns)"),
	F(mem_limit, true, true, "the most memory the object may hold; faults needing more get SIGBUS"),
	F(fault_shared_read, false, false, "read faults in MAP_SHARED mappings"),
	F(fault_shared_write, false, false, "write faults in MAP_SHARED mappings with no page mapped yet"),
	F(fault_private_read, false, false, "read faults in MAP_PRIVATE mappings"),
	F(fault_private_write, false, false,
	  "write faults in MAP_PRIVATE mappings with no page mapped yet (the kernel copies what the module returns)"),
	F(zero_frame_maps, false, false, "private faults on holes answered with zeros: a read maps the kernel's zero page"),
	F(page_mkwrite, false, false, "first stores to a clean page of a shared mapping (the page becomes dirty)"),
	F(pages_allocated, false, false, "object pages allocated, by faults or write()"),
	F(pages_freed, false, false, "object pages freed, by reset or unload"),
	F(pages_resident, true, false, "object pages held now (allocated - freed)"),
	F(pages_dirty, true, false, "object pages written since they were last written back"),
	F(vmas_live, true, false, "mappings (VMAs) of the device alive now, in every process"),
	F(vma_opens, false, false, "VMAs created: mmap, fork, split, mremap"),
	F(vma_closes, false, false, "VMAs torn down: munmap, exit, execve, split, mremap"),
	F(sigbus, false, false, "faults answered with SIGBUS (past the end, or over the memory limit)"),
	F(pages_cleaned, false, false, "dirty pages made clean by write-back (fsync, msync)"),
	F(resets, false, false, "calls of VMLAB_IOC_RESET"),
};
#undef F
#define NR_STAT_FIELDS	(sizeof(vmlab_stat_fields) / sizeof(vmlab_stat_fields[0]))
const size_t vmlab_nr_stat_fields = NR_STAT_FIELDS;

/*
 * Every field of struct vmlab_stats before reserved is a __u64 counter: a
 * counter added to the UAPI and not to the table above stops the build.
 */
static_assert(NR_STAT_FIELDS * sizeof(__u64) == offsetof(struct vmlab_stats, reserved),
	      "vmlab_stat_fields[] must name every field of struct vmlab_stats before reserved");

uint64_t vmlab_stat_value(const struct vmlab_stats *st, size_t field)
{
	uint64_t v;

	memcpy(&v, (const char *)st + vmlab_stat_fields[field].offset, sizeof(v));
	return v;
}

const struct vmlab_stat_field *vmlab_stat_find(const char *name)
{
	size_t i;

	for (i = 0; i < vmlab_nr_stat_fields; i++)
		if (!strcmp(vmlab_stat_fields[i].name, name))
			return &vmlab_stat_fields[i];
	return NULL;
}

void vmlab_stats_diff(const struct vmlab_stats *a, const struct vmlab_stats *b,
		      struct vmlab_stats *d)
{
	const __u64 *x = (const __u64 *)a, *y = (const __u64 *)b;
	__u64 *z = (__u64 *)d;
	size_t i;

	for (i = 0; i < sizeof(*d) / sizeof(__u64); i++)
		z[i] = y[i] - x[i];
}

char *vmlab_stats_diff_str(const struct vmlab_stats *a,
			   const struct vmlab_stats *b, char *buf, size_t len)
{
	size_t i, used = 0;
	int n;

	if (!len)
		return buf;
	buf[0] = 0;
	for (i = 0; i < vmlab_nr_stat_fields; i++) {
		int64_t d = (int64_t)(vmlab_stat_value(b, i) - vmlab_stat_value(a, i));

		if (!d)
			continue;
		n = snprintf(buf + used, len - used, "%s%s %+" PRId64,
			     used ? ", " : "", vmlab_stat_fields[i].name, d);
		if (n < 0 || (size_t)n >= len - used)
			break;
		used += n;
	}
	if (!used)
		snprintf(buf, len, "no change");
	return buf;
}

int vmlab_inspect(int fd, pid_t pid, uintptr_t addr, size_t npages,
		  struct vmlab_page_info *out, uint64_t *result)
{
	size_t done = 0, n;

	if (result)
		*result = 0;
	while (done < npages) {
		struct vmlab_inspect req = { 0 };

		n = npages - done;
		if (n > VMLAB_INSPECT_MAX_PAGES)
			n = VMLAB_INSPECT_MAX_PAGES;
		req.pid = (uint64_t)pid;
		req.addr = addr + done * vmlab_page_size();
		req.npages = n;
		req.pages = (uintptr_t)(out + done);
		req.info_size = sizeof(*out);
		if (ioctl(fd, VMLAB_IOC_INSPECT, &req))
			return -1;
		if (result)
			*result = req.result;
		done += n;
	}
	return 0;
}

bool vmlab_have_inspect(int fd)
{
	struct vmlab_page_info pi;
	uintptr_t here = (uintptr_t)&pi & ~(uintptr_t)(vmlab_page_size() - 1);

	return !vmlab_inspect(fd, 0, here, 1, &pi, NULL) || errno != ENOTTY;
}
