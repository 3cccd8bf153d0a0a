/* SPDX-License-Identifier: MIT */
/* The image loader: checks an ELF image against guest memory, then copies it in. */
#ifndef HV_ELF_H
#define HV_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <skiff/hv_abi.h>

#define HV_MAX_SEGMENTS 8
/* Guest memory below this address belongs to the monitor (boot info, page tables, GDT, IDT). */
#define HV_IMAGE_MIN 0x100000ULL

struct hv_segment {
	uint64_t paddr;
	uint64_t memsz;
	uint64_t filesz;
	uint64_t offset;	/* in the file */
	uint32_t flags;		/* PF_R | PF_W | PF_X */
};

struct hv_image {
	uint64_t entry;
	struct hv_segment seg[HV_MAX_SEGMENTS];
	unsigned nseg;
	uint64_t end;			/* highest paddr + memsz of any segment */
	struct hv_manifest manifest;	/* valid when has_manifest */
	bool has_manifest;
};

/*
 * Parse and check the ELF image buf[0, len) for a guest of mem_size bytes: ELF64, little endian,
 * x86-64, ET_EXEC; program headers inside the file; every PT_LOAD with filesz <= memsz, vaddr
 * equal to paddr, its file bytes inside the file, no address wrap, inside [HV_IMAGE_MIN, mem_size), not overlapping
 * another; at most HV_MAX_SEGMENTS; entry inside an executable segment; PT_NOTE contents well
 * formed, the Skiff manifest note (if any) of the right size.
 * Returns 0, or -1 with a one-line reason (no trailing newline) in err.
 */
int hv_elf_parse(const uint8_t *buf, size_t len, uint64_t mem_size, struct hv_image *img,
		 char *err, size_t errlen);

/*
 * Check the manifest hv_elf_parse found against what this monitor can give: present, our ABI
 * version, no device bits outside known_devices (HV_DEV_*), trap stubs (256 x 16 bytes) inside
 * executable code. Returns 0, or -1 with a one-line reason in err (the image's path is not in it).
 */
int hv_elf_check_manifest(const struct hv_image *img, uint32_t known_devices, char *err, size_t errlen);

/*
 * Copy each segment's file bytes to guest memory mem (mem_size as given to hv_elf_parse), which
 * must be zero-filled (fresh anonymous memory): the bss is left as it is.
 */
void hv_elf_load(const uint8_t *buf, const struct hv_image *img, uint8_t *mem);

#endif
