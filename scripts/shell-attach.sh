#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# shell-attach.sh [SERIES]: `make shell-attach`.  A second terminal into the
# guest of a running `make shell` (scripts/shell.sh), of SERIES or, without
# it, the only one running: a shell on the guest's second serial port,
# reached through its socket (attach.sock in build/shell-SERIES/, or
# VMLAB_SHELL_DIR) with socat, the terminal raw so that Ctrl-C, Ctrl-Z and
# the arrows reach the guest.  Ctrl-] leaves (and gives the terminal back
# as it was); `exit` there only starts a fresh shell.  One terminal at a
# time: another one waits until the first leaves.
set -euo pipefail
. "$(dirname "$0")/host/lib.sh"

SAVED_TTY=

# running DIR: is a make shell's guest running in DIR?  Its shell.sh holds
# DIR/lock while it runs.
running() {
	[ -S "$1/attach.sock" ] && ! flock -n "$1/lock" true 2>/dev/null
}

main() {
	local series=${1:-} dir d found=()
	if [ -n "${VMLAB_SHELL_DIR:-}" ]; then
		found=("$VMLAB_SHELL_DIR")
	elif [ -n "$series" ]; then
		found=("$VMLAB_TOP/build/shell-$series")
	else
		for d in "$VMLAB_TOP"/build/shell-*; do
			[ ! -d "$d" ] || found+=("$d")
		done
	fi
	dir=
	for d in ${found[@]+"${found[@]}"}; do
		running "$d" || continue
		[ -z "$dir" ] || die "vmlab shells run for more than one kernel: say which, e.g. make shell-attach KERNEL=${d##*/shell-}"
		dir=$d
	done
	if [ -z "$dir" ]; then
		echo "vmlab: no vmlab shell is running${series:+ for $series}: start one with make shell${series:+ KERNEL=$series}" >&2
		exit 1
	fi
	host_need socat
	if [ -t 0 ]; then
		SAVED_TTY=$(stty -g)
		trap '[ -z "$SAVED_TTY" ] || stty "$SAVED_TTY" 2>/dev/null || true' EXIT
		trap 'exit 130' INT
		trap 'exit 143' TERM HUP
		log "attached to the guest's second terminal (${dir##*/}): press Enter for a prompt, Ctrl-] to leave"
		socat -,raw,echo=0,escape=0x1d "UNIX-CONNECT:$dir/attach.sock" ||
			die "could not connect to $dir/attach.sock"
		stty "$SAVED_TTY"
		echo
		log "detached; the guest runs on"
	else
		socat - "UNIX-CONNECT:$dir/attach.sock"
	fi
}

main "$@"
