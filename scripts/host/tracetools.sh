#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tracetools.sh [--bpftrace]: print the paths of the cpio archives that
# give the guest the standard tracing tools, for VMLAB_INITRAMFS_APPEND
# (mkinitramfs.sh), which selftests/vmlab_tracetools runs over vmlab's
# tracepoints:
#
#	perf+trace-cmd	/usr/bin/trace-cmd (package trace-cmd) and
#			/usr/bin/perf (linux-perf), about 35 MB
#	bpftrace	/usr/bin/bpftrace (bpftrace), with --bpftrace only:
#			about 200 MB, most of it LLVM and clang
#
# Each archive holds its programs and the shared libraries and loader they
# need, at their host paths, as scripts/host/userspace-extra.sh lists them for
# the tour's probe.  The programs are Debian bookworm's, installed on the
# host by host_need; perf 6.1 reads the events' formats from tracefs, so it
# serves every kernel.
#
# The archives are plain (uncompressed) newc cpio, made once and kept in
# $VMLAB_CACHE/tracetools/, named by a hash of what they hold (the files'
# paths, sizes and times): the next run reuses them, and a package upgrade
# makes new ones.  Uncompressed, because unpacking gzip in the guest would
# cost seconds of emulated CPU at every boot (and compressing 200 MB costs
# 20 s on the host) while the guest has memory to spare.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

DIR=$VMLAB_CACHE/tracetools

main() {
	local bpftrace=0
	case ${1:-} in
	--bpftrace) bpftrace=1 ;;
	"") ;;
	*) die "usage: tracetools.sh [--bpftrace]" ;;
	esac
	host_need trace-cmd linux-perf cpio
	tools_archive "$DIR" perf+trace-cmd /usr/bin/trace-cmd /usr/bin/perf
	if [ "$bpftrace" = 1 ]; then
		host_need bpftrace
		tools_archive "$DIR" bpftrace /usr/bin/bpftrace
	fi
}

main "$@"
