// SPDX-License-Identifier: MIT
/*
 * Host unit tests of the virtio-blk driver (plat/kvm/virtio_blk.c) against a fake device that
 * serves requests from a memory disk when notified, and can misbehave: fail a request, return an
 * id that is not in flight or one twice, or never answer (the driver must give up with EIO, not
 * hang: the stub clock moves a second each time the device is asked to do something).
 */
#include <string.h>
#include <skiff/plat.h>
#include <kvm/blk.h>
#include <kvm/virtio.h>
#include "stub.h"
#include "unit.h"

bool unit_kernel_ram(void);

#define SECTORS 256
#define F_RO (1ULL << 5)
#define F_FLUSH (1ULL << 9)
#define F_SIZE_MAX (1ULL << 1)

static uint8_t disk[SECTORS * 512];
static uint64_t features;
static uint32_t size_max;
static int flushes, notifies;
static uint16_t next_avail; /* the device's place in the available ring */
static enum { GOOD, IOERR, BOGUS_ID, TWICE, SILENT } mode;

uintptr_t paging_phys(const void *addr)
{
	return (uintptr_t)addr;
}

static uint8_t status;
static uint8_t get_status(struct virtio_dev *d) { (void)d; return status; }
static void set_status(struct virtio_dev *d, uint8_t s) { (void)d; status = s; }
static uint64_t get_features(struct virtio_dev *d) { (void)d; return features; }
static void set_features(struct virtio_dev *d, uint64_t f) { (void)d, (void)f; }

static uint32_t config_read(struct virtio_dev *d, unsigned off, unsigned size)
{
	uint8_t cfg[16] = { 0 };
	uint64_t cap = SECTORS;
	uint32_t v = 0;

	(void)d;
	memcpy(cfg, &cap, 8);
	memcpy(cfg + 8, &size_max, 4);
	memcpy(&v, cfg + off, size);
	return v;
}

static int queue_setup(struct virtio_dev *d, struct virtq *vq, uint16_t want, bool irq)
{
	(void)d, (void)irq;
	return virtq_alloc_rings(vq, want);
}

static void used(struct virtq *vq, uint32_t id, uint32_t len)
{
	vq->used->ring[vq->used->idx % vq->size] = (struct virtq_used_elem){ id, len };
	vq->used->idx++;
}

/* Serve one chain: header, data segments, status. */
static void serve(struct virtq *vq, uint16_t head)
{
	const struct virtq_desc *d = &vq->desc[head];
	uint32_t type, done = 0;
	uint64_t sector;
	uint8_t *st;

	memcpy(&type, (void *)(uintptr_t)d->addr, 4);
	memcpy(&sector, (uint8_t *)(uintptr_t)d->addr + 8, 8);
	for (d = &vq->desc[d->next]; d->flags & VIRTQ_DESC_F_NEXT; d = &vq->desc[d->next]) {
		CHECK(size_max == 0 || d->len <= size_max);
		if (type == 0)
			memcpy((void *)(uintptr_t)d->addr, disk + sector * 512 + done, d->len);
		else
			memcpy(disk + sector * 512 + done, (void *)(uintptr_t)d->addr, d->len);
		done += d->len;
	}
	flushes += type == 4;
	st = (uint8_t *)(uintptr_t)d->addr;
	*st = mode == IOERR ? 1 : 0;
	used(vq, mode == BOGUS_ID ? head + 1u : head, done + 1);
	if (mode == TWICE)
		used(vq, head, 1);
}

static void notify(struct virtio_dev *d, struct virtq *vq)
{
	(void)d;
	notifies++;
	stub_now_ns += 40ULL * 1000000000ULL; /* past the driver's patience, if it ever waits */
	if (mode == SILENT)
		return;
	for (; next_avail != vq->avail->idx; next_avail++)
		serve(vq, vq->avail->ring[next_avail % vq->size]);
}

static const struct virtio_transport fake = {
	.name = "fake", .get_status = get_status, .set_status = set_status, .get_features = get_features,
	.set_features = set_features, .config_read = config_read, .queue_setup = queue_setup, .notify = notify,
};

static struct virtio_dev dev;

static struct vblk *setup(uint64_t f, uint32_t smax)
{
	unit_kernel_ram();
	features = VIRTIO_F_VERSION_1 | f;
	size_max = smax;
	mode = GOOD;
	flushes = notifies = 0;
	next_avail = 0;
	dev = (struct virtio_dev){ .t = &fake, .type = VIRTIO_ID_BLOCK };
	return vblk_init(&dev);
}

static void batch_round_trip(void)
{
	static uint8_t out[64][4096], in[64][4096];
	struct plat_blk_req r[64];
	struct plat_blk_info info;
	struct vblk *b = setup(F_FLUSH | F_SIZE_MAX, 1024);

	CHECK(b != NULL);
	vblk_info(b, &info);
	CHECK(info.sectors == SECTORS && !info.read_only);
	for (int i = 0; i < 16; i++) {
		memset(out[i], i + 1, sizeof(out[i]));
		r[i] = (struct plat_blk_req){ .op = PLAT_BLK_WRITE, .sector = (uint64_t)i * 8, .buf = out[i], .len = 4096 };
	}
	r[16] = (struct plat_blk_req){ .op = PLAT_BLK_FLUSH };
	CHECK_EQ(vblk_submit(b, r, 17), PLAT_OK);
	for (int i = 0; i < 17; i++)
		CHECK_EQ(r[i].status, PLAT_OK);
	CHECK_EQ(flushes, 1);
	CHECK_EQ(disk[8 * 512 * 3], 4);
	/* 64 reads of 4 KiB in 1 KiB segments: 6 descriptors each, more than one queue's worth. */
	for (int i = 0; i < 64; i++)
		r[i] = (struct plat_blk_req){ .op = PLAT_BLK_READ, .sector = (uint64_t)(i % 16) * 8, .buf = in[i], .len = 4096 };
	CHECK_EQ(vblk_submit(b, r, 64), PLAT_OK);
	for (int i = 0; i < 64; i++)
		CHECK(r[i].status == PLAT_OK && in[i][0] == (uint8_t)(i % 16 + 1) && in[i][4095] == (uint8_t)(i % 16 + 1));
	CHECK(notifies >= 3);
	/* Past the end, a bad length, a bad op: refused before the device sees them. */
	r[0] = (struct plat_blk_req){ .op = PLAT_BLK_READ, .sector = SECTORS - 1, .buf = in[0], .len = 1024 };
	r[1] = (struct plat_blk_req){ .op = PLAT_BLK_READ, .sector = 0, .buf = in[0], .len = 100 };
	r[2] = (struct plat_blk_req){ .op = 9, .sector = 0, .buf = in[0], .len = 512 };
	CHECK_EQ(vblk_submit(b, r, 3), PLAT_OK);
	CHECK(r[0].status == PLAT_EINVAL && r[1].status == PLAT_EINVAL && r[2].status == PLAT_EINVAL);
	CHECK_EQ(vblk_submit(b, r, 0), PLAT_EINVAL);
	CHECK_EQ(vblk_submit(b, r, PLAT_BLK_MAX_REQS + 1), PLAT_EINVAL);
}

static void read_only_and_no_cache(void)
{
	static uint8_t buf[512];
	struct plat_blk_req r[2] = { { .op = PLAT_BLK_WRITE, .sector = 1, .buf = buf, .len = 512 },
				     { .op = PLAT_BLK_FLUSH } };
	struct plat_blk_info info;
	struct vblk *b = setup(F_RO, 0);

	vblk_info(b, &info);
	CHECK(info.read_only);
	CHECK_EQ(vblk_submit(b, r, 2), PLAT_OK);
	CHECK_EQ(r[0].status, PLAT_EROFS);
	CHECK_EQ(r[1].status, PLAT_OK); /* no write cache: nothing to flush, and not sent */
	CHECK_EQ(notifies, 0);
}

static void lying_device(void)
{
	static uint8_t buf[512];
	struct plat_blk_req r = { .op = PLAT_BLK_READ, .sector = 1, .buf = buf, .len = 512 };
	struct vblk *b = setup(0, 0);

	mode = IOERR;
	CHECK(vblk_submit(b, &r, 1) == PLAT_OK && r.status == PLAT_EIO);
	mode = GOOD;
	CHECK(vblk_submit(b, &r, 1) == PLAT_OK && r.status == PLAT_OK);
	/* An id that is not in flight is never taken for a request: that one times out with EIO,
	 * the disk is then given up, and later requests fail at once. */
	mode = BOGUS_ID;
	CHECK(vblk_submit(b, &r, 1) == PLAT_OK && r.status == PLAT_EIO);
	mode = GOOD;
	notifies = 0;
	CHECK(vblk_submit(b, &r, 1) == PLAT_OK && r.status == PLAT_EIO);
	CHECK_EQ(notifies, 0);
}

/* A request returned twice: the used index runs ahead of what is in flight, the queue stops. */
static void twice_device(void)
{
	static uint8_t buf[512];
	struct plat_blk_req r = { .op = PLAT_BLK_READ, .sector = 1, .buf = buf, .len = 512 };
	struct vblk *b = setup(0, 0);

	mode = TWICE;
	CHECK(vblk_submit(b, &r, 1) == PLAT_OK && r.status == PLAT_EIO);
	mode = GOOD;
	CHECK(vblk_submit(b, &r, 1) == PLAT_OK && r.status == PLAT_EIO);
}

static void silent_device(void)
{
	static uint8_t buf[512];
	struct plat_blk_req r[2] = { { .op = PLAT_BLK_READ, .sector = 1, .buf = buf, .len = 512 },
				     { .op = PLAT_BLK_READ, .sector = 2, .buf = buf, .len = 512 } };
	struct vblk *b = setup(0, 0);

	mode = SILENT;
	CHECK_EQ(vblk_submit(b, r, 2), PLAT_OK);
	CHECK(r[0].status == PLAT_EIO && r[1].status == PLAT_EIO);
}

UNIT_MAIN("vblk", UNIT_TEST(batch_round_trip), UNIT_TEST(read_only_and_no_cache), UNIT_TEST(lying_device), UNIT_TEST(twice_device),
	  UNIT_TEST(silent_device))
