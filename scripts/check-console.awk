# SPDX-License-Identifier: GPL-2.0
#
# check-console.awk: check.sh's judge of a guest's console log (without
# its carriage returns and terminal escapes).  Prints, each line prefixed
# with tag, the runner's steps (insmod, rmmod, memory, kmemleak, kernel
# log, guest finished), each test case of each program as it printed it in
# TAP with the diagnostics of a failing one, a failure for a program that
# timed out, left the module unloaded, exited non-zero without a failing
# case or printed fewer results than it planned, and the kernel's reports
# with the lines that follow them.  Writes "PASSED FAILED SKIPPED" to the
# file counts.  The markers are guest-init.sh's (scripts/guest/).
#
# Variables (awk -v):
#	tag		the prefix of every line, "[SERIES]"
#	reports		what a kernel report looks like (kernel-reports.sh:
#			REPORTS|MF_REPORTS)
#	mfallowed	the memory-failure lines vmlab_hwpoison may cause
#			while it runs (kernel-reports.sh's MF_ALLOWED)
#	counts		the file for the counts
#	kmemleak	1 when the guest must report a kmemleak step

function out(s) { print tag " " s }
function result(line, what) {
	if (line ~ /#[ \t]*[Ss][Kk][Ii][Pp]/) { skipped++; return "skip" }
	if (line ~ /^not ok/) { failed++; return "fail" }
	passed++
	return "pass"
}
function prog_end(name, rc, secs, timedout, unloaded, why) {
	out(sprintf("# %s: %d passed, %d failed, %d skipped, exit status %s, %s s",
		name, ppass, pfail, pskip, rc, secs))
	why = ""
	if (timedout)
		why = "timed out after " secs " s"
	else if (unloaded)
		why = "left the module unloaded (the guest loaded it again)"
	else if (rc == "none")
		why = "did not finish: the guest stopped"
	else if (rc != 0 && rc != 4 && pfail == 0)
		why = "exited with status " rc " but reported no failing test"
	else if (plan != "" && nres < plan)
		why = "printed " nres " of its " plan " results"
	if (why != "") {
		out("not ok " name " # the program " why)
		failed++
	}
	prog = ""
}
function step(name, line) {
	if (name in steps)
		return
	steps[name] = result(line)
	sub(/^(not )?ok [0-9]+ /, "", line)
	out((steps[name] == "fail" ? "not ok " : "ok ") line)
}
function missing(name, why) {
	if (name in steps)
		return
	steps[name] = "fail"
	failed++
	out("not ok " name " # " why)
}
BEGIN { passed = failed = skipped = 0 }
/^VMLAB-INIT / { init = 1; next }
/^VMLAB-PROG-BEGIN / {
	prog = $2; plan = ""; nres = ppass = pfail = pskip = 0; ndiag = 0
	out("# program " prog)
	next
}
/^VMLAB-PROG-END / {
	rc = $3; sub(/^rc=/, "", rc); secs = $4; sub(/^secs=/, "", secs)
	prog_end(prog, rc, secs, $0 ~ / timeout( |$)/, $0 ~ / unloaded( |$)/)
	next
}
/^VMLAB-DMESG-BEGIN/ { indmesg = 1; next }
/^VMLAB-DMESG-END/ { indmesg = 0; next }
/^VMLAB-DONE/ { done = 1; next }
# A report, with the 100 lines that follow it (its stacks).
/^\[ *[0-9]+\.[0-9]+\] / {
	# What vmlab_hwpoison may make the kernel say, while it runs.
	if ($0 ~ /vmlab-init: begin vmlab_hwpoison$/) mfwin = 1
	if ($0 ~ /vmlab-init: end vmlab_hwpoison$/) mfwin = 0
	if (mfwin && $0 ~ mfallowed)
		next
	if ($0 ~ reports && ctx == 0)
		ctx = 100
	if (ctx > 0) {
		ctx--
		if (!($0 in seen)) {
			seen[$0] = 1
			kreports[nk++] = $0
		}
	}
	next
}
indmesg { next }
prog != "" && /^1\.\.[0-9]+/ { plan = substr($1, 4) + 0; next }
prog != "" && /^(not )?ok [0-9]+/ {
	r = result($0)
	nres++
	if (r == "fail") {
		pfail++
		for (i = 0; i < ndiag; i++)
			out(diag[i])
	} else if (r == "skip") pskip++
	else ppass++
	ndiag = 0
	out($0)
	next
}
prog != "" && /^#/ {
	if ($0 ~ /^# *(Totals|PASSED|FAILED):/) { out($0); next }
	if ($0 ~ /^# +(RUN|OK) /) { ndiag = 0; next }
	if (ndiag < 30) diag[ndiag++] = $0
	next
}
prog != "" { if (ndiag < 30) diag[ndiag++] = "# " $0; next }
/^not ok [0-9]+ [^ ]+ # no such test program/ {	# vmlab.tests= named it
	sub(/^not ok [0-9]+ /, "")
	failed++
	out("not ok " $0)
	next
}
/^(not )?ok [0-9]+ (insmod|rmmod|memory|kmemleak)( |$)/ {
	name = $0
	sub(/^(not )?ok [0-9]+ /, "", name)
	sub(/ .*/, "", name)
	step(name, $0)
	next
}
/^(not )?ok [0-9]+ kernel log( |$)/ { guestlog = $0; next }
/^ok [0-9]+ [^#]*# SKIP / {	# a program that did not run or skipped
	sub(/^ok [0-9]+ /, "")
	out("# skipped: " $0)
	next
}
/^#   \[/ { next }	# the guest quoting the kernel log
/^# [^ ]+: (exit status|killed after) / { next }	# its view of a program
/^# / { out($0) }
END {
	if (prog != "")
		prog_end(prog, "none", "?", 0, 0)
	if (!init)
		out("# the guest never reached /init")
	missing("insmod", "no result: the guest did not get there")
	missing("rmmod", "no result: the guest did not get there")
	missing("memory", "no result: the guest did not get there")
	if (kmemleak == 1)
		missing("kmemleak", "no result: the guest did not get there")
	for (i = 0; i < nk && i < 300; i++)
		out("# kernel: " kreports[i])
	if (guestlog == "")
		missing("kernel log", "the guest did not dump its kernel log")
	else if (nk > 0 || guestlog ~ /^not ok/)
		missing("kernel log", "the kernel reported problems")
	else
		step("kernel log", guestlog)
	if (done) { passed++; out("ok guest finished") }
	else missing("guest finished", "no VMLAB-DONE in the console log")
	print passed, failed, skipped > counts
}
