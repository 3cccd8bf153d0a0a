// SPDX-License-Identifier: MIT
/*
 * virtio over PCI, the modern (1.0) interface only: the vendor capabilities locate the common,
 * notify, ISR and device configuration structures in the BARs. Interrupts by MSI-X: entry 0 for
 * the queues that want them, none for configuration changes.
 */
#define pr_tag "virtio"
#include <skiff/page.h>
#include <skiff/plat.h>
#include <skiff/printk.h>
#include <kvm/setup.h>
#include <kvm/virtio.h>
#include <kvm/x86.h>

#define VIRTIO_VENDOR 0x1af4
#define CAP_COMMON 1
#define CAP_NOTIFY 2
#define CAP_ISR 3
#define CAP_DEVICE 4
#define NO_VECTOR 0xffff

/* struct virtio_pci_common_cfg offsets */
#define DFSELECT 0x00
#define DF 0x04
#define GFSELECT 0x08
#define GF 0x0c
#define MSIX_CONFIG 0x10
#define STATUS 0x14
#define Q_SELECT 0x16
#define Q_SIZE 0x18
#define Q_MSIX 0x1a
#define Q_ENABLE 0x1c
#define Q_NOTIFY_OFF 0x1e
#define Q_DESC 0x20
#define Q_DRIVER 0x28
#define Q_DEVICE 0x30

static uint8_t get_status(struct virtio_dev *d)
{
	return mmio_read8(d->common + STATUS);
}

static void set_status(struct virtio_dev *d, uint8_t s)
{
	mmio_write8(d->common + STATUS, s);
}

static uint64_t get_features(struct virtio_dev *d)
{
	uint64_t f;

	mmio_write32(d->common + DFSELECT, 0);
	f = mmio_read32(d->common + DF);
	mmio_write32(d->common + DFSELECT, 1);
	return f | (uint64_t)mmio_read32(d->common + DF) << 32;
}

static void set_features(struct virtio_dev *d, uint64_t f)
{
	mmio_write32(d->common + GFSELECT, 0);
	mmio_write32(d->common + GF, (uint32_t)f);
	mmio_write32(d->common + GFSELECT, 1);
	mmio_write32(d->common + GF, (uint32_t)(f >> 32));
}

static uint32_t config_read(struct virtio_dev *d, unsigned off, unsigned size)
{
	return size == 1 ? mmio_read8(d->device_cfg + off) : size == 2 ? mmio_read16(d->device_cfg + off) :
	       mmio_read32(d->device_cfg + off);
}

static void write64(uintptr_t a, uint64_t v)
{
	mmio_write32(a, (uint32_t)v);
	mmio_write32(a + 4, (uint32_t)(v >> 32));
}

static int queue_setup(struct virtio_dev *d, struct virtq *vq, uint16_t want, bool irq)
{
	uint16_t max, size = 1;
	int r;

	mmio_write16(d->common + Q_SELECT, vq->index);
	max = mmio_read16(d->common + Q_SIZE);
	if (!max)
		return PLAT_ENODEV;
	while ((uint16_t)(size << 1) <= want && (uint16_t)(size << 1) <= max && size < 0x8000)
		size <<= 1;
	if ((r = virtq_alloc_rings(vq, size)))
		return r;
	mmio_write16(d->common + Q_SIZE, size);
	write64(d->common + Q_DESC, (uintptr_t)vq->desc);
	write64(d->common + Q_DRIVER, (uintptr_t)vq->avail);
	write64(d->common + Q_DEVICE, (uintptr_t)vq->used);
	mmio_write16(d->common + Q_MSIX, irq ? 0 : NO_VECTOR);
	if (irq && mmio_read16(d->common + Q_MSIX) != 0)
		return PLAT_EUNSPEC; /* the device could not take the vector */
	vq->notify = d->notify_base + (uintptr_t)mmio_read16(d->common + Q_NOTIFY_OFF) * d->notify_mult;
	mmio_write16(d->common + Q_ENABLE, 1);
	return PLAT_OK;
}

static void notify(struct virtio_dev *d, struct virtq *vq)
{
	(void)d;
	mmio_write16(vq->notify, vq->index);
}

static bool irq_setup(struct virtio_dev *d, irq_handler_fn fn, void *arg)
{
	uint8_t vec = irq_alloc(fn, arg);

	mmio_write16(d->common + MSIX_CONFIG, NO_VECTOR);
	return vec && pci_msix_route(&d->pci, 0, vec);
}

/* MSI-X is edge-triggered: nothing to acknowledge. */
static void irq_ack(struct virtio_dev *d)
{
	(void)d;
}

static const struct virtio_transport pci_transport = {
	.name = "virtio-pci",
	.get_status = get_status,
	.set_status = set_status,
	.get_features = get_features,
	.set_features = set_features,
	.config_read = config_read,
	.queue_setup = queue_setup,
	.notify = notify,
	.irq_setup = irq_setup,
	.irq_ack = irq_ack,
};

/* Where a vendor capability's structure is: mapped, inside its BAR; 0 when it is not. */
static uintptr_t cap_addr(const struct pci_dev *p, unsigned cap)
{
	uint8_t bar = pci_read8(p, cap + 4);
	uint32_t off = pci_read32(p, cap + 8), len = pci_read32(p, cap + 12);
	uint64_t size, base = pci_bar(p, bar, &size);

	if (!base || off > size || len > size - off)
		return 0;
	return (uintptr_t)(base + off);
}

/* Modern device ids are 0x1040 + type; transitional ones 0x1000-0x103f carry the type in the subsystem id. */
static unsigned device_type(const struct pci_dev *p)
{
	if (p->device >= 0x1040 && p->device <= 0x107f)
		return p->device - 0x1040u;
	if (p->device >= 0x1000 && p->device <= 0x103f)
		return p->subsys;
	return 0;
}

static bool setup(struct virtio_dev *d)
{
	for (unsigned cap = pci_cap_next(&d->pci, PCI_CAP_VENDOR, 0); cap;
	     cap = pci_cap_next(&d->pci, PCI_CAP_VENDOR, cap)) {
		switch (pci_read8(&d->pci, cap + 3)) {
		case CAP_COMMON: if (!d->common) d->common = cap_addr(&d->pci, cap); break;
		case CAP_NOTIFY:
			if (!d->notify_base) {
				d->notify_base = cap_addr(&d->pci, cap);
				d->notify_mult = pci_read32(&d->pci, cap + 16);
			}
			break;
		case CAP_ISR: if (!d->isr) d->isr = cap_addr(&d->pci, cap); break;
		case CAP_DEVICE: if (!d->device_cfg) d->device_cfg = cap_addr(&d->pci, cap); break;
		default: break;
		}
	}
	return d->common && d->notify_base && d->isr && d->device_cfg;
}

static void (*found_cb)(struct virtio_dev *d);
static unsigned nfound;

static bool on_function(const struct pci_dev *p, void *arg)
{
	struct virtio_dev *d;

	(void)arg;
	if (p->vendor != VIRTIO_VENDOR || !device_type(p))
		return false;
	if (!(d = sk_page_alloc(0)))
		return true;
	*d = (struct virtio_dev){ .t = &pci_transport, .type = device_type(p), .pci = *p };
	pci_enable(p);
	if (!setup(d)) {
		pr_warn("PCI %02x:%02x.%u: virtio device without the modern capabilities: skipped\n",
			p->bus, p->dev, p->fn);
		return false;
	}
	nfound++;
	found_cb(d);
	return false;
}

unsigned virtio_pci_probe(void (*found)(struct virtio_dev *d))
{
	found_cb = found;
	nfound = 0;
	pci_scan(on_function, NULL);
	return nfound;
}
