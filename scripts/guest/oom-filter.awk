# SPDX-License-Identifier: GPL-2.0
#
# oom-filter.awk: a kernel log (dmesg, or a console log) on stdin, on
# stdout without the stacks of the OOM reports the tour causes on purpose.
#
# The tour's memcg chapter runs a memory cgroup out of memory, twice; the
# kernel's report of each OOM kill prints a stack ("Call Trace:"), which
# the judges of a run (guest-init.sh, check-console.awk, demo.sh) count as
# a problem anywhere else.  Between the lines the chapter writes to the
# kernel log before and after (BEGIN, END), the stack that follows the
# first line of an OOM report within 8 lines is dropped; every other line
# is kept, so that any other report there is still seen.  For awk and
# busybox awk; the guest has it as /vmlab/oom-filter.awk (mkinitramfs.sh).

/vmlab-tour: out of memory on purpose: begin$/ { oom = 1 }
/vmlab-tour: out of memory on purpose: end$/ { oom = 0; ctx = 0 }
oom && /\] [^ ]+ invoked oom-killer: / { ctx = 9 }
ctx > 0 {
	ctx--
	if ($0 ~ /\] Call Trace:$/) {
		ctx = 0
		next
	}
}
{ print; fflush() }
