/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The textbook's figures, drawn from the live machine (figure.c): SVG text
 * that `vmlab grid --svg`, `vmlab maps --svg` and `vmlab tour --html`
 * write.  Each figure is a small in-memory model filled from the kernel's
 * evidence, then rendered; the same model is written as JSON, so that a
 * test can compare every number a figure shows with what the run printed.
 *
 *   mapping    processes' virtual pages on the sides, the physical frames
 *              between them, a line from each page to its frame (one or
 *              two processes)
 *   timeline   the same pages at several moments (fork, writes), side by
 *              side, a frame new since the moment before marked "new"
 *   chart      values against one quantity (demand paging): one small
 *              chart per series, with axes, units and each value written
 *   states     a page's bits at each step (dirty tracking)
 *
 * Colour is never the only signal: every page and frame carries its
 * state's letter (vmlab grid's), every line the dash pattern of its kind.
 * Text is real SVG text.
 */
#ifndef VMLAB_FIGURE_H
#define VMLAB_FIGURE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cmd.h"

struct json;

#define FIG_PROCS	2
#define FIG_PAGES	64	/* pages a mapping figure draws at most */
#define FIG_STEPS	6	/* moments of a timeline, steps of a states figure */
#define FIG_POINTS	16	/* points of a chart */
#define FIG_SERIES	4

/* One page as a process maps it. */
struct fig_page {
	enum vc_pstate state;
	char ch;		/* grid character: lower case read-only */
	bool present, write, dirty;
	bool frame_known;	/* frame below names it (else: withheld) */
	uint64_t frame;		/* PFN (pfn true) or frame id */
	bool pfn;
	char label[16];		/* the page's name; "" for "page N" */
};

/* What one or two processes map over npages pages from addr. */
struct fig_map {
	char title[160];
	int nprocs;
	char proc[FIG_PROCS][48];	/* "parent, pid 123" */
	uintptr_t addr;
	int npages;
	struct fig_page pg[FIG_PROCS][FIG_PAGES];
};

/* The same pages at several moments. */
struct fig_timeline {
	char title[160];
	int nsteps;
	char step[FIG_STEPS][48];
	struct fig_map m[FIG_STEPS];	/* title unused; nprocs, proc, npages as m[0] */
};

/* Series against x. */
struct fig_chart {
	char title[160];
	char xlabel[48], xunit[16];
	int npoints, nseries;
	double x[FIG_POINTS];
	char name[FIG_SERIES][48], unit[FIG_SERIES][16];
	double y[FIG_SERIES][FIG_POINTS];
};

/* A page's bits at each step: name, then each bit true or false. */
#define FIG_BITS	5
struct fig_states {
	char title[160];
	int nsteps, nbits;
	char step[FIG_STEPS][48];
	char bit[FIG_BITS][32];
	bool on[FIG_STEPS][FIG_BITS];
	char note[FIG_STEPS][48];	/* the frame, or a counter, under each step */
};

/* "0x1a2b3" (PFN), "3fa2c1d0" (frame id, short), "hidden" */
const char *fig_frame_label(const struct fig_page *p, char *buf, size_t len);
/* A page from an inspect record; pfn_shown: the caller may see PFNs. */
void fig_page_from_info(struct fig_page *p, const struct vmlab_page_info *pi);

/* Each writes one <svg> element (no XML declaration: see fig_svg_file). */
void fig_map_svg(FILE *f, const struct fig_map *m);
void fig_timeline_svg(FILE *f, const struct fig_timeline *t);
void fig_chart_svg(FILE *f, const struct fig_chart *c);
void fig_states_svg(FILE *f, const struct fig_states *s);
/* A stand-alone SVG file: the XML declaration, then the figure. */
void fig_svg_begin(FILE *f);

/* The models as JSON members of the current object. */
void fig_map_json(struct json *j, const struct fig_map *m);
void fig_timeline_json(struct json *j, const struct fig_timeline *t);
void fig_chart_json(struct json *j, const struct fig_chart *c);
void fig_states_json(struct json *j, const struct fig_states *s);

/*
 * Amounts side by side (figure-bars.c): a bar per row, its value and its
 * outcome written on it, and a limit (memory.max, CommitLimit...) as a
 * dashed line across the bars, named.  shown: the value as the chapter's
 * text printed it ("63.9 MiB"); value: the same in unit, for the bar.
 */
#define FIG_ROWS	8

struct fig_values {
	char title[160];
	char unit[16];
	int nrows;
	struct {
		char label[64];		/* what the amount is */
		char shown[32];		/* "63.9 MiB", as the text said */
		char outcome[40];	/* "refused (ENOMEM)", "OOM-killed", "" */
		bool bad;		/* the outcome is a refusal or a kill */
		double value;
	} row[FIG_ROWS];
	char limit_label[64], limit_shown[32];	/* "" : no limit line */
	double limit;
};

void fig_values_begin(struct fig_values *v, const char *title, const char *unit);
void fig_values_limit(struct fig_values *v, const char *label, double value, const char *shown);
/* A row: label, value in unit, the value as the text printed it, outcome. */
void fig_values_row(struct fig_values *v, const char *label, double value, const char *shown,
		    const char *outcome, bool bad);
void fig_values_svg(FILE *f, const struct fig_values *v);
void fig_values_json(struct json *j, const struct fig_values *v);

/* The mappings of a process, one row per VMA (figure-bars.c, maps --svg). */
struct fig_bar {
	char label[96];		/* "7f..000-7f..000 rw-p /path" */
	char sub[96];		/* in words */
	long counts[VC_PS_NR];
};
void fig_bars_svg(FILE *f, const char *title, int nprocs, const char *const names[],
		  const struct fig_bar *const rows[], const int n[]);
void fig_bars_json(struct json *j, const struct fig_bar *rows, int n);

/* The parts figures are made of (figure.c), for figure-bars.c. */
void fig_svg_open(FILE *f, int w, int h, const char *title);	/* <svg>, title */
void fig_svg_close(FILE *f);
void fig_text(FILE *f, int x, int y, const char *anchor, const char *extra, const char *s);
void fig_box(FILE *f, int x, int y, int w, int h, enum vc_pstate s, bool strong);
int fig_legend(FILE *f, int y, const bool used[VC_PS_NR], bool lines);	/* its height */

/* Text escaped for XML. */
void fig_xml_text(FILE *f, const char *s);

/* The states' colours, for the legend of HTML too. */
const char *fig_color(enum vc_pstate s);
const char *fig_color_fill(enum vc_pstate s);
/* The CSS a page of figures uses: <style> in the HTML. */
extern const char fig_css[];

#endif /* VMLAB_FIGURE_H */
