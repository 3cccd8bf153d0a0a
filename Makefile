# SPDX-License-Identifier: MIT
# Skiff: build a library OS and one app into bootable images.
#
#   make [APP=apps/<name>] [O=dir] [V=1]   build the images for every enabled platform
#   make run                                build and run the app (QEMU for now)
#   make image [FORMAT=qcow2] [CMDLINE=...]  a UEFI-bootable GPT disk image of the app
#   make test                               every test; ends with "N passed, N failed, N skipped"
#   make bench                              benchmarks (figures, never pass/fail)
#   make virtbench [QUICK=1]                the same workloads on every platform here, against
#                                           native Linux: tables and plots in build/virtbench
#   make menuconfig | defconfig | olddefconfig | savedefconfig
#
# Each app builds in its own folder, build/<app> unless O= says otherwise, with its own .config.

APP ?= apps/hello
APP := $(patsubst %/,%,$(APP))
APP_NAME := $(notdir $(APP))
O ?= build/$(APP_NAME)
V ?= 0
export SKIFF_APP := $(APP)

.DEFAULT_GOAL := all
.SECONDEXPANSION:
.DELETE_ON_ERROR:
.SUFFIXES:

ifeq ($(wildcard $(APP)/Config.in),)
$(error APP=$(APP): no such app (expected $(APP)/Config.in; apps are in apps/))
endif

# --- Host tools -------------------------------------------------------------------------------
# support/deps.sh installs missing Debian packages (or says which apt-get line to run).
DEPS_STAMP := build/.deps-$(shell cat support/deps.sh | cksum | cut -d' ' -f1)
$(DEPS_STAMP): support/deps.sh
	@mkdir -p $(dir $@)
	$(Q)support/deps.sh build
	@touch $@

KCONFIG_ENV = KCONFIG_CONFIG=$(abspath $(O))/.config \
	KCONFIG_AUTOCONFIG=$(abspath $(O))/include/config/auto.conf \
	KCONFIG_AUTOHEADER=$(abspath $(O))/include/generated/autoconf.h \
	KCONFIG_TRISTATE=$(abspath $(O))/include/config/tristate.conf SKIFF_APP=$(APP) \
	srctree=$(CURDIR)
KCONF := $(KCONFIG_ENV) kconfig-conf
# The app's own defaults (apps/<name>/defconfig), if it has any; DEFCONFIG=file overrides them.
APP_DEFCONFIG := $(wildcard $(APP)/defconfig)
DEFCONFIG ?= $(APP_DEFCONFIG)

# --- Configuration ----------------------------------------------------------------------------
CONFIG_TARGETS := menuconfig defconfig olddefconfig savedefconfig allyesconfig allnoconfig
.PHONY: $(CONFIG_TARGETS)

menuconfig: $(DEPS_STAMP)
	@mkdir -p $(O)
	$(Q)$(KCONFIG_ENV) kconfig-mconf Config.in

defconfig: $(DEPS_STAMP)
	@mkdir -p $(O)
	$(Q)$(KCONF) -s $(if $(DEFCONFIG),--defconfig=$(DEFCONFIG),--alldefconfig) Config.in

olddefconfig: $(DEPS_STAMP)
	@mkdir -p $(O)
	$(Q)$(KCONF) -s --olddefconfig Config.in

savedefconfig: $(DEPS_STAMP)
	$(Q)$(KCONF) -s --savedefconfig=$(O)/defconfig Config.in
	@echo "  GEN     $(O)/defconfig"

# allyes/allno take KCONFIG_ALLCONFIG=<fragment> to pin symbols (tests/configs/ uses this).
allyesconfig allnoconfig: $(DEPS_STAMP)
	@mkdir -p $(O)
	$(Q)$(KCONF) -s --$@ Config.in

# A build without a .config starts from the app's defaults.
$(O)/.config: | $(DEPS_STAMP)
	@mkdir -p $(O)
	@echo "  CONFIG  $(O)/.config (from $(or $(APP_DEFCONFIG),defaults))"
	$(Q)$(KCONF) -s $(if $(APP_DEFCONFIG),--defconfig=$(APP_DEFCONFIG),--alldefconfig) Config.in

# auto.conf (for make) and autoconf.h (for C) follow .config. Symbols the .config lacks get their
# defaults (olddefconfig); a value kconfig rejects is an error, not silently replaced. kconfig-conf
# runs from $(O) so its per-symbol timestamp files land in $(O)/include/config/.
$(O)/include/config/auto.conf $(O)/include/generated/autoconf.h &: $(O)/.config $(shell find . -name Config.in -not -path './build/*')
	@mkdir -p $(O)/include/config $(O)/include/generated
	$(Q)cp $(O)/.config $(O)/.config.check; \
	$(KCONFIG_ENV) KCONFIG_CONFIG=$(abspath $(O))/.config.check kconfig-conf -s --olddefconfig Config.in \
		</dev/null >/dev/null 2>$(O)/kconfig.log; \
	if [ $$? -ne 0 ] || grep -q 'warning:' $(O)/kconfig.log; then \
		sed 's|^$(CURDIR)/||; s|\.config\.check|.config|' $(O)/kconfig.log >&2; \
		echo "error: $(O)/.config is not a valid configuration; fix the line above or run 'make defconfig'" >&2; \
		rm -f $(O)/.config.check; exit 1; \
	fi; \
	mv $(O)/.config.check $(O)/.config
	$(Q)cd $(O) && $(KCONFIG_ENV) kconfig-conf -s --silentoldconfig $(CURDIR)/Config.in </dev/null >/dev/null
	@touch $(O)/include/config/auto.conf $(O)/include/generated/autoconf.h

ifeq ($(filter $(CONFIG_TARGETS) clean distclean help test unit unit-build bench virtbench hv fuzz fuzz-build,$(MAKECMDGOALS)),)
-include $(O)/include/config/auto.conf
endif

# --- What goes into an image: each fragment appends to plain variables ------------------------
GCC_INCLUDE := $(shell gcc -print-file-name=include)
include kernel/build.mk
include $(wildcard lib/*/build.mk)
include $(wildcard plat/*/build.mk)
include $(APP)/build.mk

include tests/unit/build.mk
include hv/build.mk

IMAGES := $(addprefix $(O)/$(APP_NAME).,$(platforms-y))
LIBGCC := $(shell gcc -print-libgcc-file-name)

include support/rules.mk

.PHONY: all run image test unit unit-build bench virtbench clean distclean help hv fuzz fuzz-build
all: $(IMAGES) $(O)/compile_commands.json $(INITRD) $(if $(filter xen,$(platforms-y)),$(O)/$(APP_NAME).xen.cfg)

# A configuration with no platform cannot make an image: say so instead of building nothing.
ifneq ($(wildcard $(O)/include/config/auto.conf),)
ifeq ($(filter $(CONFIG_TARGETS) clean distclean help test unit unit-build bench virtbench hv fuzz fuzz-build,$(MAKECMDGOALS)),)
ifeq ($(platforms-y),)
$(error $(O)/.config enables no platform; enable one with 'make menuconfig' (Platforms))
endif
endif
endif

hv: $(HV)

# make run ARGS="a b": the app under skiff-hv (QEMU: support/qemu-run.sh IMAGE -- ARGS).
run: all $(HV)
	$(Q)$(HV) $(if $(INITRD),--initrd=$(INITRD)) $(O)/$(APP_NAME).kvm $(if $(ARGS),-- $(ARGS))

# make image: build/<app>/<app>.img (FORMAT=qcow2: .qcow2), a GPT disk whose EFI system partition
# holds <app>.efi as \EFI\BOOT\BOOTX64.EFI, the command line CMDLINE ("options -- args") in
# \EFI\BOOT\cmdline and the app's initrd as \EFI\BOOT\initrd (support/efi-image.sh).
FORMAT ?= raw
CMDLINE ?=
ifeq ($(CONFIG_PLAT_EFI),y)
image: $(O)/$(APP_NAME).efi $(INITRD)
	$(call say,IMAGE,$(O)/$(APP_NAME).$(if $(filter qcow2,$(FORMAT)),qcow2,img))
	$(Q)support/efi-image.sh --format $(FORMAT) --cmdline '$(subst ','\'',$(CMDLINE))' \
		$(if $(INITRD),--initrd $(INITRD)) $< $(O)/$(APP_NAME).$(if $(filter qcow2,$(FORMAT)),qcow2,img)
else
image:
	$(error make image needs CONFIG_PLAT_EFI=y in $(O)/.config (make menuconfig: Platforms))
endif

test:
	$(Q)tests/run.sh

unit:
	$(Q)tests/run.sh unit

# Builds the host unit tests only; tests/run.sh runs them.
unit-build: $(addprefix $(UNIT_O)/test_,$(unit-tests))

bench:
	$(Q)support/bench.sh

# make virtbench [QUICK=1]: PV against full virtualization (support/virtbench.sh; its options
# through VIRTBENCH_ARGS="--platforms ... --workloads ... --reps N").
virtbench:
	$(Q)support/virtbench.sh $(if $(QUICK),--quick) $(VIRTBENCH_ARGS)

# make fuzz [FUZZ_TIME=seconds]: every fuzzer for FUZZ_TIME seconds (default 300), the ELF one
# seeded with the stripped hello image and its malformed variants (support/fuzz-seeds.sh); make
# test runs each for a few seconds.
FUZZ_TIME ?= 300
fuzz-build: $(addprefix $(FUZZ_O)/,$(fuzzers))
fuzz: fuzz-build
	$(Q)mkdir -p build/fuzz/fuzz_elf.corpus && test ! -f $(O)/hello.kvm || \
		support/fuzz-seeds.sh $(O)/hello.kvm build/fuzz/fuzz_elf.corpus
	$(Q)for f in $(fuzzers); do mkdir -p build/fuzz/$$f.corpus; \
		echo "  FUZZ    $$f ($(FUZZ_TIME) s)"; \
		$(FUZZ_O)/$$f -max_total_time=$(FUZZ_TIME) -max_len=65536 build/fuzz/$$f.corpus \
			2>build/fuzz/$$f.log || { tail -40 build/fuzz/$$f.log; exit 1; }; \
		grep -E '^#[0-9]+.*DONE' build/fuzz/$$f.log | tail -1; done

clean:
	rm -rf $(O)

distclean:
	rm -rf build

help:
	@sed -n '2,/^# Each app/p' Makefile | sed 's/^# \{0,1\}//'
