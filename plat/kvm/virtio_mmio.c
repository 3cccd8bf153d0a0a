// SPDX-License-Identifier: MIT
/*
 * virtio over MMIO, version 2 (virtio 1.0) only: QEMU -M microvm's devices. They are listed as
 * kernel options virtio_mmio.device=SIZE@BASE:IRQ (QEMU appends those when microvm runs without
 * ACPI, at the very end, after the app's "--": run it with auto-kernel-cmdline=off and they are
 * found in the ACPI tables instead, as support/qemu-run.sh does). QEMU needs
 * -global virtio-mmio.force-legacy=false for version 2. The interrupt is an I/O APIC input,
 * level-triggered: the handler acknowledges it before the EOI.
 */
#define pr_tag "virtio"
#include <string.h>
#include <skiff/app.h>
#include <skiff/cmdline.h>
#include <skiff/page.h>
#include <skiff/plat.h>
#include <skiff/printk.h>
#include <kvm/setup.h>
#include <kvm/virtio.h>
#include <kvm/x86.h>

#define MAGIC 0x000
#define VERSION 0x004
#define DEVICE_ID 0x008
#define DEVICE_FEATURES 0x010
#define DEVICE_FEATURES_SEL 0x014
#define DRIVER_FEATURES 0x020
#define DRIVER_FEATURES_SEL 0x024
#define QUEUE_SEL 0x030
#define QUEUE_NUM_MAX 0x034
#define QUEUE_NUM 0x038
#define QUEUE_READY 0x044
#define QUEUE_NOTIFY 0x050
#define INTERRUPT_STATUS 0x060
#define INTERRUPT_ACK 0x064
#define STATUS 0x070
#define QUEUE_DESC 0x080
#define QUEUE_DRIVER 0x090
#define QUEUE_DEVICE 0x0a0
#define CONFIG 0x100
#define MAGIC_VALUE 0x74726976 /* "virt" */

static uint8_t get_status(struct virtio_dev *d)
{
	return (uint8_t)mmio_read32(d->base + STATUS);
}

static void set_status(struct virtio_dev *d, uint8_t s)
{
	mmio_write32(d->base + STATUS, s);
}

static uint64_t get_features(struct virtio_dev *d)
{
	uint64_t f;

	mmio_write32(d->base + DEVICE_FEATURES_SEL, 0);
	f = mmio_read32(d->base + DEVICE_FEATURES);
	mmio_write32(d->base + DEVICE_FEATURES_SEL, 1);
	return f | (uint64_t)mmio_read32(d->base + DEVICE_FEATURES) << 32;
}

static void set_features(struct virtio_dev *d, uint64_t f)
{
	mmio_write32(d->base + DRIVER_FEATURES_SEL, 0);
	mmio_write32(d->base + DRIVER_FEATURES, (uint32_t)f);
	mmio_write32(d->base + DRIVER_FEATURES_SEL, 1);
	mmio_write32(d->base + DRIVER_FEATURES, (uint32_t)(f >> 32));
}

static uint32_t config_read(struct virtio_dev *d, unsigned off, unsigned size)
{
	uintptr_t a = d->base + CONFIG + off;

	return size == 1 ? mmio_read8(a) : size == 2 ? mmio_read16(a) : mmio_read32(a);
}

static void write64(uintptr_t a, uint64_t v)
{
	mmio_write32(a, (uint32_t)v);
	mmio_write32(a + 4, (uint32_t)(v >> 32));
}

static int queue_setup(struct virtio_dev *d, struct virtq *vq, uint16_t want, bool irq)
{
	uint32_t max;
	uint16_t size = 1;
	int r;

	(void)irq; /* one interrupt line for the device; a queue that wants none suppresses it */
	mmio_write32(d->base + QUEUE_SEL, vq->index);
	max = mmio_read32(d->base + QUEUE_NUM_MAX);
	if (!max)
		return PLAT_ENODEV;
	while ((uint32_t)(size << 1) <= want && (uint32_t)(size << 1) <= max && size < 0x8000)
		size <<= 1;
	if ((r = virtq_alloc_rings(vq, size)))
		return r;
	mmio_write32(d->base + QUEUE_NUM, size);
	write64(d->base + QUEUE_DESC, (uintptr_t)vq->desc);
	write64(d->base + QUEUE_DRIVER, (uintptr_t)vq->avail);
	write64(d->base + QUEUE_DEVICE, (uintptr_t)vq->used);
	mmio_write32(d->base + QUEUE_READY, 1);
	vq->notify = d->base + QUEUE_NOTIFY;
	return PLAT_OK;
}

static void notify(struct virtio_dev *d, struct virtq *vq)
{
	(void)d;
	mmio_write32(vq->notify, vq->index);
}

static bool irq_setup(struct virtio_dev *d, irq_handler_fn fn, void *arg)
{
	uint8_t vec = irq_alloc(fn, arg);

	return vec && ioapic_route(d->gsi, vec, true);
}

static void irq_ack(struct virtio_dev *d)
{
	mmio_write32(d->base + INTERRUPT_ACK, mmio_read32(d->base + INTERRUPT_STATUS) & 3);
}

static const struct virtio_transport mmio_transport = {
	.name = "virtio-mmio",
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

/* A number in hex (0x...) or decimal at *s, which moves past it. */
static uint64_t number(const char **s)
{
	unsigned base = 10;
	uint64_t v = 0;

	if ((*s)[0] == '0' && ((*s)[1] == 'x' || (*s)[1] == 'X'))
		base = 16, *s += 2;
	for (;; (*s)++) {
		char c = **s;
		unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0') :
			     base == 16 && c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10) :
			     base == 16 && c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10) : 99;

		if (d >= base)
			return v;
		v = v * base + d;
	}
}

/* "SIZE@BASE:IRQ[:ID]" (SIZE with K or M): false when it is not that. */
static bool parse_device(const char *s, uint64_t *size, uint64_t *base, unsigned *irq)
{
	*size = number(&s);
	if (*s == 'K' || *s == 'k')
		*size <<= 10, s++;
	else if (*s == 'M' || *s == 'm')
		*size <<= 20, s++;
	if (*s++ != '@')
		return false;
	*base = number(&s);
	if (*s++ != ':')
		return false;
	*irq = (unsigned)number(&s);
	return (*s == ':' || *s == '\0') && *size >= CONFIG && *size <= (1u << 20) && *base && *irq < 256;
}

static struct virtio_dev *probe_one(uint64_t size, uint64_t base, unsigned irq)
{
	struct virtio_dev *d;
	uint32_t version, id;

	if (paging_map_mmio((uintptr_t)base, (size_t)size))
		return NULL;
	if (mmio_read32((uintptr_t)base + MAGIC) != MAGIC_VALUE)
		return NULL;
	version = mmio_read32((uintptr_t)base + VERSION);
	id = mmio_read32((uintptr_t)base + DEVICE_ID);
	if (!id)
		return NULL; /* an empty slot */
	if (version != 2) {
		pr_warn("virtio-mmio at 0x%llx: version %u (legacy); run QEMU with -global virtio-mmio.force-legacy=false\n",
			(unsigned long long)base, version);
		return NULL;
	}
	if (!(d = sk_page_alloc(0)))
		return NULL;
	*d = (struct virtio_dev){ .t = &mmio_transport, .type = id, .base = (uintptr_t)base, .gsi = irq };
	return d;
}

/* Devices from microvm's ACPI tables, when none came on the command line. */
static unsigned probe_acpi(void (*found)(struct virtio_dev *d))
{
	struct acpi_mmio_dev devs[32];
	unsigned nr = acpi_virtio_mmio(devs, 32), n = 0;

	for (unsigned i = 0; i < nr; i++) {
		struct virtio_dev *d = probe_one(devs[i].size, devs[i].base, devs[i].gsi);

		if (d) {
			n++;
			found(d);
		}
	}
	return n;
}

unsigned virtio_mmio_probe(void (*found)(struct virtio_dev *d))
{
	const struct sk_cmdline *cl = sk_boot_cmdline();
	unsigned n = 0, listed = 0;

	for (int i = 0; i < cl->nr_opts; i++) {
		uint64_t size, base;
		unsigned irq;
		struct virtio_dev *d;

		if (strcmp(cl->opt[i].key, "virtio_mmio.device") || !cl->opt[i].value)
			continue;
		listed++;
		if (!parse_device(cl->opt[i].value, &size, &base, &irq)) {
			pr_warn("cannot read virtio_mmio.device=%s\n", cl->opt[i].value);
			continue;
		}
		if ((d = probe_one(size, base, irq))) {
			n++;
			found(d);
		}
	}
	return listed ? n : probe_acpi(found);
}
