// SPDX-License-Identifier: GPL-2.0
/*
 * The textbook's figures as SVG text (figure.h says which): the mapping
 * of pages to frames, a timeline of it, charts and a page's states.  No
 * script, no font but the reader's sans-serif and monospace, presentation
 * attributes rather than a style sheet, so that each <svg> stands alone:
 * in a file of its own (vmlab grid --svg) or inside the tour's HTML.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "figure.h"
#include "json.h"

#define RH	26	/* a page's row */
#define BOXH	20
#define PAGEW	170
#define FRAMEW	190

/* Fill (light) and stroke (dark) of each state; dashes for its lines. */
static const struct {
	const char *fill, *stroke, *dash, *word;
} look[VC_PS_NR] = {
	[VC_PS_UNMAPPED] = { "#ffffff", "#9e9e9e", "", "unmapped" },
	[VC_PS_NOT_PRESENT] = { "#f5f5f5", "#9e9e9e", "", "not present" },
	[VC_PS_ZERO] = { "#bbdefb", "#0d47a1", "2,3", "zero page" },
	[VC_PS_OBJECT] = { "#c8e6c9", "#1b5e20", "", "object page" },
	[VC_PS_COPY] = { "#ffe0b2", "#bf360c", "9,3", "private copy" },
	[VC_PS_ANON] = { "#e1bee7", "#4a148c", "5,2,1,2", "anonymous" },
	[VC_PS_FILE] = { "#b2ebf2", "#006064", "1,2", "page cache of a file" },
	[VC_PS_HUGE] = { "#ffcdd2", "#b71c1c", "12,2", "huge" },
	[VC_PS_SWAP] = { "#ffcdd2", "#b71c1c", "", "swapped out" },
	[VC_PS_NP_OTHER] = { "#ffcdd2", "#b71c1c", "", "other entry" },
	[VC_PS_OTHER] = { "#e0e0e0", "#212121", "3,3", "other frame" },
	[VC_PS_UNKNOWN] = { "#ffcdd2", "#b71c1c", "", "unknown" },
};

const char *fig_color(enum vc_pstate s)
{
	return look[s].stroke;
}

const char *fig_color_fill(enum vc_pstate s)
{
	return look[s].fill;
}

const char fig_css[] =
"body{font-family:sans-serif;max-width:60em;margin:1em auto;padding:0 1em;color:#111}\n"
"pre{font-family:monospace;font-size:0.85em;white-space:pre-wrap;background:#fafafa;"
"border-left:3px solid #ccc;padding:0.3em 0.6em}\n"
"figure{margin:1em 0;break-inside:avoid;page-break-inside:avoid}\n"
"figure img,figure svg{max-width:100%;height:auto}\n"
"figcaption{font-size:0.9em;color:#333}\n"
"section{break-before:page;page-break-before:always}\n"
"section:first-of-type{break-before:auto;page-break-before:auto}\n"
".pass{color:#1b5e20}.fail{color:#b71c1c}\n"
"@media print{body{max-width:none}pre{background:none}}\n";

void fig_svg_close(FILE *f)
{
	fputs("</g>\n</svg>\n", f);
}

void fig_xml_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '&':
			fputs("&amp;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		default:
			if ((unsigned char)*s >= 0x20 || *s == '\n' || *s == '\t')
				fputc(*s, f);
		}
	}
}

const char *fig_frame_label(const struct fig_page *p, char *buf, size_t len)
{
	if (!p->present)
		snprintf(buf, len, "none");
	else if (!p->frame_known)
		snprintf(buf, len, "hidden");
	else if (p->pfn)
		snprintf(buf, len, "PFN %#" PRIx64, p->frame);
	else
		snprintf(buf, len, "frame %08x", vmlab_frame_short(p->frame));
	return buf;
}

void fig_page_from_info(struct fig_page *p, const struct vmlab_page_info *pi)
{
	memset(p, 0, sizeof(*p));
	p->state = vc_page_state(pi);
	p->ch = vc_page_char(pi);
	p->present = pi->entry & VMLAB_ENTRY_PRESENT;
	p->write = pi->entry & VMLAB_ENTRY_WRITE;
	p->dirty = pi->entry & VMLAB_ENTRY_DIRTY;
	if (!p->present)
		return;
	if (pi->pfn && !(pi->walk & VMLAB_WALK_PFN_HIDDEN)) {
		p->frame = pi->pfn;
		p->pfn = true;
		p->frame_known = true;
	} else if (!(pi->hidden & VMLAB_HIDDEN_FRAME_ID) && pi->frame_id) {
		p->frame = pi->frame_id;
		p->frame_known = true;
	}
}

void fig_svg_begin(FILE *f)
{
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
}

void fig_svg_open(FILE *f, int w, int h, const char *title)
{
	/* Wide enough for the title: about 8 pixels a character, bold at 14. */
	if (w < 20 + 8 * (int)strlen(title))
		w = 20 + 8 * (int)strlen(title);
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		"viewBox=\"0 0 %d %d\" role=\"img\">\n<title>", w, h, w, h);
	fig_xml_text(f, title);
	fputs("</title>\n<g font-family=\"sans-serif\" font-size=\"12\">\n", f);
	fprintf(f, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n", w, h);
	fputs("<text x=\"10\" y=\"20\" font-size=\"14\" font-weight=\"bold\">", f);
	fig_xml_text(f, title);
	fputs("</text>\n", f);
}

void fig_text(FILE *f, int x, int y, const char *anchor, const char *extra, const char *s)
{
	fprintf(f, "<text x=\"%d\" y=\"%d\"%s%s%s %s>", x, y, anchor ? " text-anchor=\"" : "",
		anchor ? anchor : "", anchor ? "\"" : "", extra ? extra : "");
	fig_xml_text(f, s);
	fputs("</text>\n", f);
}

void fig_box(FILE *f, int x, int y, int w, int h, enum vc_pstate s, bool strong)
{
	fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"3\" fill=\"%s\" "
		"stroke=\"%s\" stroke-width=\"%s\"/>\n", x, y, w, h, look[s].fill, look[s].stroke,
		strong ? "2.5" : "1");
}

/* The frames of a mapping figure: distinct known frames, each hidden one alone. */
struct frames {
	int n;
	int of[FIG_PROCS][FIG_PAGES];	/* page -> frame index, -1: none */
	const struct fig_page *first[FIG_PROCS * FIG_PAGES];
	int users[FIG_PROCS * FIG_PAGES];
};

static void find_frames(const struct fig_map *m, struct frames *fr)
{
	int k, i, x;

	fr->n = 0;
	for (k = 0; k < m->nprocs; k++) {
		for (i = 0; i < m->npages; i++) {
			const struct fig_page *p = &m->pg[k][i];

			fr->of[k][i] = -1;
			if (!p->present)
				continue;
			for (x = 0; p->frame_known && x < fr->n; x++)
				if (fr->first[x]->frame_known && fr->first[x]->frame == p->frame &&
				    fr->first[x]->pfn == p->pfn)
					break;
			if (!p->frame_known || x == fr->n) {
				x = fr->n++;
				fr->first[x] = p;
				fr->users[x] = 0;
			}
			fr->of[k][i] = x;
			fr->users[x]++;
		}
	}
}

/* A row of the legend for each state the figure shows; returns the height. */
int fig_legend(FILE *f, int y, const bool used[VC_PS_NR], bool lines)
{
	int s, x = 10, h = 0;
	char buf[96];

	fig_text(f, 10, y + 14, NULL, "font-weight=\"bold\"", "Legend:");
	x = 70;
	for (s = 0; s < VC_PS_NR; s++) {
		if (!used[s])
			continue;
		if (x > 620) {
			x = 70;
			y += 22;
			h += 22;
		}
		fig_box(f, x, y + 2, 18, 16, (enum vc_pstate)s, false);
		snprintf(buf, sizeof(buf), "%c", vc_pstates[s].ch);
		fig_text(f, x + 9, y + 14, "middle", "font-family=\"monospace\" font-weight=\"bold\"", buf);
		if (lines && look[s].dash[0])
			fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
				"stroke-width=\"2\" stroke-dasharray=\"%s\"/>\n", x + 22, y + 10,
				x + 46, y + 10, look[s].stroke, look[s].dash);
		else if (lines)
			fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
				"stroke-width=\"2\"/>\n", x + 22, y + 10, x + 46, y + 10,
				look[s].stroke);
		fig_text(f, x + 50, y + 14, NULL, NULL, look[s].word);
		x += 60 + 7 * (int)strlen(look[s].word) + 10;
	}
	fig_text(f, 10, y + 36, NULL, "font-size=\"11\"",
	     "A letter in lower case: the entry is read-only (a store faults first). "
	     "Letters are vmlab grid's.");
	return h + 44;
}

void fig_map_svg(FILE *f, const struct fig_map *m)
{
	struct frames fr;
	bool used[VC_PS_NR] = { false };
	int k, i, x, w, h, top = 58, rows, px[FIG_PROCS], fx;
	char buf[96], lab[48];

	find_frames(m, &fr);
	rows = m->npages > fr.n ? m->npages : fr.n;
	if (m->nprocs == 2) {
		px[0] = 10;
		fx = 350;
		px[1] = 690;
		w = 870;
	} else {
		px[0] = 10;
		fx = 420;
		w = 640;
	}
	h = top + rows * RH + 80;
	fig_svg_open(f, w, h, m->title);
	/* Column heads. */
	for (k = 0; k < m->nprocs; k++)
		fig_text(f, px[k], top - 12, NULL, "font-weight=\"bold\"", m->proc[k]);
	fig_text(f, fx, top - 12, NULL, "font-weight=\"bold\"",
	     m->npages && m->pg[0][0].pfn ? "physical frames (PFN)" : "physical frames (frame id)");
	if (!m->pg[0][0].label[0]) {	/* named pages lie anywhere */
		snprintf(buf, sizeof(buf), "virtual pages from %#" PRIxPTR, m->addr);
		fig_text(f, px[0], top - 28 + 2, NULL, "font-size=\"11\"", buf);
	}
	/* Lines first, boxes over them. */
	for (k = 0; k < m->nprocs; k++) {
		for (i = 0; i < m->npages; i++) {
			const struct fig_page *p = &m->pg[k][i];
			int y0 = top + i * RH + BOXH / 2, y1, x0, x1;

			x = fr.of[k][i];
			if (x < 0)
				continue;
			y1 = top + x * RH + BOXH / 2;
			x0 = k ? px[k] : px[k] + PAGEW;
			x1 = k ? fx + FRAMEW : fx;
			fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
				"stroke-width=\"1.6\"%s%s%s/>\n", x0, y0, x1, y1,
				look[p->state].stroke, look[p->state].dash[0] ?
				" stroke-dasharray=\"" : "", look[p->state].dash,
				look[p->state].dash[0] ? "\"" : "");
		}
	}
	for (k = 0; k < m->nprocs; k++) {
		for (i = 0; i < m->npages; i++) {
			const struct fig_page *p = &m->pg[k][i];
			int y = top + i * RH;

			used[p->state] = true;
			fig_box(f, px[k], y, PAGEW, BOXH, p->state, false);
			if (p->state == VC_PS_UNMAPPED && !p->label[0])
				continue;	/* nothing here in this process */
			snprintf(buf, sizeof(buf), "%s", p->label);
			if (!p->label[0])
				snprintf(buf, sizeof(buf), "page %d", i);
			fig_text(f, px[k] + 6, y + 14, NULL, NULL, buf);
			snprintf(buf, sizeof(buf), "%c", p->ch);
			fig_text(f, px[k] + 96, y + 15, "middle",
			     "font-family=\"monospace\" font-weight=\"bold\" font-size=\"14\"", buf);
			fig_text(f, px[k] + 108, y + 14, NULL, "font-size=\"10\"",
			     !p->present ? (p->state == VC_PS_SWAP ? "swapped" : "no frame") :
			     p->write ? (p->dirty ? "rw dirty" : "rw") : "read-only");
		}
	}
	for (x = 0; x < fr.n; x++) {
		const struct fig_page *p = fr.first[x];
		int y = top + x * RH;
		char c = vc_pstates[p->state].ch;

		fig_box(f, fx, y, FRAMEW, BOXH, p->state, fr.users[x] > 1);
		snprintf(buf, sizeof(buf), "%c", c);
		fig_text(f, fx + 12, y + 15, "middle",
		     "font-family=\"monospace\" font-weight=\"bold\" font-size=\"14\"", buf);
		fig_text(f, fx + 24, y + 14, NULL, "font-family=\"monospace\"",
		     fig_frame_label(p, lab, sizeof(lab)));
		snprintf(buf, sizeof(buf), "%d map%s", fr.users[x], fr.users[x] == 1 ? "" : "s");
		fig_text(f, fx + FRAMEW - 4, y + 14, "end", "font-size=\"10\"", buf);
	}
	fig_legend(f, top + rows * RH + 6, used, true);
	fig_svg_close(f);
}

void fig_timeline_svg(FILE *f, const struct fig_timeline *t)
{
	const struct fig_map *m0 = &t->m[0];
	bool used[VC_PS_NR] = { false };
	int colw = 210, top = 84, w, h, s, k, i;
	char buf[192], lab[48];

	snprintf(buf, sizeof(buf), "Each cell: the state's letter and the frame (%s). "
		 "=: one frame for both; x: two frames; new: a frame since the step before.",
		 m0->npages && m0->pg[0][0].pfn ? "PFN" : "frame id");
	w = 70 + t->nsteps * colw;
	if (w < 20 + 6 * (int)strlen(buf))	/* the line above, at 11 pixels */
		w = 20 + 6 * (int)strlen(buf);
	h = top + m0->npages * RH + 90;
	fig_svg_open(f, w, h, t->title);
	fig_text(f, 10, 38, NULL, "font-size=\"11\"", buf);
	for (i = 0; i < m0->npages; i++) {
		snprintf(buf, sizeof(buf), "page %d", i);
		fig_text(f, 10, top + i * RH + 14, NULL, NULL, buf);
	}
	for (s = 0; s < t->nsteps; s++) {
		const struct fig_map *m = &t->m[s];
		int x0 = 70 + s * colw;

		fig_text(f, x0, 56, NULL, "font-weight=\"bold\"", t->step[s]);
		for (k = 0; k < m->nprocs; k++)
			fig_text(f, x0 + k * 100, top - 10, NULL, "font-size=\"11\"", m->proc[k]);
		for (k = 0; k < m->nprocs; k++) {
			for (i = 0; i < m->npages; i++) {
				const struct fig_page *p = &m->pg[k][i];
				const struct fig_page *q = s ? &t->m[s - 1].pg[k][i] : NULL;
				bool isnew = q && p->present && p->frame_known && q->present &&
					     q->frame_known && q->frame != p->frame;
				int x = x0 + k * 100, y = top + i * RH;

				used[p->state] = true;
				fig_box(f, x, y, 94, BOXH, p->state, isnew);
				snprintf(buf, sizeof(buf), "%c", p->ch);
				fig_text(f, x + 9, y + 15, "middle", "font-family=\"monospace\" "
				     "font-weight=\"bold\" font-size=\"14\"", buf);
				fig_frame_label(p, lab, sizeof(lab));
				fig_text(f, x + 18, y + 14, NULL, "font-family=\"monospace\" "
				     "font-size=\"10\"", !strncmp(lab, "frame ", 6) ? lab + 6 :
				     !strncmp(lab, "PFN ", 4) ? lab + 4 : lab);
				if (isnew)
					fig_text(f, x + 92, y + 14, "end", "font-size=\"9\" "
					     "font-weight=\"bold\"", "new");
			}
		}
		/* = same frame in both, x different */
		if (m->nprocs == 2)
			for (i = 0; i < m->npages; i++) {
				const struct fig_page *a = &m->pg[0][i], *b = &m->pg[1][i];

				if (!a->present || !b->present || !a->frame_known || !b->frame_known)
					continue;
				fig_text(f, x0 + 97, top + i * RH + 15, "middle", "font-family=\"monospace\"",
				     a->frame == b->frame ? "=" : "x");
			}
	}
	fig_legend(f, top + m0->npages * RH + 6, used, false);
	fig_svg_close(f);
}

/* A round step for an axis reaching max in about ticks steps: 1, 2 or 5 times 10^n. */
static double nice_step(double max, int ticks)
{
	double raw = max / ticks, p = 1;

	if (raw <= 0)
		return 1;
	while (p * 10 <= raw)
		p *= 10;
	while (p > raw)
		p /= 10;
	if (raw <= p)
		return p;
	if (raw <= 2 * p)
		return 2 * p;
	if (raw <= 5 * p)
		return 5 * p;
	return 10 * p;
}

/* The least multiple of step at or above v (v >= 0). */
static double round_up(double v, double step)
{
	double r = 0;

	while (r < v - step * 1e-9)
		r += step;
	return r;
}

static void num(char *buf, size_t len, double v)
{
	long long n = (long long)(v >= 0 ? v + 0.5 : v - 0.5);
	double d = v - (double)n;

	if (d < 1e-9 && d > -1e-9)
		snprintf(buf, len, "%lld", n);
	else
		snprintf(buf, len, "%.1f", v);
}

void fig_chart_svg(FILE *f, const struct fig_chart *c)
{
	int cw = 380, ch = 220, gx = 70, gy = 30, w, h, s, i, cols = 2;
	char buf[128];

	w = cols * (cw + 20) + 10;
	h = 40 + ((c->nseries + cols - 1) / cols) * (ch + 60);
	fig_svg_open(f, w, h, c->title);
	for (s = 0; s < c->nseries; s++) {
		int ox = 10 + (s % cols) * (cw + 20), oy = 40 + (s / cols) * (ch + 60);
		int pw = cw - gx - 10, ph = ch - gy - 40;
		double xmax = 0, ymax = 0, xs, ys, v;

		for (i = 0; i < c->npoints; i++) {
			xmax = c->x[i] > xmax ? c->x[i] : xmax;
			ymax = c->y[s][i] > ymax ? c->y[s][i] : ymax;
		}
		xs = nice_step(xmax, 5);
		ys = nice_step(ymax, 4);
		xmax = round_up(xmax, xs);
		ymax = round_up(ymax, ys);
		if (xmax <= 0)
			xmax = 1;
		if (ymax <= 0)
			ymax = 1;
		snprintf(buf, sizeof(buf), "%s (%s)", c->name[s], c->unit[s]);
		fig_text(f, ox + gx, oy + 16, NULL, "font-weight=\"bold\"", buf);
		/* Axes, ticks and their values. */
		fprintf(f, "<path d=\"M%d %d V%d H%d\" fill=\"none\" stroke=\"#000\"/>\n", ox + gx,
			oy + gy, oy + gy + ph, ox + gx + pw);
		for (v = 0; v <= ymax + ys / 2; v += ys) {
			int y = oy + gy + ph - (int)(v / ymax * ph);

			fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#ddd\"/>\n",
				ox + gx, y, ox + gx + pw, y);
			num(buf, sizeof(buf), v);
			fig_text(f, ox + gx - 4, y + 4, "end", "font-size=\"10\"", buf);
		}
		for (v = 0; v <= xmax + xs / 2; v += xs) {
			int x = ox + gx + (int)(v / xmax * pw);

			fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#000\"/>\n",
				x, oy + gy + ph, x, oy + gy + ph + 4);
			num(buf, sizeof(buf), v);
			fig_text(f, x, oy + gy + ph + 16, "middle", "font-size=\"10\"", buf);
		}
		snprintf(buf, sizeof(buf), "%s (%s)", c->xlabel, c->xunit);
		fig_text(f, ox + gx + pw / 2, oy + gy + ph + 32, "middle", "font-size=\"11\"", buf);
		snprintf(buf, sizeof(buf), "%s", c->unit[s]);
		fig_text(f, ox + 4, oy + gy + 10, NULL, "font-size=\"10\"", buf);
		/* The line through the points, each marked and its value written. */
		fputs("<polyline fill=\"none\" stroke=\"#0d47a1\" stroke-width=\"2\" points=\"", f);
		for (i = 0; i < c->npoints; i++)
			fprintf(f, "%s%d,%d", i ? " " : "", ox + gx + (int)(c->x[i] / xmax * pw),
				oy + gy + ph - (int)(c->y[s][i] / ymax * ph));
		fputs("\"/>\n", f);
		for (i = 0; i < c->npoints; i++) {
			int x = ox + gx + (int)(c->x[i] / xmax * pw);
			int y = oy + gy + ph - (int)(c->y[s][i] / ymax * ph);

			fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"6\" height=\"6\" fill=\"#0d47a1\"/>\n",
				x - 3, y - 3);
			num(buf, sizeof(buf), c->y[s][i]);
			if (c->npoints <= 12 || i % 2 == 0 || i == c->npoints - 1)
				fig_text(f, x - 2, y - 7, "end", "font-size=\"9\"", buf);
		}
	}
	fig_svg_close(f);
}

void fig_states_svg(FILE *f, const struct fig_states *st)
{
	int colw = 130, lw = 150, top = 56, w, h, s, b;
	char buf[192];

	w = lw + st->nsteps * colw + 10;
	h = top + (st->nbits + 1) * RH + 50;
	fig_svg_open(f, w, h, st->title);
	for (b = 0; b < st->nbits; b++)
		fig_text(f, 10, top + 30 + b * RH + 14, NULL, NULL, st->bit[b]);
	for (s = 0; s < st->nsteps; s++) {
		int x = lw + s * colw;

		fig_text(f, x + colw / 2 - 4, top + 14, "middle", "font-weight=\"bold\" "
		     "font-size=\"11\"", st->step[s]);
		for (b = 0; b < st->nbits; b++) {
			int y = top + 30 + b * RH;
			bool on = st->on[s][b];

			fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"3\" "
				"fill=\"%s\" stroke=\"%s\"/>\n", x, y, colw - 8, BOXH,
				on ? "#ffe0b2" : "#f5f5f5", on ? "#bf360c" : "#9e9e9e");
			fig_text(f, x + (colw - 8) / 2, y + 14, "middle", on ? "font-weight=\"bold\"" :
			     NULL, on ? "yes" : "no");
		}
		if (st->note[s][0])
			fig_text(f, x + (colw - 8) / 2, top + 30 + st->nbits * RH + 14, "middle",
			     "font-size=\"10\" font-family=\"monospace\"", st->note[s]);
	}
	snprintf(buf, sizeof(buf), "Each column: the page after that step; yes (bold, "
		 "orange) or no for each bit.");
	fig_text(f, 10, 40, NULL, "font-size=\"11\"", buf);
	fig_svg_close(f);
}

/* JSON: the models, as the figures show them. */
static void page_json(struct json *j, const struct fig_page *p)
{
	char lab[48];

	json_obj(j, NULL);
	json_str(j, "name", p->label);
	json_str(j, "state", vc_pstates[p->state].name);
	json_str(j, "char", (char[]){ p->ch, 0 });
	json_bool(j, "present", p->present);
	json_bool(j, "write", p->write);
	json_bool(j, "dirty", p->dirty);
	if (p->present && p->frame_known) {
		json_hex(j, p->pfn ? "pfn" : "frame_id", p->frame);
		json_str(j, "label", fig_frame_label(p, lab, sizeof(lab)));
	} else {
		json_null(j, "label");
	}
	json_obj_end(j);
}

static void map_procs_json(struct json *j, const struct fig_map *m)
{
	int k, i;

	json_hex(j, "addr", m->addr);
	json_int(j, "npages", m->npages);
	json_arr(j, "procs");
	for (k = 0; k < m->nprocs; k++) {
		char cells[FIG_PAGES + 1];

		json_obj(j, NULL);
		json_str(j, "name", m->proc[k]);
		for (i = 0; i < m->npages; i++)
			cells[i] = m->pg[k][i].ch;
		cells[m->npages] = 0;
		json_str(j, "cells", cells);
		json_arr(j, "pages");
		for (i = 0; i < m->npages; i++)
			page_json(j, &m->pg[k][i]);
		json_arr_end(j);
		json_obj_end(j);
	}
	json_arr_end(j);
}

void fig_map_json(struct json *j, const struct fig_map *m)
{
	struct frames fr;

	find_frames(m, &fr);
	json_str(j, "kind", "mapping");
	json_str(j, "title", m->title);
	map_procs_json(j, m);
	json_int(j, "frames", fr.n);
}

void fig_timeline_json(struct json *j, const struct fig_timeline *t)
{
	int s;

	json_str(j, "kind", "timeline");
	json_str(j, "title", t->title);
	json_arr(j, "steps");
	for (s = 0; s < t->nsteps; s++) {
		json_obj(j, NULL);
		json_str(j, "step", t->step[s]);
		map_procs_json(j, &t->m[s]);
		json_obj_end(j);
	}
	json_arr_end(j);
}

void fig_chart_json(struct json *j, const struct fig_chart *c)
{
	int s, i;

	json_str(j, "kind", "chart");
	json_str(j, "title", c->title);
	json_str(j, "x", c->xlabel);
	json_str(j, "x_unit", c->xunit);
	json_arr(j, "xs");
	for (i = 0; i < c->npoints; i++)
		json_double(j, NULL, c->x[i]);
	json_arr_end(j);
	json_arr(j, "series");
	for (s = 0; s < c->nseries; s++) {
		json_obj(j, NULL);
		json_str(j, "name", c->name[s]);
		json_str(j, "unit", c->unit[s]);
		json_arr(j, "ys");
		for (i = 0; i < c->npoints; i++)
			json_double(j, NULL, c->y[s][i]);
		json_arr_end(j);
		json_obj_end(j);
	}
	json_arr_end(j);
}

void fig_states_json(struct json *j, const struct fig_states *st)
{
	int s, b;

	json_str(j, "kind", "states");
	json_str(j, "title", st->title);
	json_arr(j, "steps");
	for (s = 0; s < st->nsteps; s++) {
		json_obj(j, NULL);
		json_str(j, "step", st->step[s]);
		json_str(j, "note", st->note[s]);
		for (b = 0; b < st->nbits; b++)
			json_bool(j, st->bit[b], st->on[s][b]);
		json_obj_end(j);
	}
	json_arr_end(j);
}
