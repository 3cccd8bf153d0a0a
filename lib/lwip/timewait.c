// SPDX-License-Identifier: MIT
/*
 * A SYN for ports that lwIP still holds in TIME_WAIT. lwIP answers it with an ACK of the old
 * connection, which the client resets and then retries, again and again: it cannot connect until
 * TIME_WAIT ends, 2 MSL (two minutes) later. Clients do reuse ports that soon: Linux hands out
 * the next free port in turn, and after a few thousand connections (ab, wrk, any busy client)
 * it is back at one whose old connection this image closed first. RFC 1122 (4.2.2.13) lets a
 * host accept such a SYN when its sequence number is beyond the old connection's, as Linux and
 * BSD do. lwIP's IP input hooks run on each packet before lwIP looks at it: for such a SYN they
 * end the TIME_WAIT (no RST; it is over), and lwIP then finds the listener as for any new SYN.
 * Everything is read from the packet with its length checked; the hook never consumes it.
 */
#include <stdbool.h>
#include <string.h>
#include "lwip/opt.h"
#if LWIP_TCP
#include "lwip/ip_addr.h"
#include "lwip/pbuf.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/tcp.h"
#include "lwip_hooks.h"

#define PROTO_TCP 6
#define TCP_FLAGS_AT 13

struct syn {
	ip_addr_t src, dst;
	u16_t sport, dport;
	u32_t seq;
};

static u16_t be16(const u8_t *p)
{
	return (u16_t)(p[0] << 8 | p[1]);
}

static u32_t be32(const u8_t *p)
{
	return (u32_t)p[0] << 24 | (u32_t)p[1] << 16 | (u32_t)p[2] << 8 | p[3];
}

/* The TCP header at tcp (room bytes readable): true for a bare SYN (no ACK, no RST). */
static bool read_syn(const u8_t *tcp, u16_t room, struct syn *s)
{
	if (room < 20 || (tcp[TCP_FLAGS_AT] & (TCP_SYN | TCP_ACK | TCP_RST)) != TCP_SYN)
		return false;
	s->sport = be16(tcp), s->dport = be16(tcp + 2), s->seq = be32(tcp + 4);
	return true;
}

static void end_old_connection(const struct syn *s)
{
	for (struct tcp_pcb *pcb = tcp_tw_pcbs; pcb; pcb = pcb->next) {
		if (pcb->local_port == s->dport && pcb->remote_port == s->sport &&
		    ip_addr_cmp(&pcb->remote_ip, &s->src) && ip_addr_cmp(&pcb->local_ip, &s->dst)) {
			if (TCP_SEQ_GT(s->seq, pcb->rcv_nxt))
				tcp_abort(pcb); /* a TIME_WAIT pcb is only unlinked and freed */
			return;
		}
	}
}

#if LWIP_IPV4
int sk_lwip_ip4_input_hook(struct pbuf *p, struct netif *inp)
{
	const u8_t *ip = p->payload;
	u16_t ihl;
	struct syn s;

	(void)inp;
	if (!tcp_tw_pcbs || p->len < 20 || ip[0] >> 4 != 4 || ip[9] != PROTO_TCP ||
	    (be16(ip + 6) & 0x3fff)) /* a fragment: not here */
		return 0;
	ihl = (u16_t)((ip[0] & 0xf) * 4);
	if (ihl < 20 || p->len < ihl || !read_syn(ip + ihl, (u16_t)(p->len - ihl), &s))
		return 0;
	IP_ADDR4(&s.src, ip[12], ip[13], ip[14], ip[15]);
	IP_ADDR4(&s.dst, ip[16], ip[17], ip[18], ip[19]);
	end_old_connection(&s);
	return 0;
}
#endif

#if LWIP_IPV6
int sk_lwip_ip6_input_hook(struct pbuf *p, struct netif *inp)
{
	const u8_t *ip = p->payload;
	struct syn s;
	u32_t a[8];

	(void)inp;
	if (!tcp_tw_pcbs || p->len < 40 || ip[0] >> 4 != 6 || ip[6] != PROTO_TCP ||
	    !read_syn(ip + 40, (u16_t)(p->len - 40), &s))
		return 0;
	memcpy(a, ip + 8, sizeof(a)); /* lwIP keeps IPv6 words in network order */
	IP_ADDR6(&s.src, a[0], a[1], a[2], a[3]);
	IP_ADDR6(&s.dst, a[4], a[5], a[6], a[7]);
	/* Link-local addresses carry their interface's zone in lwIP's pcbs. */
	ip6_addr_assign_zone(ip_2_ip6(&s.src), IP6_UNKNOWN, inp);
	ip6_addr_assign_zone(ip_2_ip6(&s.dst), IP6_UNKNOWN, inp);
	end_old_connection(&s);
	return 0;
}
#endif
#endif /* LWIP_TCP */
