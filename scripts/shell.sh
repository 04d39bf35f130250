#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# shell.sh [SERIES]: `make shell`.  Builds the module for Debian's kernel of
# SERIES (default $KERNEL, or 6.1, as make demo) and the vmlab command,
# boots that kernel under QEMU with the module loaded (make demo's
# parameters) and gives this terminal to a shell in the guest: busybox's
# ash with job control and line editing, on the guest's console, a real
# tty.  Ctrl-C goes to the guest's program, not to QEMU.  vmlab, the
# programs of examples/ and busybox's tools (ps, top, free, less, grep...)
# are on its PATH; /proc,
# /sys, debugfs and tracefs are mounted (guest-init.sh).
#
# A host directory, SHARE (default lab/ of the tree), is the guest's /lab,
# read-write (virtio-9p; fetch-kernel.sh takes its modules from Debian's
# package).  A SHARE without a Makefile gets scripts/lab/'s: a Makefile
# that builds each .c file into a static program against libvmlab, and
# hello.c.  Build on the host (make -C lab), run in the guest (./hello).
# A second terminal into the same guest: `make shell-attach`
# (scripts/shell-attach.sh), through the guest's second serial port, the
# socket attach.sock.
#
# Leaving the shell (exit, Ctrl-D or poweroff) unloads the module and runs
# make check's end steps in the guest (rmmod, memory, kernel log); one line
# says how they went, and the exit status is 0 when they passed.  The
# terminal is given back as it was, also when something fails.
#
# Outputs in DIR, build/shell-SERIES/ (VMLAB_SHELL_DIR): console.log (the
# whole session), results.log (the guest's runner: TAP lines, kernel log),
# initramfs.cpio.gz, build.log, qemu-run.log, attach.sock while the guest
# runs.  Environment: KERNEL, SHARE, VMLAB_SHELL_DIR; VMLAB_PARAMS, the
# module parameters (default "size_mb=128 mem_limit_mb=112", as make
# demo); VMLAB_MEM... of qemu-run.sh, whose VMLAB_TIMEOUT is 0 here (no
# limit) unless set.
set -euo pipefail
. "$(dirname "$0")/host/lib.sh"

S=$VMLAB_TOP/scripts
H=$S/host
SAVED_TTY=
DIR=		# the guest's directory (VMLAB_SHELL_DIR)

# restore_tty: the terminal as it was before QEMU made it raw.
restore_tty() {
	[ -z "$SAVED_TTY" ] || stty "$SAVED_TTY" 2>/dev/null || true
}

# share_dir DIR: DIR made ready to share, as an absolute path: created,
# given the template when it has no Makefile; QEMU's options and the
# kernel's command line take no blank, quote or comma in it.
share_dir() {
	local d=$1
	mkdir -p "$d"
	d=$(cd "$d" && pwd -P)
	case $d in
	*[[:space:]\",\\]*) die "SHARE=$d: a directory whose path has no blanks, quotes, commas or backslashes, please" ;;
	esac
	if [ ! -e "$d/Makefile" ]; then
		install -m 0644 "$S/lab/hello.c" "$d/"
		sed "s|^VMLAB ?= .*|VMLAB ?= $VMLAB_TOP|" "$S/lab/Makefile" >"$d/Makefile"
		log "$d: a Makefile and hello.c to start with (make -C $d builds on the host)"
	fi
	echo "$d"
}

# build SERIES DIR: the module and the vmlab command.
build() {
	local series=$1 dir=$2
	log "building the module for Debian $KREL and the vmlab command (log: $dir/build.log)"
	if ! { "$H/kmake.sh" "$series" modules && make -C "$VMLAB_TOP/userspace" &&
		make -C "$VMLAB_TOP/examples"; } >"$dir/build.log" 2>&1; then
		grep -E 'error|\*\*\*' "$dir/build.log" | head -n 20 >&2 || true
		die "the build failed (log: $dir/build.log)"
	fi
}

# initramfs SERIES DIR: the guest: the module, vmlab in /usr/bin, the
# tour's probe (userspace-extra.sh), the programs of examples/ in
# /examples (on the guest's PATH), the share's modules and the kernel's
# others (loop, for a swap area) in /vmlab/kmod.
initramfs() {
	local series=$1 dir=$2 extra k kmods
	kmods=$VMLAB_CACHE/kernels/$series/kmod-share
	[ -f "$kmods/order" ] || die "no modules for the share in $kmods (fetch-kernel.sh makes them)"
	extra="$("$H/userspace-extra.sh") $VMLAB_TOP/userspace/vmlab:/usr/bin/vmlab"
	extra+=" $kmods/order:/vmlab/kmod-share/order"
	for k in $(make -s --no-print-directory -C "$VMLAB_TOP/examples" list); do
		extra+=" $VMLAB_TOP/examples/$k:/examples/$k"
	done
	for k in "$kmods"/*.ko; do
		extra+=" $k:/vmlab/kmod-share/${k##*/}"
	done
	for k in "$VMLAB_CACHE/kernels/$series"/kmod/*.ko; do
		[ ! -f "$k" ] || extra+=" $k:/vmlab/kmod/${k##*/}"
	done
	VMLAB_INITRAMFS_EXTRA=$extra "$S/mkinitramfs.sh" "$dir/initramfs.cpio.gz" \
		"$VMLAB_TOP/build/$series/module/vmlab.ko" ""
}

# verdict RESULTS: the one line about the guest's end steps, from its
# runner's lines; fails unless they all passed.
verdict() {
	local r lost parts=() rc=0 line p
	r=$(tr -d '\r' <"$1")
	if ! grep -q '^VMLAB-DONE' <<<"$r"; then
		echo "vmlab shell: the guest did not finish its end checks (see $1)"
		return 1
	fi
	if grep -q '^not ok [0-9]* insmod' <<<"$r"; then
		parts+=("insmod failed")
		rc=1
	fi
	if grep -q '^ok [0-9]* rmmod$' <<<"$r"; then
		parts+=("module unloaded")
	elif grep -q '^ok [0-9]* rmmod # SKIP' <<<"$r"; then
		:
	else
		parts+=("module NOT unloaded")
		rc=1
	fi
	lost=$(sed -n 's/^# lost: \(-\{0,1\}[0-9]*\) kB.*/\1/p' <<<"$r" | tail -n 1)
	if grep -q '^ok [0-9]* memory$' <<<"$r"; then
		if [ "${lost:-0}" -gt 0 ]; then
			parts+=("memory back (lost $lost kB)")
		else
			parts+=("memory back")
		fi
	elif grep -q '^not ok [0-9]* memory' <<<"$r"; then
		parts+=("memory NOT back (lost ${lost:-?} kB)")
		rc=1
	fi
	if grep -q '^ok [0-9]* kernel log$' <<<"$r"; then
		parts+=("kernel log clean")
	else
		parts+=("the kernel reported problems (see $1)")
		rc=1
	fi
	line=
	for p in "${parts[@]}"; do
		line+="${line:+, }$p"
	done
	echo "vmlab shell: $line"
	return "$rc"
}

main() {
	local series=${1:-${KERNEL:-6.1}} dir env share sock results rows=24 cols=80 size rc=0
	local params=${VMLAB_PARAMS-size_mb=128 mem_limit_mb=112} qopts
	case $series in
	6.1 | 6.12 | 7.3) ;;
	*) die "make shell runs Debian's 6.1, 6.12 or 7.3 (KERNEL=$series)" ;;
	esac
	dir=${VMLAB_SHELL_DIR:-$VMLAB_TOP/build/shell-$series}
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd -P)
	DIR=$dir
	sock=$dir/attach.sock
	results=$dir/results.log
	# One guest per directory: its socket and logs are the guest's.
	exec 9>"$dir/lock"
	flock -n 9 || die "a vmlab shell is already running here ($dir): make shell-attach gives a second terminal"
	host_need make gcc libc6-dev util-linux
	share=$(share_dir "${SHARE:-$VMLAB_TOP/lab}")
	env=$("$H/fetch-kernel.sh" "$series")
	# shellcheck disable=SC1090
	. "$env"
	build "$series" "$dir"
	initramfs "$series" "$dir"
	if [ -t 0 ]; then
		SAVED_TTY=$(stty -g)
		size=$(stty size) && rows=${size% *} && cols=${size#* }
	fi
	trap 'restore_tty; rm -f "$DIR/attach.sock" "$DIR/qemu.pid"' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM HUP
	rm -f "$sock" "$results"
	: >"$results"
	qopts="-virtfs local,path=${share},mount_tag=lab,security_model=none,id=lab"
	qopts+=" -chardev socket,id=attach,path=$sock,server=on,wait=off -serial chardev:attach"
	qopts+=" -chardev file,id=results,path=$results -serial chardev:results"
	qopts+=" -pidfile $dir/qemu.pid"
	log "booting Debian $KREL under QEMU (TCG): the shell comes in about 15 s"
	log "/lab in the guest is $share; leave with exit, Ctrl-D or poweroff"
	VMLAB_CONSOLE=1 VMLAB_TIMEOUT=${VMLAB_TIMEOUT:-0} VMLAB_QEMU_OPTS="${VMLAB_QEMU_OPTS:-} $qopts" \
		"$S/qemu-run.sh" "$VMLINUZ" "$dir/initramfs.cpio.gz" "$dir/console.log" \
		"vmlab.params=\"$params\"" vmlab.cmd=shell vmlab.share=lab "vmlab.share_host=\"$share\"" \
		vmlab.attach=ttyS1 vmlab.results=ttyS2 "vmlab.winsize=${cols}x$rows" \
		2>"$dir/qemu-run.log" || rc=$?
	restore_tty
	echo
	# qemu-run.sh looks for VMLAB-DONE on the console; here the runner
	# writes it to results.log, which verdict() reads.
	if ! grep -q '^VMLAB-DONE' "$results"; then
		sed 's/^/  /' "$dir/qemu-run.log" >&2
		die "the guest stopped before its end checks (qemu-run.sh: $rc; console log: $dir/console.log)"
	fi
	verdict "$results"
}

main "$@"
