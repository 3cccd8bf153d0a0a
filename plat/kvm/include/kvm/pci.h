/* SPDX-License-Identifier: MIT */
/* PCI in the QEMU world: configuration space through ports 0xcf8/0xcfc, BARs, capabilities, MSI-X. */
#ifndef KVM_PCI_H
#define KVM_PCI_H

#include <stdbool.h>
#include <stdint.h>

struct pci_dev {
	uint8_t bus, dev, fn;
	uint16_t vendor, device, subsys;
};

#define PCI_CAP_MSIX 0x11
#define PCI_CAP_VENDOR 0x09

uint32_t pci_read32(const struct pci_dev *d, unsigned off);
uint16_t pci_read16(const struct pci_dev *d, unsigned off);
uint8_t pci_read8(const struct pci_dev *d, unsigned off);
void pci_write16(const struct pci_dev *d, unsigned off, uint16_t v);
void pci_write32(const struct pci_dev *d, unsigned off, uint32_t v);

/* Call fn for every function on bus 0 until it returns true; the count of functions seen. */
unsigned pci_scan(bool (*fn)(const struct pci_dev *d, void *arg), void *arg);
/* A memory BAR's address (0 when bar is not a memory BAR or is unassigned), mapped uncached. */
uint64_t pci_bar(const struct pci_dev *d, unsigned bar, uint64_t *size);
/* The config-space offset of the next capability of type id after from (0: the first); 0 if none. */
unsigned pci_cap_next(const struct pci_dev *d, uint8_t id, unsigned from);
/* Turn on memory decoding and bus mastering (DMA). */
void pci_enable(const struct pci_dev *d);
/* MSI-X: entry n delivers vector to CPU 0; enable the function's MSI-X. false without MSI-X. */
bool pci_msix_route(const struct pci_dev *d, unsigned n, uint8_t vector);

#endif
