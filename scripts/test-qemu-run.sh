#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# test-qemu-run.sh: host-side tests of qemu-run.sh's boot retry, with a
# stand-in for qemu-system-x86_64 that writes a scripted console log.  A
# kernel that dies of "Oops: int3" before the guest's /init said hello
# (the emulator's code-patching hazard) is booted again, at most twice;
# one that dies after /init started is not; the same with the console on
# the terminal (VMLAB_CONSOLE=1, make shell).  Prints one TAP line per case
# ("ok N - ..." / "not ok N - ...") and `N passed, N failed`; check.sh runs
# it before the kernels.
set -uo pipefail
S=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0 n=0

# The stand-in: the Nth boot prints line N of $tmp/script to the console
# file named by -chardev ...,path=FILE or ...,logfile=FILE ("\n" in a
# line: a line break).
mkdir -p "$tmp/bin"
cat >"$tmp/bin/qemu-system-x86_64" <<'STUB'
#!/bin/bash
log=
for a in "$@"; do
	case $a in
	*logfile=*) log=${a##*logfile=} ;;
	*path=*) log=${a##*path=} ;;
	esac
done
n=$(($(cat "$STUB_DIR/boots" 2>/dev/null || echo 0) + 1))
echo "$n" >"$STUB_DIR/boots"
printf '%b\n' "$(sed -n "${n}p" "$STUB_DIR/script")" >"$log"
STUB
chmod +x "$tmp/bin/qemu-system-x86_64"
: >"$tmp/vmlinuz"
: >"$tmp/initrd"

INT3='[    3.1] Oops: int3: 0000 [#1] SMP NOPTI\n[    3.2] Kernel panic - not syncing: Attempted to kill the idle task!'
GOOD='VMLAB-INIT uptime=3.5 kernel=stub\nVMLAB-DONE'

# check NAME WANT-RC WANT-BOOTS LINE...: boot with these console logs.
check() {
	local name=$1 want_rc=$2 want_boots=$3 rc=0 boots
	shift 3
	n=$((n + 1))
	rm -f "$tmp/boots" "$tmp"/console.log*
	printf '%s\n' "$@" >"$tmp/script"
	STUB_DIR=$tmp PATH="$tmp/bin:$PATH" VMLAB_TIMEOUT=30 VMLAB_CONSOLE=${CONSOLE:-0} \
		"$S/qemu-run.sh" "$tmp/vmlinuz" "$tmp/initrd" "$tmp/console.log" >"$tmp/out" 2>&1 || rc=$?
	boots=$(cat "$tmp/boots" 2>/dev/null || echo 0)
	if [ "$rc" -eq "$want_rc" ] && [ "$boots" -eq "$want_boots" ]; then
		echo "ok $n - $name (exit $rc after $boots boots)"
		passed=$((passed + 1))
	else
		echo "not ok $n - $name (exit $rc after $boots boots; wanted $want_rc after $want_boots)"
		sed 's/^/# /' "$tmp/out"
		failed=$((failed + 1))
	fi
}

echo "TAP version 13"
echo "1..5"
check "a guest that finishes boots once" 0 1 "$GOOD"
check "an int3 Oops before /init: booted again" 0 2 "$INT3" "$GOOD"
check "an int3 Oops before /init three times: gives up after two more boots" 1 3 "$INT3" "$INT3" "$INT3" "$GOOD"
check "an int3 Oops after /init started: not booted again" 1 1 \
	"VMLAB-INIT uptime=3.5 kernel=stub\\n$INT3" "$GOOD"
CONSOLE=1 check "an int3 Oops before /init, the console on the terminal (make shell): booted again" \
	0 2 "$INT3" "$GOOD" </dev/null
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
