/* SPDX-License-Identifier: MIT */
/* The per-NIC kernel options (net.ip= ..., netN.ip= ...): checked once at boot, then read. */
#ifndef LWIP_GLUE_NETOPTS_H
#define LWIP_GLUE_NETOPTS_H

#include <stdbool.h>
#include "lwip/ip_addr.h"

/* Every net.* and netN.* option; a malformed one ends the boot (status 126) with one line. */
void netopts_check(unsigned nr_nics);

/* The value of "net.KEY" for NIC 0, "netN.KEY" for NIC N; NULL when absent. */
const char *netopts_get(unsigned nic, const char *key);

/* Seconds to wait for a DHCP lease on NIC nic (net.dhcp_timeout, default 10). */
unsigned netopts_dhcp_timeout_s(unsigned nic);

#if LWIP_IPV4
/* "a.b.c.d/len" (len 0-32, default 24): false when it is not. */
bool netopts_parse_cidr(const char *s, ip4_addr_t *ip, ip4_addr_t *mask);
#endif

#endif
