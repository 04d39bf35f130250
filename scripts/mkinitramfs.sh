#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mkinitramfs.sh OUT.cpio.gz KO TESTDIR [PROG...]: the guest's whole root
# file system, a gzipped newc cpio archive holding
#
#	/init			scripts/guest/guest-init.sh, the test runner
#	/vmlab/kernel-reports.sh scripts/guest/kernel-reports.sh, the
#				kernel reports /init looks for (check.sh too)
#	/vmlab/oom-filter.awk	scripts/guest/oom-filter.awk, the stacks of
#				the tour's OOM reports, no problem
#	/bin/busybox		from busybox-static, with a link per applet
#	/vmlab/vmlab.ko		KO, the module under test
#	/vmlab/tests/		the test programs and their data files
#
# With PROG... (names relative to TESTDIR) exactly those programs are copied
# to /vmlab/tests/; without, every executable file of TESTDIR is.  Either way
# the other plain files of TESTDIR are copied too, as data, except sources
# and build files (*.c *.h *.o *.d Makefile ...).  The guest runs only the
# executables, sorted by name.  TESTDIR may be empty ("") for no tests.
#
# VMLAB_INITRAMFS_EXTRA="SRC[:DEST] ...": more host files, each copied to
# DEST in the guest (default: the same path), e.g. a dynamically linked
# program and the libraries it needs (see scripts/host/userspace-extra.sh).
#
# VMLAB_INITRAMFS_APPEND="ARCHIVE ...": ready-made cpio archives (newc,
# uncompressed) appended to OUT after the gzipped one, each at a 4-byte
# boundary: the kernel unpacks one archive after the other into the same
# root, and spends no time decompressing these (see scripts/host/tracetools.sh,
# whose 200 MB would take seconds to gunzip under QEMU's emulation).  OUT
# is then no longer a plain .cpio.gz, which only the kernel needs to read.
set -euo pipefail
. "$(dirname "$0")/host/lib.sh"

# is_build_file NAME: true for the files of a source directory that are no
# test data.
is_build_file() {
	case $1 in
	*.c | *.h | *.o | *.d | *.a | *.so | *.mk | *.orig | *.rej | *~ | Makefile | Kbuild | .*) return 0 ;;
	esac
	return 1
}

# add_busybox ROOT: busybox and a symbolic link for each of its applets.
add_busybox() {
	local root=$1 applet
	install -D -m 0755 /bin/busybox "$root/bin/busybox"
	for applet in $(/bin/busybox --list-full); do
		[ -e "$root/$applet" ] && continue
		mkdir -p "$root/$(dirname "$applet")"
		ln -s /bin/busybox "$root/$applet"
	done
}

# add_tests ROOT TESTDIR [PROG...]: the programs and data files.
add_tests() {
	local root=$1 dir=$2 f name
	shift 2
	mkdir -p "$root/vmlab/tests"
	[ -n "$dir" ] || return 0
	[ -d "$dir" ] || die "no test directory $dir"
	for f in "$@"; do
		[ -f "$dir/$f" ] && [ -x "$dir/$f" ] || die "no test program $dir/$f"
		cp -p "$dir/$f" "$root/vmlab/tests/"
	done
	for f in "$dir"/*; do
		[ -f "$f" ] || continue
		name=${f##*/}
		if [ -x "$f" ]; then
			[ $# -eq 0 ] || continue
		elif is_build_file "$name"; then
			continue
		fi
		cp -p "$f" "$root/vmlab/tests/"
	done
}

# add_extra ROOT: the files of VMLAB_INITRAMFS_EXTRA.
add_extra() {
	local root=$1 item src dest
	for item in ${VMLAB_INITRAMFS_EXTRA:-}; do
		src=${item%%:*}
		dest=${item#*:}
		[ "$item" != "$src" ] || dest=$src
		[ -f "$src" ] || die "no file $src (VMLAB_INITRAMFS_EXTRA)"
		install -D -m "$(stat -L -c %a "$src")" "$src" "$root/$dest"
	done
}

# pack ROOT OUT: the cpio archive, files owned by root, in a stable order,
# then the archives of VMLAB_INITRAMFS_APPEND.
pack() {
	local root=$1 out=$2 a size
	(cd "$root" && find . -mindepth 1 | LC_ALL=C sort |
		cpio --quiet -o -H newc --owner=0:0 --reproducible) | gzip -n -6 >"$out.tmp"
	for a in ${VMLAB_INITRAMFS_APPEND:-}; do
		[ -f "$a" ] || die "no archive $a (VMLAB_INITRAMFS_APPEND)"
		size=$(stat -c %s "$out.tmp")
		head -c $(((4 - size % 4) % 4)) /dev/zero >>"$out.tmp"
		cat "$a" >>"$out.tmp"
	done
	mv "$out.tmp" "$out"
}

main() {
	[ $# -ge 3 ] || die "usage: mkinitramfs.sh OUT.cpio.gz KO TESTDIR [PROG...]"
	local out=$1 ko=$2 testdir=$3 root
	shift 3
	[ -f "$ko" ] || die "no module $ko"
	host_need busybox-static cpio gzip
	mkdir -p "$(dirname "$out")"
	root=$(mktemp -d "$(dirname "$out")/.initramfs.XXXXXX")
	# shellcheck disable=SC2064
	trap "rm -rf '$root'" EXIT
	mkdir -p "$root"/{dev,proc,sys,tmp,root,etc,mnt,run,vmlab}
	# The kernel opens /dev/console for /init before anything is mounted.
	[ "$(id -u)" -ne 0 ] || mknod -m 0600 "$root/dev/console" c 5 1
	add_busybox "$root"
	install -m 0755 "$VMLAB_TOP/scripts/guest/guest-init.sh" "$root/init"
	install -m 0644 "$VMLAB_TOP/scripts/guest/kernel-reports.sh" "$root/vmlab/kernel-reports.sh"
	install -m 0644 "$VMLAB_TOP/scripts/guest/oom-filter.awk" "$root/vmlab/oom-filter.awk"
	install -m 0644 "$ko" "$root/vmlab/vmlab.ko"
	add_tests "$root" "$testdir" "$@"
	add_extra "$root"
	pack "$root" "$out"
	log "initramfs: $out ($(du -k "$out" | cut -f1) KiB, $(find "$root/vmlab/tests" -type f -perm -u+x | wc -l) test programs${VMLAB_INITRAMFS_APPEND:+, with $(echo "$VMLAB_INITRAMFS_APPEND" | wc -w) more archive(s)})"
}

main "$@"
