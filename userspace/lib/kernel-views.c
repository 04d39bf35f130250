// SPDX-License-Identifier: GPL-2.0
/*
 * libvmlab, the kernel's views of memory: /proc/PID/pagemap, kpageflags,
 * kpagecount, maps, smaps, stat, meminfo and zoneinfo (see libvmlab.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include "libvmlab.h"

struct vmlab_pm vmlab_pm_decode(uint64_t raw)
{
	struct vmlab_pm pm = {
		.raw = raw,
		.present = raw & VMLAB_PM_PRESENT,
		.swapped = raw & VMLAB_PM_SWAP,
		.file = raw & VMLAB_PM_FILE,
		.exclusive = raw & VMLAB_PM_EXCLUSIVE,
		.soft_dirty = raw & VMLAB_PM_SOFT_DIRTY,
	};

	if (pm.present)
		pm.pfn = raw & VMLAB_PM_PFN_MASK;
	return pm;
}

static int proc_open(pid_t pid, const char *file)
{
	char path[64];

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	else
		snprintf(path, sizeof(path), "/proc/self/%s", file);
	return open(path, O_RDONLY | O_CLOEXEC);
}

static FILE *proc_fopen(pid_t pid, const char *file)
{
	int fd = proc_open(pid, file);
	FILE *f;

	if (fd < 0)
		return NULL;
	f = fdopen(fd, "r");
	if (!f)
		close(fd);
	return f;
}

static int pread_all(int fd, void *buf, size_t len, off_t off)
{
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = pread(fd, (char *)buf + got, len - got, off + (off_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0) {
			errno = EIO;
			return -1;
		}
		got += (size_t)n;
	}
	return 0;
}

int vmlab_pagemap(pid_t pid, uintptr_t addr, size_t npages, uint64_t *out)
{
	int fd = proc_open(pid, "pagemap"), ret, err;

	if (fd < 0)
		return -1;
	ret = pread_all(fd, out, npages * sizeof(*out),
			(off_t)(addr / vmlab_page_size() * sizeof(*out)));
	err = errno;
	close(fd);
	errno = err;
	return ret;
}

struct vmlab_pm vmlab_pagemap1(pid_t pid, uintptr_t addr)
{
	uint64_t raw = 0;

	if (vmlab_pagemap(pid, addr, 1, &raw))
		raw = 0;
	return vmlab_pm_decode(raw);
}

long vmlab_count_present(pid_t pid, uintptr_t addr, size_t npages)
{
	uint64_t *e = calloc(npages ? npages : 1, sizeof(*e));
	size_t i;
	long n = 0;

	if (!e)
		return -1;
	if (vmlab_pagemap(pid, addr, npages, e)) {
		free(e);
		return -1;
	}
	for (i = 0; i < npages; i++)
		n += !!(e[i] & VMLAB_PM_PRESENT);
	free(e);
	return n;
}

/* kpageflags, kpagecount */

static int kpage_read(const char *path, uint64_t pfn, uint64_t *v)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret, err;

	if (fd < 0)
		return -1;
	ret = pread_all(fd, v, sizeof(*v), (off_t)(pfn * sizeof(*v)));
	err = errno;
	close(fd);
	errno = err;
	return ret;
}

int vmlab_kpageflags(uint64_t pfn, uint64_t *flags)
{
	return kpage_read("/proc/kpageflags", pfn, flags);
}

int vmlab_kpagecount(uint64_t pfn, uint64_t *count)
{
	return kpage_read("/proc/kpagecount", pfn, count);
}

char *vmlab_kpf_str(uint64_t flags, char *buf, size_t len)
{
	static const char *const names[] = {
		[0] = "locked", [1] = "error", [2] = "referenced", [3] = "uptodate",
		[4] = "dirty", [5] = "lru", [6] = "active", [7] = "slab",
		[8] = "writeback", [9] = "reclaim", [10] = "buddy", [11] = "mmap",
		[12] = "anon", [13] = "swapcache", [14] = "swapbacked",
		[15] = "compound_head", [16] = "compound_tail", [17] = "huge",
		[18] = "unevictable", [19] = "hwpoison", [20] = "nopage",
		[21] = "ksm", [22] = "thp", [23] = "offline", [24] = "zero_page",
		[25] = "idle", [26] = "pgtable",
	};
	size_t used = 0, i;
	int n;

	if (!len)
		return buf;
	buf[0] = 0;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!names[i] || !vmlab_kpf(flags, (int)i))
			continue;
		n = snprintf(buf + used, len - used, "%s%s", used ? "," : "", names[i]);
		if (n < 0 || (size_t)n >= len - used)
			break;
		used += (size_t)n;
	}
	return buf;
}

/*
 * The zero page, as anonymous memory maps it: the PFN that a read of a
 * private anonymous page, never written, maps.  One page, so that no huge
 * zero page can be used.
 */
uint64_t vmlab_zero_pfn(void)
{
	static uint64_t zero;
	volatile char *m;
	uint64_t pfn, flags;

	if (zero)
		return zero;
	m = mmap(NULL, vmlab_page_size(), PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return 0;
	(void)m[0];
	pfn = vmlab_pagemap1(0, (uintptr_t)m).pfn;
	munmap((void *)m, vmlab_page_size());
	if (pfn && !vmlab_kpageflags(pfn, &flags) && vmlab_kpf(flags, VMLAB_KPF_ZERO_PAGE))
		zero = pfn;
	return zero;
}

/* maps */

static int parse_maps_line(const char *line, struct vmlab_vma *v)
{
	unsigned long long start, end, off, ino;
	int pos = 0;

	memset(v, 0, sizeof(*v));
	if (sscanf(line, "%llx-%llx %4s %llx %x:%x %llu %n", &start, &end, v->perms,
		   &off, &v->dev_major, &v->dev_minor, &ino, &pos) < 7)
		return -1;
	v->start = (uintptr_t)start;
	v->end = (uintptr_t)end;
	v->offset = off;
	v->inode = ino;
	if (pos > 0) {
		snprintf(v->path, sizeof(v->path), "%s", line + pos);
		v->path[strcspn(v->path, "\n")] = 0;
	}
	return 0;
}

int vmlab_maps_read(pid_t pid, struct vmlab_vma **out, size_t *n)
{
	FILE *f = proc_fopen(pid, "maps");
	struct vmlab_vma *v = NULL, *nv;
	size_t cap = 0, cnt = 0;
	char line[4096 + 256];

	*out = NULL;
	*n = 0;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (cnt == cap) {
			cap = cap ? 2 * cap : 64;
			nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				free(v);
				fclose(f);
				errno = ENOMEM;
				return -1;
			}
			v = nv;
		}
		if (!parse_maps_line(line, &v[cnt]))
			cnt++;
	}
	fclose(f);
	*out = v;
	*n = cnt;
	return 0;
}

int vmlab_maps_find(pid_t pid, uintptr_t addr, struct vmlab_vma *out)
{
	struct vmlab_vma *v;
	size_t n, i;

	if (vmlab_maps_read(pid, &v, &n))
		return -1;
	for (i = 0; i < n; i++) {
		if (addr >= v[i].start && addr < v[i].end) {
			*out = v[i];
			free(v);
			return 0;
		}
	}
	free(v);
	errno = ENOENT;
	return -1;
}

int vmlab_maps_line(pid_t pid, uintptr_t addr, char *buf, size_t len)
{
	FILE *f = proc_fopen(pid, "maps");
	char line[4096 + 256];
	struct vmlab_vma v;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!parse_maps_line(line, &v) && addr >= v.start && addr < v.end) {
			line[strcspn(line, "\n")] = 0;
			snprintf(buf, len, "%s", line);
			fclose(f);
			return 0;
		}
	}
	fclose(f);
	errno = ENOENT;
	return -1;
}

int vmlab_maps_count(pid_t pid, const char *needle)
{
	FILE *f = proc_fopen(pid, "maps");
	char line[4096 + 256];
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n += strstr(line, needle) != NULL;
	fclose(f);
	return n;
}

/* smaps */

static bool smaps_header(const char *line, uintptr_t *lo, uintptr_t *hi)
{
	unsigned long long a, b;
	size_t hex = strspn(line, "0123456789abcdef");

	if (!hex || line[hex] != '-' || sscanf(line, "%llx-%llx ", &a, &b) != 2)
		return false;
	*lo = (uintptr_t)a;
	*hi = (uintptr_t)b;
	return true;
}

static const struct {
	const char *name;
	size_t off;
} smaps_fields[] = {
	{ "Size", offsetof(struct vmlab_smaps, size) },
	{ "Rss", offsetof(struct vmlab_smaps, rss) },
	{ "Pss", offsetof(struct vmlab_smaps, pss) },
	{ "Shared_Clean", offsetof(struct vmlab_smaps, shared_clean) },
	{ "Shared_Dirty", offsetof(struct vmlab_smaps, shared_dirty) },
	{ "Private_Clean", offsetof(struct vmlab_smaps, private_clean) },
	{ "Private_Dirty", offsetof(struct vmlab_smaps, private_dirty) },
	{ "Anonymous", offsetof(struct vmlab_smaps, anonymous) },
	{ "Swap", offsetof(struct vmlab_smaps, swap) },
	{ "FilePmdMapped", offsetof(struct vmlab_smaps, file_pmd_mapped) },
};
#define NR_SMAPS_FIELDS	(sizeof(smaps_fields) / sizeof(smaps_fields[0]))

/*
 * Sum the fields @names[@n] ("Rss"...) over the VMAs of @pid that overlap
 * [addr, addr + len) into @kb[]; a field no such VMA has stays -1.  The
 * number of VMAs summed, or -1 when smaps cannot be read.
 */
static int smaps_sum(pid_t pid, uintptr_t addr, size_t len,
		     const char *const *names, long *kb, size_t n)
{
	FILE *f = proc_fopen(pid, "smaps");
	uintptr_t lo, hi, end = addr + (len ? len : 1);
	char line[4096 + 256];
	bool in = false;
	size_t i, flen;
	int vmas = 0;

	for (i = 0; i < n; i++)
		kb[i] = -1;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (smaps_header(line, &lo, &hi)) {
			in = lo < end && addr < hi;
			vmas += in;
			continue;
		}
		if (!in)
			continue;
		for (i = 0; i < n; i++) {
			flen = strlen(names[i]);
			if (!strncmp(line, names[i], flen) && line[flen] == ':') {
				kb[i] = (kb[i] < 0 ? 0 : kb[i]) +
					strtol(line + flen + 1, NULL, 10);
				break;
			}
		}
	}
	fclose(f);
	return vmas;
}

int vmlab_smaps(pid_t pid, uintptr_t addr, size_t len, struct vmlab_smaps *out)
{
	const char *names[NR_SMAPS_FIELDS];
	long kb[NR_SMAPS_FIELDS];
	size_t i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < NR_SMAPS_FIELDS; i++)
		names[i] = smaps_fields[i].name;
	out->vmas = smaps_sum(pid, addr, len, names, kb, NR_SMAPS_FIELDS);
	if (out->vmas < 0) {
		out->vmas = 0;
		return -1;
	}
	if (!out->vmas) {
		errno = ENOENT;
		return -1;
	}
	for (i = 0; i < NR_SMAPS_FIELDS; i++)
		if (kb[i] > 0)
			*(long *)((char *)out + smaps_fields[i].off) = kb[i];
	return 0;
}

long vmlab_smaps_kb(pid_t pid, uintptr_t addr, const char *field)
{
	long kb;

	return smaps_sum(pid, addr, 1, &field, &kb, 1) > 0 ? kb : -1;
}

/* faults and memory */

long vmlab_minflt(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		return -1;
	return ru.ru_minflt;
}

long vmlab_minflt_pid(pid_t pid)
{
	FILE *f = proc_fopen(pid, "stat");
	char line[1024], *p;
	long v = -1;
	int i;

	if (!f)
		return -1;
	if (fgets(line, sizeof(line), f)) {
		/* After "pid (comm) ", whose comm may hold spaces: field 10. */
		p = strrchr(line, ')');
		for (i = 2; p && i < 10; i++)
			p = strchr(p + 1, ' ');
		if (p)
			v = strtol(p + 1, NULL, 10);
	}
	fclose(f);
	return v;
}

long vmlab_meminfo_kb(const char *field)
{
	FILE *f = fopen("/proc/meminfo", "re");
	size_t flen = strlen(field);
	char line[256];
	long kb = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, field, flen) && line[flen] == ':') {
			kb = strtol(line + flen + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return kb;
}

long vmlab_free_kb(void)
{
	FILE *f = fopen("/proc/zoneinfo", "re");
	long kb = vmlab_meminfo_kb("MemFree"), pcp = 0, n;
	char line[256];

	if (!f || kb < 0) {
		if (f)
			fclose(f);
		return -1;
	}
	/* Only the per-CPU pagesets have "count:" lines. */
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " count: %ld", &n) == 1)
			pcp += n;
	fclose(f);
	return kb + pcp * (long)(vmlab_page_size() / 1024);
}

/*
 * The lines between the markers "---[ KASAN shadow ]---" and
 * "---[ KASAN shadow end ]---" are "0xSTART-0xEND  SIZE  FLAGS... LEVEL",
 * SIZE a number and K, M, G or T; a mapped, writable range says RW
 * (the zero shadow that covers the rest is read-only).
 */
long vmlab_kasan_shadow_kb(void)
{
	FILE *f = fopen("/sys/kernel/debug/page_tables/kernel", "re");
	bool in = false, seen = false;
	char line[256], unit;
	unsigned long n;
	long kb = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (strstr(line, "---[ KASAN shadow ]---")) {
			in = seen = true;
			continue;
		}
		if (strstr(line, "---[ KASAN shadow end ]---"))
			in = false;
		if (!in || !strstr(line, " RW ") ||
		    sscanf(line, "%*s %lu%c", &n, &unit) != 2)
			continue;
		kb += n << (unit == 'T' ? 30 : unit == 'G' ? 20 :
			    unit == 'M' ? 10 : 0);
	}
	fclose(f);
	return seen ? kb : -1;
}
