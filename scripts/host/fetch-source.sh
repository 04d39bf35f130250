#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# fetch-source.sh: the parts of Debian's linux-source package that vmlab uses
# as build-time dependencies (never copied into the repo): the kselftest
# harness and checkpatch.pl.  Unpacks them to $VMLAB_CACHE/linux-source-VER/
# and prints that directory.  VER is the newest linux-source-6.12 (the
# harness of 6.1 mishandles SKIP in FIXTURE_SETUP and forked EXPECTs).
set -euo pipefail
. "$(dirname "$(readlink -f "$0")")/lib.sh"

papt_init
pkg=$(papt_newest 'linux-source-6\.12')
[ -n "$pkg" ] || die "no linux-source-6.12 package in Debian's archive"
ver=$(papt apt-cache show "$pkg" | sed -n 's/^Version: //p' | sort -V | tail -n 1)
dir=$VMLAB_CACHE/${pkg}
stamp=$dir/.vmlab-version
if [ "$(cat "$stamp" 2>/dev/null)" = "$ver" ]; then
	echo "$dir"
	exit 0
fi
log "unpacking the harness and checkpatch from $pkg $ver"
papt_fetch "$VMLAB_CACHE/debs" "$pkg"
host_need xz-utils
rm -rf "$dir"
mkdir -p "$dir"
members="tools/testing/selftests/kselftest_harness.h tools/testing/selftests/kselftest.h
scripts/checkpatch.pl scripts/spelling.txt scripts/const_structs.checkpatch"
dpkg-deb --fsys-tarfile "$(ls "$VMLAB_CACHE/debs/${pkg}_$(echo "$ver" | sed 's/^[0-9]*://')"_*.deb)" |
	tar -x -O --wildcards "./usr/src/$pkg.tar.xz" |
	xz -dc -T0 | tar -x -C "$dir" --strip-components=1 \
		$(for m in $members; do echo "$pkg/$m"; done)
echo "$ver" >"$stamp"
echo "$dir"
