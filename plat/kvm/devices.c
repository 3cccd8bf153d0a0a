// SPDX-License-Identifier: MIT
/* The QEMU world's virtio devices, on PCI and virtio-mmio, each to its driver's table. */
#define pr_tag "virtio"
#include <skiff/entry64.h>
#include <skiff/printk.h>
#include <kvm/blk.h>
#include <kvm/net.h>
#include <kvm/setup.h>

static void found(struct virtio_dev *d)
{
	switch (d->type) {
	case VIRTIO_ID_NET: qemu_net_found(d); break;
	case VIRTIO_ID_BLOCK: qemu_blk_found(d); break;
	default: pr_info("%s device of type %u: no driver, not used\n", d->t->name, d->type);
	}
}

/*
 * The disk the UEFI firmware booted from holds the ESP (and the image itself): it is no disk for
 * the app to write, so a virtio-blk device at that PCI function is left out of the disk table.
 */
static void found_pci(struct virtio_dev *d)
{
	uint32_t bdf = SKIFF_ENTRY64_PCI_VALID | (uint32_t)d->pci.bus << 8 | (uint32_t)d->pci.dev << 3 |
		       d->pci.fn;

	if (d->type == VIRTIO_ID_BLOCK && kvm_boot_disk_pci == bdf) {
		pr_info("virtio-blk at %02x:%02x.%x: the disk the firmware booted from, left alone\n",
			d->pci.bus, d->pci.dev, d->pci.fn);
		return;
	}
	found(d);
}

void qemu_devices_probe(void)
{
	virtio_pci_probe(found_pci);
	virtio_mmio_probe(found);
}
