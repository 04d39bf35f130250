# SPDX-License-Identifier: GPL-2.0
#
# vmlab: build the module, the selftests, and run them under QEMU.
#
#   make                 module (for KDIR), selftests and the vmlab command
#   make demo            boot Debian's 6.1 under QEMU and run `vmlab tour` there
#                        (KERNEL=6.12 or KERNEL=7.3 for another kernel)
#   make shell           the same guest, with a shell in it for you: run vmlab
#                        and your own programs; SHARE=DIR (default lab/) is
#                        its /lab; KERNEL= as for demo
#   make shell-attach    a second terminal into that guest
#   make userspace       the vmlab command and libvmlab (userspace/)
#   make examples        the example programs (examples/)
#   make modules KDIR=   the module against a kernel build dir
#   make check           every test on every supported kernel, under QEMU
#   make check KERNELS=6.1
#   make stress          vmlab_stress for STRESS_SECONDS (300) under QEMU
#   make fuzz            vmlab_fuzz for FUZZ_OPS (200000) operations, FUZZ_SEED=
#                        to replay; both on 6.1, or KERNELS=6.12, KERNELS=debug...
#   make bench           vmlab_bench (BENCHMARKS.md) under QEMU on Debian's 6.12
#                        (KERNELS= for others); BENCH_MB, BENCH_ROUNDS, BENCH_CASES...
#   make check-debug     every test on vmlab's debug kernel (KASAN, lockdep,
#                        kmemleak...), built from Debian's 6.12 source
#   make lint            checkpatch --strict and sparse on the kernel code
#   make install         module (modules_install + depmod), vmlab command and
#                        selftests; make uninstall removes them
#   make dkms            the module's sources to /usr/src, dkms add + install;
#                        make dkms-remove undoes it
#
# KDIR defaults to the running kernel's headers; where it has none, to the
# headers of the default kernel of `make check` (Debian's 6.1), fetched
# into the cache (~/.cache/vmlab).

KERNELS ?= 6.1 6.12 7.3
DEFAULT_KERNEL := 6.1

RUNNING_KDIR := /lib/modules/$(shell uname -r)/build
KDIR ?= $(if $(wildcard $(RUNNING_KDIR)/Makefile),$(RUNNING_KDIR))

.PHONY: all modules selftests check lint checkpatch sparse clean userspace demo examples

all: modules selftests userspace examples

modules:
	@kdir="$(KDIR)"; \
	if [ -z "$$kdir" ]; then \
		echo "vmlab: no headers for the running kernel $$(uname -r):" \
		     "building for Debian's $(DEFAULT_KERNEL), make check's default kernel"; \
		kdir=$$(. "$$(scripts/host/fetch-kernel.sh $(DEFAULT_KERNEL))" && echo "$$KDIR") || exit 1; \
	fi; \
	$(MAKE) -C "$$kdir" M=$(CURDIR) modules

selftests:
	$(MAKE) -C selftests

userspace:
	$(MAKE) -C userspace

examples:
	$(MAKE) -C examples

KERNEL ?= $(DEFAULT_KERNEL)

demo:
	scripts/demo.sh $(KERNEL)

# make shell, make shell-attach: scripts/shell.sh (SHARE= reaches it from
# the command line or the environment) and scripts/shell-attach.sh, which
# finds the running guest by itself unless KERNEL= is given.
.PHONY: shell shell-attach
shell:
	scripts/shell.sh $(KERNEL)

shell-attach:
	@scripts/shell-attach.sh $(if $(filter command line environment,$(origin KERNEL)),$(KERNEL))

check:
	scripts/check.sh $(KERNELS)

# make stress, make fuzz, make outside, make bench: one program alone in the
# guest, for long (make check runs short ones), on Debian's 6.1 (bench and
# outside: 6.12) unless KERNELS= says (KERNELS=debug: the debug kernel).
# STRESS_SECONDS, FUZZ_OPS, FUZZ_SEED (replay a sequence),
# TRINITY_CALLS, TRINITY_SEED and the BENCH_* variables (BENCHMARKS.md)
# reach check.sh from the command line or the environment: see its options.
.PHONY: stress fuzz outside bench
stress:
	scripts/check.sh --stress
fuzz:
	scripts/check.sh --fuzz
outside:
	scripts/check.sh --outside
bench:
	scripts/check.sh --bench

KERNEL_SOURCES := $(filter-out %.mod.c,$(wildcard module/*.c module/*.h)) include/uapi/linux/vmlab.h

# module/compat.h is keyed on LINUX_VERSION_CODE, which checkpatch flags
# for in-tree code only.
checkpatch:
	perl "$$(scripts/host/fetch-source.sh)/scripts/checkpatch.pl" --no-tree --strict \
		--ignore LINUX_VERSION_CODE --terse -f $(KERNEL_SOURCES)

sparse:
	@out=$$(scripts/host/kmake.sh $(DEFAULT_KERNEL) C=2 W=1 modules 2>&1); echo "$$out"; \
	! echo "$$out" | grep -E 'warning:|error:'

lint: checkpatch sparse

clean:
	rm -rf build
	rm -f module/*.o module/*.ko module/*.mod module/*.mod.c module/.*.cmd \
		module/modules.order module/Module.symvers .*.cmd modules.order \
		Module.symvers
	$(MAKE) -C selftests clean
	$(MAKE) -C userspace clean

# --- the debug kernel ---------------------------------------------------------

.PHONY: check-debug

# The first run builds the kernel (see docs/testing.md for how long), later runs
# reuse it from the cache.
check-debug:
	scripts/check.sh debug

# --- installing on a real machine ---------------------------------------------
#
# For the kernel of KDIR (default: the running kernel's headers).  DESTDIR
# stages everything under another root; PREFIX (/usr/local), BINDIR,
# LIBEXECDIR and INSTALL_MOD_DIR (extra) say where.

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBEXECDIR ?= $(PREFIX)/libexec/vmlab
INSTALL_MOD_DIR ?= extra
DEPMOD ?= /sbin/depmod
VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"$$/\1/p' $(CURDIR)/dkms.conf)
DKMS_SRC := /usr/src/vmlab-$(VERSION)
SELFTEST_PROGS = $(shell $(MAKE) -s --no-print-directory -C $(CURDIR)/selftests list)
# What dkms needs of the tree: the Kbuild files, the sources and dkms.conf.
DKMS_FILES := dkms.conf Kbuild module/Kbuild $(filter-out %.mod.c,$(wildcard module/*.c module/*.h)) \
	include/uapi/linux/vmlab.h

.PHONY: install uninstall install-module uninstall-module install-selftests install-command \
	need-kdir dkms dkms-source dkms-remove

install: install-module install-selftests install-command

uninstall: uninstall-module
	rm -rf "$(DESTDIR)$(LIBEXECDIR)"
	rm -f "$(DESTDIR)$(BINDIR)/vmlab"

# The release the kernel of KDIR reports (Debian's headers have another
# in include/config/kernel.release).
KRELEASE = $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"$$/\1/p' "$(KDIR)/include/generated/utsrelease.h" 2>/dev/null)

need-kdir:
	@[ -n "$(KDIR)" ] && [ -n "$(KRELEASE)" ] || { \
		echo "vmlab: no kernel headers for $$(uname -r): install them" \
		     "(apt install linux-headers-$$(uname -r)) or give KDIR=/path/to/kernel/build" >&2; \
		exit 1; }

install-module: need-kdir
	$(MAKE) -C "$(KDIR)" M=$(CURDIR) modules
	$(MAKE) -C "$(KDIR)" M=$(CURDIR) INSTALL_MOD_DIR=$(INSTALL_MOD_DIR) \
		$(if $(DESTDIR),INSTALL_MOD_PATH=$(DESTDIR)) modules_install
	$(DEPMOD) $(if $(DESTDIR),-b $(DESTDIR)) -a $(KRELEASE)

uninstall-module: need-kdir
	@dir="$(DESTDIR)/lib/modules/$(KRELEASE)/$(INSTALL_MOD_DIR)"; \
	echo "rm -f $$dir/module/vmlab.ko*"; \
	rm -f "$$dir"/module/vmlab.ko*; \
	rmdir "$$dir/module" "$$dir" 2>/dev/null; \
	$(DEPMOD) $(if $(DESTDIR),-b $(DESTDIR)) -a $(KRELEASE)

install-selftests: selftests
	install -d "$(DESTDIR)$(LIBEXECDIR)"
	install -m 0755 $(addprefix selftests/,$(SELFTEST_PROGS)) "$(DESTDIR)$(LIBEXECDIR)/"
	install -d "$(DESTDIR)$(LIBEXECDIR)/examples"	# vmlab_examples runs them from there
	install -m 0755 $(addprefix examples/,$(shell $(MAKE) -s --no-print-directory -C examples list)) \
		"$(DESTDIR)$(LIBEXECDIR)/examples/"

# The vmlab command (built by `make userspace` where userspace/ has a
# Makefile), and vmlab-probe, the dynamically linked program its tour looks
# for in /usr/local/libexec/vmlab.
install-command: $(if $(wildcard userspace/Makefile),userspace)
	@if [ -f userspace/vmlab ] && [ -x userspace/vmlab ]; then \
		echo "install -D -m 0755 userspace/vmlab $(DESTDIR)$(BINDIR)/vmlab"; \
		install -D -m 0755 userspace/vmlab "$(DESTDIR)$(BINDIR)/vmlab"; \
	else \
		echo "vmlab: userspace/vmlab is not built: the vmlab command is not installed"; \
	fi
	@if [ -f userspace/vmlab-probe ] && [ -x userspace/vmlab-probe ]; then \
		echo "install -D -m 0755 userspace/vmlab-probe $(DESTDIR)$(LIBEXECDIR)/vmlab-probe"; \
		install -D -m 0755 userspace/vmlab-probe "$(DESTDIR)$(LIBEXECDIR)/vmlab-probe"; \
	fi

# DKMS: builds the module for every installed kernel that has its headers,
# and DKMS builds it again for each new kernel (AUTOINSTALL).  Needs root and
# the dkms package.  dkms-source only puts the sources where dkms wants them
# (scripts/check-dkms.sh).
dkms-source:
	@[ -n "$(VERSION)" ] || { echo "vmlab: no PACKAGE_VERSION in dkms.conf" >&2; exit 1; }
	rm -rf "$(DKMS_SRC)"
	install -d "$(DKMS_SRC)"
	tar -cf - $(DKMS_FILES) | tar -xf - -C "$(DKMS_SRC)"

dkms: dkms-source
	dkms add -m vmlab -v $(VERSION)
	@for build in /lib/modules/*/build; do \
		[ -f "$$build/Makefile" ] || continue; \
		k=$${build#/lib/modules/}; k=$${k%/build}; \
		echo "dkms install -m vmlab -v $(VERSION) -k $$k"; \
		dkms install -m vmlab -v $(VERSION) -k "$$k" || \
			echo "vmlab: DKMS did not install vmlab for $$k"; \
	done
	dkms status -m vmlab

dkms-remove:
	-dkms remove -m vmlab -v $(VERSION) --all
	rm -rf "$(DKMS_SRC)"
