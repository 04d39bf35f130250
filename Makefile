# SPDX-License-Identifier: GPL-2.0
#
# vmlab: build the module, the selftests, and run them under QEMU.
#
#   make                 module (for KDIR), selftests and the vmlab command
#   make demo            boot Debian's 6.1 under QEMU and run `vmlab tour` there
#                        (KERNEL=6.12 or KERNEL=7.3 for another kernel)
#   make userspace       the vmlab command and libvmlab (userspace/)
#   make modules KDIR=   the module against a kernel build dir
#   make check           every test on every supported kernel, under QEMU
#   make check KERNELS=6.1
#   make stress          vmlab_stress for STRESS_SECONDS (300) under QEMU
#   make fuzz            vmlab_fuzz for FUZZ_OPS (200000) operations, FUZZ_SEED=
#                        to replay; both on 6.1, or KERNELS=6.12, KERNELS=debug...
#   make bench           vmlab_bench (BENCHMARKS.md) under QEMU on Debian's 6.12
#                        (KERNELS= for others); BENCH_MB, BENCH_ROUNDS, BENCH_CASES
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

.PHONY: all modules selftests check lint checkpatch sparse clean userspace demo

all: modules selftests userspace

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

KERNEL ?= $(DEFAULT_KERNEL)

demo:
	scripts/demo.sh $(KERNEL)

check:
	scripts/check.sh $(KERNELS)

# make stress, make fuzz: the long runs of vmlab_stress and vmlab_fuzz
# (make check runs short ones), alone in the guest, on Debian's 6.1 unless
# KERNELS= says (KERNELS=debug: the debug kernel).  STRESS_SECONDS, FUZZ_OPS
# and FUZZ_SEED (replay a sequence) reach the programs as variables of the
# guest's init, from the kernel command line.
STRESS_SECONDS ?= 300
FUZZ_OPS ?= 200000
FUZZ_SEED ?=
LONG_KERNELS = $(if $(filter command line environment,$(origin KERNELS)),$(KERNELS),$(DEFAULT_KERNEL))

.PHONY: stress fuzz
stress:
	VMLAB_APPEND="$(VMLAB_APPEND) vmlab.tests=vmlab_stress VMLAB_STRESS_SECONDS=$(STRESS_SECONDS) \
		vmlab.timeout=$$(($(STRESS_SECONDS) * 6 + 600))" \
	VMLAB_TIMEOUT=$$(($(STRESS_SECONDS) * 6 + 1200)) scripts/check.sh $(LONG_KERNELS)

fuzz:
	VMLAB_APPEND="$(VMLAB_APPEND) vmlab.tests=vmlab_fuzz VMLAB_FUZZ_OPS=$(FUZZ_OPS) \
		$(if $(FUZZ_SEED),VMLAB_FUZZ_SEED=$(FUZZ_SEED)) vmlab.timeout=$$(($(FUZZ_OPS) / 40 + 600))" \
	VMLAB_TIMEOUT=$$(($(FUZZ_OPS) / 40 + 1200)) scripts/check.sh $(LONG_KERNELS)

# make bench: selftests/vmlab_bench alone in the guest (BENCHMARKS.md), on
# Debian's 6.12 unless KERNELS= says.  Its table is printed after the
# kernel's results and kept in build/SERIES/vmlab_bench.out.
#   BENCH_MB, BENCH_ROUNDS, BENCH_CASES  MiB per case, rounds, a comma-
#	separated list of cases (vmlab_bench --list); they reach the program
#	as variables of the guest's init.  3 rounds: under -icount they agree
#	within 2%, and each 128 MiB round takes about a minute.
#   BENCH_PARAMS  the module's parameters: an object that holds BENCH_MB.
#   BENCH_CPU  a fixed CPU model, so that runs compare: an AMD one, as
#	`-cpu max` is under TCG, that TCG has every feature of, plus 1 GiB
#	pages for the hugepagesz=1G of check.sh.  On an Intel model the kernel
#	isolates its page tables (Meltdown, PTI): every fault switches address
#	spaces twice, which flushes TCG's whole TLB, makes the bench several
#	times slower and hides the differences.
#   BENCH_QEMU_OPTS  -icount shift=0: the guest's clock counts instructions
#	(1 ns each), so that the times do not depend on the host's load (with
#	the host's clock they vary 2 to 4 times from round to round on a busy
#	machine); sleep=off lets idle time pass at once.  BENCH_QEMU_OPTS=
#	times with the host's clock (and lets the two vCPUs run at once).
#   The bench's guest has one NUMA node (VMLAB_NUMA_MB=0; the tests' guests
#	have a second one, for page migration), as when BENCHMARKS.md was
#	measured.
BENCH_KERNEL := 6.12
BENCH_MB ?= 128
BENCH_ROUNDS ?= 3
BENCH_CASES ?=
BENCH_PARAMS ?= size_mb=512 mem_limit_mb=512
BENCH_CPU ?= Opteron_G2-v1,+pdpe1gb
BENCH_QEMU_OPTS ?= -icount shift=0,sleep=off
BENCH_TIMEOUT ?= 1800
BENCH_KERNELS = $(if $(filter command line environment,$(origin KERNELS)),$(KERNELS),$(BENCH_KERNEL))

.PHONY: bench
bench:
	VMLAB_APPEND="$(VMLAB_APPEND) vmlab.tests=vmlab_bench VMLAB_BENCH_MB=$(BENCH_MB) \
		VMLAB_BENCH_ROUNDS=$(BENCH_ROUNDS) $(if $(BENCH_CASES),VMLAB_BENCH_CASES=$(BENCH_CASES)) \
		VMLAB_BENCH_QEMU=$(if $(findstring -icount,$(BENCH_QEMU_OPTS)),icount,tcg) \
		vmlab.timeout=$(BENCH_TIMEOUT)" \
	VMLAB_PARAMS="$(BENCH_PARAMS)" VMLAB_QEMU_CPU="$(BENCH_CPU)" VMLAB_QEMU_OPTS="$(BENCH_QEMU_OPTS)" \
	VMLAB_EXTRA_PROGS=vmlab_bench VMLAB_SHOW_OUTPUT=vmlab_bench VMLAB_NUMA_MB=0 \
	VMLAB_TIMEOUT=$$(($(BENCH_TIMEOUT) + 600)) scripts/check.sh $(BENCH_KERNELS)

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

# The first run builds the kernel (see README.md for how long), later runs
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
