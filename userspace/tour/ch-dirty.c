// SPDX-License-Identifier: GPL-2.0
/*
 * Chapter 9, dirty pages and write-back.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "tour.h"
#include "figure.h"

/* The dirty page's life, a column per step (the figure of --html). */
static struct fig_states life;

static void life_step(const char *label, const struct pev *e, const struct vmlab_stats *b,
		      long long mkwrite)
{
	int n = life.nsteps;

	if (n == FIG_STEPS)
		return;
	snprintf(life.step[n], sizeof(life.step[n]), "%s", label);
	life.on[n][0] = e->present;
	life.on[n][1] = e->write_known && e->write;
	life.on[n][2] = e->write_known && e->pte_dirty;
	life.on[n][3] = b->pages_dirty > 0;
	life.on[n][4] = mkwrite > 0;
	/* The frame, as the text names it first: PFN for root, else frame id. */
	if (e->have_pfn)
		snprintf(life.note[n], sizeof(life.note[n]), "PFN %#" PRIx64, e->pfn);
	else
		snprintf(life.note[n], sizeof(life.note[n]), "%s", frame_name(e));
	life.nsteps++;
}

#define EXPIRE		"/proc/sys/vm/dirty_expire_centisecs"
#define WRITEBACK	"/proc/sys/vm/dirty_writeback_centisecs"

/*
 * Claim 23: a dirty page of the object, left alone well past the kernel's
 * expiry (shortened to 0.2 s for it, root only), stays dirty.
 */
static void left_alone(void)
{
	struct vmlab_stats a, b;
	long exp0 = vmlab_read_long(EXPIRE), wb0 = vmlab_read_long(WRITEBACK);
	char s[32];
	bool ok;

	step("leave the dirty page alone%s: sleep 2 s", T.root ? ", with the kernel's "
	     "dirty expiry and flusher interval set to 0.2 s" : "");
	ev("the kernel writes back a file's dirty pages by itself once they are %ld.%02ld s "
	   "old (%s), its flusher waking every %ld.%02ld s (%s)", exp0 / 100, exp0 % 100,
	   EXPIRE, wb0 / 100, wb0 % 100, WRITEBACK);
	if (!T.root || exp0 <= 0 || wb0 <= 0 || vmlab_write_str(EXPIRE, "20") ||
	    vmlab_write_str(WRITEBACK, "20")) {
		claim_skip(23, "shortening the kernel's dirty expiry needs root, and waiting "
			   "for it is too long for the tour; run the tour as root to see it.");
		return;
	}
	stats(&a);
	sleep(2);
	stats(&b);
	snprintf(s, sizeof(s), "%ld", exp0);
	vmlab_write_str(EXPIRE, s);
	snprintf(s, sizeof(s), "%ld", wb0);
	vmlab_write_str(WRITEBACK, s);
	ok = check(D(a, b, pages_cleaned) == 0 && b.pages_dirty == 1,
		   "after ten times the expiry the page is still dirty: module: "
		   "pages_dirty %llu, pages_cleaned %+lld", (unsigned long long)b.pages_dirty,
		   D(a, b, pages_cleaned));
	check(vmlab_read_long(EXPIRE) == exp0 && vmlab_read_long(WRITEBACK) == wb0,
	      "the two settings are back to %ld and %ld", exp0, wb0);
	claim_end(23, ok, "nothing went by itself here: the object lives in RAM, with no "
		  "disk behind it (as tmpfs), so the kernel's flusher never writes it back; "
		  "only msync() or fsync() clean it. For a file on a disk, the flusher "
		  "writes dirty pages back some %ld s after the store (dirty_expire), or "
		  "sooner under memory pressure: \"later\" is seconds, and a crash before "
		  "then loses the data.", exp0 / 100);
}

void ch_dirty(void)
{
	struct vmlab_stats a, b;
	struct pev e;
	bool ok;
	long f0, f1;
	char *m;
	int fd;

	para("The kernel must know which pages of a shared file mapping were written, "
	     "to write them back. It maps a clean page read-only: the first store "
	     "faults, the kernel calls the file's page_mkwrite handler, then marks the "
	     "page dirty. "
	     "Later stores go straight through. Writing back (msync, fsync) cleans the "
	     "page and write-protects it again, so the next store is noticed again.");
	fd = open_dev();
	if (fd < 0)
		return;
	step("m = mmap(4 pages, MAP_SHARED, fd); read page 0");
	m = map_dev(fd, 4 * T.ps, true);
	if (!m) {
		close(fd);
		return;
	}
	stats(&a);
	(void)*(volatile char *)m;
	stats(&b);
	e = pev(0, m);
	check(b.pages_dirty == 0 && e.present && (!e.write_known || !e.write),
	      "a clean page (pages_dirty 0), mapped read-only: %s", pev_str(&e));
	memset(&life, 0, sizeof(life));
	snprintf(life.title, sizeof(life.title), "The dirty page's life: page 0 of a MAP_SHARED "
		 "mapping of the object");
	life.nbits = 5;
	snprintf(life.bit[0], sizeof(life.bit[0]), "present");
	snprintf(life.bit[1], sizeof(life.bit[1]), "writable (PTE)");
	snprintf(life.bit[2], sizeof(life.bit[2]), "dirty (PTE)");
	snprintf(life.bit[3], sizeof(life.bit[3]), "dirty (pages_dirty)");
	snprintf(life.bit[4], sizeof(life.bit[4]), "page_mkwrite called");
	life_step("clean: read", &e, &b, D(a, b, page_mkwrite));

	step("m[0] = 'x': the first store");
	stats(&a);
	f0 = vmlab_minflt();
	m[0] = 'x';
	f1 = vmlab_minflt();
	stats(&b);
	e = pev(0, m);
	ok = check(D(a, b, page_mkwrite) == 1 && b.pages_dirty == 1 && f1 - f0 >= 1,
		   "it faulted (%ld minor fault); module: %s", f1 - f0, diff_str(&a, &b));
	ok &= check(!e.write_known || (e.write && e.pte_dirty), "%s", pev_str(&e));
	life_step("dirty: 1st store", &e, &b, D(a, b, page_mkwrite));
	claim_end(22, ok, "the store set the dirty bit of the page table entry%s, and the "
		  "first store to the clean page also faulted, through the file's "
		  "page_mkwrite, and the page itself was marked dirty.",
		  e.write_known ? " (inspect: dirty)" : "");

	step("m[1] = 'y': a second store to the same page");
	stats(&a);
	f0 = vmlab_minflt();
	m[1] = 'y';
	f1 = vmlab_minflt();
	stats(&b);
	check(D(a, b, page_mkwrite) == 0 && f1 == f0,
	      "no fault, no page_mkwrite: it went straight to memory (%ld faults)", f1 - f0);
	e = pev(0, m);
	life_step("2nd store", &e, &b, D(a, b, page_mkwrite));

	step("msync(m, 4 pages, MS_SYNC): write the dirty page back");
	stats(&a);
	msync(m, 4 * T.ps, MS_SYNC);
	stats(&b);
	e = pev(0, m);
	check(D(a, b, pages_cleaned) == 1 && b.pages_dirty == 0,
	      "module: %s: clean again", diff_str(&a, &b));
	check(!e.write_known || !e.write, "write-protected again: %s", pev_str(&e));
	life_step("cleaned: msync", &e, &b, D(a, b, page_mkwrite));

	step("m[2] = 'z': store again");
	stats(&a);
	m[2] = 'z';
	stats(&b);
	check(D(a, b, page_mkwrite) == 1 && b.pages_dirty == 1,
	      "noticed again: %s", diff_str(&a, &b));
	e = pev(0, m);
	life_step("dirty again", &e, &b, D(a, b, page_mkwrite));

	left_alone();

	step("fsync(fd): the same for the whole file");
	stats(&a);
	fsync(fd);
	stats(&b);
	check(D(a, b, pages_cleaned) == 1 && b.pages_dirty == 0, "module: %s", diff_str(&a, &b));
	e = pev(0, m);
	life_step("cleaned: fsync", &e, &b, D(a, b, page_mkwrite));
	fig_states(&life, "Clean and write-protected, dirty, cleaned and write-protected again: "
		   "each column the page after that step (inspect and the module's counters)");
	munmap(m, 4 * T.ps);
	close(fd);
	observed("the first store after each write-back faulted into page_mkwrite and "
		 "dirtied the page; msync and fsync cleaned and write-protected it");
}
