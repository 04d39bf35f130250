#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# test-qemu-run.sh: host-side tests of qemu-run.sh's boot retry, with a
# stand-in for qemu-system-x86_64 that writes a scripted console log.  A
# kernel that dies of "Oops: int3" before the guest's /init said hello
# (the emulator's code-patching hazard) is booted again, at most twice;
# one that dies after /init started is not; the same with the console on
# the terminal (VMLAB_CONSOLE=1, make shell).  And its cache of the ELF
# inside a kernel (PVH boots): two kernels of one name, or a kernel rebuilt
# in place, each boot from their own.  Prints one TAP line per case
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
k=0
for a in "$@"; do
	[ "$k" = 1 ] && sha256sum <"$a" | cut -c1-64 >"$STUB_DIR/kernel"
	[ "$a" = -kernel ] && k=1 || k=0
done
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
	[ "$rc" -eq "$want_rc" ] && [ "$boots" -eq "$want_boots" ]
	result $? "$name (exit $rc after $boots boots" ")" "; wanted $want_rc after $want_boots)"
}

# result RC NAME OK-TAIL NOT-OK-TAIL: one TAP line (RC 0: ok); a failure
# shows qemu-run.sh's output.
result() {
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2$3"
		passed=$((passed + 1))
	else
		echo "not ok $n - $2$4"
		sed 's/^/# /' "$tmp/out"
		failed=$((failed + 1))
	fi
}

# mkkernel DIR VALUE: DIR/bzImage, a stand-in for a compressed kernel (a
# few bytes, then a gzip'ed ELF with a PVH note, Xen type 18, holding
# VALUE); DIR/elf, that ELF.
mkkernel() {
	mkdir -p "$1"
	printf '\t.pushsection .note.Xen, "a", @note\n\t.long 4, 4, 18\n\t.asciz "Xen"\n\t.long %d\n\t.popsection\n' "$2" |
		gcc -c -x assembler -o "$1/elf" -
	{ printf 'MZ-stand-in'; gzip -n -c "$1/elf"; } >"$1/bzImage"
}

# check_pvh NAME DIR: boot DIR/bzImage; QEMU must get DIR/elf.
check_pvh() {
	local name=$1 dir=$2 want got
	n=$((n + 1))
	rm -f "$tmp/boots" "$tmp/kernel"
	printf '%b\n' "$GOOD" >"$tmp/script"
	STUB_DIR=$tmp PATH="$tmp/bin:$PATH" VMLAB_TIMEOUT=30 VMLAB_CACHE=$tmp/cache \
		"$S/qemu-run.sh" "$dir/bzImage" "$tmp/initrd" "$tmp/console.log" >"$tmp/out" 2>&1
	want=$(sha256sum <"$dir/elf" | cut -c1-64)
	got=$(cat "$tmp/kernel" 2>/dev/null)
	[ "$got" = "$want" ]
	result $? "$name" "" " (QEMU got another kernel: ${got:-none})"
}

echo "TAP version 13"
echo "1..9"
check "a guest that finishes boots once" 0 1 "$GOOD"
check "an int3 Oops before /init: booted again" 0 2 "$INT3" "$GOOD"
check "an int3 Oops before /init three times: gives up after two more boots" 1 3 "$INT3" "$INT3" "$INT3" "$GOOD"
check "an int3 Oops after /init started: not booted again" 1 1 \
	"VMLAB-INIT uptime=3.5 kernel=stub\\n$INT3" "$GOOD"
CONSOLE=1 check "an int3 Oops before /init, the console on the terminal (make shell): booted again" \
	0 2 "$INT3" "$GOOD" </dev/null
# Two builds of a kernel with the same name (every debug kernel is a
# bzImage), the second one older than the first one's ELF in the cache.
mkkernel "$tmp/new" 1
mkkernel "$tmp/old" 2
touch -d '1 hour ago' "$tmp/old/bzImage"
check_pvh "PVH: a kernel is booted from the ELF inside it" "$tmp/new"
check_pvh "PVH: another kernel of the same name, older, gets its own ELF" "$tmp/old"
check_pvh "PVH: the first again: its ELF, from the cache" "$tmp/new"
mkkernel "$tmp/new" 3
check_pvh "PVH: a kernel rebuilt in place gets its new ELF" "$tmp/new"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
