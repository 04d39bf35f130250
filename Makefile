# SPDX-License-Identifier: GPL-2.0
#
# vmlab: build the module, the selftests, and run them under QEMU.
#
#   make                 module (for KDIR) and selftests
#   make modules KDIR=   the module against a kernel build dir
#   make check           every test on every supported kernel, under QEMU
#   make check KERNELS=6.1
#   make lint            checkpatch --strict and sparse on the kernel code
#
# KDIR defaults to the running kernel's headers; where it has none, to the
# headers of the default kernel of `make check` (Debian's 6.1), fetched
# into the cache (~/.cache/vmlab).

KERNELS ?= 6.1 6.12 7.3
DEFAULT_KERNEL := 6.1

RUNNING_KDIR := /lib/modules/$(shell uname -r)/build
KDIR ?= $(if $(wildcard $(RUNNING_KDIR)/Makefile),$(RUNNING_KDIR))

.PHONY: all modules selftests check lint checkpatch sparse clean

all: modules selftests

modules:
	@kdir="$(KDIR)"; \
	if [ -z "$$kdir" ]; then \
		echo "vmlab: no headers for the running kernel $$(uname -r):" \
		     "building for Debian's $(DEFAULT_KERNEL), make check's default kernel"; \
		kdir=$$(. "$$(scripts/fetch-kernel.sh $(DEFAULT_KERNEL))" && echo "$$KDIR") || exit 1; \
	fi; \
	$(MAKE) -C "$$kdir" M=$(CURDIR) modules

selftests:
	$(MAKE) -C selftests

check:
	scripts/check.sh $(KERNELS)

KERNEL_SOURCES := $(filter-out %.mod.c,$(wildcard module/*.c module/*.h)) include/uapi/vmlab.h

# module/compat.h is keyed on LINUX_VERSION_CODE, which checkpatch flags
# for in-tree code only.
checkpatch:
	perl "$$(scripts/fetch-source.sh)/scripts/checkpatch.pl" --no-tree --strict \
		--ignore LINUX_VERSION_CODE --terse -f $(KERNEL_SOURCES)

sparse:
	@out=$$(scripts/kmake.sh $(DEFAULT_KERNEL) C=2 W=1 modules 2>&1); echo "$$out"; \
	! echo "$$out" | grep -E 'warning:|error:'

lint: checkpatch sparse

clean:
	rm -rf build
	rm -f module/*.o module/*.ko module/*.mod module/*.mod.c module/.*.cmd \
		module/modules.order module/Module.symvers .*.cmd modules.order \
		Module.symvers
	$(MAKE) -C selftests clean
