// SPDX-License-Identifier: GPL-2.0
/*
 * The tour's narration: paragraphs, steps, the kernel's evidence, checked
 * facts ([ok] or [FAIL]), and each chapter's heading and verdict.  With
 * --tap the same text goes out as TAP comments, one test per chapter.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tour.h"

/* Every line of the tour: to standard output, and to the report (--html). */
void say(const char *fmt, ...)
{
	va_list ap;

	if (rec_on()) {
		va_start(ap, fmt);
		rec_vtext(fmt, ap);
		va_end(ap);
	}
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

static void vline(const char *indent, const char *fmt, va_list ap)
{
	char buf[4096], *line, *save = NULL;

	vsnprintf(buf, sizeof(buf), fmt, ap);
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		say("%s%s%s\n", T.tap ? "# " : "", indent, line);
}

void out(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline("", fmt, ap);
	va_end(ap);
}

/* Text wrapped at WRAP columns, each line after indent. */
static void vwrapped(const char *indent, const char *fmt, va_list ap)
{
	char buf[4096], *p, *sp;
	size_t width = WRAP - strlen(indent);

	vsnprintf(buf, sizeof(buf), fmt, ap);
	p = buf;
	while (strlen(p) > width) {
		for (sp = p + width; sp > p && *sp != ' '; sp--)
			;
		if (sp == p)
			break;
		*sp = 0;
		say("%s%s%s\n", T.tap ? "# " : "", indent, p);
		p = sp + 1;
	}
	say("%s%s%s\n", T.tap ? "# " : "", indent, p);
}

/* A paragraph of the narrative. */
void para(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwrapped("  ", fmt, ap);
	va_end(ap);
}

void wrapped(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwrapped("", fmt, ap);
	va_end(ap);
}

void step(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	T.step++;
	say("%s\n%s%s%2d >%s %s%s%s\n", T.tap ? "#" : "", T.tap ? "# " : "", vc(VC_CYAN),
	       T.step, vc(VC_RESET), vc(VC_BOLD), buf, vc(VC_RESET));
}

/* Evidence: a fact the kernel reported. */
void ev(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline("         ", fmt, ap);
	va_end(ap);
}

/* A checked fact: [ok] or [FAIL]. */
bool check(bool ok, const char *fmt, ...)
{
	char buf[2048], *line, *save = NULL, *p, *sp;
	bool first = true;
	size_t w = WRAP - 11;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	T.checks++;
	T.failed += !ok;
	for (p = buf; *p; p++)	/* one paragraph, wrapped below */
		if (*p == '\n')
			*p = ' ';
	if (!ok && !T.first_fail[0])
		snprintf(T.first_fail, sizeof(T.first_fail), "%.150s", buf);
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		for (p = line; *p; p = sp) {
			/* Wrap long lines at a space. */
			sp = p + strlen(p);
			if (strlen(p) > w) {
				for (sp = p + w; sp > p && *sp != ' '; sp--)
					;
				if (sp == p)
					sp = p + strlen(p);
				else
					*sp++ = 0;
			}
			if (first)
				say("%s    %s%s%s %s\n", T.tap ? "# " : "",
				       vc(ok ? VC_GREEN : VC_RED), ok ? "[ok]  " : "[FAIL]",
				       vc(VC_RESET), p);
			else
				say("%s           %s\n", T.tap ? "# " : "", p);
			first = false;
		}
	}
	return ok;
}

void observed(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(T.obs, sizeof(T.obs), fmt, ap);
	va_end(ap);
}

/* prefix, then text wrapped under itself. */
static void wrap_under(const char *prefix, const char *text)
{
	char buf[1024], *p = buf, *sp;
	size_t w = WRAP - strlen(prefix);

	snprintf(buf, sizeof(buf), "%s", text);
	say("%s", prefix);
	while (strlen(p) > w) {
		for (sp = p + w; sp > p && *sp != ' '; sp--)
			;
		if (sp == p)
			break;
		*sp = 0;
		say("%s\n%*s", p, (int)strlen(prefix), "");
		p = sp + 1;
	}
	say("%s\n", p);
}

/* The chapter's heading; its checks start from none. */
void chapter_begin(size_t n, const char *id, const char *title)
{
	T.checks = T.failed = 0;
	claims_chapter_begin(id);
	T.obs[0] = 0;
	T.first_fail[0] = 0;
	if (T.tap)
		say("#\n# Chapter %zu: %s\n#\n", n, title);
	else {
		int w = printf("\n%sChapter %zu: %s%s\n", vc(VC_BOLD), n, title, vc(VC_RESET));

		w -= 2 + (int)strlen(vc(VC_BOLD)) + (int)strlen(vc(VC_RESET));
		while (w-- > 0)
			say("-");
		say("\n\n");
	}
	rec_chapter_begin((int)n, id, title);
}

/*
 * The chapter's verdict: PASS if a check ran and none failed.  With --tap
 * the result line, test num, names the chapter and its first failed check.
 */
bool chapter_verdict(int num, const char *id, const char *title, const char *claim)
{
	bool pass = T.checks > 0 && T.failed == 0;

	if (!T.obs[0])
		snprintf(T.obs, sizeof(T.obs), "the experiment did not complete");
	if (T.tap) {
		say("#\n# Verdict: %s\n#   claim: %s\n#   observed: %s\n", pass ? "PASS" : "FAIL",
		       claim, T.obs);
		if (!pass)
			say("#   (%d of %d checks failed)\n", T.failed, T.checks);
		/* The result line says what failed first: runners show it. */
		for (char *q = T.first_fail; *q; q++)
			if (*q == '#')
				*q = ' ';
		say("%s %d - %s: %s%s%s%s\n", pass ? "ok" : "not ok", num, id, title,
		       pass ? "" : " (failed: ", pass ? "" :
		       T.first_fail[0] ? T.first_fail : "no check ran", pass ? "" : ")");
	} else {
		say("\n  %sVerdict: %s%s\n", vc(pass ? VC_GREEN : VC_RED),
		       pass ? "PASS" : "FAIL", vc(VC_RESET));
		wrap_under("    claim:    ", claim);
		wrap_under("    observed: ", T.obs);
		if (!pass)
			say("    (%d of %d checks failed)\n", T.failed, T.checks);
	}
	rec_chapter_end(pass);
	fflush(stdout);
	return pass;
}
