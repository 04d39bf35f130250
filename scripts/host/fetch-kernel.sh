#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# fetch-kernel.sh SERIES: make Debian's newest kernel of SERIES ready under the
# cache: its vmlinuz to boot under QEMU, its headers to build modules
# against and the few of its modules the tests load (kmod/) and `make
# shell` loads (kmod-share/).  Writes $VMLAB_CACHE/kernels/SERIES/env (KREL,
# VMLINUZ, KDIR, CHROOT) and prints its path.  SERIES is one of: 6.1 6.12 7.3 debug
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

# The modules of `make shell`'s shared directory (scripts/shell.sh), into
# $dir/kmod-share/: 9p's file system, its virtio transport and the virtio
# PCI bus, with every module they need, as the package's own modinfo
# says.  Which are modules differs between kernels (6.1 has virtio,
# virtio_pci, fscache as modules; 6.12 and 7.3 build them in), so none is
# named here but these three, and a module the package does not have must
# be in its modules.builtin (7.3 ships that in linux-base-KREL).
SHARE_KMODS="9p 9pnet_virtio virtio_pci"

# modules_deb: set DEB to the package that holds KREL's modules, the image
# or linux-modules-KREL (downloaded then), and LIST to its files.
modules_deb() {
	DEB=$(ls "$dir/debs/${img}_"*.deb)
	LIST=$(dpkg-deb -c "$DEB" | awk '{print $NF}')
	case $LIST in
	*/kernel/*.ko*) return 0 ;;
	esac
	papt_fetch "$dir/debs" "linux-modules-$krel"
	DEB=$(ls "$dir/debs/linux-modules-${krel}_"*.deb)
	LIST=$(dpkg-deb -c "$DEB" | awk '{print $NF}')
}

# extract_kos OUT MEMBER...: these .ko files of DEB into OUT, uncompressed,
# in one pass over the package.
extract_kos() {
	local out=$1 tmp m f
	shift
	[ $# -gt 0 ] || return 0
	tmp=$(mktemp -d "$dir/.kos.XXXXXX")
	dpkg-deb --fsys-tarfile "$DEB" | tar -x -C "$tmp" "$@"
	for m in "$@"; do
		f=$tmp/$m
		case $m in
		*.xz) host_need xz-utils && xz -d "$f" && f=${f%.xz} ;;
		*.zst) host_need zstd && zstd -q -d --rm "$f" && f=${f%.zst} ;;
		esac
		mv "$f" "$out/"
	done
	rm -rf "$tmp"
}

guest_kmods() {
	local m member
	[ ! -f "$dir/kmod/.done" ] || return 0
	modules_deb
	rm -rf "$dir/kmod"
	mkdir -p "$dir/kmod"
	for m in $KMODS; do
		member=$(echo "$LIST" | grep -E "/kernel/$m\.ko(\.xz|\.zst)?\$" | head -n 1 || true)
		[ -n "$member" ] || die "no $m.ko in $DEB"
		extract_kos "$dir/kmod" "$member"
	done
	touch "$dir/kmod/.done"
}

# name_re NAME: a regular expression for the file name of module NAME
# (its "-" and "_" are the same).
name_re() {
	printf '%s' "$1" | sed 's/[-_]/[-_]/g'
}

# builtin_has NAME: is module NAME built into KREL (modules.builtin)?
builtin_has() {
	local member deb=$DEB
	[ -f "$dir/modules.builtin" ] || {
		member=$(echo "$LIST" | grep -E '/modules\.builtin$' | head -n 1 || true)
		if [ -z "$member" ]; then
			papt_fetch "$dir/debs" "linux-base-$krel"
			deb=$(ls "$dir/debs/linux-base-${krel}_"*.deb)
			member=$(dpkg-deb -c "$deb" | awk '{print $NF}' | grep -E '/modules\.builtin$' | head -n 1 || true)
			[ -n "$member" ] || die "no modules.builtin in $DEB or $deb"
		fi
		dpkg-deb --fsys-tarfile "$deb" | tar -x -O "$member" >"$dir/modules.builtin.tmp"
		mv "$dir/modules.builtin.tmp" "$dir/modules.builtin"
	}
	grep -qE "/$(name_re "$1")\.ko\$" "$dir/modules.builtin"
}

# share_kmods: SHARE_KMODS and what they depend on, into $dir/kmod-share/,
# with `order`: their file names, each after those it depends on.
share_kmods() {
	local out=$dir/kmod-share tmp todo name member members f
	local -A file=() needs=() listed=()
	[ ! -f "$out/.done" ] || return 0
	host_need kmod
	modules_deb
	tmp=$(mktemp -d "$dir/.kmod-share.XXXXXX")
	todo=$SHARE_KMODS
	while [ -n "$todo" ]; do
		members=()
		for name in $todo; do
			[ -z "${file[$name]+set}" ] || continue
			member=$(echo "$LIST" | grep -E "/kernel/.*/$(name_re "$name")\.ko(\.xz|\.zst)?\$" | head -n 1 || true)
			if [ -z "$member" ]; then
				builtin_has "$name" || die "$name is neither a module in $DEB nor built into $krel"
				file[$name]=
				continue
			fi
			f=${member##*/}
			file[$name]=${f%%.ko*}.ko
			members+=("$member")
		done
		extract_kos "$tmp" ${members[@]+"${members[@]}"}
		todo=
		for member in ${members[@]+"${members[@]}"}; do
			f=${member##*/}
			f=${f%%.ko*}.ko
			for name in "${!file[@]}"; do
				[ "${file[$name]}" != "$f" ] || break
			done
			needs[$name]=$(modinfo -F depends "$tmp/$f" | tr ',' ' ')
			todo+=" ${needs[$name]}"
		done
	done
	# Depth first: a module's dependencies, then the module.
	order_of() {
		local d
		[ -z "${listed[$1]+set}" ] || return 0
		listed[$1]=1
		for d in ${needs[$1]:-}; do
			order_of "$d"
		done
		[ -z "${file[$1]}" ] || echo "${file[$1]}"
	}
	for name in $SHARE_KMODS; do
		order_of "$name"
	done >"$tmp/order"
	touch "$tmp/.done"
	rm -rf "$out"
	mv -T "$tmp" "$out"
	log "modules for make shell's shared directory: $(tr '\n' ' ' <"$out/order")(in $out)"
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
	share_kmods
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
share_kmods

cat >"$env.tmp" <<EOF
SERIES=$series
KREL=$krel
VMLINUZ=$dir/vmlinuz-$krel
KDIR=$kdir
CHROOT=$chroot_dir
EOF
mv "$env.tmp" "$env"
echo "$env"
