// SPDX-License-Identifier: GPL-2.0
/*
 * vmlab tour: one chapter per claim of the textbook on memory mapping, in
 * the order a course teaches them.  Each chapter does the experiment in
 * real processes, prints each step with the kernel's evidence (PFNs and
 * frame ids, page table bits, the module's counters, smaps, minor faults,
 * free memory) and checks the claim: `vmlab tour` fails if one does not
 * hold.  --tap prints the same as TAP (one test per chapter).
 *
 * The tour resets the object before each chapter: it is a lab, not a
 * store.
 *
 * This file is the driver: the options, the table of chapters (made from
 * chapters.h) and the run.  tour.h says what the other files hold and how
 * to add a chapter.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tour.h"

struct tour_state T;

static const struct chapter {
	const char *id;
	const char *title;
	const char *claim;
	void (*fn)(void);
} chapters[] = {
#define CHAPTER(name, title, claim)	{ #name, title, claim, ch_##name },
#include "chapters.h"
#undef CHAPTER
};
#define NCHAPTERS	(sizeof(chapters) / sizeof(chapters[0]))

static const char tour_help[] =
"usage: vmlab tour [--tap] [--claims] [--html FILE] [CHAPTER...]\n"
"       vmlab tour --list\n"
"\n"
"The guided tour: each chapter does an experiment in real processes,\n"
"shows the kernel's evidence for each step, and checks the claim.  The\n"
"exit status is 1 if any claim fails.  CHAPTER is a number or a name\n"
"(--list); without one, every chapter runs.  Needs a user who may open\n"
"/dev/vmlab (root, or dev_mode); without root some evidence is withheld\n"
"and said to be (PFNs, page flags, counts of pages other processes may\n"
"map).  It resets the vmlab object (its contents are lost).  Best with the module loaded as\n"
"size_mb=128 mem_limit_mb=112 (100 MiB for demand paging, a memory limit\n"
"below the size); smaller objects make chapters scale down.\n"
"\n"
"Each chapter also checks claims of the study notes (docs/claims.md): it\n"
"says what the notes claim, whether Linux makes it true, false or only\n"
"oversimplified, and what really happens.\n"
"\n"
"  --list     the chapters and their claims\n"
"  --tap      TAP output (one test per chapter, the narrative as comments;\n"
"             a line \"# claim N: TRUTH, chapter NAME, step K: ok|FAIL\"\n"
"             for each claim of the notes checked)\n"
"  --html FILE  also write the report: one HTML file, readable offline,\n"
"             with each chapter's text and its figures (pages, frames and the\n"
"             lines between them; the fork timeline; the demand-paging\n"
"             chart; the dirty page's states), drawn from this run's evidence\n"
"  --claims   run the chapters without their narrative (with --tap: with\n"
"             it), then list every claim of the notes: its truth and the\n"
"             chapter and step that checked it, or \"not yet checked\"\n";

static int find_chapter(const char *s)
{
	char *end;
	long n = strtol(s, &end, 10);
	size_t i;

	if (!*end && n >= 1 && (size_t)n <= NCHAPTERS)
		return (int)n - 1;
	for (i = 0; i < NCHAPTERS; i++)
		if (!strcmp(chapters[i].id, s))
			return (int)i;
	return -1;
}

static bool run_chapter(size_t i, int num)
{
	const struct chapter *c = &chapters[i];

	chapter_begin(i + 1, c->id, c->title);
	vmlab_reset(T.fd, NULL);
	stats(&T.st);
	fflush(stdout);
	c->fn();
	claims_chapter_end();
	vmlab_reset(T.fd, NULL);
	return chapter_verdict(num, c->id, c->title, c->claim);
}

int cmd_tour(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "tap", no_argument, NULL, 't' },
		{ "list", no_argument, NULL, 'l' },
		{ "claims", no_argument, NULL, 'c' },
		{ "html", required_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c, code = VC_OK, sel[NCHAPTERS], nsel = 0, passed = 0, k;
	bool list = false, list_claims = false;
	int saved = -1;
	size_t i;

	optind = 1;
	opterr = 0;
	memset(&T, 0, sizeof(T));
	while ((c = getopt_long(argc, argv, "tlchH:", lo, NULL)) != -1) {
		switch (c) {
		case 't':
			T.tap = true;
			break;
		case 'l':
			list = true;
			break;
		case 'c':
			list_claims = true;
			break;
		case 'H':
			T.html = optarg;
			break;
		case 'h':
			fputs(tour_help, stdout);
			return VC_OK;
		default:
			return vc_usage_error("tour", "unknown option %s", argv[optind - 1]);
		}
	}
	if (list) {
		for (i = 0; i < NCHAPTERS; i++)
			printf("%zu %-7s %s\n          claim: %s\n", i + 1, chapters[i].id,
			       chapters[i].title, chapters[i].claim);
		return VC_OK;
	}
	for (; optind < argc; optind++) {
		k = find_chapter(argv[optind]);
		if (k < 0)
			return vc_usage_error("tour", "no chapter '%s' (vmlab tour --list)",
					      argv[optind]);
		if (nsel < (int)NCHAPTERS)
			sel[nsel++] = k;
	}
	if (!nsel)
		for (i = 0; i < NCHAPTERS; i++)
			sel[nsel++] = (int)i;
	if (T.tap)
		vc_color = false;
	if (T.tap)
		printf("TAP version 13\n");
	T.fd = vmlab_open(O_RDWR);
	if (T.fd < 0) {
		int err = errno;

		code = err == ENOENT || err == ENXIO || err == ENODEV ? VC_NODEV :
		       err == EACCES || err == EPERM ? VC_PERM : VC_ERR;
		if (T.tap) {
			printf("Bail out! %s\n", vmlab_open_error(err));
			fflush(stdout);
		}
		fprintf(stderr, "%s\n", vmlab_open_error(err));
		return code;
	}
	if (list_claims && !T.tap) {
		/* The list only: the chapters run without their narrative. */
		fflush(stdout);
		saved = dup(STDOUT_FILENO);
		k = open("/dev/null", O_WRONLY | O_CLOEXEC);
		if (saved >= 0 && k >= 0)
			dup2(k, STDOUT_FILENO);
		if (k >= 0)
			close(k);
		fprintf(stderr, "vmlab tour: running %d chapter%s to see which claims they "
			"check...\n", nsel, nsel == 1 ? "" : "s");
	}
	T.ps = vmlab_page_size();
	T.root = geteuid() == 0;
	T.inspect = vmlab_have_inspect(T.fd);
	stats(&T.st);
	if (T.tap)
		printf("1..%d\n", nsel);
	out("%svmlab tour%s: %d chapter%s. The object: %" PRIu64 " MiB, memory limit %" PRIu64
	    " MiB.", vc(VC_BOLD), vc(VC_RESET), nsel, nsel == 1 ? "" : "s",
	    (uint64_t)T.st.size >> 20, (uint64_t)T.st.mem_limit >> 20);
	wrapped("Evidence: %s%s; the module's counters (VMLAB_IOC_STATS); smaps; minor faults "
		"(getrusage); free memory (/proc/meminfo). A frame is a page of physical "
		"memory, %zu bytes here, and its PFN its number%s",
		T.root ? "PFNs (/proc/PID/pagemap), page flags and map counts (/proc/kpageflags, "
		"kpagecount)" : "not root, so no PFNs", T.inspect ? "; page table entries and "
		"frame ids (VMLAB_IOC_INSPECT)" : " (this module has no INSPECT ioctl)", T.ps,
		T.inspect ? "; a frame id names a frame without telling its PFN: equal ids, "
		"same frame." : ".");
	if (!T.root)
		out("Run as root for the whole picture.");
	for (k = 0; k < nsel; k++)
		passed += run_chapter((size_t)sel[k], k + 1);
	if (saved >= 0) {
		fflush(stdout);
		dup2(saved, STDOUT_FILENO);
		close(saved);
	}
	if (list_claims) {
		out("%s", "");
		claims_list();
		out("%s", "");
	}
	if (T.tap) {
		printf("# %d of %d chapters passed\n", passed, nsel);
	} else {
		printf("\n%s%d of %d chapter%s passed%s\n", vc(passed == nsel ? VC_GREEN : VC_RED),
		       passed, nsel, nsel == 1 ? "" : "s", vc(VC_RESET));
	}
	claims_summary();
	if (T.html && rec_write(T.html, passed, nsel)) {
		fprintf(stderr, "vmlab tour: %s: %s\n", T.html, strerror(errno));
		code = VC_ERR;
	} else if (T.html) {
		out("The report: %s", T.html);
	}
	close(T.fd);
	if (code)
		return code;
	return passed == nsel ? VC_OK : VC_FAIL;
}
