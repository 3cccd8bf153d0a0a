/* SPDX-License-Identifier: MIT */
/*
 * blkfront's ring, without hypercalls or xenstore (host unit tests drive it with a lying
 * backend): BF_RING requests of up to BF_SEGS pages each in flight on one shared page. Data goes
 * through bounce pages granted once for the life of the disk (slot s owns page[s][0..BF_SEGS)),
 * so the backend can keep them mapped (feature-persistent) and the caller's buffers need no
 * alignment. A request of plat_blk_submit larger than one slot takes several.
 *
 * The backend is not trusted: a response whose id names no request in flight, or whose
 * operation is not the request's, is counted and ignored; an index that claims responses to
 * requests never made, or a request never answered within the deadline, ends the disk (broken):
 * what is in flight fails with PLAT_EIO, and so does everything after.
 */
#ifndef XEN_PLAT_BLKIF_RING_H
#define XEN_PLAT_BLKIF_RING_H

#include <stdbool.h>
#include <stdint.h>
#include <skiff/plat.h>
#include <xen/xen.h>
#include <xen/grant_table.h>
#include <xen/io/blkif.h>

#define BF_PAGE 4096
#define BF_RING 32 /* __CONST_RING_SIZE(blkif, 4096) */
#define BF_SEGS BLKIF_MAX_SEGMENTS_PER_REQUEST
#define BF_SLOT_BYTES (BF_SEGS * BF_PAGE)

_Static_assert(__CONST_RING_SIZE(blkif, BF_PAGE) == BF_RING, "blkif ring size");

struct bf_ring {
	blkif_sring_t *sring;		/* shared page */
	RING_IDX prod, cons;		/* our copies: requests made, responses taken */
	void *page[BF_RING][BF_SEGS];	/* bounce pages */
	grant_ref_t gref[BF_RING][BF_SEGS];
	blkif_vdev_t handle;		/* the device's number (its xenstore id) */
	uint64_t sectors;		/* capacity in 512-byte sectors */
	uint32_t sector_size;		/* the backend's logical block size: 512 to 4096 */
	bool read_only;
	uint8_t flush_op;		/* BLKIF_OP_FLUSH_DISKCACHE, _WRITE_BARRIER, or 0: no cache */
	bool broken;
	uint64_t bad;			/* responses that named nothing in flight */
	uint64_t requests, notifies;	/* ring requests made; notifications sent */
	/*
	 * Wait for the backend's event or the deadline (monotonic ns): false on timeout. The
	 * platform's (an event channel poll); a fake backend's in unit tests.
	 */
	bool (*wait)(struct bf_ring *r, uint64_t deadline_ns);
	void (*notify)(struct bf_ring *r);
	uint64_t (*now)(void);
	/* Per slot: whose request it carries and which part of it. */
	struct bf_slot {
		struct plat_blk_req *req;
		uint32_t off, len;
		uint8_t op;
		bool busy;
	} slot[BF_RING];
	uint8_t free[BF_RING];
	unsigned nfree;
};

#define BF_STALL_NS (30ULL * 1000000000ULL)

/* An empty shared ring and every slot free; sring, pages, grants and callbacks set by the caller. */
void bf_init(struct bf_ring *r);
/* plat_blk_submit's contract: n requests (1 to PLAT_BLK_MAX_REQS), each with its own status. */
int bf_submit(struct bf_ring *r, struct plat_blk_req *reqs, unsigned n);

#endif
