// SPDX-License-Identifier: MIT
/*
 * Unit tests of netfront's rings (plat/xen/netif_ring.c) against a fake backend that writes the
 * shared pages directly: frames both ways, the notification hold-off, and a backend that lies
 * (ids, offsets, lengths, statuses, chains and extra info nobody asked for, indexes that run ahead).
 */
#include <stdlib.h>
#include <string.h>
#include <xen-plat/netif_ring.h>
#include "unit.h"

#define MASK (NF_RING - 1)

static struct nf_rings r;
static uint8_t frame[NF_PAGE];

static void *pages(size_t n)
{
	void *p = aligned_alloc(NF_PAGE, n * NF_PAGE);

	memset(p, 0, n * NF_PAGE);
	return p;
}

/* A NIC as netfront.c sets it up: shared pages, buffers, grant references 1000 + i. */
static void setup(void)
{
	free(r.tx);
	free(r.rx);
	free(r.rx_buf);
	free(r.tx_buf);
	memset(&r, 0, sizeof(r));
	r.tx = pages(1);
	r.rx = pages(1);
	r.rx_buf = pages(NF_RING);
	r.tx_buf = pages(NF_RING / 2);
	for (unsigned i = 0; i < NF_RING; i++)
		r.rx_gref[i] = 1000 + i;
	for (unsigned i = 0; i < NF_RING / 2; i++)
		r.tx_gref[i] = 2000 + i;
	r.mtu = 1500;
	r.rx_csum = true;
	nf_init(&r);
	nf_rx_fill(&r);
}

/* The backend answers receive slot i (its request's id unless told otherwise). */
static void rx_rsp(RING_IDX i, uint16_t id, uint16_t offset, uint16_t flags, int16_t status)
{
	netif_rx_response_t *rsp = &r.rx->ring[i & MASK].rsp;

	rsp->id = id;
	rsp->offset = offset;
	rsp->flags = flags;
	rsp->status = status;
}

static void rx_extra(RING_IDX i, uint8_t flags)
{
	netif_extra_info_t *e = (netif_extra_info_t *)&r.rx->ring[i & MASK].rsp;

	e->type = XEN_NETIF_EXTRA_TYPE_GSO;
	e->flags = flags;
}

/* A frame of len bytes, filled with seed, copied by the backend into slot i's page at offset. */
static void rx_frame(RING_IDX i, uint16_t offset, int16_t len, uint8_t seed)
{
	memset(r.rx_buf + (size_t)(i & MASK) * NF_PAGE + offset, seed, len > 0 ? (size_t)len : 0);
	rx_rsp(i, (uint16_t)(i & MASK), offset, 0, len);
}

static void rx_publish(RING_IDX prod)
{
	r.rx->rsp_prod = prod;
}

static int recv(unsigned n, struct plat_net_frame *f, uint8_t (*bufs)[2048])
{
	bool notify;

	for (unsigned k = 0; k < n; k++)
		f[k] = (struct plat_net_frame){ .buf = bufs[k], .len = 2048 };
	return nf_recv(&r, f, n, &notify);
}

static void test_rx_posted(void)
{
	setup();
	CHECK_EQ(r.rx->req_prod, NF_RING);
	for (unsigned i = 0; i < NF_RING; i++) {
		CHECK_EQ(r.rx->ring[i].req.id, i);
		CHECK_EQ(r.rx->ring[i].req.gref, 1000 + i);
	}
}

static void test_rx_frames(void)
{
	static uint8_t bufs[4][2048];
	struct plat_net_frame f[4];

	setup();
	rx_frame(0, 0, 60, 0xa1);
	rx_frame(1, 128, 1514, 0xb2);
	rx_rsp(1, 1, 128, NETRXF_data_validated, 1514);
	rx_publish(2);
	CHECK_EQ(recv(4, f, bufs), 2);
	CHECK_EQ(f[0].len, 60);
	CHECK(bufs[0][0] == 0xa1 && bufs[0][59] == 0xa1);
	CHECK_EQ(f[0].rx_csum, PLAT_NET_CSUM_UNKNOWN);
	CHECK_EQ(f[1].len, 1514);
	CHECK(bufs[1][0] == 0xb2 && bufs[1][1513] == 0xb2);
	CHECK_EQ(f[1].rx_csum, PLAT_NET_CSUM_VALID);
	CHECK_EQ(r.st.rx_frames, 2);
	/* Both buffers posted again, in the slots 256 on, and an event asked for at the next one. */
	CHECK_EQ(r.rx->req_prod, NF_RING + 2);
	CHECK_EQ(r.rx->ring[0].req.id, 0);
	CHECK_EQ(r.rx->ring[1].req.gref, 1001);
	CHECK_EQ(r.rx->rsp_event, 3);
	CHECK_EQ(recv(4, f, bufs), 0);
}

/* More frames than the caller takes: the rest stay for the next call, in order. */
static void test_rx_batches(void)
{
	static uint8_t bufs[2][2048];
	struct plat_net_frame f[2];

	setup();
	for (RING_IDX i = 0; i < 5; i++)
		rx_frame(i, 0, 100, (uint8_t)i);
	rx_publish(5);
	CHECK_EQ(recv(2, f, bufs), 2);
	CHECK_EQ(recv(2, f, bufs), 2);
	CHECK_EQ(bufs[0][0], 2);
	CHECK_EQ(recv(2, f, bufs), 1);
	CHECK_EQ(bufs[0][0], 4);
	CHECK_EQ(r.st.rx_frames, 5);
}

/* Indexes wrap around 2^32 like everything else. */
static void test_rx_index_wraps(void)
{
	static uint8_t bufs[1][2048];
	struct plat_net_frame f[1];
	RING_IDX start = UINT32_MAX - 1;

	setup();
	r.rx->req_prod = r.rx->rsp_prod = r.rx_prod = r.rx_cons = start;
	nf_rx_fill(&r);
	CHECK(r.rx->req_prod == start + NF_RING);
	for (RING_IDX i = start; i != start + 4; i++) {
		rx_frame(i, 0, 64, 7);
		rx_publish(i + 1);
		CHECK_EQ(recv(1, f, bufs), 1);
	}
	CHECK_EQ(r.st.rx_frames, 4);
	CHECK(!r.broken);
}

static void test_rx_lies_dropped(void)
{
	static uint8_t bufs[8][2048];
	struct plat_net_frame f[8];

	setup();
	rx_frame(0, 0, 60, 1);
	rx_rsp(0, 5, 0, 0, 60);		/* not the id of slot 0 */
	rx_frame(1, 4000, 200, 1);	/* runs past its page */
	rx_rsp(2, 2, 0, 0, NETIF_RSP_ERROR);
	rx_frame(3, 0, 10, 1);		/* shorter than an Ethernet header */
	rx_frame(4, 0, 1600, 1);	/* longer than the MTU allows */
	rx_frame(5, 0, 0, 1);		/* empty */
	rx_rsp(6, 6, 5000, 0, 1);	/* an offset past the page */
	rx_frame(7, 0, 64, 0x77);	/* and a good one after them all */
	rx_publish(8);
	CHECK_EQ(recv(8, f, bufs), 1);
	CHECK_EQ(f[0].len, 64);
	CHECK_EQ(bufs[0][0], 0x77);
	CHECK_EQ(r.bad, 3);
	CHECK_EQ(r.st.rx_dropped, 4);
	CHECK(!r.broken);
	CHECK_EQ(r.rx->req_prod, NF_RING + 8); /* every slot's buffer posted again */
}

/* A frame larger than the caller's buffer is dropped, not cut. */
static void test_rx_caller_buffer_small(void)
{
	static uint8_t buf[100];
	struct plat_net_frame f = { .buf = buf, .len = sizeof(buf) };
	bool notify;

	setup();
	rx_frame(0, 0, 101, 1);
	rx_publish(1);
	CHECK_EQ(nf_recv(&r, &f, 1, &notify), 0);
	CHECK_EQ(r.st.rx_dropped, 1);
}

/* Multi-slot frames and extra info were not asked for: dropped with every slot they take. */
static void test_rx_chains_and_extras(void)
{
	static uint8_t bufs[8][2048];
	struct plat_net_frame f[8];

	setup();
	rx_frame(0, 0, 1000, 1);
	rx_rsp(0, 0, 0, NETRXF_more_data, 1000);
	rx_rsp(1, 1, 0, NETRXF_more_data, 1000); /* continuations */
	rx_rsp(2, 2, 0, 0, 500);
	rx_frame(3, 0, 60, 2);
	rx_rsp(3, 3, 0, NETRXF_extra_info | NETRXF_more_data, 60);
	rx_extra(4, XEN_NETIF_EXTRA_FLAG_MORE);
	rx_extra(5, 0);
	rx_rsp(6, 6, 0, 0, 100); /* the data after the extras */
	rx_frame(7, 0, 70, 0x33);
	rx_publish(8);
	CHECK_EQ(recv(8, f, bufs), 1);
	CHECK_EQ(f[0].len, 70);
	CHECK_EQ(bufs[0][0], 0x33);
	CHECK_EQ(r.st.rx_dropped, 2);
	CHECK_EQ(r.bad, 0);
}

/* A chain cut by the caller's batch is still skipped whole in the next call. */
static void test_rx_chain_across_calls(void)
{
	static uint8_t bufs[1][2048];
	struct plat_net_frame f[1];

	setup();
	rx_frame(0, 0, 60, 1);
	rx_rsp(0, 0, 0, NETRXF_more_data, 60);
	rx_publish(1);
	CHECK_EQ(recv(1, f, bufs), 0);
	rx_rsp(1, 1, 0, 0, 60);	/* the chain's end */
	rx_frame(2, 0, 80, 9);
	rx_publish(3);
	CHECK_EQ(recv(1, f, bufs), 1);
	CHECK_EQ(f[0].len, 80);
}

/* Responses to requests never made: the NIC stops for good. */
static void test_rx_index_ahead_breaks(void)
{
	static uint8_t bufs[1][2048];
	struct plat_net_frame f[1];
	struct plat_net_frame t = { .buf = frame, .len = 60 };
	bool notify;

	setup();
	rx_publish(NF_RING + 1);
	CHECK_EQ(recv(1, f, bufs), 0);
	CHECK(r.broken);
	CHECK_EQ(r.rx_cons, 0);
	rx_publish(1);
	rx_frame(0, 0, 60, 1);
	CHECK_EQ(recv(1, f, bufs), 0);
	CHECK_EQ(nf_send(&r, &t, 1, &notify), 1); /* taken and dropped */
	CHECK_EQ(r.st.tx_dropped, 1);
	CHECK_EQ(r.tx->req_prod, 0);
}

static void tx_rsp(RING_IDX i, uint16_t id, int16_t status)
{
	r.tx->ring[i & MASK].rsp.id = id;
	r.tx->ring[i & MASK].rsp.status = status;
}

static void test_tx_frames(void)
{
	struct plat_net_frame f[3] = {
		{ .buf = frame, .len = 60 },
		{ .buf = frame, .len = 1514 },
		{ .buf = frame, .len = 100, .csum_start = 34, .csum_offset = 16 },
	};
	bool notify;

	setup();
	memset(frame, 0x5a, sizeof(frame));
	CHECK_EQ(nf_send(&r, f, 2, &notify), 2);
	CHECK(notify); /* req_event starts at 1: the backend waits for the first request */
	CHECK_EQ(r.tx->req_prod, 2);
	for (unsigned i = 0; i < 2; i++) {
		netif_tx_request_t *q = &r.tx->ring[i].req;

		CHECK_EQ(q->size, f[i].len);
		CHECK_EQ(q->flags, 0);
		CHECK_EQ(q->gref, 2000 + q->id / 2);
		CHECK_EQ(q->offset, (q->id % 2) * NF_TX_BUF);
		CHECK(r.tx_buf[(size_t)q->id * NF_TX_BUF] == 0x5a);
		CHECK(r.tx_buf[(size_t)q->id * NF_TX_BUF + f[i].len - 1] == 0x5a);
	}
	CHECK(r.tx->ring[0].req.id != r.tx->ring[1].req.id);
	/* The backend is awake (req_event not reached): no notification. */
	r.tx->req_event = 100;
	f[0].len = 61;
	CHECK_EQ(nf_send(&r, f, 1, &notify), 1);
	CHECK(!notify);
	/* A checksum left blank needs a backend that finishes it. */
	CHECK_EQ(nf_send(&r, &f[2], 1, &notify), 1);
	CHECK_EQ(r.st.tx_dropped, 1);
	r.tx_csum = true;
	CHECK_EQ(nf_send(&r, &f[2], 1, &notify), 1);
	CHECK_EQ(r.tx->ring[3].req.flags, NETTXF_csum_blank | NETTXF_data_validated);
	CHECK_EQ(r.st.tx_frames, 4);
}

static void test_tx_bad_frames(void)
{
	struct plat_net_frame f[2] = { { .buf = frame, .len = 13 }, { .buf = frame, .len = 1515 } };
	bool notify;

	setup();
	CHECK_EQ(nf_send(&r, f, 2, &notify), 2);
	CHECK_EQ(r.st.tx_dropped, 2);
	CHECK_EQ(r.tx->req_prod, 0);
}

/* Completions free buffers; ids not in flight, twice, or out of range are counted and ignored. */
static void test_tx_completions(void)
{
	struct plat_net_frame f = { .buf = frame, .len = 60 };
	uint16_t id0, id1;
	bool notify;

	setup();
	CHECK_EQ(nf_send(&r, &f, 1, &notify), 1);
	CHECK_EQ(nf_send(&r, &f, 1, &notify), 1);
	id0 = r.tx->ring[0].req.id;
	id1 = r.tx->ring[1].req.id;
	tx_rsp(0, id0, NETIF_RSP_OKAY);
	tx_rsp(1, id0, NETIF_RSP_OKAY);	/* the same id again */
	r.tx->rsp_prod = 2;
	CHECK_EQ(nf_send(&r, &f, 1, &notify), 1);
	CHECK_EQ(r.bad, 1);
	CHECK_EQ(r.ntx_free, NF_RING - 2); /* id1 and the new one in flight */
	tx_rsp(2, 999, NETIF_RSP_OKAY);
	r.tx->rsp_prod = 3;
	CHECK_EQ(nf_send(&r, &f, 1, &notify), 1);
	CHECK_EQ(r.bad, 2);
	tx_rsp(3, id1, NETIF_RSP_ERROR);
	r.tx->rsp_prod = 4;
	CHECK_EQ(nf_send(&r, &f, 1, &notify), 1);
	CHECK_EQ(r.bad, 2);
	CHECK_EQ(r.st.tx_dropped, 1);
	CHECK(!r.broken);
	/* Completions for more than was sent: broken. */
	r.tx->rsp_prod = 100;
	CHECK_EQ(nf_send(&r, &f, 1, &notify), 1);
	CHECK(r.broken);
}

/* A full ring takes what fits and asks for an event when the backend frees a slot. */
static void test_tx_full(void)
{
	static struct plat_net_frame f[NF_RING + 10];
	bool notify;

	setup();
	for (unsigned i = 0; i < NF_RING + 10; i++)
		f[i] = (struct plat_net_frame){ .buf = frame, .len = 60 };
	CHECK_EQ(nf_send(&r, f, NF_RING + 10, &notify), NF_RING);
	CHECK_EQ(r.tx->rsp_event, 1);
	for (unsigned i = 0; i < 5; i++)
		tx_rsp(i, r.tx->ring[i].req.id, NETIF_RSP_OKAY);
	r.tx->rsp_prod = 5;
	CHECK_EQ(nf_send(&r, f, 10, &notify), 5);
	CHECK_EQ(r.tx->rsp_event, 6);
	CHECK_EQ(r.tx->req_prod, NF_RING + 5);
}

UNIT_MAIN("netfront", UNIT_TEST(test_rx_posted), UNIT_TEST(test_rx_frames), UNIT_TEST(test_rx_batches),
	  UNIT_TEST(test_rx_index_wraps), UNIT_TEST(test_rx_lies_dropped),
	  UNIT_TEST(test_rx_caller_buffer_small), UNIT_TEST(test_rx_chains_and_extras),
	  UNIT_TEST(test_rx_chain_across_calls), UNIT_TEST(test_rx_index_ahead_breaks),
	  UNIT_TEST(test_tx_frames), UNIT_TEST(test_tx_bad_frames), UNIT_TEST(test_tx_completions),
	  UNIT_TEST(test_tx_full))
