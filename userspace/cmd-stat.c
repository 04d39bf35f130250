// SPDX-License-Identifier: GPL-2.0
/*
 * vmlab stat: the module's counters, each explained, or how much each
 * changed while a command ran.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "cmd.h"
#include "json.h"

static const char stat_help[] =
"usage: vmlab stat [--json] [-- COMMAND [ARGS...]]\n"
"\n"
"The counters of the vmlab module (VMLAB_IOC_STATS), each explained.  With\n"
"a COMMAND, runs it and shows how much each counter changed meanwhile.\n"
"\n"
"  --json   one JSON document, schema vmlab.stat/1 (docs/json.md)\n";

static void stat_value(const struct vmlab_stat_field *f, uint64_t v, bool delta,
		       char *buf, size_t len)
{
	if (f->bytes && !delta)
		snprintf(buf, len, "%" PRIu64 " MiB", v >> 20);
	else if (delta)
		snprintf(buf, len, "%+" PRId64, (int64_t)v);
	else
		snprintf(buf, len, "%" PRIu64, v);
}

int cmd_stat(int argc, char **argv)
{
	struct vmlab_stats a, b, d;
	bool json = false, delta = false;
	int c, fd, code = VC_OK, status = 0;
	char val[32];
	size_t i;

	vc_opt_reset();
	while ((c = getopt_long(argc, argv, "+jh", vc_view_longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'h':
			fputs(stat_help, stdout);
			return VC_OK;
		default:
			return vc_usage_error("stat", "unknown option %s", argv[optind - 1]);
		}
	}
	fd = vc_open_dev(&code);
	if (fd < 0)
		return code;
	if (vmlab_get_stats(fd, &a))
		return vc_err(VC_ERR, "VMLAB_IOC_STATS: %s", strerror(errno));
	b = a;
	if (optind < argc) {
		pid_t pid;

		fflush(stdout);
		pid = fork();
		if (pid < 0)
			return vc_err(VC_ERR, "fork: %s", strerror(errno));
		if (!pid) {
			execvp(argv[optind], argv + optind);
			fprintf(stderr, "vmlab stat: %s: %s\n", argv[optind], strerror(errno));
			_exit(127);
		}
		while (waitpid(pid, &status, 0) < 0)
			if (errno != EINTR)
				return vc_err(VC_ERR, "waitpid: %s", strerror(errno));
		if (vmlab_get_stats(fd, &b))
			return vc_err(VC_ERR, "VMLAB_IOC_STATS: %s", strerror(errno));
		delta = true;
	}
	vmlab_stats_diff(&a, &b, &d);
	close(fd);
	if (json) {
		struct json j;

		json_doc(&j, "vmlab.stat/1");
		json_str(&j, "device", VMLAB_DEVICE);
		json_uint(&j, "page_size", VC_PAGE_SIZE);
		json_obj(&j, "counters");
		for (i = 0; i < vmlab_nr_stat_fields; i++)
			json_uint(&j, vmlab_stat_fields[i].name, vmlab_stat_value(&b, i));
		json_obj_end(&j);
		if (delta) {
			json_obj(&j, "delta");
			for (i = 0; i < vmlab_nr_stat_fields; i++)
				json_int(&j, vmlab_stat_fields[i].name,
					 (long long)vmlab_stat_value(&d, i));
			json_obj_end(&j);
			json_int(&j, "command_status", WIFEXITED(status) ? WEXITSTATUS(status) :
				 128 + WTERMSIG(status));
		}
		json_doc_end(&j);
		return VC_OK;
	}
	if (delta)
		printf("%sCounters of %s: how much each changed while `%s` ran%s\n\n",
		       vc(VC_BOLD), VMLAB_DEVICE, argv[optind], vc(VC_RESET));
	else
		printf("%sCounters of %s%s (object of %" PRIu64 " MiB, %" PRIu64
		       " KiB pages)\n\n", vc(VC_BOLD), VMLAB_DEVICE, vc(VC_RESET),
		       (uint64_t)b.size >> 20, (uint64_t)VC_PAGE_SIZE / 1024);
	for (i = 0; i < vmlab_nr_stat_fields; i++) {
		const struct vmlab_stat_field *f = &vmlab_stat_fields[i];
		uint64_t v = vmlab_stat_value(delta ? &d : &b, i);

		if (delta && (f->bytes || !v))
			continue;
		stat_value(f, v, delta, val, sizeof(val));
		printf("  %-20s %s%12s%s  %s\n", f->name, v ? vc(VC_BOLD) : "", val,
		       v ? vc(VC_RESET) : "", f->help);
	}
	if (!delta)
		printf("\nEvent counters count from module load; levels (size, mem_limit, "
		       "pages_resident,\npages_dirty, vmas_live) are the state now.  "
		       "`vmlab stat -- COMMAND` shows deltas.\n");
	if (delta) {
		bool first = true;

		printf("\nUnchanged:");
		for (i = 0; i < vmlab_nr_stat_fields; i++)
			if (!vmlab_stat_fields[i].bytes && !vmlab_stat_value(&d, i)) {
				printf("%s %s", first ? "" : ",", vmlab_stat_fields[i].name);
				first = false;
			}
		printf("%s\n", first ? " nothing" : "");
	}
	if (delta && WIFSIGNALED(status))
		printf("\n`%s` was killed by signal %d (%s)\n", argv[optind], WTERMSIG(status),
		       strsignal(WTERMSIG(status)));
	return VC_OK;
}
