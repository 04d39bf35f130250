#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check-dkms.sh: install vmlab with DKMS on this machine, for Debian's 6.1
# kernel (make check's default), the way a user would on a test VM, and
# boot what DKMS installed.  Needs root.  Steps, each printed as
# "[dkms] ok STEP" or "[dkms] not ok STEP" with "# ..." details:
#
#	setup		Debian's dkms and linux-headers-KREL (the host's own
#			bookworm sources); KREL is the 6.1 kernel of
#			fetch-kernel.sh, whose vmlinuz the guest boots
#	add, build, install	`dkms add|build|install -m vmlab -v VERSION
#			-k KREL` from the sources `make dkms-source` put in
#			/usr/src/vmlab-VERSION (-k: the host runs another
#			kernel)
#	status		`dkms status` says installed for KREL
#	vermagic	the module's vermagic is the kernel's (that of a
#			module of Debian's linux-image-KREL package)
#	modprobe	`modprobe -S KREL` resolves vmlab to what DKMS installed
#	then the module DKMS installed is booted under QEMU with every
#			selftest (check.sh's steps and test cases, "[dkms-boot]")
#	remove		`dkms remove --all`, and the sources out of /usr/src
#	clean		nothing of vmlab is left in /usr/src, /var/lib/dkms or
#			/lib/modules/KREL, and modprobe no longer finds it
#	make-install, make-uninstall	`make install` and `make uninstall`
#			for KREL's headers into a scratch DESTDIR: the module
#			(modules_install, depmod: modprobe -d finds it), the
#			selftests, the vmlab command; then nothing is left
#
# The last line is `N passed, N failed, N skipped`, as check.sh's.  Whatever
# fails, vmlab is removed from DKMS at the end.  DKMS's state is the
# machine's (/usr/src, /var/lib/dkms): two runs at once (two checkouts on
# one machine) take turns through a lock, $LOCK.
set -euo pipefail
# check.sh's functions (boot_and_judge, build_selftests...) and host/lib.sh.
. "$(dirname "$0")/check.sh"

SERIES=6.1
VERSION=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$VMLAB_TOP/dkms.conf")
DIR=$VMLAB_TOP/build/dkms
LOCK=/run/lock/vmlab-dkms.lock
KREL=
KO=

step_ok() {
	echo "[dkms] ok $1"
	count 1 0 0
}
step_fail() {
	echo "[dkms] not ok $1${2:+ # $2}"
	count 0 1 0
}
# quote FILE: a command's output, as details.
quote() { tail -n "${2:-20}" "$1" | sed 's/^/[dkms] #   /'; }

# cleanup: vmlab out of DKMS and /usr/src, whatever state it is in.
cleanup() {
	if dkms status -m vmlab 2>/dev/null | grep -q .; then
		dkms remove -m vmlab -v "$VERSION" --all >/dev/null 2>&1 || true
	fi
	rm -rf /usr/src/vmlab-* /var/lib/dkms/vmlab
}

# run STEP COMMAND...: one dkms step; its output goes to DIR/STEP.log.
run() {
	local step=$1
	shift
	if "$@" >"$DIR/$step.log" 2>&1; then
		step_ok "$step"
	else
		quote "$DIR/$step.log"
		step_fail "$step" "$* failed"
		return 1
	fi
}

setup() {
	local env
	[ "$(id -u)" -eq 0 ] || die "check-dkms.sh needs root (it installs dkms and kernel headers)"
	env=$("$H/fetch-kernel.sh" "$SERIES") || return 1
	# shellcheck disable=SC1090
	. "$env"
	# Debian's headers package, like a user's machine has it: from the
	# host's own apt sources (bookworm, like the 6.1 kernel).
	host_need dkms kmod "linux-headers-$KREL" || return 1
	[ -f "/lib/modules/$KREL/build/Makefile" ] || { echo "[dkms] # no /lib/modules/$KREL/build"; return 1; }
}

# reference_vermagic: the vermagic of a module of Debian's own kernel
# package (the one fetch-kernel.sh took the vmlinuz from).
reference_vermagic() {
	local deb ko tmp
	deb=$(find "$VMLAB_CACHE/kernels/$SERIES/debs" -name "linux-image-*.deb" 2>/dev/null | head -n 1)
	[ -n "$deb" ] || return 1
	ko=$(dpkg-deb -c "$deb" 2>/dev/null | awk '$NF ~ /\/kernel\/.*\.ko$/ { print $NF; exit }')
	[ -n "$ko" ] || return 1
	tmp=$(mktemp --suffix=.ko)
	dpkg-deb --fsys-tarfile "$deb" | tar -x -O "$ko" >"$tmp" 2>/dev/null
	modinfo -F vermagic "$tmp"
	rm -f "$tmp"
}

check_vermagic() {
	local got want
	got=$(modinfo -F vermagic "$KO" 2>/dev/null || true)
	want=$(reference_vermagic || true)
	echo "[dkms] # vermagic of $KO: $got"
	if [ -n "$want" ]; then
		echo "[dkms] # vermagic of Debian's modules of $KREL: $want"
	else
		echo "[dkms] # no module of Debian's package to compare with: checking the release only"
		want="$KREL ${got#* }"
	fi
	if [ -n "$got" ] && [ "$got" = "$want" ] && [ "${got%% *}" = "$KREL" ]; then
		step_ok vermagic
	else
		step_fail vermagic "not the vermagic of $KREL"
	fi
}

check_modprobe() {
	local out
	out=$(modprobe -S "$KREL" --show-depends vmlab 2>&1 || true)
	echo "[dkms] # modprobe -S $KREL --show-depends vmlab: $out"
	if [ "$out" = "insmod $KO " ] || [ "$out" = "insmod $KO" ]; then
		step_ok modprobe
	else
		step_fail modprobe "modprobe does not find $KO"
	fi
}

# check_make_install: make install/uninstall into a scratch DESTDIR.
check_make_install() {
	local dest=$DIR/destdir out prog missing=
	rm -rf "$dest"
	if ! make -C "$VMLAB_TOP" -s install KDIR="/lib/modules/$KREL/build" DESTDIR="$dest" \
		>"$DIR/make-install.log" 2>&1; then
		quote "$DIR/make-install.log"
		step_fail make-install "make install failed"
		return
	fi
	out=$(modprobe -d "$dest" -S "$KREL" --show-depends vmlab 2>&1 || true)
	echo "[dkms] # modprobe -d DESTDIR -S $KREL --show-depends vmlab: $out"
	case $out in "insmod $dest/lib/modules/$KREL/"*/vmlab.ko*) ;; *) missing="the module" ;; esac
	for prog in $(make -s --no-print-directory -C "$VMLAB_TOP/selftests" list); do
		[ -x "$dest/usr/local/libexec/vmlab/$prog" ] || missing="$missing $prog"
	done
	if [ -x "$VMLAB_TOP/userspace/vmlab" ] && [ ! -x "$dest/usr/local/bin/vmlab" ]; then
		missing="$missing vmlab"
	fi
	if [ -z "$missing" ]; then
		step_ok make-install
	else
		step_fail make-install "not installed:$missing"
	fi
	if make -C "$VMLAB_TOP" -s uninstall KDIR="/lib/modules/$KREL/build" DESTDIR="$dest" \
		>"$DIR/make-uninstall.log" 2>&1 &&
		[ -z "$(find "$dest" -type f ! -name 'modules.*')" ]; then
		step_ok make-uninstall
	else
		quote "$DIR/make-uninstall.log"
		find "$dest" -type f ! -name 'modules.*' | sed 's/^/[dkms] # left: /'
		step_fail make-uninstall "make uninstall left files behind"
	fi
	rm -rf "$dest"
}

check_removed() {
	local left
	left=$(ls -d /usr/src/vmlab-* /var/lib/dkms/vmlab "/lib/modules/$KREL/updates/dkms/vmlab.ko"* 2>/dev/null || true)
	if [ -z "$left" ] && ! modprobe -S "$KREL" --show-depends vmlab >/dev/null 2>&1; then
		step_ok clean
	else
		echo "[dkms] # left behind: ${left:-modprobe still finds vmlab}"
		step_fail clean "dkms remove left vmlab behind"
	fi
}

main() {
	local t0 env
	t0=$(now)
	echo "== dkms =="
	[ -n "$VERSION" ] || die "no PACKAGE_VERSION in dkms.conf"
	mkdir -p "$DIR"
	# In a subshell: host_need exits when it cannot install.
	if ! (setup) >"$DIR/setup.log" 2>&1; then
		quote "$DIR/setup.log"
		step_fail setup "could not install dkms and the headers of Debian's $SERIES kernel"
		echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
		return 1
	fi
	# The kernel's env file, here (setup ran in a subshell), and check.sh's
	# KMOD_DIR: the kernel's modules the tests load.
	env=$("$H/fetch-kernel.sh" "$SERIES")
	# shellcheck disable=SC1090
	. "$env"
	# shellcheck disable=SC2034 # read by boot_and_judge (check.sh)
	KMOD_DIR=${env%/*}/kmod
	step_ok "setup # dkms $(dpkg-query -W -f='${Version}' dkms), linux-headers-$KREL"
	exec 9>"$LOCK"
	if ! flock -n 9; then
		log "another DKMS check holds $LOCK: waiting for it"
		flock 9
	fi
	cleanup
	trap cleanup EXIT
	KO=/lib/modules/$KREL/updates/dkms/vmlab.ko
	if run dkms-source make -C "$VMLAB_TOP" -s dkms-source &&
		run add dkms add -m vmlab -v "$VERSION" &&
		run build dkms build -m vmlab -v "$VERSION" -k "$KREL" &&
		run install dkms install -m vmlab -v "$VERSION" -k "$KREL"; then
		if dkms status -m vmlab -v "$VERSION" -k "$KREL" | tee "$DIR/status.log" | grep -q ': installed'; then
			echo "[dkms] # $(cat "$DIR/status.log")"
			step_ok status
		else
			quote "$DIR/status.log"
			step_fail status "dkms status does not say installed"
		fi
		check_vermagic
		check_modprobe
		# Every selftest in Debian's 6.1 kernel, with DKMS's module.
		build_selftests
		boot_and_judge dkms-boot "$DIR" "$KO"
	fi
	run remove dkms remove -m vmlab -v "$VERSION" --all || true
	rm -rf "/usr/src/vmlab-$VERSION"
	check_removed
	trap - EXIT
	check_make_install
	log "checked the DKMS install in $(($(now) - t0)) s"
	echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
	[ "$FAILED" -eq 0 ]
}

main "$@"
