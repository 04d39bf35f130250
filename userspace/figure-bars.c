// SPDX-License-Identifier: GPL-2.0
/*
 * The mappings of a process as a figure (vmlab maps --svg): one row per
 * VMA, its range, permissions and file, and a bar split by how many of its
 * pages are in each state, each part with its state's letter and count.
 * The bar's length says nothing of the VMA's size (they range from a page
 * to terabytes): the parts are shares of the VMA.
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
