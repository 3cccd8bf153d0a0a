/* SPDX-License-Identifier: MIT */
/* TCP checksums a NIC finishes (plat.h PLAT_NET_TX_CSUM): what the stack leaves in the frame. */
#ifndef LWIP_GLUE_CSUM_H
#define LWIP_GLUE_CSUM_H

#include <stdbool.h>
#include <stdint.h>

/*
 * If frame (len bytes, Ethernet) holds one whole TCP segment, over IPv4 unfragmented or over
 * IPv6 with TCP as the first next header, and nothing after it: store the pseudo-header's
 * folded sum in the TCP checksum field, set *start and *offset to where the NIC sums from and
 * where the field is, and return true. Anything else: false, the frame untouched.
 */
bool csum_tcp_partial(uint8_t *frame, uint32_t len, uint16_t *start, uint16_t *offset);

/* Is frame (Ethernet) a TCP segment over IPv4 or IPv6 at all (whatever its shape)? */
bool csum_is_tcp(const uint8_t *frame, uint32_t len);

/* What the NIC said of a received frame's checksum (plat.h enum plat_net_rx_csum). */
enum { CSUM_RX_UNKNOWN = 0, CSUM_RX_VALID = 1, CSUM_RX_PARTIAL = 2 };

/*
 * A received frame on a NIC whose TCP checksums lwIP does not check: false for a TCP segment
 * that nobody vouched for and whose checksum is wrong (or that is a fragment, which cannot be
 * checked alone); true for anything else. A non-TCP packet the host sent with its checksum
 * unfinished (CSUM_RX_PARTIAL, at start + offset) has it finished here, for lwIP to check.
 */
bool csum_rx_accept(uint8_t *frame, uint32_t len, int state, uint16_t start, uint16_t offset);

#endif
