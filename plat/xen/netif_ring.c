// SPDX-License-Identifier: MIT
/*
 * netfront's transmit and receive rings (see xen-plat/netif_ring.h). Every field of the shared
 * pages is read once into a local copy before it is checked and used: the backend may change
 * them at any time. Indexes: we publish requests with a release store of req_prod and read the
 * backend's rsp_prod with an acquire load; whether to notify follows the req_event/rsp_event
 * hold-off of xen/io/ring.h.
 */
#include <string.h>
#include <skiff/compiler.h>
#include <xen-plat/netif_ring.h>

#define MASK (NF_RING - 1)
#define NF_PAGE_U ((uint32_t)NF_PAGE)

/*
 * A response copied out of the shared page: the barrier keeps the compiler from reading the
 * shared copy again later, where the backend may have changed it after our checks.
 */
#define COPY_ONCE(dst, src)                          \
	do {                                         \
		memcpy(&(dst), (src), sizeof(dst));  \
		sk_barrier();                        \
	} while (0)

void nf_init(struct nf_rings *r)
{
	SHARED_RING_INIT(r->tx);
	SHARED_RING_INIT(r->rx);
	r->tx_prod = r->tx_cons = r->rx_prod = r->rx_cons = 0;
	r->ntx_free = 0;
	for (unsigned i = NF_RING; i-- > 0;) {
		r->tx_busy[i] = false;
		r->tx_free[r->ntx_free++] = (uint16_t)i;
	}
	r->rx_extra = r->rx_more = r->broken = false;
}

static RING_IDX load(const RING_IDX *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

/*
 * Publish requests up to prod. The backend sleeps once it has caught up with req_event; notify
 * it only when the new requests pass that point (the full fence orders our store of req_prod
 * before our load of req_event, as the backend orders its store of req_event before its load).
 */
static bool push(RING_IDX *req_prod, const RING_IDX *req_event, RING_IDX prod)
{
	RING_IDX old = *req_prod;

	__atomic_store_n(req_prod, prod, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return (RING_IDX)(prod - load(req_event)) < (RING_IDX)(prod - old);
}

/* Ask for an event at the next response, then say whether one came meanwhile. */
static bool arm(RING_IDX *rsp_event, const RING_IDX *rsp_prod, RING_IDX cons)
{
	__atomic_store_n(rsp_event, cons + 1, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return load(rsp_prod) != cons;
}

/* The backend's rsp_prod, or stop the NIC when it claims responses to requests never made. */
static bool responses(struct nf_rings *r, const RING_IDX *rsp_prod, RING_IDX cons, RING_IDX prod,
		      RING_IDX *out)
{
	RING_IDX p = load(rsp_prod);

	if ((RING_IDX)(p - cons) > (RING_IDX)(prod - cons)) {
		r->broken = true;
		r->bad++;
		return false;
	}
	*out = p;
	return true;
}

bool nf_rx_fill(struct nf_rings *r)
{
	RING_IDX first = r->rx_prod;

	if (r->broken)
		return false;
	/* Slot i's buffer is free once response i is taken: the outstanding slots never wrap onto it. */
	for (; (RING_IDX)(r->rx_prod - r->rx_cons) < NF_RING; r->rx_prod++) {
		netif_rx_request_t *req = &r->rx->ring[r->rx_prod & MASK].req;

		req->id = (uint16_t)(r->rx_prod & MASK);
		req->gref = r->rx_gref[r->rx_prod & MASK];
	}
	return r->rx_prod != first && push(&r->rx->req_prod, &r->rx->req_event, r->rx_prod);
}

/* A slot after the first of a frame we drop: extra info, then more data, as the backend sends them. */
static void skip_slot(struct nf_rings *r, RING_IDX i)
{
	if (r->rx_extra) {
		netif_extra_info_t e;

		COPY_ONCE(e, &r->rx->ring[i & MASK].rsp);
		r->rx_extra = e.flags & XEN_NETIF_EXTRA_FLAG_MORE;
	} else {
		netif_rx_response_t rsp;

		COPY_ONCE(rsp, &r->rx->ring[i & MASK].rsp);
		r->rx_more = rsp.flags & NETRXF_more_data;
	}
}

/* What the backend says of a frame's checksum: only "validated" (with no-csum-offload asked for). */
static uint8_t rx_csum(const struct nf_rings *r, uint16_t flags)
{
	return r->rx_csum && (flags & NETRXF_data_validated) ? PLAT_NET_CSUM_VALID : PLAT_NET_CSUM_UNKNOWN;
}

/* Response i as a frame in f: true when it is one, else it is dropped and counted. */
static bool take_slot(struct nf_rings *r, RING_IDX i, struct plat_net_frame *f)
{
	netif_rx_response_t rsp;
	uint32_t len;

	COPY_ONCE(rsp, &r->rx->ring[i & MASK].rsp);
	len = rsp.status > 0 ? (uint32_t)rsp.status : 0;
	if (r->rx_extra || r->rx_more) {
		skip_slot(r, i);
		return false;
	}
	/* Neither was asked for (no feature-sg, no GSO): the frame is dropped with what follows it. */
	r->rx_extra = rsp.flags & NETRXF_extra_info;
	r->rx_more = rsp.flags & NETRXF_more_data;
	if (rsp.id != (i & MASK) || rsp.offset > NF_PAGE_U || len > NF_PAGE_U - rsp.offset) {
		r->bad++;
		return false;
	}
	if (rsp.status < 0 || r->rx_extra || r->rx_more || len < NF_ETH_HDR ||
	    len > (uint32_t)r->mtu + NF_ETH_HDR || len > f->len) {
		r->st.rx_dropped++;
		return false;
	}
	memcpy(f->buf, r->rx_buf + (size_t)(i & MASK) * NF_PAGE + rsp.offset, len);
	f->len = len;
	f->rx_csum = rx_csum(r, rsp.flags);
	f->csum_start = f->csum_offset = 0;
	r->st.rx_frames++;
	return true;
}

int nf_recv(struct nf_rings *r, struct plat_net_frame *f, unsigned n, bool *notify)
{
	unsigned got = 0;
	RING_IDX prod;

	*notify = false;
	while (!r->broken && responses(r, &r->rx->rsp_prod, r->rx_cons, r->rx_prod, &prod)) {
		while (got < n && r->rx_cons != prod)
			got += take_slot(r, r->rx_cons++, &f[got]);
		if (r->rx_cons != prod || got == n || !arm(&r->rx->rsp_event, &r->rx->rsp_prod, r->rx_cons))
			break;
	}
	*notify = nf_rx_fill(r);
	return (int)got;
}

/* Finished transmit buffers back to the free list; an id not in flight is the backend's error. */
static void tx_reclaim(struct nf_rings *r)
{
	RING_IDX prod;

	if (r->broken || !responses(r, &r->tx->rsp_prod, r->tx_cons, r->tx_prod, &prod))
		return;
	for (; r->tx_cons != prod; r->tx_cons++) {
		netif_tx_response_t rsp;

		COPY_ONCE(rsp, &r->tx->ring[r->tx_cons & MASK].rsp);
		if (rsp.id >= NF_RING || !r->tx_busy[rsp.id]) {
			r->bad++;
			continue;
		}
		r->tx_busy[rsp.id] = false;
		r->tx_free[r->ntx_free++] = rsp.id;
		if (rsp.status != NETIF_RSP_OKAY)
			r->st.tx_dropped++; /* the backend dropped it */
	}
}

static bool frame_ok(const struct nf_rings *r, const struct plat_net_frame *f)
{
	return f->len >= NF_ETH_HDR && f->len <= (uint32_t)r->mtu + NF_ETH_HDR && (!f->csum_start || r->tx_csum);
}

/* Copy f into a free buffer and queue its request. */
static void queue(struct nf_rings *r, const struct plat_net_frame *f)
{
	uint16_t id = r->tx_free[--r->ntx_free];
	netif_tx_request_t *req = &r->tx->ring[r->tx_prod++ & MASK].req;

	r->tx_busy[id] = true;
	memcpy(r->tx_buf + (size_t)id * NF_TX_BUF, f->buf, f->len);
	req->gref = r->tx_gref[id / 2];
	req->offset = (uint16_t)((id % 2) * NF_TX_BUF);
	/* The stack left the pseudo-header's sum in place; netback finds the rest from the headers. */
	req->flags = f->csum_start ? NETTXF_csum_blank | NETTXF_data_validated : 0;
	req->id = id;
	req->size = (uint16_t)f->len;
	r->st.tx_frames++;
}

static bool tx_room(const struct nf_rings *r)
{
	return r->ntx_free && (RING_IDX)(r->tx_prod - r->tx_cons) < NF_RING;
}

int nf_send(struct nf_rings *r, const struct plat_net_frame *f, unsigned n, bool *notify)
{
	RING_IDX first = r->tx_prod;
	unsigned taken = 0;

	*notify = false;
	tx_reclaim(r);
	for (; taken < n; taken++) {
		if (r->broken || !frame_ok(r, &f[taken])) {
			r->st.tx_dropped++;
			continue; /* taken and dropped: it can never be sent */
		}
		if (!tx_room(r)) {
			/* Full: an event when the backend frees a slot, so plat_idle ends for the retry. */
			if (!arm(&r->tx->rsp_event, &r->tx->rsp_prod, r->tx_cons))
				break;
			tx_reclaim(r);
			if (!tx_room(r))
				break;
		}
		queue(r, &f[taken]);
	}
	if (r->tx_prod != first)
		*notify = push(&r->tx->req_prod, &r->tx->req_event, r->tx_prod);
	return (int)taken;
}
