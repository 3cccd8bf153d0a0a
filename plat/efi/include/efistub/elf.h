/* SPDX-License-Identifier: MIT */
/* The plat/kvm image the stub carries: its ELF headers checked, its segments and 64-bit entry. */
#ifndef EFISTUB_ELF_H
#define EFISTUB_ELF_H

#include <stddef.h>
#include <stdint.h>

#define EFI_ELF_MAX_SEGS 8

struct efi_elf_seg {
	uint64_t paddr, memsz;	/* where it goes, how much memory it takes */
	uint64_t offset, filesz; /* what of the file fills it; the rest is zero */
};

struct efi_elf {
	struct efi_elf_seg seg[EFI_ELF_MAX_SEGS];
	unsigned nseg;
	uint64_t lo, hi;	/* the span of the segments: [lo, hi) */
	uint64_t entry64;	/* the Skiff ENTRY64 note's address */
};

/*
 * Check image (len bytes) and describe it in *out: a 64-bit x86 executable whose PT_LOAD segments
 * lie inside the file and below limit, overlap nothing, and one of which (executable) holds the
 * address of a Skiff ENTRY64 note (include/skiff/entry64.h). Returns NULL, or what is wrong, in
 * words for the firmware console.
 */
const char *efi_elf_parse(const void *image, size_t len, uint64_t limit, struct efi_elf *out);

#endif
