/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The vmlab command, split as perf and git split theirs: vmlab.c is the
 * program (vmlab_main() dispatches to a subcommand by name, from its
 * table), each subcommand a file of its own (cmd-NAME.c with
 * cmd_NAME(); the tour is the directory tour/), and what they share a
 * file per topic:
 *
 *   output.c    colour, errors on stderr, exit codes, opening the device
 *   options.c   the options the subcommands share (-p PID, --json, --help)
 *   pstate.c    page states: what an inspect record says a page is
 *   view.c      what maps, inspect and grid share: the process, its pages
 *   json.c      the JSON writer (json.h)
 *
 * Names: vc_ and VC_ for everything the subcommands share (exit codes,
 * colours, errors, options, page states, the views' helpers), json_ for
 * the JSON writer, cmd_NAME() for the subcommands.  Adding a subcommand is
 * one new file and one row of the table in vmlab.c (and a line of its
 * usage).  The selftests link the command (libvmlabcmd.a) and call
 * vmlab_main() as the program's main() does.
 */
#ifndef VMLAB_CMD_H
#define VMLAB_CMD_H

#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "libvmlab.h"

struct json;

/* Exit codes (documented in docs/json.md and `vmlab --help`). */
enum {
	VC_OK = 0,		/* done; every tour claim held */
	VC_FAIL = 1,		/* a tour claim failed */
	VC_USAGE = 2,		/* bad command line */
	VC_NODEV = 3,		/* /dev/vmlab missing: the module is not loaded */
	VC_PERM = 4,		/* permission denied */
	VC_NOPROC = 5,		/* no such process */
	VC_BADADDR = 6,		/* address not mapped, or not a user address */
	VC_UNSUPP = 7,		/* the module or kernel lacks what is needed */
	VC_ERR = 8,		/* another error */
};

/* vmlab.c: the whole command, as main() runs it. */
int vmlab_main(int argc, char **argv);

/* Subcommands: each returns an exit code. */
int cmd_tour(int argc, char **argv);
int cmd_stat(int argc, char **argv);
int cmd_maps(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_grid(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_probe(int argc, char **argv);	/* hidden: execve chapter's program */
int vmlab_probe_main(int argc, char **argv);	/* cmd-probe.c */

/* output.c.  Colour: set once from --color and the terminal. */
extern bool vc_color;
void vc_set_color(const char *when);	/* "auto", "always", "never" */
const char *vc(const char *code);	/* the escape, or "" without colour */
#define VC_RESET	"0"
#define VC_BOLD		"1"
#define VC_DIM		"2"
#define VC_RED		"31"
#define VC_GREEN	"32"
#define VC_YELLOW	"33"
#define VC_BLUE		"34"
#define VC_MAGENTA	"35"
#define VC_CYAN		"36"

/* Errors: "vmlab: ..." on stderr; returns code. */
int vc_err(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The exit code for an errno of a failed call about a process/address. */
int vc_exit_of_errno(int err);
/* Open /dev/vmlab or print why not: fd, or -1 and *code set. */
int vc_open_dev(int *code);

/* "vmlab CMD: ... (vmlab CMD --help)" on stderr; returns VC_USAGE. */
int vc_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* options.c: getopt_long() from the start of a subcommand's argv. */
void vc_opt_reset(void);
/* The long options of stat, maps and inspect: --json, --help. */
extern const struct option vc_view_longopts[];
/* What maps, inspect and grid take: -p PID, --json, --help (and grid's own). */
struct vc_view_opts {
	const char *cmd;		/* for usage errors */
	const char *help;		/* --help prints it, */
	void (*help_more)(void);	/* then this, if any */
	int max_pids;			/* -p PID: 1, or 2 for grid */
	int npids;
	pid_t pids[2];
	bool json;
	bool have_vma;			/* grid: --vma ADDR */
	uintptr_t vaddr;
	int width;			/* grid: --width N */
	const char *svg;		/* grid, maps: --svg FILE ("-": stdout) */
};

#define VC_GO_ON	(-1)

/*
 * Parse the options with getopt_long() and lo into o; VC_GO_ON with
 * optind at the first argument, or the exit code (--help, a bad option).
 */
int vc_view_opts(struct vc_view_opts *o, const struct option *lo, int argc, char **argv);
int vc_parse_pid(const char *s, pid_t *pid);
/* Does process pid exist?  Exit code on error (message printed). */
int vc_check_pid(pid_t pid);

/* pstate.c: page states, from an inspect record */
enum vc_pstate {
	VC_PS_UNMAPPED,		/* no VMA */
	VC_PS_NOT_PRESENT,	/* in a VMA, nothing mapped */
	VC_PS_ZERO,		/* the kernel's zero page (vmlab's old zero frame too) */
	VC_PS_OBJECT,		/* a page of vmlab's object */
	VC_PS_COPY,		/* anonymous page in a file mapping: a private copy */
	VC_PS_ANON,		/* anonymous page in an anonymous mapping */
	VC_PS_FILE,		/* another file's page cache page */
	VC_PS_HUGE,		/* mapped by a huge (PMD/PUD) entry */
	VC_PS_SWAP,		/* swapped out */
	VC_PS_NP_OTHER,		/* a non-present entry: migration, marker... */
	VC_PS_OTHER,		/* a frame of nobody's: vDSO, device memory */
	VC_PS_UNKNOWN,		/* the walk could not tell */
	VC_PS_NR
};

struct vc_pstate_desc {
	char ch;		/* grid character (upper case; lower = read-only) */
	const char *name;	/* JSON name */
	const char *color;	/* VC_RED... */
	const char *help;	/* legend */
};

extern const struct vc_pstate_desc vc_pstates[VC_PS_NR];
enum vc_pstate vc_page_state(const struct vmlab_page_info *pi);
/* The grid character: case tells the write bit for letters. */
char vc_page_char(const struct vmlab_page_info *pi);
/*
 * Values INSPECT withheld from a caller without CAP_SYS_ADMIN (the UAPI's
 * "Who may see what"): print VC_HIDDEN_WORDS (VC_HIDDEN_SHORT in tables),
 * never the 0 the field holds.  A withheld map count is 1, or 2 for "more
 * than one": vc_mapcount_str() says which, in words or ("2+") short.
 */
#define VC_HIDDEN_WORDS	"hidden (needs root)"
#define VC_HIDDEN_SHORT	"hid"
char *vc_mapcount_str(const struct vmlab_page_info *pi, bool short_form, char *buf, size_t len);
/* "rw-p" from vm_flags. */
void vc_vm_perms(uint64_t vm_flags, char out[5]);

/* The page size, for short. */
#define VC_PAGE_SIZE	vmlab_page_size()

/* view.c: the pid to show for pid: 0 is vmlab itself. */
int vc_shown_pid(pid_t pid);
/* The process's name (its comm) into buf. */
const char *vc_pid_name(pid_t pid, char *buf, size_t len);
/* Check that the processes exist, then open the device: fd, or -1 and *code. */
int vc_open_for(const pid_t *pids, int npids, int *code);
/*
 * Inspect npages from addr of pid into a new array; prints the error and
 * returns NULL with *code set.
 */
struct vmlab_page_info *vc_get_pages(int fd, pid_t pid, uintptr_t addr,
				     size_t npages, bool *pfn_shown, int *code);
/* "ADDR: not mapped in process PID"; returns VC_BADADDR. */
int vc_not_mapped(uintptr_t addr, pid_t pid);
/* Object key: the count of pages in each state from first on, by name. */
void vc_json_counts(struct json *j, const char *key, const long counts[VC_PS_NR],
		    enum vc_pstate first);

#endif /* VMLAB_CMD_H */
