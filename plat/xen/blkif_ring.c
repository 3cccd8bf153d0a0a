// SPDX-License-Identifier: MIT
/*
 * blkfront's ring (see xen-plat/blkif_ring.h). A batch from plat_blk_submit goes onto the ring
 * as one request per slot-sized part (up to 11 pages), as many as there are free slots, and the
 * backend is notified once when they are published (and again only if it went to sleep: the
 * req_event hold-off); then we wait for the responses. A flush waits for everything before it
 * and everything after waits for it, as plat.h's "in order" asks. Responses are copied out of
 * the shared page once before they are checked.
 */
#include <string.h>
#include <skiff/compiler.h>
#include <xen-plat/blkif_ring.h>

#define MASK (BF_RING - 1)
#define SECTOR PLAT_BLK_SECTOR

#define COPY_ONCE(dst, src)                          \
	do {                                         \
		memcpy(&(dst), (src), sizeof(dst));  \
		sk_barrier();                        \
	} while (0)

void bf_init(struct bf_ring *r)
{
	SHARED_RING_INIT(r->sring);
	r->prod = r->cons = 0;
	r->nfree = 0;
	for (unsigned s = BF_RING; s-- > 0;) {
		r->slot[s].busy = false;
		r->free[r->nfree++] = (uint8_t)s;
	}
	r->broken = false;
}

/* What a request that never reaches the ring ends with, or PLAT_OK to send it. */
static int precheck(const struct bf_ring *r, const struct plat_blk_req *q)
{
	uint64_t unit = r->sector_size / SECTOR; /* the backend's blocks, in our sectors */

	if (q->op != PLAT_BLK_READ && q->op != PLAT_BLK_WRITE && q->op != PLAT_BLK_FLUSH)
		return PLAT_EINVAL;
	if (q->op == PLAT_BLK_WRITE && r->read_only)
		return PLAT_EROFS;
	if (q->op != PLAT_BLK_FLUSH &&
	    (!q->buf || !q->len || q->len % SECTOR || q->len > PLAT_BLK_MAX_BYTES || q->sector > r->sectors ||
	     q->len / SECTOR > r->sectors - q->sector || q->sector % unit || (q->len / SECTOR) % unit))
		return PLAT_EINVAL;
	return r->broken ? PLAT_EIO : PLAT_OK;
}

/* Publish our requests; notify the backend only when it sleeps past req_event (ring.h). */
static void push(struct bf_ring *r)
{
	RING_IDX old = r->sring->req_prod;

	if (old == r->prod)
		return;
	__atomic_store_n(&r->sring->req_prod, r->prod, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if ((RING_IDX)(r->prod - __atomic_load_n(&r->sring->req_event, __ATOMIC_ACQUIRE)) <
	    (RING_IDX)(r->prod - old)) {
		r->notify(r);
		r->notifies++;
	}
}

/* Slot s is done with status: a read's data goes to the caller; the first failure of a request stays. */
static void complete(struct bf_ring *r, unsigned s, int status)
{
	struct bf_slot *sl = &r->slot[s];

	if (status == PLAT_OK && sl->op == BLKIF_OP_READ)
		for (uint32_t done = 0, k = 0; done < sl->len; done += BF_PAGE, k++)
			memcpy((char *)sl->req->buf + sl->off + done, r->page[s][k], SK_MIN(BF_PAGE, sl->len - done));
	if (sl->req->status == PLAT_OK)
		sl->req->status = status;
	sl->busy = false;
	r->free[r->nfree++] = (uint8_t)s;
}

static int status_of(int16_t st)
{
	return st == BLKIF_RSP_OKAY ? PLAT_OK : st == BLKIF_RSP_EOPNOTSUPP ? PLAT_EINVAL : PLAT_EIO;
}

/* Take every response there is: true when any slot came free. */
static bool take_responses(struct bf_ring *r)
{
	RING_IDX prod = __atomic_load_n(&r->sring->rsp_prod, __ATOMIC_ACQUIRE);
	unsigned before = r->nfree;

	if ((RING_IDX)(prod - r->cons) > (RING_IDX)(r->prod - r->cons)) {
		r->broken = true; /* responses to requests never made */
		r->bad++;
		return false;
	}
	for (; r->cons != prod; r->cons++) {
		blkif_response_t rsp;

		COPY_ONCE(rsp, &r->sring->ring[r->cons & MASK].rsp);
		if (rsp.id >= BF_RING || !r->slot[rsp.id].busy || rsp.operation != r->slot[rsp.id].op) {
			r->bad++;
			continue;
		}
		complete(r, (unsigned)rsp.id, status_of(rsp.status));
	}
	return r->nfree != before;
}

/* The disk is given up: what is in flight fails (its pages may never come back: never reused). */
static void fail_in_flight(struct bf_ring *r)
{
	r->broken = true;
	for (unsigned s = 0; s < BF_RING; s++)
		if (r->slot[s].busy)
			complete(r, s, PLAT_EIO);
}

/* Until some slot comes free, or BF_STALL_NS without one (then the disk is broken). */
static void wait_some(struct bf_ring *r)
{
	uint64_t deadline = r->now() + BF_STALL_NS;

	for (;;) {
		if (take_responses(r))
			return;
		if (r->broken)
			break;
		/* Ask for an event at the next response, then look once more before sleeping. */
		__atomic_store_n(&r->sring->rsp_event, r->cons + 1, __ATOMIC_RELEASE);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (__atomic_load_n(&r->sring->rsp_prod, __ATOMIC_ACQUIRE) != r->cons)
			continue;
		if (!r->wait(r, deadline) && r->now() >= deadline)
			break;
	}
	fail_in_flight(r);
}

static void wait_all(struct bf_ring *r)
{
	push(r);
	while (r->nfree < BF_RING && !r->broken)
		wait_some(r);
}

/* Part [off, off + len) of q into a free slot's ring entry (and its pages, for a write). */
static void queue(struct bf_ring *r, struct plat_blk_req *q, uint32_t off, uint32_t len, uint8_t op)
{
	unsigned s = r->free[--r->nfree];
	blkif_request_t *req = &r->sring->ring[r->prod++ & MASK].req;
	uint8_t nseg = 0;

	r->slot[s] = (struct bf_slot){ .req = q, .off = off, .len = len, .op = op, .busy = true };
	req->operation = op;
	req->handle = r->handle;
	req->id = s;
	req->sector_number = op == BLKIF_OP_READ || op == BLKIF_OP_WRITE ? q->sector + off / SECTOR : 0;
	for (uint32_t done = 0; done < len; done += BF_PAGE, nseg++) {
		uint32_t n = SK_MIN(BF_PAGE, len - done);

		req->seg[nseg] = (struct blkif_request_segment){ .gref = r->gref[s][nseg], .first_sect = 0,
								  .last_sect = (uint8_t)(n / SECTOR - 1) };
		if (op == BLKIF_OP_WRITE)
			memcpy(r->page[s][nseg], (const char *)q->buf + off + done, n);
	}
	req->nr_segments = nseg;
	r->requests++;
}

/* A flush: after everything before it, and before anything after it. */
static void flush(struct bf_ring *r, struct plat_blk_req *q)
{
	if (!r->flush_op)
		return; /* no write cache: what was written is on the disk */
	wait_all(r);
	if (r->broken) {
		q->status = PLAT_EIO;
		return;
	}
	queue(r, q, 0, 0, r->flush_op);
	wait_all(r);
}

int bf_submit(struct bf_ring *r, struct plat_blk_req *reqs, unsigned n)
{
	if (n == 0 || n > PLAT_BLK_MAX_REQS)
		return PLAT_EINVAL;
	for (unsigned i = 0; i < n; i++) {
		struct plat_blk_req *q = &reqs[i];

		if ((q->status = precheck(r, q)) != PLAT_OK)
			continue;
		if (q->op == PLAT_BLK_FLUSH) {
			flush(r, q);
			continue;
		}
		for (uint32_t off = 0; off < q->len; off += BF_SLOT_BYTES) {
			if (!r->nfree) {
				push(r);
				wait_some(r);
			}
			if (r->broken) {
				q->status = PLAT_EIO;
				break;
			}
			queue(r, q, off, SK_MIN(BF_SLOT_BYTES, q->len - off),
			      q->op == PLAT_BLK_READ ? BLKIF_OP_READ : BLKIF_OP_WRITE);
		}
	}
	wait_all(r);
	return PLAT_OK;
}
