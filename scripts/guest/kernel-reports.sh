# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh disable=SC2034 # variables for the scripts that source it
#
# kernel-reports.sh: what the kernel prints when something went wrong, as
# extended regular expressions (grep -E, awk).  One file for both sides:
# the guest's init (guest-init.sh, which finds it in the initramfs as
# /vmlab/kernel-reports.sh: mkinitramfs.sh packs it) judges the kernel log
# with it before powering off, and check.sh judges the console log with it
# on the host.  Plain assignments, for busybox sh and bash alike.

# Any of these in the kernel log fails the run.  Leaks are kmemleak's step
# (guest-init.sh), which first makes it forget the boot's.
REPORTS='BUG:|WARNING:|INFO: |Oops|kernel BUG at|general protection|Call Trace|lockdep is turned off|locking correctness validator|possible circular locking|KASAN|UBSAN|Bad page|list_add corruption|list_del corruption|soft lockup|hung_task|refcount_t'

# Hardware poison.  vmlab_hwpoison poisons the kernel's zero page for the
# rest of the guest's life: it runs after every other program (guest-init.sh's
# LAST_PROGS), and the kernel's memory-failure lines (MF_REPORTS) are
# reports, but for those it is allowed (MF_ALLOWED: MADV_HWPOISON's, and
# memory_failure()'s for a page it cannot take away from its owner, "get
# hwpoison page" on 6.12 and 7.3, "unknown page" on 6.1) while it runs:
# between the lines "vmlab-init: begin vmlab_hwpoison" and "vmlab-init: end
# vmlab_hwpoison" that guest-init.sh writes to the kernel log for it.
MF_REPORTS='[Mm]emory failure|Hardware Error|[Ss]oft offlin|Unpoison'
MF_ALLOWED='] (Injecting memory failure for pfn 0x[0-9a-f]+ at process virtual address 0x[0-9a-f]+|Memory failure: 0x[0-9a-f]+: (unhandlable page[.]|recovery action for (reserved kernel page|get hwpoison page|unknown page): Ignored))$'
