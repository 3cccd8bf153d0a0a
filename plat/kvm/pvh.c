// SPDX-License-Identifier: MIT
/*
 * The PVH entry (QEMU -kernel on any machine type) and the 64-bit entry of the UEFI stub
 * (include/skiff/entry64.h): both hand over a struct hvm_start_info, which becomes a kvm_boot.
 */
#include <stdint.h>
#include <string.h>
#include <skiff/cmdline.h>
#include <skiff/entry64.h>
#include <plat-common/hvm_start_info.h>
#include <kvm/setup.h>

/* The boot tables map only the first 1 GiB: everything the loader points to must lie below it. */
#define BOOT_MAPPED_LIMIT SKIFF_ENTRY64_LIMIT

static struct kvm_boot kb;
uint32_t kvm_boot_disk_pci;
static char cmdline[SK_CMDLINE_MAX];

static bool below_limit(uint64_t addr, uint64_t len)
{
	return addr + len >= addr && addr + len <= BOOT_MAPPED_LIMIT;
}

static void copy_cmdline(uint64_t paddr)
{
	const char *src = (const char *)(uintptr_t)paddr;
	size_t i;

	if (!paddr || !below_limit(paddr, 1))
		return;
	/* A longer line is cut here; the kernel's parser reports what it was given. */
	for (i = 0; i < sizeof(cmdline) - 1 && src[i]; i++)
		cmdline[i] = src[i];
	cmdline[i] = '\0';
}

static void copy_memmap(const struct hvm_start_info *si)
{
	const struct hvm_memmap_entry *e = (const void *)(uintptr_t)si->memmap_paddr;

	if (si->version < 1 || !si->memmap_paddr)
		return;
	if (!below_limit(si->memmap_paddr, (uint64_t)si->memmap_entries * sizeof(*e)))
		return;
	for (uint32_t i = 0; i < si->memmap_entries && kb.nr_map < KVM_MAX_MEMMAP; i++) {
		kb.map[kb.nr_map].base = e[i].addr;
		kb.map[kb.nr_map].len = e[i].size;
		kb.map[kb.nr_map].type = e[i].type;
		kb.nr_map++;
	}
}

/* The first module is the initrd (QEMU -initrd); later modules are ignored. */
static void find_initrd(const struct hvm_start_info *si)
{
	const struct hvm_modlist_entry *m = (const void *)(uintptr_t)si->modlist_paddr;

	if (si->nr_modules == 0 || !si->modlist_paddr || !below_limit(si->modlist_paddr, sizeof(*m)))
		return;
	if (m[0].size == 0)
		return;
	kb.bi.initrd = (const void *)(uintptr_t)m[0].paddr;
	kb.bi.initrd_len = m[0].size;
}

static noreturn void start(uint64_t start_info, uint64_t boot_tsc, const char *plat_name)
{
	const struct hvm_start_info *si = (const void *)(uintptr_t)start_info;

	kb.bi.plat_name = plat_name;
	kb.bi.cmdline = cmdline;
	kb.bi.boot_tsc = boot_tsc;
	if (start_info && below_limit(start_info, sizeof(*si)) && si->magic == HVM_START_MAGIC) {
		copy_cmdline(si->cmdline_paddr);
		copy_memmap(si);
		find_initrd(si);
		kb.rsdp = si->rsdp_paddr;
	}
	kvm_setup(&kb);
}

noreturn void kvm_pvh_main(uint32_t start_info, uint64_t boot_tsc);
noreturn void kvm_efi_main(uint64_t start_info, uint64_t loader_tsc, uint64_t info);

noreturn void kvm_pvh_main(uint32_t start_info, uint64_t boot_tsc)
{
	start(start_info, boot_tsc, "kvm-qemu");
}

/* From efi_start64 (entry.S): the UEFI stub's hand-off, the same start info in long mode. */
noreturn void kvm_efi_main(uint64_t start_info, uint64_t loader_tsc, uint64_t info)
{
	const struct skiff_entry64_info *ei = (const void *)(uintptr_t)info;

	if (info && below_limit(info, sizeof(*ei)) && ei->magic == SKIFF_ENTRY64_MAGIC)
		kvm_boot_disk_pci = ei->boot_disk_pci;
	start(start_info, loader_tsc, "kvm-efi");
}
