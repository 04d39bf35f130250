// SPDX-License-Identifier: GPL-2.0
/*
 * The options the subcommands share: getopt_long() from the start of a
 * subcommand's argv, -p PID, --json and --help of the views (and grid's
 * own), and the check that the process named exists.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"

/* getopt_long from the start of a subcommand's argv. */
void vc_opt_reset(void)
{
	optind = 1;
	opterr = 0;
}

/* The long options of stat, maps and inspect. */
const struct option vc_view_longopts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "help", no_argument, NULL, 'h' },
	{ 0 }
};

/*
 * Parse the options with getopt_long() and lo into o; VC_GO_ON with
 * optind at the first argument, or the exit code (--help, a bad option).
 */
int vc_view_opts(struct vc_view_opts *o, const struct option *lo, int argc, char **argv)
{
	int c;

	vc_opt_reset();
	while ((c = getopt_long(argc, argv, "p:jh", lo, NULL)) != -1) {
		switch (c) {
		case 'p':
			/* inspect takes the last -p; grid and maps two at most */
			if (o->npids == o->max_pids) {
				if (o->max_pids > 1)
					return vc_usage_error(o->cmd, "at most two processes");
				o->npids = 0;
			}
			if (vc_parse_pid(optarg, &o->pids[o->npids++]))
				return vc_usage_error(o->cmd, "bad pid '%s'", optarg);
			break;
		case 'j':
			o->json = true;
			break;
		case 'v':
			if (vmlab_parse_addr(optarg, &o->vaddr))
				return vc_usage_error(o->cmd, "bad address '%s'", optarg);
			o->have_vma = true;
			break;
		case 'w':
			o->width = atoi(optarg);
			if (o->width < 1 || o->width > 1024)
				return vc_usage_error(o->cmd, "bad width '%s'", optarg);
			break;
		case 's':
			o->svg = optarg;
			break;
		case 'h':
			fputs(o->help, stdout);
			if (o->help_more)
				o->help_more();
			return VC_OK;
		default:
			return vc_usage_error(o->cmd, "unknown option or missing value: %s",
					      argv[optind - 1]);
		}
	}
	return VC_GO_ON;
}

int vc_parse_pid(const char *s, pid_t *pid)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v <= 0 || v > 0x3fffffff)
		return -1;
	*pid = (pid_t)v;
	return 0;
}

int vc_check_pid(pid_t pid)
{
	if (!pid || !kill(pid, 0) || errno == EPERM)
		return VC_OK;
	return vc_err(VC_NOPROC, "no process with pid %d", (int)pid);
}
