// SPDX-License-Identifier: MIT
/*
 * Placing the plat/kvm image at the physical addresses it is linked for (1 MiB): it is not
 * relocatable, so the pages must be had exactly there (AllocateAddress), together with the
 * free pages after it where the image builds its first page tables (include/skiff/entry64.h).
 * EfiLoaderCode: firmware that maps data pages no-execute (a DXE NX policy) leaves code pages
 * executable, and the image runs on the firmware's map until its first instructions replace it.
 */
#include <efistub/stub.h>

#define PAGE 4096ULL

void stub_load_image(const void *blob, const struct efi_elf *elf, UINTN pt_pages)
{
	EFI_PHYSICAL_ADDRESS start = elf->lo & ~(PAGE - 1);
	UINT64 end = ((elf->hi + PAGE - 1) & ~(PAGE - 1)) + pt_pages * PAGE;
	UINTN pages = (end - start) / PAGE;
	EFI_STATUS st;

	st = uefi_call_wrapper(BS->AllocatePages, 4, AllocateAddress, EfiLoaderCode, pages, &start);
	if (st != EFI_SUCCESS)
		stub_fail(L"cannot have memory at 0x%lx-0x%lx for the image (%ld KiB with its page tables):"
			  L" %r; the firmware uses part of it, or the machine has too little memory"
			  L" (give it more memory)", start, end, (end - start) >> 10, st);
	/* Zero everything first: bss, the gaps between segments, the page-table pages. */
	SetMem((void *)(UINTN)start, end - start, 0);
	for (unsigned i = 0; i < elf->nseg; i++) {
		const struct efi_elf_seg *s = &elf->seg[i];

		CopyMem((void *)(UINTN)s->paddr, (const UINT8 *)blob + s->offset, s->filesz);
	}
}
