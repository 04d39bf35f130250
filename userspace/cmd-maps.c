// SPDX-License-Identifier: GPL-2.0
/*
 * vmlab maps: the mappings (VMAs) of a process, each in words, with how
 * many of its pages are in each state.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "figure.h"
#include "json.h"

static const char maps_help[] =
"usage: vmlab maps [-p PID] [--json] [--svg FILE]\n"
"       vmlab maps -p PID -p PID2 --svg FILE\n"
"\n"
"The mappings (VMAs) of process PID (default: vmlab itself), as in\n"
"/proc/PID/maps, each with its flags in words and how many of its pages\n"
"are in each state (from the module's INSPECT ioctl):\n"
"\n";

/* After maps_help: the states, then the options. */
static void maps_help_more(void)
{
	int s;

	for (s = VC_PS_NOT_PRESENT; s < VC_PS_NR; s++)
		printf("  %-16s %s\n", vc_pstates[s].name, vc_pstates[s].help);
	printf("\n  -p PID   the process (needs what reading /proc/PID/pagemap needs)\n"
	       "  --json   one JSON document, schema vmlab.maps/1 (docs/json.md)\n"
	       "  --svg FILE  also draw the mappings into FILE (\"-\": standard output,\n"
	       "           instead of the text): a row per VMA, its pages by state,\n"
	       "           each part lettered and counted; with -p twice, two\n"
	       "           processes side by side (and no text)\n");
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
static int vma_counts(int fd, pid_t pid, const struct vmlab_vma *v, long counts[VC_PS_NR],
		      long *writable, int *code)
{
	size_t n = (v->end - v->start) / VC_PAGE_SIZE, done = 0, chunk, i;
	struct vmlab_page_info *pi;
	bool shown;

	uint64_t pm[4096];

	memset(counts, 0, sizeof(long) * VC_PS_NR);
	*writable = 0;
	if (n > (1UL << 24))
		return 1;	/* 64 GiB or more: not walked */
	while (done < n) {
		chunk = n - done < 4096 ? n - done : 4096;
		/* Walk only chunks where pagemap sees something: big VMAs are mostly empty. */
		if (!vmlab_pagemap(pid, v->start + done * VC_PAGE_SIZE, chunk, pm)) {
			for (i = 0; i < chunk; i++)
				if (pm[i] & (VMLAB_PM_PRESENT | VMLAB_PM_SWAP | VMLAB_PM_UFFD_WP))
					break;
			if (i == chunk) {
				counts[VC_PS_NOT_PRESENT] += (long)chunk;
				done += chunk;
				continue;
			}
		}
		pi = vc_get_pages(fd, pid, v->start + done * VC_PAGE_SIZE, chunk, &shown, code);
		if (!pi)
			return -1;
		for (i = 0; i < chunk; i++) {
			counts[vc_page_state(&pi[i])]++;
			*writable += !!(pi[i].entry & VMLAB_ENTRY_WRITE);
		}
		free(pi);
		done += chunk;
	}
	return 0;
}

/* A figure's rows for the VMAs of pid: 0, or the exit code (printed). */
static int bars_of(int fd, pid_t pid, struct fig_bar **rows, int *n)
{
	struct vmlab_vma *v;
	size_t nv, i;
	int code = VC_OK;

	if (vmlab_maps_read(pid, &v, &nv))
		return vc_err(errno == ENOENT || errno == ESRCH ? VC_NOPROC :
			      vc_exit_of_errno(errno), "/proc/%d/maps: %s", vc_shown_pid(pid),
			      strerror(errno));
	*rows = calloc(nv ? nv : 1, sizeof(**rows));
	if (!*rows) {
		free(v);
		return vc_err(VC_ERR, "out of memory");
	}
	for (i = 0; i < nv; i++) {
		struct fig_bar *r = &(*rows)[i];
		const char *kind = vma_kind(&v[i]);
		struct vmlab_smaps sm;
		long writable;
		int w = strcmp(kind, "vsyscall") ? vma_counts(fd, pid, &v[i], r->counts,
							     &writable, &code) : 1;

		if (w < 0)
			break;
		if (w > 0)	/* not walked */
			memset(r->counts, 0, sizeof(r->counts));
		if (vmlab_smaps(pid, v[i].start, 1, &sm))
			memset(&sm, 0, sizeof(sm));
		snprintf(r->label, sizeof(r->label), "%" PRIxPTR "-%" PRIxPTR " %s %.40s",
			 v[i].start, v[i].end, v[i].perms, v[i].path);
		snprintf(r->sub, sizeof(r->sub), "%s, %zu pages, Rss %ld kB", kind,
			 (size_t)((v[i].end - v[i].start) / VC_PAGE_SIZE), sm.rss);
	}
	*n = (int)nv;
	free(v);
	return code;
}

/* --svg FILE: the mappings of one or two processes (figure-bars.c). */
static int maps_svg(int fd, const char *path, const pid_t *pids, int npids)
{
	struct fig_bar *rows[2] = { NULL, NULL };
	char title[128], name[2][80], comm[64];
	const char *names[2] = { name[0], name[1] };
	bool out = !strcmp(path, "-");
	int n[2] = { 0, 0 }, k, code = VC_OK;
	FILE *f;

	for (k = 0; k < npids && !code; k++) {
		code = bars_of(fd, pids[k], &rows[k], &n[k]);
		snprintf(name[k], sizeof(name[k]), "process %d (%s)", vc_shown_pid(pids[k]),
			 vc_pid_name(pids[k], comm, sizeof(comm)));
	}
	if (!code) {
		if (npids == 2)
			snprintf(title, sizeof(title), "The mappings of processes %d and %d",
				 vc_shown_pid(pids[0]), vc_shown_pid(pids[1]));
		else
			snprintf(title, sizeof(title), "The mappings of %s", name[0]);
		f = out ? stdout : fopen(path, "we");
		if (!f) {
			code = vc_err(VC_ERR, "%s: %s", path, strerror(errno));
		} else {
			fig_svg_begin(f);
			fig_bars_svg(f, title, npids, names, (const struct fig_bar *const *)rows, n);
			if (out ? fflush(f) : fclose(f))
				code = vc_err(VC_ERR, "%s: %s", path, strerror(errno));
		}
	}
	free(rows[0]);
	free(rows[1]);
	return code;
}

int cmd_maps(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "svg", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};

	struct vc_view_opts o = { .cmd = "maps", .help = maps_help,
				  .help_more = maps_help_more, .max_pids = 2 };
	struct vmlab_vma *v;
	size_t n, i;
	pid_t pid;
	int fd, code = VC_OK, s;
	char name[64];
	struct json j;

	code = vc_view_opts(&o, lo, argc, argv);
	if (code != VC_GO_ON)
		return code;
	pid = o.pids[0];
	if (optind < argc)
		return vc_usage_error("maps", "unexpected argument '%s'", argv[optind]);
	if (o.npids == 2 && !o.svg)
		return vc_usage_error("maps", "two processes (-p twice) only with --svg");
	fd = vc_open_for(o.pids, o.npids ? o.npids : 1, &code);
	if (fd < 0)
		return code;
	if (vmlab_maps_read(pid, &v, &n)) {
		close(fd);
		if (errno == ENOENT || errno == ESRCH)
			return vc_err(VC_NOPROC, "no process with pid %d", (int)pid);
		return vc_err(vc_exit_of_errno(errno), "/proc/%d/maps: %s", (int)pid,
			      strerror(errno));
	}
	if (o.svg) {
		code = maps_svg(fd, o.svg, o.pids, o.npids ? o.npids : 1);
		if (code || !strcmp(o.svg, "-") || o.npids == 2) {
			free(v);
			close(fd);
			return code;	/* the figure alone, or two processes */
		}
	}
	if (o.json) {
		json_doc(&j, "vmlab.maps/1");
		json_int(&j, "pid", vc_shown_pid(pid));
		json_str(&j, "comm", vc_pid_name(pid, name, sizeof(name)));
		json_uint(&j, "page_size", VC_PAGE_SIZE);
		json_arr(&j, "vmas");
	} else {
		printf("%sMappings of process %d (%s)%s: address range, permissions, offset, "
		       "device, inode, file\n", vc(VC_BOLD), vc_shown_pid(pid),
		       vc_pid_name(pid, name, sizeof(name)), vc(VC_RESET));
		printf("p = private (copy on write), s = shared.  Pages by state:");
		for (s = VC_PS_NOT_PRESENT; s < VC_PS_NR; s++)
			printf(" %c %s%s", vc_pstates[s].ch, vc_pstates[s].name,
			       s + 1 < VC_PS_NR ? "," : "\n");
		printf("(lower case letters in `vmlab grid`: mapped read-only)\n\n");
	}
	for (i = 0; i < n; i++) {
		long counts[VC_PS_NR] = { 0 }, writable = 0;
		const char *kind = vma_kind(&v[i]);
		bool inside = strcmp(kind, "vsyscall") != 0;
		struct vmlab_smaps sm;
		size_t npages = (v[i].end - v[i].start) / VC_PAGE_SIZE;
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
				vc_json_counts(&j, "states", counts, VC_PS_NOT_PRESENT);
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
			for (s = VC_PS_NOT_PRESENT; s < VC_PS_NR; s++)
				if (counts[s])
					printf(" %s%c%s %ld", vc(vc_pstates[s].color),
					       vc_pstates[s].ch, vc(VC_RESET), counts[s]);
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
	return VC_OK;
}
