/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The tour's chapters, in the order they run, one row each:
 *
 *	CHAPTER(name, title, claim)
 *
 * runs ch_name(), written in ch-name.c; name is also what `vmlab tour
 * NAME` and the TAP result line call the chapter.  No include guard:
 * tour.h includes the list to declare the chapters, driver.c to make
 * its table.
 */
CHAPTER(file, "A file mapping",
	"a store into a MAP_SHARED mapping of a file changes the file")
CHAPTER(demand, "Demand paging",
	"mapping memory costs nothing; each page gets a frame when first touched")
CHAPTER(zero, "Demand-zero pages and the zero frame",
	"never-written private pages map the kernel's one zero page, as anonymous memory's "
	"do; a write gives a page its own")
CHAPTER(shared, "Shared versus private mappings",
	"a shared store is seen by every process and by read(); a private store copies the "
	"page and nobody else sees it")
CHAPTER(prot, "Where mappings go: addresses, MAP_FIXED and protections",
	"shared and private mappings both go to the mmap area; the address is a hint unless "
	"MAP_FIXED; the protections decide which accesses fault")
CHAPTER(cow, "Copy-on-write after fork",
	"parent and child share every frame read-only; whoever writes first gets a copy, "
	"the other keeps the original")
CHAPTER(nomem, "Not enough memory",
	"mmap beyond the available memory succeeds; touching past it gets SIGBUS")
CHAPTER(overcommit, "What bounds virtual memory: addresses and overcommit",
	"the address space bounds virtual memory whatever the RAM; the kernel's commit "
	"accounting refuses one private mapping larger than RAM and swap, not many")
CHAPTER(memcg, "When memory really runs out: a memory cgroup",
	"an mmap() or fork() that memory cannot back succeeds; the touches and copies run "
	"out, and the OOM killer ends the process")
CHAPTER(munmap, "munmap and closing the file",
	"the mapping outlives close(); after munmap an access is SIGSEGV")
CHAPTER(dirty, "Dirty pages and write-back",
	"the first store marks a page dirty; msync cleans it; the next store is seen again")
CHAPTER(swap, "Swap: the states of a page",
	"only anonymous pages go to swap, and come back when touched; a file's pages and "
	"the object's never do")
CHAPTER(exec, "execve: how a program is mapped",
	"text and data map the program file privately; bss, heap and stack are "
	"demand-zero; libraries are shared")
