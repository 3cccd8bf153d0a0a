// SPDX-License-Identifier: MIT
/*
 * Unit tests of blkfront's ring (plat/xen/blkif_ring.c) against a fake backend: a disk in host
 * memory served through the shared ring and the bounce pages, called when the driver waits.
 * Batches larger than the ring, requests larger than a slot, flush ordering, read-only disks,
 * large blocks, and a backend that lies (unknown ids, wrong operations, indexes that run ahead)
 * or never answers.
 */
#include <stdlib.h>
#include <string.h>
#include <xen-plat/blkif_ring.h>
#include "unit.h"

#define DISK_SECTORS 8192 /* 4 MiB */
#define MASK (BF_RING - 1)

static struct bf_ring r;
static uint8_t disk[DISK_SECTORS * 512];
static uint64_t clock_ns;

/* The fake backend: how it behaves, and what it saw. */
static struct {
	RING_IDX req_cons, rsp_prod;
	unsigned max_batch;	/* requests answered per wait (0: all) */
	bool silent;		/* never answers */
	int lie;		/* 1: an unknown id for the first, 2: a wrong operation, 3: index ahead */
	int16_t status;		/* answer every request with this */
	unsigned waits, seen_in_flight_max, flushes, ops_after_flush_in_flight;
	bool flush_in_flight;
	uint8_t ops[256];
	unsigned nops;
} be;

static uint8_t *gref_page(grant_ref_t ref)
{
	unsigned s = (ref - 100) / BF_SEGS, k = (ref - 100) % BF_SEGS;

	return r.page[s][k];
}

static void serve(blkif_request_t *q, blkif_response_t *rsp)
{
	uint64_t sector = q->sector_number;

	if (be.nops < sizeof(be.ops))
		be.ops[be.nops++] = q->operation;
	if (q->operation == BLKIF_OP_FLUSH_DISKCACHE || q->operation == BLKIF_OP_WRITE_BARRIER)
		be.flushes++;
	for (unsigned k = 0; k < q->nr_segments; k++) {
		uint8_t *p = gref_page(q->seg[k].gref) + q->seg[k].first_sect * 512;
		size_t n = (size_t)(q->seg[k].last_sect - q->seg[k].first_sect + 1) * 512;

		CHECK(sector * 512 + n <= sizeof(disk));
		if (q->operation == BLKIF_OP_WRITE)
			memcpy(disk + sector * 512, p, n);
		else
			memcpy(p, disk + sector * 512, n);
		sector += n / 512;
	}
	rsp->id = q->id;
	rsp->operation = q->operation;
	rsp->status = be.status;
}

static bool fake_wait(struct bf_ring *ring, uint64_t deadline)
{
	RING_IDX prod = ring->sring->req_prod;
	unsigned n = 0;

	be.waits++;
	if (prod - be.req_cons > be.seen_in_flight_max)
		be.seen_in_flight_max = prod - be.req_cons;
	if (be.silent || prod == be.req_cons) { /* nothing comes: time runs out */
		clock_ns = deadline;
		return false;
	}
	if (be.lie == 3) {
		ring->sring->rsp_prod = be.rsp_prod + BF_RING + 1;
		return true;
	}
	for (; be.req_cons != prod && (!be.max_batch || n < be.max_batch); be.req_cons++, n++) {
		blkif_request_t q = ring->sring->ring[be.req_cons & MASK].req;
		blkif_response_t rsp;

		serve(&q, &rsp);
		if (be.lie == 1)
			rsp.id = 999;
		else if (be.lie == 2)
			rsp.operation = BLKIF_OP_WRITE_BARRIER;
		be.lie = be.lie == 3 ? 3 : 0;
		ring->sring->ring[be.rsp_prod++ & MASK].rsp = rsp;
	}
	ring->sring->rsp_prod = be.rsp_prod;
	return true;
}

static unsigned notifies;

static void fake_notify(struct bf_ring *ring)
{
	(void)ring;
	notifies++;
}

static uint64_t fake_now(void)
{
	return clock_ns;
}

static void setup(void)
{
	free(r.sring);
	for (unsigned s = 0; s < BF_RING; s++)
		for (unsigned k = 0; k < BF_SEGS; k++)
			free(r.page[s][k]);
	memset(&r, 0, sizeof(r));
	memset(&be, 0, sizeof(be));
	notifies = 0;
	r.sring = aligned_alloc(BF_PAGE, BF_PAGE);
	for (unsigned s = 0; s < BF_RING; s++)
		for (unsigned k = 0; k < BF_SEGS; k++) {
			r.page[s][k] = aligned_alloc(BF_PAGE, BF_PAGE);
			r.gref[s][k] = 100 + s * BF_SEGS + k;
		}
	r.sectors = DISK_SECTORS;
	r.sector_size = 512;
	r.flush_op = BLKIF_OP_FLUSH_DISKCACHE;
	r.handle = 51712;
	r.wait = fake_wait;
	r.notify = fake_notify;
	r.now = fake_now;
	bf_init(&r);
	for (size_t i = 0; i < sizeof(disk); i++)
		disk[i] = (uint8_t)(i * 7 + i / 4096);
}

static struct plat_blk_req rq(enum plat_blk_op op, uint64_t sector, void *buf, uint32_t len)
{
	return (struct plat_blk_req){ .op = op, .sector = sector, .buf = buf, .len = len, .status = -1 };
}

/* A batch of small requests: one notification, every request answered and copied. */
static void test_batch_one_notification(void)
{
	static uint8_t buf[16][4096];
	struct plat_blk_req q[16];

	setup();
	for (unsigned i = 0; i < 16; i++)
		q[i] = rq(PLAT_BLK_READ, 64 + i * 8, buf[i], 4096);
	CHECK_EQ(bf_submit(&r, q, 16), PLAT_OK);
	for (unsigned i = 0; i < 16; i++) {
		CHECK_EQ(q[i].status, PLAT_OK);
		CHECK(!memcmp(buf[i], disk + (64 + i * 8) * 512, 4096));
	}
	CHECK_EQ(notifies, 1);
	CHECK_EQ(be.seen_in_flight_max, 16);
	CHECK_EQ(r.requests, 16);
	CHECK_EQ(r.nfree, BF_RING);
}

/* Writes land where they should; unaligned caller buffers are fine (bounce pages). */
static void test_write_read_back(void)
{
	static uint8_t space[3 * 4096 + 1], back[3 * 4096];
	uint8_t *w = space + 1;
	struct plat_blk_req q[2];

	setup();
	for (unsigned i = 0; i < 3 * 4096; i++)
		w[i] = (uint8_t)(i * 31);
	q[0] = rq(PLAT_BLK_WRITE, 100, w, 3 * 4096);
	q[1] = rq(PLAT_BLK_FLUSH, 0, NULL, 0);
	CHECK_EQ(bf_submit(&r, q, 2), PLAT_OK);
	CHECK_EQ(q[0].status, PLAT_OK);
	CHECK_EQ(q[1].status, PLAT_OK);
	CHECK(!memcmp(disk + 100 * 512, w, 3 * 4096));
	CHECK_EQ(be.flushes, 1);
	q[0] = rq(PLAT_BLK_READ, 100, back, 3 * 4096);
	CHECK_EQ(bf_submit(&r, q, 1), PLAT_OK);
	CHECK(!memcmp(back, w, sizeof(back)));
}

/* A request larger than a slot, and a batch larger than the ring: split, and slots reused. */
static void test_large_requests(void)
{
	static uint8_t big[4][PLAT_BLK_MAX_BYTES];
	struct plat_blk_req q[4];

	setup();
	be.max_batch = 5; /* the backend answers a few at a time */
	for (unsigned i = 0; i < 4; i++)
		q[i] = rq(PLAT_BLK_READ, i * 2048, big[i], PLAT_BLK_MAX_BYTES);
	CHECK_EQ(bf_submit(&r, q, 4), PLAT_OK);
	for (unsigned i = 0; i < 4; i++) {
		CHECK_EQ(q[i].status, PLAT_OK);
		CHECK(!memcmp(big[i], disk + (size_t)i * 2048 * 512, PLAT_BLK_MAX_BYTES));
	}
	/* 1 MiB is 24 slots of 44 KiB: 96 in all, never more than the ring in flight. */
	CHECK_EQ(r.requests, 4 * ((PLAT_BLK_MAX_BYTES + BF_SLOT_BYTES - 1) / BF_SLOT_BYTES));
	CHECK(be.seen_in_flight_max <= BF_RING);
	CHECK_EQ(r.nfree, BF_RING);
}

/* A flush waits for the writes before it, and what follows waits for the flush. */
static void test_flush_order(void)
{
	static uint8_t buf[4096];
	struct plat_blk_req q[4];

	setup();
	q[0] = rq(PLAT_BLK_WRITE, 0, buf, 4096);
	q[1] = rq(PLAT_BLK_WRITE, 8, buf, 4096);
	q[2] = rq(PLAT_BLK_FLUSH, 0, NULL, 0);
	q[3] = rq(PLAT_BLK_WRITE, 16, buf, 4096);
	CHECK_EQ(bf_submit(&r, q, 4), PLAT_OK);
	CHECK_EQ(be.nops, 4);
	CHECK_EQ(be.ops[2], BLKIF_OP_FLUSH_DISKCACHE);
	CHECK_EQ(be.ops[3], BLKIF_OP_WRITE);
	/* Each in its own wait: the writes, the flush alone, then the last write. */
	CHECK_EQ(be.waits, 3);
	for (unsigned i = 0; i < 4; i++)
		CHECK_EQ(q[i].status, PLAT_OK);
	/* Barriers where there is no flush; nothing at all without a write cache. */
	setup();
	r.flush_op = BLKIF_OP_WRITE_BARRIER;
	q[0] = rq(PLAT_BLK_FLUSH, 0, NULL, 0);
	CHECK_EQ(bf_submit(&r, q, 1), PLAT_OK);
	CHECK_EQ(be.ops[0], BLKIF_OP_WRITE_BARRIER);
	setup();
	r.flush_op = 0;
	CHECK_EQ(bf_submit(&r, q, 1), PLAT_OK);
	CHECK_EQ(q[0].status, PLAT_OK);
	CHECK_EQ(be.nops, 0);
}

static void test_refused_here(void)
{
	static uint8_t buf[8192];
	struct plat_blk_req q[7];

	setup();
	r.read_only = true;
	q[0] = rq(PLAT_BLK_WRITE, 0, buf, 512);
	q[1] = rq(PLAT_BLK_READ, DISK_SECTORS, buf, 512);	/* past the end */
	q[2] = rq(PLAT_BLK_READ, DISK_SECTORS - 1, buf, 1024);	/* runs past it */
	q[3] = rq(PLAT_BLK_READ, 0, buf, 100);			/* not whole sectors */
	q[4] = rq(PLAT_BLK_READ, 0, NULL, 512);
	q[5] = rq((enum plat_blk_op)7, 0, buf, 512);
	q[6] = rq(PLAT_BLK_READ, 0, buf, 512);			/* and one that is fine */
	CHECK_EQ(bf_submit(&r, q, 7), PLAT_OK);
	CHECK_EQ(q[0].status, PLAT_EROFS);
	for (unsigned i = 1; i < 6; i++)
		CHECK_EQ(q[i].status, PLAT_EINVAL);
	CHECK_EQ(q[6].status, PLAT_OK);
	CHECK_EQ(r.requests, 1);
	CHECK_EQ(bf_submit(&r, q, 0), PLAT_EINVAL);
	CHECK_EQ(bf_submit(&r, q, PLAT_BLK_MAX_REQS + 1), PLAT_EINVAL);
}

/* A 4 KiB-block disk takes only whole blocks. */
static void test_large_blocks(void)
{
	static uint8_t buf[8192];
	struct plat_blk_req q[3];

	setup();
	r.sector_size = 4096;
	q[0] = rq(PLAT_BLK_READ, 8, buf, 4096);
	q[1] = rq(PLAT_BLK_READ, 4, buf, 4096);	/* not on a block */
	q[2] = rq(PLAT_BLK_READ, 8, buf, 2048);	/* not a whole block */
	CHECK_EQ(bf_submit(&r, q, 3), PLAT_OK);
	CHECK_EQ(q[0].status, PLAT_OK);
	CHECK_EQ(q[1].status, PLAT_EINVAL);
	CHECK_EQ(q[2].status, PLAT_EINVAL);
}

static void test_backend_errors(void)
{
	static uint8_t buf[4096];
	struct plat_blk_req q[1];

	setup();
	be.status = BLKIF_RSP_ERROR;
	q[0] = rq(PLAT_BLK_READ, 0, buf, 4096);
	CHECK_EQ(bf_submit(&r, q, 1), PLAT_OK);
	CHECK_EQ(q[0].status, PLAT_EIO);
	be.status = BLKIF_RSP_EOPNOTSUPP;
	q[0] = rq(PLAT_BLK_FLUSH, 0, NULL, 0);
	CHECK_EQ(bf_submit(&r, q, 1), PLAT_OK);
	CHECK_EQ(q[0].status, PLAT_EINVAL);
	CHECK(!r.broken);
}

/*
 * A response naming nothing in flight, or with another operation, is counted and ignored; the
 * request it should have answered then never is: EIO at the deadline, and the disk is given up.
 * The other request of the batch is answered properly and keeps its data.
 */
static void test_lying_ids(void)
{
	static uint8_t buf[2][4096];
	struct plat_blk_req q[2];

	for (int lie = 1; lie <= 2; lie++) {
		setup();
		be.lie = lie;
		q[0] = rq(PLAT_BLK_READ, 8, buf[0], 4096);
		q[1] = rq(PLAT_BLK_READ, 16, buf[1], 4096);
		CHECK_EQ(bf_submit(&r, q, 2), PLAT_OK);
		CHECK_EQ(q[0].status, PLAT_EIO);
		CHECK_EQ(q[1].status, PLAT_OK);
		CHECK(!memcmp(buf[1], disk + 16 * 512, 4096));
		CHECK_EQ(r.bad, 1);
		CHECK(r.broken);
	}
}

/* An index past what was asked for ends the disk: in flight and later requests fail with EIO. */
static void test_index_ahead(void)
{
	static uint8_t buf[4096];
	struct plat_blk_req q[1];

	setup();
	be.lie = 3;
	q[0] = rq(PLAT_BLK_READ, 8, buf, 4096);
	CHECK_EQ(bf_submit(&r, q, 1), PLAT_OK);
	CHECK_EQ(q[0].status, PLAT_EIO);
	CHECK(r.broken);
	q[0] = rq(PLAT_BLK_READ, 8, buf, 4096);
	CHECK_EQ(bf_submit(&r, q, 1), PLAT_OK);
	CHECK_EQ(q[0].status, PLAT_EIO);
}

/* A backend that never answers: EIO at the deadline, and the disk is given up. */
static void test_silent_backend(void)
{
	static uint8_t buf[4096];
	struct plat_blk_req q[2];

	setup();
	be.silent = true;
	q[0] = rq(PLAT_BLK_WRITE, 8, buf, 4096);
	q[1] = rq(PLAT_BLK_READ, 16, buf, 4096);
	CHECK_EQ(bf_submit(&r, q, 2), PLAT_OK);
	CHECK_EQ(q[0].status, PLAT_EIO);
	CHECK_EQ(q[1].status, PLAT_EIO);
	CHECK(r.broken);
	CHECK(clock_ns >= BF_STALL_NS);
}

UNIT_MAIN("blkfront", UNIT_TEST(test_batch_one_notification), UNIT_TEST(test_write_read_back),
	  UNIT_TEST(test_large_requests), UNIT_TEST(test_flush_order), UNIT_TEST(test_refused_here),
	  UNIT_TEST(test_large_blocks), UNIT_TEST(test_backend_errors), UNIT_TEST(test_lying_ids),
	  UNIT_TEST(test_index_ahead), UNIT_TEST(test_silent_backend))
