// SPDX-License-Identifier: GPL-2.0
/*
 * vmlab: the command.  `vmlab tour` reproduces, live and checked, what
 * textbooks say about memory mapping; the views show what the kernel holds
 * for any process, page by page.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

static const char usage[] =
"usage: vmlab [--color=auto|always|never] COMMAND [ARGS]\n"
"\n"
"Watch the kernel map memory, page by page, with /dev/vmlab (the vmlab\n"
"module) and the kernel's own evidence (pagemap, kpageflags, smaps...).\n"
"\n"
"Commands:\n"
"  tour [CHAPTER]           the guided tour: each chapter does an experiment\n"
"                           in real processes and checks the textbook's claim\n"
"  tour --list              the chapters\n"
"  stat                     the module's counters, explained\n"
"  maps [-p PID]            the mappings of a process, with page counts\n"
"  inspect [-p PID] ADDR [LEN]  what the page tables hold, page by page\n"
"  grid [-p PID] ADDR LEN   one character per page; -p twice: side by side\n"
"  grid [-p PID] --vma ADDR the whole mapping that holds ADDR\n"
"  trace [-- COMMAND...]    live fault events from the module's tracepoints\n"
"\n"
"`vmlab COMMAND --help` says more.  Every view takes --json (schemas in\n"
"docs/json.md).  Most of it needs root: PFNs, kpageflags, /dev/vmlab.\n"
"\n"
"Exit status:\n"
"  0 done, every tour claim held    5 no such process\n"
"  1 a tour claim failed            6 bad address: not mapped, not user space\n"
"  2 bad command line               7 the module or kernel lacks a feature\n"
"  3 module not loaded              8 another error\n"
"  4 permission denied\n";

int vmlab_main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int argc, char **argv);
	} cmds[] = {
		{ "tour", cmd_tour },
		{ "stat", cmd_stat },
		{ "maps", cmd_maps },
		{ "inspect", cmd_inspect },
		{ "grid", cmd_grid },
		{ "trace", cmd_trace },
		{ "__probe", cmd_probe },
	};
	const char *color = NULL;
	size_t i;
	int a = 1;

	for (; a < argc && argv[a][0] == '-'; a++) {
		if (!strcmp(argv[a], "-h") || !strcmp(argv[a], "--help")) {
			fputs(usage, stdout);
			return VX_OK;
		} else if (!strncmp(argv[a], "--color=", 8)) {
			color = argv[a] + 8;
		} else if (!strcmp(argv[a], "--color")) {
			color = "always";
		} else {
			fprintf(stderr, "vmlab: unknown option %s\n%s", argv[a], usage);
			return VX_USAGE;
		}
	}
	if (color && strcmp(color, "auto") && strcmp(color, "always") && strcmp(color, "never")) {
		fprintf(stderr, "vmlab: --color takes auto, always or never\n");
		return VX_USAGE;
	}
	vc_set_color(color);
	if (a >= argc) {
		fputs(usage, stderr);
		return VX_USAGE;
	}
	if (!strcmp(argv[a], "help")) {
		if (a + 1 < argc) {
			char *h[] = { argv[a + 1], "--help", NULL };

			for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
				if (!strcmp(cmds[i].name, argv[a + 1]))
					return cmds[i].fn(2, h);
		}
		fputs(usage, stdout);
		return VX_OK;
	}
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(cmds[i].name, argv[a]))
			return cmds[i].fn(argc - a, argv + a);
	fprintf(stderr, "vmlab: unknown command '%s'\n%s", argv[a], usage);
	return VX_USAGE;
}
