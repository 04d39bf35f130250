#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# test-shell.sh [SERIES]: host-side test of `make shell` and `make
# shell-attach` (scripts/shell.sh, scripts/shell-attach.sh) on Debian's
# SERIES (default 6.12), typed into them through tmux's pseudo-terminals as
# a learner would: the guest's prompt comes; `vmlab tour 1` holds its
# claim; an example of examples/ runs from the PATH (zeropage); hello.c
# of the share's template, built on the host, runs in the
# guest; a file the guest writes in /lab is on the host; a second terminal
# (shell-attach, which says so plainly when no guest runs) reaches the same
# guest; Ctrl-C stops the guest's program and not QEMU; `exit` ends the
# guest with its end checks passed; the host terminal is as it was (stty -g
# before and after, in the same pane).
#
# Prints one TAP line per case ("ok N - ..." / "not ok N - ...") and `N
# passed, N failed`; check.sh runs it on 6.12 before the kernels.  Its files
# (the share, the guest's directory, tmux's socket) are in a temporary
# directory, kept and named when a case failed.  Environment: TEST_SHELL_BOOT
# (seconds to wait for the prompt, build and boot included: 400).
set -euo pipefail
. "$(dirname "$0")/host/lib.sh"

SERIES=${1:-6.12}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/vmlab-test-shell.XXXXXX")
SHARE=$TMP/share
RUN=$TMP/run
PROMPT='^vmlab:/[^ ]*# '
N=0 PASSED=0 FAILED=0 UP=0

# tm ARGS...: our own tmux server (its socket in TMP), not the user's.
tm() {
	TMUX='' tmux -S "$TMP/tmux.sock" "$@"
}

# pane WINDOW: what the window shows, its whole history, wrapped lines joined.
pane() {
	tm capture-pane -p -J -S - -t "vmlab:$1" 2>/dev/null | tr -d '\r'
}

# has WINDOW REGEX: does a line of WINDOW match REGEX?  (Not grep -q in a
# pipe: its early exit would fail the pipe, pipefail.)
has() {
	local text
	text=$(pane "$1") || return 1
	grep -qE "$2" <<<"$text"
}

# wait_for WINDOW REGEX SECS: until a line of WINDOW matches REGEX.
wait_for() {
	local end=$((SECONDS + $3))
	while [ "$SECONDS" -lt "$end" ]; do
		! has "$1" "$2" || return 0
		sleep 0.5
	done
	return 1
}

# type_line WINDOW TEXT: TEXT typed, then Enter.  The guest's commands are
# in single quotes: the guest's shell expands them, and a marker such as
# "attach-$((2 * 3))" shows as attach-6 only in what the command printed.
type_line() {
	tm send-keys -t "vmlab:$1" -l "$2"
	tm send-keys -t "vmlab:$1" Enter
}

# result OK NAME: one TAP line; with OK=0, the last lines of the panes too.
result() {
	N=$((N + 1))
	if [ "$1" = 1 ]; then
		echo "ok $N - $2"
		PASSED=$((PASSED + 1))
	else
		echo "not ok $N - $2"
		FAILED=$((FAILED + 1))
		{ pane 0 || true; } | { grep -v '^$' || true; } | tail -n 15 | sed 's/^/# shell| /'
		{ pane 1 || true; } | { grep -v '^$' || true; } | tail -n 8 | sed 's/^/# attach| /'
	fi
}

# cleanup: QEMU, if our guest still runs; our tmux server; TMP if all passed.
cleanup() {
	local pid
	pid=$(cat "$RUN/qemu.pid" 2>/dev/null) || pid=
	if [ -n "$pid" ] && grep -q qemu-system "/proc/$pid/cmdline" 2>/dev/null; then
		kill "$pid" 2>/dev/null || true
	fi
	tm kill-server 2>/dev/null || true
	if [ "$FAILED" -eq 0 ]; then
		rm -rf "$TMP"
	else
		echo "# test-shell.sh: its files are kept in $TMP"
	fi
}
trap cleanup EXIT

# skip_rest NAME...: the cases that need the guest, as failures, when it
# did not come up.
skip_rest() {
	local name
	for name in "$@"; do
		result 0 "$name # no shell in the guest"
	done
}

# shellcheck disable=SC2016 # the guest's commands: see type_line
main() {
	local t0 secs out
	host_need tmux
	echo "TAP version 13"
	echo "1..10"
	# A second terminal with no guest running says so and fails.
	out=$(VMLAB_SHELL_DIR=$RUN "$VMLAB_TOP/scripts/shell-attach.sh" 2>&1) && secs=0 || secs=$?
	if [ "$secs" -ne 0 ] && grep -q 'no vmlab shell is running' <<<"$out"; then
		result 1 "make shell-attach without a guest: \"$out\""
	else
		result 0 "make shell-attach without a guest: exit $secs, \"$out\""
	fi

	t0=$SECONDS
	tm new-session -d -s vmlab -x 160 -y 50 "bash --norc --noprofile"
	tm new-window -d -t vmlab:1 "bash --norc --noprofile"
	type_line 0 "cd '$VMLAB_TOP' && stty -g >'$TMP/stty.before' && make --no-print-directory shell KERNEL=$SERIES SHARE='$SHARE' VMLAB_SHELL_DIR='$RUN' VMLAB_TIMEOUT=1200; echo \"shell-exit=\$?\"; stty -g >'$TMP/stty.after'"
	if wait_for 0 "$PROMPT" "${TEST_SHELL_BOOT:-400}"; then
		UP=1
	fi
	result "$UP" "make shell KERNEL=$SERIES: a prompt in the guest after $((SECONDS - t0)) s (build and boot)"
	if [ "$UP" != 1 ]; then
		skip_rest "vmlab tour 1" "an example on the PATH" "a program built on the host runs in the guest" \
			"a file written in /lab is on the host" "make shell-attach" "Ctrl-C" "exit" "the terminal"
		return
	fi

	t0=$SECONDS
	type_line 0 'vmlab tour 1; echo "tour-rc=$?"'
	wait_for 0 '^tour-rc=[0-9]+' 300 || true
	if has 0 '^tour-rc=0$' && has 0 'Verdict: PASS'; then
		result 1 "vmlab tour 1 in the guest: the claim held ($((SECONDS - t0)) s)"
	else
		result 0 "vmlab tour 1 in the guest: the claim held"
	fi

	# An example of examples/, found on the guest's PATH.
	type_line 0 'zeropage; echo "example-rc=$?"'
	wait_for 0 '^example-rc=[0-9]+' 60 || true
	if has 0 '^example-rc=0$' && has 0 '^=> the claim held$'; then
		result 1 "an example on the guest's PATH: zeropage's claim held"
	else
		result 0 "an example on the guest's PATH: zeropage's claim held"
	fi

	# The share's template (shell.sh put it there), built on the host.
	if make -s -C "$SHARE" >"$TMP/make.log" 2>&1; then
		type_line 0 './hello; echo "hello-rc=$?"'
		wait_for 0 '^hello-rc=[0-9]+' 60 || true
	else
		sed 's/^/# make| /' "$TMP/make.log"
	fi
	if has 0 '^hello-rc=0$' && has 0 '^hello: vmlab counted .*fault_shared'; then
		result 1 "hello.c, built on the host in the share, runs in the guest's /lab"
	else
		result 0 "hello.c, built on the host in the share, runs in the guest's /lab"
	fi

	type_line 0 'echo "from the guest $((6 * 7))" >/lab/guest.txt; echo "write-rc=$?"'
	wait_for 0 '^write-rc=' 30 || true
	if [ "$(cat "$SHARE/guest.txt" 2>/dev/null)" = "from the guest 42" ]; then
		result 1 "a file the guest writes in /lab is on the host"
	else
		result 0 "a file the guest writes in /lab is on the host"
	fi

	# A second terminal: the same guest (it sees the file), then Ctrl-].
	type_line 1 "cd '$VMLAB_TOP' && VMLAB_SHELL_DIR='$RUN' make --no-print-directory shell-attach; echo \"attach-exit=\$?\""
	if wait_for 1 'attached to the guest' 60; then
		tm send-keys -t vmlab:1 Enter
		wait_for 1 "$PROMPT" 30 || true
		type_line 1 'head -n 1 /proc/meminfo; cat /lab/guest.txt; echo "attach-$((2 * 3))"'
		wait_for 1 '^attach-6$' 30 || true
		tm send-keys -t vmlab:1 C-]
		wait_for 1 '^attach-exit=' 30 || true
	fi
	if has 1 '^MemTotal:' && has 1 '^from the guest 42$' && has 1 '^attach-exit=0$'; then
		result 1 "make shell-attach: a second terminal into the same guest, left with Ctrl-]"
	else
		result 0 "make shell-attach: a second terminal into the same guest, left with Ctrl-]"
	fi

	# Ctrl-C: the guest's sleep stops, its shell prompts again.
	type_line 0 'sleep 1000'
	sleep 2
	tm send-keys -t vmlab:0 C-c
	type_line 0 'echo "alive-$((3 + 4)) sleeping-$(ps | grep -c "[s]leep 1000")"'
	if wait_for 0 '^alive-7 sleeping-0$' 30; then
		result 1 "Ctrl-C stops the guest's program (sleep 1000), not QEMU: the shell is back"
	else
		result 0 "Ctrl-C stops the guest's program (sleep 1000), not QEMU: the shell is back"
	fi

	t0=$SECONDS
	type_line 0 'exit'
	wait_for 0 '^shell-exit=[0-9]+' 120 || true
	out=$(pane 0 | grep '^vmlab shell: ' | tail -n 1) || out=
	if has 0 '^shell-exit=0$' &&
		grep -qE '^vmlab shell: module unloaded, memory back.*, kernel log clean$' <<<"$out"; then
		result 1 "exit: the guest ends, its end checks passed ($((SECONDS - t0)) s): \"$out\""
	else
		result 0 "exit: the guest ends, its end checks passed: \"$out\""
	fi

	for _ in 1 2 3 4 5 6 7 8 9 10; do
		[ ! -s "$TMP/stty.after" ] || break
		sleep 0.5
	done
	if [ -s "$TMP/stty.before" ] && cmp -s "$TMP/stty.before" "$TMP/stty.after"; then
		result 1 "the host terminal is as it was (stty -g before and after)"
	else
		result 0 "the host terminal is as it was (stty -g: $(cat "$TMP/stty.before" 2>/dev/null), then $(cat "$TMP/stty.after" 2>/dev/null))"
	fi
}

T0=$SECONDS
main
echo "# test-shell.sh: Debian $SERIES, $((SECONDS - T0)) s"
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
