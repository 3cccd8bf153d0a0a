// SPDX-License-Identifier: MIT
/*
 * TCP checksum offload, the stack's half: with PLAT_NET_TX_CSUM the netif tells lwIP not to sum
 * outgoing TCP segments (NETIF_CHECKSUM_GEN_TCP off), and linkoutput calls csum_tcp_partial on
 * each frame, which leaves the pseudo-header's sum in the checksum field, as Linux does for a
 * CHECKSUM_PARTIAL packet; the NIC (or the host's, or QEMU) adds the segment's bytes. Only TCP:
 * it carries the bulk data, and a UDP sum that comes out as zero would need the 0xffff rule the
 * device may not apply. Everything is read from the frame with bounds checked, and the segment
 * must end where the frame ends, since the NIC sums to the end.
 */
#include <stddef.h>
#include "csum.h"

#define ETH_HDR 14
#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86dd
#define PROTO_TCP 6
#define TCP_HDR 20
#define TCP_CSUM_AT 16

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* One's-complement sum of n bytes (n even) added to sum, 16-bit big-endian words. */
static uint32_t add(uint32_t sum, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i += 2)
		sum += be16(p + i);
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* Where the TCP segment starts and how long it is; false when the frame is not one as required. */
static bool locate(const uint8_t *f, uint32_t len, uint32_t *l4, uint32_t *l4_len, uint32_t *pseudo)
{
	const uint8_t *ip = f + ETH_HDR;

	if (len < ETH_HDR + 20)
		return false;
	if (be16(f + 12) == ETHERTYPE_IPV4 && ip[0] >> 4 == 4) {
		uint32_t ihl = (ip[0] & 0xfu) * 4u, total = be16(ip + 2);

		if (ihl < 20 || ip[9] != PROTO_TCP || (be16(ip + 6) & 0x3fff) || /* MF or an offset */
		    total < ihl + TCP_HDR || ETH_HDR + total != len)
			return false;
		*l4 = ETH_HDR + ihl, *l4_len = total - ihl;
		*pseudo = add(PROTO_TCP + *l4_len, ip + 12, 8); /* source, destination */
		return true;
	}
	if (be16(f + 12) == ETHERTYPE_IPV6 && len >= ETH_HDR + 40 && ip[0] >> 4 == 6) {
		uint32_t payload = be16(ip + 4);

		if (ip[6] != PROTO_TCP || payload < TCP_HDR || ETH_HDR + 40 + payload != len)
			return false;
		*l4 = ETH_HDR + 40, *l4_len = payload;
		*pseudo = add(PROTO_TCP + *l4_len, ip + 8, 32); /* source, destination */
		return true;
	}
	return false;
}

bool csum_tcp_partial(uint8_t *frame, uint32_t len, uint16_t *start, uint16_t *offset)
{
	uint32_t l4, l4_len, pseudo;
	uint16_t s;

	if (!locate(frame, len, &l4, &l4_len, &pseudo))
		return false;
	s = fold(pseudo);
	frame[l4 + TCP_CSUM_AT] = (uint8_t)(s >> 8);
	frame[l4 + TCP_CSUM_AT + 1] = (uint8_t)s;
	*start = (uint16_t)l4;
	*offset = TCP_CSUM_AT;
	return true;
}

bool csum_is_tcp(const uint8_t *f, uint32_t len)
{
	if (len < ETH_HDR + 40)
		return false;
	if (be16(f + 12) == ETHERTYPE_IPV4)
		return f[ETH_HDR + 9] == PROTO_TCP;
	return be16(f + 12) == ETHERTYPE_IPV6 && f[ETH_HDR + 6] == PROTO_TCP;
}
