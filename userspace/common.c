// SPDX-License-Identifier: GPL-2.0
/*
 * What the vmlab command's subcommands share: colour, errors and exit
 * codes, page states, a JSON writer.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"

bool vc_color;

void vc_set_color(const char *when)
{
	const char *nc = getenv("NO_COLOR");

	if (!when || !strcmp(when, "auto"))
		vc_color = isatty(STDOUT_FILENO) && !(nc && *nc) &&
			   getenv("TERM") && strcmp(getenv("TERM"), "dumb");
	else
		vc_color = !strcmp(when, "always");
}

const char *vc(const char *code)
{
	static char buf[8][16];
	static int i;

	if (!vc_color)
		return "";
	i = (i + 1) % 8;
	snprintf(buf[i], sizeof(buf[i]), "\033[%sm", code);
	return buf[i];
}

int verr(int code, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("vmlab: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}

int vx_from_errno(int err)
{
	switch (err) {
	case ESRCH:
		return VX_NOPROC;
	case EACCES:
	case EPERM:
		return VX_PERM;
	case EINVAL:
	case EFAULT:
		return VX_BADADDR;
	case ENOTTY:
		return VX_UNSUPP;
	default:
		return VX_ERR;
	}
}

int vopen_dev(int *code)
{
	int fd = vmlab_open(O_RDWR), err;

	if (fd >= 0)
		return fd;
	err = errno;
	/* Reading the counters needs no write permission. */
	if (err == EACCES) {
		fd = vmlab_open(O_RDONLY);
		if (fd >= 0)
			return fd;
	}
	fflush(stdout);
	fprintf(stderr, "%s\n", vmlab_open_error(err));
	*code = err == EACCES || err == EPERM ? VX_PERM : err == ENOENT ||
		err == ENXIO || err == ENODEV ? VX_NODEV : VX_ERR;
	return -1;
}

int parse_pid(const char *s, pid_t *pid)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v <= 0 || v > 0x3fffffff)
		return -1;
	*pid = (pid_t)v;
	return 0;
}

int check_pid(pid_t pid)
{
	if (!pid || !kill(pid, 0) || errno == EPERM)
		return VX_OK;
	return verr(VX_NOPROC, "no process with pid %d", (int)pid);
}

int usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "vmlab %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (vmlab %s --help)\n", cmd);
	return VX_USAGE;
}

/* Page states */

const struct pstate_desc pstates[PS_NR] = {
	[PS_UNMAPPED] = { ' ', "unmapped", VC_DIM, "no mapping (VMA) at this address" },
	[PS_NOT_PRESENT] = { '.', "not_present", VC_DIM,
			     "mapped, but no frame yet: the first touch will fault" },
	[PS_ZERO] = { '0', "zero", VC_BLUE,
		      "the kernel's zero page: one frame of zeros for every never-written page" },
	[PS_OBJECT] = { 'S', "object", VC_GREEN,
			"a page of vmlab's object, the same frame for every process" },
	[PS_COPY] = { 'C', "copy", VC_YELLOW,
		      "a private copy: an anonymous page in a file (or vmlab) mapping" },
	[PS_ANON] = { 'A', "anon", VC_MAGENTA, "an anonymous page in an anonymous mapping" },
	[PS_FILE] = { 'F', "file", VC_CYAN, "a page of another file's page cache" },
	[PS_HUGE] = { 'H', "huge", VC_RED, "mapped by a huge page table entry (2 MiB or 1 GiB)" },
	[PS_SWAP] = { '*', "swap", VC_RED, "swapped out" },
	[PS_NP_OTHER] = { '~', "nonpresent_other", VC_RED,
			  "a non-present entry: migration, marker, device" },
	[PS_OTHER] = { '#', "other", VC_CYAN,
		       "a frame that is neither anonymous nor a file's (vDSO, device memory)" },
	[PS_UNKNOWN] = { '?', "unknown", VC_RED, "the page table walk could not tell" },
};

enum pstate page_state(const struct vmlab_page_info *pi)
{
	if (!(pi->walk & VMLAB_WALK_VMA))
		return PS_UNMAPPED;
	if (pi->walk & (VMLAB_WALK_BAD | VMLAB_WALK_UNSTABLE | VMLAB_WALK_SKIPPED))
		return PS_UNKNOWN;
	if (!(pi->entry & VMLAB_ENTRY_PRESENT)) {
		switch (pi->nonpresent) {
		case VMLAB_NP_NONE:
			return PS_NOT_PRESENT;
		case VMLAB_NP_SWAP:
			return PS_SWAP;
		default:
			return PS_NP_OTHER;
		}
	}
	if (pi->level == VMLAB_LEVEL_PMD || pi->level == VMLAB_LEVEL_PUD ||
	    (pi->page & VMLAB_PAGE_HUGETLB))
		return PS_HUGE;
	if (pi->page & (VMLAB_PAGE_ZERO | VMLAB_PAGE_VMLAB_ZERO))
		return PS_ZERO;
	if (pi->page & VMLAB_PAGE_VMLAB)
		return PS_OBJECT;
	if (pi->page & VMLAB_PAGE_ANON)
		return pi->vma & VMLAB_VMA_FILE ? PS_COPY : PS_ANON;
	if (pi->page & VMLAB_PAGE_FILE)
		return PS_FILE;
	return PS_OTHER;
}

char page_char(const struct vmlab_page_info *pi)
{
	enum pstate s = page_state(pi);
	char c = pstates[s].ch;

	if (c >= 'A' && c <= 'Z' && !(pi->entry & VMLAB_ENTRY_WRITE))
		c = (char)(c - 'A' + 'a');
	return c;
}

char *mapcount_str(const struct vmlab_page_info *pi, bool short_form, char *buf, size_t len)
{
	if ((pi->hidden & VMLAB_HIDDEN_MAPCOUNT) && pi->mapcount >= 2)
		snprintf(buf, len, "%s", short_form ? "2+" : "more than one");
	else
		snprintf(buf, len, "%" PRIu64, (uint64_t)pi->mapcount);
	return buf;
}

void vm_perms(uint64_t f, char out[5])
{
	out[0] = f & 0x1 ? 'r' : '-';		/* VM_READ */
	out[1] = f & 0x2 ? 'w' : '-';		/* VM_WRITE */
	out[2] = f & 0x4 ? 'x' : '-';		/* VM_EXEC */
	out[3] = f & 0x80 ? 's' : 'p';		/* VM_MAYSHARE */
	out[4] = 0;
}

/* JSON */

static void json_key(struct json *j, const char *key)
{
	if (j->need_comma[j->depth])
		fputc(',', j->f);
	j->need_comma[j->depth] = true;
	if (key) {
		fputc('"', j->f);
		fputs(key, j->f);	/* keys are ours: no escaping needed */
		fputs("\":", j->f);
	}
}

void json_start(struct json *j, FILE *f)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
}

void json_end(struct json *j)
{
	fputc('\n', j->f);
	fflush(j->f);
}

/* An object or array: open is '{' or '[', close '}' or ']'. */
static void json_open(struct json *j, const char *key, char open)
{
	json_key(j, key);
	fputc(open, j->f);
	j->need_comma[++j->depth] = false;
}

static void json_close(struct json *j, char close)
{
	j->depth--;
	fputc(close, j->f);
}

void json_obj(struct json *j, const char *key)
{
	json_open(j, key, '{');
}

void json_obj_end(struct json *j)
{
	json_close(j, '}');
}

void json_arr(struct json *j, const char *key)
{
	json_open(j, key, '[');
}

void json_arr_end(struct json *j)
{
	json_close(j, ']');
}

void json_str(struct json *j, const char *key, const char *v)
{
	const unsigned char *p;

	json_key(j, key);
	fputc('"', j->f);
	for (p = (const unsigned char *)v; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", j->f);
			break;
		case '\\':
			fputs("\\\\", j->f);
			break;
		case '\n':
			fputs("\\n", j->f);
			break;
		case '\t':
			fputs("\\t", j->f);
			break;
		default:
			if (*p < 0x20)
				fprintf(j->f, "\\u%04x", *p);
			else
				fputc(*p, j->f);
		}
	}
	fputc('"', j->f);
}

void json_int(struct json *j, const char *key, long long v)
{
	json_key(j, key);
	fprintf(j->f, "%lld", v);
}

void json_uint(struct json *j, const char *key, unsigned long long v)
{
	json_key(j, key);
	fprintf(j->f, "%llu", v);
}

void json_hex(struct json *j, const char *key, unsigned long long v)
{
	json_key(j, key);
	fprintf(j->f, "\"%#llx\"", v);
}

void json_bool(struct json *j, const char *key, bool v)
{
	json_key(j, key);
	fputs(v ? "true" : "false", j->f);
}

void json_null(struct json *j, const char *key)
{
	json_key(j, key);
	fputs("null", j->f);
}

void json_double(struct json *j, const char *key, double v)
{
	json_key(j, key);
	fprintf(j->f, "%.6f", v);
}

static const char *const level_names[] = { "none", "pte", "pmd", "pud", "p4d", "pgd" };
static const char *const np_names[] = {
	"none", "swap", "migration", "device", "hwpoison", "marker", "other",
};

/* The JSON names of the bits of one field of an inspect record. */
struct json_bit {
	const char *name;
	uint64_t bit;
};

#define JSON_BITS(t)	(t), sizeof(t) / sizeof((t)[0])

static const struct json_bit vma_bits[] = {
	{ "file", VMLAB_VMA_FILE },
	{ "vmlab", VMLAB_VMA_VMLAB },
	{ "anon_vma", VMLAB_VMA_ANON_VMA },
	{ "cow", VMLAB_VMA_COW },
	{ "hugetlb", VMLAB_VMA_HUGETLB },
};

static const struct json_bit walk_bits[] = {
	{ "vma", VMLAB_WALK_VMA },
	{ "pgd", VMLAB_WALK_PGD },
	{ "p4d", VMLAB_WALK_P4D },
	{ "pud", VMLAB_WALK_PUD },
	{ "pmd", VMLAB_WALK_PMD },
	{ "bad", VMLAB_WALK_BAD },
	{ "skipped", VMLAB_WALK_SKIPPED },
	{ "unstable", VMLAB_WALK_UNSTABLE },
	{ "pfn_hidden", VMLAB_WALK_PFN_HIDDEN },
};

static const struct json_bit entry_bits[] = {
	{ "present", VMLAB_ENTRY_PRESENT },
	{ "write", VMLAB_ENTRY_WRITE },
	{ "user", VMLAB_ENTRY_USER },
	{ "accessed", VMLAB_ENTRY_ACCESSED },
	{ "dirty", VMLAB_ENTRY_DIRTY },
	{ "nx", VMLAB_ENTRY_NX },
	{ "special", VMLAB_ENTRY_SPECIAL },
	{ "soft_dirty", VMLAB_ENTRY_SOFT_DIRTY },
	{ "protnone", VMLAB_ENTRY_PROTNONE },
	{ "leaf", VMLAB_ENTRY_LEAF },
};

static const struct json_bit hidden_bits[] = {
	{ "pfn", VMLAB_HIDDEN_PFN },
	{ "swap", VMLAB_HIDDEN_SWAP },
	{ "frame_id", VMLAB_HIDDEN_FRAME_ID },
	{ "mapcount", VMLAB_HIDDEN_MAPCOUNT },
	{ "refcount", VMLAB_HIDDEN_REFCOUNT },
	{ "state", VMLAB_HIDDEN_STATE },
};

static const struct json_bit page_bits[] = {
	{ "valid", VMLAB_PAGE_VALID },
	{ "anon", VMLAB_PAGE_ANON },
	{ "file", VMLAB_PAGE_FILE },
	{ "ksm", VMLAB_PAGE_KSM },
	{ "zero", VMLAB_PAGE_ZERO },
	{ "vmlab_zero", VMLAB_PAGE_VMLAB_ZERO },
	{ "vmlab", VMLAB_PAGE_VMLAB },
	{ "large", VMLAB_PAGE_LARGE },
	{ "dirty", VMLAB_PAGE_DIRTY },
	{ "locked", VMLAB_PAGE_LOCKED },
	{ "anon_exclusive", VMLAB_PAGE_ANON_EXCLUSIVE },
	{ "hugetlb", VMLAB_PAGE_HUGETLB },
};

/* A boolean for each bit of the table, named as there. */
static void json_bits(struct json *j, uint64_t v, const struct json_bit *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		json_bool(j, b[i].name, v & b[i].bit);
}

/* Object key: its raw value, then a boolean for each bit of the table. */
static void json_bits_obj(struct json *j, const char *key, uint64_t v,
			  const struct json_bit *b, size_t n)
{
	json_obj(j, key);
	json_hex(j, "raw", v);
	json_bits(j, v, b, n);
	json_obj_end(j);
}

void json_page(struct json *j, const struct vmlab_page_info *pi, bool pfn_shown)
{
	bool present = pi->entry & VMLAB_ENTRY_PRESENT;
	char perms[5];
	int l;

	json_obj(j, NULL);
	json_hex(j, "addr", pi->addr);
	json_str(j, "state", pstates[page_state(pi)].name);
	json_str(j, "char", (char[]){ page_char(pi), 0 });
	if (pi->walk & VMLAB_WALK_VMA) {
		json_obj(j, "vma");
		json_hex(j, "start", pi->vma_start);
		json_hex(j, "end", pi->vma_end);
		json_uint(j, "pgoff", pi->vma_pgoff);
		json_hex(j, "vm_flags", pi->vm_flags);
		vm_perms(pi->vm_flags, perms);
		json_str(j, "perms", perms);
		json_bits(j, pi->vma, JSON_BITS(vma_bits));
		if (pi->vma & VMLAB_VMA_FILE) {
			json_uint(j, "dev", pi->vma_dev);
			json_uint(j, "ino", pi->vma_ino);
		} else {
			json_null(j, "dev");
			json_null(j, "ino");
		}
		json_obj_end(j);
	} else {
		json_null(j, "vma");
	}
	json_bits_obj(j, "walk", pi->walk, JSON_BITS(walk_bits));
	json_str(j, "level", pi->level < 6 ? level_names[pi->level] : "?");
	json_bits_obj(j, "entry", pi->entry, JSON_BITS(entry_bits));
	json_str(j, "nonpresent", pi->nonpresent < 7 ? np_names[pi->nonpresent] : "?");
	if (pi->nonpresent == VMLAB_NP_SWAP) {
		json_obj(j, "swap");
		if (pi->hidden & VMLAB_HIDDEN_SWAP)
			json_null(j, "type");
		else
			json_uint(j, "type", pi->swap_type);
		if (pfn_shown)
			json_hex(j, "offset", pi->swap_offset);
		else
			json_null(j, "offset");
		json_obj_end(j);
	} else {
		json_null(j, "swap");
	}
	if (present && pfn_shown)
		json_hex(j, "pfn", pi->pfn);
	else
		json_null(j, "pfn");
	if (pi->frame_id)
		json_hex(j, "frame_id", pi->frame_id);
	else
		json_null(j, "frame_id");
	json_bits_obj(j, "page", pi->page, JSON_BITS(page_bits));
	if (pi->page & VMLAB_PAGE_VALID) {
		/* Withheld values are null, not a false 0 (docs/json.md). */
		if (pi->hidden & VMLAB_HIDDEN_REFCOUNT)
			json_null(j, "refcount");
		else
			json_uint(j, "refcount", pi->refcount);
		json_uint(j, "mapcount", pi->mapcount);
		if (pi->hidden & VMLAB_HIDDEN_STATE)
			json_null(j, "folio_pages");
		else
			json_uint(j, "folio_pages", pi->folio_pages);
	} else {
		json_null(j, "refcount");
		json_null(j, "mapcount");
		json_null(j, "folio_pages");
	}
	if (pi->page & VMLAB_PAGE_VMLAB)
		json_uint(j, "obj_offset", pi->obj_offset);
	else
		json_null(j, "obj_offset");
	if (pfn_shown && (pi->walk & VMLAB_WALK_VMA)) {
		/* pte first, up to pgd: raw[VMLAB_LEVEL_PTE - 1] is the PTE. */
		json_obj(j, "raw_entries");
		for (l = VMLAB_LEVEL_PTE; l <= VMLAB_LEVEL_PGD; l++)
			json_hex(j, level_names[l], pi->raw[l - 1]);
		json_obj_end(j);
	} else {
		json_null(j, "raw_entries");
	}
	json_bits_obj(j, "hidden", pi->hidden, JSON_BITS(hidden_bits));
	json_obj_end(j);
}
