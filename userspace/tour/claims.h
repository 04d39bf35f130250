/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The claims of the study notes the tour checks, one row each, numbered as
 * in the notes' list (docs/claims.md):
 *
 *	CLAIM(n, truth, chapter, claim)
 *
 * truth is what Linux does with it: TRUE, FALSE, or PARTLY (true only as a
 * simplification).  chapter is the name of the chapter that checks it
 * (chapters.h), or NULL where no chapter checks it yet.  The chapter
 * settles the claim with claim_end(n, ...) at the step that shows it;
 * a claim listed here for a chapter that ends without settling it fails
 * that chapter.  No include guard: claims.c includes the list to make
 * its table.
 */
CLAIM(1, TRUE, "file",
	"mmap() of a file adds an area to the process, a line like \"rw-s testfile\" in "
	"/proc/PID/maps")
CLAIM(2, FALSE, "file",
	"mmap() reads the file into memory")
CLAIM(3, PARTLY, "demand",
	"a file's pages come into memory only when first touched, one page per fault")
CLAIM(4, PARTLY, "file",
	"at a page fault the kernel copies the file's data into a free frame")
CLAIM(5, TRUE, "demand",
	"touching a page with no page table entry faults; the kernel gives it a frame and "
	"the program goes on, unaware")
CLAIM(6, PARTLY, "swap",
	"each page of a mapping is in one of three states: never used, in memory, or not "
	"in memory (on disk)")
CLAIM(7, TRUE, "demand",
	"malloc(100 MB) costs no memory; each 10 MB touched adds 10 MB of memory used")
CLAIM(8, TRUE, "file",
	"mappings are made of whole pages: 7 bytes mapped take a page, wasting the rest")
CLAIM(9, TRUE, "nomem",
	"mmap() of 100 MiB of a 6-byte file succeeds")
CLAIM(10, TRUE, "file",
	"a memcpy() into a MAP_SHARED mapping changes the file")
CLAIM(11, PARTLY, "file",
	"once mapped, a file is read with no system call or context switch, only page "
	"faults: so it is faster than read()")
CLAIM(12, TRUE, "file",
	"read() and write() copy the data through a buffer of the process; mmap() avoids "
	"that copy")
CLAIM(13, TRUE, "shared",
	"a store through a MAP_SHARED mapping is seen by every process that maps the file")
CLAIM(14, TRUE, "shared",
	"a store through a MAP_PRIVATE mapping is seen by no other process and never "
	"reaches the file")
CLAIM(15, TRUE, "shared",
	"a private mapping uses the file's pages until a store, which copies the page for "
	"the writer (copy-on-write)")
CLAIM(16, PARTLY, "prot",
	"MAP_SHARED and MAP_PRIVATE must not be given together")
CLAIM(17, FALSE, "prot",
	"MAP_SHARED maps into a shared area of the address space, MAP_PRIVATE into the "
	"data or heap area")
CLAIM(18, TRUE, "prot",
	"the address given to mmap() is only a hint; MAP_FIXED makes it mandatory")
CLAIM(19, TRUE, "prot",
	"PROT_NONE, PROT_READ, PROT_WRITE and PROT_EXEC decide which accesses a mapping "
	"allows")
CLAIM(20, TRUE, "munmap",
	"the mapping stays usable after close(fd)")
CLAIM(21, FALSE, "munmap",
	"on close(), what was stored through the mapping is written to the file")
CLAIM(22, TRUE, "dirty",
	"a store to a page sets its dirty bit")
CLAIM(23, PARTLY, "dirty",
	"what is stored through a shared mapping reaches the file later, by itself")
CLAIM(24, FALSE, "shared",
	"read() or fopen() may see old data while stores through a mapping are still on "
	"their way")
CLAIM(25, TRUE, "munmap",
	"after munmap(), touching the addresses is a segmentation fault (SIGSEGV)")
CLAIM(26, TRUE, "munmap",
	"exit() unmaps the process's mappings by itself")
CLAIM(27, PARTLY, "zero",
	"anonymous memory is a mapping of a file full of zeros")
CLAIM(28, PARTLY, "zero",
	"addresses never written share one zero page, and that page is anonymous memory")
CLAIM(29, TRUE, "zero",
	"writing such an address gives it an anonymous page of its own")
CLAIM(30, PARTLY, "demand",
	"allocating virtual memory builds its page table")
CLAIM(31, PARTLY, "swap",
	"pages once written are swapped out to a swap file and back in")
CLAIM(32, FALSE, "overcommit",
	"the swap space bounds how much virtual memory the processes may have")
CLAIM(33, PARTLY, "cow",
	"fork() copies the parent's memory map: its areas and its page tables")
CLAIM(34, FALSE, "cow",
	"fork() makes every area of both processes private and copy-on-write")
CLAIM(35, TRUE, "cow",
	"after fork() both processes lose write access to their private pages; the first "
	"to write gets a copy")
CLAIM(36, FALSE, "cow",
	"once one process has copied a page, both may write it freely")
CLAIM(37, TRUE, "memcg",
	"fork() succeeds without the memory to copy everything; memory runs out later, at "
	"a copy")
CLAIM(38, TRUE, "memcg",
	"memory can run out after mmap() succeeded, when the pages are touched")
CLAIM(39, PARTLY, "overcommit",
	"virtual memory runs out whatever the physical memory is")
CLAIM(40, PARTLY, "overcommit",
	"a 32-bit process can map 4 GB at most")
CLAIM(41, TRUE, "exec",
	"execve() deletes the old program's areas")
CLAIM(42, TRUE, "exec",
	"execve() maps the program's text and data privately, copy-on-write, from its file")
CLAIM(43, TRUE, "exec",
	"bss and heap are demand-zero anonymous areas; the heap starts empty")
CLAIM(44, FALSE, "exec",
	"the stack starts demand-zero and empty")
CLAIM(45, PARTLY, "exec",
	"shared libraries such as libc are mapped into a shared region: one copy for all")
CLAIM(46, PARTLY, "exec",
	"execve() sets the program counter to the program's entry point")
