// SPDX-License-Identifier: GPL-2.0
/*
 * `vmlab tour --html FILE`: the report.  While the chapters run, each
 * chapter's text (as narrate.c prints it, without colour or TAP's "# ")
 * is kept as HTML, and the figures its hooks ask for are drawn in place,
 * from that run's own evidence (figure.c).  At the end one self-contained
 * HTML file is written: inline CSS and SVG, no script run and nothing
 * fetched; the figures' data as one JSON document in a
 * <script type="application/json" id="vmlab-figures"> block (data, not a
 * program), so that a test can compare every figure with the evidence.
 *
 * The hooks, a few lines per chapter: fig_pages() (the mapping figure),
 * fig_tl_begin(), fig_tl_step(), fig_tl_end() (a timeline), fig_chart(),
 * fig_states() and fig_values() (a model the chapter filled).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tour.h"
#include "figure.h"
#include "json.h"

#define MAXCH	32

static struct {
	char id[16], title[128];
	int num;
	bool pass;
	char *html;
	size_t len;
	int nfigs;
} ch[MAXCH];
static int nch;
static FILE *cur;		/* the current chapter's HTML */
static bool in_pre, bol = true;
static FILE *data;		/* the figures' JSON */
static char *data_buf;
static size_t data_len;
static struct json J;
static int nfig;
static struct fig_timeline tl;

bool rec_on(void)
{
	return cur != NULL;
}

/* Text as narrate.c prints it: escapes and TAP's "# " dropped, HTML-escaped. */
void rec_vtext(const char *fmt, va_list ap)
{
	char *s, *p, *o;

	if (!cur || vasprintf(&s, fmt, ap) < 0)
		return;
	if (!in_pre) {
		fputs("<pre>", cur);
		in_pre = true;
	}
	for (p = o = s; *p; p++) {
		if (*p == '\x1b') {	/* a colour: ESC [ ... m */
			while (p[1] && *p != 'm')
				p++;
			continue;
		}
		if (bol && T.tap && *p == '#') {	/* "# " or "#" of TAP */
			p += p[1] == ' ';
			bol = false;
			continue;
		}
		bol = *p == '\n';
		*o++ = *p;
	}
	*o = 0;
	fig_xml_text(cur, s);
	free(s);
}

void rec_chapter_begin(int num, const char *id, const char *title)
{
	if (!T.html || nch == MAXCH)
		return;
	if (!data) {
		data = open_memstream(&data_buf, &data_len);
		if (!data)
			return;
		json_start(&J, data);
		json_obj(&J, NULL);
		json_str(&J, "schema", "vmlab.figures/1");
		json_bool(&J, "root", T.root);
		json_uint(&J, "page_size", T.ps);
		json_arr(&J, "figures");
	}
	snprintf(ch[nch].id, sizeof(ch[nch].id), "%s", id);
	snprintf(ch[nch].title, sizeof(ch[nch].title), "%s", title);
	ch[nch].num = num;
	cur = open_memstream(&ch[nch].html, &ch[nch].len);
	in_pre = false;
	bol = true;
}

void rec_chapter_end(bool pass)
{
	if (!cur)
		return;
	if (in_pre)
		fputs("</pre>\n", cur);
	in_pre = false;
	fclose(cur);
	cur = NULL;
	ch[nch++].pass = pass;
}

/* A figure's frame: close the text, open <figure>, its JSON entry. */
static void fig_open(const char *kind)
{
	if (in_pre)
		fputs("</pre>\n", cur);
	in_pre = false;
	nfig++;
	ch[nch].nfigs++;
	fprintf(cur, "<figure id=\"fig-%d\" data-chapter=\"%s\" data-kind=\"%s\">\n", nfig,
		ch[nch].id, kind);
	json_obj(&J, NULL);
	json_int(&J, "figure", nfig);
	json_str(&J, "chapter", ch[nch].id);
	json_int(&J, "step", T.step);
}

static void fig_close(const char *caption)
{
	fprintf(cur, "<figcaption>Figure %d (chapter %d, step %d): ", nfig, ch[nch].num, T.step);
	fig_xml_text(cur, caption);
	fputs("</figcaption>\n</figure>\n", cur);
	json_obj_end(&J);
}

/* One page as pev() sees it, for a figure. */
static void page_of(struct fig_page *p, pid_t pid, const void *addr)
{
	struct pev e;

	memset(p, 0, sizeof(*p));
	if (pid < 0) {		/* no such process at this moment */
		p->state = VC_PS_UNMAPPED;
		p->ch = ' ';
		return;
	}
	e = pev(pid, addr);
	p->state = e.state;
	p->ch = e.ch;
	p->present = e.present;
	p->write = e.write;
	p->dirty = e.pte_dirty;
	if (!e.present)
		return;
	if (e.have_pfn) {
		p->frame = e.pfn;
		p->pfn = true;
		p->frame_known = true;
	} else if (e.frame_id) {
		p->frame = e.frame_id;
		p->frame_known = true;
	}
}

/* addrs: npages addresses for each process, or NULL: a page at addr + i pages. */
static void fill(struct fig_map *m, int nprocs, const char *const names[],
		 const pid_t pids[], const void *addr, const void *const *addrs, int npages)
{
	int k, i;

	m->nprocs = nprocs;
	m->npages = npages > FIG_PAGES ? FIG_PAGES : npages;
	m->addr = (uintptr_t)(addrs ? addrs[0] : addr);
	for (k = 0; k < nprocs; k++) {
		if (pids[k] >= 0)
			snprintf(m->proc[k], sizeof(m->proc[k]), "%s, pid %d", names[k],
				 pids[k] ? (int)pids[k] : (int)getpid());
		else
			snprintf(m->proc[k], sizeof(m->proc[k]), "%s: none yet", names[k]);
		for (i = 0; i < m->npages; i++) {
			const void *a = addrs ? addrs[k * npages + i] :
					(const char *)addr + (size_t)i * T.ps;

			page_of(&m->pg[k][i], a ? pids[k] : -1, a);
		}
	}
}

static void pages_fig(const char *caption, int nprocs, const char *const names[],
		      const pid_t pids[], const void *addr, const void *const *addrs,
		      const char *const *labels, int npages)
{
	static struct fig_map m;
	int k, i;

	if (!cur)
		return;
	memset(&m, 0, sizeof(m));
	snprintf(m.title, sizeof(m.title), "%s", caption);
	fill(&m, nprocs, names, pids, addr, addrs, npages);
	for (k = 0; labels && k < nprocs; k++)
		for (i = 0; i < m.npages; i++)
			if (labels[k * npages + i])
				snprintf(m.pg[k][i].label, sizeof(m.pg[k][i].label), "%s",
					 labels[k * npages + i]);
	fig_open("mapping");
	fig_map_svg(cur, &m);
	fig_map_json(&J, &m);
	fig_close(caption);
}

void fig_pages(const char *caption, int nprocs, const char *const names[], const pid_t pids[],
	       const void *addr, int npages)
{
	pages_fig(caption, nprocs, names, pids, addr, NULL, NULL, npages);
}

void fig_rows(const char *caption, int nprocs, const char *const names[], const pid_t pids[],
	      const void *const addrs[], const char *const labels[], int npages)
{
	pages_fig(caption, nprocs, names, pids, NULL, addrs, labels, npages);
}

void fig_tl_begin(const char *title)
{
	memset(&tl, 0, sizeof(tl));
	snprintf(tl.title, sizeof(tl.title), "%s", title);
}

void fig_tl_step(const char *label, int nprocs, const char *const names[], const pid_t pids[],
		 const void *addr, int npages)
{
	if (!cur || tl.nsteps == FIG_STEPS)
		return;
	snprintf(tl.step[tl.nsteps], sizeof(tl.step[0]), "%s", label);
	fill(&tl.m[tl.nsteps++], nprocs, names, pids, addr, NULL, npages);
}

void fig_tl_end(const char *caption)
{
	if (!cur || !tl.nsteps)
		return;
	fig_open("timeline");
	fig_timeline_svg(cur, &tl);
	fig_timeline_json(&J, &tl);
	fig_close(caption);
}

/* A figure of a model the chapter filled: fig_KIND_svg() and fig_KIND_json(). */
#define MODEL_FIG(kind, model, caption)				\
	do {							\
		if (!cur)					\
			return;					\
		fig_open(#kind);				\
		fig_##kind##_svg(cur, model);			\
		fig_##kind##_json(&J, model);			\
		fig_close(caption);				\
	} while (0)

void fig_chart(const struct fig_chart *c, const char *caption)
{
	MODEL_FIG(chart, c, caption);
}

void fig_states(const struct fig_states *s, const char *caption)
{
	MODEL_FIG(states, s, caption);
}

void fig_values(const struct fig_values *v, const char *caption)
{
	MODEL_FIG(values, v, caption);
}

/* The whole report; 0, or -1 with errno. */
int rec_write(const char *path, int passed, int nsel)
{
	FILE *f;
	int i;

	if (!data)
		return 0;
	json_arr_end(&J);
	json_obj_end(&J);
	fclose(data);
	data = NULL;
	f = fopen(path, "we");
	if (!f)
		return -1;
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
		"<title>vmlab tour: %d of %d chapters passed</title>\n<style>\n%s</style>\n"
		"</head>\n<body>\n<h1>The vmlab tour</h1>\n<p>%d of %d chapters passed, as %s. "
		"Every figure is drawn from the evidence this run printed: the frames are %s. "
		"Letters are vmlab grid's (lower case: read-only); the lines' dashes tell the "
		"kinds apart as their colours do.</p>\n<ul>\n", passed, nsel, fig_css, passed,
		nsel, T.root ? "root" : "a user without root", T.root ? "PFNs (root)" :
		"frame ids (a name for each frame that does not tell its PFN: PFNs are root's)");
	for (i = 0; i < nch; i++)
		fprintf(f, "<li><a href=\"#ch-%s\">Chapter %d: %s</a> (<span class=\"%s\">%s</span>)"
			"</li>\n", ch[i].id, ch[i].num, ch[i].title, ch[i].pass ? "pass" : "fail",
			ch[i].pass ? "PASS" : "FAIL");
	fputs("</ul>\n", f);
	for (i = 0; i < nch; i++) {
		fprintf(f, "<section id=\"ch-%s\" data-figures=\"%d\">\n<h2>Chapter %d: ", ch[i].id,
			ch[i].nfigs, ch[i].num);
		fig_xml_text(f, ch[i].title);
		fprintf(f, "</h2>\n%s</section>\n", ch[i].html ? ch[i].html : "");
		free(ch[i].html);
	}
	fputs("<script type=\"application/json\" id=\"vmlab-figures\">\n", f);
	fwrite(data_buf, 1, data_len, f);
	fputs("\n</script>\n</body>\n</html>\n", f);
	free(data_buf);
	return fclose(f);
}
