// SPDX-License-Identifier: GPL-2.0
/*
 * The mappings of a process as a figure (vmlab maps --svg): one row per
 * VMA, its range, permissions and file, and a bar split by how many of its
 * pages are in each state, each part with its state's letter and count.
 * The bar's length says nothing of the VMA's size (they range from a page
 * to terabytes): the parts are shares of the VMA.
 *
 * And amounts side by side (the tour's nomem, overcommit and memcg): a
 * bar per amount, to scale, with its value and outcome written by it, and
 * the limit they meet as a named dashed line.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "figure.h"
#include "json.h"

#define ROWH	34	/* a VMA's row; one column per process */
#define BARX	330
#define BARW	420

void fig_bars_svg(FILE *f, const char *title, int nprocs, const char *const names[],
		  const struct fig_bar *const rows[], const int n[])
{
	bool used[VC_PS_NR] = { false };
	int i, s, k, top = 62, colw = BARX + BARW + 20, most = 0;
	char buf[160];

	for (k = 0; k < nprocs; k++)
		most = n[k] > most ? n[k] : most;
	fig_svg_open(f, nprocs * colw, top + most * ROWH + 70, title);
	for (k = 0; k < nprocs; k++) {
		int ox = k * colw;

		fig_text(f, ox + 10, top - 26, NULL, "font-weight=\"bold\"", names[k]);
		fig_text(f, ox + 10, top - 10, NULL, "font-size=\"11\"", "mapping (VMA)");
		fig_text(f, ox + BARX, top - 10, NULL, "font-size=\"11\"",
			 "its pages by state (share of the VMA)");
		for (i = 0; i < n[k]; i++) {
			const struct fig_bar *r = &rows[k][i];
			int y = top + i * ROWH, x = ox + BARX;
			long total = 0;

			fig_text(f, ox + 10, y + 12, NULL, "font-family=\"monospace\" "
				 "font-size=\"10\"", r->label);
			fig_text(f, ox + 10, y + 25, NULL, "font-size=\"10\"", r->sub);
			for (s = 0; s < VC_PS_NR; s++)
				total += r->counts[s];
			if (!total) {
				fig_text(f, x, y + 18, NULL, "font-size=\"10\"", "not walked");
				continue;
			}
			for (s = 0; s < VC_PS_NR; s++) {
				int bw;

				if (!r->counts[s])
					continue;
				used[s] = true;
				bw = (int)((double)r->counts[s] * BARW / (double)total + 0.5);
				if (bw < 2)
					bw = 2;
				fig_box(f, x, y + 2, bw, 24, (enum vc_pstate)s, false);
				snprintf(buf, sizeof(buf), "%c %ld", vc_pstates[s].ch, r->counts[s]);
				if (bw >= 8 * (int)strlen(buf))
					fig_text(f, x + bw / 2, y + 18, "middle", "font-family=\"monospace\" "
						 "font-size=\"11\" font-weight=\"bold\"", buf);
				x += bw;
			}
		}
	}
	fig_legend(f, top + most * ROWH + 6, used, false);
	fig_svg_close(f);
}

void fig_bars_json(struct json *j, const struct fig_bar *rows, int n)
{
	int i;

	json_str(j, "kind", "vmas");
	json_arr(j, "rows");
	for (i = 0; i < n; i++) {
		json_obj(j, NULL);
		json_str(j, "label", rows[i].label);
		vc_json_counts(j, "states", rows[i].counts, VC_PS_NOT_PRESENT);
		json_obj_end(j);
	}
	json_arr_end(j);
}

#define VROWH	46
#define VBARW	500

void fig_values_begin(struct fig_values *v, const char *title, const char *unit)
{
	memset(v, 0, sizeof(*v));
	snprintf(v->title, sizeof(v->title), "%s", title);
	snprintf(v->unit, sizeof(v->unit), "%s", unit);
}

void fig_values_limit(struct fig_values *v, const char *label, double value, const char *shown)
{
	snprintf(v->limit_label, sizeof(v->limit_label), "%s", label);
	snprintf(v->limit_shown, sizeof(v->limit_shown), "%s", shown);
	v->limit = value;
}

void fig_values_row(struct fig_values *v, const char *label, double value, const char *shown,
		    const char *outcome, bool bad)
{
	if (v->nrows == FIG_ROWS)
		return;
	snprintf(v->row[v->nrows].label, sizeof(v->row[0].label), "%s", label);
	snprintf(v->row[v->nrows].shown, sizeof(v->row[0].shown), "%s", shown);
	snprintf(v->row[v->nrows].outcome, sizeof(v->row[0].outcome), "%s", outcome);
	v->row[v->nrows].bad = bad;
	v->row[v->nrows++].value = value;
}

void fig_values_svg(FILE *f, const struct fig_values *v)
{
	int i, top = 70, x0 = 10, h, w = 0;
	double max = v->limit;
	char buf[160];

	for (i = 0; i < v->nrows; i++) {
		int n = (int)(strlen(v->row[i].shown) + strlen(v->row[i].outcome));

		max = v->row[i].value > max ? v->row[i].value : max;
		w = n > w ? n : w;
	}
	if (max <= 0)
		max = 1;
	h = top + v->nrows * VROWH + 30;
	/* Room for the words after the longest bar: about 8 pixels a character. */
	fig_svg_open(f, x0 + VBARW + 30 + 8 * w, h, v->title);
	snprintf(buf, sizeof(buf), "Each bar: an amount in %s, to scale; its value and what "
		 "came of it written by it.", v->unit);
	fig_text(f, 10, 38, NULL, "font-size=\"11\"", buf);
	for (i = 0; i < v->nrows; i++) {
		int y = top + i * VROWH, bw = (int)(v->row[i].value / max * VBARW + 0.5);
		bool bad = v->row[i].bad;

		fig_text(f, x0, y + 12, NULL, NULL, v->row[i].label);
		fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"20\" fill=\"%s\" "
			"stroke=\"%s\"%s/>\n", x0, y + 17, bw < 2 ? 2 : bw,
			fig_color_fill(bad ? VC_PS_SWAP : VC_PS_OBJECT),
			fig_color(bad ? VC_PS_SWAP : VC_PS_OBJECT),
			bad ? " stroke-width=\"2.5\" stroke-dasharray=\"6,3\"" : "");
		snprintf(buf, sizeof(buf), "%s%s%s", v->row[i].shown,
			 v->row[i].outcome[0] ? ": " : "", v->row[i].outcome);
		fig_text(f, x0 + bw + 6, y + 32, NULL, bad ? "font-weight=\"bold\"" : NULL, buf);
	}
	if (v->limit_label[0]) {
		int x = x0 + (int)(v->limit / max * VBARW + 0.5);

		/* Under its name, then across the bars, not through the words above them. */
		for (i = -1; i < v->nrows; i++)
			fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#000\" "
				"stroke-width=\"2\" stroke-dasharray=\"4,3\"/>\n", x,
				i < 0 ? top - 6 : top + i * VROWH + 14, x,
				i < 0 ? top : top + i * VROWH + 42);
		snprintf(buf, sizeof(buf), "%s: %s", v->limit_label, v->limit_shown);
		fig_text(f, x, top - 10, x > VBARW / 2 ? "end" : "start", "font-weight=\"bold\" "
			 "font-size=\"11\"", buf);
	}
	fig_text(f, 10, h - 10, NULL, "font-size=\"11\"", "Solid bar: it worked. Dashed, "
		 "bold: refused or killed, as its words say. The dashed line: the limit.");
	fig_svg_close(f);
}

void fig_values_json(struct json *j, const struct fig_values *v)
{
	int i;

	json_str(j, "kind", "values");
	json_str(j, "title", v->title);
	json_str(j, "unit", v->unit);
	json_arr(j, "rows");
	for (i = 0; i < v->nrows; i++) {
		json_obj(j, NULL);
		json_str(j, "label", v->row[i].label);
		json_str(j, "shown", v->row[i].shown);
		json_str(j, "outcome", v->row[i].outcome);
		json_double(j, "value", v->row[i].value);
		json_obj_end(j);
	}
	json_arr_end(j);
	if (v->limit_label[0]) {
		json_obj(j, "limit");
		json_str(j, "label", v->limit_label);
		json_str(j, "shown", v->limit_shown);
		json_double(j, "value", v->limit);
		json_obj_end(j);
	}
}
