/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The tour's internals (userspace/tour/), private to its files:
 *
 *   driver.c     `vmlab tour`: options, the table of chapters, the run
 *   chapters.h   the chapters in their order, with titles and claims
 *   claims.h     the claims of the study notes, each with its truth and the
 *                chapter that checks it (claims.c: settling them, the list)
 *   ch-*.c       one chapter each: its experiment, told and checked
 *   narrate.c    the narration: paragraphs, steps, evidence, checks, each
 *                chapter's heading and verdict, as text or TAP
 *   evidence.c   the device and its counters; what the kernel maps at an
 *                address (struct pev), said in words
 *   peer.c       another process that reads, writes and maps on request
 *   proc.c       child processes: an access probed in a child, waiting,
 *                a program run under ptrace
 *   report.c     --html: each chapter's text and figures (figure.c), kept
 *                while it runs and written as one HTML file at the end
 *
 * Adding a chapter is one new file and one table row: write ch-NAME.c
 * with void ch_NAME(void), which tells the experiment (para, step, ev)
 * and checks each fact (check), then says what it saw (observed); add
 * CHAPTER(NAME, title, claim) to chapters.h where it belongs in the
 * tour.  A chapter that checks a claim of the notes names itself in its
 * row of claims.h and calls claim_end() at the step whose evidence
 * settles it.  The Makefile builds every .c file here; the driver resets the
 * object before and after each chapter and prints its verdict.
 */
#ifndef VMLAB_TOUR_H
#define VMLAB_TOUR_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cmd.h"

#define MiB		(1024UL * 1024UL)
#define WRAP		76

/* The tour's state: set up by cmd_tour(), the checks reset per chapter. */
struct tour_state {
	int fd;			/* /dev/vmlab: counters, reset, inspect */
	size_t ps;
	bool tap, root, inspect;
	const char *html;	/* --html FILE: the report */
	int checks, failed;	/* of the current chapter */
	const char *chapter;	/* the current chapter's name */
	int step;		/* its current step, from 1 */
	char obs[512];		/* what the chapter observed, for its verdict */
	char first_fail[160];	/* the chapter's first failed check */
	struct vmlab_stats st;	/* at the start of the chapter */
};

extern struct tour_state T;

/* The chapters: void ch_NAME(void) for each row of chapters.h. */
#define CHAPTER(name, title, claim)	void ch_##name(void);
#include "chapters.h"
#undef CHAPTER

/* narrate.c: all the tour's text goes out through say() (and to the report) */
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* narrate.c: text wrapped at WRAP columns, "# " before each line with --tap */
void out(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void para(const char *fmt, ...) __attribute__((format(printf, 1, 2)));	/* the narrative */
void wrapped(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void step(const char *fmt, ...) __attribute__((format(printf, 1, 2)));	/* "> what is done" */
void ev(const char *fmt, ...) __attribute__((format(printf, 1, 2)));	/* a fact the kernel reported */
/* A checked fact: [ok] or [FAIL], counted for the verdict; returns ok. */
bool check(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* What the chapter saw, for its verdict. */
void observed(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void chapter_begin(size_t n, const char *id, const char *title);
bool chapter_verdict(int num, const char *id, const char *title, const char *claim);

/*
 * claims.c: claim n of the notes (claims.h) settled at the current step.
 * ok: the evidence for it came out as the kernel should (the checks
 * before it passed), whether or not the note was right.  Prints the
 * note's claim, its truth and what really happens (fmt); returns ok.
 */
bool claim_end(int n, bool ok, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void claim_skip(int n, const char *why);	/* cannot be shown in this run: why */
int claims_count(void);
void claims_chapter_begin(const char *id);
void claims_chapter_end(void);	/* a failed check per claim left unsettled */
void claims_summary(void);	/* N of 46 checked; M of the 23 confronted */
void claims_list(void);		/* every claim: its truth, where it was checked */

/*
 * report.c: the report of --html.  The figure hooks record a figure at the
 * current step, from pev() of each page, or from a model the chapter
 * filled; without --html they do nothing.  names and pids: one or two
 * processes (pid 0: the tour itself; -1: not there yet at this moment).
 */
struct fig_chart;
struct fig_states;
struct fig_values;
bool rec_on(void);
void rec_vtext(const char *fmt, va_list ap);
void rec_chapter_begin(int num, const char *id, const char *title);
void rec_chapter_end(bool pass);
int rec_write(const char *path, int passed, int nsel);
void fig_pages(const char *caption, int nprocs, const char *const names[], const pid_t pids[],
	       const void *addr, int npages);
/* The same with each page's address (NULL: none) and name, nprocs x npages. */
void fig_rows(const char *caption, int nprocs, const char *const names[], const pid_t pids[],
	      const void *const addrs[], const char *const labels[], int npages);
void fig_tl_begin(const char *title);
void fig_tl_step(const char *label, int nprocs, const char *const names[], const pid_t pids[],
		 const void *addr, int npages);
void fig_tl_end(const char *caption);
void fig_chart(const struct fig_chart *c, const char *caption);
void fig_states(const struct fig_states *s, const char *caption);
void fig_values(const struct fig_values *v, const char *caption);

/* evidence.c: the device and its counters */
void stats(struct vmlab_stats *st);	/* zeros if they cannot be read */
#define D(a, b, f)	((long long)((b).f - (a).f))
const char *diff_str(const struct vmlab_stats *a, const struct vmlab_stats *b);
int open_dev(void);	/* a failed check if it cannot */
void *map_dev(int fd, size_t len, bool shared);

/* evidence.c: what the kernel maps at one address */
struct pev {
	bool present, swapped;
	bool write_known, write, pte_dirty;	/* from inspect */
	bool anon, file, obj, vzero, kzero, page_dirty, exclusive, special;
	bool have_pfn, have_frame;
	bool frame_hidden;	/* inspect withheld the frame id (not root) */
	bool map_hidden;	/* inspect gave the map count only as 1 or 2+ */
	uint64_t pfn, frame_id;
	uint64_t frame;		/* identity: frame id, else PFN */
	long mapcount;		/* -1: unknown; with map_hidden 2 is "2 or more" */
	long kpagecount;	/* /proc/kpagecount (root), -1: unknown */
	long obj_off;		/* -1: not an object page */
	enum vc_pstate state;
	char ch;
};

struct pev pev(pid_t pid, const void *addr);
bool same(const struct pev *a, const struct pev *b);	/* the same frame */
const char *frame_name(const struct pev *e);	/* "PFN 0x1234, frame 3fa2c1d0" */
const char *pev_str(const struct pev *e);	/* frame, bits, kind */
const char *maps_line(pid_t pid, const void *addr);

/* peer.c */
struct peer {
	pid_t pid;
	int to, from;
};

bool peer_start(struct peer *pr);
bool peer_read(struct peer *pr, const void *addr, char *buf, size_t len);
bool peer_write(struct peer *pr, void *addr, const char *buf, size_t len);
void *peer_map(struct peer *pr, size_t len, bool shared);	/* NULL if it cannot */
void peer_stop(struct peer *pr);

/* proc.c */
const char *signame(int sig);

/* A program to run, stopped by ptrace before execve, at execve, at exit. */
struct traced {
	pid_t pid;
	const char *path;
};

bool traced_start(struct traced *t, char *const argv[]);
bool traced_next(struct traced *t, int event);	/* PTRACE_EVENT_EXEC or _EXIT */
void traced_end(struct traced *t);

static inline double mib(long kb)
{
	return kb / 1024.0;
}

#endif /* VMLAB_TOUR_H */
