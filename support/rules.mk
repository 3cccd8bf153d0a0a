# SPDX-License-Identifier: MIT
# The one shared rules file: how sources become objects and objects become images.
# Fragments (kernel/build.mk, lib/*/build.mk, plat/*/build.mk, apps/*/build.mk) only append to
# plain variables; everything that turns those lists into files is here.

# Quiet by default: "  CC      kernel/sched.c"; V=1 shows full commands.
ifeq ($(V),1)
Q :=
say = @true
else
Q := @
say = @printf '  %-7s %s\n' '$(1)' '$(2)'
endif

TARGET_CC ?= gcc
HOST_CC ?= gcc
TARGET_LD ?= ld
NM ?= nm
OBJCOPY ?= objcopy

# Everything in the image: freestanding, no PIC, no red zone (trap frames land on the stack),
# frame pointers and no sibling calls so the crash backtrace misses no frame, sections per
# function for --gc-sections, no deleting of NULL stores (page 0 is unmapped on purpose), and
# stack-clash probes so that a frame larger than a page cannot jump over a stack's guard page.
TARGET_CFLAGS := -std=c11 -O2 -g -Wall -Wextra -Werror -ffreestanding -fno-pic -fno-pie \
	-mno-red-zone -fno-stack-protector -fno-omit-frame-pointer -mno-omit-leaf-frame-pointer \
	-ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables -fno-common \
	-mcmodel=small -fcf-protection=none -fno-delete-null-pointer-checks \
	-fno-optimize-sibling-calls -fstack-clash-protection -Wa,--noexecstack
# Kernel, libraries and platforms never touch SSE/x87 state, so interrupts and cooperative
# switches need not save it (see docs/architecture.md, "FPU state"). Apps may use it freely.
SYS_CFLAGS := -mgeneral-regs-only
# _DEFAULT_SOURCE: C11 plus POSIX declarations, as glibc gives by default (newlib hides them
# under a strict -std=c11 otherwise).
# The C library's headers are system headers (-isystem, searched in this order, before GCC's
# own): a warning inside newlib's headers (one in sys/_default_fcntl.h with _GNU_SOURCE) is not
# the including program's to fix, and must not fail its build.
TARGET_CPPFLAGS := -nostdinc $(addprefix -isystem ,$(libc-includes-y)) -isystem $(GCC_INCLUDE) \
	-Iinclude -I$(O)/include -D_DEFAULT_SOURCE $(libc-cppflags-y) -MMD -MP
TARGET_ASFLAGS := -D__ASSEMBLY__

ALL_SRCS := $(kernel-y) $(lib-y) $(app-y) $(foreach p,$(platforms-y),$(plat-$(p)-y))
obj = $(addprefix $(O)/,$(addsuffix .o,$(basename $(1))))

# Per-directory flags. Only plat/<name>/ objects see -Iplat/<name>/include: the kernel and the
# libraries reach a platform through include/skiff/plat.h and nothing else. ($* is the stem of
# the $(O)/%.o rule below, e.g. plat/kvm/pvh, so its second word names the platform.)
# Likewise lib/<name>/ objects get lib-<name>-cflags (a library's own include paths), and code
# from an upstream source package (build/deps/<pkg>-src/) gets <pkg>-src-cflags from the fragment
# that builds it, with its warnings shown but never fatal: upstream code is not ours to fix, and
# a port must build whatever its code's warnings say.
$(O)/kernel/%.o: extra-flags = $(SYS_CFLAGS)
$(O)/lib/%.o: extra-flags = $(SYS_CFLAGS) $(lib-$(word 2,$(subst /, ,$*))-cflags)
$(O)/plat/%.o: extra-flags = $(SYS_CFLAGS) -Iplat/$(word 2,$(subst /, ,$*))/include -Iplat/common/include \
	$(plat-$(word 2,$(subst /, ,$*))-cflags)
$(O)/apps/%.o: extra-flags = $(app-cflags)
$(O)/build/deps/%.o: extra-flags = $($(word 3,$(subst /, ,$*))-cflags) -Wno-error

# support/fixdep rewrites each -MMD dependency file so the object depends on the Kconfig
# symbols its sources mention (include/config/<sym>.h, touched by kconfig-conf when the value
# changes), not on all of autoconf.h. Objects also depend on this file, which holds the flags.
# The compile command is kept in a .cmd file for compile_commands.json.
FIXDEP := build/tools/fixdep
fixdep = $(FIXDEP) $(@:.o=.d) $(O)/include/config > $(@:.o=.d).tmp && mv $(@:.o=.d).tmp $(@:.o=.d)

$(FIXDEP): support/fixdep.c
	$(call say,HOSTCC,$@)
	@mkdir -p $(dir $@)
	$(Q)$(HOST_CC) -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -o $@ $<

# Upstream source packages an app or a library is built from (app-sources += lua,
# lib-sources-y += lwip): support/deps.sh NAME fetches and unpacks each under build/deps/NAME-src.
SOURCE_PKGS := $(sort $(app-sources) $(lib-sources-y))
APP_SOURCE_STAMPS := $(foreach s,$(SOURCE_PKGS),build/deps/$(s)-src/.unpacked)
build/deps/%-src/.unpacked:
	$(call say,FETCH,$* (Debian source package))
	$(Q)support/deps.sh $*
# A package's files exist once it is unpacked.
source-files-rule = build/deps/$(1)-src/%: build/deps/$(1)-src/.unpacked ;
$(foreach s,$(SOURCE_PKGS),$(eval $(call source-files-rule,$(s))))

$(O)/%.o: %.c support/rules.mk | $(O)/include/generated/autoconf.h $(FIXDEP) $(libc-archives-y) $(APP_SOURCE_STAMPS)
	$(call say,CC,$<)
	@mkdir -p $(dir $@)
	$(Q)$(TARGET_CC) $(TARGET_CPPFLAGS) $(TARGET_CFLAGS) $(extra-flags) -c $< -o $@
	$(Q)$(fixdep)
	@printf '{"directory":"%s","file":"%s","command":"%s"},\n' "$(CURDIR)" "$<" \
		'$(TARGET_CC) $(TARGET_CPPFLAGS) $(TARGET_CFLAGS) $(extra-flags) -c $< -o $@' > $@.cmd

$(O)/%.o: %.S support/rules.mk | $(O)/include/generated/autoconf.h $(FIXDEP) $(libc-archives-y)
	$(call say,AS,$<)
	@mkdir -p $(dir $@)
	$(Q)$(TARGET_CC) $(TARGET_CPPFLAGS) $(TARGET_ASFLAGS) $(TARGET_CFLAGS) $(extra-flags) -c $< -o $@
	$(Q)$(fixdep)
	@printf '{"directory":"%s","file":"%s","command":"%s"},\n' "$(CURDIR)" "$<" \
		'$(TARGET_CC) $(TARGET_CPPFLAGS) $(TARGET_ASFLAGS) $(TARGET_CFLAGS) $(extra-flags) -c $< -o $@' > $@.cmd

-include $(patsubst %.o,%.d,$(call obj,$(ALL_SRCS)))

# Images: <app>.<platform>, linked with the platform's linker script. With CONFIG_SK_KSYMS the
# link runs twice: the first image's function symbols become a table (placed after .rodata, so
# code addresses do not move) that the second link embeds.
common-objs = $(call obj,$(kernel-y) $(lib-y) $(app-y))
LDFLAGS := -nostdlib -static -no-pie -z max-page-size=0x1000 -z noexecstack --gc-sections \
	--build-id=none

# auto.conf is a prerequisite because a config change can drop an object from the list.
LINK_LIBS = --start-group $(libc-archives-y) $(LIBGCC) --end-group

$(O)/$(APP_NAME).%: $(common-objs) $$(call obj,$$(plat-$$*-y)) plat/$$*/link.lds support/gen-ksyms.sh \
		$(O)/include/config/auto.conf $(libc-archives-y)
	$(call say,LD,$@)
	$(Q)$(TARGET_LD) $(LDFLAGS) -T plat/$*/link.lds -o $@.tmp $(filter %.o,$^) $(LINK_LIBS)
ifeq ($(CONFIG_SK_KSYMS),y)
	$(call say,KSYMS,$@)
	$(Q)$(NM) -n --defined-only $@.tmp | sh support/gen-ksyms.sh > $@.ksyms.S
	$(Q)$(TARGET_CC) $(TARGET_ASFLAGS) -c $@.ksyms.S -o $@.ksyms.o
	$(Q)$(TARGET_LD) $(LDFLAGS) -T plat/$*/link.lds -o $@.tmp $(filter %.o,$^) $@.ksyms.o $(LINK_LIBS)
endif
	$(Q)mv $@.tmp $@

# UEFI: <app>.efi is a GNU-EFI application (plat/efi) carrying the stripped <app>.kvm (blob.S
# .incbin's it). GNU-EFI's way, with Debian's files as shipped: position-independent objects with
# 16-bit wchar_t, linked as a shared object on its crt0 and linker script, then copied into a
# PE/COFF image whose .reloc the crt0's self-relocation goes by.
EFI_INC := /usr/include/efi
EFI_LIB := /usr/lib
EFI_O := $(O)/efi
EFI_CFLAGS := -std=c11 -O2 -g -Wall -Wextra -Werror -ffreestanding -fpic -fshort-wchar -mno-red-zone \
	-mgeneral-regs-only -fno-stack-protector -fno-strict-aliasing -fcf-protection=none \
	-DGNU_EFI_USE_MS_ABI -nostdinc -isystem $(GCC_INCLUDE) -isystem $(EFI_INC) -isystem $(EFI_INC)/x86_64 \
	-Iinclude -Iplat/efi/include -Iplat/common/include -I$(O)/include -MMD -MP

$(EFI_O)/%.o: plat/efi/%.c support/rules.mk | $(O)/include/generated/autoconf.h
	$(call say,CC,$< (EFI))
	@mkdir -p $(dir $@)
	$(Q)$(TARGET_CC) $(EFI_CFLAGS) -c $< -o $@

$(EFI_O)/$(APP_NAME).kvm.stripped: $(O)/$(APP_NAME).kvm
	$(Q)mkdir -p $(dir $@) && $(OBJCOPY) --strip-all $< $@

$(EFI_O)/blob.o: plat/efi/blob.S $(EFI_O)/$(APP_NAME).kvm.stripped
	$(call say,EMBED,$(APP_NAME).kvm in $(APP_NAME).efi)
	$(Q)$(TARGET_CC) -D__ASSEMBLY__ -DSKIFF_IMAGE='"$(EFI_O)/$(APP_NAME).kvm.stripped"' -c $< -o $@

$(O)/$(APP_NAME).efi: $(patsubst plat/efi/%.c,$(EFI_O)/%.o,$(efi-srcs)) $(EFI_O)/blob.o
	$(call say,LD,$@)
	$(Q)$(TARGET_LD) -nostdlib -znocombreloc -shared -Bsymbolic --no-undefined --build-id=none \
		-T $(EFI_LIB)/elf_x86_64_efi.lds -o $@.so $(EFI_LIB)/crt0-efi-x86_64.o $^ \
		-L$(EFI_LIB) -lefi -lgnuefi
	$(Q)$(OBJCOPY) -j .text -j .sdata -j .data -j .dynamic -j .dynsym -j .rel -j .rela \
		-j '.rel.*' -j '.rela.*' -j .reloc --target efi-app-x86_64 --subsystem=10 $@.so $@.tmp
	$(Q)rm -f $@.so && mv $@.tmp $@

-include $(patsubst plat/efi/%.c,$(EFI_O)/%.d,$(efi-srcs))

# Next to a Xen image, the xl config that boots it.
$(O)/$(APP_NAME).xen.cfg: $(O)/$(APP_NAME).xen support/xl-config.sh
	$(call say,XLCFG,$@)
	$(Q)support/xl-config.sh $< $(APP_NAME) $(INITRD) > $@

$(O)/compile_commands.json: $(call obj,$(ALL_SRCS))
	@{ echo '['; cat $(addsuffix .cmd,$^) | sed '$$ s/},$$/}/'; echo ']'; } > $@

# Host unit tests (tests/unit/build.mk lists them): each test_<name>.c with the sources it tests
# (unit-<name>-srcs) and any flags of its own (unit-<name>-cflags), against plat/stub, under
# AddressSanitizer and UBSan.
UNIT_O := build/unit
UNIT_CFLAGS := -std=c11 -D_DEFAULT_SOURCE -g -O1 -Wall -Wextra -Werror -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=all -Iinclude -Itests/unit/include \
	-Iplat/stub -Iplat/common/include -Ihv/include -Iplat/xen/include -Iplat/kvm/include \
	-isystem build/deps/xen-include -MMD -MP

$(UNIT_O)/test_%: tests/unit/test_%.c tests/unit/unit.c plat/stub/stub.c $$(unit-$$*-srcs)
	$(call say,HOSTCC,$@)
	@mkdir -p $(dir $@)
	$(Q)$(HOST_CC) $(UNIT_CFLAGS) $(unit-$*-cflags) -MF $@.d -o $@ $(filter %.c %.S,$^)

-include $(wildcard $(UNIT_O)/*.d)

# skiff-hv, the monitor: a host program (hv/build.mk lists its sources), in build/hv/.
HV_O := build/hv
HV := $(HV_O)/skiff-hv
HV_CFLAGS := -std=c11 -D_GNU_SOURCE -O2 -g -fPIE -Wall -Wextra -Werror -Iinclude -Ihv/include -MMD -MP

$(HV_O)/%.o: hv/%.c support/rules.mk
	$(call say,HOSTCC,$<)
	@mkdir -p $(dir $@)
	$(Q)$(HOST_CC) $(HV_CFLAGS) -c $< -o $@

# Static: the dynamic loader's work is about 0.3 ms of a 3 ms start here, and a monitor that
# depends on nothing but the kernel is also easier to ship. A static PIE: the process backend
# maps the guest at its own low addresses, where a non-PIE executable would sit.
$(HV): $(patsubst hv/%.c,$(HV_O)/%.o,$(hv-srcs))
	$(call say,HOSTLD,$@)
	$(Q)$(HOST_CC) -static-pie -o $@ $^

-include $(patsubst hv/%.c,$(HV_O)/%.d,$(hv-srcs))

# Fuzzers: clang with libFuzzer, ASan and UBSan (UBSan findings are fatal too).
FUZZ_O := build/fuzz
FUZZ_CFLAGS := -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -Wall -Wextra -Werror -Iinclude -Ihv/include

$(FUZZ_O)/%: hv/fuzz/%.c $$(%-srcs) support/rules.mk
	$(call say,FUZZCC,$@)
	@mkdir -p $(dir $@)
	$(Q)clang $(FUZZ_CFLAGS) -o $@ $< $($*-srcs)

# newlib, built once per set of flags from the source support/deps.sh unpacks (lib/newlib/build.mk).
$(NEWLIB_LIBC): lib/newlib/build.sh
	$(call say,NEWLIB,$(NEWLIB_DIR) (about 30 s, once))
	$(Q)support/deps.sh newlib
	$(Q)lib/newlib/build.sh build/deps/newlib-src $(NEWLIB_DIR) "$(NEWLIB_CFLAGS)"

$(NEWLIB_DIR)/x86_64-elf/lib/libm.a: $(NEWLIB_LIBC)

# An app's initrd: apps/<name>/build.mk sets app-initrd to a folder; it becomes a cpio archive.
ifneq ($(app-initrd),)
INITRD := $(O)/$(APP_NAME).initrd
$(INITRD): support/mkinitrd.py $(shell find $(app-initrd) -type f 2>/dev/null)
	$(call say,INITRD,$@)
	$(Q)python3 support/mkinitrd.py $(app-initrd) $@
endif
