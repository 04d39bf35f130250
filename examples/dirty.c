// SPDX-License-Identifier: GPL-2.0
/*
 * dirty: a store into a shared page marks it dirty; write-back (msync()
 * or fsync()) makes it clean again.
 *
 * The first store to a clean page of a shared mapping faults once more
 * (the module's page_mkwrite), which marks the page dirty: smaps counts
 * it under Private_Dirty (one process maps it), the module under
 * pages_dirty.  msync(MS_SYNC) asks for write-back: vmlab's object has no
 * disk, so write-back only marks the page clean and write-protects it,
 * so that the next store faults and dirties it again.  fsync() does the
 * same for the whole file.  Nothing is written back by close() or
 * munmap(): only these calls clean a page.
 */
#include "evidence.h"

int main(void)
{
	int fd = vmlab_open();
	struct vmlab_stats a, b;
	char *m;

	printf("dirty: a store dirties a shared page; msync/fsync cleans it\n");
	vmlab_reset(fd);	/* no dirty pages anywhere in the object */
	m = mmap(NULL, PS, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED)
		die("mmap");
	(void)*(volatile char *)m;	/* a read: the page comes in, clean */
	check(smaps(m, "Private_Dirty") == 0 && vmlab_stats(fd).pages_dirty == 0,
	      "after a read: smaps Private_Clean %ld kB, Private_Dirty %ld kB",
	      smaps(m, "Private_Clean"), smaps(m, "Private_Dirty"));

	a = vmlab_stats(fd);
	strcpy(m, "dirty now");
	b = vmlab_stats(fd);
	printf("strcpy(m, \"dirty now\")\n");
	check(smaps(m, "Private_Dirty") == (long)(PS / 1024),
	      "smaps: Private_Dirty %ld kB", smaps(m, "Private_Dirty"));
	check(b.page_mkwrite - a.page_mkwrite == 1 && b.pages_dirty == 1,
	      "module: page_mkwrite +%llu, pages_dirty %llu",
	      (unsigned long long)(b.page_mkwrite - a.page_mkwrite),
	      (unsigned long long)b.pages_dirty);

	msync(m, PS, MS_SYNC);
	b = vmlab_stats(fd);
	printf("msync(m, %zu, MS_SYNC)\n", PS);
	check(smaps(m, "Private_Dirty") == 0 && smaps(m, "Private_Clean") == (long)(PS / 1024),
	      "smaps: Private_Dirty %ld kB, Private_Clean %ld kB",
	      smaps(m, "Private_Dirty"), smaps(m, "Private_Clean"));
	check(b.pages_dirty == 0 && b.pages_cleaned - a.pages_cleaned == 1,
	      "module: pages_dirty %llu, pages_cleaned +1", (unsigned long long)b.pages_dirty);

	a = vmlab_stats(fd);
	m[0] = 'D';		/* the page is write-protected: one fault again */
	b = vmlab_stats(fd);
	printf("m[0] = 'D'; then fsync(fd)\n");
	check(b.page_mkwrite - a.page_mkwrite == 1 && b.pages_dirty == 1,
	      "the next store faulted again (page_mkwrite +1): dirty again");
	fsync(fd);
	check(vmlab_stats(fd).pages_dirty == 0 && smaps(m, "Private_Dirty") == 0,
	      "after fsync(fd): clean again");
	munmap(m, PS);
	close(fd);
	return ev_exit();
}
