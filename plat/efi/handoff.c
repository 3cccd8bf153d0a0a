// SPDX-License-Identifier: MIT
/*
 * Leaving the firmware: the hand-off block (start info, initrd module, the Skiff entry info,
 * command line, memory map) in one allocation below 1 GiB, ExitBootServices with the spec's
 * retry, the final memory map, then the image's 64-bit entry. After the first ExitBootServices
 * call nothing may allocate, so every buffer exists before the final GetMemoryMap, sized with
 * room to grow.
 */
#include <skiff/cmdline.h>
#include <efistub/memmap.h>
#include <efistub/stub.h>

#define SPARE_DESCS 64	/* descriptors the map may gain between sizing it and leaving */
#define EBS_TRIES 8

static UINTN efi_map_bytes(UINTN *desc_size)
{
	UINTN size = 0, key;
	UINT32 ver;
	EFI_STATUS st;

	*desc_size = sizeof(EFI_MEMORY_DESCRIPTOR);
	st = uefi_call_wrapper(BS->GetMemoryMap, 5, &size, NULL, &key, desc_size, &ver);
	if (st != EFI_BUFFER_TOO_SMALL)
		stub_fail(L"GetMemoryMap: %r", st);
	return size;
}

void stub_handoff_alloc(struct stub_handoff *h)
{
	UINTN desc_size, bytes;
	EFI_PHYSICAL_ADDRESS addr = STUB_BELOW - 1;
	UINT8 *p;
	EFI_STATUS st;

	h->efi_map_size = efi_map_bytes(&desc_size) + SPARE_DESCS * desc_size;
	h->map_max = h->efi_map_size / desc_size;
	bytes = sizeof(*h->si) + sizeof(*h->mod) + sizeof(*h->info) + SK_CMDLINE_MAX +
		h->map_max * sizeof(*h->map) + 16 + h->efi_map_size;
	st = uefi_call_wrapper(BS->AllocatePages, 4, AllocateMaxAddress, EfiLoaderData,
			       EFI_SIZE_TO_PAGES(bytes), &addr);
	if (st != EFI_SUCCESS)
		stub_fail(L"cannot have %ld KiB below 1 GiB for the start info: %r", bytes >> 10, st);
	p = (UINT8 *)(UINTN)addr;
	SetMem(p, bytes, 0);
	h->si = (void *)p;
	p += sizeof(*h->si);
	h->mod = (void *)p;
	p += sizeof(*h->mod);
	h->info = (void *)p;
	p += sizeof(*h->info);
	h->cmdline = (void *)p;
	p += SK_CMDLINE_MAX;
	h->map = (void *)p;
	p += h->map_max * sizeof(*h->map);
	h->efi_map = (void *)(((UINTN)p + 15) & ~(UINTN)15);
}

void stub_memmap_estimate(UINTN *entries, UINT64 *top)
{
	UINTN desc_size, size = efi_map_bytes(&desc_size) + 8 * desc_size, key;
	UINT32 ver;
	EFI_MEMORY_DESCRIPTOR *map = AllocatePool(size);
	struct hvm_memmap_entry *list;
	EFI_STATUS st;

	list = AllocatePool((size / desc_size) * sizeof(*list));
	if (!map || !list)
		stub_fail(L"out of memory reading the memory map");
	st = uefi_call_wrapper(BS->GetMemoryMap, 5, &size, map, &key, &desc_size, &ver);
	if (st != EFI_SUCCESS)
		stub_fail(L"GetMemoryMap: %r", st);
	*entries = efi_memmap_to_e820(map, size / desc_size, desc_size, list, size / desc_size);
	*top = efi_memmap_top(list, *entries);
	FreePool(list);
	FreePool(map);
}

noreturn void stub_exit_and_enter(EFI_HANDLE image, struct stub_handoff *h, UINT64 entry,
				  UINT64 tsc)
{
	UINTN size, key, desc_size;
	UINT32 ver;
	EFI_STATUS st;
	int tries = 0;

	/*
	 * A map key goes stale whenever the firmware allocates (timer events do, between our calls);
	 * ExitBootServices then fails with EFI_INVALID_PARAMETER and, from then on, only
	 * GetMemoryMap and ExitBootServices may be called: take a fresh map and try again.
	 */
	for (;;) {
		size = h->efi_map_size;
		st = uefi_call_wrapper(BS->GetMemoryMap, 5, &size, h->efi_map, &key, &desc_size, &ver);
		if (st != EFI_SUCCESS) {
			if (tries == 0)
				stub_fail(L"GetMemoryMap: %r", st);
			stub_fail_late("GetMemoryMap failed after ExitBootServices was refused");
		}
		st = uefi_call_wrapper(BS->ExitBootServices, 2, image, key);
		if (st == EFI_SUCCESS)
			break;
		if (st != EFI_INVALID_PARAMETER || ++tries == EBS_TRIES)
			stub_fail_late("ExitBootServices failed");
	}
	__asm__ __volatile__("cli");
	h->si->memmap_entries = (UINT32)efi_memmap_to_e820(h->efi_map, size / desc_size, desc_size,
							    h->map, h->map_max);
	((void (*)(UINT64, UINT64, UINT64))(UINTN)entry)((UINTN)h->si, tsc, (UINTN)h->info);
	__builtin_unreachable();
}
