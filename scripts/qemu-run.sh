#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# qemu-run.sh VMLINUZ INITRAMFS LOG [KERNEL-ARGS...]: boot VMLINUZ with
# INITRAMFS (made by mkinitramfs.sh) under QEMU, with TCG (KVM hangs on
# vmlab's machines), and write the serial console to LOG.  KERNEL-ARGS are
# added to the kernel command line, e.g. vmlab.params="size_mb=64" or
# vmlab.cmd="./tour" (see guest-init.sh).
#
# A compressed kernel (bzImage) whose payload is an ELF that can be entered
# through PVH is booted from that ELF instead, decompressed once into the
# cache: under TCG this halves the time to /init (no real-mode setup, no
# decompression in the guest).  VMLAB_PVH=0 boots the bzImage as it is.
#
# Succeeds when the guest printed VMLAB-DONE, whatever its tests said; the
# log is for check.sh to judge.  Environment:
#	VMLAB_TIMEOUT=SECS	kill the guest after SECS seconds (900)
#	VMLAB_CONSOLE=1		also show the console on stdout and give the
#				guest our stdin (for vmlab.cmd=shell)
#	VMLAB_MEM=2G VMLAB_SMP=2	the guest's memory and CPUs
#	VMLAB_NUMA_MB=512	a second NUMA node, of this much memory and no
#				CPU, taken from VMLAB_MEM (page migration
#				between nodes: inspect.migration_entry); 0
#				for one node
#	VMLAB_QEMU_CPU=max	the CPU model (-cpu): `max` is every feature
#				this QEMU's TCG has; make bench fixes a
#				model so that its runs compare
#	VMLAB_TCG_THREAD=single	run the vCPUs in turn on one host thread
#				(QEMU's default, multi, runs them at once,
#				which races need; -icount needs single, and
#				QEMU picks it then)
#	VMLAB_QEMU_OPTS="..."	more QEMU options (make bench: -icount)
#	VMLAB_APPEND="..."	more kernel arguments
#	VMLAB_PVH=0		boot the bzImage itself
set -euo pipefail
. "$(dirname "$0")/host/lib.sh"

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# numa_opts: the QEMU options of two NUMA nodes: node 0 with the CPUs and
# all the memory but VMLAB_NUMA_MB, node 1 with that memory only.  A node
# without CPUs keeps the CPU topology as it is (CPUs of one cache on two
# nodes make the kernel warn), and node 0 keeps the 1 GiB-aligned free
# memory that hugepagesz=1G needs at boot.
numa_opts() {
	local mem=${VMLAB_MEM:-2G} node1=${VMLAB_NUMA_MB:-512} mb
	[ "$node1" -gt 0 ] || return 0
	case $mem in
	*[Gg]) mb=$((${mem%[Gg]} * 1024)) ;;
	*[Mm]) mb=${mem%[Mm]} ;;
	*) die "VMLAB_MEM=$mem: say it in M or G" ;;
	esac
	[ "$node1" -lt "$mb" ] || die "VMLAB_NUMA_MB=$node1 leaves nothing of VMLAB_MEM=$mem"
	echo "-object memory-backend-ram,id=vmlab-node0,size=$((mb - node1))M"
	echo "-numa node,nodeid=0,memdev=vmlab-node0"
	echo "-object memory-backend-ram,id=vmlab-node1,size=${node1}M"
	echo "-numa node,nodeid=1,memdev=vmlab-node1"
}

# pvh_kernel VMLINUZ: the kernel file to give QEMU: the ELF inside VMLINUZ
# if it has a PVH entry point (Xen ELF note 18), else VMLINUZ.  The ELF is
# kept in $VMLAB_CACHE/pvh under the kernel's name and a key made of its
# path, size and modification time: every debug kernel is called bzImage, and a name
# alone (with a newer-than test) handed one build's kernel to another's
# guest.  Older ELFs of the same kernel name go after a day.
pvh_kernel() {
	local z=$1 out m off key
	if [ "${VMLAB_PVH:-1}" = 0 ]; then
		echo "$z"
		return
	fi
	key=$({ readlink -f "$z"; stat -L -c '%s %.9Y' "$z"; } | sha256sum | cut -c1-12)
	out=$VMLAB_CACHE/pvh/$(basename "$z")-$key.elf
	if [ ! -s "$out" ]; then
		mkdir -p "$(dirname "$out")"
		find "$(dirname "$out")" -maxdepth 1 -name "$(basename "$z")*.elf" -mmin +1440 -delete 2>/dev/null || true
		# The payload's magic number, and how to decompress it.
		for m in 'fd377a585a00:xz -dcq --single-stream' '28b52ffd:zstd -dcq' '1f8b0800:gzip -dcq'; do
			off=$(LC_ALL=C grep -obUaP "$(echo "${m%%:*}" | sed 's/../\\x&/g')" "$z" |
				head -n 1 | cut -d: -f1)
			[ -n "$off" ] || continue
			# Trailing data after the payload makes some tools fail.
			tail -c +$((off + 1)) "$z" | ${m#*:} >"$out.tmp.$$" 2>/dev/null || true
			if readelf -n "$out.tmp.$$" 2>/dev/null | grep -q 'Xen.*(0x00000012)'; then
				mv "$out.tmp.$$" "$out"
				break
			fi
		done
		rm -f "$out.tmp.$$"
	fi
	if [ -s "$out" ]; then
		echo "$out"
	else
		echo "$z"
	fi
}

# console_opts LOG: QEMU options for the serial console.
console_opts() {
	if [ "${VMLAB_CONSOLE:-0}" = 1 ]; then
		echo "-chardev stdio,id=con,signal=off,logfile=$1"
	else
		echo "-chardev file,id=con,path=$1"
	fi
}

# watch_init LOG T0 OUT: write to OUT how long after T0 the guest's /init
# said hello in LOG.
watch_init() {
	while sleep 0.1; do
		if grep -q '^VMLAB-INIT' "$1"; then
			elapsed "$2" >"$3"
			return
		fi
	done
}

# died_booting LOG: did the kernel die of an "Oops: int3" before the
# guest's /init said hello?  Under multi-threaded TCG a vCPU may run the
# breakpoint of a code patch after the kernel has removed it (a fault of
# the emulator, seen in 7.3's boot as it switched sched_clock's static
# key).  Nothing of vmlab has run then: the guest may boot again, also
# with the console on the terminal (make shell), where the learner sees
# the Oops and then the boot again.
died_booting() {
	! grep -q '^VMLAB-INIT' "$1" && grep -q 'Oops: int3' "$1"
}

# report LOG RC SECS TIMEOUT INIT: say how the run went; fails unless it finished.
report() {
	local log=$1 rc=$2 secs=$3 limit=$4 wall=$5 up
	up=$(tr -d '\r' <"$log" | sed -n 's/^VMLAB-INIT uptime=\([0-9.]*\).*/\1/p' | head -n 1)
	if [ -n "$up" ]; then
		log "the guest reached /init after $wall s ($up s of kernel uptime)"
	fi
	if grep -q '^VMLAB-DONE' "$log"; then
		log "the guest finished after $secs s"
		return 0
	fi
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		log "the guest did not finish within $limit s (VMLAB_TIMEOUT): killed"
	elif grep -q 'Kernel panic' "$log"; then
		log "the guest kernel panicked after $secs s"
	else
		log "the guest stopped after $secs s without finishing (qemu exit status $rc)"
	fi
	log "console log: $log"
	tail -n 15 "$log" | tr -d '\r' | sed 's/\x1b[[0-9;?]*[a-zA-Z]//g; s/\x1bc//g; s/^/vmlab:   | /' >&2
	return 1
}

main() {
	[ $# -ge 3 ] || die "usage: qemu-run.sh VMLINUZ INITRAMFS LOG [KERNEL-ARGS...]"
	local kernel=$1 initrd=$2 log=$3 limit=${VMLAB_TIMEOUT:-900} append t0 rc=0 fg='' name watcher numa tries=0
	shift 3
	[ -f "$kernel" ] || die "no kernel $kernel"
	[ -f "$initrd" ] || die "no initramfs $initrd"
	host_need qemu-system-x86 coreutils binutils xz-utils zstd gzip
	numa=$(numa_opts) || exit 1	# a bad VMLAB_MEM or VMLAB_NUMA_MB
	append="console=ttyS0 panic=-1 loglevel=4 ${VMLAB_APPEND:-} $*"
	mkdir -p "$(dirname "$log")"
	: >"$log"
	name=$(basename "$kernel" | sed 's/^vmlinuz-/Debian /')
	kernel=$(pvh_kernel "$kernel")
	case $kernel in
	*.elf) log "booting $name under QEMU (TCG, -cpu ${VMLAB_QEMU_CPU:-max}, PVH entry), console in $log" ;;
	*) log "booting $name under QEMU (TCG, -cpu ${VMLAB_QEMU_CPU:-max}), console in $log" ;;
	esac
	# In the foreground of the terminal QEMU can read from it.
	[ "${VMLAB_CONSOLE:-0}" != 1 ] || fg=--foreground
	while :; do
		t0=$(now)
		rc=0
		: >"$log"
		watch_init "$log" "$t0" "$log.init" &
		watcher=$!
		# shellcheck disable=SC2046,SC2086 # console_opts, VMLAB_QEMU_OPTS: separate words
		timeout $fg -k 10 "$limit" qemu-system-x86_64 -accel "tcg${VMLAB_TCG_THREAD:+,thread=$VMLAB_TCG_THREAD}" -cpu "${VMLAB_QEMU_CPU:-max}" \
			-smp "${VMLAB_SMP:-2}" -m "${VMLAB_MEM:-2G}" $numa \
			-nographic -monitor none -no-reboot -nodefaults \
			$(console_opts "$log") -serial chardev:con ${VMLAB_QEMU_OPTS:-} \
			-kernel "$kernel" -initrd "$initrd" -append "$append" || rc=$?
		kill "$watcher" 2>/dev/null || true
		wait "$watcher" 2>/dev/null || true
		died_booting "$log" && [ "$tries" -lt 2 ] || break
		tries=$((tries + 1))
		cp "$log" "$log.died-$tries"
		log "the kernel died of an int3 Oops while it booted, before /init ran (the emulator's"
		log "code-patching hazard, see docs/testing.md): booting again ($tries of 2), its log kept in $log.died-$tries"
	done
	local secs wall finished=0
	secs=$(elapsed "$t0")
	wall=$(cat "$log.init" 2>/dev/null || echo "?")
	rm -f "$log.init"
	report "$log" "$rc" "$secs" "$limit" "$wall" || finished=1
	return $finished
}

main "$@"
