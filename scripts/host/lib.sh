# SPDX-License-Identifier: GPL-2.0
# Shared helpers for vmlab's scripts: the cache directory, a private apt
# configuration (never the host's /etc/apt) and logging.  Source it.

VMLAB_CACHE=${VMLAB_CACHE:-$HOME/.cache/vmlab}
VMLAB_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export VMLAB_CACHE VMLAB_TOP

log() { printf 'vmlab: %s\n' "$*" >&2; }
die() { printf 'vmlab: error: %s\n' "$*" >&2; exit 1; }

# Packages the host needs, installed through the host's own (bookworm)
# sources, as every Debian 12 machine has them.
host_need() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	[ "$(id -u)" -eq 0 ] || die "need root to install: ${missing[*]}"
	log "installing host packages: ${missing[*]}"
	if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null; then
		apt-get update -q >/dev/null || true
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null ||
			die "could not install ${missing[*]}"
	fi
}

# A private apt root under the cache that knows bookworm and trixie (with
# their updates, security and backports suites).  Used only to download.
APTROOT=$VMLAB_CACHE/apt
papt_opts() {
	printf '%s\n' -o "Dir::Etc=$APTROOT/etc" -o "Dir::Etc::sourcelist=$APTROOT/etc/sources.list" \
		-o "Dir::Etc::sourceparts=$APTROOT/etc/sources.list.d" \
		-o "Dir::Etc::Preferences=$APTROOT/etc/preferences" \
		-o "Dir::Etc::PreferencesParts=$APTROOT/etc/preferences.d" \
		-o "Dir::Etc::TrustedParts=/etc/apt/trusted.gpg.d" -o "Dir::Etc::Trusted=/nonexistent" \
		-o "Dir::State=$APTROOT/state" -o "Dir::State::status=$APTROOT/state/status" \
		-o "Dir::Cache=$APTROOT/cache" -o "APT::Architecture=amd64" \
		-o "Debug::NoLocking=1" -o "APT::Sandbox::User=root" -o "Acquire::Retries=3"
}
papt_init() {
	local stamp=$APTROOT/state/updated
	mkdir -p "$APTROOT"/etc/sources.list.d "$APTROOT"/etc/preferences.d \
		"$APTROOT"/state/lists/partial "$APTROOT"/cache/archives/partial
	touch "$APTROOT/state/status"
	cat >"$APTROOT/etc/sources.list" <<-EOF
		deb http://deb.debian.org/debian bookworm main
		deb http://deb.debian.org/debian bookworm-updates main
		deb http://deb.debian.org/debian-security bookworm-security main
		deb http://deb.debian.org/debian trixie main
		deb http://deb.debian.org/debian trixie-backports main
		deb http://deb.debian.org/debian-security trixie-security main
	EOF
	# Refresh the package lists at most every 12 hours.
	if [ -z "$(find "$stamp" -mmin -720 2>/dev/null)" ]; then
		log "updating the private package lists in $APTROOT"
		mapfile -t o < <(papt_opts)
		apt-get "${o[@]}" -q update >/dev/null 2>"$APTROOT/update.err" ||
			{ cat "$APTROOT/update.err" >&2; die "apt-get update (private) failed"; }
		touch "$stamp"
	fi
}
papt() {
	local o
	mapfile -t o < <(papt_opts)
	"$1" "${o[@]}" "${@:2}"
}

# papt_newest REGEX: the newest package name matching REGEX (anchored).
papt_newest() {
	papt apt-cache pkgnames 2>/dev/null | grep -E "^$1\$" | sort -V | tail -n 1
}

# papt_fetch DIR PKG...: download .debs into DIR (kept as a cache).
papt_fetch() {
	local dir=$1 p
	shift
	mkdir -p "$dir"
	for p in "$@"; do
		ls "$dir/${p}_"*.deb >/dev/null 2>&1 && continue
		(cd "$dir" && papt apt-get -q download "$p" >/dev/null 2>"$dir/.err") ||
			{ cat "$dir/.err" >&2; die "could not download $p"; }
	done
}

# How tools_archive makes archives: bump to rebuild them all.
TOOLS_FORMAT=1

# tool_files BINARY...: each binary and the libraries and loader it needs.
tool_files() {
	local b
	for b in "$@"; do
		[ -x "$b" ] || die "no program $b"
		echo "$b"
		# "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)", "/lib64/ld-linux-x86-64.so.2 (0x...)"
		ldd "$b" | sed -n 's|.*=> \(/[^ ]*\) .*|\1|p; s|^[[:space:]]*\(/[^ ]*\) .*|\1|p'
	done | sort -u
}

# tools_archive DIR NAME BINARY...: the path of a plain (uncompressed) newc
# cpio archive in DIR that gives a guest each BINARY with the libraries and
# loader it needs, at their host paths (for VMLAB_INITRAMFS_APPEND); made
# if needed.  It is named NAME-HASH.cpio, the hash of what it holds (the
# files' paths, sizes and times, and TOOLS_FORMAT): the next run reuses it,
# a package upgrade makes a new one, and the one it replaces is removed.
tools_archive() {
	local dir=$1 name=$2 key out root f list
	shift 2
	mapfile -t list < <(tool_files "$@")
	key=$( { echo "$TOOLS_FORMAT"; for f in "${list[@]}"; do stat -L -c '%n %s %Y' "$f"; done; } |
		sha256sum | cut -c1-16)
	out=$dir/$name-$key.cpio
	if [ ! -f "$out" ]; then
		mkdir -p "$dir"
		log "packing $name for the guest into $out"
		root=$(mktemp -d "$dir/.root.XXXXXX")
		for f in "${list[@]}"; do
			install -D -m "$(stat -L -c %a "$f")" "$f" "$root$f"
		done
		(cd "$root" && find . -mindepth 1 | LC_ALL=C sort |
			cpio --quiet -o -H newc --owner=0:0 --reproducible) >"$out.tmp"
		rm -rf "$root"
		# The archives this one replaces.
		find "$dir" -maxdepth 1 -name "$name-*.cpio" ! -name "${out##*/}" -delete
		mv "$out.tmp" "$out"
	fi
	echo "$out"
}
