// SPDX-License-Identifier: MIT
/*
 * Host unit tests of TCP checksum offload's stack half (lib/lwip/csum.c): for TCP over IPv4 and
 * IPv6, what csum_tcp_partial leaves in the frame, finished the way a NIC finishes it (sum from
 * csum_start to the end, complement, store), must equal the checksum computed here from scratch
 * (RFC 793 / RFC 8200 pseudo-header, RFC 1071 sum); frames of any other shape are left alone.
 */
#include <string.h>
#include "../../lib/lwip/csum.h"
#include "unit.h"

static uint8_t frame[1514];

/* RFC 1071 over a byte string (odd length padded with a zero byte). */
static uint32_t sum_bytes(uint32_t sum, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sum += i % 2 ? p[i] : (uint32_t)p[i] << 8;
	return sum;
}

static uint16_t complement(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* A TCP segment of tcp_len bytes (header and payload from a fixed pattern) at frame + l4. */
static void segment(size_t l4, size_t tcp_len)
{
	for (size_t i = 0; i < tcp_len; i++)
		frame[l4 + i] = (uint8_t)(i * 37 + 11);
	frame[l4 + 12] = 5 << 4; /* data offset: 20 bytes */
	frame[l4 + 16] = 0xde, frame[l4 + 17] = 0xad; /* whatever the stack left: overwritten */
}

static size_t ipv4(size_t tcp_len)
{
	size_t total = 20 + tcp_len;

	memset(frame, 0, sizeof(frame));
	frame[12] = 0x08, frame[13] = 0x00;
	frame[14] = 0x45, frame[16] = (uint8_t)(total >> 8), frame[17] = (uint8_t)total;
	frame[14 + 6] = 0x40; /* don't fragment */
	frame[14 + 8] = 64, frame[14 + 9] = 6;
	memcpy(frame + 14 + 12, (uint8_t[]){ 10, 0, 0, 2, 10, 0, 0, 1 }, 8);
	segment(34, tcp_len);
	return 14 + total;
}

static size_t ipv6(size_t tcp_len)
{
	memset(frame, 0, sizeof(frame));
	frame[12] = 0x86, frame[13] = 0xdd;
	frame[14] = 0x60, frame[18] = (uint8_t)(tcp_len >> 8), frame[19] = (uint8_t)tcp_len;
	frame[20] = 6, frame[21] = 64;
	for (int i = 0; i < 32; i++)
		frame[22 + i] = (uint8_t)(0xfd + i * 3);
	segment(54, tcp_len);
	return 54 + tcp_len;
}

/* The checksum from scratch: pseudo-header (addresses, protocol, length) and the segment. */
static uint16_t reference(size_t l4, size_t tcp_len, size_t addr_at, size_t addr_len)
{
	uint8_t seg[1514];
	uint32_t sum;

	memcpy(seg, frame + l4, tcp_len);
	seg[16] = seg[17] = 0;
	sum = sum_bytes(0, frame + addr_at, addr_len);
	sum += 6 + (uint32_t)tcp_len;
	return complement(sum_bytes(sum, seg, tcp_len));
}

/* What the NIC does with the request. */
static uint16_t finish(size_t len, uint16_t start, uint16_t offset)
{
	uint16_t c = complement(sum_bytes(0, frame + start, len - start));

	frame[start + offset] = (uint8_t)(c >> 8), frame[start + offset + 1] = (uint8_t)c;
	return c;
}

static void tcp_over_ipv4(void)
{
	static const size_t sizes[] = { 20, 21, 33, 612, 1479, 1480 };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t len = ipv4(sizes[i]);
		uint16_t want = reference(34, sizes[i], 26, 8), start = 0, offset = 0;

		CHECK(csum_is_tcp(frame, (uint32_t)len));
		CHECK(csum_tcp_partial(frame, (uint32_t)len, &start, &offset));
		CHECK_EQ(start, 34);
		CHECK_EQ(offset, 16);
		CHECK_EQ(finish(len, start, offset), want);
	}
}

static void tcp_over_ipv6(void)
{
	static const size_t sizes[] = { 20, 21, 1000, 1460 };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t len = ipv6(sizes[i]);
		uint16_t want = reference(54, sizes[i], 22, 32), start = 0, offset = 0;

		CHECK(csum_tcp_partial(frame, (uint32_t)len, &start, &offset));
		CHECK_EQ(start, 54);
		CHECK_EQ(finish(len, start, offset), want);
	}
}

/* Frames the NIC could not sum right are refused and left as they were. */
static void other_shapes(void)
{
	uint8_t before[1514];
	uint16_t start = 0, offset = 0;
	size_t len = ipv4(100);

	frame[14 + 9] = 17; /* UDP */
	memcpy(before, frame, len);
	CHECK(!csum_is_tcp(frame, (uint32_t)len));
	CHECK(!csum_tcp_partial(frame, (uint32_t)len, &start, &offset));
	CHECK(!memcmp(before, frame, len));

	len = ipv4(100);
	frame[14 + 6] = 0x20; /* more fragments */
	CHECK(csum_is_tcp(frame, (uint32_t)len));
	CHECK(!csum_tcp_partial(frame, (uint32_t)len, &start, &offset));
	len = ipv4(100);
	CHECK(!csum_tcp_partial(frame, (uint32_t)len + 6, &start, &offset)); /* padding after it */
	CHECK(!csum_tcp_partial(frame, (uint32_t)len - 1, &start, &offset)); /* cut short */
	frame[14] = 0x44; /* header length 16 */
	CHECK(!csum_tcp_partial(frame, (uint32_t)len, &start, &offset));
	len = ipv4(10); /* shorter than a TCP header */
	CHECK(!csum_tcp_partial(frame, (uint32_t)len, &start, &offset));
	CHECK(!csum_tcp_partial(frame, 20, &start, &offset));

	len = ipv6(100);
	frame[20] = 0; /* hop-by-hop options first */
	CHECK(!csum_tcp_partial(frame, (uint32_t)len, &start, &offset));
	len = ipv6(100);
	frame[12] = 0x08, frame[13] = 0x06; /* ARP */
	CHECK(!csum_is_tcp(frame, (uint32_t)len));
	CHECK(!csum_tcp_partial(frame, (uint32_t)len, &start, &offset));
	CHECK_EQ(start, 0);
}

/* A TCP segment with its right checksum in place (as a sender that summed it would send it). */
static size_t good_ipv4(size_t tcp_len)
{
	size_t len = ipv4(tcp_len);
	uint16_t c = reference(34, tcp_len, 26, 8);

	frame[34 + 16] = (uint8_t)(c >> 8), frame[34 + 17] = (uint8_t)c;
	return len;
}

static void receive_tcp(void)
{
	size_t len = good_ipv4(612);

	CHECK(csum_rx_accept(frame, (uint32_t)len, CSUM_RX_UNKNOWN, 0, 0));
	CHECK(csum_rx_accept(frame, (uint32_t)len + 20, CSUM_RX_UNKNOWN, 0, 0)); /* Ethernet padding */
	frame[34 + 300] ^= 0x40; /* one bit flipped on the way */
	CHECK(!csum_rx_accept(frame, (uint32_t)len, CSUM_RX_UNKNOWN, 0, 0));
	CHECK(csum_rx_accept(frame, (uint32_t)len, CSUM_RX_VALID, 0, 0)); /* the device checked it */
	CHECK(csum_rx_accept(frame, (uint32_t)len, CSUM_RX_PARTIAL, 34, 16)); /* the host sent it */
	len = good_ipv4(612);
	frame[14 + 6] = 0x20; /* a fragment: cannot be checked alone */
	CHECK(!csum_rx_accept(frame, (uint32_t)len, CSUM_RX_UNKNOWN, 0, 0));
	len = good_ipv4(612);
	frame[17] = 0xff; /* the IP length runs past the frame */
	CHECK(csum_rx_accept(frame, (uint32_t)len, CSUM_RX_UNKNOWN, 0, 0)); /* lwIP drops it */
}

/* IPv6 with a hop-by-hop header before TCP: found, and checked. */
static void receive_tcp_ipv6_extension(void)
{
	size_t tcp_len = 200, len;
	uint16_t c;

	len = ipv6(8 + tcp_len);
	frame[20] = 0;			/* next: hop-by-hop */
	memset(frame + 54, 0, 8);
	frame[54] = 6;			/* its next: TCP; length 0 = 8 bytes */
	segment(62, tcp_len);
	c = reference(62, tcp_len, 22, 32);
	frame[62 + 16] = (uint8_t)(c >> 8), frame[62 + 17] = (uint8_t)c;
	CHECK(csum_is_tcp(frame, (uint32_t)len));
	CHECK(csum_rx_accept(frame, (uint32_t)len, CSUM_RX_UNKNOWN, 0, 0));
	frame[62 + 100] ^= 1;
	CHECK(!csum_rx_accept(frame, (uint32_t)len, CSUM_RX_UNKNOWN, 0, 0));
	frame[54 + 1] = 200; /* an extension header longer than the packet */
	CHECK(csum_rx_accept(frame, (uint32_t)len, CSUM_RX_UNKNOWN, 0, 0)); /* lwIP drops it */
}

/* UDP the host sent unfinished: finished here to what a full sum gives. */
static void receive_udp_partial(void)
{
	size_t len = ipv4(100);
	uint16_t want, pseudo;

	frame[14 + 9] = 17;
	/* reference() sums as TCP (protocol 6); the same for UDP: */
	{
		uint8_t seg[100];
		uint32_t sum;

		memcpy(seg, frame + 34, 100);
		seg[6] = seg[7] = 0;
		sum = sum_bytes(0, frame + 26, 8) + 17 + 100;
		want = complement(sum_bytes(sum, seg, 100));
		pseudo = (uint16_t)~complement(sum_bytes(0, frame + 26, 8) + 17 + 100);
	}
	frame[34 + 6] = (uint8_t)(pseudo >> 8), frame[34 + 7] = (uint8_t)pseudo;
	CHECK(csum_rx_accept(frame, (uint32_t)len, CSUM_RX_PARTIAL, 34, 6));
	CHECK_EQ(frame[34 + 6] << 8 | frame[34 + 7], want);
	/* A request that points outside the frame is ignored, and lwIP's own check decides. */
	frame[34 + 6] = frame[34 + 7] = 0x55;
	CHECK(csum_rx_accept(frame, (uint32_t)len, CSUM_RX_PARTIAL, 34, 200));
	CHECK_EQ(frame[34 + 6], 0x55);
	/* Not IP at all. */
	frame[12] = 0x08, frame[13] = 0x06;
	CHECK(csum_rx_accept(frame, (uint32_t)len, CSUM_RX_UNKNOWN, 0, 0));
}

UNIT_MAIN("csum", UNIT_TEST(tcp_over_ipv4), UNIT_TEST(tcp_over_ipv6), UNIT_TEST(other_shapes),
	  UNIT_TEST(receive_tcp), UNIT_TEST(receive_tcp_ipv6_extension), UNIT_TEST(receive_udp_partial))
