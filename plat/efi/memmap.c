// SPDX-License-Identifier: MIT
/*
 * The UEFI memory map, taken after ExitBootServices, as the E820-style list of the PVH start
 * info. Firmware maps are unsorted and fragmented into a hundred or so descriptors (one per
 * allocation type); a plat/kvm image keeps at most KVM_MAX_MEMMAP entries, so neighbours of one
 * E820 type are merged.
 */
#include <efistub/memmap.h>

/* UEFI memory types (UEFI 2.10, 7.2 EFI_MEMORY_TYPE). */
enum {
	EFI_RESERVED, EFI_LOADER_CODE, EFI_LOADER_DATA, EFI_BS_CODE, EFI_BS_DATA, EFI_RT_CODE,
	EFI_RT_DATA, EFI_CONVENTIONAL, EFI_UNUSABLE, EFI_ACPI_RECLAIM, EFI_ACPI_NVS, EFI_MMIO,
	EFI_MMIO_PORT, EFI_PAL_CODE, EFI_PERSISTENT,
};

uint32_t efi_memmap_type(uint32_t efi_type, uint64_t attr)
{
	switch (efi_type) {
	case EFI_LOADER_CODE:
	case EFI_LOADER_DATA:
	case EFI_BS_CODE:
	case EFI_BS_DATA:
	case EFI_CONVENTIONAL:
		/* Specific-purpose memory (e.g. HBM) is for drivers that ask for it, as Linux says. */
		return (attr & EFI_MEM_ATTR_SP) ? HVM_MEMMAP_RESERVED : HVM_MEMMAP_RAM;
	case EFI_UNUSABLE:
		return HVM_MEMMAP_UNUSABLE;
	case EFI_ACPI_RECLAIM:
		return HVM_MEMMAP_ACPI;
	case EFI_ACPI_NVS:
		return HVM_MEMMAP_NVS;
	case EFI_PERSISTENT:
		return HVM_MEMMAP_PMEM;
	default: /* runtime services (still called by the OS), MMIO, PAL code, anything newer */
		return HVM_MEMMAP_RESERVED;
	}
}

static const struct efi_mem_desc *desc_at(const void *map, size_t i, size_t desc_size)
{
	return (const struct efi_mem_desc *)((const uint8_t *)map + i * desc_size);
}

/* Insert e into the sorted list out[0..n), merging with a neighbour of its type it touches. */
static size_t insert(struct hvm_memmap_entry *out, size_t n, size_t max, struct hvm_memmap_entry e)
{
	size_t i = n;

	while (i > 0 && out[i - 1].addr > e.addr)
		i--;
	if (i > 0 && out[i - 1].type == e.type && out[i - 1].addr + out[i - 1].size == e.addr) {
		out[i - 1].size += e.size;
		/* The grown entry may now touch its successor. */
		if (i < n && out[i].type == e.type && out[i - 1].addr + out[i - 1].size == out[i].addr) {
			out[i - 1].size += out[i].size;
			for (size_t k = i; k + 1 < n; k++)
				out[k] = out[k + 1];
			n--;
		}
		return n;
	}
	if (i < n && out[i].type == e.type && e.addr + e.size == out[i].addr) {
		out[i].addr = e.addr;
		out[i].size += e.size;
		return n;
	}
	if (n == max)
		return n;
	for (size_t k = n; k > i; k--)
		out[k] = out[k - 1];
	out[i] = e;
	return n + 1;
}

size_t efi_memmap_to_e820(const void *map, size_t n, size_t desc_size,
			  struct hvm_memmap_entry *out, size_t max)
{
	size_t count = 0;

	for (size_t i = 0; i < n; i++) {
		const struct efi_mem_desc *d = desc_at(map, i, desc_size);
		struct hvm_memmap_entry e = {
			.addr = d->phys,
			.size = d->pages << 12,
			.type = efi_memmap_type(d->type, d->attr),
		};

		if (d->pages == 0 || d->pages > (UINT64_MAX >> 12) || e.addr + e.size < e.addr)
			continue;
		count = insert(out, count, max, e);
	}
	return count;
}

uint64_t efi_memmap_top(const struct hvm_memmap_entry *list, size_t n)
{
	uint64_t top = 0;

	for (size_t i = 0; i < n; i++)
		if (list[i].addr + list[i].size > top)
			top = list[i].addr + list[i].size;
	return top;
}
