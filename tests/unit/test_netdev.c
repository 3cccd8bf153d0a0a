// SPDX-License-Identifier: MIT
/*
 * Host unit tests of the NIC registry (kernel/netdev.c) over the stub platform: NICs named in
 * the platform's order, one with an impossible MTU ends the list, frames a caller gets wrong are
 * refused before the platform sees them, and a platform that lies about how many frames came or
 * how long they are has those frames left out and counted.
 */
#include <string.h>
#include <errno.h>
#include <skiff/netdev.h>
#include "stub.h"
#include "unit.h"

static uint8_t bufs[4][SK_NETDEV_MAX_FRAME];
static struct plat_net_frame f[4];

static void frames(unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		f[i] = (struct plat_net_frame){ .buf = bufs[i], .len = sizeof(bufs[i]) };
}

static void registry(void)
{
	stub_net_count = 2;
	stub_net_info.mtu = 1500;
	sk_netdev_init();
	CHECK_EQ(sk_netdev_count(), 2);
	CHECK_STR(sk_netdev_get(1)->name, "en1");
	CHECK_EQ(sk_netdev_get(1)->mtu, 1500);
	CHECK_STR(sk_netdev_get(0)->model, "stub");
	CHECK(sk_netdev_get(2) == NULL);
	stub_net_info.mtu = 9000; /* bigger than any frame the kernel can carry */
	sk_netdev_init();
	CHECK_EQ(sk_netdev_count(), 0);
	stub_net_count = 100;
	stub_net_info.mtu = 1500;
	sk_netdev_init();
	CHECK_EQ(sk_netdev_count(), SK_NETDEV_MAX);
}

static int sent;
static int count_send(unsigned nic, const struct plat_net_frame *fr, unsigned n)
{
	(void)nic, (void)fr;
	sent += (int)n;
	return (int)n + 5; /* claims more than it was given */
}

static void send_checks(void)
{
	struct sk_netdev_stats st;

	stub_net_count = 1;
	sk_netdev_init();
	stub_net_send = count_send;
	sent = 0;
	frames(2);
	f[0].len = 60;
	f[1].len = 1515; /* one byte over MTU + header */
	CHECK_EQ(sk_netdev_send(0, f, 2), -EINVAL);
	CHECK_EQ(sent, 0);
	f[1].len = 13;
	CHECK_EQ(sk_netdev_send(0, f, 2), -EINVAL);
	f[1].len = 1514;
	CHECK_EQ(sk_netdev_send(0, f, 2), 2);
	CHECK_EQ(sent, 2);
	CHECK_EQ(sk_netdev_send(0, f, 0), -EINVAL);
	CHECK_EQ(sk_netdev_send(3, f, 1), -ENODEV);
	CHECK_EQ(sk_netdev_stats(0, &st), 0);
	CHECK_EQ(st.tx_refused, 2);

	/* Checksum requests: only where the NIC offers them, and only inside the frame. */
	frames(1);
	f[0].len = 100;
	f[0].csum_start = 34, f[0].csum_offset = 16;
	CHECK_EQ(sk_netdev_send(0, f, 1), -EINVAL); /* this NIC does not offload */
	stub_net_info.offload = PLAT_NET_TX_CSUM;
	sk_netdev_init();
	CHECK_EQ(sk_netdev_get(0)->offload, PLAT_NET_TX_CSUM);
	CHECK_EQ(sk_netdev_send(0, f, 1), 1);
	f[0].csum_offset = 65; /* the field would end one byte past the frame */
	CHECK_EQ(sk_netdev_send(0, f, 1), -EINVAL);
	f[0].csum_start = 10, f[0].csum_offset = 0; /* inside the Ethernet header */
	CHECK_EQ(sk_netdev_send(0, f, 1), -EINVAL);
	stub_net_info.offload = 0;
	stub_net_send = NULL;
}

/* A lying platform: frame lengths 60, 0 (too short), 5000 (past the buffer), 100; says 6 came. */
static int lying_recv(unsigned nic, struct plat_net_frame *fr, unsigned n)
{
	static const uint32_t lens[4] = { 60, 0, 5000, 100 };

	(void)nic;
	for (unsigned i = 0; i < 4 && i < n; i++) {
		memset(fr[i].buf, (int)i + 1, 14);
		fr[i].len = lens[i];
	}
	return 6;
}

static void recv_checks(void)
{
	struct sk_netdev_stats st;
	uint8_t *first, *second;

	stub_net_count = 1;
	sk_netdev_init();
	stub_net_recv = lying_recv;
	frames(4);
	CHECK_EQ(sk_netdev_recv(0, f, 4), 2);
	first = f[0].buf, second = f[1].buf;
	CHECK(f[0].len == 60 && first[0] == 1);
	CHECK(f[1].len == 100 && second[0] == 4);
	CHECK(f[2].buf != f[0].buf && f[2].buf != f[1].buf); /* every buffer is still the caller's */
	CHECK_EQ(sk_netdev_stats(0, &st), 0);
	CHECK_EQ(st.rx_bad, 3); /* the count, the short frame, the long one */
	frames(1);
	f[0].len = 100; /* a buffer too small for a frame */
	CHECK_EQ(sk_netdev_recv(0, f, 1), -EINVAL);
	stub_net_recv = NULL;
	frames(1);
	CHECK_EQ(sk_netdev_recv(0, f, 1), 0);
}

/* What the platform says of checksums: kept only if the NIC offers it and it points inside. */
static enum plat_net_rx_csum said;
static uint16_t said_start, said_offset;
static int csum_recv(unsigned nic, struct plat_net_frame *fr, unsigned n)
{
	(void)nic, (void)n;
	fr[0].len = 100;
	fr[0].rx_csum = said;
	fr[0].csum_start = said_start, fr[0].csum_offset = said_offset;
	return 1;
}

static void recv_csum(void)
{
	stub_net_count = 1;
	stub_net_recv = csum_recv;
	sk_netdev_init(); /* no PLAT_NET_RX_CSUM */
	said = PLAT_NET_CSUM_VALID;
	frames(1);
	CHECK_EQ(sk_netdev_recv(0, f, 1), 1);
	CHECK_EQ(f[0].rx_csum, PLAT_NET_CSUM_UNKNOWN);
	stub_net_info.offload = PLAT_NET_RX_CSUM;
	sk_netdev_init();
	frames(1);
	CHECK_EQ(sk_netdev_recv(0, f, 1), 1);
	CHECK_EQ(f[0].rx_csum, PLAT_NET_CSUM_VALID);
	said = PLAT_NET_CSUM_PARTIAL, said_start = 34, said_offset = 6;
	frames(1);
	CHECK_EQ(sk_netdev_recv(0, f, 1), 1);
	CHECK_EQ(f[0].rx_csum, PLAT_NET_CSUM_PARTIAL);
	said_offset = 65; /* the field would end past the frame's 100 bytes */
	frames(1);
	CHECK_EQ(sk_netdev_recv(0, f, 1), 1);
	CHECK_EQ(f[0].rx_csum, PLAT_NET_CSUM_UNKNOWN);
	said = 7; /* not a state at all */
	frames(1);
	CHECK_EQ(sk_netdev_recv(0, f, 1), 1);
	CHECK_EQ(f[0].rx_csum, PLAT_NET_CSUM_UNKNOWN);
	stub_net_info.offload = 0;
	stub_net_recv = NULL;
}

UNIT_MAIN("netdev", UNIT_TEST(registry), UNIT_TEST(send_checks), UNIT_TEST(recv_checks), UNIT_TEST(recv_csum))
