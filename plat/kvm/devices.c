// SPDX-License-Identifier: MIT
/* The QEMU world's virtio devices, on PCI and virtio-mmio, each to its driver's table. */
#define pr_tag "virtio"
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

void qemu_devices_probe(void)
{
	virtio_pci_probe(found);
	virtio_mmio_probe(found);
}
