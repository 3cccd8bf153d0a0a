// SPDX-License-Identifier: MIT
/*
 * Host unit tests of the virtio core's split virtqueue (plat/kvm/virtio.c): buffers offered and
 * returned, and a device that lies in its used ring: an id out of range is dropped and counted,
 * a used index that runs ahead of what was offered stops the queue before anything is followed.
 */
#include <string.h>
#include <skiff/plat.h>
#include <kvm/virtio.h>
#include "unit.h"

bool unit_kernel_ram(void);

static int notified;

static int queue_setup(struct virtio_dev *d, struct virtq *vq, uint16_t want, bool irq)
{
	(void)d, (void)irq;
	return virtq_alloc_rings(vq, want);
}

static void notify(struct virtio_dev *d, struct virtq *vq)
{
	(void)d, (void)vq;
	notified++;
}

static const struct virtio_transport fake = { .name = "fake", .queue_setup = queue_setup, .notify = notify };

/* The device returns buffer id with length len. */
static void device_returns(struct virtq *vq, uint32_t id, uint32_t len)
{
	vq->used->ring[vq->used->idx % vq->size] = (struct virtq_used_elem){ id, len };
	vq->used->idx++;
}

static void setup(struct virtio_dev *d, struct virtq *vq)
{
	unit_kernel_ram();
	*d = (struct virtio_dev){ .t = &fake };
	CHECK_EQ(virtq_init(d, vq, 0, 8, true), PLAT_OK);
	CHECK_EQ(vq->size, 8);
}

static void offer_and_return(void)
{
	struct virtio_dev d;
	struct virtq vq;
	uint16_t id;
	uint32_t len;

	setup(&d, &vq);
	notified = 0;
	for (uint16_t i = 0; i < 3; i++)
		virtq_offer(&vq, i, 0x1000 * (i + 1u), 2048, true);
	virtq_kick(&vq);
	CHECK_EQ(vq.avail->idx, 3);
	CHECK_EQ(vq.avail->ring[2], 2);
	CHECK(vq.desc[1].addr == 0x2000 && vq.desc[1].len == 2048 && vq.desc[1].flags == VIRTQ_DESC_F_WRITE);
	CHECK_EQ(notified, 1);
	CHECK(!virtq_used(&vq, &id, &len));
	device_returns(&vq, 1, 100);
	device_returns(&vq, 0, 60);
	CHECK(virtq_used(&vq, &id, &len) && id == 1 && len == 100);
	CHECK(virtq_used(&vq, &id, &len) && id == 0 && len == 60);
	CHECK(!virtq_used(&vq, &id, &len));
	CHECK_EQ(vq.in_flight, 1);
	/* A device that asked not to be notified is not. */
	vq.used->flags = VIRTQ_USED_F_NO_NOTIFY;
	virtq_offer(&vq, 0, 0x1000, 2048, true);
	virtq_kick(&vq);
	CHECK_EQ(notified, 1);
}

static void bad_id(void)
{
	struct virtio_dev d;
	struct virtq vq;
	uint16_t id;
	uint32_t len;

	setup(&d, &vq);
	virtq_offer(&vq, 0, 0x1000, 2048, true);
	virtq_offer(&vq, 1, 0x2000, 2048, true);
	virtq_kick(&vq);
	device_returns(&vq, 999, 10); /* not a descriptor of this queue */
	device_returns(&vq, 1, 20);
	CHECK(virtq_used(&vq, &id, &len) && id == 1 && len == 20);
	CHECK_EQ(vq.bad, 1);
	CHECK(!vq.broken);
}

static void runs_ahead(void)
{
	struct virtio_dev d;
	struct virtq vq;
	uint16_t id;
	uint32_t len;

	setup(&d, &vq);
	virtq_offer(&vq, 0, 0x1000, 2048, true);
	virtq_kick(&vq);
	vq.used->idx = 500; /* 500 used when 1 was offered */
	CHECK(!virtq_used(&vq, &id, &len));
	CHECK(vq.broken && vq.bad == 1);
	vq.used->idx = 1; /* too late: the queue stays stopped */
	CHECK(!virtq_used(&vq, &id, &len));
}

UNIT_MAIN("virtq", UNIT_TEST(offer_and_return), UNIT_TEST(bad_id), UNIT_TEST(runs_ahead))
