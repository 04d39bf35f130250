#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# claims-doc.sh LOG > docs/claims.md: the map of the notes' claims to the
# tour's chapters and steps, made from a real run of the whole tour,
# `vmlab tour --tap --claims` (for example the console log of
# `VMLAB_TOUR="--tap --claims" make demo KERNEL=6.12`).  It reads
#   - the list --claims prints at the end: each claim, its truth, and the
#     chapter and step that checked it, or "not yet checked";
#   - each claim's block in its chapter: "Claim N of the notes: ...",
#     then "It is ...", what really happens.
# It fails if a claim's evidence failed or the list is incomplete:
# selftests/vmlab_tour checks the tour against the file it writes.
set -euo pipefail

[ $# -eq 1 ] && [ -r "$1" ] || { echo "usage: $0 LOG" >&2; exit 2; }

tr -d '\r' <"$1" | awk '
function flush() {
	if (cur && part == 2)
		shows[cur] = txt
	cur = 0
}
# A claim block: "Claim N of the notes: TEXT", then "It is WORD. What
# really happens: TEXT" (or "It is true: TEXT"), each wrapped under itself.
/^#     Claim [0-9]+ of the notes: / {
	flush()
	cur = $3 + 0
	part = 1
	next
}
cur && /^#     It is / {
	txt = substr($0, 7)
	sub(/^It is (true: |false\. What really happens: |oversimplified\. What really happens: )/, "", txt)
	part = 2
	next
}
cur && part == 1 && /^#       / { next }
cur && part == 2 && /^#       / {
	t = substr($0, 3)
	sub(/^ +/, "", t)
	txt = txt " " t
	next
}
cur { flush() }
/^# claim [0-9]+: / {
	if ($NF != "ok") {
		print "claims-doc.sh: a claim failed in this run: " substr($0, 3) > "/dev/stderr"
		bad = 1
	}
	next
}
# The list of --claims: "NN  TRUTH  WHERE  TEXT" in fixed columns.
/^#  #  truth/ { inlist = 1; next }
inlist && /^# [ 0-9][0-9]  / {
	n = substr($0, 3, 2) + 0
	truth[n] = substr($0, 7, 14); sub(/ +$/, "", truth[n])
	where[n] = substr($0, 23, 22); sub(/ +$/, "", where[n])
	note[n] = substr($0, 47)
	if (n > max)
		max = n
	next
}
inlist { inlist = 0 }
/^# [0-9]+ of [0-9]+ claims of the notes checked/ { summary = substr($0, 3) }
END {
	if (!max) {
		print "claims-doc.sh: no claim list in the log (run vmlab tour --tap --claims)" > "/dev/stderr"
		exit 1
	}
	for (n = 1; n <= max; n++) {
		if (!(n in truth)) {
			print "claims-doc.sh: claim " n " is missing from the list" > "/dev/stderr"
			bad = 1
		} else if (where[n] ~ /, step [0-9]+$/ && !(n in shows)) {
			print "claims-doc.sh: no block for claim " n " in the log" > "/dev/stderr"
			bad = 1
		} else if (where[n] !~ /, step [0-9]+$/ && where[n] != "not yet checked") {
			print "claims-doc.sh: claim " n ": " where[n] " (run the whole tour)" > "/dev/stderr"
			bad = 1
		}
	}
	if (bad)
		exit 1
	print "# The claims of the notes, and where the tour checks them"
	print ""
	print "The four study notes vmlab follows make 46 claims a program can check."
	print "23 of them are false or oversimplified for Linux (6.x, x86-64). `vmlab"
	print "tour` checks them live: at the step whose evidence settles a claim, the"
	print "chapter says what the note claims, whether it is true, false or"
	print "oversimplified, and what really happens, next to the kernel'\''s evidence."
	print "`vmlab tour --claims` runs the chapters and prints this list; with"
	print "`--tap`, each claim checked adds a line"
	print "`# claim N: TRUE|FALSE|PARTLY, chapter NAME, step K: ok|FAIL`."
	print ""
	print "The claims, their truth and their chapters are in"
	print "[`userspace/tour/claims.h`](../userspace/tour/claims.h); a chapter names the"
	print "claims it settles there and calls `claim_end()` at the step. This file is"
	print "made by `scripts/claims-doc.sh` from the output of a whole tour"
	print "(`VMLAB_TOUR=\"--tap --claims\" make demo KERNEL=6.12`, then"
	print "`scripts/claims-doc.sh build/demo-6.12/console.log > docs/claims.md`), and"
	print "`selftests/vmlab_tour` fails when the tour and this table disagree: a"
	print "claim checked at another chapter or step, one checked that has no row"
	print "here, or a row'\''s claim not checked."
	print ""
	if (summary != "")
		print "That run: " summary "."
	print ""
	print "| # | the note says | truth | chapter | step | what the tour shows |"
	print "|---|---|---|---|---|---|"
	for (n = 1; n <= max; n++) {
		ch = "—"; st = "—"; sh = "not yet checked"
		if (where[n] ~ /, step [0-9]+$/) {
			ch = where[n]; sub(/, step .*/, "", ch)
			st = where[n]; sub(/.*, step /, "", st)
			sh = shows[n]
		}
		printf "| %d | %s | %s | %s | %s | %s |\n", n, note[n], truth[n], ch, st, sh
	}
}'
