// SPDX-License-Identifier: MIT
/*
 * The I/O APICs (from the MADT; one at the usual address when there is none): redirection entries
 * that send an input to a vector on CPU 0. Only virtio-mmio devices (microvm, whose second I/O
 * APIC serves GSIs from 24) use them; PCI devices use MSI-X.
 */
#include <kvm/irq.h>
#include <kvm/setup.h>
#include <kvm/x86.h>

#define IOAPIC_DEFAULT 0xfec00000u
#define IOREGSEL 0x00
#define IOWIN 0x10
#define IOAPIC_VER 0x01
#define REDIR(n) (0x10 + 2 * (n))
#define RTE_LEVEL (1u << 15)
#define MAX_IOAPICS 4

static struct acpi_ioapic ioapics[MAX_IOAPICS];
static unsigned nr_ioapics;

static void write_reg(uintptr_t base, unsigned reg, uint32_t v)
{
	mmio_write32(base + IOREGSEL, reg);
	mmio_write32(base + IOWIN, v);
}

static uint32_t read_reg(uintptr_t base, unsigned reg)
{
	mmio_write32(base + IOREGSEL, reg);
	return mmio_read32(base + IOWIN);
}

static bool find_ioapics(void)
{
	if (nr_ioapics)
		return true;
	if (!(nr_ioapics = acpi_ioapics(ioapics, MAX_IOAPICS)))
		ioapics[nr_ioapics++] = (struct acpi_ioapic){ IOAPIC_DEFAULT, 0 };
	for (unsigned i = 0; i < nr_ioapics; i++)
		if (paging_map_mmio(ioapics[i].addr, 4096))
			return false;
	return true;
}

bool ioapic_route(unsigned gsi, uint8_t vector, bool level)
{
	if (!find_ioapics())
		return false;
	for (unsigned i = 0; i < nr_ioapics; i++) {
		uintptr_t base = ioapics[i].addr;
		unsigned pin = gsi - ioapics[i].gsi_base;

		if (gsi < ioapics[i].gsi_base || pin > ((read_reg(base, IOAPIC_VER) >> 16) & 0xff))
			continue; /* another I/O APIC's input */
		write_reg(base, REDIR(pin) + 1, 0); /* destination: APIC id 0 */
		write_reg(base, REDIR(pin), vector | (level ? RTE_LEVEL : 0)); /* fixed, physical, high */
		return true;
	}
	return false;
}
