// SPDX-License-Identifier: MIT
/*
 * The PVH entry (QEMU -kernel on any machine type): turns struct hvm_start_info into a kvm_boot.
 * The layout below follows the PVH boot ABI documented in Xen's public hvm/start_info.h.
 */
#include <stdint.h>
#include <string.h>
#include <skiff/cmdline.h>
#include <kvm/setup.h>

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

struct hvm_memmap_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
	uint32_t reserved;
};

_Static_assert(sizeof(struct hvm_start_info) == 56, "hvm_start_info layout");
_Static_assert(sizeof(struct hvm_modlist_entry) == 32, "hvm_modlist_entry layout");
_Static_assert(sizeof(struct hvm_memmap_entry) == 24, "hvm_memmap_entry layout");

/* The boot tables map only the first 1 GiB: everything the loader points to must lie below it. */
#define BOOT_MAPPED_LIMIT (1ULL << 30)

static struct kvm_boot kb;
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

noreturn void kvm_pvh_main(uint32_t start_info, uint64_t boot_tsc);

noreturn void kvm_pvh_main(uint32_t start_info, uint64_t boot_tsc)
{
	const struct hvm_start_info *si = (const void *)(uintptr_t)start_info;

	kb.bi.plat_name = "kvm-qemu";
	kb.bi.cmdline = cmdline;
	kb.bi.boot_tsc = boot_tsc;
	if (start_info && si->magic == HVM_START_MAGIC) {
		copy_cmdline(si->cmdline_paddr);
		copy_memmap(si);
		find_initrd(si);
		kb.rsdp = si->rsdp_paddr;
	}
	kvm_setup(&kb);
}
