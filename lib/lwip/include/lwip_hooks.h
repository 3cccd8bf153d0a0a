/* SPDX-License-Identifier: MIT */
/* The lwIP hooks Skiff sets (lwipopts.h names this file as LWIP_HOOK_FILENAME). */
#ifndef SKIFF_LWIP_HOOKS_H
#define SKIFF_LWIP_HOOKS_H

struct pbuf;
struct netif;

/* timewait.c: a new connection's SYN ends the TIME_WAIT of the old one on the same ports. */
int sk_lwip_ip4_input_hook(struct pbuf *p, struct netif *inp);
int sk_lwip_ip6_input_hook(struct pbuf *p, struct netif *inp);

#endif
