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
# the host's own bookworm sources, as scripts/tracetools.sh does for
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
# Bump to rebuild the archive when the way it is made changes.
FORMAT=1
TOOLS="/usr/bin/trinity /usr/bin/stress-ng /usr/bin/fio"

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

main() {
	local key out root f list
	[ $# -eq 0 ] || die "usage: outsidetools.sh"
	host_need trinity stress-ng fio cpio
	# shellcheck disable=SC2086 # a list of words
	mapfile -t list < <(files $TOOLS)
	key=$( { echo "$FORMAT"; for f in "${list[@]}"; do stat -L -c '%n %s %Y' "$f"; done; } |
		sha256sum | cut -c1-16)
	out=$DIR/outside-$key.cpio
	if [ ! -f "$out" ]; then
		mkdir -p "$DIR"
		log "packing trinity, stress-ng and fio for the guest into $out"
		root=$(mktemp -d "$DIR/.root.XXXXXX")
		for f in "${list[@]}"; do
			install -D -m "$(stat -L -c %a "$f")" "$f" "$root$f"
		done
		(cd "$root" && find . -mindepth 1 | LC_ALL=C sort |
			cpio --quiet -o -H newc --owner=0:0 --reproducible) >"$out.tmp"
		rm -rf "$root"
		# The archives this one replaces.
		find "$DIR" -maxdepth 1 -name "outside-*.cpio" ! -name "${out##*/}" -delete
		mv "$out.tmp" "$out"
	fi
	echo "$out"
}

main "$@"
