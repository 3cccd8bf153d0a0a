// SPDX-License-Identifier: MIT
/*
 * The kernel's NICs (skiff/netdev.h) as lwIP interfaces: NIC N becomes netif "enN",
 * configured from the kernel command line (net.ip=10.0.0.2/24 net.gw=10.0.0.1 net.dns=10.0.0.1
 * for NIC 0, net1.ip= and so on for the others) or by DHCP when it gets no address, with IPv6
 * link-local and SLAAC addresses. One receive thread takes frames from every NIC in batches and
 * hands them to lwIP (under its core lock); frames go out from whichever thread lwIP runs in.
 */
#define pr_tag "net"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <skiff/app.h>
#include <skiff/cmdline.h>
#include <skiff/netdev.h>
#include <skiff/printk.h>
#include <skiff/thread.h>
#include <skiff/time.h>
#include "lwip/dhcp.h"
#include "lwip/dns.h"
#include "lwip/etharp.h"
#include "lwip/ethip6.h"
#include "lwip/netif.h"
#include "lwip/tcpip.h"
#include "netif/ethernet.h"
#include "lwip.h"
#include "csum.h"
#include "netopts.h"

#define RX_BATCH 32

struct nic {
	struct netif netif;
	unsigned index;
	const struct sk_netdev *dev;
	uint64_t rx_nomem;	/* frames dropped for want of a receive buffer (pbuf) */
	uint64_t tx_unsummed;	/* TCP frames the NIC was to sum but whose shape csum.c refused */
	uint64_t rx_bad_csum;	/* TCP segments nobody vouched for whose checksum was wrong */
};

static struct nic nics[SK_NETDEV_MAX];
static unsigned nr_nics;

/* One frame at a time to the NIC. lwIP calls this holding its core lock: one caller at a time. */
static err_t linkoutput(struct netif *netif, struct pbuf *p)
{
	static uint8_t frame[SK_NETDEV_MAX_FRAME];
	struct nic *n = netif->state;
	struct plat_net_frame f = { .buf = frame, .len = p->tot_len };

	if (p->tot_len > sizeof(frame))
		return ERR_BUF;
	pbuf_copy_partial(p, frame, p->tot_len, 0);
	/* lwIP left TCP checksums to the NIC (nic_init): say where, or drop what cannot be summed. */
	if ((n->dev->offload & PLAT_NET_TX_CSUM) && csum_is_tcp(frame, p->tot_len) &&
	    !csum_tcp_partial(frame, p->tot_len, &f.csum_start, &f.csum_offset)) {
		n->tx_unsummed++;
		return ERR_IF;
	}
	/* A full transmit ring empties as the device works: try again a few times, then drop. */
	for (int tries = 0; tries < 100; tries++) {
		int r = sk_netdev_send(n->index, &f, 1);

		if (r == 1)
			return ERR_OK;
		if (r < 0)
			return ERR_IF;
		sk_thread_yield();
	}
	return ERR_IF;
}

static err_t nic_init(struct netif *netif)
{
	struct nic *n = netif->state;

	netif->name[0] = 'e';
	netif->name[1] = 'n';
	netif->hwaddr_len = ETH_HWADDR_LEN;
	memcpy(netif->hwaddr, n->dev->mac, ETH_HWADDR_LEN);
	netif->mtu = n->dev->mtu;
	netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET | NETIF_FLAG_IGMP |
		       NETIF_FLAG_MLD6;
	netif->linkoutput = linkoutput;
	/* TCP checksums the NIC handles (csum.c does the rest): lwIP neither makes nor checks them. */
	NETIF_SET_CHECKSUM_CTRL(netif, NETIF_CHECKSUM_ENABLE_ALL &
			       ~(n->dev->offload & PLAT_NET_TX_CSUM ? NETIF_CHECKSUM_GEN_TCP : 0) &
			       ~(n->dev->offload & PLAT_NET_RX_CSUM ? NETIF_CHECKSUM_CHECK_TCP : 0));
#if LWIP_IPV4
	netif->output = etharp_output;
#endif
#if LWIP_IPV6
	netif->output_ip6 = ethip6_output;
	netif->mtu6 = n->dev->mtu;
#endif
	return ERR_OK;
}

/* One received frame into lwIP (or dropped: a bad TCP checksum, or no pbuf free). */
static void deliver(struct nic *n, const struct plat_net_frame *f)
{
	struct pbuf *p;

	if ((n->dev->offload & PLAT_NET_RX_CSUM) &&
	    !csum_rx_accept(f->buf, f->len, f->rx_csum, f->csum_start, f->csum_offset)) {
		n->rx_bad_csum++;
		return;
	}
	if (!(p = pbuf_alloc(PBUF_RAW, (u16_t)f->len, PBUF_POOL))) {
		n->rx_nomem++;
		return;
	}
	pbuf_take(p, f->buf, (u16_t)f->len);
	if (n->netif.input(p, &n->netif) != ERR_OK)
		pbuf_free(p);
}

/* Frames from every NIC into lwIP; sleeps until a device may have more when none has any. */
static void *rx_thread(void *arg)
{
	static uint8_t bufs[RX_BATCH][SK_NETDEV_MAX_FRAME];
	struct plat_net_frame f[RX_BATCH];

	(void)arg;
	for (;;) {
		int total = 0;

		for (unsigned i = 0; i < nr_nics; i++) {
			int got;

			for (int k = 0; k < RX_BATCH; k++)
				f[k] = (struct plat_net_frame){ .buf = bufs[k], .len = sizeof(bufs[k]) };
			got = sk_netdev_recv(i, f, RX_BATCH);
			for (int k = 0; k < got; k++)
				deliver(&nics[i], &f[k]);
			total += got > 0 ? got : 0;
		}
		if (!total)
			sk_wait_device_event();
	}
	return NULL;
}

/* Static IPv4 settings from the command line (checked at boot): true when the NIC got an address. */
static bool configure_static(struct nic *n)
{
#if LWIP_IPV4
	const char *ip = netopts_get(n->index, "ip"), *gw = netopts_get(n->index, "gw");
	const char *dns = netopts_get(n->index, "dns");
	ip4_addr_t addr, mask, gateway;

#if LWIP_DNS
	ip_addr_t server;

	if (dns && ipaddr_aton(dns, &server))
		dns_setserver(0, &server);
#else
	(void)dns;
#endif
	ip4_addr_set_zero(&gateway);
	if (!ip || !netopts_parse_cidr(ip, &addr, &mask))
		return false;
	if (gw)
		ip4addr_aton(gw, &gateway);
	netif_set_addr(&n->netif, &addr, &mask, &gateway);
	return true;
#else
	(void)n;
	return false;
#endif
}

/* The boot log line of a NIC: MAC, MTU, model, addresses and where they came from. */
static void log_nic(struct nic *n, const char *how)
{
	char line[256];
	const uint8_t *m = n->dev->mac;
	int len = snprintf(line, sizeof(line), "%s: %02x:%02x:%02x:%02x:%02x:%02x mtu %u %s%s", n->dev->name,
			   m[0], m[1], m[2], m[3], m[4], m[5], n->dev->mtu, n->dev->model,
			   n->dev->offload & (PLAT_NET_TX_CSUM | PLAT_NET_RX_CSUM) ? " (TCP checksums offloaded)" : "");

#if LWIP_IPV4
	char ip[IP4ADDR_STRLEN_MAX], gw[IP4ADDR_STRLEN_MAX];

	ip4addr_ntoa_r(netif_ip4_addr(&n->netif), ip, sizeof(ip));
	ip4addr_ntoa_r(netif_ip4_gw(&n->netif), gw, sizeof(gw));
	if (!ip4_addr_isany_val(*netif_ip4_addr(&n->netif)))
		len += snprintf(line + len, sizeof(line) - (size_t)len, ", %s/%d gw %s (%s)", ip,
				__builtin_popcount(ip4_addr_get_u32(netif_ip4_netmask(&n->netif))), gw, how);
	else
		len += snprintf(line + len, sizeof(line) - (size_t)len, ", no IPv4 address (%s)", how);
#endif
#if LWIP_IPV6
	char ll[IP6ADDR_STRLEN_MAX];

	ip6addr_ntoa_r(netif_ip6_addr(&n->netif, 0), ll, sizeof(ll));
	for (char *c = ll; *c; c++) /* lwIP writes hex in capitals; the usual form is small */
		if (*c >= 'A' && *c <= 'F')
			*c = (char)(*c - 'A' + 'a');
	if (ip6_addr_isvalid(netif_ip6_addr_state(&n->netif, 0)) ||
	    ip6_addr_istentative(netif_ip6_addr_state(&n->netif, 0)))
		len += snprintf(line + len, sizeof(line) - (size_t)len, ", %s (link-local)", ll);
#endif
	(void)how;
	pr_info("%s\n", line);
}

#if LWIP_DHCP
/* Wait (bounded) for DHCP to give NIC n an address: true when it did. */
static bool wait_dhcp(struct nic *n)
{
	uint64_t limit = (uint64_t)netopts_dhcp_timeout_s(n->index) * 1000000000ULL, start = sk_now_ns();

	while (sk_now_ns() - start < limit) {
		bool bound;

		LOCK_TCPIP_CORE();
		bound = dhcp_supplied_address(&n->netif);
		UNLOCK_TCPIP_CORE();
		if (bound)
			return true;
		sk_sleep_ns(20000000);
	}
	return false;
}
#endif

static void start_nic(struct nic *n)
{
	const char *how = "static";
	bool have_ip;

	LOCK_TCPIP_CORE();
	netif_add(&n->netif, NULL, NULL, NULL, n, nic_init, tcpip_input);
	netif_set_up(&n->netif);
	netif_set_link_up(&n->netif);
#if LWIP_IPV6
	netif_create_ip6_linklocal_address(&n->netif, 1);
	netif_set_ip6_autoconfig_enabled(&n->netif, 1);
#endif
	if (n->index == 0)
		netif_set_default(&n->netif);
	have_ip = configure_static(n);
#if LWIP_DHCP
	if (!have_ip)
		dhcp_start(&n->netif);
#endif
	UNLOCK_TCPIP_CORE();
#if LWIP_DHCP
	if (!have_ip) {
		have_ip = wait_dhcp(n);
		how = have_ip ? "DHCP" : "no DHCP lease yet: still asking";
	}
#else
	if (!have_ip)
		how = "none given";
#endif
	log_nic(n, how);
}

void sk_lwip_netifs_init(void)
{
	nr_nics = sk_netdev_count();
	netopts_check(nr_nics);
	for (unsigned i = 0; i < nr_nics; i++) {
		nics[i].index = i;
		nics[i].dev = sk_netdev_get(i);
	}
	if (!nr_nics)
		return;
	if (!sk_thread_create("netrx", rx_thread, NULL))
		pr_err("cannot start the receive thread: no network\n");
	for (unsigned i = 0; i < nr_nics; i++)
		start_nic(&nics[i]);
}
