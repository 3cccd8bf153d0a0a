/* SPDX-License-Identifier: MIT */
/*
 * The virtio core of the QEMU world (virtio 1.0): split virtqueues and the device handshake, over
 * two transports, PCI (virtio_pci.c: QEMU -M pc and q35) and MMIO (virtio_mmio.c: -M microvm).
 * Drivers (virtio_net.c, virtio_blk.c) see only this header. The device is not trusted: a
 * used-ring entry with an id or length out of range, or a used index that runs ahead of what was
 * offered, is counted in vq->bad and not followed.
 */
#ifndef KVM_VIRTIO_H
#define KVM_VIRTIO_H

#include <stdbool.h>
#include <stdint.h>
#include <kvm/irq.h>
#include <kvm/pci.h>

#define VIRTIO_ID_NET 1
#define VIRTIO_ID_BLOCK 2

#define VIRTIO_F_VERSION_1 (1ULL << 32)

#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1
#define VIRTQ_USED_F_NO_NOTIFY 1

struct virtq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct virtq_avail {
	uint16_t flags;
	uint16_t idx;
	uint16_t ring[];
};

struct virtq_used_elem {
	uint32_t id;
	uint32_t len;
};

struct virtq_used {
	uint16_t flags;
	uint16_t idx;
	struct virtq_used_elem ring[];
};

struct virtio_dev;

struct virtq {
	struct virtio_dev *dev;
	uint16_t index, size;
	struct virtq_desc *desc;
	struct virtq_avail *avail;
	struct virtq_used *used;
	uint16_t avail_idx;	/* our copy of avail->idx */
	uint16_t last_used;	/* the next used entry to look at */
	uint16_t in_flight;	/* offered and not yet returned */
	uintptr_t notify;	/* where the transport's notify goes */
	bool broken;		/* the device broke the ring's rules: no more use */
	uint64_t bad;		/* entries dropped for that */
};

struct virtio_transport {
	const char *name;
	uint8_t (*get_status)(struct virtio_dev *d);
	void (*set_status)(struct virtio_dev *d, uint8_t s);
	uint64_t (*get_features)(struct virtio_dev *d);
	void (*set_features)(struct virtio_dev *d, uint64_t f);
	uint32_t (*config_read)(struct virtio_dev *d, unsigned off, unsigned size);
	/* Size the queue (at most want and the device's maximum), give it its rings, enable it. */
	int (*queue_setup)(struct virtio_dev *d, struct virtq *vq, uint16_t want, bool irq);
	void (*notify)(struct virtio_dev *d, struct virtq *vq);
	/* The interrupt that says a queue has used buffers: handler fn(arg) in the interrupt. */
	bool (*irq_setup)(struct virtio_dev *d, irq_handler_fn fn, void *arg);
	/* In the handler: acknowledge the interrupt, so that a level-triggered line drops. */
	void (*irq_ack)(struct virtio_dev *d);
};

struct virtio_dev {
	const struct virtio_transport *t;
	unsigned type;		/* VIRTIO_ID_* */
	/* PCI */
	struct pci_dev pci;
	uintptr_t common, notify_base, isr, device_cfg;
	uint32_t notify_mult;
	/* MMIO */
	uintptr_t base;
	unsigned gsi;
};

/* Reset, acknowledge, offer the features in want & what the device has: the negotiated set, or 0. */
uint64_t virtio_negotiate(struct virtio_dev *d, uint64_t want);
/* After the queues are set up: the device may start. */
void virtio_driver_ok(struct virtio_dev *d);
void virtio_fail(struct virtio_dev *d);

/* A queue of up to want entries with its rings, interrupts on when irq: 0 or PLAT_E*. */
int virtq_init(struct virtio_dev *d, struct virtq *vq, uint16_t index, uint16_t want, bool irq);
/* For the transports' queue_setup: zeroed rings for a queue of size entries (a power of two). */
int virtq_alloc_rings(struct virtq *vq, uint16_t size);
/* Offer descriptor id (one buffer: its guest-physical address and length, written by the device when write). */
void virtq_offer(struct virtq *vq, uint16_t id, uint64_t addr, uint32_t len, bool write);
/* One buffer of a descriptor chain. */
struct virtq_buf {
	uint64_t addr;	/* guest-physical */
	uint32_t len;
	bool write;	/* written by the device */
};
/* Offer the chain bufs[0..n) in descriptors head, head + 1, ... (the caller keeps them free). */
void virtq_offer_chain(struct virtq *vq, uint16_t head, const struct virtq_buf *bufs, unsigned n);
/* Publish what was offered and notify the device unless it asked not to be. */
void virtq_kick(struct virtq *vq);
/* The next used buffer's id and length: false when there is none (or the ring is broken). */
bool virtq_used(struct virtq *vq, uint16_t *id, uint32_t *len);

/* Transports: find devices, call found(d) for each; the number found. */
unsigned virtio_pci_probe(void (*found)(struct virtio_dev *d));
/* MMIO devices come from the kernel command line's virtio_mmio.device= entries. */
unsigned virtio_mmio_probe(void (*found)(struct virtio_dev *d));

#endif
