// SPDX-License-Identifier: GPL-2.0
/*
 * vmlab_tour: the vmlab command's tour (userspace/tour/) as a kselftest
 * program: `vmlab tour --tap`, one TAP test per chapter, each chapter's
 * narrative and evidence as comments.  Arguments pick chapters, as for
 * `vmlab tour` (numbers or names).
 */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "vmlab_util.h"

int main(int argc, char **argv)
{
	char **args = calloc((size_t)argc + 3, sizeof(*args));
	int i;

	vl_preflight(argc, argv);
	if (!args)
		return 1;
	args[0] = "vmlab";
	args[1] = "tour";
	args[2] = "--tap";
	for (i = 1; i < argc; i++)
		args[i + 2] = argv[i];
	return vmlab_main(argc + 2, args);
}
