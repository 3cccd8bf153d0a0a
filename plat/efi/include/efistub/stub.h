/* SPDX-License-Identifier: MIT */
/* The UEFI stub's own pieces (GNU-EFI side): messages and stopping, ESP files, the hand-off. */
#ifndef EFISTUB_STUB_H
#define EFISTUB_STUB_H

#include <efi.h>
#include <efilib.h>
#include <stdnoreturn.h>
#include <skiff/entry64.h>
#include <plat-common/hvm_start_info.h>
#include <efistub/elf.h>

/* Everything the stub allocates for the image lies below this (its boot tables' reach). */
#define STUB_BELOW 0x40000000ULL
#define STUB_EXIT_BOOT_ERROR 126 /* the kernel's status for a boot that cannot go on */

/* "skiff-efi: <message>" and a line break on the firmware console. */
void stub_say(const CHAR16 *fmt, ...);

/*
 * A failure before ExitBootServices: the message on the firmware console (which OVMF also
 * writes to the serial port), then the machine stops with status 126 (see fail.c).
 */
noreturn void stub_fail(const CHAR16 *fmt, ...);

/* A failure after a first ExitBootServices call, when only the serial port is left. */
noreturn void stub_fail_late(const char *msg);

/* The volume the stub was loaded from, and the stub's path on it; root NULL when none. */
struct stub_esp {
	EFI_FILE_HANDLE root;
	CHAR16 path[512]; /* e.g. \EFI\BOOT\BOOTX64.EFI; empty when unknown */
};

void stub_esp_open(EFI_LOADED_IMAGE *li, struct stub_esp *esp);

/*
 * Read the file at path (an ESP path) into pages of type type below `below`. Returns
 * EFI_SUCCESS with *data and *size, EFI_NOT_FOUND when there is no such file (or no volume), or
 * another error, which the caller reports. A file over max bytes is EFI_BAD_BUFFER_SIZE; *size
 * is the file's size whenever the file was found.
 */
EFI_STATUS stub_file_read(const struct stub_esp *esp, const CHAR16 *path, UINT64 max,
			  EFI_MEMORY_TYPE type, void **data, UINTN *size);

/* The PCI function the stub was loaded from, as struct skiff_entry64_info has it; 0 unknown. */
UINT32 stub_boot_disk_pci(EFI_LOADED_IMAGE *li);

/* Place the image's segments at their addresses, with pt_pages free pages after them. */
void stub_load_image(const void *blob, const struct efi_elf *elf, UINTN pt_pages);

/* The hand-off: everything the image will read, in one allocation below STUB_BELOW. */
struct stub_handoff {
	struct hvm_start_info *si;
	struct hvm_modlist_entry *mod;
	struct skiff_entry64_info *info;
	char *cmdline;			/* SK_CMDLINE_MAX bytes */
	struct hvm_memmap_entry *map;	/* room for map_max entries */
	UINTN map_max;
	void *efi_map;			/* the firmware's map, room for efi_map_size bytes */
	UINTN efi_map_size;
};

/* Allocate the hand-off, with room for the memory map as it is now and some growth. */
void stub_handoff_alloc(struct stub_handoff *h);

/* The memory map now: its E820 entry count and top, for sizing the page-table reserve. */
void stub_memmap_estimate(UINTN *entries, UINT64 *top);

/* ExitBootServices (retrying with a fresh map as the spec requires), the map, then the entry. */
noreturn void stub_exit_and_enter(EFI_HANDLE image, struct stub_handoff *h, UINT64 entry,
				  UINT64 tsc);

#endif
