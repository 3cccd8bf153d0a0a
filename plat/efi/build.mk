# SPDX-License-Identifier: MIT
# plat/efi: <app>.efi, a GNU-EFI application carrying <app>.kvm (support/rules.mk builds it with
# GNU-EFI's own crt0, linker script and libraries, from Debian's gnu-efi, used as shipped).
platforms-$(CONFIG_PLAT_EFI) += efi
efi-srcs := plat/efi/efi_main.c plat/efi/fail.c plat/efi/file.c plat/efi/load.c plat/efi/handoff.c
efi-srcs += plat/efi/bootdisk.c
# Pure logic, also unit-tested on the host (tests/unit/test_efi.c).
efi-srcs += plat/efi/cmdline.c plat/efi/elf.c plat/efi/memmap.c
