/* SPDX-License-Identifier: MIT */
/*
 * The kernel's NIC registry (CONFIG_SK_NET): the platform's NICs, named en0, en1, ... in its
 * order, each with its MAC and MTU, registered once at boot; frames sent and received in batches
 * through checks, so a network stack above never sees a frame a platform got wrong.
 */
#ifndef SKIFF_NETDEV_H
#define SKIFF_NETDEV_H

#include <stdint.h>
#include <skiff/plat.h>

#define SK_NETDEV_MAX PLAT_NET_MAX_NICS
#define SK_NETDEV_MAX_FRAME PLAT_NET_MAX_FRAME
#define SK_NETDEV_MIN_FRAME 14	/* an Ethernet header */
#define SK_NETDEV_MAX_BATCH 64

struct sk_netdev {
	unsigned index;
	char name[8];		/* "en0" */
	uint8_t mac[6];
	uint16_t mtu;		/* 68 to 1500 */
	const char *model;	/* for the boot log; never NULL */
	unsigned offload;	/* PLAT_NET_TX_CSUM, PLAT_NET_RX_CSUM (plat.h) */
};

struct sk_netdev_stats {
	struct plat_net_stats plat;	/* what the driver counted */
	uint64_t rx_bad;		/* frames the platform returned that the checks here refused */
	uint64_t tx_refused;		/* frames a caller tried to send that were too short or long */
};

/* Register the platform's NICs (kernel_main calls it once the platform's devices are up). */
void sk_netdev_init(void);

unsigned sk_netdev_count(void);
/* The NIC with that index, or NULL. */
const struct sk_netdev *sk_netdev_get(unsigned index);

/*
 * Send up to n frames (1..SK_NETDEV_MAX_BATCH). Returns how many the NIC took, from the first
 * (the rest wait for room), -EINVAL when a frame is shorter than an Ethernet header, longer
 * than the MTU allows, or asks for a checksum (csum_start) the NIC does not offer or that does
 * not fit in the frame (nothing is sent then), or n is out of range; -ENODEV for no such NIC.
 */
int sk_netdev_send(unsigned index, const struct plat_net_frame *f, unsigned n);

/*
 * Receive up to n frames (1..SK_NETDEV_MAX_BATCH) into f[i].buf (f[i].len its size, at least
 * SK_NETDEV_MAX_FRAME), setting each len. Returns how many (0: none waiting), -EINVAL for a bad
 * n or buffer, -ENODEV for no such NIC. Frames the platform returned with an impossible length
 * are left out and counted (rx_bad); what it says of a frame's checksum (rx_csum) is kept only
 * where the NIC offers PLAT_NET_RX_CSUM and a partial checksum points inside the frame.
 */
int sk_netdev_recv(unsigned index, struct plat_net_frame *f, unsigned n);

/* 0 with *st filled, or -ENODEV. */
int sk_netdev_stats(unsigned index, struct sk_netdev_stats *st);

#endif
