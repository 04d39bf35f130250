/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The vmlab command: what its subcommands share (exit codes, output,
 * JSON, page states).  vmlab_main() is the whole command; main.c calls it
 * and so do the selftests that run the tour or check the views.
 */
#ifndef VMLAB_CMD_H
#define VMLAB_CMD_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "libvmlab.h"

/* Exit codes (documented in docs/json.md and `vmlab --help`). */
enum {
	VX_OK = 0,		/* done; every tour claim held */
	VX_FAIL = 1,		/* a tour claim failed */
	VX_USAGE = 2,		/* bad command line */
	VX_NODEV = 3,		/* /dev/vmlab missing: the module is not loaded */
	VX_PERM = 4,		/* permission denied */
	VX_NOPROC = 5,		/* no such process */
	VX_BADADDR = 6,		/* address not mapped, or not a user address */
	VX_UNSUPP = 7,		/* the module or kernel lacks what is needed */
	VX_ERR = 8,		/* another error */
};

int vmlab_main(int argc, char **argv);

/* Subcommands: each returns an exit code. */
int cmd_tour(int argc, char **argv);
int cmd_stat(int argc, char **argv);
int cmd_maps(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_grid(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_probe(int argc, char **argv);	/* hidden: execve chapter's program */
int vmlab_probe_main(int argc, char **argv);	/* probe.c */

/* Colour: set once from --color and the terminal. */
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
int verr(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The exit code for an errno of a failed call about a process/address. */
int vx_from_errno(int err);
/* Open /dev/vmlab or print why not: fd, or -1 and *code set. */
int vopen_dev(int *code);

/* Common arguments */
int parse_pid(const char *s, pid_t *pid);
/* Does process pid exist?  Exit code on error (message printed). */
int check_pid(pid_t pid);

/* Page states, from an inspect record */
enum pstate {
	PS_UNMAPPED,		/* no VMA */
	PS_NOT_PRESENT,		/* in a VMA, nothing mapped */
	PS_ZERO,		/* the kernel's zero page (vmlab's old zero frame too) */
	PS_OBJECT,		/* a page of vmlab's object */
	PS_COPY,		/* anonymous page in a file mapping: a private copy */
	PS_ANON,		/* anonymous page in an anonymous mapping */
	PS_FILE,		/* another file's page cache page */
	PS_HUGE,		/* mapped by a huge (PMD/PUD) entry */
	PS_SWAP,		/* swapped out */
	PS_NP_OTHER,		/* a non-present entry: migration, marker... */
	PS_OTHER,		/* a frame of nobody's: vDSO, device memory */
	PS_UNKNOWN,		/* the walk could not tell */
	PS_NR
};
struct pstate_desc {
	char ch;		/* grid character (upper case; lower = read-only) */
	const char *name;	/* JSON name */
	const char *color;	/* VC_* */
	const char *help;	/* legend */
};
extern const struct pstate_desc pstates[PS_NR];
enum pstate page_state(const struct vmlab_page_info *pi);
/* The grid character: case tells the write bit for letters. */
char page_char(const struct vmlab_page_info *pi);
/*
 * Values INSPECT withheld from a caller without CAP_SYS_ADMIN (the UAPI's
 * "Who may see what"): print HIDDEN_WORDS (HIDDEN_SHORT in tables), never
 * the 0 the field holds.  A withheld map count is 1, or 2 for "more than
 * one": mapcount_str() says which, in words or ("2+") short.
 */
#define HIDDEN_WORDS	"hidden (needs root)"
#define HIDDEN_SHORT	"hid"
char *mapcount_str(const struct vmlab_page_info *pi, bool short_form, char *buf, size_t len);
/* "rw-p" from vm_flags. */
void vm_perms(uint64_t vm_flags, char out[5]);

/* A tiny JSON writer: compact, one document per call of json_end(). */
struct json {
	FILE *f;
	int depth;
	bool need_comma[64];
};
void json_start(struct json *j, FILE *f);
void json_end(struct json *j);		/* newline after the document */
void json_obj(struct json *j, const char *key);	/* key NULL in arrays */
void json_obj_end(struct json *j);
void json_arr(struct json *j, const char *key);
void json_arr_end(struct json *j);
void json_str(struct json *j, const char *key, const char *v);
void json_int(struct json *j, const char *key, long long v);
void json_uint(struct json *j, const char *key, unsigned long long v);
void json_hex(struct json *j, const char *key, unsigned long long v);
void json_bool(struct json *j, const char *key, bool v);
void json_null(struct json *j, const char *key);
void json_double(struct json *j, const char *key, double v);

/* One inspect record as JSON (the "pages" elements of vmlab.inspect/1). */
void json_page(struct json *j, const struct vmlab_page_info *pi, bool pfn_shown);

/* Help text helper: print and return VX_OK, or VX_USAGE for errors. */
int usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif /* VMLAB_CMD_H */
