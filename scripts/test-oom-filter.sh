#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# test-oom-filter.sh: host-side tests of guest/oom-filter.awk, which lets
# the judges of a run accept the stacks of the OOM reports the tour's
# memcg chapter causes on purpose, and nothing else.  Runs the filter with
# awk and, when the host has it, busybox awk (the guest's) on kernel logs
# made up for each case.  Prints one TAP line per case and `N passed, N
# failed`; check.sh runs it before the kernels.
set -uo pipefail
S=$(cd "$(dirname "$0")" && pwd)
passed=0 failed=0 n=0

BEGIN_='[    3.0] vmlab-tour: out of memory on purpose: begin'
END_='[    9.0] vmlab-tour: out of memory on purpose: end'
HEAD='[    4.0] vmlab invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0'
CPU='[    4.1] CPU: 1 UID: 0 PID: 187 Comm: vmlab Tainted: G           OE'
HW='[    4.2] Hardware name: QEMU Standard PC (i440FX + PIIX, 1996)'
STACK='[    4.3] Call Trace:'
FRAME='[    4.4]  dump_stack_lvl+0x64/0x80'
KILLED='[    4.9] Memory cgroup out of memory: Killed process 187 (vmlab)'
WARN='[    5.0] WARNING: CPU: 1 PID: 187 at mm/memory.c:1 x+0x1/0x2'
STACK2='[    5.1] Call Trace:'

# case AWK WHAT EXPECTED LINE...: the filter's output of the LINEs must
# be EXPECTED (the lines it keeps, joined with "|").
case_() {
	local awk=$1 what=$2 want=$3 got
	shift 3
	n=$((n + 1))
	got=$(printf '%s\n' "$@" | $awk -f "$S/guest/oom-filter.awk" | paste -sd '|')
	if [ "$got" = "$want" ]; then
		echo "ok $n - $awk: $what"
		passed=$((passed + 1))
	else
		echo "not ok $n - $awk: $what"
		echo "#   want: $want"
		echo "#   got:  $got"
		failed=$((failed + 1))
	fi
}

join() {
	local IFS='|'
	echo "$*"
}

awks=(awk)
! command -v busybox >/dev/null || awks+=("busybox awk")
for a in "${awks[@]}"; do
	case_ "$a" "the stack of an OOM report between the markers is dropped, every other line kept" \
		"$(join "$BEGIN_" "$HEAD" "$CPU" "$HW" "$FRAME" "$KILLED" "$END_")" \
		"$BEGIN_" "$HEAD" "$CPU" "$HW" "$STACK" "$FRAME" "$KILLED" "$END_"
	case_ "$a" "an OOM report's stack before the markers is kept" \
		"$(join "$HEAD" "$STACK" "$BEGIN_" "$END_")" \
		"$HEAD" "$STACK" "$BEGIN_" "$END_"
	case_ "$a" "an OOM report's stack after the markers is kept" \
		"$(join "$BEGIN_" "$END_" "$HEAD" "$STACK")" \
		"$BEGIN_" "$END_" "$HEAD" "$STACK"
	case_ "$a" "between the markers, a warning's stack is kept" \
		"$(join "$BEGIN_" "$HEAD" "$FRAME" "$KILLED" "$WARN" "$STACK2" "$END_")" \
		"$BEGIN_" "$HEAD" "$STACK" "$FRAME" "$KILLED" "$WARN" "$STACK2" "$END_"
	case_ "$a" "a second stack in one OOM report is kept" \
		"$(join "$BEGIN_" "$HEAD" "$STACK2" "$END_")" \
		"$BEGIN_" "$HEAD" "$STACK" "$STACK2" "$END_"
	case_ "$a" "a stack more than 8 lines after the OOM report's first line is kept" \
		"$(join "$BEGIN_" "$HEAD" 1 2 3 4 5 6 7 8 "$STACK" "$END_")" \
		"$BEGIN_" "$HEAD" 1 2 3 4 5 6 7 8 "$STACK" "$END_"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
