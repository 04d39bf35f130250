// SPDX-License-Identifier: GPL-2.0
/*
 * The claims of the study notes (claims.h): which chapter settles each, at
 * which step, and whether its evidence came out as the kernel should.  A
 * chapter calls claim_end() at the step that shows a claim: it prints the
 * note's claim, whether Linux makes it true, false or only oversimplified,
 * and what really happens, next to the evidence.  With --tap it adds one
 * line a test can read:
 *
 *	# claim N: TRUE|FALSE|PARTLY, chapter NAME, step K: ok|FAIL|skip
 *
 * A chapter that cannot show a claim in this run (it needs root) calls
 * claim_skip() instead, which says why: a skip, not a failure.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tour.h"

enum truth { CLAIM_TRUE, CLAIM_FALSE, CLAIM_PARTLY };

static const struct claim {
	int n;
	enum truth truth;
	const char *chapter;	/* NULL: no chapter checks it yet */
	const char *text;
} claims[] = {
#define CLAIM(n, truth, chapter, text)	{ n, CLAIM_##truth, chapter, text },
#include "claims.h"
#undef CLAIM
};
#define NCLAIMS		((int)(sizeof(claims) / sizeof(claims[0])))

/* What the run did with each claim, by claim number. */
static struct {
	const char *chapter;	/* the chapter that settled it, NULL: none yet */
	int step;
	bool ok;
	bool skipped;		/* not shown in this run (claim_skip()) */
	bool ran;		/* its chapter ran (mapped claims) */
} seen[NCLAIMS + 1];

static const char *const tap_word[] = { "TRUE", "FALSE", "PARTLY" };
static const char *const word[] = { "true", "false", "oversimplified" };

int claims_count(void)
{
	return NCLAIMS;
}

static const struct claim *find(int n)
{
	return n >= 1 && n <= NCLAIMS && claims[n - 1].n == n ? &claims[n - 1] : NULL;
}

/* text wrapped at WRAP columns: first line after first, the others after next. */
static void wrap2(const char *first, const char *next, const char *text)
{
	char buf[2048], *p = buf, *sp;
	const char *ind = first;

	snprintf(buf, sizeof(buf), "%s", text);
	while (strlen(ind) + strlen(p) > WRAP) {
		for (sp = p + (WRAP - strlen(ind)); sp > p && *sp != ' '; sp--)
			;
		if (sp == p)
			break;
		*sp = 0;
		say("%s%s%s\n", T.tap ? "# " : "", ind, p);
		p = sp + 1;
		ind = next;
	}
	say("%s%s%s\n", T.tap ? "# " : "", ind, p);
}

void claims_chapter_begin(const char *id)
{
	int i;

	T.chapter = id;
	T.step = 0;
	for (i = 0; i < NCLAIMS; i++)
		if (claims[i].chapter && !strcmp(claims[i].chapter, id))
			seen[claims[i].n].ran = true;
}

bool claim_end(int n, bool ok, const char *fmt, ...)
{
	const struct claim *c = find(n);
	char what[1024], buf[1280];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (!c || !c->chapter || strcmp(c->chapter, T.chapter))
		return check(false, "claim %d is settled in chapter %s, but claims.h gives it "
			     "to %s", n, T.chapter, c && c->chapter ? c->chapter : "no chapter");
	if (seen[n].chapter)
		return check(false, "claim %d is settled twice in chapter %s", n, T.chapter);
	seen[n].chapter = T.chapter;
	seen[n].step = T.step;
	seen[n].ok = ok;
	say("%s\n", T.tap ? "#" : "");
	snprintf(buf, sizeof(buf), "%sClaim %d of the notes:%s %s", vc(VC_BOLD), n, vc(VC_RESET),
		 c->text);
	wrap2("    ", "      ", buf);
	snprintf(buf, sizeof(buf), "It is %s%s%s%s %s", vc(VC_BOLD), word[c->truth], vc(VC_RESET),
		 c->truth == CLAIM_TRUE ? ":" : ". What really happens:", what);
	wrap2("    ", "      ", buf);
	if (!ok)
		wrap2("    ", "      ", "(The evidence above did not come out as the kernel "
		      "should: this claim is not shown.)");
	if (T.tap)
		say("# claim %d: %s, chapter %s, step %d: %s\n", n, tap_word[c->truth],
		       T.chapter, T.step, ok ? "ok" : "FAIL");
	return ok;
}

/* Claim @n cannot be shown in this run, for the reason @why. */
void claim_skip(int n, const char *why)
{
	const struct claim *c = find(n);
	char buf[1280];

	if (!c || !c->chapter || strcmp(c->chapter, T.chapter) || seen[n].chapter) {
		check(false, "claim %d is skipped in chapter %s, which does not own it or "
		      "settled it already", n, T.chapter);
		return;
	}
	seen[n].chapter = T.chapter;
	seen[n].step = T.step;
	seen[n].ok = true;
	seen[n].skipped = true;
	say("%s\n", T.tap ? "#" : "");
	snprintf(buf, sizeof(buf), "%sClaim %d of the notes:%s %s", vc(VC_BOLD), n, vc(VC_RESET),
		 c->text);
	wrap2("    ", "      ", buf);
	snprintf(buf, sizeof(buf), "Not shown in this run: %s", why);
	wrap2("    ", "      ", buf);
	if (T.tap)
		say("# claim %d: %s, chapter %s, step %d: skip\n", n, tap_word[c->truth],
		       T.chapter, T.step);
}

/* A claim of this chapter that it did not settle fails the chapter. */
void claims_chapter_end(void)
{
	int i;

	for (i = 0; i < NCLAIMS; i++) {
		const struct claim *c = &claims[i];

		if (c->chapter && !strcmp(c->chapter, T.chapter) && !seen[c->n].chapter)
			check(false, "claim %d of the notes (%s) was not checked: the chapter "
			      "ended before its evidence", c->n, c->text);
	}
}

/* The summary line of a run. */
void claims_summary(void)
{
	int i, checked = 0, failed = 0, wrong = 0, confronted = 0, skipped = 0;

	for (i = 1; i <= NCLAIMS; i++) {
		wrong += claims[i - 1].truth != CLAIM_TRUE;
		skipped += seen[i].skipped;
		if (!seen[i].chapter || seen[i].skipped)
			continue;
		checked++;
		failed += !seen[i].ok;
		confronted += claims[i - 1].truth != CLAIM_TRUE;
	}
	if (failed)
		out("%d of %d claims of the notes checked (%d of them on evidence that failed); "
		    "%d of the %d false or oversimplified confronted", checked, NCLAIMS,
		    failed, confronted, wrong);
	else
		out("%d of %d claims of the notes checked; %d of the %d false or oversimplified "
		    "confronted", checked, NCLAIMS, confronted, wrong);
	if (skipped)
		out("%d claim%s not shown in this run (see the chapters: as root they are)",
		    skipped, skipped > 1 ? "s" : "");
}

/* Every claim, one line each: number, truth, where the run checked it. */
void claims_list(void)
{
	char where[64];
	int i;

	out("%2s  %-14s  %-22s  %s", "#", "truth", "checked in", "the notes say");
	for (i = 0; i < NCLAIMS; i++) {
		const struct claim *c = &claims[i];

		if (seen[c->n].chapter)
			snprintf(where, sizeof(where), "%s, step %d%s", seen[c->n].chapter,
				 seen[c->n].step, seen[c->n].skipped ? " skip" :
				 seen[c->n].ok ? "" : " FAIL");
		else if (c->chapter && seen[c->n].ran)
			snprintf(where, sizeof(where), "%s: not reached", c->chapter);
		else if (c->chapter)
			snprintf(where, sizeof(where), "%s (not run)", c->chapter);
		else
			snprintf(where, sizeof(where), "not yet checked");
		out("%2d  %-14s  %-22s  %s", c->n, word[c->truth], where, c->text);
	}
}
