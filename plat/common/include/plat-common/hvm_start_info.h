/* SPDX-License-Identifier: MIT */
/*
 * struct hvm_start_info: what a PVH loader (QEMU -kernel) or the UEFI stub hands a plat/kvm image.
 * The layout follows the PVH boot ABI documented in Xen's public hvm/start_info.h (version 1).
 */
#ifndef PLAT_COMMON_HVM_START_INFO_H
#define PLAT_COMMON_HVM_START_INFO_H

#include <stdint.h>

#define HVM_START_MAGIC 0x336ec578

struct hvm_start_info {
	uint32_t magic;
	uint32_t version;
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr;
	uint64_t cmdline_paddr;
	uint64_t rsdp_paddr;
	uint64_t memmap_paddr;	/* version >= 1 */
	uint32_t memmap_entries;
	uint32_t reserved;
};

struct hvm_modlist_entry {
	uint64_t paddr;
	uint64_t size;
	uint64_t cmdline_paddr;
	uint64_t reserved;
};

/* Types are E820's: 1 RAM, 2 reserved, 3 ACPI reclaimable, 4 ACPI NVS, 5 unusable, 7 persistent. */
struct hvm_memmap_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
	uint32_t reserved;
};

#define HVM_MEMMAP_RAM 1
#define HVM_MEMMAP_RESERVED 2
#define HVM_MEMMAP_ACPI 3
#define HVM_MEMMAP_NVS 4
#define HVM_MEMMAP_UNUSABLE 5
#define HVM_MEMMAP_PMEM 7

_Static_assert(sizeof(struct hvm_start_info) == 56, "hvm_start_info layout");
_Static_assert(sizeof(struct hvm_modlist_entry) == 32, "hvm_modlist_entry layout");
_Static_assert(sizeof(struct hvm_memmap_entry) == 24, "hvm_memmap_entry layout");

#endif
