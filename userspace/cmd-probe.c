// SPDX-License-Identifier: GPL-2.0
/*
 * The program the tour's execve chapter runs and watches: it uses a little
 * of each part of a process's memory (initialised data, bss, heap, stack,
 * the vDSO) so that each shows in its maps, then exits.  Built into the
 * static vmlab command (`vmlab __probe`) and, as vmlab-probe, dynamically
 * linked, to show shared libraries too.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifndef VMLAB_PROBE_MAIN
#include "cmd.h"
#endif

#define PROBE_PAGES	4

/* Initialised data: in the program file, mapped private. */
volatile int vmlab_probe_data[1024] = { 1, 2, 3 };
/* Zero-initialised: bss, demand-zero. */
volatile char vmlab_probe_bss[64 * 4096];

int vmlab_probe_main(int argc, char **argv)
{
	volatile char stack[PROBE_PAGES * 4096];
	struct timespec ts;
	char *heap;
	int i;

	(void)argc;
	(void)argv;
	vmlab_probe_data[0]++;			/* a private copy of one data page */
	for (i = 0; i < PROBE_PAGES; i++)	/* a few bss pages */
		vmlab_probe_bss[i * 4096] = 1;
	heap = malloc(PROBE_PAGES * 4096);	/* below the mmap threshold: brk */
	if (heap)
		memset(heap, 1, PROBE_PAGES * 4096);
	for (i = 0; i < PROBE_PAGES; i++)
		stack[i * 4096] = 1;
	clock_gettime(CLOCK_MONOTONIC, &ts);	/* the vDSO */
	free(heap);
	return stack[0] - 1;
}

#ifdef VMLAB_PROBE_MAIN
int main(int argc, char **argv)
{
	return vmlab_probe_main(argc, argv);
}
#else
int cmd_probe(int argc, char **argv)
{
	return vmlab_probe_main(argc, argv);
}
#endif
