// SPDX-License-Identifier: GPL-2.0
/*
 * vmlab grid: one character per page of a range or a mapping, for one
 * process or two side by side.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "figure.h"
#include "json.h"

static const char grid_help[] =
"usage: vmlab grid [-p PID [-p PID2]] [--json] [--svg FILE] ADDR LEN\n"
"       vmlab grid [-p PID [-p PID2]] [--json] [--svg FILE] --vma ADDR\n"
"\n"
"One character per page from ADDR (hex) for LEN bytes (K, M, G suffixes),\n"
"or over the whole mapping holding ADDR in the first process.  With two\n"
"processes (e.g. parent and child after fork) their grids are side by\n"
"side, with a third column: = same frame in both, x different frames,\n"
"? frame id " VC_HIDDEN_WORDS " (a file's page, or one other processes may map).\n"
"Lower case: the entry is read-only (a store faults first).\n"
"\n"
"  -p PID      the process (default: vmlab itself); twice for two\n"
"  --vma ADDR  the whole VMA holding ADDR\n"
"  --width N   pages per row (default 64, or 32 side by side)\n"
"  --json      one JSON document, schema vmlab.grid/1 (docs/json.md)\n"
"  --svg FILE  also draw the figure of the textbook into FILE (\"-\": standard\n"
"              output, instead of the grid): each page, the frame it maps\n"
"              (PFN for root, frame id otherwise), a line between them,\n"
"              coloured and lettered by state; at most 64 pages\n"
"\n"
"Legend:\n";

static void legend_line(int s)
{
	printf("  %s'%c'%s %s\n", vc(vc_pstates[s].color), vc_pstates[s].ch, vc(VC_RESET),
	       vc_pstates[s].help);
}

static void legend(void)
{
	int s;

	for (s = 0; s < VC_PS_NR; s++)
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

/* --svg FILE: the mapping figure of the range (figure.c). */
static int grid_svg(const struct vc_view_opts *o, const pid_t *pids, int npids,
		    uintptr_t addr, size_t npages, struct vmlab_page_info *pi[2])
{
	static struct fig_map m;
	bool out = !strcmp(o->svg, "-");
	char name[32];
	FILE *f;
	int k, i;

	if (npages > FIG_PAGES)
		return vc_usage_error("grid", "--svg draws %d pages at most, not %zu", FIG_PAGES,
				      npages);
	memset(&m, 0, sizeof(m));
	m.nprocs = npids;
	m.addr = addr;
	m.npages = (int)npages;
	snprintf(m.title, sizeof(m.title), "%zu pages from %#" PRIxPTR " in process %d%s",
		 npages, addr, vc_shown_pid(pids[0]), npids == 2 ? " and its peer" : "");
	if (npids == 2)
		snprintf(m.title, sizeof(m.title), "%zu pages from %#" PRIxPTR " in processes "
			 "%d and %d", npages, addr, vc_shown_pid(pids[0]), vc_shown_pid(pids[1]));
	for (k = 0; k < npids; k++) {
		snprintf(m.proc[k], sizeof(m.proc[k]), "process %d (%s)", vc_shown_pid(pids[k]),
			 vc_pid_name(pids[k], name, sizeof(name)));
		for (i = 0; i < (int)npages; i++)
			fig_page_from_info(&m.pg[k][i], &pi[k][i]);
	}
	f = out ? stdout : fopen(o->svg, "we");
	if (!f)
		return vc_err(VC_ERR, "%s: %s", o->svg, strerror(errno));
	fig_svg_begin(f);
	fig_map_svg(f, &m);
	if (out ? fflush(f) : fclose(f))
		return vc_err(VC_ERR, "%s: %s", o->svg, strerror(errno));
	return VC_OK;
}

int cmd_grid(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "vma", required_argument, NULL, 'v' },
		{ "width", required_argument, NULL, 'w' },
		{ "svg", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct vc_view_opts o = { .cmd = "grid", .help = grid_help, .help_more = legend,
				  .max_pids = 2 };
	struct vmlab_page_info *pi[2] = { NULL, NULL };
	const pid_t *pids = o.pids;
	int npids, fd, code = VC_OK, k, width;
	bool shown;
	uintptr_t addr = 0;
	uint64_t len = 0;
	size_t npages, i, mapped = 0, row;
	long counts[2][VC_PS_NR];
	int s0;

	code = vc_view_opts(&o, lo, argc, argv);
	if (code != VC_GO_ON)
		return code;
	npids = o.npids ? o.npids : 1;
	width = o.width;
	if (o.have_vma) {
		struct vmlab_vma v;

		if (optind < argc)
			return vc_usage_error("grid", "--vma takes no LEN: unexpected '%s'",
					      argv[optind]);
		code = vc_check_pid(pids[0]);
		if (code)
			return code;
		if (vmlab_maps_find(pids[0], o.vaddr, &v)) {
			if (errno == ENOENT)
				return vc_not_mapped(o.vaddr, pids[0]);
			return vc_err(vc_exit_of_errno(errno), "/proc/%d/maps: %s", (int)pids[0],
				      strerror(errno));
		}
		addr = v.start;
		len = v.end - v.start;
	} else {
		if (optind + 2 != argc)
			return vc_usage_error("grid", "needs ADDR and LEN, or --vma ADDR");
		if (vmlab_parse_addr(argv[optind], &addr))
			return vc_usage_error("grid", "bad address '%s' (hex)", argv[optind]);
		if (vmlab_parse_size(argv[optind + 1], &len) || !len)
			return vc_usage_error("grid", "bad length '%s'", argv[optind + 1]);
		addr &= ~(uintptr_t)(VC_PAGE_SIZE - 1);
	}
	npages = (size_t)((len + VC_PAGE_SIZE - 1) / VC_PAGE_SIZE);
	if (npages > (1UL << 22))
		return vc_usage_error("grid", "%zu pages is too many", npages);
	if (!width)
		width = npids == 2 ? 32 : 64;
	fd = vc_open_for(pids, npids, &code);
	if (fd < 0)
		return code;
	for (k = 0; k < npids; k++) {
		pi[k] = vc_get_pages(fd, pids[k], addr, npages, &shown, &code);
		if (!pi[k]) {
			close(fd);
			free(pi[0]);
			return code;
		}
		memset(counts[k], 0, sizeof(counts[k]));
		for (i = 0; i < npages; i++) {
			counts[k][vc_page_state(&pi[k][i])]++;
			mapped += !!(pi[k][i].walk & VMLAB_WALK_VMA);
		}
	}
	close(fd);
	if (!mapped) {
		free(pi[0]);
		free(pi[1]);
		return vc_not_mapped(addr, pids[0]);
	}
	if (o.svg) {
		code = grid_svg(&o, pids, npids, addr, npages, pi);
		if (code || !strcmp(o.svg, "-")) {
			free(pi[0]);
			free(pi[1]);
			return code;
		}
	}
	if (o.json) {
		struct json j;
		char *cells = malloc(npages + 1);
		int s;

		if (!cells)
			return vc_err(VC_ERR, "out of memory");
		json_doc(&j, "vmlab.grid/1");
		json_uint(&j, "page_size", VC_PAGE_SIZE);
		json_hex(&j, "addr", addr);
		json_uint(&j, "npages", npages);
		json_obj(&j, "legend");
		for (s = 0; s < VC_PS_NR; s++)
			json_str(&j, (char[]){ vc_pstates[s].ch, 0 }, vc_pstates[s].name);
		json_obj_end(&j);
		json_arr(&j, "procs");
		for (k = 0; k < npids; k++) {
			json_obj(&j, NULL);
			json_int(&j, "pid", vc_shown_pid(pids[k]));
			for (i = 0; i < npages; i++)
				cells[i] = vc_page_char(&pi[k][i]);
			cells[npages] = 0;
			json_str(&j, "cells", cells);
			vc_json_counts(&j, "counts", counts[k], VC_PS_UNMAPPED);
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
		return VC_OK;
	}
	printf("%s%zu pages from %#" PRIxPTR " (%zu KiB)", vc(VC_BOLD), npages, addr,
	       npages * VC_PAGE_SIZE / 1024);
	for (k = 0; k < npids; k++)
		printf("%s process %d", k ? " and" : " in", vc_shown_pid(pids[k]));
	printf(", %d pages a row%s\n", width, vc(VC_RESET));
	if (npids == 2)
		printf("%-14s %-*s  %-*s  %s\n", "", width, "first", width, "second",
		       "= same frame, x different, ? frame id " VC_HIDDEN_WORDS);
	for (row = 0; row < npages; row += (size_t)width) {
		size_t end = row + (size_t)width < npages ? row + (size_t)width : npages;
		const char *last = NULL;

		printf("%-14" PRIxPTR " ", addr + row * VC_PAGE_SIZE);
		for (k = 0; k < npids; k++) {
			for (i = row; i < end; i++) {
				const char *col = vc_pstates[vc_page_state(&pi[k][i])].color;

				if (vc_color && col != last) {
					printf("%s", vc(col));
					last = col;
				}
				putchar(vc_page_char(&pi[k][i]));
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
		       vc_shown_pid(pids[k]));
		for (s = 0; s < VC_PS_NR; s++)
			if (counts[k][s])
				printf(" %s%c%s %s %ld;", vc(vc_pstates[s].color), vc_pstates[s].ch,
				       vc(VC_RESET), vc_pstates[s].name, counts[k][s]);
		printf("\n");
	}
	printf("Legend (lower case: mapped read-only, a store faults first; all states: "
	       "vmlab grid --help):\n");
	for (s0 = 0; s0 < VC_PS_NR; s0++)
		if (counts[0][s0] || (npids == 2 && counts[1][s0]))
			legend_line(s0);
	free(pi[0]);
	free(pi[1]);
	return VC_OK;
}
