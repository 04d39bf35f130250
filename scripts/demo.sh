#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# demo.sh [SERIES]: `make demo`.  Builds the module for Debian's kernel of
# SERIES (default $KERNEL, or 6.1) and the vmlab command, boots that kernel
# under QEMU with the module loaded, runs `vmlab tour` there and prints it
# as it runs.  Installs what it needs on the way (fetch-kernel.sh, kmake.sh,
# qemu-run.sh do), like make check.
#
# The tour also writes its report (vmlab tour --html): the guest prints
# it on the console as base64 (between VMLAB-FILE-BEGIN and -END lines), and
# it lands next to the console log, as build/demo-SERIES/tour.html.
#
# Exits with the tour's status (0: every claim held), or non-zero when the
# guest did not get that far or the kernel reported a problem.  Outputs in
# build/demo-SERIES/ (console.log, initramfs.cpio.gz, build.log).
# Environment: KERNEL; VMLAB_PARAMS, the module parameters (default
# "size_mb=128 mem_limit_mb=112": room for the tour's 100 MiB, and a
# memory limit below the size); VMLAB_TOUR, the tour's arguments (e.g. "3"
# for one chapter); VMLAB_TIMEOUT... of qemu-run.sh.
set -euo pipefail
. "$(dirname "$0")/host/lib.sh"

S=$VMLAB_TOP/scripts
H=$S/host
REPORTS='BUG:|WARNING:|Oops|general protection|Call Trace|lockdep|possible circular locking|KASAN|UBSAN|kmemleak|Bad page|list_add corruption|list_del corruption|soft lockup|hung_task|refcount_t'

# stream LOG: print the tour from the console log as the guest writes it
# (the kernel's reports too, but the stacks of the tour's OOM reports:
# oom-filter.awk),
# until the guest is done (or QEMU, PID $2, exits).
stream() {
	tail -n +1 -F --pid="$2" "$1" 2>/dev/null |
		tr -d '\r' | awk -f "$S/guest/oom-filter.awk" | awk -v reports="$REPORTS" '
		/^VMLAB-PROG-BEGIN / { inprog = 1; next }
		/^VMLAB-PROG-END / { inprog = 0; next }
		/^VMLAB-FILE-BEGIN / { infile = 1; next }
		/^VMLAB-FILE-END / { infile = 0; next }
		infile { next }
		/^VMLAB-DMESG-BEGIN/ { indmesg = 1; next }
		/^VMLAB-DMESG-END/ { indmesg = 0; next }
		/^VMLAB-DONE/ { exit }
		indmesg { next }
		/^\[ *[0-9]+\.[0-9]+\] / {
			if ($0 ~ reports) { print "kernel: " $0; fflush() }
			next
		}
		inprog { print; fflush(); next }
		/^# insmod/ { print "guest: " substr($0, 3); fflush(); next }
		/^not ok|^Bail out/ { print "guest: " $0; fflush() }
		'
}

main() {
	local series=${1:-${KERNEL:-6.1}} dir env initrd log bin cmd color="" qpid rc t0 tb extra k
	local params=${VMLAB_PARAMS-size_mb=128 mem_limit_mb=112}
	dir=$VMLAB_TOP/build/demo-$series
	initrd=$dir/initramfs.cpio.gz
	log=$dir/console.log
	bin=$dir/bin
	t0=$(date +%s)
	host_need make gcc libc6-dev
	env=$("$H/fetch-kernel.sh" "$series")
	# shellcheck disable=SC1090
	. "$env"
	mkdir -p "$dir"
	log "building the module for Debian $KREL and the vmlab command (log: $dir/build.log)"
	if ! { "$H/kmake.sh" "$series" modules && make -C "$VMLAB_TOP/userspace"; } >"$dir/build.log" 2>&1; then
		grep -E 'error|\*\*\*' "$dir/build.log" | head -n 20 >&2 || true
		die "the build failed (log: $dir/build.log)"
	fi
	rm -rf "$bin"
	mkdir -p "$bin"
	cp "$VMLAB_TOP/userspace/vmlab" "$bin/"
	# The guest's command: the tour, then its report printed for the host.
	cat >"$bin/vmlab-demo" <<-'EOS'
		#!/bin/sh
		# make demo's command: run "$@" (the tour, --html /tmp/tour.html), then
		# print the report as base64 for scripts/extract-files.sh
		"$@"
		rc=$?
		if [ -f /tmp/tour.html ]; then
			echo "VMLAB-FILE-BEGIN tour.html"
			base64 /tmp/tour.html
			echo "VMLAB-FILE-END tour.html"
		fi
		exit $rc
	EOS
	chmod +x "$bin/vmlab-demo"
	# The kernel's modules of fetch-kernel.sh (loop, for the swap chapter),
	# in /vmlab/kmod, where guest-init.sh loads them from.
	extra=$("$H/userspace-extra.sh")
	for k in "${env%/*}"/kmod/*.ko; do
		[ ! -f "$k" ] || extra+=" $k:/vmlab/kmod/${k##*/}"
	done
	VMLAB_INITRAMFS_EXTRA=$extra \
		"$S/mkinitramfs.sh" "$initrd" "$VMLAB_TOP/build/$series/module/vmlab.ko" "$bin" vmlab vmlab-demo
	[ -t 1 ] && [ -z "${NO_COLOR:-}" ] && color=" --color=always"
	cmd="./vmlab-demo ./vmlab$color tour --html /tmp/tour.html ${VMLAB_TOUR:-}"
	tb=$(date +%s)
	rm -f "$log"
	: >"$log"
	"$S/qemu-run.sh" "$VMLINUZ" "$initrd" "$log" \
		"vmlab.params=\"$params\"" "vmlab.cmd=\"$cmd\"" 2>"$dir/qemu-run.log" &
	qpid=$!
	log "booting Debian $KREL under QEMU (TCG); insmod vmlab.ko $params; then: vmlab tour ${VMLAB_TOUR:-}"
	echo
	stream "$log" "$qpid"
	rc=0
	wait "$qpid" || rc=$?
	echo
	if [ "$rc" -ne 0 ]; then
		sed 's/^/  /' "$dir/qemu-run.log" >&2
		die "the guest did not finish (console log: $log)"
	fi
	rc=$(tr -d '\r' <"$log" | sed -n 's/^VMLAB-PROG-END cmd rc=\([0-9]*\).*/\1/p' | tail -n 1)
	if [ -z "$rc" ]; then
		die "the tour did not run (console log: $log)"
	fi
	if tr -d '\r' <"$log" | awk -f "$S/guest/oom-filter.awk" | grep -qE "$REPORTS"; then
		log "the kernel reported problems: see $log"
		rc=1
	fi
	rm -f "$dir/tour.html"
	if "$S/extract-files.sh" "$log" "$dir" >/dev/null && [ -s "$dir/tour.html" ]; then
		log "the tour's report (its text and figures): $dir/tour.html"
	else
		log "the tour wrote no report (console log: $log)"
		rc=1
	fi
	log "$(sed -n 's/^vmlab: //p' "$dir/qemu-run.log" | grep 'reached /init' || true)"
	log "Debian $KREL: the tour exited with status $rc; build $((tb - t0)) s," \
		"boot and tour $(($(date +%s) - tb)) s (console log: $log)"
	return "$rc"
}

main "$@"
