#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash # busybox ash, which has local too
#
# guest-init.sh: /init of vmlab's QEMU guest (busybox sh, PID 1).
#
# Loads /vmlab/vmlab.ko, runs each test program of /vmlab/tests (in the
# order of their names, but vmlab_hwpoison last: LAST_PROGS), unloads the
# module, checks that no memory was lost, that kmemleak (in kernels that have
# it) finds no leak and that the kernel reported no bug, and powers the
# machine off.  Everything goes to the console (ttyS0) as one TAP stream of
# the runner's own steps, with each program's own output (kselftest TAP)
# between markers that qemu-run.sh and check.sh parse:
#
#	VMLAB-INIT uptime=SECS kernel=KREL	/init started
#	TAP version 13, 1..N, ok/not ok N STEP	the runner's steps
#	VMLAB-PROG-BEGIN NAME			a program starts
#	VMLAB-PROG-END NAME rc=N secs=S [timeout] [unloaded]
#						it ended, with its exit
#						status; "timeout" when it was
#						killed for taking too long,
#						"unloaded" when it left the
#						module unloaded
#	VMLAB-DMESG-BEGIN ... VMLAB-DMESG-END	the kernel log after the run
#
# In the kernel log, "vmlab-init: begin NAME" and "vmlab-init: end NAME"
# frame a program of LAST_PROGS (see MF_ALLOWED).
#	VMLAB-DONE				the runner finished
#
# Kernel command line (all optional):
#	vmlab.params="size_mb=64 ..."	module parameters for insmod
#	vmlab.tests="prog1 prog2"	run only these programs (or
#					prog1,prog2); a name that is not
#					there is a failing step
#	vmlab.timeout=SECS		time limit of one program (else
#					timeout= of tests/settings, 300)
#	vmlab.pokes=1			after each program, list where the
#					kernel patched its own code while
#					it ran (see pokes_start)
#	vmlab.cmd="COMMAND"		run COMMAND (sh -c, in /vmlab/tests)
#					instead of the programs; "shell" for
#					an interactive shell on the console
#
# The programs find the module's file and parameters in VMLAB_KO and
# VMLAB_PARAMS (vmlab_reload unloads and loads it again).  A program that
# leaves the module unloaded fails, and the module is loaded again for the
# next.

PATH=/bin:/sbin:/usr/bin:/usr/sbin
HOME=/root
TMPDIR=/tmp
export PATH HOME TMPDIR

KO=/vmlab/vmlab.ko
TESTS=/vmlab/tests
OUT=/tmp/.vmlab-out
N=0		# the number of the runner's last TAP line
LOADED=		# set once insmod succeeded
MAX_LOST_KB=16384
KMEMLEAK=/sys/kernel/debug/kmemleak
# What the kernel prints when something went wrong (REPORTS), and the
# memory-failure lines (MF_REPORTS) that are reports but where
# vmlab_hwpoison, run last of all (LAST_PROGS), allows them (MF_ALLOWED):
# one file with check.sh, packed by mkinitramfs.sh.
# shellcheck source=scripts/guest/kernel-reports.sh
. /vmlab/kernel-reports.sh
LAST_PROGS=vmlab_hwpoison

# cmdline_arg NAME: the value of NAME=VALUE or NAME="VALUE" on the kernel's
# command line; fails when it is not there.
cmdline_arg() {
	local line v
	line=" $(cat /proc/cmdline) "
	case $line in
	*" $1=\""*)
		v=${line#*" $1=\""}
		v=${v%%\"*}
		;;
	*" $1="*)
		v=${line#*" $1="}
		v=${v%% *}
		;;
	*) return 1 ;;
	esac
	echo "$v"
}

ok() {
	N=$((N + 1))
	echo "ok $N $*"
}
not_ok() {
	N=$((N + 1))
	echo "not ok $N $*"
}
diag() { echo "# $*"; }
uptime_s() { cut -d' ' -f1 /proc/uptime; }
meminfo_kb() { awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo; }
# Free pages held in the per-CPU lists, which MemFree does not count.
pcp_kb() { awk '$1 == "count:" { n += $2 } END { print n * 4 }' /proc/zoneinfo; }
drop_caches() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
}

# hook_sched_once: hook the scheduler's tracepoints for the whole run.
# A tracepoint with one hooked function calls it directly, one with more
# calls an iterator; going between none, one and more, either way, patches
# the kernel's code at every call site.  QEMU's multi-threaded TCG can then
# run, on the other vCPU, the breakpoint of the patching after it is gone:
# "Oops: int3", seen twice on the debug kernel, in __schedule() as a test
# enabled vmlab's events (task names get recorded: sched_switch,
# sched_wakeup and sched_wakeup_new hooked) and in try_to_wake_up() as
# `vmlab trace` set set_event_pid and event-fork (sched_switch,
# sched_wakeup, sched_wakeup_new and sched_waking hooked twice,
# sched_process_fork and sched_process_free once).  An instance that
# records nothing does all of that here, once, and enables the two process
# events as well: every one of those tracepoints then has at least two
# functions for the whole run, so the tests' tracing only adds to lists
# whose call sites already call the iterator, which patches no code.  Its
# pid filter is the idle task's, 0, which never forks.
hook_sched_once() {
	local t=/sys/kernel/tracing/instances/vmlab-keep e
	[ -d /sys/kernel/tracing/instances ] || return 0
	# Its buffer keeps its size: on 6.1 setting any buffer's size stops
	# the kernel from growing the main buffer from its boot size (a page
	# a CPU) when tracing starts.
	mkdir "$t" && echo 0 >"$t/tracing_on" &&
		echo 0 >"$t/set_event_pid" &&
		echo 1 >"$t/options/event-fork" &&
		for e in sched_switch sched_process_fork sched_process_free; do
			echo 1 >"$t/events/sched/$e/enable" || break
		done ||
		echo "# could not keep the scheduler's tracepoints hooked ($t)"
}

# no_numa_balancing: the guest has two NUMA nodes (qemu-run.sh), so the
# kernel turns on automatic NUMA balancing, which now and then takes a
# test's pages away for a moment to see who touches them: an extra minor
# fault that no test asked for (fault.shared.huge_mapping saw 2 faults for
# its one on 6.1).  The tests count faults; they migrate pages themselves
# (move_pages) where a lesson needs it.
no_numa_balancing() {
	[ -w /proc/sys/kernel/numa_balancing ] || return 0
	echo 0 >/proc/sys/kernel/numa_balancing ||
		echo "# could not turn NUMA balancing off"
}

# hold_memcg_once: a memory cgroup for the whole run.  The first memory
# cgroup switches on static keys tested in the allocators (kmalloc, the page
# allocator, BPF's), and each cgroup holds more keys while it exists; the
# tests make and remove their own, which patched that code while the other
# vCPU ran it (vmlab.pokes=1 showed it, see hook_sched_once).  One that
# lives from here on, as on a machine with systemd, leaves the tests'
# cgroups nothing to switch.  It is cgroup2 on /sys/fs/cgroup, where the
# tests look for it.
hold_memcg_once() {
	local c=/sys/fs/cgroup
	[ -d "$c" ] || return 0
	if ! mount -t cgroup2 none "$c"; then
		echo "# could not mount cgroup2 on $c"
		return 0
	fi
	grep -qw memory "$c/cgroup.controllers" || return 0
	echo +memory >"$c/cgroup.subtree_control" && mkdir "$c/vmlab-keep" ||
		echo "# could not make a memory cgroup to keep ($c/vmlab-keep)"
}

# pokes_start: with vmlab.pokes=1, a kprobe on each of the kernel's
# text-patching functions (their names changed in 6.16), recording the
# patched address, as a symbol, in the tracefs instance vmlab-pokes;
# pokes_report prints and clears it after each program.  This is how the
# patching hook_sched_once prevents was found; in a guest that dies of
# "Oops: int3" it says what was being patched.
POKES=
pokes_start() {
	local i=/sys/kernel/tracing/instances/vmlab-pokes f
	[ "$(cmdline_arg vmlab.pokes)" = 1 ] && [ -e /sys/kernel/tracing/kprobe_events ] || return 0
	mkdir "$i" || return 0
	for f in text_poke_queue text_poke_bp smp_text_poke_batch_add smp_text_poke_single; do
		grep -q " $f\$" /proc/kallsyms || continue
		echo "p:kprobes/vmlab_poke_$f $f addr=%di:symbol" >>/sys/kernel/tracing/kprobe_events &&
			echo 1 >"$i/events/kprobes/vmlab_poke_$f/enable" && POKES=$i ||
			echo "# could not probe $f"
	done
}
pokes_report() {
	[ -n "$POKES" ] || return 0
	echo "# code the kernel patched during $1 (count, address):"
	sed -n 's/.* addr=//p' "$POKES/trace" | sort | uniq -c | sed 's/^ */#   /'
	echo >"$POKES/trace"
}

setup() {
	mount -t proc proc /proc
	mount -t sysfs sysfs /sys
	mount -t devtmpfs devtmpfs /dev
	exec </dev/console >/dev/console 2>&1
	mkdir -p /dev/pts /dev/shm
	mount -t devpts devpts /dev/pts
	mount -t tmpfs -o mode=1777 tmpfs /dev/shm
	mount -t tmpfs -o mode=1777 tmpfs /tmp
	mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
	mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
	[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
	hostname vmlab
	hook_sched_once
	hold_memcg_once
	no_numa_balancing
	pokes_start
	echo
	echo "VMLAB-INIT uptime=$(uptime_s) kernel=$(uname -r)"
}

# programs: the names of the test programs to run, sorted, but those of
# LAST_PROGS last.
programs() {
	local only f name
	only=$(cmdline_arg vmlab.tests | tr , ' ') || only=
	for f in "$TESTS"/*; do
		[ -f "$f" ] && [ -x "$f" ] || continue
		name=${f##*/}
		if [ -n "$only" ]; then
			case " $only " in
			*" $name "*) ;;
			*) continue ;;
			esac
		fi
		echo "$name"
	done | grep -v -x -F "$(echo $LAST_PROGS | tr ' ' '\n')"
	for name in $LAST_PROGS; do
		[ -f "$TESTS/$name" ] && [ -x "$TESTS/$name" ] || continue
		case " ${only:-$name} " in
		*" $name "*) echo "$name" ;;
		esac
	done
}

# mf_mark NAME begin|end: mark the kernel log where a program of
# LAST_PROGS begins and ends (level 3, so the console shows it as it shows
# memory failure's lines).
mf_mark() {
	case " $LAST_PROGS " in
	*" $1 "*) echo "<3>vmlab-init: $2 $1" >/dev/kmsg ;;
	esac
}

# mf_filter: the kernel log on stdin without the lines MF_ALLOWED allows,
# where they are allowed.
mf_filter() {
	awk -v allowed="$MF_ALLOWED" '
		/vmlab-init: begin vmlab_hwpoison$/ { w = 1; next }
		/vmlab-init: end vmlab_hwpoison$/ { w = 0; next }
		w && $0 ~ allowed { next }
		{ print }'
}

# missing: the programs vmlab.tests= names that the guest does not have.
missing() {
	local only name
	only=$(cmdline_arg vmlab.tests | tr , ' ') || return 0
	for name in $only; do
		if ! [ -f "$TESTS/$name" ] || ! [ -x "$TESTS/$name" ]; then
			echo "$name"
		fi
	done
}

# load_module: insmod $KO $VMLAB_PARAMS.
load_module() {
	# shellcheck disable=SC2086 # the parameters are separate words
	insmod "$KO" $VMLAB_PARAMS
}

step_insmod() {
	VMLAB_PARAMS=$(cmdline_arg vmlab.params) || VMLAB_PARAMS=
	# The module's file and parameters, for the programs that unload and
	# load it again (vmlab_reload).
	VMLAB_KO=$KO
	export VMLAB_KO VMLAB_PARAMS
	diag "insmod $KO${VMLAB_PARAMS:+ $VMLAB_PARAMS}"
	if ! load_module; then
		not_ok "insmod"
		return
	fi
	LOADED=1
	if [ -c /dev/vmlab ]; then
		ok "insmod"
	else
		diag "the module loaded but /dev/vmlab is missing"
		not_ok "insmod"
	fi
}

# run_prog NAME SECS COMMAND...: run COMMAND in its own session with its
# output on the console and in $OUT, killing its whole process group after
# SECS seconds; prints the markers and sets RC, TIMEDOUT and UNLOADED (the
# module was loaded before and is not after).
run_prog() {
	local name="$1" secs="$2" t0 pid wdog tee
	shift 2
	echo "VMLAB-PROG-BEGIN $name"
	rm -f "$OUT" /tmp/.vmlab-fifo /tmp/.vmlab-timeout
	mkfifo /tmp/.vmlab-fifo
	tee "$OUT" </tmp/.vmlab-fifo &
	tee=$!
	t0=$(uptime_s)
	mf_mark "$name" begin
	(cd "$TESTS" && exec setsid "$@") </dev/null >/tmp/.vmlab-fifo 2>&1 &
	pid=$!
	setsid sh -c 'sleep "$1" && touch /tmp/.vmlab-timeout &&
		kill -TERM -"$2" && sleep 10 && kill -KILL -"$2"' sh "$secs" "$pid" \
		</dev/null >/dev/null 2>&1 &
	wdog=$!
	wait "$pid"
	RC=$?
	kill -KILL -"$wdog" 2>/dev/null
	kill -KILL -"$pid" 2>/dev/null # what the program left behind
	mf_mark "$name" end
	wait "$tee"
	TIMEDOUT=
	[ ! -e /tmp/.vmlab-timeout ] || TIMEDOUT=" timeout"
	UNLOADED=
	[ -z "$LOADED" ] || [ -e /sys/module/vmlab ] || UNLOADED=" unloaded"
	pokes_report "$name"
	echo "VMLAB-PROG-END $name rc=$RC secs=$(awk -v a="$t0" -v b="$(uptime_s)" \
		'BEGIN { printf "%.1f", b - a }')$TIMEDOUT$UNLOADED"
}

# step_prog NAME SECS COMMAND...: one program, as one test of the runner.
step_prog() {
	local name="$1" secs="$2" failed
	if [ -z "$LOADED" ]; then
		ok "$name # SKIP the module is not loaded"
		return
	fi
	run_prog "$@"
	failed=$(grep -c '^not ok ' "$OUT")
	if [ -n "$UNLOADED" ]; then
		# It unloaded the module and did not load it again: the next
		# programs need it.
		diag "$name left the module unloaded: loading it again"
		load_module || LOADED=
		not_ok "$name"
	elif [ -n "$TIMEDOUT" ]; then
		diag "$name: killed after $secs s"
		not_ok "$name"
	elif [ "$RC" -eq 4 ] && [ "$failed" -eq 0 ]; then
		ok "$name # SKIP exit status 4 (KSFT_SKIP)"
	elif [ "$RC" -ne 0 ] || [ "$failed" -ne 0 ]; then
		diag "$name: exit status $RC, $failed failing tests"
		not_ok "$name"
	else
		ok "$name"
	fi
}

step_shell() {
	echo "VMLAB-SHELL: exit the shell to unload the module and power off"
	(cd "$TESTS" && setsid cttyhack sh -l)
	ok "shell"
}

step_rmmod() {
	if [ -z "$LOADED" ]; then
		ok "rmmod # SKIP the module is not loaded"
		return
	fi
	for _ in 1 2 3 4 5; do
		rmmod vmlab && break
		sleep 1
	done
	if [ -e /sys/module/vmlab ]; then
		diag "the module is still loaded (refcnt $(cat /sys/module/vmlab/refcnt 2>/dev/null))"
		not_ok "rmmod"
	else
		ok "rmmod"
	fi
}

# step_memory FREE AVAIL PCP: compare with MemFree, MemAvailable and the
# per-CPU free lists (kB) of before insmod.  What counts is MemAvailable
# plus the per-CPU lists: freed pages often wait there.  In a kernel with
# kmemleak (the debug kernel) the growth of unreclaimable slab is not
# counted: KASAN keeps freed objects there in its quarantine (up to 1/32 of
# the memory), and a leaked slab object is kmemleak's step to find.
step_memory() {
	local free0="$1" avail0="$2" pcp0="$3" free1 avail1 pcp1 lost slab
	if [ -e /sys/module/vmlab ]; then
		ok "memory # SKIP the module is still loaded"
		return
	fi
	drop_caches
	free1=$(meminfo_kb MemFree)
	avail1=$(meminfo_kb MemAvailable)
	pcp1=$(pcp_kb)
	lost=$((avail0 + pcp0 - avail1 - pcp1))
	diag "MemFree: $free0 kB before insmod, $free1 kB after rmmod"
	diag "free pages in per-CPU lists: $pcp0 kB before insmod, $pcp1 kB after rmmod"
	cat /proc/meminfo >/tmp/.vmlab-meminfo1
	# The other counters that moved by more than 1 MiB, for a hint.
	awk 'NR == FNR { a[$1] = $2; next }
		$1 in a && ($2 - a[$1] > 1024 || a[$1] - $2 > 1024) {
			printf "# %s %d kB before insmod, %d kB after rmmod\n", $1, a[$1], $2 }' \
		/tmp/.vmlab-meminfo0 /tmp/.vmlab-meminfo1 | grep -v -e MemFree -e MemAvailable -e DirectMap
	diag "MemAvailable: $avail0 kB before insmod, $avail1 kB after rmmod"
	if [ -e "$KMEMLEAK" ]; then
		slab=$(awk '$1 == "SUnreclaim:" { print $2 }' /tmp/.vmlab-meminfo1)
		slab=$((slab - $(awk '$1 == "SUnreclaim:" { print $2 }' /tmp/.vmlab-meminfo0)))
		if [ "$slab" -gt 0 ]; then
			diag "not counted: SUnreclaim grew by $slab kB (KASAN's quarantine; slab leaks are kmemleak's)"
			lost=$((lost - slab))
		fi
	fi
	diag "lost: $lost kB of MemAvailable + per-CPU lists (at most $MAX_LOST_KB kB allowed)"
	if [ "$lost" -gt "$MAX_LOST_KB" ]; then
		not_ok "memory"
	else
		ok "memory"
	fi
}

# kmemleak_scan: one scan; fails when kmemleak cannot scan (it turns
# itself off after an internal error, which the kernel log tells).
kmemleak_scan() {
	echo scan 2>/dev/null >"$KMEMLEAK"
}

# kmemleak_baseline: before insmod, have kmemleak report what it suspects
# already (the kernel's own boot-time objects) and forget it, so that its
# step after rmmod sees only what leaked while the module was there.
kmemleak_baseline() {
	local n
	if ! kmemleak_scan; then
		diag "kmemleak: cannot scan before insmod"
		return 0
	fi
	n=$(grep -c '^unreferenced object' "$KMEMLEAK")
	echo clear >"$KMEMLEAK"
	diag "kmemleak: $n object(s) suspected before insmod (boot), forgotten"
}

# step_kmemleak: after rmmod, two scans a few seconds apart (an object is
# reported only once it is old enough and was not referenced in a scan),
# then every unreferenced object kmemleak reports is a failure.
step_kmemleak() {
	local n
	if ! kmemleak_scan || ! sleep 6 || ! kmemleak_scan; then
		diag "kmemleak: cannot scan (it turned itself off? see the kernel log)"
		not_ok "kmemleak"
		return
	fi
	cat "$KMEMLEAK" >/tmp/.vmlab-kmemleak
	n=$(grep -c '^unreferenced object' /tmp/.vmlab-kmemleak)
	if [ "$n" -gt 0 ]; then
		diag "kmemleak: $n unreferenced object(s) after rmmod:"
		head -n 80 /tmp/.vmlab-kmemleak | sed 's/^/#   /'
		not_ok "kmemleak"
	else
		ok "kmemleak"
	fi
}

step_kernel_log() {
	local found
	echo "VMLAB-DMESG-BEGIN"
	dmesg >/tmp/.vmlab-dmesg
	cat /tmp/.vmlab-dmesg
	echo "VMLAB-DMESG-END"
	found=$(mf_filter </tmp/.vmlab-dmesg | grep -E "$REPORTS|$MF_REPORTS" | head -n 20)
	if [ -n "$found" ]; then
		diag "the kernel reported problems:"
		echo "$found" | sed 's/^/#   /'
		not_ok "kernel log"
	else
		ok "kernel log"
	fi
}

finish() {
	echo "VMLAB-DONE"
	sync
	poweroff -f
	echo o >/proc/sysrq-trigger
	sleep 10
}

main() {
	local cmd timeout progs lost='' count free0 avail0 pcp0 p steps=4
	setup
	cmd=$(cmdline_arg vmlab.cmd) || cmd=
	timeout=$(cmdline_arg vmlab.timeout) || timeout=$(sed -n 's/^timeout=//p' "$TESTS/settings" 2>/dev/null)
	[ -n "$timeout" ] || timeout=300
	if [ -n "$cmd" ]; then
		count=1
	else
		progs=$(programs)
		lost=$(missing)
		# shellcheck disable=SC2086 # counting words
		count=$(echo $progs $lost | wc -w)
	fi
	[ ! -e "$KMEMLEAK" ] || steps=5
	echo "TAP version 13"
	echo "1..$((count + steps))"
	[ ! -e "$KMEMLEAK" ] || kmemleak_baseline
	drop_caches
	free0=$(meminfo_kb MemFree)
	avail0=$(meminfo_kb MemAvailable)
	pcp0=$(pcp_kb)
	cat /proc/meminfo >/tmp/.vmlab-meminfo0
	step_insmod
	if [ "$cmd" = shell ]; then
		step_shell
	elif [ -n "$cmd" ]; then
		step_prog cmd "$timeout" sh -c "$cmd"
	else
		for p in $lost; do
			not_ok "$p # no such test program in $TESTS (vmlab.tests)"
		done
		for p in $progs; do
			step_prog "$p" "$timeout" "./$p"
		done
	fi
	step_rmmod
	step_memory "$free0" "$avail0" "$pcp0"
	[ ! -e "$KMEMLEAK" ] || step_kmemleak
	step_kernel_log
	finish
}

main "$@"
