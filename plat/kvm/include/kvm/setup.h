/* SPDX-License-Identifier: MIT */
/* What a plat/kvm entry (PVH, later skiff-hv) hands to the common setup, and the setup steps. */
#ifndef KVM_SETUP_H
#define KVM_SETUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <skiff/plat.h>

/* One entry of the firmware memory map (E820 types: 1 RAM, 2 reserved, 3 ACPI, 4 NVS). */
struct kvm_memmap_entry {
	uint64_t base;
	uint64_t len;
	uint32_t type;
};

#define KVM_MEMMAP_RAM 1
#define KVM_MAX_MEMMAP 32

struct kvm_boot {
	struct plat_boot_info bi;
	struct kvm_memmap_entry map[KVM_MAX_MEMMAP];
	unsigned nr_map;
	uint64_t rsdp;	/* ACPI RSDP address from the loader, 0 to search for it */
};

/*
 * The PCI function the firmware booted from (struct skiff_entry64_info in include/skiff/entry64.h),
 * 0 when not booted from UEFI or unknown: a virtio-blk device there is left alone.
 */
extern uint32_t kvm_boot_disk_pci;

/* Common setup after an entry filled kb (command line, memory map, initrd): never returns. */
noreturn void kvm_setup(struct kvm_boot *kb);

/* The steps, in the order kvm_setup calls them. */
void console_init(void);
void gdt_init(void);
void idt_init(void);
uintptr_t paging_init(const struct kvm_boot *kb); /* returns the end of its page-table pages */
void tsc_init(uint64_t boot_tsc);
/* The clock from known facts: frequency, its source's name, wall time at boot_tsc (0 unknown). */
void tsc_setup(uint64_t boot_tsc, uint64_t hz, const char *source, uint64_t wall_ns_at_boot);
void lapic_init(void);
void acpi_init(uint64_t rsdp);
struct acpi_ioapic {
	uint32_t addr, gsi_base;
};
struct acpi_mmio_dev {
	uint32_t base, size, gsi;
};
/* The I/O APICs the MADT lists; how many (at most max). */
unsigned acpi_ioapics(struct acpi_ioapic *out, unsigned max);
/* virtio-mmio transports the DSDT lists (QEMU microvm); how many (at most max). */
unsigned acpi_virtio_mmio(struct acpi_mmio_dev *out, unsigned max);
uint64_t rtc_read_unix_ns(void);

/* Time helpers shared by the timer code. */
uint64_t tsc_hz(void);
const char *tsc_source(void);		/* "kvmclock", "cpuid", "PIT" or "a guess" */
const char *lapic_timer_mode(void);
uint64_t tsc_from_ns(uint64_t ns);	/* absolute monotonic ns -> TSC value */
uint64_t pit_measure_tsc_hz(void);	/* 0 when there is no PIT */
uint64_t kvmclock_tsc_hz(void);		/* 0 when not on KVM */
void lapic_arm(uint64_t deadline_ns);
void lapic_idle(uint64_t deadline_ns);
void pvh_console_write(const char *buf, size_t len);
void *paging_stack_map(void *addr, unsigned order); /* plat_stack_map */
/* The physical address of addr: identity, except on thread stacks (an alias of RAM). */
uintptr_t paging_phys(const void *addr);
/* The QEMU world's devices: virtio on PCI and MMIO, to the NIC and disk tables (devices.c). */
void qemu_devices_probe(void);
void paging_flush_page(uintptr_t va);	/* invlpg: CPL 0 only */
/* Map device registers at [pa, pa + len), uncached, at their own address (after boot). */
int paging_map_mmio(uintptr_t pa, size_t len);
/*
 * Use the page tables at root, which map nothing at or above top, for plat_addr_readable and the
 * stack alias (skiff-hv builds them, not paging_init).
 */
void paging_use_tables(uintptr_t root, uint64_t top);
void lapic_eoi(void);
void acpi_poweroff(void);
bool paging_addr_mapped(uintptr_t addr);

/* Linker-script symbols. */
extern char _image_start[], _etext[], _rodata_start[], _rodata_end[], _data_start[];
extern char _image_end[], _bss_start[], _bss_end[], _main_stack_guard[], _main_stack_end[];

#define KVM_VEC_TIMER 0xef
#define KVM_VEC_SPURIOUS 0xff

#endif
