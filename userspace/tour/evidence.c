// SPDX-License-Identifier: GPL-2.0
/*
 * The tour's evidence: the device and its counters, and what the kernel
 * maps at an address (pagemap, kpageflags, kpagecount and, where the
 * module has it, VMLAB_IOC_INSPECT), said in words.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "tour.h"

void stats(struct vmlab_stats *st)
{
	if (vmlab_get_stats(T.fd, st))
		memset(st, 0, sizeof(*st));
}

const char *diff_str(const struct vmlab_stats *a, const struct vmlab_stats *b)
{
	static char buf[512];

	return vmlab_stats_diff_str(a, b, buf, sizeof(buf));
}

int open_dev(void)
{
	int fd = vmlab_open(O_RDWR);

	if (fd < 0)
		check(false, "open %s: %s", VMLAB_DEVICE, strerror(errno));
	return fd;
}

void *map_dev(int fd, size_t len, bool shared)
{
	void *m = mmap(NULL, len, PROT_READ | PROT_WRITE, shared ? MAP_SHARED : MAP_PRIVATE,
		       fd, 0);

	if (m == MAP_FAILED) {
		check(false, "mmap(%zu bytes, %s) of %s: %s", len,
		      shared ? "MAP_SHARED" : "MAP_PRIVATE", VMLAB_DEVICE, strerror(errno));
		return NULL;
	}
	return m;
}

struct pev pev(pid_t pid, const void *addr)
{
	uintptr_t a = (uintptr_t)addr & ~(uintptr_t)(T.ps - 1);
	struct vmlab_page_info pi;
	struct vmlab_pm pm = vmlab_pagemap1(pid, a);
	struct pev e = { .mapcount = -1, .kpagecount = -1, .obj_off = -1, .state = PS_UNKNOWN,
			 .ch = '?' };
	uint64_t kf, cnt;

	e.present = pm.present;
	e.swapped = pm.swapped;
	e.exclusive = pm.exclusive;
	if (pm.present && pm.pfn) {
		e.have_pfn = true;
		e.pfn = pm.pfn;
		e.frame = pm.pfn;
		e.have_frame = true;
		if (!vmlab_kpageflags(pm.pfn, &kf)) {
			e.anon = vmlab_kpf(kf, VMLAB_KPF_ANON);
			e.kzero = vmlab_kpf(kf, VMLAB_KPF_ZERO_PAGE);
			e.page_dirty = vmlab_kpf(kf, VMLAB_KPF_DIRTY);
			e.file = !e.anon && !e.kzero && pm.file;
		}
		if (!vmlab_kpagecount(pm.pfn, &cnt))
			e.mapcount = e.kpagecount = (long)cnt;
	}
	if (T.inspect && !vmlab_inspect(T.fd, pid, a, 1, &pi, NULL)) {
		e.present = pi.entry & VMLAB_ENTRY_PRESENT;
		e.write_known = true;
		e.write = pi.entry & VMLAB_ENTRY_WRITE;
		e.pte_dirty = pi.entry & VMLAB_ENTRY_DIRTY;
		e.state = page_state(&pi);
		e.ch = page_char(&pi);
		e.special = pi.entry & VMLAB_ENTRY_SPECIAL;
		if (e.present && (pi.hidden & VMLAB_HIDDEN_FRAME_ID)) {
			/* pagemap's PFN (root) still names the frame. */
			e.frame_hidden = !e.have_pfn;
			e.have_frame = e.have_pfn;
		} else if (e.present) {
			e.frame_id = pi.frame_id;
			e.frame = pi.frame_id;
			e.have_frame = true;
		}
		if (e.present) {
			if (pi.pfn) {
				e.pfn = pi.pfn;
				e.have_pfn = true;
			}
			e.kzero = pi.page & VMLAB_PAGE_ZERO;
			e.vzero = pi.page & VMLAB_PAGE_VMLAB_ZERO;
			if (pi.page & VMLAB_PAGE_VALID) {
				e.anon = pi.page & VMLAB_PAGE_ANON;
				e.file = pi.page & VMLAB_PAGE_FILE;
				e.obj = pi.page & VMLAB_PAGE_VMLAB;
				e.page_dirty = pi.page & VMLAB_PAGE_DIRTY;
				e.mapcount = (long)pi.mapcount;
				e.map_hidden = pi.hidden & VMLAB_HIDDEN_MAPCOUNT;
				if (e.obj)
					e.obj_off = (long)pi.obj_offset;
			}
		}
	}
	if (!e.present)
		e.have_frame = e.have_pfn = false;
	/* The zero page's entries are special: kpagecount does not count them. */
	if (e.kzero)
		e.mapcount = -1;
	return e;
}

bool same(const struct pev *a, const struct pev *b)
{
	return a->present && b->present && a->have_frame && b->have_frame && a->frame == b->frame;
}

/* "PFN 0x1234 (frame 3fa2c1d0)" */
const char *frame_name(const struct pev *e)
{
	static char buf[4][64];
	static int i;

	i = (i + 1) % 4;
	if (!e->present)
		snprintf(buf[i], sizeof(buf[i]), "no frame");
	else if (e->have_pfn && e->frame_id)
		snprintf(buf[i], sizeof(buf[i]), "PFN %#" PRIx64 ", frame %08x", e->pfn,
			 vmlab_frame_short(e->frame_id));
	else if (e->have_pfn)
		snprintf(buf[i], sizeof(buf[i]), "PFN %#" PRIx64, e->pfn);
	else if (e->frame_id)
		snprintf(buf[i], sizeof(buf[i]), "frame %08x", vmlab_frame_short(e->frame_id));
	else if (e->frame_hidden)
		snprintf(buf[i], sizeof(buf[i]), "a frame (PFN and frame id %s)", HIDDEN_WORDS);
	else
		snprintf(buf[i], sizeof(buf[i]), "a frame (PFN %s)", HIDDEN_WORDS);
	return buf[i];
}

/* One line about a page: frame, bits, kind. */
const char *pev_str(const struct pev *e)
{
	static char buf[4][256];
	static int i;
	char *b;

	i = (i + 1) % 4;
	b = buf[i];
	if (!e->present) {
		snprintf(b, 256, "not present%s", e->swapped ? " (swapped out)" : "");
		return b;
	}
	snprintf(b, 256, "present, %s%s%s%s", frame_name(e),
		 !e->write_known ? "" : e->write ? ", writable" : ", read-only",
		 e->write_known && e->pte_dirty ? ", dirty" : "",
		 e->obj ? ", the object's page" : e->vzero ? ", vmlab's zero frame" :
		 e->kzero ? ", the kernel's zero page" : e->anon ? ", anonymous" :
		 e->file ? ", a file page" : "");
	if (e->obj_off >= 0)
		snprintf(b + strlen(b), 256 - strlen(b), " %ld", e->obj_off);
	if (e->map_hidden && e->mapcount >= 2)
		snprintf(b + strlen(b), 256 - strlen(b), ", mapped more than once (the exact "
			 "count is %s)", HIDDEN_WORDS);
	else if (e->mapcount >= 0)
		snprintf(b + strlen(b), 256 - strlen(b), ", mapped %ld time%s", e->mapcount,
			 e->mapcount == 1 ? "" : "s");
	else if (e->kzero && e->special)
		snprintf(b + strlen(b), 256 - strlen(b), ", a special entry (no count on the page)");
	return b;
}

const char *maps_line(pid_t pid, const void *addr)
{
	static char buf[512];

	if (vmlab_maps_line(pid, (uintptr_t)addr, buf, sizeof(buf)))
		snprintf(buf, sizeof(buf), "(no mapping)");
	return buf;
}
