// SPDX-License-Identifier: GPL-2.0
/*
 * vmlab inspect: what the page tables of a process hold, page by page:
 * a table, a block with every bit explained for one page, or JSON.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "json.h"

static const char inspect_help[] =
"usage: vmlab inspect [-p PID] [--json] ADDR [LEN]\n"
"\n"
"What the page tables of process PID (default: vmlab itself) hold for\n"
"the pages from ADDR (hex) for LEN bytes (default one page; K, M, G\n"
"suffixes; rounded up to whole pages): one line per page, or for a single\n"
"page a block with every bit explained.  From the module's INSPECT ioctl.\n"
"Without root some values are withheld and shown as \"" VC_HIDDEN_WORDS "\":\n"
"PFNs and raw entries always; the frame id (equal for equal frames) of\n"
"pages that are neither vmlab's, the zero page nor the process's anonymous\n"
"memory; and of pages other processes may map (a file's, shared ones) the\n"
"reference count, the locked, dirty, ksm and large bits, and the exact map\n"
"count beyond \"more than one\" (as /proc/kpagecount and kpageflags are\n"
"root's).\n"
"\n"
"  -p PID   the process (needs what reading /proc/PID/pagemap needs)\n"
"  --json   one JSON document, schema vmlab.inspect/1 (docs/json.md)\n";

struct bit_doc {
	uint64_t bit;
	const char *name, *yes, *no;
};

static const struct bit_doc entry_docs[] = {
	{ VMLAB_ENTRY_PRESENT, "present", "a frame is mapped here", "nothing mapped: an access faults" },
	{ VMLAB_ENTRY_WRITE, "write", "stores go straight to the frame",
	  "read-only: a store faults first (copy-on-write, dirty tracking, or not allowed)" },
	{ VMLAB_ENTRY_USER, "user", "user mode may access it", "kernel only" },
	{ VMLAB_ENTRY_ACCESSED, "accessed", "touched since the bit was last cleared", "not touched since" },
	{ VMLAB_ENTRY_DIRTY, "dirty", "written through this entry", "not written through this entry" },
	{ VMLAB_ENTRY_NX, "nx", "no execute", "executable" },
	{ VMLAB_ENTRY_SPECIAL, "special", "no refcounted struct page (zero page, PFN map)",
	  "a normal page" },
	{ VMLAB_ENTRY_SOFT_DIRTY, "soft-dirty", "written since soft-dirty bits were last cleared",
	  "clean since soft-dirty bits were last cleared" },
	{ VMLAB_ENTRY_PROTNONE, "protnone", "present, but no access (PROT_NONE or NUMA hinting)",
	  "as the MMU sees it" },
	{ VMLAB_ENTRY_LEAF, "leaf", "maps memory at this level", "points to a lower table" },
};

static const struct bit_doc page_docs[] = {
	{ VMLAB_PAGE_ANON, "anon", "anonymous memory (no file behind it)", NULL },
	{ VMLAB_PAGE_FILE, "file", "in a file's page cache (vmlab's object counts)", NULL },
	{ VMLAB_PAGE_KSM, "ksm", "merged by KSM", NULL },
	{ VMLAB_PAGE_ZERO, "zero",
	  "the kernel's zero page: anonymous memory's and vmlab's private holes'", NULL },
	{ VMLAB_PAGE_VMLAB_ZERO, "vmlab_zero", "vmlab's old zero frame (no module sets it now)", NULL },
	{ VMLAB_PAGE_VMLAB, "vmlab", "a page of vmlab's object", NULL },
	{ VMLAB_PAGE_LARGE, "large", "part of a large folio", NULL },
	{ VMLAB_PAGE_DIRTY, "dirty", "dirty: written since last written back", NULL },
	{ VMLAB_PAGE_LOCKED, "locked", "locked (I/O or a fault in progress)", NULL },
	{ VMLAB_PAGE_ANON_EXCLUSIVE, "anon_exclusive",
	  "anonymous and this process's alone: a store may reuse it without copying", NULL },
	{ VMLAB_PAGE_HUGETLB, "hugetlb", "a hugetlbfs page", NULL },
};

static const char *const level_words[] = {
	"no entry level", "PTE (4 KiB page)", "PMD (2 MiB)", "PUD (1 GiB)", "P4D", "PGD",
};

static void frame_str(const struct vmlab_page_info *pi, bool pfn_shown, char *buf, size_t len)
{
	if (!(pi->entry & VMLAB_ENTRY_PRESENT))
		snprintf(buf, len, "-");
	else if (pfn_shown)
		snprintf(buf, len, "%#" PRIx64 "", (uint64_t)pi->pfn);
	else
		snprintf(buf, len, VC_HIDDEN_SHORT);
}

/* The table's frame id column: its top 32 bits, "-" or VC_HIDDEN_SHORT. */
static void frame_id_str(const struct vmlab_page_info *pi, char *buf, size_t len)
{
	if (pi->hidden & VMLAB_HIDDEN_FRAME_ID)
		snprintf(buf, len, VC_HIDDEN_SHORT);
	else if (!pi->frame_id)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%08x", vmlab_frame_short(pi->frame_id));
}

static void page_facts_short(const struct vmlab_page_info *pi, char *buf, size_t len)
{
	size_t used = 0, i;
	int n;

	buf[0] = 0;
	for (i = 0; i < sizeof(page_docs) / sizeof(page_docs[0]); i++) {
		if (!(pi->page & page_docs[i].bit))
			continue;
		if (page_docs[i].bit == VMLAB_PAGE_VMLAB)
			n = snprintf(buf + used, len - used, "%svmlab@%" PRIu64, used ? "," : "",
				     (uint64_t)pi->obj_offset);
		else
			n = snprintf(buf + used, len - used, "%s%s", used ? "," : "",
				     page_docs[i].name);
		if (n < 0 || (size_t)n >= len - used)
			break;
		used += (size_t)n;
	}
	if (!used)
		snprintf(buf, len, "-");
}

static void inspect_block(pid_t pid, const struct vmlab_page_info *pi, bool pfn_shown)
{
	enum vc_pstate s = vc_page_state(pi);
	char perms[5], name[64];
	size_t i;

	printf("%sPage %#" PRIx64 " of process %d (%s)%s\n", vc(VC_BOLD), (uint64_t)pi->addr,
	       vc_shown_pid(pid), vc_pid_name(pid, name, sizeof(name)), vc(VC_RESET));
	printf("  state        %s%c %s%s: %s\n", vc(vc_pstates[s].color), vc_page_char(pi),
	       vc_pstates[s].name, vc(VC_RESET), vc_pstates[s].help);
	if (!(pi->walk & VMLAB_WALK_VMA)) {
		printf("  mapping      none: no VMA covers this address; an access is SIGSEGV\n");
		return;
	}
	vc_vm_perms(pi->vm_flags, perms);
	printf("  mapping      %#" PRIx64 "-%#" PRIx64 " %s, %s%s, file page offset %" PRIu64 "\n",
	       (uint64_t)pi->vma_start, (uint64_t)pi->vma_end, perms,
	       pi->vma & VMLAB_VMA_VMLAB ? "vmlab's object" :
	       pi->vma & VMLAB_VMA_FILE ? "a file" : "anonymous",
	       pi->vma & VMLAB_VMA_COW ? ", private and writable: copy on write" : "",
	       (uint64_t)pi->vma_pgoff);
	if (pi->vma & VMLAB_VMA_FILE)
		printf("               file: device %" PRIu64 ", inode %" PRIu64 "%s\n",
		       (uint64_t)pi->vma_dev, (uint64_t)pi->vma_ino,
		       pi->vma & VMLAB_VMA_ANON_VMA ? "; has anonymous pages (anon_vma)" : "");
	printf("  walk         PGD%s%s%s%s; the page is decided by the %s entry%s\n",
	       pi->walk & VMLAB_WALK_PGD ? " -> P4D" : "", pi->walk & VMLAB_WALK_P4D ? " -> PUD" : "",
	       pi->walk & VMLAB_WALK_PUD ? " -> PMD" : "", pi->walk & VMLAB_WALK_PMD ? " -> PTE" : "",
	       pi->level < 6 ? level_words[pi->level] : "?",
	       pi->walk & VMLAB_WALK_BAD ? " (a corrupt entry stopped the walk)" :
	       pi->walk & VMLAB_WALK_UNSTABLE ? " (entries kept changing: gave up)" :
	       pi->walk & VMLAB_WALK_SKIPPED ? " (not walked: shared hugetlb)" : "");
	if (!(pi->entry & VMLAB_ENTRY_PRESENT)) {
		static const char *const np[] = {
			"empty: never touched, or dropped", "swapped out", "being migrated",
			"device memory", "memory failure (hwpoison)", "a marker (uffd-wp, guard)", "other",
		};
		printf("  entry        not present: %s\n", pi->nonpresent < 7 ? np[pi->nonpresent] : "?");
		if (pi->nonpresent == VMLAB_NP_SWAP && (pi->hidden & VMLAB_HIDDEN_SWAP))
			printf("               swap device and offset %s\n", VC_HIDDEN_WORDS);
		else if (pi->nonpresent == VMLAB_NP_SWAP)
			printf("               swap device %" PRIu64 ", offset %s\n",
			       (uint64_t)pi->swap_type,
			       pfn_shown ? "shown to root only" : VC_HIDDEN_WORDS);
		return;
	}
	printf("  entry bits\n");
	for (i = 0; i < sizeof(entry_docs) / sizeof(entry_docs[0]); i++) {
		bool on = pi->entry & entry_docs[i].bit;

		printf("    %-11s %s%-3s%s  %s\n", entry_docs[i].name, on ? vc(VC_BOLD) : "",
		       on ? "yes" : "no", on ? vc(VC_RESET) : "", on ? entry_docs[i].yes : entry_docs[i].no);
	}
	if (pfn_shown)
		printf("  frame        PFN %#" PRIx64 " (physical address %#" PRIx64 "), frame id %#" PRIx64 "\n",
		       (uint64_t)pi->pfn, (uint64_t)pi->pfn * VC_PAGE_SIZE, (uint64_t)pi->frame_id);
	else if (pi->hidden & VMLAB_HIDDEN_FRAME_ID)
		printf("  frame        PFN and frame id %s: the page is neither vmlab's nor\n"
		       "               this process's anonymous memory\n", VC_HIDDEN_WORDS);
	else
		printf("  frame        frame id %#" PRIx64 " (PFN %s)\n", (uint64_t)pi->frame_id,
		       VC_HIDDEN_WORDS);
	if (pi->page & VMLAB_PAGE_VALID) {
		char mc[32], rc[32], fp[48];

		vc_mapcount_str(pi, false, mc, sizeof(mc));
		if (pi->hidden & VMLAB_HIDDEN_REFCOUNT)
			snprintf(rc, sizeof(rc), "%s", VC_HIDDEN_WORDS);
		else
			snprintf(rc, sizeof(rc), "%" PRIu64, (uint64_t)pi->refcount);
		if (pi->hidden & VMLAB_HIDDEN_STATE)
			snprintf(fp, sizeof(fp), "pages in its folio %s", VC_HIDDEN_WORDS);
		else
			snprintf(fp, sizeof(fp), "%" PRIu64 " page%s in its folio",
				 (uint64_t)pi->folio_pages, pi->folio_pages == 1 ? "" : "s");
		printf("  struct page  mapcount %s (page table entries mapping it), refcount %s,\n"
		       "               %s\n", mc, rc, fp);
		for (i = 0; i < sizeof(page_docs) / sizeof(page_docs[0]); i++)
			if (pi->page & page_docs[i].bit) {
				printf("    %-14s %s", page_docs[i].name, page_docs[i].yes);
				if (page_docs[i].bit == VMLAB_PAGE_VMLAB)
					printf(", at page %" PRIu64 " of the object",
					       (uint64_t)pi->obj_offset);
				printf("\n");
			}
		if (pi->hidden & VMLAB_HIDDEN_STATE)
			printf("    %-14s the locked, dirty, ksm and large bits are %s:\n"
			       "    %-14s other processes may map this page and move them\n"
			       "    %-14s (/proc/kpageflags is root's too)\n", "hidden",
			       VC_HIDDEN_WORDS, "", "");
		if (pi->hidden & VMLAB_HIDDEN_MAPCOUNT)
			printf("    %-14s the exact map count is root's: only 1 or \"more than one\"\n",
			       "");
	} else if (pi->page & VMLAB_PAGE_ZERO) {
		printf("  struct page  the kernel's zero page: a special entry, no count is kept "
		       "on it\n");
	} else {
		printf("  struct page  none examined: a special mapping (no refcounted page)\n");
	}
	if (pfn_shown)
		printf("  raw entries  pgd %#" PRIx64 " p4d %#" PRIx64 " pud %#" PRIx64
		       " pmd %#" PRIx64 " pte %#" PRIx64 "\n",
		       (uint64_t)pi->raw[4], (uint64_t)pi->raw[3], (uint64_t)pi->raw[2],
		       (uint64_t)pi->raw[1], (uint64_t)pi->raw[0]);
}

static const char *const level_names[] = { "none", "pte", "pmd", "pud", "p4d", "pgd" };
static const char *const np_names[] = {
	"none", "swap", "migration", "device", "hwpoison", "marker", "other",
};

/* The JSON names of the bits of one field of an inspect record. */
struct bit_name {
	const char *name;
	uint64_t bit;
};

#define BIT_NAMES(t)	(t), sizeof(t) / sizeof((t)[0])

static const struct bit_name vma_bits[] = {
	{ "file", VMLAB_VMA_FILE },
	{ "vmlab", VMLAB_VMA_VMLAB },
	{ "anon_vma", VMLAB_VMA_ANON_VMA },
	{ "cow", VMLAB_VMA_COW },
	{ "hugetlb", VMLAB_VMA_HUGETLB },
};

static const struct bit_name walk_bits[] = {
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

static const struct bit_name entry_bits[] = {
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

static const struct bit_name hidden_bits[] = {
	{ "pfn", VMLAB_HIDDEN_PFN },
	{ "swap", VMLAB_HIDDEN_SWAP },
	{ "frame_id", VMLAB_HIDDEN_FRAME_ID },
	{ "mapcount", VMLAB_HIDDEN_MAPCOUNT },
	{ "refcount", VMLAB_HIDDEN_REFCOUNT },
	{ "state", VMLAB_HIDDEN_STATE },
};

static const struct bit_name page_bits[] = {
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
static void bits_json(struct json *j, uint64_t v, const struct bit_name *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		json_bool(j, b[i].name, v & b[i].bit);
}

/* Object key: its raw value, then a boolean for each bit of the table. */
static void bits_json_obj(struct json *j, const char *key, uint64_t v,
			  const struct bit_name *b, size_t n)
{
	json_obj(j, key);
	json_hex(j, "raw", v);
	bits_json(j, v, b, n);
	json_obj_end(j);
}

static void page_json(struct json *j, const struct vmlab_page_info *pi, bool pfn_shown)
{
	bool present = pi->entry & VMLAB_ENTRY_PRESENT;
	char perms[5];
	int l;

	json_obj(j, NULL);
	json_hex(j, "addr", pi->addr);
	json_str(j, "state", vc_pstates[vc_page_state(pi)].name);
	json_str(j, "char", (char[]){ vc_page_char(pi), 0 });
	if (pi->walk & VMLAB_WALK_VMA) {
		json_obj(j, "vma");
		json_hex(j, "start", pi->vma_start);
		json_hex(j, "end", pi->vma_end);
		json_uint(j, "pgoff", pi->vma_pgoff);
		json_hex(j, "vm_flags", pi->vm_flags);
		vc_vm_perms(pi->vm_flags, perms);
		json_str(j, "perms", perms);
		bits_json(j, pi->vma, BIT_NAMES(vma_bits));
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
	bits_json_obj(j, "walk", pi->walk, BIT_NAMES(walk_bits));
	json_str(j, "level", pi->level < 6 ? level_names[pi->level] : "?");
	bits_json_obj(j, "entry", pi->entry, BIT_NAMES(entry_bits));
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
	bits_json_obj(j, "page", pi->page, BIT_NAMES(page_bits));
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
	bits_json_obj(j, "hidden", pi->hidden, BIT_NAMES(hidden_bits));
	json_obj_end(j);
}

int cmd_inspect(int argc, char **argv)
{
	struct vc_view_opts o = { .cmd = "inspect", .help = inspect_help, .max_pids = 1 };
	struct vmlab_page_info *pi;
	uintptr_t addr;
	uint64_t len = 0;
	size_t npages, i, mapped = 0;
	pid_t pid;
	bool shown = false;
	int fd, code = VC_OK;

	code = vc_view_opts(&o, vc_view_longopts, argc, argv);
	if (code != VC_GO_ON)
		return code;
	pid = o.pids[0];
	if (optind >= argc)
		return vc_usage_error("inspect", "which address?");
	if (vmlab_parse_addr(argv[optind], &addr))
		return vc_usage_error("inspect", "bad address '%s' (hex, e.g. 7f0000001000)",
				      argv[optind]);
	if (optind + 1 < argc && vmlab_parse_size(argv[optind + 1], &len))
		return vc_usage_error("inspect", "bad length '%s'", argv[optind + 1]);
	if (optind + 2 < argc)
		return vc_usage_error("inspect", "unexpected argument '%s'", argv[optind + 2]);
	addr &= ~(uintptr_t)(VC_PAGE_SIZE - 1);
	npages = len ? (size_t)((len + VC_PAGE_SIZE - 1) / VC_PAGE_SIZE) : 1;
	if (npages > (1UL << 24))
		return vc_usage_error("inspect", "%zu pages is too many", npages);
	fd = vc_open_for(&pid, 1, &code);
	if (fd < 0)
		return code;
	pi = vc_get_pages(fd, pid, addr, npages, &shown, &code);
	close(fd);
	if (!pi)
		return code;
	for (i = 0; i < npages; i++)
		mapped += !!(pi[i].walk & VMLAB_WALK_VMA);
	if (!mapped) {
		free(pi);
		return vc_not_mapped(addr, pid);
	}
	if (o.json) {
		struct json j;

		json_doc(&j, "vmlab.inspect/1");
		json_int(&j, "pid", vc_shown_pid(pid));
		json_uint(&j, "page_size", VC_PAGE_SIZE);
		json_bool(&j, "pfn_shown", shown);
		json_hex(&j, "addr", addr);
		json_uint(&j, "npages", npages);
		json_arr(&j, "pages");
		for (i = 0; i < npages; i++)
			page_json(&j, &pi[i], shown);
		json_arr_end(&j);
		json_doc_end(&j);
	} else if (npages == 1) {
		inspect_block(pid, &pi[0], shown);
	} else {
		char fr[24], fid[24], facts[96], perms[5], mc[16];
		bool any_hidden = false;

		printf("%s%-14s %-2s %-11s %-5s %-10s %-10s %-5s %-4s %s%s\n", vc(VC_BOLD), "address",
		       "", "state", "pwdau", "PFN", "frame id", "perm", "map",
		       "page", vc(VC_RESET));
		for (i = 0; i < npages; i++) {
			enum vc_pstate s = vc_page_state(&pi[i]);
			uint64_t e = pi[i].entry;

			frame_str(&pi[i], shown, fr, sizeof(fr));
			frame_id_str(&pi[i], fid, sizeof(fid));
			page_facts_short(&pi[i], facts, sizeof(facts));
			any_hidden |= pi[i].hidden & ~VMLAB_HIDDEN_PFN;
			if (pi[i].walk & VMLAB_WALK_VMA)
				vc_vm_perms(pi[i].vm_flags, perms);
			else
				strcpy(perms, "----");
			printf("%-14" PRIxPTR " %s%c%s  %-11s %c%c%c%c%c %-10s %-10s %-5s ",
			       (uintptr_t)pi[i].addr, vc(vc_pstates[s].color), vc_page_char(&pi[i]),
			       vc(VC_RESET), vc_pstates[s].name,
			       e & VMLAB_ENTRY_PRESENT ? 'p' : '-', e & VMLAB_ENTRY_WRITE ? 'w' : '-',
			       e & VMLAB_ENTRY_DIRTY ? 'd' : '-', e & VMLAB_ENTRY_ACCESSED ? 'a' : '-',
			       e & VMLAB_ENTRY_USER ? 'u' : '-', fr, fid, perms);
			if (pi[i].page & VMLAB_PAGE_VALID)
				printf("%-4s %s%s\n", vc_mapcount_str(&pi[i], true, mc, sizeof(mc)),
				       facts, pi[i].hidden & VMLAB_HIDDEN_STATE ?
				       ",state:" VC_HIDDEN_SHORT : "");
			else
				printf("%-4s %s\n", "-", facts);
		}
		printf("\npwdau: present, write, dirty, accessed, user bits of the entry; map: "
		       "mapcount; frame id:\nthe top 32 bits of the module's frame id (equal "
		       "for equal frames).  `vmlab inspect ADDR`\nexplains one page in full.\n");
		if (!shown || any_hidden)
			printf("%s: %s, withheld from this user (PFNs; for pages other processes "
			       "may map, the\nframe id, the page's state bits, and its map count "
			       "beyond 2+ = \"more than one\").\n", VC_HIDDEN_SHORT,
			       VC_HIDDEN_WORDS);
	}
	free(pi);
	return VC_OK;
}
