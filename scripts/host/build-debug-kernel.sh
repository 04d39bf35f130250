#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# build-debug-kernel.sh: build vmlab's debug kernel (KASAN, lockdep,
# DEBUG_VM, kmemleak, UBSAN, KFENCE, DEBUG_PAGEALLOC...) from Debian's
# linux-source-6.12 package, configured as
#
#	x86_64_defconfig + kvm_guest.config + scripts/host/debug.config
#
# then `make olddefconfig`; every option that scripts/host/debug.config
# sets, and every one the tests need (selftests/config), must end up as
# written there.  Called by `fetch-kernel.sh debug`, like the other series:
# writes $VMLAB_CACHE/kernels/debug/env (KREL, VMLINUZ: the bzImage, KDIR:
# the build directory, CHROOT empty, and APPEND/TIMEOUT/PROG_TIMEOUT/
# KMEMLEAK for check.sh) and prints its path.
#
# The build is out of tree (O=) in $VMLAB_CACHE/kernels/debug/build-KEY,
# KEY being the source package's version, the first 12 hex digits of the
# sha256 of debug.config and gcc's version, so a warm run does not rebuild
# and an edit of debug.config does.  Older builds are deleted once a new
# one succeeds.  After the kernel, `modules_prepare` and vmlinux.symvers
# copied to Module.symvers make that directory a KDIR for external modules.
#
# Cold, the build takes a while (see docs/testing.md): it runs under nice, with
# make -j$(nproc) (VMLAB_JOBS overrides), its output in build.log there.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

FRAGMENT=$VMLAB_TOP/scripts/host/debug.config
BASE_CONFIGS="x86_64_defconfig kvm_guest.config"
DIR=$VMLAB_CACHE/kernels/debug
# What the guests of this kernel get (see check.sh): page-allocation
# debugging is off unless asked for on the command line; under TCG the
# tests run 10 to 30 times slower than on Debian's kernels.  The races get
# longer here than in make check: vmlab_stress 30 s instead of 8, and all
# 100 of vmlab_reload's load/unload cycles (1 to 2 s each).  Trinity makes
# 50000 calls in vmlab_outside here (vmlab_outside.c), which took 729 s:
# that program gets 1800 s.
APPEND="debug_pagealloc=on VMLAB_STRESS_SECONDS=30 VMLAB_RELOAD_SECONDS=0 vmlab.timeout.vmlab_outside=1800"
# The slowest other program took 210 s on a busy machine, the whole guest
# 16 min before the longer trinity run, about 28 now: room enough, yet a
# hang does not eat CI's 90 minutes.
TIMEOUT=3600     # the whole guest (qemu-run.sh's VMLAB_TIMEOUT)
PROG_TIMEOUT=600 # one test program (guest-init.sh's vmlab.timeout)

# unpack_source PKG VER: the whole source tree of PKG, once per version;
# prints its directory.
unpack_source() {
	local pkg=$1 ver=$2 src=$DIR/src deb
	if [ "$(cat "$src/.vmlab-version" 2>/dev/null)" = "$ver" ]; then
		echo "$src"
		return
	fi
	papt_fetch "$VMLAB_CACHE/debs" "$pkg"
	deb=$(ls "$VMLAB_CACHE/debs/${pkg}_${ver#*:}"_*.deb)
	log "unpacking $pkg $ver into $src"
	rm -rf "$src"
	mkdir -p "$src"
	dpkg-deb --fsys-tarfile "$deb" | tar -x -O "./usr/src/$pkg.tar.xz" |
		xz -dc -T0 | tar -x -C "$src" --strip-components=1
	[ -f "$src/Makefile" ] || die "no kernel source in $deb"
	echo "$ver" >"$src/.vmlab-version"
	echo "$src"
}

# check_config CONFIG FRAGMENT: every line of FRAGMENT as written in CONFIG.
# Options set to a value are required (a module, =m, may be built in, =y);
# options the fragment turns off to trim the build only warn when something
# else selects them.
check_config() {
	local config=$1 fragment=$2 line opt bad=0
	while IFS= read -r line; do
		case $line in
		CONFIG_*=*)
			if ! grep -qxF "$line" "$config" &&
				! { [ "${line##*=}" = m ] && grep -qxF "${line%=m}=y" "$config"; }; then
				opt=${line%%=*}
				log "config: ${fragment#"$VMLAB_TOP"/} wants $line, got: $(grep -E "^(# )?${opt}[= ]" "$config" || echo "$opt missing")"
				bad=1
			fi
			;;
		"# CONFIG_"*" is not set")
			opt=${line#\# }
			opt=${opt%% *}
			if grep -qE "^$opt=[ym]" "$config"; then
				log "config: note: $opt is still on ($(grep -E "^$opt=" "$config")), selected by another option"
			fi
			;;
		esac
	done <"$fragment"
	return $bad
}

# build SRC OUT: configure and build into OUT.
build() {
	local src=$1 out=$2 jobs=${VMLAB_JOBS:-$(nproc)} t0
	t0=$(date +%s)
	rm -rf "$out"
	mkdir -p "$out"
	log "configuring the debug kernel in $out"
	# shellcheck disable=SC2086 # a list of targets
	make -s -C "$src" O="$out" $BASE_CONFIGS >/dev/null
	"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "$FRAGMENT" >"$out/merge.log" 2>&1 ||
		{ cat "$out/merge.log" >&2; die "merge_config.sh failed"; }
	make -s -C "$src" O="$out" olddefconfig >/dev/null
	if ! check_config "$out/.config" "$FRAGMENT" || ! check_config "$out/.config" "$VMLAB_TOP/selftests/config"; then
		die "the debug kernel's configuration lacks options (scripts/host/debug.config, selftests/config)"
	fi
	log "building the debug kernel with make -j$jobs (log: $out/build.log); this takes a while"
	if ! nice make -C "$src" O="$out" -j"$jobs" bzImage >"$out/build.log" 2>&1 ||
		! nice make -C "$src" O="$out" -j"$jobs" modules_prepare >>"$out/build.log" 2>&1; then
		tail -n 30 "$out/build.log" >&2
		die "the debug kernel did not build (log: $out/build.log)"
	fi
	[ -f "$out/vmlinux.symvers" ] || die "no vmlinux.symvers in $out"
	cp "$out/vmlinux.symvers" "$out/Module.symvers"
	echo "$(($(date +%s) - t0))" >"$out/.vmlab-build-secs"
	log "debug kernel built in $(($(date +%s) - t0)) s"
}

main() {
	local pkg ver key out src krel env=$DIR/env d
	host_need ca-certificates apt dpkg xz-utils make gcc bc flex bison libelf-dev libssl-dev \
		cpio rsync dwarves
	papt_init
	pkg=$(papt_newest 'linux-source-6\.12')
	[ -n "$pkg" ] || die "no linux-source-6.12 package in Debian's archive"
	ver=$(papt apt-cache show "$pkg" | sed -n 's/^Version: //p' | sort -V | tail -n 1)
	key=$ver-$(sha256sum <"$FRAGMENT" | cut -c1-12)-gcc$(gcc -dumpfullversion)
	key=$(echo "$key" | tr -c 'A-Za-z0-9.+\n-' '_')
	out=$DIR/build-$key
	if [ ! -f "$out/.vmlab-built" ]; then
		mkdir -p "$DIR"
		src=$(unpack_source "$pkg" "$ver")
		build "$src" "$out"
		touch "$out/.vmlab-built"
		for d in "$DIR"/build-*; do
			[ "$d" = "$out" ] || { log "removing the old build $d"; rm -rf "$d"; }
		done
	fi
	krel=$(cat "$out/include/config/kernel.release")
	cat >"$env.tmp" <<-EOF
		SERIES=debug
		KREL=$krel
		VMLINUZ=$out/arch/x86/boot/bzImage
		KDIR=$out
		CHROOT=
		APPEND="$APPEND"
		TIMEOUT=$TIMEOUT
		PROG_TIMEOUT=$PROG_TIMEOUT
		KMEMLEAK=1
	EOF
	mv "$env.tmp" "$env"
	echo "$env"
}

main "$@"
