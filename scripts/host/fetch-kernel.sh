#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# fetch-kernel.sh SERIES: make Debian's newest kernel of SERIES ready under the
# cache: its vmlinuz to boot under QEMU, its headers to build modules
# against and the few of its modules the tests load (kmod/).  Writes $VMLAB_CACHE/kernels/SERIES/env (KREL, VMLINUZ, KDIR,
# CHROOT) and prints its path.  SERIES is one of: 6.1 6.12 7.3 debug
#
#   6.1   bookworm:            headers used on the host (gcc-12)
#   6.12  bookworm-security:   headers used on the host (gcc-12)
#   7.3   trixie-backports:    headers need gcc-14, so they are installed in
#                              a trixie chroot under the cache and modules are
#                              built there (scripts/host/kmake.sh)
#   debug bookworm-security:   vmlab's debug kernel (KASAN, lockdep...), built
#                              from linux-source-6.12 by build-debug-kernel.sh
#                              (VMLINUZ is its bzImage, KDIR its build tree)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

series=${1:?usage: fetch-kernel.sh SERIES}
case $series in
6.1) hdr_re='linux-headers-6\.1\.0-[0-9]+-amd64' ;;
6.12) hdr_re='linux-headers-6\.12\.[0-9]+\+deb12-amd64' ;;
7.3) hdr_re='linux-headers-7\.3\.[0-9]+\+deb13-amd64' ;;
debug) exec "$(dirname "$0")/build-debug-kernel.sh" ;;
*) die "unknown kernel series '$series' (known: 6.1 6.12 7.3 debug)" ;;
esac

# The kernel modules the tests load in the guest, into $dir/kmod/,
# uncompressed (busybox insmod and finit_module without flags read plain
# ELF): loop, for a swap device on a loop device over a memfd (the swap
# tests of vmlab_inspect).  Debian's kernels build every block driver as
# a module; 6.1 and 6.12 ship them in the image package, 7.3 in
# linux-modules-KREL.
KMODS="drivers/block/loop"

guest_kmods() {
	local deb list m member
	[ ! -f "$dir/kmod/.done" ] || return 0
	deb=$(ls "$dir/debs/${img}_"*.deb)
	list=$(dpkg-deb -c "$deb" | awk '{print $NF}')
	case $list in
	*/kernel/drivers/block/loop.ko*) ;;
	*)
		papt_fetch "$dir/debs" "linux-modules-$krel"
		deb=$(ls "$dir/debs/linux-modules-${krel}_"*.deb)
		list=$(dpkg-deb -c "$deb" | awk '{print $NF}')
		;;
	esac
	rm -rf "$dir/kmod"
	mkdir -p "$dir/kmod"
	for m in $KMODS; do
		member=$(echo "$list" | grep -E "/kernel/$m\.ko(\.xz|\.zst)?\$" | head -n 1 || true)
		[ -n "$member" ] || die "no $m.ko in $deb"
		dpkg-deb --fsys-tarfile "$deb" | tar -x -O "$member" >"$dir/kmod/${m##*/}.ko${member##*.ko}"
		case $member in
		*.xz) host_need xz-utils && xz -d "$dir/kmod/${m##*/}.ko.xz" ;;
		*.zst) host_need zstd && zstd -q -d --rm "$dir/kmod/${m##*/}.ko.zst" ;;
		esac
	done
	touch "$dir/kmod/.done"
}

host_need ca-certificates apt dpkg
papt_init
hdr=$(papt_newest "$hdr_re")
[ -n "$hdr" ] || die "no package matches $hdr_re in Debian's archive"
krel=${hdr#linux-headers-}
dir=$VMLAB_CACHE/kernels/$series
env=$dir/env
for img in "linux-image-$krel-unsigned" "linux-binary-unsigned-$krel"; do
	papt apt-cache show "$img" >/dev/null 2>&1 && break
done
if [ -f "$env" ] && grep -qx "KREL=$krel" "$env"; then
	guest_kmods
	echo "$env"
	exit 0
fi
log "preparing kernel $krel"
rm -rf "$dir"
mkdir -p "$dir/debs" "$dir/root"

# The kernel image: /boot/vmlinuz-KREL.
papt_fetch "$dir/debs" "$img"
# Older packages ship /boot/vmlinuz-KREL, newer ones
# /usr/lib/modules/KREL/vmlinuz*.
deb=$(ls "$dir/debs/${img}_"*.deb)
krel_re=$(printf '%s' "$krel" | sed 's/[.+]/\\&/g')
member=$(dpkg-deb -c "$deb" | awk '{print $NF}' |
	grep -E "^\./(boot/vmlinuz-$krel_re|usr/lib/modules/$krel_re/vmlinuz[.a-z]*)\$" | head -n 1 || true)
[ -n "$member" ] || die "no kernel image in $img"
dpkg-deb --fsys-tarfile "$deb" | tar -x -O "$member" >"$dir/vmlinuz-$krel"
[ -s "$dir/vmlinuz-$krel" ] || die "no vmlinuz-$krel in $img"

chroot_dir=
case $series in
6.1 | 6.12)
	# Headers, their -common part and kbuild, unpacked side by side; the
	# arch Makefile names the -common one by absolute path, so point it
	# at the unpacked copy instead.
	deps=$(papt apt-cache show "$hdr" | sed -n 's/^Depends: //p' | head -n 1 |
		tr ',' '\n' | sed 's/^ *//; s/[ (].*//' | grep -E '^linux-(headers|kbuild)-' || true)
	# shellcheck disable=SC2086
	papt_fetch "$dir/debs" "$hdr" $deps
	for d in "$dir"/debs/linux-headers-*.deb "$dir"/debs/linux-kbuild-*.deb; do
		dpkg-deb -x "$d" "$dir/root"
	done
	kdir=$dir/root/usr/src/linux-headers-$krel
	common=$(sed -n 's,^include /usr/src/\(.*\)/Makefile$,\1,p' "$kdir/Makefile")
	if [ -n "$common" ]; then
		printf 'include $(dir $(lastword $(MAKEFILE_LIST)))../%s/Makefile\n' \
			"$common" >"$kdir/Makefile"
	fi
	cc=$(sed -n 's/^CC = .*)\(gcc-[0-9]*\)$/\1/p' "$kdir/.kernelvariables")
	host_need make bc "${cc:-gcc}" libelf1
	;;
7.3)
	chroot_dir=$VMLAB_CACHE/chroot/trixie
	"$VMLAB_TOP/scripts/host/mkchroot.sh" "$chroot_dir" gcc-14 make "$hdr"
	kdir=/usr/src/linux-headers-$krel
	[ -f "$chroot_dir$kdir/Makefile" ] || die "headers $hdr missing in the chroot"
	;;
esac

guest_kmods

cat >"$env.tmp" <<EOF
SERIES=$series
KREL=$krel
VMLINUZ=$dir/vmlinuz-$krel
KDIR=$kdir
CHROOT=$chroot_dir
EOF
mv "$env.tmp" "$env"
echo "$env"
