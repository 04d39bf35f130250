#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# outsidetools.sh: print the path of the cpio archive that gives the guest
# the outside tools selftests/vmlab_outside runs against /dev/vmlab, for
# VMLAB_INITRAMFS_APPEND (mkinitramfs.sh):
#
#	/usr/bin/trinity	(package trinity), the system call fuzzer
#	/usr/bin/stress-ng	(stress-ng), for its device stressor
#	/usr/bin/fio		(fio), for its mmap engine's verify jobs
#
# with the shared libraries and loader they need, at their host paths.  The
# programs are Debian bookworm's, installed on the host by host_need from
# the host's own bookworm sources, as scripts/host/tracetools.sh does for
# trace-cmd and perf; the guests run the same bookworm userspace (busybox,
# the C library of these archives).
#
# The archive is plain (uncompressed) newc cpio, made once and kept in
# $VMLAB_CACHE/outsidetools/, named by a hash of what it holds (the files'
# paths, sizes and times): the next run reuses it, and a package upgrade
# makes a new one.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

DIR=$VMLAB_CACHE/outsidetools
TOOLS="/usr/bin/trinity /usr/bin/stress-ng /usr/bin/fio"

main() {
	[ $# -eq 0 ] || die "usage: outsidetools.sh"
	host_need trinity stress-ng fio cpio
	# shellcheck disable=SC2086 # a list of words
	tools_archive "$DIR" outside $TOOLS
}

main "$@"
