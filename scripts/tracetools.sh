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
# need, at their host paths, as scripts/userspace-extra.sh lists them for
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
# Bump to rebuild every archive when the way they are made changes.
FORMAT=1

# files BINARY...: each binary and the libraries and loader it needs.
files() {
	local b
	for b in "$@"; do
		[ -x "$b" ] || die "no program $b"
		echo "$b"
		# "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)", "/lib64/ld-linux-x86-64.so.2 (0x...)"
		ldd "$b" | sed -n 's|.*=> \(/[^ ]*\) .*|\1|p; s|^[[:space:]]*\(/[^ ]*\) .*|\1|p'
	done | sort -u
}

# archive NAME BINARY...: the path of NAME's archive, made if needed.
archive() {
	local name=$1 key out root f list
	shift
	mapfile -t list < <(files "$@")
	key=$( { echo "$FORMAT"; for f in "${list[@]}"; do stat -L -c '%n %s %Y' "$f"; done; } |
		sha256sum | cut -c1-16)
	out=$DIR/$name-$key.cpio
	if [ ! -f "$out" ]; then
		mkdir -p "$DIR"
		log "packing $name for the guest into $out"
		root=$(mktemp -d "$DIR/.root.XXXXXX")
		for f in "${list[@]}"; do
			install -D -m "$(stat -L -c %a "$f")" "$f" "$root$f"
		done
		(cd "$root" && find . -mindepth 1 | LC_ALL=C sort |
			cpio --quiet -o -H newc --owner=0:0 --reproducible) >"$out.tmp"
		rm -rf "$root"
		# The archives this one replaces.
		find "$DIR" -maxdepth 1 -name "$name-*.cpio" ! -name "${out##*/}" -delete
		mv "$out.tmp" "$out"
	fi
	echo "$out"
}

main() {
	local bpftrace=0
	case ${1:-} in
	--bpftrace) bpftrace=1 ;;
	"") ;;
	*) die "usage: tracetools.sh [--bpftrace]" ;;
	esac
	host_need trace-cmd linux-perf cpio
	archive perf+trace-cmd /usr/bin/trace-cmd /usr/bin/perf
	if [ "$bpftrace" = 1 ]; then
		host_need bpftrace
		archive bpftrace /usr/bin/bpftrace
	fi
}

main "$@"
