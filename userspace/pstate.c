// SPDX-License-Identifier: GPL-2.0
/*
 * Page states: what one inspect record says a page is (unmapped, not
 * present, the zero page, vmlab's object, a private copy...), its grid
 * character, and the values INSPECT withheld, in words.
 */
#include <inttypes.h>
#include <stdio.h>

#include "cmd.h"

const struct vc_pstate_desc vc_pstates[VC_PS_NR] = {
	[VC_PS_UNMAPPED] = { ' ', "unmapped", VC_DIM, "no mapping (VMA) at this address" },
	[VC_PS_NOT_PRESENT] = { '.', "not_present", VC_DIM,
				"mapped, but no frame yet: the first touch will fault" },
	[VC_PS_ZERO] = { '0', "zero", VC_BLUE,
		"the kernel's zero page: one frame of zeros for every never-written page" },
	[VC_PS_OBJECT] = { 'S', "object", VC_GREEN,
			   "a page of vmlab's object, the same frame for every process" },
	[VC_PS_COPY] = { 'C', "copy", VC_YELLOW,
			 "a private copy: an anonymous page in a file (or vmlab) mapping" },
	[VC_PS_ANON] = { 'A', "anon", VC_MAGENTA, "an anonymous page in an anonymous mapping" },
	[VC_PS_FILE] = { 'F', "file", VC_CYAN, "a page of another file's page cache" },
	[VC_PS_HUGE] = { 'H', "huge", VC_RED,
			 "mapped by a huge page table entry (2 MiB or 1 GiB)" },
	[VC_PS_SWAP] = { '*', "swap", VC_RED, "swapped out" },
	[VC_PS_NP_OTHER] = { '~', "nonpresent_other", VC_RED,
			     "a non-present entry: migration, marker, device" },
	[VC_PS_OTHER] = { '#', "other", VC_CYAN,
			  "a frame that is neither anonymous nor a file's (vDSO, device memory)" },
	[VC_PS_UNKNOWN] = { '?', "unknown", VC_RED, "the page table walk could not tell" },
};

enum vc_pstate vc_page_state(const struct vmlab_page_info *pi)
{
	if (!(pi->walk & VMLAB_WALK_VMA))
		return VC_PS_UNMAPPED;
	if (pi->walk & (VMLAB_WALK_BAD | VMLAB_WALK_UNSTABLE | VMLAB_WALK_SKIPPED))
		return VC_PS_UNKNOWN;
	if (!(pi->entry & VMLAB_ENTRY_PRESENT)) {
		switch (pi->nonpresent) {
		case VMLAB_NP_NONE:
			return VC_PS_NOT_PRESENT;
		case VMLAB_NP_SWAP:
			return VC_PS_SWAP;
		default:
			return VC_PS_NP_OTHER;
		}
	}
	if (pi->level == VMLAB_LEVEL_PMD || pi->level == VMLAB_LEVEL_PUD ||
	    (pi->page & VMLAB_PAGE_HUGETLB))
		return VC_PS_HUGE;
	if (pi->page & (VMLAB_PAGE_ZERO | VMLAB_PAGE_VMLAB_ZERO))
		return VC_PS_ZERO;
	if (pi->page & VMLAB_PAGE_VMLAB)
		return VC_PS_OBJECT;
	if (pi->page & VMLAB_PAGE_ANON)
		return pi->vma & VMLAB_VMA_FILE ? VC_PS_COPY : VC_PS_ANON;
	if (pi->page & VMLAB_PAGE_FILE)
		return VC_PS_FILE;
	return VC_PS_OTHER;
}

char vc_page_char(const struct vmlab_page_info *pi)
{
	enum vc_pstate s = vc_page_state(pi);
	char c = vc_pstates[s].ch;

	if (c >= 'A' && c <= 'Z' && !(pi->entry & VMLAB_ENTRY_WRITE))
		c = (char)(c - 'A' + 'a');
	return c;
}

char *vc_mapcount_str(const struct vmlab_page_info *pi, bool short_form, char *buf, size_t len)
{
	if ((pi->hidden & VMLAB_HIDDEN_MAPCOUNT) && pi->mapcount >= 2)
		snprintf(buf, len, "%s", short_form ? "2+" : "more than one");
	else
		snprintf(buf, len, "%" PRIu64, (uint64_t)pi->mapcount);
	return buf;
}

void vc_vm_perms(uint64_t f, char out[5])
{
	out[0] = f & 0x1 ? 'r' : '-';		/* VM_READ */
	out[1] = f & 0x2 ? 'w' : '-';		/* VM_WRITE */
	out[2] = f & 0x4 ? 'x' : '-';		/* VM_EXEC */
	out[3] = f & 0x80 ? 's' : 'p';		/* VM_MAYSHARE */
	out[4] = 0;
}
