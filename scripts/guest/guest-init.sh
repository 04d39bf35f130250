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
#					(make shell, scripts/shell.sh), which
#					these shape:
#	vmlab.share=TAG			mount the virtio-9p share TAG at /lab,
#					after loading the modules of
#					/vmlab/kmod-share in the order of its
#					file `order` (fetch-kernel.sh)
#	vmlab.share_host="DIR"		what the banner says /lab is
#	vmlab.attach=TTY		a second shell on /dev/TTY, started
#					again whenever it exits
#	vmlab.results=TTY		the runner's own lines (TAP, the
#					kernel log...) to /dev/TTY, after
#					VMLAB-INIT, and not to the console,
#					which is the learner's terminal
#	vmlab.winsize=COLSxROWS		the console terminal's size
#
# The programs find the module's file and parameters in VMLAB_KO and
# VMLAB_PARAMS (vmlab_reload unloads and loads it again).  A program that
# leaves the module unloaded fails, and the module is loaded again for the
# next.

PATH=/bin:/sbin:/usr/bin:/usr/sbin:/examples	# examples/, where packed
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
# The KASAN shadow that is mapped now (kB), from the kernel's page tables
# (debugfs page_tables/kernel, CONFIG_PTDUMP_DEBUGFS); empty when the
# kernel does not show them.  What grows at run time is the shadow of
# vmalloc areas (CONFIG_KASAN_VMALLOC): kernel stacks, modules, vmalloc().
kasan_shadow_kb() {
	local f=/sys/kernel/debug/page_tables/kernel
	[ -r "$f" ] && grep -q 'KASAN shadow' "$f" || return 0
	awk '/---\[ KASAN shadow \]---/ { on = 1; next }
		/---\[ KASAN shadow end \]---/ { on = 0 }
		on && / RW / {
			u = substr($2, length($2)); n = substr($2, 1, length($2) - 1)
			kb += n * (u == "K" ? 1 : u == "M" ? 1024 : u == "G" ? 1048576 : 1073741824)
		}
		END { print kb + 0 }' "$f"
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

# loop_driver: the loop driver, for a swap area on a loop device over a
# memfd (the tour's swap chapter and examples/swap make one when no swap is
# on): Debian's loop.ko, which fetch-kernel.sh takes from the kernel's
# package and the host puts in /vmlab/kmod, unless the kernel has loop
# built in.  Loaded before the memory is measured, so that it does not
# count as lost.
loop_driver() {
	[ ! -e /dev/loop-control ] && [ -f /vmlab/kmod/loop.ko ] || return 0
	insmod /vmlab/kmod/loop.ko || echo "# could not load the loop driver"
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
	loop_driver
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
# where they are allowed, and without the stacks of the OOM reports the
# tour causes on purpose (oom-filter.awk).
mf_filter() {
	awk -f /vmlab/oom-filter.awk | awk -v allowed="$MF_ALLOWED" '
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

# prog_timeout PROG SECS: PROG's time limit: SECS, or vmlab.timeout.PROG
# from the command line when that is longer (the debug kernel gives
# vmlab_outside's long trinity run its own).
prog_timeout() {
	local t
	t=$(cmdline_arg "vmlab.timeout.$1") || t=0
	[ "$t" -gt "$2" ] 2>/dev/null || t=$2
	echo "$t"
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

# shell_share: with vmlab.share=TAG, the virtio-9p share TAG on /lab (its
# modules loaded first); sets SHARE to what the banner says of /lab.  Runs
# before the memory is measured, so that the modules and the mount do not
# count as lost.
SHARE=
shell_share() {
	local tag f
	tag=$(cmdline_arg vmlab.share) || return 0
	SHARE="not mounted: the share $tag could not be mounted (dmesg says why)"
	mkdir -p /lab
	if [ -f /vmlab/kmod-share/order ]; then
		while read -r f; do
			insmod "/vmlab/kmod-share/$f" || diag "insmod $f failed"
		done </vmlab/kmod-share/order
	fi
	# The virtio device is there once its driver bound: at once, or soon.
	for _ in 1 2 3 4 5; do
		if mount -t 9p -o trans=virtio,version=9p2000.L "$tag" /lab; then
			SHARE="the host's $(cmdline_arg vmlab.share_host || echo "$tag"), read-write"
			diag "the share $tag is mounted on /lab"
			return 0
		fi
		sleep 1
	done
	diag "could not mount the share $tag on /lab"
}

# kill_sessions SIGNAL: send SIGNAL to every process of a session other
# than ours: the shells of step_shell and whatever they started.  Prints
# how many there were.
kill_sessions() {
	local sig=$1 me n=0 p st
	me=$(cut -d' ' -f6 /proc/$$/stat)
	for p in /proc/[0-9]*; do
		p=${p#/proc/}
		st=$(cat "/proc/$p/stat" 2>/dev/null) || continue
		# pid (comm) state ppid pgrp session ...; comm may hold spaces.
		# shellcheck disable=SC2086 # the fields: separate words
		set -- ${st##*) }
		if [ "$4" != 0 ] && [ "$4" != "$me" ] && kill -"$sig" "$p" 2>/dev/null; then
			n=$((n + 1))
		fi
	done
	echo "$n"
}

# shell_leave: busybox's poweroff, halt and reboot signal PID 1, us (which
# would ignore them): they end the shells, as exit does.
shell_leave() {
	kill_sessions HUP >/dev/null
}

# detach COMMAND...: run COMMAND in a session of its own, in the
# background, as a child of nobody here.  Not with `&`: a shell without job
# control, as this one, has its background commands ignore SIGINT and
# SIGQUIT, and a shell started that way, and every program it runs, would
# ignore Ctrl-C.  Two setsids instead: the first makes its process the
# leader of a new session, so the second forks; its parent exits at once
# and its child, in another new session, runs COMMAND with the signals as
# they were.
detach() {
	setsid setsid "$@" </dev/null >/dev/null 2>&1
}

# shell_attach DIR: with vmlab.attach=TTY, a shell on /dev/TTY in DIR,
# started again whenever it exits.
shell_attach() {
	local tty
	tty=$(cmdline_arg vmlab.attach) || return 0
	if [ ! -c "/dev/$tty" ]; then
		diag "no /dev/$tty for vmlab.attach"
		return 0
	fi
	# shellcheck disable=SC2016 # for the inner sh
	detach sh -c 'while :; do
		(cd "$2" && exec setsid -c sh -l) <"/dev/$1" >"/dev/$1" 2>&1
		sleep 1
	done' sh "$tty" "$1"
}

# shell_banner DIR: what the learner sees above the first prompt.
shell_banner() {
	local names f
	echo
	echo "vmlab shell on Linux $(uname -r)"
	if [ -n "$LOADED" ]; then
		echo "  vmlab is loaded: /dev/vmlab (insmod vmlab.ko $VMLAB_PARAMS)"
	else
		echo "  vmlab is NOT loaded: insmod failed"
	fi
	[ -z "$SHARE" ] || echo "  /lab: $SHARE"
	echo "  try: vmlab tour 1, vmlab stat, vmlab --help; you are in $1"
	if [ -d /examples ]; then
		names=
		for f in /examples/*; do
			names="$names ${f##*/}"
		done
		echo "  the notes' experiments, each a program (examples/README.md):$names"
	fi
	[ -z "$(cmdline_arg vmlab.attach)" ] || echo "  another terminal: make shell-attach, on the host"
	echo "  leave: exit, Ctrl-D or poweroff (vmlab is unloaded and checked on the way out)"
	echo
}

# step_shell: an interactive shell on the console, with job control (its
# own session, the console's tty as its terminal: cttyhack), until it
# exits; then no process of its sessions is left, nor files in /tmp, and
# /lab is unmounted.
step_shell() {
	local dir=/root pid size n
	mountpoint_lab && dir=/lab
	cat >/etc/profile <<-'EOF'
		PS1='vmlab:\w\$ '
		export PS1
	EOF
	size=$(cmdline_arg vmlab.winsize) &&
		stty cols "${size%x*}" rows "${size#*x}" </dev/console
	shell_attach "$dir"
	shell_banner "$dir" >/dev/console
	rm -f /tmp/.vmlab-shell
	# shellcheck disable=SC2016 # for the inner sh
	(cd "$dir" && detach cttyhack sh -c 'echo $$ >/tmp/.vmlab-shell && exec sh -l')
	trap shell_leave USR1 USR2 TERM
	# It is not our child: poll.  Its zombie is ours, reaped by the
	# shell as it waits for sleep.
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		[ ! -s /tmp/.vmlab-shell ] || break
		sleep 0.2
	done
	pid=$(cat /tmp/.vmlab-shell 2>/dev/null) || pid=
	while [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; do
		sleep 0.2
	done
	trap '' USR1 USR2 TERM
	echo "vmlab shell: unloading vmlab, checking memory and the kernel log..." >/dev/console
	n=$(kill_sessions HUP)
	[ "$n" -eq 0 ] || sleep 1
	n=$(kill_sessions KILL)
	[ "$n" -eq 0 ] || sleep 1
	find /tmp /dev/shm -mindepth 1 -maxdepth 1 ! -name '.vmlab-*' -exec rm -rf {} +
	if mountpoint_lab && ! umount /lab; then
		diag "/lab is busy: unmounted lazily"
		umount -l /lab
	fi
	ok "shell"
}

# mountpoint_lab: is something mounted on /lab?
mountpoint_lab() {
	grep -q '^[^ ]* /lab ' /proc/mounts
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

# step_memory FREE AVAIL PCP SHADOW: compare with MemFree, MemAvailable and the
# per-CPU free lists (kB) of before insmod.  What counts is MemAvailable
# plus the per-CPU lists: freed pages often wait there.  In a kernel with
# kmemleak (the debug kernel) the growth of unreclaimable slab is not
# counted: KASAN keeps freed objects there in its quarantine (up to 1/32 of
# the memory), and a leaked slab object is kmemleak's step to find.  Nor is
# the growth of the KASAN shadow of vmalloc areas (kasan_shadow_kb()): a
# page of it covers 32 KiB of vmalloc space and stays while any of that
# space is in use, so the shadow grows with the kernel stacks of every
# fork, wherever they land (seen: 2112 kB over trinity's 10000 calls, of
# the 2476 kB that were not slab or stack depot).  SHADOW: the shadow
# before insmod, or empty.
step_memory() {
	local free0="$1" avail0="$2" pcp0="$3" shadow0="$4" free1 avail1 pcp1 lost slab shadow1
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
	shadow1=$(kasan_shadow_kb)
	[ -z "$shadow0" ] || [ -z "$shadow1" ] ||
		diag "KASAN shadow mapped: $shadow0 kB before insmod, $shadow1 kB after rmmod"
	if [ -e "$KMEMLEAK" ]; then
		slab=$(awk '$1 == "SUnreclaim:" { print $2 }' /tmp/.vmlab-meminfo1)
		slab=$((slab - $(awk '$1 == "SUnreclaim:" { print $2 }' /tmp/.vmlab-meminfo0)))
		if [ "$slab" -gt 0 ]; then
			diag "not counted: SUnreclaim grew by $slab kB (KASAN's quarantine; slab leaks are kmemleak's)"
			lost=$((lost - slab))
		fi
		if [ -n "$shadow0" ] && [ -n "$shadow1" ] && [ "$shadow1" -gt "$shadow0" ]; then
			diag "not counted: the KASAN shadow of vmalloc areas grew by $((shadow1 - shadow0)) kB (page_tables/kernel)"
			lost=$((lost - (shadow1 - shadow0)))
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
	local cmd timeout progs lost='' count free0 avail0 pcp0 shadow0 p steps=4 results
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
	if [ "$cmd" = shell ]; then
		results=$(cmdline_arg vmlab.results) && exec >"/dev/$results" 2>&1
		shell_share
	fi
	echo "TAP version 13"
	echo "1..$((count + steps))"
	[ ! -e "$KMEMLEAK" ] || kmemleak_baseline
	drop_caches
	free0=$(meminfo_kb MemFree)
	avail0=$(meminfo_kb MemAvailable)
	pcp0=$(pcp_kb)
	cat /proc/meminfo >/tmp/.vmlab-meminfo0
	shadow0=$(kasan_shadow_kb)
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
			step_prog "$p" "$(prog_timeout "$p" "$timeout")" "./$p"
		done
	fi
	step_rmmod
	step_memory "$free0" "$avail0" "$pcp0" "$shadow0"
	[ ! -e "$KMEMLEAK" ] || step_kmemleak
	step_kernel_log
	finish
}

main "$@"
