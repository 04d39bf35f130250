#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# check-figures.sh SERIES LOG DIR: check.sh's judge of the figures a guest
# printed on its console (vmlab_cli's tour_html, tour_html_as_nobody and
# grid_svg print their files as base64: scripts/extract-files.sh), decoded
# into DIR.  For each file, one TAP-like line "[SERIES] ok|not ok figures:
# NAME: WHAT":
#
#	*.html	tidy finds no error or warning (HTML5); it is well-formed XML
#		too (xmllint), so every inline <svg> is;
#	*.svg	well-formed XML (xmllint);
#	both	a headless Chromium renders it with no console message and
#		draws every <svg> (--dump-dom); a screenshot is kept as
#		DIR/NAME.png.
#
# Writes "PASSED FAILED SKIPPED" to DIR/counts.  Installs tidy,
# libxml2-utils and chromium on the host (host_need): chromium is about
# 120 MB to download, 410 MB installed, 40 s to install here.
set -euo pipefail
. "$(dirname "$0")/host/lib.sh"

series=$1 log=$2 dir=$(realpath -m "$3")
passed=0 failed=0 skipped=0
res() {	# res OK WHAT [DETAIL...]
	local ok=$1 what=$2
	shift 2
	if [ "$ok" = 0 ]; then
		echo "[$series] ok figures: $what"
		passed=$((passed + 1))
	else
		echo "[$series] not ok figures: $what"
		[ $# -eq 0 ] || printf '[%s] #   %s\n' "$series" "$@"
		failed=$((failed + 1))
	fi
}

rm -rf "$dir"
mkdir -p "$dir"
host_need tidy libxml2-utils chromium
files=$("$VMLAB_TOP/scripts/extract-files.sh" "$log" "$dir" 2>"$dir/extract.err") || true
if [ -z "$files" ]; then
	res 1 "the guest printed no figure (VMLAB-FILE-BEGIN)" "$(cat "$dir/extract.err")"
fi
for f in $files; do
	n=${f##*/}
	case $n in
	*.html)
		tidy -q -e "$f" >"$dir/$n.tidy" 2>&1 && r=0 || r=$?
		res "$r" "$n: tidy finds no error or warning" "$(head -n 5 "$dir/$n.tidy")"
		;;
	esac
	xmllint --noout "$f" >"$dir/$n.xmllint" 2>&1 && r=0 || r=$?
	res "$r" "$n: well-formed XML (xmllint)" "$(head -n 5 "$dir/$n.xmllint")"
	# Chromium: a screenshot (an SVG at its own size), and its log for
	# console messages.
	size=1000,2600
	case $n in
	*.svg) size=$(sed -n '2s/^<svg [^>]* width="\([0-9]*\)" height="\([0-9]*\)".*/\1,\2/p' "$f") ;;
	esac
	timeout 120 chromium --headless --disable-gpu --no-sandbox --hide-scrollbars \
		--enable-logging=stderr --v=0 --window-size="${size:-1000,2600}" \
		--screenshot="$dir/$n.png" "file://$f" >/dev/null 2>"$dir/$n.chromium" || true
	if [ -s "$dir/$n.png" ] && ! grep -q 'CONSOLE' "$dir/$n.chromium"; then r=0; else r=1; fi
	res "$r" "$n: Chromium renders it with no console message (screenshot $dir/$n.png)" \
		"$(grep CONSOLE "$dir/$n.chromium" | head -n 5)"
	want=$(grep -o '<svg ' "$f" | wc -l)
	got=$(timeout 120 chromium --headless --disable-gpu --no-sandbox --dump-dom "file://$f" \
		2>/dev/null | grep -o '<svg ' | wc -l) || got=0
	if [ "$want" -gt 0 ] && [ "$got" = "$want" ]; then r=0; else r=1; fi
	res "$r" "$n: Chromium's DOM has its $want <svg> figures" "it has $got"
done
echo "$passed $failed $skipped" >"$dir/counts"
