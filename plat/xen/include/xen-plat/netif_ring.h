/* SPDX-License-Identifier: MIT */
/*
 * netfront's rings, without hypercalls or xenstore (host unit tests drive them with a lying
 * backend): a transmit and a receive ring of NF_RING entries, each on one shared page, and the
 * buffers behind them, granted once for the life of the NIC. Receive: buffer i (a page) always
 * goes with ring slot i mod NF_RING, so which buffer is free never depends on anything the
 * backend writes. Transmit: buffer id (half a page) is named in the request and must come back
 * in exactly one response.
 *
 * The backend is not trusted: a response index beyond what we asked for stops the NIC (broken);
 * a response with a wrong id, an offset or length outside its page, or one we did not ask for
 * (extra info, a chain of several slots) is dropped and counted.
 */
#ifndef XEN_PLAT_NETIF_RING_H
#define XEN_PLAT_NETIF_RING_H

#include <stdbool.h>
#include <stdint.h>
#include <skiff/plat.h>
#include <xen/xen.h>
#include <xen/grant_table.h>
#include <xen/io/netif.h>

#define NF_PAGE 4096
#define NF_RING 256 /* __CONST_RING_SIZE(netif_tx, 4096), and the same for netif_rx */
#define NF_TX_BUF 2048
#define NF_ETH_HDR 14

_Static_assert(__CONST_RING_SIZE(netif_tx, NF_PAGE) == NF_RING, "netif_tx ring size");
_Static_assert(__CONST_RING_SIZE(netif_rx, NF_PAGE) == NF_RING, "netif_rx ring size");

struct nf_rings {
	netif_tx_sring_t *tx;		/* shared pages */
	netif_rx_sring_t *rx;
	RING_IDX tx_prod, tx_cons;	/* our copies: requests made, responses taken */
	RING_IDX rx_prod, rx_cons;
	uint8_t *tx_buf;		/* NF_RING buffers of NF_TX_BUF bytes, two a page */
	uint8_t *rx_buf;		/* NF_RING pages */
	grant_ref_t tx_gref[NF_RING / 2];
	grant_ref_t rx_gref[NF_RING];
	uint16_t tx_free[NF_RING], ntx_free;
	bool tx_busy[NF_RING];
	uint16_t mtu;
	bool tx_csum;		/* the backend finishes checksums we leave blank */
	bool rx_csum;		/* report what the backend validated */
	bool rx_extra, rx_more;	/* slots still belonging to a frame being dropped */
	bool broken;		/* the backend broke the ring protocol: no more I/O */
	uint64_t bad;		/* responses that broke it less badly, dropped */
	struct plat_net_stats st;
};

/* Empty shared rings and every transmit buffer free; tx, rx, buffers and grants set by the caller. */
void nf_init(struct nf_rings *r);
/* Post every free receive buffer: true when the backend must be notified. */
bool nf_rx_fill(struct nf_rings *r);
/*
 * Copy up to n received frames out (plat_net_recv's contract) and post their buffers again; when
 * none is left, ask for an event at the next one. *notify: the backend must be notified.
 */
int nf_recv(struct nf_rings *r, struct plat_net_frame *f, unsigned n, bool *notify);
/* Queue up to n frames (plat_net_send's contract): how many were taken. */
int nf_send(struct nf_rings *r, const struct plat_net_frame *f, unsigned n, bool *notify);

#endif
