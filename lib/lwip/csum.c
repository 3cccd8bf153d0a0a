// SPDX-License-Identifier: MIT
/*
 * Checksum offload, the stack's half (plat.h PLAT_NET_TX_CSUM, PLAT_NET_RX_CSUM).
 *
 * Sending: the netif tells lwIP not to sum outgoing TCP segments (NETIF_CHECKSUM_GEN_TCP off),
 * and linkoutput calls csum_tcp_partial on each frame, which leaves the pseudo-header's sum in
 * the checksum field, as Linux does for a CHECKSUM_PARTIAL packet; the NIC (or the host's, or
 * QEMU) adds the segment's bytes. Only TCP: it carries the bulk data, and a UDP sum that comes
 * out as zero would need the 0xffff rule a device may not apply.
 *
 * Receiving: lwIP does not check TCP checksums on such a NIC (NETIF_CHECKSUM_CHECK_TCP off);
 * csum_rx_accept checks each TCP segment the NIC did not vouch for, and finishes the checksum of
 * a non-TCP packet the host sent unfinished, so that lwIP's own check of it passes.
 *
 * Everything is read from the frame with bounds checked.
 */
#include <stddef.h>
#include "csum.h"

#define ETH_HDR 14
#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86dd
#define PROTO_TCP 6
#define PROTO_UDP 17
#define TCP_HDR 20
#define TCP_CSUM_AT 16

/* Where the transport header is, and what the checksum needs to know of the IP header. */
struct l4 {
	uint8_t proto;
	bool fragment;		/* part of a fragmented packet: its checksum cannot be checked alone */
	uint32_t off, len;	/* from the frame's start; length from the IP header */
	uint32_t pseudo;	/* the pseudo-header's sum, unfolded */
};

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* One's-complement sum of n bytes added to sum, as 16-bit big-endian words (an odd last byte padded). */
static uint32_t add(uint32_t sum, const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += be16(p + i);
	if (i < n)
		sum += (uint32_t)p[i] << 8;
	while (sum >> 16) /* keep it from overflowing on long frames */
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static bool parse_ipv4(const uint8_t *ip, uint32_t room, struct l4 *l)
{
	uint32_t ihl = (ip[0] & 0xfu) * 4u, total = be16(ip + 2);

	if (ihl < 20 || total < ihl || total > room)
		return false;
	l->proto = ip[9];
	l->fragment = (be16(ip + 6) & 0x3fff) != 0; /* more fragments, or an offset */
	l->off = ETH_HDR + ihl, l->len = total - ihl;
	l->pseudo = add(l->proto + l->len, ip + 12, 8); /* source, destination */
	return true;
}

/* IPv6: the header, then the extension headers lwIP knows, to the transport header. */
static bool parse_ipv6(const uint8_t *ip, uint32_t room, struct l4 *l)
{
	uint32_t payload = be16(ip + 4), at = 40;
	uint8_t next = ip[6];

	if (room < 40 || payload > room - 40)
		return false;
	l->fragment = false;
	for (;;) {
		if (next == 0 || next == 43 || next == 60) { /* hop-by-hop, routing, destination options */
			if (at + 8 > 40 + payload)
				return false;
			next = ip[at];
			at += 8u * (ip[at + 1] + 1u);
		} else if (next == 44) { /* fragment */
			if (at + 8 > 40 + payload)
				return false;
			l->fragment = true;
			next = ip[at];
			at += 8;
		} else {
			break;
		}
		if (at > 40 + payload)
			return false;
	}
	l->proto = next;
	l->off = ETH_HDR + at, l->len = 40 + payload - at;
	l->pseudo = add(next + l->len, ip + 8, 32); /* source, destination */
	return true;
}

static bool parse(const uint8_t *f, uint32_t len, struct l4 *l)
{
	if (len < ETH_HDR + 20)
		return false;
	if (be16(f + 12) == ETHERTYPE_IPV4 && f[ETH_HDR] >> 4 == 4)
		return parse_ipv4(f + ETH_HDR, len - ETH_HDR, l);
	if (be16(f + 12) == ETHERTYPE_IPV6 && f[ETH_HDR] >> 4 == 6)
		return parse_ipv6(f + ETH_HDR, len - ETH_HDR, l);
	return false;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8), p[1] = (uint8_t)v;
}

bool csum_is_tcp(const uint8_t *f, uint32_t len)
{
	struct l4 l;

	return parse(f, len, &l) && l.proto == PROTO_TCP;
}

bool csum_tcp_partial(uint8_t *frame, uint32_t len, uint16_t *start, uint16_t *offset)
{
	struct l4 l;

	/* The NIC sums to the frame's end: the segment must be whole and end there. */
	if (!parse(frame, len, &l) || l.proto != PROTO_TCP || l.fragment || l.len < TCP_HDR ||
	    l.off + l.len != len)
		return false;
	put16(frame + l.off + TCP_CSUM_AT, fold(l.pseudo));
	*start = (uint16_t)l.off;
	*offset = TCP_CSUM_AT;
	return true;
}

bool csum_rx_accept(uint8_t *frame, uint32_t len, int state, uint16_t start, uint16_t offset)
{
	struct l4 l;

	if (!parse(frame, len, &l))
		return true; /* not IP, or not IP lwIP could read: lwIP refuses it itself */
	if (l.proto == PROTO_TCP) {
		if (state == CSUM_RX_VALID || state == CSUM_RX_PARTIAL)
			return true;
		/* Unchecked by anyone yet: a fragment cannot be checked alone, so it is refused. */
		return !l.fragment && l.len >= TCP_HDR && fold(add(l.pseudo, frame + l.off, l.len)) == 0xffff;
	}
	if (state == CSUM_RX_PARTIAL && start >= ETH_HDR && (uint32_t)start + offset + 2 <= len) {
		/* Finish it as a NIC would: the field holds the pseudo-header's sum; add the bytes from
		 * start to the frame's end (the field included) and store the complement. */
		uint16_t c = (uint16_t)~fold(add(0, frame + start, len - start));

		put16(frame + start + offset, c || l.proto != PROTO_UDP ? c : 0xffff); /* UDP: 0 is "none" */
	}
	return true;
}
