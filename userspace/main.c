// SPDX-License-Identifier: GPL-2.0
/* vmlab: the command's entry point (the command is vmlab_main()). */
#include "cmd.h"

int main(int argc, char **argv)
{
	return vmlab_main(argc, argv);
}
