#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# extract-files.sh LOG DIR: the files a guest printed on its console, each
# as base64 between the lines
#
#	VMLAB-FILE-BEGIN NAME
#	VMLAB-FILE-END NAME
#
# (a test's TAP diagnostics may put "# " before them), decoded into
# DIR/NAME.  The kernel's own lines ("[ 12.345678] ...") in between are
# dropped.  Prints the path of each file written; exits non-zero if one
# does not decode.  make demo brings the tour's report out this way, make
# check the figures of vmlab_cli (scripts/check-figures.sh).
set -euo pipefail

log=$1 dir=$2
mkdir -p "$dir"
names=$(tr -d '\r' <"$log" | sed -n 's/^\(# \)\{0,1\}VMLAB-FILE-BEGIN \([A-Za-z0-9._-]*\)$/\2/p' | sort -u)
rc=0
for n in $names; do
	tr -d '\r' <"$log" | awk -v n="$n" '
		{ sub(/^# /, "") }
		$1 == "VMLAB-FILE-BEGIN" && $2 == n { on = 1; next }
		$1 == "VMLAB-FILE-END" && $2 == n { on = 0; next }
		on && !/^\[ *[0-9]+\.[0-9]+\] / { print }' |
		base64 -d >"$dir/$n" 2>/dev/null || { echo "$dir/$n: does not decode" >&2; rc=1; }
	echo "$dir/$n"
done
exit "$rc"
