// SPDX-License-Identifier: MIT
/*
 * netfront: a Xen vif behind plat_net_*. At boot each vif under device/vif is connected to its
 * backend (netback in dom0): a transmit and a receive ring on one page each, every buffer granted
 * once for the life of the NIC (receive: NF_RING pages; transmit: NF_RING half pages), one event
 * channel for both rings, and the keys netback needs written in one transaction (rings, channel,
 * request-rx-copy: netback copies frames into our pages, the only receive mode it has). We ask
 * for no scatter-gather and no GSO, so every frame is one slot; feature-no-csum-offload makes the
 * backend finish checksums before it hands us a frame. The ring logic is netif_ring.c's.
 *
 * The event handler does nothing: the event ends plat_idle, and the kernel's receive thread then
 * calls plat_net_recv. Sending notifies the backend only when it sleeps (req_event).
 */
#define pr_tag "netfront"
#include <errno.h>
#include <string.h>
#include <skiff/compiler.h>
#include <skiff/config.h>
#include <skiff/page.h>
#include <skiff/printk.h>
#include <skiff/time.h>
#include <xen-plat/hypercall.h>
#include <xen-plat/net.h>
#include <xen-plat/netif_ring.h>
#include <xen-plat/xen.h>
#include <xen-plat/xenbus.h>
#include <xen-plat/xs_proto.h>

#define CONNECT_WAIT_NS (10 * SK_NSEC_PER_SEC)
#define RX_ORDER 8 /* NF_RING pages */
#define TX_ORDER 7 /* NF_RING half pages */

struct netfront {
	struct xenbus_dev dev;
	unsigned id;
	evtchn_port_t port;
	int tx_ref, rx_ref;	/* the rings' grants */
	uint8_t mac[6];
	unsigned offload;
	bool reported_broken;
	char model[32];
	struct nf_rings r;
};

static void on_event(evtchn_port_t port, void *arg)
{
	(void)port, (void)arg; /* ending plat_idle was the point */
}

static void *zeroed_pages(unsigned order)
{
	void *p = sk_page_alloc(order);

	if (p)
		memset(p, 0, (size_t)XEN_PAGE << order);
	return p;
}

/* Rings and buffers, each page granted to the backend: 0 or a negative errno. */
static int grant_all(struct netfront *nf)
{
	domid_t be = nf->dev.backend_id;

	nf->r.tx = zeroed_pages(0);
	nf->r.rx = zeroed_pages(0);
	nf->r.rx_buf = zeroed_pages(RX_ORDER);
	nf->r.tx_buf = zeroed_pages(TX_ORDER);
	if (!nf->r.tx || !nf->r.rx || !nf->r.rx_buf || !nf->r.tx_buf)
		return -ENOMEM;
	if (gnttab_free_count() < 2 + NF_RING + NF_RING / 2)
		return -ENOSPC;
	for (unsigned i = 0; i < NF_RING; i++)
		nf->r.rx_gref[i] = (grant_ref_t)gnttab_grant_access(be, nf->r.rx_buf + (size_t)i * XEN_PAGE, false);
	for (unsigned i = 0; i < NF_RING / 2; i++)
		nf->r.tx_gref[i] = (grant_ref_t)gnttab_grant_access(be, nf->r.tx_buf + (size_t)i * XEN_PAGE, true);
	nf_init(&nf->r);
	nf->tx_ref = gnttab_grant_access(be, nf->r.tx, false);
	nf->rx_ref = gnttab_grant_access(be, nf->r.rx, false);
	return nf->tx_ref < 0 || nf->rx_ref < 0 ? -ENOSPC : 0;
}

/* What netback reads when we say Connected, in one transaction (retried on a conflict). */
static int publish(struct netfront *nf)
{
	const char *node = nf->dev.node;
	int r = -EAGAIN;

	for (unsigned tries = 0; r == -EAGAIN && tries < 5; tries++) {
		uint32_t tx;
		int w;

		if ((r = xs_transaction_start(&tx)))
			return r;
		w = xenbus_write_uint(tx, node, "tx-ring-ref", (unsigned)nf->tx_ref);
		w = w ? w : xenbus_write_uint(tx, node, "rx-ring-ref", (unsigned)nf->rx_ref);
		w = w ? w : xenbus_write_uint(tx, node, "event-channel", nf->port);
		w = w ? w : xenbus_write_uint(tx, node, "request-rx-copy", 1);
		w = w ? w : xenbus_write_uint(tx, node, "feature-rx-notify", 1);
		w = w ? w : xenbus_write_uint(tx, node, "feature-no-csum-offload", 1);
		r = xs_transaction_end(tx, w == 0);
		if (w)
			return w;
	}
	return r;
}

/* The MAC and MTU the toolstack wrote for this vif. */
static int read_config(struct netfront *nf)
{
	char path[64], mac[24];
	uint64_t mtu;

	xenbus_path(path, sizeof(path), nf->dev.node, "mac");
	if (xs_read(path, mac, sizeof(mac)) < 0 || xs_parse_mac(mac, nf->mac)) {
		pr_warn("vif %u: no usable MAC in %s\n", nf->id, path);
		return -EINVAL;
	}
	nf->r.mtu = 1500;
	if (!xenbus_read_uint(nf->dev.node, "mtu", 1500, &mtu) && mtu >= 576)
		nf->r.mtu = (uint16_t)mtu;
	return 0;
}

static void choose_offloads(struct netfront *nf)
{
	nf->r.rx_csum = true;
	nf->offload = PLAT_NET_RX_CSUM;
	/* netback takes blank checksums from us; this flag says it handles IPv6 ones too. */
	if (SK_ENABLED(CONFIG_XEN_NETFRONT_CSUM) && xenbus_feature(nf->dev.backend, "feature-ipv6-csum-offload")) {
		nf->r.tx_csum = true;
		nf->offload |= PLAT_NET_TX_CSUM;
	}
}

/* The handshake: backend in InitWait, rings and keys written, Connected, backend Connected. */
static int connect(struct netfront *nf)
{
	uint64_t deadline = sk_now_ns() + CONNECT_WAIT_NS;
	int r;

	if ((r = read_config(nf)))
		return r;
	r = xenbus_wait_backend(&nf->dev, 1u << XenbusStateInitWait | 1u << XenbusStateClosing |
				1u << XenbusStateClosed, deadline);
	if (r != XenbusStateInitWait)
		return r < 0 ? r : -ENODEV;
	if (!xenbus_feature(nf->dev.backend, "feature-rx-copy")) {
		pr_warn("vif %u: the backend cannot copy received frames (feature-rx-copy)\n", nf->id);
		return -EINVAL;
	}
	choose_offloads(nf);
	if ((r = xen_evtchn_alloc_unbound(nf->dev.backend_id, &nf->port)) || (r = grant_all(nf)) ||
	    (r = publish(nf)))
		return r;
	nf_rx_fill(&nf->r); /* netback reads what is posted when it connects */
	if ((r = xenbus_switch(&nf->dev, XenbusStateConnected)))
		return r;
	r = xenbus_wait_backend(&nf->dev, 1u << XenbusStateConnected | 1u << XenbusStateClosing |
				1u << XenbusStateClosed, deadline);
	if (r != XenbusStateConnected)
		return r < 0 ? r : -EIO;
	xen_evtchn_handle(nf->port, on_event, nf);
	notify_port(nf->port);
	return 0;
}

struct netfront *netfront_connect(unsigned id, unsigned index)
{
	struct netfront *nf = sk_page_alloc(sk_page_order(sizeof(*nf)));
	int r;

	if (!nf)
		return NULL;
	memset(nf, 0, sizeof(*nf));
	nf->id = id;
	r = xenbus_dev_init(&nf->dev, "vif", id);
	if (!r)
		r = connect(nf);
	if (r) {
		/* Its pages stay allocated and granted: the backend may still hold them. */
		pr_warn("vif %u: not connected (%d): no NIC %u\n", id, r, index);
		xenbus_switch(&nf->dev, XenbusStateClosed);
		return NULL;
	}
	sk_snprintf(nf->model, sizeof(nf->model), "Xen netfront (vif %u)", id);
	pr_info("vif %u: connected to %s (dom%u), MTU %u%s\n", id, nf->dev.backend, nf->dev.backend_id,
		nf->r.mtu, nf->r.tx_csum ? ", checksum offload" : "");
	return nf;
}

void netfront_info(const struct netfront *nf, struct plat_net_info *info)
{
	memcpy(info->mac, nf->mac, 6);
	info->mtu = nf->r.mtu;
	info->model = nf->model;
	info->offload = nf->offload;
}

static void check_broken(struct netfront *nf)
{
	if (nf->r.broken && !nf->reported_broken) {
		nf->reported_broken = true;
		pr_err("vif %u: the backend broke the ring protocol: the NIC is no longer used\n", nf->id);
	}
}

int netfront_send(struct netfront *nf, const struct plat_net_frame *f, unsigned n)
{
	bool notify;
	int r = nf_send(&nf->r, f, n, &notify);

	if (notify)
		notify_port(nf->port);
	check_broken(nf);
	return r;
}

int netfront_recv(struct netfront *nf, struct plat_net_frame *f, unsigned n)
{
	bool notify;
	int r = nf_recv(&nf->r, f, n, &notify);

	if (notify)
		notify_port(nf->port);
	check_broken(nf);
	return r;
}

void netfront_stats(const struct netfront *nf, struct plat_net_stats *st)
{
	*st = nf->r.st;
	st->rx_dropped += nf->r.bad;
}

void netfront_close(struct netfront *nf)
{
	if (xenbus_close(&nf->dev))
		pr_warn("vif %u: the backend did not close in time\n", nf->id);
}
