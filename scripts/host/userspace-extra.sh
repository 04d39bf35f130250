#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# userspace-extra.sh: print, for VMLAB_INITRAMFS_EXTRA (mkinitramfs.sh), the
# files the guest needs to run userspace/vmlab-probe, the dynamically linked
# program of the tour's execve chapter: the probe itself, installed as
# /usr/libexec/vmlab/vmlab-probe where the tour looks for it, and the shared
# libraries and loader it needs, at their host paths.  Prints nothing when
# the probe was not built.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

probe=$VMLAB_TOP/userspace/vmlab-probe
[ -x "$probe" ] || exit 0
files=("$probe:/usr/libexec/vmlab/vmlab-probe")
# "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)", "/lib64/ld-linux-x86-64.so.2 (0x...)"
while read -r path; do
	files+=("$path")
done < <(ldd "$probe" | sed -n 's|.*=> \(/[^ ]*\) .*|\1|p; s|^[[:space:]]*\(/[^ ]*\) .*|\1|p' | sort -u)
echo "${files[*]}"
