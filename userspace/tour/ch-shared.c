// SPDX-License-Identifier: GPL-2.0
/*
 * Chapter 4, shared versus private mappings.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "tour.h"

static const char *const ab[] = { "this process (A)", "process B" };

void ch_shared(void)
{
	struct vmlab_stats a, b;
	struct peer pr = { 0 };
	struct pev es, ep, eb, ep2;
	char bs[16], bp[16], bb[16], bf[16];
	char *s, *p, *pb = NULL;
	bool r, ok_one = false, ok_b, ok_read, ok_p, ok;
	int fd;

	para("One object, mapped two ways. Through a MAP_SHARED mapping a store goes to "
	     "the object itself: every process that maps it, and read(), see it at once, "
	     "since they all use the same frame. Through a MAP_PRIVATE mapping a store "
	     "copies the page first, and nobody else sees it.");
	fd = open_dev();
	if (fd < 0)
		return;
	if (pwrite(fd, "original", 8, 0) != 8 || fsync(fd)) {
		check(false, "write: %s", strerror(errno));
		close(fd);
		return;
	}
	step("write \"original\" to the object; map it MAP_SHARED (s) and MAP_PRIVATE (p); "
	     "another process B maps it MAP_SHARED itself");
	s = map_dev(fd, T.ps, true);
	p = map_dev(fd, T.ps, false);
	if (!s || !p || !peer_start(&pr))
		goto out;
	pb = peer_map(&pr, T.ps, true);
	if (!pb) {
		check(false, "process B could not map %s", VMLAB_DEVICE);
		goto out;
	}
	memset(bs, 0, sizeof(bs));
	memset(bp, 0, sizeof(bp));
	memset(bb, 0, sizeof(bb));
	memcpy(bs, s, 8);
	memcpy(bp, p, 8);
	if (!peer_read(&pr, pb, bb, 8))
		goto out;
	es = pev(0, s);
	ep = pev(0, p);
	eb = pev(pr.pid, pb);
	ev("s reads \"%s\", p reads \"%s\", B (pid %d) reads \"%s\"", bs, bp, (int)pr.pid, bb);
	ok_one = check(same(&es, &ep) && same(&es, &eb) && (!T.inspect || es.obj),
		       "all three map the same frame, the object's page: %s", frame_name(&es));
	fig_rows("Before the stores: s, p and B's mapping map the object's one frame", 2, ab,
		 (pid_t[]){ 0, pr.pid }, (const void *[]){ s, p, pb, NULL },
		 (const char *[]){ "s (shared)", "p (private)", "B's (shared)", NULL }, 2);

	step("memcpy(s, \"shared!!\", 8): store through the shared mapping");
	memcpy(s, "shared!!", 8);
	memset(bf, 0, sizeof(bf));
	r = peer_read(&pr, pb, bb, 8) && pread(fd, bf, 8, 0) == 8;
	memcpy(bp, p, 8);
	ok_b = check(r && !memcmp(bb, "shared!!", 8), "B sees \"%s\" at once, through its own "
		     "mapping", bb);
	ok_read = check(!memcmp(bf, "shared!!", 8), "read() sees \"%s\"", bf);
	ok_p = check(!memcmp(bp, "shared!!", 8), "p sees \"%s\" too: it has written nothing, so "
		     "it still maps the object's page", bp);
	claim_end(13, ok_one && ok_b, "another process's MAP_SHARED mapping saw the store at "
		  "once, with no system call: both map the same frame.");
	claim_end(24, ok_one && ok_read, "read() returned the new bytes at once. It copies "
		  "from the very frame the store went to, so there is no older copy to be "
		  "out of date. (Only a program's own stdio buffer, filled by fread() before "
		  "the store, can hold old data: that is its copy, not the file.)");

	step("memcpy(p, \"private!\", 8): store through the private mapping");
	stats(&a);
	memcpy(p, "private!", 8);
	stats(&b);
	ep2 = pev(0, p);
	ok = check(ep2.present && !same(&ep2, &es) && ep2.anon && (!ep2.write_known || ep2.write),
		   "p now maps a copy of its own: %s", pev_str(&ep2));
	memcpy(bs, s, 8);
	memcpy(bp, p, 8);
	r = peer_read(&pr, pb, bb, 8) && pread(fd, bf, 8, 0) == 8;
	r = check(r && !memcmp(bs, "shared!!", 8) && !memcmp(bb, "shared!!", 8) &&
		  !memcmp(bf, "shared!!", 8) && !memcmp(bp, "private!", 8),
		  "p reads \"%s\"; s, B and read() still read \"%s\": nobody else sees\n"
		  "the private store", bp, bs);
	r &= check(D(a, b, pages_allocated) == 0, "the object did not change; module counters: "
		   "%s", diff_str(&a, &b));
	fig_rows("After the private store: p maps a private copy; s and B still the object's "
		 "page", 2, ab, (pid_t[]){ 0, pr.pid }, (const void *[]){ s, p, pb, NULL },
		 (const char *[]){ "s (shared)", "p (private)", "B's (shared)", NULL }, 2);
	claim_end(14, ok && r, "the private store went to a new anonymous frame of p's own: "
		  "the other mappings, read() and the object still have the old bytes.");
	claim_end(15, ok_one && ok_p && ok, "p mapped the object's own page until it wrote; "
		  "its store faulted and the kernel gave p a copy (copy-on-write), for p "
		  "alone.");
	observed("the shared store reached B and read() through one frame (%s); the "
		 "private store went to a new anonymous frame (%s) that nobody else sees",
		 frame_name(&es), frame_name(&ep2));
out:
	peer_stop(&pr);
	if (s)
		munmap(s, T.ps);
	if (p)
		munmap(p, T.ps);
	close(fd);
}
