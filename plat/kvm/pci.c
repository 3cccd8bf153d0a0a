// SPDX-License-Identifier: MIT
/*
 * PCI configuration space through the legacy ports (QEMU pc and q35 both have them), bus 0 only:
 * QEMU puts its devices there unless told to add bridges. BARs the firmware assigned are mapped
 * uncached on first use. MSI-X entries point at the local APIC of CPU 0.
 */
#define pr_tag "pci"
#include <skiff/printk.h>
#include <kvm/pci.h>
#include <kvm/setup.h>
#include <kvm/x86.h>

#define CONFIG_ADDRESS 0xcf8
#define CONFIG_DATA 0xcfc
#define PCI_COMMAND 0x04
#define PCI_STATUS 0x06
#define PCI_HEADER_TYPE 0x0e
#define PCI_BAR0 0x10
#define PCI_SUBSYS_ID 0x2e
#define PCI_CAP_PTR 0x34
#define STATUS_CAP_LIST (1u << 4)
#define CMD_MEMORY (1u << 1)
#define CMD_MASTER (1u << 2)
#define CMD_INTX_OFF (1u << 10)
#define MSIX_ENABLE (1u << 15)
#define MSIX_MASKALL (1u << 14)

static void select_reg(const struct pci_dev *d, unsigned off)
{
	outl(CONFIG_ADDRESS, 0x80000000u | (uint32_t)d->bus << 16 | (uint32_t)d->dev << 11 |
				     (uint32_t)d->fn << 8 | (off & 0xfc));
}

uint32_t pci_read32(const struct pci_dev *d, unsigned off)
{
	select_reg(d, off);
	return inl(CONFIG_DATA);
}

uint16_t pci_read16(const struct pci_dev *d, unsigned off)
{
	return (uint16_t)(pci_read32(d, off) >> (8 * (off & 2)));
}

uint8_t pci_read8(const struct pci_dev *d, unsigned off)
{
	return (uint8_t)(pci_read32(d, off) >> (8 * (off & 3)));
}

void pci_write32(const struct pci_dev *d, unsigned off, uint32_t v)
{
	select_reg(d, off);
	outl(CONFIG_DATA, v);
}

void pci_write16(const struct pci_dev *d, unsigned off, uint16_t v)
{
	uint32_t old = pci_read32(d, off), shift = 8 * (off & 2);

	pci_write32(d, off, (old & ~(0xffffu << shift)) | (uint32_t)v << shift);
}

unsigned pci_scan(bool (*fn)(const struct pci_dev *d, void *arg), void *arg)
{
	unsigned seen = 0;

	for (uint8_t dev = 0; dev < 32; dev++) {
		for (uint8_t f = 0; f < 8; f++) {
			struct pci_dev d = { 0, dev, f, 0, 0, 0 };
			uint32_t id = pci_read32(&d, 0);

			if ((id & 0xffff) == 0xffff) {
				if (f == 0)
					break; /* no device: no functions either */
				continue;
			}
			d.vendor = (uint16_t)id;
			d.device = (uint16_t)(id >> 16);
			d.subsys = pci_read16(&d, PCI_SUBSYS_ID);
			seen++;
			if (fn(&d, arg))
				return seen;
			if (f == 0 && !(pci_read8(&d, PCI_HEADER_TYPE) & 0x80))
				break; /* single-function device */
		}
	}
	return seen;
}

uint64_t pci_bar(const struct pci_dev *d, unsigned bar, uint64_t *size)
{
	unsigned off = PCI_BAR0 + 4 * bar;
	uint32_t lo = pci_read32(d, off), hi = 0, szlo, szhi = 0xffffffffu;
	uint16_t cmd = pci_read16(d, PCI_COMMAND);
	bool is64 = (lo & 0x6) == 0x4;
	uint64_t addr, sz;

	if (bar > 5 || (lo & 1) || (is64 && bar == 5))
		return 0; /* an I/O BAR, or none */
	/* The size: write all ones, read back the bits that stuck, restore. Decoding is off meanwhile. */
	pci_write16(d, PCI_COMMAND, (uint16_t)(cmd & ~CMD_MEMORY));
	pci_write32(d, off, 0xffffffffu);
	szlo = pci_read32(d, off);
	pci_write32(d, off, lo);
	if (is64) {
		hi = pci_read32(d, off + 4);
		pci_write32(d, off + 4, 0xffffffffu);
		szhi = pci_read32(d, off + 4);
		pci_write32(d, off + 4, hi);
	}
	pci_write16(d, PCI_COMMAND, cmd);
	addr = ((uint64_t)hi << 32 | lo) & ~0xfULL;
	sz = ~(((uint64_t)szhi << 32 | szlo) & ~0xfULL) + 1;
	if (!is64)
		sz &= 0xffffffffULL;
	if (!addr || !sz || paging_map_mmio((uintptr_t)addr, (size_t)sz))
		return 0;
	if (size)
		*size = sz;
	return addr;
}

unsigned pci_cap_next(const struct pci_dev *d, uint8_t id, unsigned from)
{
	unsigned off, hops = 0;

	if (!(pci_read16(d, PCI_STATUS) & STATUS_CAP_LIST))
		return 0;
	off = from ? pci_read8(d, from + 1) : pci_read8(d, PCI_CAP_PTR);
	/* At most 48 capabilities fit in config space: a longer chain is a loop. */
	for (; off >= 0x40 && hops < 48; off = pci_read8(d, off + 1), hops++)
		if (pci_read8(d, off) == id)
			return off;
	return 0;
}

void pci_enable(const struct pci_dev *d)
{
	pci_write16(d, PCI_COMMAND, (uint16_t)(pci_read16(d, PCI_COMMAND) | CMD_MEMORY | CMD_MASTER | CMD_INTX_OFF));
}

bool pci_msix_route(const struct pci_dev *d, unsigned n, uint8_t vector)
{
	unsigned cap = pci_cap_next(d, PCI_CAP_MSIX, 0);
	uint16_t ctl;
	uint32_t table;
	uint64_t base, size;
	uintptr_t e;

	if (!cap)
		return false;
	ctl = pci_read16(d, cap + 2);
	table = pci_read32(d, cap + 4);
	if (n > (ctl & 0x7ffu) || !(base = pci_bar(d, table & 7, &size)) ||
	    (table & ~7u) + 16ULL * (n + 1) > size)
		return false;
	e = (uintptr_t)(base + (table & ~7u) + 16ULL * n);
	mmio_write32(e, 0xfee00000u);	/* address: the local APIC of CPU 0 */
	mmio_write32(e + 4, 0);
	mmio_write32(e + 8, vector);	/* data: fixed delivery, edge */
	mmio_write32(e + 12, 0);	/* unmasked */
	pci_write16(d, cap + 2, (uint16_t)((ctl | MSIX_ENABLE) & ~MSIX_MASKALL));
	return true;
}
