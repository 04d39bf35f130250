#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mkchroot.sh DIR PKG...: a minimal Debian trixie tree in DIR (made once with
# debootstrap, kept in the cache) with PKG... installed from trixie or
# trixie-backports.  Used to build modules for kernels whose headers need a
# newer compiler than Debian 12 has.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

dir=${1:?usage: mkchroot.sh DIR PKG...}
shift

host_need debootstrap ca-certificates
if [ ! -f "$dir/.vmlab-base" ]; then
	log "creating a trixie chroot in $dir (debootstrap, about a minute)"
	rm -rf "$dir"
	mkdir -p "$dir" "$VMLAB_CACHE/debootstrap"
	debootstrap --variant=minbase --include=debian-archive-keyring,ca-certificates \
		--cache-dir="$VMLAB_CACHE/debootstrap" \
		trixie "$dir" http://deb.debian.org/debian >"$dir.log" 2>&1 ||
		{ tail -n 30 "$dir.log" >&2; die "debootstrap failed (log: $dir.log)"; }
	cat >"$dir/etc/apt/sources.list" <<-EOF
		deb http://deb.debian.org/debian trixie main
		deb http://deb.debian.org/debian trixie-updates main
		deb http://deb.debian.org/debian trixie-backports main
		deb http://deb.debian.org/debian-security trixie-security main
	EOF
	touch "$dir/.vmlab-base"
fi

want="$*"
if [ "$(cat "$dir/.vmlab-pkgs" 2>/dev/null)" != "$want" ]; then
	log "installing in the chroot: $want"
	cp /etc/resolv.conf "$dir/etc/resolv.conf" 2>/dev/null || true
	unshare -m --propagation private sh -c '
		d=$1 && shift && mount -t proc proc "$d/proc" &&
		chroot "$d" apt-get -q update &&
		DEBIAN_FRONTEND=noninteractive chroot "$d" apt-get install -y -q \
			--no-install-recommends "$@"' sh "$dir" $want >"$dir.log" 2>&1 ||
		{ tail -n 30 "$dir.log" >&2; die "installing $want in the chroot failed"; }
	chroot "$dir" apt-get clean
	echo "$want" >"$dir/.vmlab-pkgs"
fi
