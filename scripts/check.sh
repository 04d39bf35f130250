#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check.sh [--stress | --fuzz | --outside | --bench] [SERIES...]: build the module and
# run every selftest under QEMU on each kernel SERIES (default: $KERNELS, or
# 6.1 6.12 7.3; `debug` is vmlab's debug kernel, see build-debug-kernel.sh:
# `make check-debug`).
#
# The options run one program alone in the guest (vmlab.tests=), for long,
# on Debian's 6.1 (--bench and --outside: 6.12) unless SERIES or
# $KERNELS say; their
# values come from the environment and reach the program as variables of
# the guest's init, from the kernel command line:
#
#	--stress	make stress: vmlab_stress for STRESS_SECONDS (300)
#	--fuzz		make fuzz: vmlab_fuzz for FUZZ_OPS operations (200000);
#			FUZZ_SEED replays the sequence of a failed run
#	--outside	make outside: vmlab_outside (trinity, stress-ng,
#			fio) with TRINITY_CALLS trinity calls (200000), on
#			the debug kernel; TRINITY_SEED replays a run
#	--bench		make bench: vmlab_bench (BENCHMARKS.md), its table
#			printed after the kernel's results and kept in
#			build/SERIES/vmlab_bench.out; see opt_bench for
#			BENCH_MB, BENCH_ROUNDS, BENCH_CASES, BENCH_PARAMS,
#			BENCH_CPU, BENCH_QEMU_OPTS and BENCH_TIMEOUT
#
# For each kernel: fetch it (fetch-kernel.sh), build the module (kmake.sh; a
# compiler warning is a failure), pack an initramfs with the module and the
# selftests (mkinitramfs.sh), boot it (qemu-run.sh) and judge the console
# log.  Printed, each line prefixed with the kernel's series:
#
#	the runner's steps: build, insmod, rmmod, memory, kmemleak (kernels
#	with kmemleak only), kernel log, guest finished ("ok STEP" or
#	"not ok STEP", with "# ..." details);
#	each test case of each program, as the program printed it in TAP,
#	with the diagnostics that led to a failing case;
#	a failure for a program that timed out, or left the module unloaded,
#	or exited non-zero without a failing case, or printed fewer results
#	than it planned;
#	the kernel reports (BUG, WARNING, Oops, KASAN, lockdep...) anywhere in
#	the log, each with the lines that follow it (its stack);
#	a per-kernel total.
#
# The last line is `N passed, N failed, N skipped`: the test cases plus the
# runner's steps, over all kernels.  Exits non-zero if anything failed.
# Outputs stay in build/SERIES/ (build.log, initramfs.cpio.gz, console.log).
# Environment: KERNELS; VMLAB_PARAMS, the module parameters (default
# "size_mb=64 mem_limit_mb=48": a limit below the size, so that the memory
# limit tests run); VMLAB_EXTRA_PROGS, programs of selftests/ to pack
# besides those of `make -C selftests list` (make bench: vmlab_bench);
# VMLAB_SHOW_OUTPUT=PROG, print PROG's whole output after the kernel's
# results and keep it in build/SERIES/PROG.out (make bench); and
# VMLAB_TIMEOUT, VMLAB_APPEND, VMLAB_QEMU_CPU... of qemu-run.sh.
# Guests get 4 GiB (VMLAB_MEM) with one 1 GiB huge page reserved, for the
# inspect test of PUD-level leaves.  A kernel's env file (fetch-kernel.sh)
# may add APPEND (kernel arguments), TIMEOUT (the guest's time limit, unless
# VMLAB_TIMEOUT is set), PROG_TIMEOUT (one program's) and KMEMLEAK=1 (the
# guest must report a kmemleak step): the debug kernel does.
#
# The trace tools for vmlab_tracetools (scripts/host/tracetools.sh): trace-cmd
# and perf go into every guest; bpftrace (200 MB of LLVM and clang, 5 to 8 s
# to unpack and 20 to 50 s to run under TCG) too, as VMLAB_BPFTRACE says:
# all (the default), first (the first kernel's), none, or a list of series;
# and only for a kernel with BTF (Debian's have it, the debug kernel too:
# without it bpftrace wants the kernel's headers to read tracepoint
# arguments).  The
# guest's VMLAB_TRACETOOLS names the tools it was given, which the test
# then requires; it skips the others, saying so.  A run limited to other
# programs (vmlab.tests= in VMLAB_APPEND: make stress, make fuzz) gets none.
set -euo pipefail
. "$(dirname "$0")/host/lib.sh"

S=$VMLAB_TOP/scripts
H=$S/host
export VMLAB_MEM=${VMLAB_MEM:-4G}
# REPORTS, MF_REPORTS, MF_ALLOWED: the kernel's reports, as the guest judges
# them too.
. "$S/guest/kernel-reports.sh"
STEPS_AFTER_BUILD="insmod rmmod memory kernel-log guest-finished"
BPFTRACE_SERIES=${VMLAB_BPFTRACE:-all}	# main() resolves "first"
PASSED=0
FAILED=0
SKIPPED=0
TESTDIR=$VMLAB_TOP/selftests
PROGS=()

now() { date +%s; }
count() { # PASSED FAILED SKIPPED
	PASSED=$((PASSED + $1))
	FAILED=$((FAILED + $2))
	SKIPPED=$((SKIPPED + $3))
}

# build_selftests: build the selftests once for all kernels and set PROGS
# to those of its programs that exist.  A failed build counts as one
# failure; the programs that did build still run.
build_selftests() {
	local log=$VMLAB_TOP/build/selftests.log p list ok=1
	mkdir -p "$VMLAB_TOP/build"
	log "building the selftests (make -C selftests), log in $log"
	if ! make -k -C "$TESTDIR" >"$log" 2>&1; then
		ok=0
	fi
	if grep -q 'warning:' "$log"; then
		ok=0
	fi
	if [ "$ok" = 1 ]; then
		echo "[selftests] ok build"
		count 1 0 0
	else
		grep -E 'error:|warning:|\*\*\*' "$log" | head -n 20 | sed 's/^/[selftests] # /'
		echo "[selftests] not ok build"
		count 0 1 0
	fi
	if list=$(make -s --no-print-directory -C "$TESTDIR" list 2>/dev/null); then
		for p in $list ${VMLAB_EXTRA_PROGS:-}; do
			if [ -f "$TESTDIR/$p" ] && [ -x "$TESTDIR/$p" ]; then
				PROGS+=("$p")
			else
				echo "[selftests] # $p did not build: it will not run"
			fi
		done
		[ ${#PROGS[@]} -gt 0 ] || TESTDIR= # none built: no tests at all
	fi
}

# build_module SERIES LOG: kmake.sh, failing on any compiler warning.
build_module() {
	local series=$1 log=$2
	mkdir -p "$(dirname "$log")"
	if ! "$H/kmake.sh" "$series" W=1 C=1 modules >"$log" 2>&1; then
		grep -E 'error:|warning:|\*\*\*' "$log" | head -n 20 | sed "s/^/[$series] # /"
		echo "[$series] # the module did not build (log: $log)"
		return 1
	fi
	if grep -q 'warning:' "$log"; then
		grep 'warning:' "$log" | head -n 20 | sed "s/^/[$series] # /"
		echo "[$series] # compiler warnings are failures (log: $log)"
		return 1
	fi
}

# not_run SERIES WHY: the steps that could not run, as failures.
not_run() {
	local s
	for s in $STEPS_AFTER_BUILD; do
		echo "[$1] not ok ${s/-/ } # not run: $2"
	done
	count 0 5 0
}

# parse_log SERIES LOG COUNTS: print the results found in the console LOG and
# write "PASSED FAILED SKIPPED" to COUNTS (check-console.awk; the stacks of
# the tour's OOM reports are no problem: oom-filter.awk).
parse_log() {
	tr -d '\r' <"$2" | sed 's/\x1b[[0-9;?]*[a-zA-Z]//g; s/\x1bc//g' |
		awk -f "$S/guest/oom-filter.awk" |
		awk -v tag="[$1]" -v reports="$REPORTS|$MF_REPORTS" -v mfallowed="$MF_ALLOWED" \
			-v counts="$3" -v kmemleak="${KMEMLEAK:-0}" -f "$S/check-console.awk"
}

# show_output SERIES LOG PROG OUT: PROG's output in the console LOG (without
# the kernel's messages), printed and written to OUT.
show_output() {
	local series=$1 log=$2 prog=$3 out=$4
	tr -d '\r' <"$log" | sed 's/\x1b[[0-9;?]*[a-zA-Z]//g; s/\x1bc//g' |
		awk -v p="$prog" '
		$1 == "VMLAB-PROG-BEGIN" && $2 == p { on = 1; next }
		$1 == "VMLAB-PROG-END" && $2 == p { on = 0 }
		on && !/^\[ *[0-9]+\.[0-9]+\] / { print }' >"$out"
	if [ -s "$out" ]; then
		echo "[$series] # the output of $prog (kept in $out):"
		cat "$out"
	else
		echo "[$series] # $prog printed nothing (console log: $log)"
	fi
}

# tracetools SERIES: set TOOLS to the trace tools SERIES's guest gets,
# comma-separated (none when vmlab_tracetools will not run), and NOBPF to
# why bpftrace is not among them.  Reads the kernel's env file's KDIR.
tracetools() {
	TOOLS='' NOBPF=''
	case " ${PROGS[*]-} " in
	*" vmlab_tracetools "*) ;;
	*) return 0 ;;
	esac
	case ${VMLAB_APPEND:-} in
	*vmlab.tests=*vmlab_tracetools*) ;;
	*vmlab.tests=*) return 0 ;;
	esac
	TOOLS=trace-cmd,perf
	case " $BPFTRACE_SERIES " in
	*" all "* | *" $1 "*) ;;
	*)
		NOBPF="only the guest of ${BPFTRACE_SERIES:-no kernel} gets it (VMLAB_BPFTRACE)"
		return 0
		;;
	esac
	if grep -qs '^CONFIG_DEBUG_INFO_BTF=y' "${CHROOT:-}$KDIR/.config"; then
		TOOLS+=,bpftrace
	else
		NOBPF="the kernel has no BTF (CONFIG_DEBUG_INFO_BTF), which bpftrace needs to read tracepoint arguments without the kernel's headers"
	fi
}

# outsidetools: set OUTSIDE to the outside tools the guest gets for
# vmlab_outside (trinity,stress-ng,fio; none when that program will not
# run) or for make bench (fio), and OUTSIDE_CPIO to their archive
# (scripts/host/outsidetools.sh).  When
# packing fails the guest still gets OUTSIDE, so that the test, missing
# the tools it must have, fails.  VMLAB_TRINITY_CALLS and
# VMLAB_TRINITY_SEED, when set, go to the guest too (OUTSIDE_ENV).
outsidetools() {
	OUTSIDE='' OUTSIDE_CPIO='' OUTSIDE_ENV=''
	case ${VMLAB_APPEND:-} in
	*vmlab.tests=*vmlab_bench*) OUTSIDE=fio ;;	# make bench: its fio-* cases
	esac
	if [ -z "$OUTSIDE" ]; then
		case " ${PROGS[*]-} " in
		*" vmlab_outside "*) ;;
		*) return 0 ;;
		esac
		case ${VMLAB_APPEND:-} in
		*vmlab.tests=*vmlab_outside*) ;;
		*vmlab.tests=*) return 0 ;;
		esac
		OUTSIDE=trinity,stress-ng,fio
	fi
	OUTSIDE_CPIO=$("$H/outsidetools.sh") ||
		{ echo "[$1] # could not pack trinity, stress-ng and fio for the guest"; OUTSIDE_CPIO=''; }
	OUTSIDE_ENV="${VMLAB_TRINITY_CALLS:+VMLAB_TRINITY_CALLS=$VMLAB_TRINITY_CALLS}${VMLAB_TRINITY_SEED:+ VMLAB_TRINITY_SEED=$VMLAB_TRINITY_SEED}"
}

# boot_and_judge SERIES DIR [KO]: pack, boot, parse; adds to the counts.
# KO is the module to test (default: DIR/module/vmlab.ko).
boot_and_judge() {
	local series=$1 dir=$2 ko=${3:-$2/module/vmlab.ko} p f s archives="" opt="" extra k
	local log=$dir/console.log initrd=$dir/initramfs.cpio.gz
	rm -f "$log" "$dir/qemu-run.log"
	tracetools "$series"
	outsidetools "$series"
	[ -z "$NOBPF" ] || echo "[$series] # bpftrace is not in this guest: $NOBPF"
	case $TOOLS in
	*bpftrace*) opt=--bpftrace ;;
	esac
	# Extra files: the tour's dynamically linked probe and its libraries;
	# the kernel's modules the tests load (fetch-kernel.sh), in
	# /vmlab/kmod; the programs of examples/, in /examples (vmlab_examples
	# runs them); the trace tools, as ready-made archives.
	if { [ -z "$TOOLS" ] || archives=$("$H/tracetools.sh" ${opt:+"$opt"}); } &&
		extra=$("$H/userspace-extra.sh") &&
		for k in "${KMOD_DIR:-/nonexistent}"/*.ko; do
			[ ! -f "$k" ] || extra+=" $k:/vmlab/kmod/${k##*/}"
		done &&
		for k in $(make -s --no-print-directory -C "$VMLAB_TOP/examples" list); do
			[ ! -x "$VMLAB_TOP/examples/$k" ] || extra+=" $VMLAB_TOP/examples/$k:/examples/$k"
		done &&
		VMLAB_INITRAMFS_EXTRA=$extra VMLAB_INITRAMFS_APPEND="$archives${OUTSIDE_CPIO:+ $OUTSIDE_CPIO}" \
		"$S/mkinitramfs.sh" "$initrd" "$ko" "$TESTDIR" ${PROGS[@]+"${PROGS[@]}"}; then
		# Its messages to stderr, and to a file for the boot time.  With
		# the tools, the kernel unpacks the initramfs before going on
		# (initramfs_async=0): unpacking 250 MB takes 6 s under TCG, and
		# the kernel patching its code meanwhile (sched_clock's static
		# key) once ended in an int3 Oops in 7.3.
		# shellcheck disable=SC2086 # APPEND: separate words
		{ VMLAB_TIMEOUT=${VMLAB_TIMEOUT:-${TIMEOUT:-900}} "$S/qemu-run.sh" "$VMLINUZ" "$initrd" "$log" \
			"vmlab.params=\"${VMLAB_PARAMS-size_mb=64 mem_limit_mb=48}\"" \
			hugepagesz=1G hugepages=1 ${PROG_TIMEOUT:+vmlab.timeout=$PROG_TIMEOUT} \
			${TOOLS:+VMLAB_TRACETOOLS=$TOOLS initramfs_async=0} \
			${OUTSIDE:+VMLAB_OUTSIDE=$OUTSIDE initramfs_async=0 $OUTSIDE_ENV} ${APPEND:-} 2>&1 >&3 |
			tee "$dir/qemu-run.log" >&2; } 3>&1 || true
	fi
	[ -f "$log" ] || : >"$log"
	parse_log "$series" "$log" "$dir/counts"
	# The figures vmlab_cli printed (the tour's report, grid --svg):
	# validated on the host, screenshots in DIR/figures (check-figures.sh).
	if tr -d '\r' <"$log" | grep '^VMLAB-FILE-BEGIN ' >/dev/null; then
		"$S/check-figures.sh" "$series" "$log" "$dir/figures" || true
		read -r p f s <"$dir/figures/counts" || { p=0 f=1 s=0; }
		count "$p" "$f" "$s"
	fi
	if [ -n "${VMLAB_SHOW_OUTPUT:-}" ]; then
		show_output "$series" "$log" "$VMLAB_SHOW_OUTPUT" "$dir/$VMLAB_SHOW_OUTPUT.out"
	fi
	read -r p f s <"$dir/counts" || { p=0 f=1 s=0; }
	count "$p" "$f" "$s"
}

# kernel_name SERIES: what the kernel of SERIES's env file (just read) is.
kernel_name() {
	if [ "$1" = debug ]; then
		echo "debug kernel $KREL"
	else
		echo "Debian $KREL"
	fi
}

# check_kernel SERIES: every step for one kernel.
check_kernel() {
	local series=$1 dir=$VMLAB_TOP/build/$1 env t0 tb boot p0=$PASSED f0=$FAILED s0=$SKIPPED
	t0=$(now)
	tb=$t0
	KREL="?"
	echo "== kernel $series =="
	mkdir -p "$dir"
	rm -f "$dir/qemu-run.log"
	if ! env=$("$H/fetch-kernel.sh" "$series"); then
		echo "[$series] not ok build # could not fetch the kernel"
		count 0 1 0
		not_run "$series" "no kernel"
	else
		# What the env files may set, reset for each kernel.
		APPEND='' TIMEOUT='' PROG_TIMEOUT='' KMEMLEAK='' KMOD_DIR=''
		# shellcheck disable=SC1090
		. "$env"
		KMOD_DIR=${env%/*}/kmod
		log "building the module for the $(kernel_name "$series")"
		if build_module "$series" "$dir/build.log"; then
			echo "[$series] ok build"
			count 1 0 0
			tb=$(now)
			boot_and_judge "$series" "$dir"
		else
			echo "[$series] not ok build"
			count 0 1 0
			not_run "$series" "the module did not build"
		fi
	fi
	boot=$(sed -n 's/.*reached \/init after \([0-9.?]*\) s.*/\1/p' "$dir/qemu-run.log" 2>/dev/null || true)
	echo "[$series] totals: pass $((PASSED - p0)), fail $((FAILED - f0)), skip $((SKIPPED - s0))" \
		"($(kernel_name "$series"); build $((tb - t0)) s, boot to /init ${boot:-?} s," \
		"whole kernel $(($(now) - t0)) s)"
}

# host_test NAME [ARGS...]: one of the scripts' own tests, on the host,
# each of its cases a result of the run.
host_test() {
	local name=$1 out p f
	shift
	out=$("$S/$name" "$@" 2>&1) || true
	echo "$out" | grep -E '^(not )?ok |^#' | sed 's/^/[host] /' || true
	p=$(echo "$out" | grep -c '^ok ') || true
	f=$(echo "$out" | grep -c '^not ok ') || true
	[ "$((p + f))" -gt 0 ] || { echo "[host] not ok $name # printed no result"; f=1; }
	count "$p" "$f" 0
}

# host_tests: test-qemu-run.sh (qemu-run.sh's boot retry, with a stand-in
# QEMU), test-oom-filter.sh (the judges' leave for the tour's OOM reports)
# and, unless one program runs alone (make stress, fuzz, bench:
# ONE_PROG), test-shell.sh (make shell and make shell-attach, typed into
# through tmux), on 6.12 only: it tests the scripts, and one kernel is
# enough for that (half a minute once the module is built).
ONE_PROG=
host_tests() {
	host_test test-qemu-run.sh
	host_test test-oom-filter.sh
	if [ -z "$ONE_PROG" ]; then
		log "testing make shell on Debian's 6.12 (scripts/test-shell.sh)"
		host_test test-shell.sh 6.12
	fi
}

# opt_stress, opt_fuzz: make stress and make fuzz (see the top).  The
# guest's limits grow with the run: a program's (vmlab.timeout) and the
# whole guest's (VMLAB_TIMEOUT).
opt_stress() {
	local secs=${STRESS_SECONDS:-300}
	VMLAB_APPEND="${VMLAB_APPEND:-} vmlab.tests=vmlab_stress VMLAB_STRESS_SECONDS=$secs"
	VMLAB_APPEND+=" vmlab.timeout=$((secs * 6 + 600))"
	VMLAB_TIMEOUT=$((secs * 6 + 1200))
	export VMLAB_APPEND VMLAB_TIMEOUT
}
opt_fuzz() {
	local ops=${FUZZ_OPS:-200000} seed=${FUZZ_SEED:-}
	VMLAB_APPEND="${VMLAB_APPEND:-} vmlab.tests=vmlab_fuzz VMLAB_FUZZ_OPS=$ops${seed:+ VMLAB_FUZZ_SEED=$seed}"
	VMLAB_APPEND+=" vmlab.timeout=$((ops / 40 + 600))"
	VMLAB_TIMEOUT=$((ops / 40 + 1200))
	export VMLAB_APPEND VMLAB_TIMEOUT
}

opt_outside() {
	local calls=${TRINITY_CALLS:-200000}
	VMLAB_TRINITY_CALLS=$calls
	[ -z "${TRINITY_SEED:-}" ] || VMLAB_TRINITY_SEED=$TRINITY_SEED
	VMLAB_APPEND="${VMLAB_APPEND:-} vmlab.tests=vmlab_outside"
	VMLAB_APPEND+=" vmlab.timeout=$((calls / 20 + 1200))"
	VMLAB_TIMEOUT=$((calls / 20 + 1800))
	export VMLAB_APPEND VMLAB_TIMEOUT VMLAB_TRINITY_CALLS
	[ -z "${VMLAB_TRINITY_SEED:-}" ] || export VMLAB_TRINITY_SEED
}

# opt_bench: make bench.  From the environment:
#   BENCH_MB, BENCH_ROUNDS, BENCH_CASES  MiB per case (128), rounds (3), a
#	comma-separated list of cases (vmlab_bench --list; default all).  3
#	rounds: under -icount they agree within 2%, and each 128 MiB round
#	takes about a minute.
#   BENCH_PARAMS  the module's parameters: an object that holds BENCH_MB
#	("size_mb=512 mem_limit_mb=512").
#   BENCH_CPU  a fixed CPU model, so that runs compare: an AMD one, as
#	`-cpu max` is under TCG, that TCG has every feature of, plus 1 GiB
#	pages for the hugepagesz=1G of the guests (Opteron_G2-v1,+pdpe1gb).
#	On an Intel model the kernel isolates its page tables (Meltdown,
#	PTI): every fault switches address spaces twice, which flushes TCG's
#	whole TLB, makes the bench several times slower and hides the
#	differences.
#   BENCH_QEMU_OPTS  -icount shift=0: the guest's clock counts instructions
#	(1 ns each), so that the times do not depend on the host's load (with
#	the host's clock they vary 2 to 4 times from round to round on a busy
#	machine); sleep=off lets idle time pass at once.  BENCH_QEMU_OPTS=
#	(empty) times with the host's clock (and lets the two vCPUs run at
#	once).
#   BENCH_TIMEOUT  the program's time limit (1800 s).
# The bench's guest has one NUMA node (VMLAB_NUMA_MB=0; the tests' guests
# have a second one, for page migration), as when BENCHMARKS.md was
# measured.
opt_bench() {
	local timeout=${BENCH_TIMEOUT:-1800} qemu_opts=${BENCH_QEMU_OPTS--icount shift=0,sleep=off} clock=tcg
	case $qemu_opts in
	*-icount*) clock=icount ;;
	esac
	VMLAB_APPEND="${VMLAB_APPEND:-} vmlab.tests=vmlab_bench VMLAB_BENCH_MB=${BENCH_MB:-128}"
	VMLAB_APPEND+=" VMLAB_BENCH_ROUNDS=${BENCH_ROUNDS:-3}${BENCH_CASES:+ VMLAB_BENCH_CASES=$BENCH_CASES}"
	VMLAB_APPEND+=" VMLAB_BENCH_QEMU=$clock vmlab.timeout=$timeout"
	VMLAB_PARAMS=${BENCH_PARAMS-size_mb=512 mem_limit_mb=512}
	VMLAB_QEMU_CPU=${BENCH_CPU-Opteron_G2-v1,+pdpe1gb}
	VMLAB_QEMU_OPTS=$qemu_opts
	VMLAB_EXTRA_PROGS=vmlab_bench
	VMLAB_SHOW_OUTPUT=vmlab_bench
	VMLAB_NUMA_MB=0
	VMLAB_TIMEOUT=$((timeout + 600))
	export VMLAB_APPEND VMLAB_PARAMS VMLAB_QEMU_CPU VMLAB_QEMU_OPTS VMLAB_EXTRA_PROGS \
		VMLAB_SHOW_OUTPUT VMLAB_NUMA_MB VMLAB_TIMEOUT
}

main() {
	local series t0 kernels=${KERNELS:-6.1 6.12 7.3}
	case ${1:-} in
	--stress) opt_stress && kernels=${KERNELS:-6.1} && ONE_PROG=1 && shift ;;
	--fuzz) opt_fuzz && kernels=${KERNELS:-6.1} && ONE_PROG=1 && shift ;;
	--outside) opt_outside && kernels=${KERNELS:-6.12} && ONE_PROG=1 && shift ;;
	--bench) opt_bench && kernels=${KERNELS:-6.12} && ONE_PROG=1 && shift ;;
	-*) die "unknown option $1 (check.sh [--stress | --fuzz | --outside | --bench] [SERIES...])" ;;
	esac
	# shellcheck disable=SC2086 # a list of words
	[ $# -gt 0 ] || set -- $kernels
	case $BPFTRACE_SERIES in
	first) BPFTRACE_SERIES=$1 ;;
	none) BPFTRACE_SERIES= ;;
	esac
	t0=$(now)
	host_need make gcc libc6-dev
	host_tests
	build_selftests
	for series in "$@"; do
		check_kernel "$series"
	done
	log "checked kernels $* in $(($(now) - t0)) s"
	echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
	[ "$FAILED" -eq 0 ]
}

# Sourced (scripts/check-dkms.sh), it only defines its functions.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	main "$@"
fi
