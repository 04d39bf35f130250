// SPDX-License-Identifier: GPL-2.0
/*
 * The views: vmlab stat, maps, inspect, grid.  Each prints for a person
 * by default and, with --json, one JSON document (docs/json.md).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "cmd.h"

#define PS	vmlab_page_size()

/* getopt_long from the start of a subcommand's argv. */
static void opt_reset(void)
{
	optind = 1;
	opterr = 0;
}

/* The long options of stat, maps and inspect. */
static const struct option view_lo[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ 0 }
};

/* What maps, inspect and grid take: -p PID, --json, --help (and grid's own). */
struct view_opts {
	const char *cmd;		/* for usage errors */
	const char *help;		/* --help prints it, */
	void (*help_more)(void);	/* then this, if any */
	int max_pids;			/* -p PID: 1, or 2 for grid */
	int npids;
	pid_t pids[2];
	bool json;
	bool have_vma;			/* grid: --vma ADDR */
	uintptr_t vaddr;
	int width;			/* grid: --width N */
};

#define VIEW_GO_ON	(-1)

/*
 * Parse the options with getopt_long() and lo into o; VIEW_GO_ON with
 * optind at the first argument, or the exit code (--help, a bad option).
 */
static int view_opts(struct view_opts *o, const struct option *lo, int argc, char **argv)
{
	int c;

	opt_reset();
	while ((c = getopt_long(argc, argv, "p:jh", lo, NULL)) != -1) {
		switch (c) {
		case 'p':
			/* maps and inspect take the last -p; grid two at most */
			if (o->npids == o->max_pids) {
				if (o->max_pids > 1)
					return usage_error(o->cmd, "at most two processes");
				o->npids = 0;
			}
			if (parse_pid(optarg, &o->pids[o->npids++]))
				return usage_error(o->cmd, "bad pid '%s'", optarg);
			break;
		case 'j':
			o->json = true;
			break;
		case 'v':
			if (vmlab_parse_addr(optarg, &o->vaddr))
				return usage_error(o->cmd, "bad address '%s'", optarg);
			o->have_vma = true;
			break;
		case 'w':
			o->width = atoi(optarg);
			if (o->width < 1 || o->width > 1024)
				return usage_error(o->cmd, "bad width '%s'", optarg);
			break;
		case 'h':
			fputs(o->help, stdout);
			if (o->help_more)
				o->help_more();
			return VX_OK;
		default:
			return usage_error(o->cmd, "unknown option or missing value: %s",
					   argv[optind - 1]);
		}
	}
	return VIEW_GO_ON;
}

/* The pid to show for pid: 0 is vmlab itself. */
static int shown_pid(pid_t pid)
{
	return pid ? (int)pid : (int)getpid();
}

/* Check that the processes exist, then open the device: fd, or -1 and *code. */
static int open_for(const pid_t *pids, int npids, int *code)
{
	int k;

	for (k = 0; k < npids; k++) {
		*code = check_pid(pids[k]);
		if (*code)
			return -1;
	}
	return vopen_dev(code);
}

static int not_mapped(uintptr_t addr, pid_t pid)
{
	return verr(VX_BADADDR, "%#" PRIxPTR ": not mapped in process %d (see vmlab maps -p %d)",
		    addr, shown_pid(pid), shown_pid(pid));
}

/* Start one JSON document on stdout: an object with its schema first. */
static void json_doc(struct json *j, const char *schema)
{
	json_start(j, stdout);
	json_obj(j, NULL);
	json_str(j, "schema", schema);
}

static void json_doc_end(struct json *j)
{
	json_obj_end(j);
	json_end(j);
}

/* Object key: the count of pages in each state from first on, by name. */
static void json_counts(struct json *j, const char *key, const long counts[PS_NR],
			enum pstate first)
{
	int s;

	json_obj(j, key);
	for (s = first; s < PS_NR; s++)
		json_int(j, pstates[s].name, counts[s]);
	json_obj_end(j);
}

static const char *pid_name(pid_t pid, char *buf, size_t len)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", shown_pid(pid));
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
static struct vmlab_page_info *get_pages(int fd, pid_t pid, uintptr_t addr,
					 size_t npages, bool *pfn_shown, int *code)
{
	struct vmlab_page_info *pi = calloc(npages ? npages : 1, sizeof(*pi));
	uint64_t result;
	int err;

	if (!pi) {
		*code = verr(VX_ERR, "out of memory");
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
		*code = verr(VX_UNSUPP, "this vmlab module has no INSPECT ioctl: "
			     "load a vmlab.ko that has it");
		break;
	case ESRCH:
		*code = verr(VX_NOPROC, "no process with pid %d (or it has no memory: a kernel thread, or it exited)",
			     (int)pid);
		break;
	case EACCES:
	case EPERM:
		*code = verr(VX_PERM, "not allowed to inspect process %d: it needs what reading "
			     "/proc/%d/pagemap needs (the same user, or root)", (int)pid, (int)pid);
		break;
	case EINVAL:
		*code = verr(VX_BADADDR, "%#" PRIxPTR ": not a range of user-space addresses",
			     addr);
		break;
	default:
		*code = verr(vx_from_errno(err), "inspect: %s", strerror(err));
	}
	return NULL;
}

/* stat */

static const char stat_help[] =
"usage: vmlab stat [--json] [-- COMMAND [ARGS...]]\n"
"\n"
"The counters of the vmlab module (VMLAB_IOC_STATS), each explained.  With\n"
"a COMMAND, runs it and shows how much each counter changed meanwhile.\n"
"\n"
"  --json   one JSON document, schema vmlab.stat/1 (docs/json.md)\n";

static void stat_value(const struct vmlab_stat_field *f, uint64_t v, bool delta,
		       char *buf, size_t len)
{
	if (f->bytes && !delta)
		snprintf(buf, len, "%" PRIu64 " MiB", v >> 20);
	else if (delta)
		snprintf(buf, len, "%+" PRId64, (int64_t)v);
	else
		snprintf(buf, len, "%" PRIu64, v);
}

int cmd_stat(int argc, char **argv)
{
	struct vmlab_stats a, b, d;
	bool json = false, delta = false;
	int c, fd, code = VX_OK, status = 0;
	char val[32];
	size_t i;

	opt_reset();
	while ((c = getopt_long(argc, argv, "+jh", view_lo, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'h':
			fputs(stat_help, stdout);
			return VX_OK;
		default:
			return usage_error("stat", "unknown option %s", argv[optind - 1]);
		}
	}
	fd = vopen_dev(&code);
	if (fd < 0)
		return code;
	if (vmlab_get_stats(fd, &a))
		return verr(VX_ERR, "VMLAB_IOC_STATS: %s", strerror(errno));
	b = a;
	if (optind < argc) {
		pid_t pid;

		fflush(stdout);
		pid = fork();
		if (pid < 0)
			return verr(VX_ERR, "fork: %s", strerror(errno));
		if (!pid) {
			execvp(argv[optind], argv + optind);
			fprintf(stderr, "vmlab stat: %s: %s\n", argv[optind], strerror(errno));
			_exit(127);
		}
		while (waitpid(pid, &status, 0) < 0)
			if (errno != EINTR)
				return verr(VX_ERR, "waitpid: %s", strerror(errno));
		if (vmlab_get_stats(fd, &b))
			return verr(VX_ERR, "VMLAB_IOC_STATS: %s", strerror(errno));
		delta = true;
	}
	vmlab_stats_diff(&a, &b, &d);
	close(fd);
	if (json) {
		struct json j;

		json_doc(&j, "vmlab.stat/1");
		json_str(&j, "device", VMLAB_DEVICE);
		json_uint(&j, "page_size", PS);
		json_obj(&j, "counters");
		for (i = 0; i < vmlab_nr_stat_fields; i++)
			json_uint(&j, vmlab_stat_fields[i].name, vmlab_stat_value(&b, i));
		json_obj_end(&j);
		if (delta) {
			json_obj(&j, "delta");
			for (i = 0; i < vmlab_nr_stat_fields; i++)
				json_int(&j, vmlab_stat_fields[i].name,
					 (long long)vmlab_stat_value(&d, i));
			json_obj_end(&j);
			json_int(&j, "command_status", WIFEXITED(status) ? WEXITSTATUS(status) :
				 128 + WTERMSIG(status));
		}
		json_doc_end(&j);
		return VX_OK;
	}
	if (delta)
		printf("%sCounters of %s: how much each changed while `%s` ran%s\n\n",
		       vc(VC_BOLD), VMLAB_DEVICE, argv[optind], vc(VC_RESET));
	else
		printf("%sCounters of %s%s (object of %" PRIu64 " MiB, %" PRIu64
		       " KiB pages)\n\n", vc(VC_BOLD), VMLAB_DEVICE, vc(VC_RESET),
		       (uint64_t)b.size >> 20, (uint64_t)PS / 1024);
	for (i = 0; i < vmlab_nr_stat_fields; i++) {
		const struct vmlab_stat_field *f = &vmlab_stat_fields[i];
		uint64_t v = vmlab_stat_value(delta ? &d : &b, i);

		if (delta && (f->bytes || !v))
			continue;
		stat_value(f, v, delta, val, sizeof(val));
		printf("  %-20s %s%12s%s  %s\n", f->name, v ? vc(VC_BOLD) : "", val,
		       v ? vc(VC_RESET) : "", f->help);
	}
	if (!delta)
		printf("\nEvent counters count from module load; levels (size, mem_limit, "
		       "pages_resident,\npages_dirty, vmas_live) are the state now.  "
		       "`vmlab stat -- COMMAND` shows deltas.\n");
	if (delta) {
		bool first = true;

		printf("\nUnchanged:");
		for (i = 0; i < vmlab_nr_stat_fields; i++)
			if (!vmlab_stat_fields[i].bytes && !vmlab_stat_value(&d, i)) {
				printf("%s %s", first ? "" : ",", vmlab_stat_fields[i].name);
				first = false;
			}
		printf("%s\n", first ? " nothing" : "");
	}
	if (delta && WIFSIGNALED(status))
		printf("\n`%s` was killed by signal %d (%s)\n", argv[optind], WTERMSIG(status),
		       strsignal(WTERMSIG(status)));
	return VX_OK;
}

/* maps */

static const char maps_help[] =
"usage: vmlab maps [-p PID] [--json]\n"
"\n"
"The mappings (VMAs) of process PID (default: vmlab itself), as in\n"
"/proc/PID/maps, each with its flags in words and how many of its pages\n"
"are in each state (from the module's INSPECT ioctl):\n"
"\n";

/* After maps_help: the states, then the options. */
static void maps_help_more(void)
{
	int s;

	for (s = PS_NOT_PRESENT; s < PS_NR; s++)
		printf("  %-16s %s\n", pstates[s].name, pstates[s].help);
	printf("\n  -p PID   the process (needs what reading /proc/PID/pagemap needs)\n"
	       "  --json   one JSON document, schema vmlab.maps/1 (docs/json.md)\n");
}

static const char *vma_kind(const struct vmlab_vma *v)
{
	if (!strcmp(v->path, VMLAB_DEVICE))
		return "vmlab";
	if (!strcmp(v->path, "[heap]"))
		return "heap";
	if (!strncmp(v->path, "[stack", 6))
		return "stack";
	if (!strcmp(v->path, "[vdso]"))
		return "vdso";
	if (!strcmp(v->path, "[vvar]") || !strncmp(v->path, "[vvar_", 6))
		return "vvar";
	if (!strcmp(v->path, "[vsyscall]"))
		return "vsyscall";
	if (!v->path[0])
		return "anon";
	if (v->path[0] == '/')
		return v->inode ? "file" : "special";
	return "other";
}

static const char *kind_words(const char *kind)
{
	static const struct {
		const char *kind, *words;
	} kinds[] = {
		{ "vmlab", "vmlab's object" },
		{ "heap", "the heap (brk): anonymous, demand-zero" },
		{ "stack", "the stack: anonymous, demand-zero, grows down" },
		{ "vdso", "the vDSO: kernel code mapped into every process" },
		{ "vvar", "kernel data the vDSO reads" },
		{ "vsyscall", "legacy vsyscall page (kernel address space)" },
		{ "anon", "anonymous: demand-zero" },
		{ "file", "file-backed" },
	};
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(kind, kinds[i].kind))
			return kinds[i].words;
	return "special";
}

/* Page counts by state of a VMA, from inspect. */
static int vma_counts(int fd, pid_t pid, const struct vmlab_vma *v, long counts[PS_NR],
		      long *writable, int *code)
{
	size_t n = (v->end - v->start) / PS, done = 0, chunk, i;
	struct vmlab_page_info *pi;
	bool shown;

	uint64_t pm[4096];

	memset(counts, 0, sizeof(long) * PS_NR);
	*writable = 0;
	if (n > (1UL << 24))
		return 1;	/* 64 GiB or more: not walked */
	while (done < n) {
		chunk = n - done < 4096 ? n - done : 4096;
		/* Walk only chunks where pagemap sees something: big VMAs are mostly empty. */
		if (!vmlab_pagemap(pid, v->start + done * PS, chunk, pm)) {
			for (i = 0; i < chunk; i++)
				if (pm[i] & (VMLAB_PM_PRESENT | VMLAB_PM_SWAP | VMLAB_PM_UFFD_WP))
					break;
			if (i == chunk) {
				counts[PS_NOT_PRESENT] += (long)chunk;
				done += chunk;
				continue;
			}
		}
		pi = get_pages(fd, pid, v->start + done * PS, chunk, &shown, code);
		if (!pi)
			return -1;
		for (i = 0; i < chunk; i++) {
			counts[page_state(&pi[i])]++;
			*writable += !!(pi[i].entry & VMLAB_ENTRY_WRITE);
		}
		free(pi);
		done += chunk;
	}
	return 0;
}

int cmd_maps(int argc, char **argv)
{
	struct view_opts o = { .cmd = "maps", .help = maps_help,
			       .help_more = maps_help_more, .max_pids = 1 };
	struct vmlab_vma *v;
	size_t n, i;
	pid_t pid;
	int fd, code = VX_OK, s;
	char name[64];
	struct json j;

	code = view_opts(&o, view_lo, argc, argv);
	if (code != VIEW_GO_ON)
		return code;
	pid = o.pids[0];
	if (optind < argc)
		return usage_error("maps", "unexpected argument '%s'", argv[optind]);
	fd = open_for(&pid, 1, &code);
	if (fd < 0)
		return code;
	if (vmlab_maps_read(pid, &v, &n)) {
		close(fd);
		if (errno == ENOENT || errno == ESRCH)
			return verr(VX_NOPROC, "no process with pid %d", (int)pid);
		return verr(vx_from_errno(errno), "/proc/%d/maps: %s", (int)pid, strerror(errno));
	}
	if (o.json) {
		json_doc(&j, "vmlab.maps/1");
		json_int(&j, "pid", shown_pid(pid));
		json_str(&j, "comm", pid_name(pid, name, sizeof(name)));
		json_uint(&j, "page_size", PS);
		json_arr(&j, "vmas");
	} else {
		printf("%sMappings of process %d (%s)%s: address range, permissions, offset, "
		       "device, inode, file\n", vc(VC_BOLD), shown_pid(pid),
		       pid_name(pid, name, sizeof(name)), vc(VC_RESET));
		printf("p = private (copy on write), s = shared.  Pages by state:");
		for (s = PS_NOT_PRESENT; s < PS_NR; s++)
			printf(" %c %s%s", pstates[s].ch, pstates[s].name, s + 1 < PS_NR ? "," : "\n");
		printf("(lower case letters in `vmlab grid`: mapped read-only)\n\n");
	}
	for (i = 0; i < n; i++) {
		long counts[PS_NR] = { 0 }, writable = 0;
		const char *kind = vma_kind(&v[i]);
		bool inside = strcmp(kind, "vsyscall") != 0;
		struct vmlab_smaps sm;
		size_t npages = (v[i].end - v[i].start) / PS;
		int r = inside ? vma_counts(fd, pid, &v[i], counts, &writable, &code) : 1;

		if (r < 0) {
			free(v);
			close(fd);
			return code;
		}
		inside = r == 0;	/* walked */
		if (vmlab_smaps(pid, v[i].start, 1, &sm))
			memset(&sm, 0, sizeof(sm));
		if (o.json) {
			json_obj(&j, NULL);
			json_hex(&j, "start", v[i].start);
			json_hex(&j, "end", v[i].end);
			json_str(&j, "perms", v[i].perms);
			json_uint(&j, "offset", v[i].offset);
			snprintf(name, sizeof(name), "%02x:%02x", v[i].dev_major, v[i].dev_minor);
			json_str(&j, "dev", name);
			json_uint(&j, "inode", v[i].inode);
			json_str(&j, "path", v[i].path);
			json_str(&j, "kind", kind);
			json_obj(&j, "flags");
			json_bool(&j, "read", v[i].perms[0] == 'r');
			json_bool(&j, "write", v[i].perms[1] == 'w');
			json_bool(&j, "exec", v[i].perms[2] == 'x');
			json_bool(&j, "shared", v[i].perms[3] == 's');
			json_obj_end(&j);
			json_uint(&j, "pages", npages);
			json_int(&j, "rss_kb", sm.rss);
			json_int(&j, "pss_kb", sm.pss);
			json_int(&j, "anon_kb", sm.anonymous);
			json_int(&j, "swap_kb", sm.swap);
			if (inside) {
				json_counts(&j, "states", counts, PS_NOT_PRESENT);
				json_int(&j, "writable", writable);
			} else {
				json_null(&j, "states");
				json_null(&j, "writable");
			}
			json_obj_end(&j);
			continue;
		}
		printf("%s%" PRIxPTR "-%" PRIxPTR " %s %08" PRIx64 " %02x:%02x %-8" PRIu64 " %s%s\n",
		       vc(VC_BOLD), v[i].start, v[i].end, v[i].perms, v[i].offset,
		       v[i].dev_major, v[i].dev_minor, v[i].inode, v[i].path, vc(VC_RESET));
		printf("    %s, %s%s%s; %s\n", v[i].perms[3] == 's' ? "shared" : "private",
		       v[i].perms[0] == 'r' ? "read" : "no read",
		       v[i].perms[1] == 'w' ? "/write" : "", v[i].perms[2] == 'x' ? "/exec" : "",
		       kind_words(kind));
		printf("    %zu pages, Rss %ld kB, Pss %ld kB, Anonymous %ld kB", npages, sm.rss,
		       sm.pss, sm.anonymous);
		if (inside) {
			printf(":");
			for (s = PS_NOT_PRESENT; s < PS_NR; s++)
				if (counts[s])
					printf(" %s%c%s %ld", vc(pstates[s].color), pstates[s].ch,
					       vc(VC_RESET), counts[s]);
			printf(" (%ld writable)", writable);
		}
		printf("\n");
	}
	if (o.json) {
		json_arr_end(&j);
		json_doc_end(&j);
	}
	free(v);
	close(fd);
	return VX_OK;
}

/* inspect */

static const char inspect_help[] =
"usage: vmlab inspect [-p PID] [--json] ADDR [LEN]\n"
"\n"
"What the page tables of process PID (default: vmlab itself) hold for\n"
"the pages from ADDR (hex) for LEN bytes (default one page; K, M, G\n"
"suffixes; rounded up to whole pages): one line per page, or for a single\n"
"page a block with every bit explained.  From the module's INSPECT ioctl.\n"
"Without root some values are withheld and shown as \"" HIDDEN_WORDS "\":\n"
"PFNs and raw entries always; the frame id (equal for equal frames) of\n"
"pages that are neither vmlab's, the zero page nor the process's anonymous\n"
"memory; and of pages other processes may map (a file's, shared ones) the\n"
"reference count, the locked, dirty, ksm and large bits, and the exact map\n"
"count beyond \"more than one\" (as /proc/kpagecount and kpageflags are\n"
"root's).\n"
"\n"
"  -p PID   the process (needs what reading /proc/PID/pagemap needs)\n"
"  --json   one JSON document, schema vmlab.inspect/1 (docs/json.md)\n";

struct bit_doc {
	uint64_t bit;
	const char *name, *yes, *no;
};

static const struct bit_doc entry_docs[] = {
	{ VMLAB_ENTRY_PRESENT, "present", "a frame is mapped here", "nothing mapped: an access faults" },
	{ VMLAB_ENTRY_WRITE, "write", "stores go straight to the frame",
	  "read-only: a store faults first (copy-on-write, dirty tracking, or not allowed)" },
	{ VMLAB_ENTRY_USER, "user", "user mode may access it", "kernel only" },
	{ VMLAB_ENTRY_ACCESSED, "accessed", "touched since the bit was last cleared", "not touched since" },
	{ VMLAB_ENTRY_DIRTY, "dirty", "written through this entry", "not written through this entry" },
	{ VMLAB_ENTRY_NX, "nx", "no execute", "executable" },
	{ VMLAB_ENTRY_SPECIAL, "special", "no refcounted struct page (zero page, PFN map)",
	  "a normal page" },
	{ VMLAB_ENTRY_SOFT_DIRTY, "soft-dirty", "written since soft-dirty bits were last cleared",
	  "clean since soft-dirty bits were last cleared" },
	{ VMLAB_ENTRY_PROTNONE, "protnone", "present, but no access (PROT_NONE or NUMA hinting)",
	  "as the MMU sees it" },
	{ VMLAB_ENTRY_LEAF, "leaf", "maps memory at this level", "points to a lower table" },
};

static const struct bit_doc page_docs[] = {
	{ VMLAB_PAGE_ANON, "anon", "anonymous memory (no file behind it)", NULL },
	{ VMLAB_PAGE_FILE, "file", "in a file's page cache (vmlab's object counts)", NULL },
	{ VMLAB_PAGE_KSM, "ksm", "merged by KSM", NULL },
	{ VMLAB_PAGE_ZERO, "zero",
	  "the kernel's zero page: anonymous memory's and vmlab's private holes'", NULL },
	{ VMLAB_PAGE_VMLAB_ZERO, "vmlab_zero", "vmlab's old zero frame (no module sets it now)", NULL },
	{ VMLAB_PAGE_VMLAB, "vmlab", "a page of vmlab's object", NULL },
	{ VMLAB_PAGE_LARGE, "large", "part of a large folio", NULL },
	{ VMLAB_PAGE_DIRTY, "dirty", "dirty: written since last written back", NULL },
	{ VMLAB_PAGE_LOCKED, "locked", "locked (I/O or a fault in progress)", NULL },
	{ VMLAB_PAGE_ANON_EXCLUSIVE, "anon_exclusive",
	  "anonymous and this process's alone: a store may reuse it without copying", NULL },
	{ VMLAB_PAGE_HUGETLB, "hugetlb", "a hugetlbfs page", NULL },
};

static const char *const level_words[] = {
	"no entry level", "PTE (4 KiB page)", "PMD (2 MiB)", "PUD (1 GiB)", "P4D", "PGD",
};

static void frame_str(const struct vmlab_page_info *pi, bool pfn_shown, char *buf, size_t len)
{
	if (!(pi->entry & VMLAB_ENTRY_PRESENT))
		snprintf(buf, len, "-");
	else if (pfn_shown)
		snprintf(buf, len, "%#" PRIx64 "", (uint64_t)pi->pfn);
	else
		snprintf(buf, len, HIDDEN_SHORT);
}

/* The table's frame id column: its top 32 bits, "-" or HIDDEN_SHORT. */
static void frame_id_str(const struct vmlab_page_info *pi, char *buf, size_t len)
{
	if (pi->hidden & VMLAB_HIDDEN_FRAME_ID)
		snprintf(buf, len, HIDDEN_SHORT);
	else if (!pi->frame_id)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%08x", vmlab_frame_short(pi->frame_id));
}

static void page_facts_short(const struct vmlab_page_info *pi, char *buf, size_t len)
{
	size_t used = 0, i;
	int n;

	buf[0] = 0;
	for (i = 0; i < sizeof(page_docs) / sizeof(page_docs[0]); i++) {
		if (!(pi->page & page_docs[i].bit))
			continue;
		if (page_docs[i].bit == VMLAB_PAGE_VMLAB)
			n = snprintf(buf + used, len - used, "%svmlab@%" PRIu64, used ? "," : "",
				     (uint64_t)pi->obj_offset);
		else
			n = snprintf(buf + used, len - used, "%s%s", used ? "," : "",
				     page_docs[i].name);
		if (n < 0 || (size_t)n >= len - used)
			break;
		used += (size_t)n;
	}
	if (!used)
		snprintf(buf, len, "-");
}

static void inspect_block(pid_t pid, const struct vmlab_page_info *pi, bool pfn_shown)
{
	enum pstate s = page_state(pi);
	char perms[5], name[64];
	size_t i;

	printf("%sPage %#" PRIx64 " of process %d (%s)%s\n", vc(VC_BOLD), (uint64_t)pi->addr,
	       shown_pid(pid), pid_name(pid, name, sizeof(name)), vc(VC_RESET));
	printf("  state        %s%c %s%s: %s\n", vc(pstates[s].color), page_char(pi),
	       pstates[s].name, vc(VC_RESET), pstates[s].help);
	if (!(pi->walk & VMLAB_WALK_VMA)) {
		printf("  mapping      none: no VMA covers this address; an access is SIGSEGV\n");
		return;
	}
	vm_perms(pi->vm_flags, perms);
	printf("  mapping      %#" PRIx64 "-%#" PRIx64 " %s, %s%s, file page offset %" PRIu64 "\n",
	       (uint64_t)pi->vma_start, (uint64_t)pi->vma_end, perms,
	       pi->vma & VMLAB_VMA_VMLAB ? "vmlab's object" :
	       pi->vma & VMLAB_VMA_FILE ? "a file" : "anonymous",
	       pi->vma & VMLAB_VMA_COW ? ", private and writable: copy on write" : "",
	       (uint64_t)pi->vma_pgoff);
	if (pi->vma & VMLAB_VMA_FILE)
		printf("               file: device %" PRIu64 ", inode %" PRIu64 "%s\n",
		       (uint64_t)pi->vma_dev, (uint64_t)pi->vma_ino,
		       pi->vma & VMLAB_VMA_ANON_VMA ? "; has anonymous pages (anon_vma)" : "");
	printf("  walk         PGD%s%s%s%s; the page is decided by the %s entry%s\n",
	       pi->walk & VMLAB_WALK_PGD ? " -> P4D" : "", pi->walk & VMLAB_WALK_P4D ? " -> PUD" : "",
	       pi->walk & VMLAB_WALK_PUD ? " -> PMD" : "", pi->walk & VMLAB_WALK_PMD ? " -> PTE" : "",
	       pi->level < 6 ? level_words[pi->level] : "?",
	       pi->walk & VMLAB_WALK_BAD ? " (a corrupt entry stopped the walk)" :
	       pi->walk & VMLAB_WALK_UNSTABLE ? " (entries kept changing: gave up)" :
	       pi->walk & VMLAB_WALK_SKIPPED ? " (not walked: shared hugetlb)" : "");
	if (!(pi->entry & VMLAB_ENTRY_PRESENT)) {
		static const char *const np[] = {
			"empty: never touched, or dropped", "swapped out", "being migrated",
			"device memory", "memory failure (hwpoison)", "a marker (uffd-wp, guard)", "other",
		};
		printf("  entry        not present: %s\n", pi->nonpresent < 7 ? np[pi->nonpresent] : "?");
		if (pi->nonpresent == VMLAB_NP_SWAP && (pi->hidden & VMLAB_HIDDEN_SWAP))
			printf("               swap device and offset %s\n", HIDDEN_WORDS);
		else if (pi->nonpresent == VMLAB_NP_SWAP)
			printf("               swap device %" PRIu64 ", offset %s\n",
			       (uint64_t)pi->swap_type, pfn_shown ? "shown to root only" : HIDDEN_WORDS);
		return;
	}
	printf("  entry bits\n");
	for (i = 0; i < sizeof(entry_docs) / sizeof(entry_docs[0]); i++) {
		bool on = pi->entry & entry_docs[i].bit;

		printf("    %-11s %s%-3s%s  %s\n", entry_docs[i].name, on ? vc(VC_BOLD) : "",
		       on ? "yes" : "no", on ? vc(VC_RESET) : "", on ? entry_docs[i].yes : entry_docs[i].no);
	}
	if (pfn_shown)
		printf("  frame        PFN %#" PRIx64 " (physical address %#" PRIx64 "), frame id %#" PRIx64 "\n",
		       (uint64_t)pi->pfn, (uint64_t)pi->pfn * PS, (uint64_t)pi->frame_id);
	else if (pi->hidden & VMLAB_HIDDEN_FRAME_ID)
		printf("  frame        PFN and frame id %s: the page is neither vmlab's nor\n"
		       "               this process's anonymous memory\n", HIDDEN_WORDS);
	else
		printf("  frame        frame id %#" PRIx64 " (PFN %s)\n", (uint64_t)pi->frame_id,
		       HIDDEN_WORDS);
	if (pi->page & VMLAB_PAGE_VALID) {
		char mc[32], rc[32], fp[48];

		mapcount_str(pi, false, mc, sizeof(mc));
		if (pi->hidden & VMLAB_HIDDEN_REFCOUNT)
			snprintf(rc, sizeof(rc), "%s", HIDDEN_WORDS);
		else
			snprintf(rc, sizeof(rc), "%" PRIu64, (uint64_t)pi->refcount);
		if (pi->hidden & VMLAB_HIDDEN_STATE)
			snprintf(fp, sizeof(fp), "pages in its folio %s", HIDDEN_WORDS);
		else
			snprintf(fp, sizeof(fp), "%" PRIu64 " page%s in its folio",
				 (uint64_t)pi->folio_pages, pi->folio_pages == 1 ? "" : "s");
		printf("  struct page  mapcount %s (page table entries mapping it), refcount %s,\n"
		       "               %s\n", mc, rc, fp);
		for (i = 0; i < sizeof(page_docs) / sizeof(page_docs[0]); i++)
			if (pi->page & page_docs[i].bit) {
				printf("    %-14s %s", page_docs[i].name, page_docs[i].yes);
				if (page_docs[i].bit == VMLAB_PAGE_VMLAB)
					printf(", at page %" PRIu64 " of the object",
					       (uint64_t)pi->obj_offset);
				printf("\n");
			}
		if (pi->hidden & VMLAB_HIDDEN_STATE)
			printf("    %-14s the locked, dirty, ksm and large bits are %s:\n"
			       "    %-14s other processes may map this page and move them\n"
			       "    %-14s (/proc/kpageflags is root's too)\n", "hidden", HIDDEN_WORDS,
			       "", "");
		if (pi->hidden & VMLAB_HIDDEN_MAPCOUNT)
			printf("    %-14s the exact map count is root's: only 1 or \"more than one\"\n",
			       "");
	} else if (pi->page & VMLAB_PAGE_ZERO) {
		printf("  struct page  the kernel's zero page: a special entry, no count is kept "
		       "on it\n");
	} else {
		printf("  struct page  none examined: a special mapping (no refcounted page)\n");
	}
	if (pfn_shown)
		printf("  raw entries  pgd %#" PRIx64 " p4d %#" PRIx64 " pud %#" PRIx64
		       " pmd %#" PRIx64 " pte %#" PRIx64 "\n",
		       (uint64_t)pi->raw[4], (uint64_t)pi->raw[3], (uint64_t)pi->raw[2],
		       (uint64_t)pi->raw[1], (uint64_t)pi->raw[0]);
}

int cmd_inspect(int argc, char **argv)
{
	struct view_opts o = { .cmd = "inspect", .help = inspect_help, .max_pids = 1 };
	struct vmlab_page_info *pi;
	uintptr_t addr;
	uint64_t len = 0;
	size_t npages, i, mapped = 0;
	pid_t pid;
	bool shown = false;
	int fd, code = VX_OK;

	code = view_opts(&o, view_lo, argc, argv);
	if (code != VIEW_GO_ON)
		return code;
	pid = o.pids[0];
	if (optind >= argc)
		return usage_error("inspect", "which address?");
	if (vmlab_parse_addr(argv[optind], &addr))
		return usage_error("inspect", "bad address '%s' (hex, e.g. 7f0000001000)",
				   argv[optind]);
	if (optind + 1 < argc && vmlab_parse_size(argv[optind + 1], &len))
		return usage_error("inspect", "bad length '%s'", argv[optind + 1]);
	if (optind + 2 < argc)
		return usage_error("inspect", "unexpected argument '%s'", argv[optind + 2]);
	addr &= ~(uintptr_t)(PS - 1);
	npages = len ? (size_t)((len + PS - 1) / PS) : 1;
	if (npages > (1UL << 24))
		return usage_error("inspect", "%zu pages is too many", npages);
	fd = open_for(&pid, 1, &code);
	if (fd < 0)
		return code;
	pi = get_pages(fd, pid, addr, npages, &shown, &code);
	close(fd);
	if (!pi)
		return code;
	for (i = 0; i < npages; i++)
		mapped += !!(pi[i].walk & VMLAB_WALK_VMA);
	if (!mapped) {
		free(pi);
		return not_mapped(addr, pid);
	}
	if (o.json) {
		struct json j;

		json_doc(&j, "vmlab.inspect/1");
		json_int(&j, "pid", shown_pid(pid));
		json_uint(&j, "page_size", PS);
		json_bool(&j, "pfn_shown", shown);
		json_hex(&j, "addr", addr);
		json_uint(&j, "npages", npages);
		json_arr(&j, "pages");
		for (i = 0; i < npages; i++)
			json_page(&j, &pi[i], shown);
		json_arr_end(&j);
		json_doc_end(&j);
	} else if (npages == 1) {
		inspect_block(pid, &pi[0], shown);
	} else {
		char fr[24], fid[24], facts[96], perms[5], mc[16];
		bool any_hidden = false;

		printf("%s%-14s %-2s %-11s %-5s %-10s %-10s %-5s %-4s %s%s\n", vc(VC_BOLD), "address",
		       "", "state", "pwdau", "PFN", "frame id", "perm", "map",
		       "page", vc(VC_RESET));
		for (i = 0; i < npages; i++) {
			enum pstate s = page_state(&pi[i]);
			uint64_t e = pi[i].entry;

			frame_str(&pi[i], shown, fr, sizeof(fr));
			frame_id_str(&pi[i], fid, sizeof(fid));
			page_facts_short(&pi[i], facts, sizeof(facts));
			any_hidden |= pi[i].hidden & ~VMLAB_HIDDEN_PFN;
			if (pi[i].walk & VMLAB_WALK_VMA)
				vm_perms(pi[i].vm_flags, perms);
			else
				strcpy(perms, "----");
			printf("%-14" PRIxPTR " %s%c%s  %-11s %c%c%c%c%c %-10s %-10s %-5s ",
			       (uintptr_t)pi[i].addr, vc(pstates[s].color), page_char(&pi[i]),
			       vc(VC_RESET), pstates[s].name,
			       e & VMLAB_ENTRY_PRESENT ? 'p' : '-', e & VMLAB_ENTRY_WRITE ? 'w' : '-',
			       e & VMLAB_ENTRY_DIRTY ? 'd' : '-', e & VMLAB_ENTRY_ACCESSED ? 'a' : '-',
			       e & VMLAB_ENTRY_USER ? 'u' : '-', fr, fid, perms);
			if (pi[i].page & VMLAB_PAGE_VALID)
				printf("%-4s %s%s\n", mapcount_str(&pi[i], true, mc, sizeof(mc)), facts,
				       pi[i].hidden & VMLAB_HIDDEN_STATE ? ",state:" HIDDEN_SHORT : "");
			else
				printf("%-4s %s\n", "-", facts);
		}
		printf("\npwdau: present, write, dirty, accessed, user bits of the entry; map: "
		       "mapcount; frame id:\nthe top 32 bits of the module's frame id (equal "
		       "for equal frames).  `vmlab inspect ADDR`\nexplains one page in full.\n");
		if (!shown || any_hidden)
			printf("%s: %s, withheld from this user (PFNs; for pages other processes "
			       "may map, the\nframe id, the page's state bits, and its map count "
			       "beyond 2+ = \"more than one\").\n", HIDDEN_SHORT, HIDDEN_WORDS);
	}
	free(pi);
	return VX_OK;
}

/* grid */

static const char grid_help[] =
"usage: vmlab grid [-p PID [-p PID2]] [--json] ADDR LEN\n"
"       vmlab grid [-p PID [-p PID2]] [--json] --vma ADDR\n"
"\n"
"One character per page from ADDR (hex) for LEN bytes (K, M, G suffixes),\n"
"or over the whole mapping holding ADDR in the first process.  With two\n"
"processes (e.g. parent and child after fork) their grids are side by\n"
"side, with a third column: = same frame in both, x different frames,\n"
"? frame id " HIDDEN_WORDS " (a file's page, or one other processes may map).\n"
"Lower case: the entry is read-only (a store faults first).\n"
"\n"
"  -p PID      the process (default: vmlab itself); twice for two\n"
"  --vma ADDR  the whole VMA holding ADDR\n"
"  --width N   pages per row (default 64, or 32 side by side)\n"
"  --json      one JSON document, schema vmlab.grid/1 (docs/json.md)\n"
"\n"
"Legend:\n";

static void legend_line(int s)
{
	printf("  %s'%c'%s %s\n", vc(pstates[s].color), pstates[s].ch, vc(VC_RESET),
	       pstates[s].help);
}

static void legend(void)
{
	int s;

	for (s = 0; s < PS_NR; s++)
		legend_line(s);
}

/*
 * Side by side: = the same frame in both, x different, . not both present,
 * ? a frame id withheld (not root): it cannot tell.
 */
static char same_char(const struct vmlab_page_info *a, const struct vmlab_page_info *b)
{
	bool p0 = a->entry & VMLAB_ENTRY_PRESENT;
	bool p1 = b->entry & VMLAB_ENTRY_PRESENT;

	if (!p0 || !p1)
		return '.';
	if ((a->hidden | b->hidden) & VMLAB_HIDDEN_FRAME_ID)
		return '?';
	return a->frame_id == b->frame_id ? '=' : 'x';
}

int cmd_grid(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "vma", required_argument, NULL, 'v' },
		{ "width", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct view_opts o = { .cmd = "grid", .help = grid_help, .help_more = legend,
			       .max_pids = 2 };
	struct vmlab_page_info *pi[2] = { NULL, NULL };
	const pid_t *pids = o.pids;
	int npids, fd, code = VX_OK, k, width;
	bool shown;
	uintptr_t addr = 0;
	uint64_t len = 0;
	size_t npages, i, mapped = 0, row;
	long counts[2][PS_NR];
	int s0;

	code = view_opts(&o, lo, argc, argv);
	if (code != VIEW_GO_ON)
		return code;
	npids = o.npids ? o.npids : 1;
	width = o.width;
	if (o.have_vma) {
		struct vmlab_vma v;

		if (optind < argc)
			return usage_error("grid", "--vma takes no LEN: unexpected '%s'", argv[optind]);
		code = check_pid(pids[0]);
		if (code)
			return code;
		if (vmlab_maps_find(pids[0], o.vaddr, &v)) {
			if (errno == ENOENT)
				return not_mapped(o.vaddr, pids[0]);
			return verr(vx_from_errno(errno), "/proc/%d/maps: %s", (int)pids[0],
				    strerror(errno));
		}
		addr = v.start;
		len = v.end - v.start;
	} else {
		if (optind + 2 != argc)
			return usage_error("grid", "needs ADDR and LEN, or --vma ADDR");
		if (vmlab_parse_addr(argv[optind], &addr))
			return usage_error("grid", "bad address '%s' (hex)", argv[optind]);
		if (vmlab_parse_size(argv[optind + 1], &len) || !len)
			return usage_error("grid", "bad length '%s'", argv[optind + 1]);
		addr &= ~(uintptr_t)(PS - 1);
	}
	npages = (size_t)((len + PS - 1) / PS);
	if (npages > (1UL << 22))
		return usage_error("grid", "%zu pages is too many", npages);
	if (!width)
		width = npids == 2 ? 32 : 64;
	fd = open_for(pids, npids, &code);
	if (fd < 0)
		return code;
	for (k = 0; k < npids; k++) {
		pi[k] = get_pages(fd, pids[k], addr, npages, &shown, &code);
		if (!pi[k]) {
			close(fd);
			free(pi[0]);
			return code;
		}
		memset(counts[k], 0, sizeof(counts[k]));
		for (i = 0; i < npages; i++) {
			counts[k][page_state(&pi[k][i])]++;
			mapped += !!(pi[k][i].walk & VMLAB_WALK_VMA);
		}
	}
	close(fd);
	if (!mapped) {
		free(pi[0]);
		free(pi[1]);
		return not_mapped(addr, pids[0]);
	}
	if (o.json) {
		struct json j;
		char *cells = malloc(npages + 1);
		int s;

		if (!cells)
			return verr(VX_ERR, "out of memory");
		json_doc(&j, "vmlab.grid/1");
		json_uint(&j, "page_size", PS);
		json_hex(&j, "addr", addr);
		json_uint(&j, "npages", npages);
		json_obj(&j, "legend");
		for (s = 0; s < PS_NR; s++)
			json_str(&j, (char[]){ pstates[s].ch, 0 }, pstates[s].name);
		json_obj_end(&j);
		json_arr(&j, "procs");
		for (k = 0; k < npids; k++) {
			json_obj(&j, NULL);
			json_int(&j, "pid", shown_pid(pids[k]));
			for (i = 0; i < npages; i++)
				cells[i] = page_char(&pi[k][i]);
			cells[npages] = 0;
			json_str(&j, "cells", cells);
			json_counts(&j, "counts", counts[k], PS_UNMAPPED);
			json_obj_end(&j);
		}
		json_arr_end(&j);
		if (npids == 2) {
			for (i = 0; i < npages; i++)
				cells[i] = same_char(&pi[0][i], &pi[1][i]);
			json_str(&j, "same", cells);
		} else {
			json_null(&j, "same");
		}
		json_doc_end(&j);
		free(cells);
		free(pi[0]);
		free(pi[1]);
		return VX_OK;
	}
	printf("%s%zu pages from %#" PRIxPTR " (%zu KiB)", vc(VC_BOLD), npages, addr,
	       npages * PS / 1024);
	for (k = 0; k < npids; k++)
		printf("%s process %d", k ? " and" : " in", shown_pid(pids[k]));
	printf(", %d pages a row%s\n", width, vc(VC_RESET));
	if (npids == 2)
		printf("%-14s %-*s  %-*s  %s\n", "", width, "first", width, "second",
		       "= same frame, x different, ? frame id " HIDDEN_WORDS);
	for (row = 0; row < npages; row += (size_t)width) {
		size_t end = row + (size_t)width < npages ? row + (size_t)width : npages;
		const char *last = NULL;

		printf("%-14" PRIxPTR " ", addr + row * PS);
		for (k = 0; k < npids; k++) {
			for (i = row; i < end; i++) {
				const char *col = pstates[page_state(&pi[k][i])].color;

				if (vc_color && col != last) {
					printf("%s", vc(col));
					last = col;
				}
				putchar(page_char(&pi[k][i]));
			}
			if (vc_color) {
				printf("%s", vc(VC_RESET));
				last = NULL;
			}
			if (npids == 2)
				printf("%*s  ", (int)(width - (end - row)), "");
		}
		if (npids == 2)
			for (i = row; i < end; i++)
				putchar(same_char(&pi[0][i], &pi[1][i]));
		putchar('\n');
	}
	printf("\n");
	for (k = 0; k < npids; k++) {
		int s;

		printf("%s%d:", npids == 2 ? (k ? "second, pid " : "first, pid ") : "pid ",
		       shown_pid(pids[k]));
		for (s = 0; s < PS_NR; s++)
			if (counts[k][s])
				printf(" %s%c%s %s %ld;", vc(pstates[s].color), pstates[s].ch,
				       vc(VC_RESET), pstates[s].name, counts[k][s]);
		printf("\n");
	}
	printf("Legend (lower case: mapped read-only, a store faults first; all states: "
	       "vmlab grid --help):\n");
	for (s0 = 0; s0 < PS_NR; s0++)
		if (counts[0][s0] || (npids == 2 && counts[1][s0]))
			legend_line(s0);
	free(pi[0]);
	free(pi[1]);
	return VX_OK;
}
