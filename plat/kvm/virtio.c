// SPDX-License-Identifier: MIT
/* The virtio core (see kvm/virtio.h): the status handshake and split virtqueues. */
#define pr_tag "virtio"
#include <string.h>
#include <skiff/page.h>
#include <skiff/plat.h>
#include <skiff/printk.h>
#include <kvm/virtio.h>

#define STATUS_ACK 1
#define STATUS_DRIVER 2
#define STATUS_DRIVER_OK 4
#define STATUS_FEATURES_OK 8
#define STATUS_FAILED 128

uint64_t virtio_negotiate(struct virtio_dev *d, uint64_t want)
{
	uint64_t f;

	d->t->set_status(d, 0); /* reset */
	d->t->set_status(d, STATUS_ACK);
	d->t->set_status(d, STATUS_ACK | STATUS_DRIVER);
	f = d->t->get_features(d) & want;
	if (!(f & VIRTIO_F_VERSION_1)) {
		pr_warn("%s device %u is legacy only (no VIRTIO_F_VERSION_1, features 0x%llx): skipped\n", d->t->name, d->type, (unsigned long long)d->t->get_features(d));
		virtio_fail(d);
		return 0;
	}
	d->t->set_features(d, f);
	d->t->set_status(d, STATUS_ACK | STATUS_DRIVER | STATUS_FEATURES_OK);
	if (!(d->t->get_status(d) & STATUS_FEATURES_OK)) {
		pr_warn("%s device %u refused features 0x%llx\n", d->t->name, d->type, (unsigned long long)f);
		virtio_fail(d);
		return 0;
	}
	return f;
}

void virtio_driver_ok(struct virtio_dev *d)
{
	d->t->set_status(d, STATUS_ACK | STATUS_DRIVER | STATUS_FEATURES_OK | STATUS_DRIVER_OK);
}

void virtio_fail(struct virtio_dev *d)
{
	d->t->set_status(d, d->t->get_status(d) | STATUS_FAILED);
}

/* Pages for the rings of a queue of size n: descriptors, then the available ring, the used ring. */
static size_t ring_bytes(uint16_t n, size_t *avail_off, size_t *used_off)
{
	*avail_off = 16ULL * n;
	*used_off = (*avail_off + 6 + 2ULL * n + 3) & ~3ULL;
	return *used_off + 6 + 8ULL * n;
}

int virtq_init(struct virtio_dev *d, struct virtq *vq, uint16_t index, uint16_t want, bool irq)
{
	memset(vq, 0, sizeof(*vq));
	vq->dev = d;
	vq->index = index;
	return d->t->queue_setup(d, vq, want, irq);
}

int virtq_alloc_rings(struct virtq *vq, uint16_t size)
{
	size_t avail_off, used_off, bytes = ring_bytes(size, &avail_off, &used_off);
	unsigned order = 0;
	uint8_t *mem;

	while (((size_t)4096 << order) < bytes)
		order++;
	if (!(mem = sk_page_alloc(order)))
		return PLAT_EUNSPEC;
	memset(mem, 0, (size_t)4096 << order);
	vq->size = size;
	vq->desc = (struct virtq_desc *)mem;
	vq->avail = (struct virtq_avail *)(mem + avail_off);
	vq->used = (struct virtq_used *)(mem + used_off);
	return PLAT_OK;
}

void virtq_offer(struct virtq *vq, uint16_t id, uint64_t addr, uint32_t len, bool write)
{
	vq->desc[id] = (struct virtq_desc){ addr, len, write ? VIRTQ_DESC_F_WRITE : 0, 0 };
	vq->avail->ring[vq->avail_idx % vq->size] = id;
	vq->avail_idx++;
	vq->in_flight++;
}

void virtq_offer_chain(struct virtq *vq, uint16_t head, const struct virtq_buf *bufs, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		uint16_t flags = (bufs[i].write ? VIRTQ_DESC_F_WRITE : 0) | (i + 1 < n ? VIRTQ_DESC_F_NEXT : 0);

		vq->desc[head + i] = (struct virtq_desc){ bufs[i].addr, bufs[i].len, flags, (uint16_t)(head + i + 1) };
	}
	vq->avail->ring[vq->avail_idx % vq->size] = head;
	vq->avail_idx++;
	vq->in_flight++;
}

void virtq_kick(struct virtq *vq)
{
	/* The ring entries before the index, the index before the device looks. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	vq->avail->idx = vq->avail_idx;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!(vq->used->flags & VIRTQ_USED_F_NO_NOTIFY))
		vq->dev->t->notify(vq->dev, vq);
}

bool virtq_used(struct virtq *vq, uint16_t *id, uint32_t *len)
{
	uint16_t idx;
	struct virtq_used_elem e;

	if (vq->broken)
		return false;
	idx = __atomic_load_n(&vq->used->idx, __ATOMIC_ACQUIRE);
	if (idx == vq->last_used)
		return false;
	/* More used than we ever offered: the device is confused; stop before following it. */
	if ((uint16_t)(idx - vq->last_used) > vq->in_flight) {
		pr_warn("virtqueue %u: the device's used index runs ahead (%u, expected at most %u more): queue stopped\n",
			vq->index, idx, vq->in_flight);
		vq->broken = true;
		vq->bad++;
		return false;
	}
	e = vq->used->ring[vq->last_used % vq->size];
	vq->last_used++;
	vq->in_flight--;
	if (e.id >= vq->size) {
		vq->bad++;
		return virtq_used(vq, id, len);
	}
	*id = (uint16_t)e.id;
	*len = e.len;
	return true;
}
