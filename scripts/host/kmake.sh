#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kmake.sh SERIES [MAKE-ARGS...]: build the vmlab module against Debian's
# kernel of SERIES (6.1, 6.12 or 7.3), or vmlab's debug kernel (debug); see
# fetch-kernel.sh.
#
# The module's sources (the top-level Kbuild, module/ and include/) are
# copied, with their mtimes, to build/SERIES/ so that each kernel gets its
# own objects and rebuilds stay incremental; then
#
#	make -C $KDIR M=$VMLAB_TOP/build/SERIES MAKE-ARGS...
#
# runs on the host, or inside the cache's trixie chroot for kernels whose
# headers need a newer compiler (CHROOT in the kernel's env file).  MAKE-ARGS
# default to "modules"; W=1, C=1, clean... are passed through as they are.
# The module ends up in build/SERIES/module/vmlab.ko.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# Everything the kernel's build system needs from the repo.
KSOURCES="Kbuild module include"

# sync_sources DEST: copy the kernel sources into DEST.  Files that the
# build produces are neither copied from the repo (in case someone built
# in the tree) nor deleted from DEST; sources removed from the repo are.
sync_sources() {
	local dest=$1 s
	for s in $KSOURCES; do
		[ -e "$VMLAB_TOP/$s" ] || die "missing $VMLAB_TOP/$s"
	done
	mkdir -p "$dest"
	# shellcheck disable=SC2086
	(cd "$VMLAB_TOP" && rsync -a --delete \
		--exclude='*.o' --exclude='*.ko' --exclude='*.mod' --exclude='*.mod.c' \
		--exclude='.*.cmd' --exclude='.*.d' --exclude='*.a' --exclude='*.symvers' \
		--exclude='modules.order' --exclude='.tmp_*' --exclude='*.dwo' \
		--relative $KSOURCES "$dest/")
}

# run_make DIR ARGS...: make -C $KDIR M=DIR ARGS... on the host or in CHROOT.
run_make() {
	local dir=$1
	shift
	if [ -z "$CHROOT" ]; then
		make -C "$KDIR" M="$dir" "$@"
		return
	fi
	# A private mount namespace: /proc (objtool needs it), /dev (for
	# /dev/null) and the build directory, at the same absolute path as
	# on the host, vanish with it.
	unshare -m --propagation private sh -c '
		root=$1 dir=$2 kdir=$3
		shift 3
		mount -t proc proc "$root/proc" &&
		mount --bind /dev "$root/dev" &&
		mkdir -p "$root$dir" &&
		mount --bind "$dir" "$root$dir" &&
		exec chroot "$root" env PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 \
			make -C "$kdir" M="$dir" "$@"' sh "$CHROOT" "$dir" "$KDIR" "$@"
}

# need_tools MAKE-ARGS...: what the build needs besides the compiler: pahole
# for the BTF of modules (headers with a vmlinux), sparse for C=1/C=2.
need_tools() {
	case " $* " in *" C="[12]" "*) host_need sparse ;; esac
	[ -n "$CHROOT" ] || [ ! -f "$KDIR/vmlinux" ] || host_need dwarves
}

# Debian's 7.x headers lack scripts/checker-valid.sh, so kbuild cannot run
# sparse with them: drop C= there (6.1 and 6.12 cover sparse).
sparse_args() {
	local a
	for a in "$@"; do
		case $a in
		C=[12]) [ -z "$CHROOT" ] || { log "sparse: not available with $KREL's Debian headers; skipped"; continue; } ;;
		esac
		printf '%s\n' "$a"
	done
}

main() {
	local series=${1:?usage: kmake.sh SERIES [MAKE-ARGS...]} env dir ko args
	shift
	env=$("$VMLAB_TOP/scripts/host/fetch-kernel.sh" "$series")
	# shellcheck disable=SC1090
	. "$env"
	[ $# -gt 0 ] || set -- modules
	host_need make rsync
	need_tools "$@"
	mapfile -t args < <(sparse_args "$@")
	set -- "${args[@]}"
	dir=$VMLAB_TOP/build/$series
	sync_sources "$dir"
	log "building the module for $KREL${CHROOT:+ (in the chroot $CHROOT)}: make $*"
	run_make "$dir" "$@"
	ko=$dir/module/vmlab.ko
	case " $* " in
	*" clean "* | *" help "*) ;;
	*) [ ! -f "$ko" ] || log "module: $ko" ;;
	esac
}

main "$@"
