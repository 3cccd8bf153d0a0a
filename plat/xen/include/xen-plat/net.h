/* SPDX-License-Identifier: MIT */
/* netfront (netfront.c) and the NIC table behind plat_net_* (net.c). */
#ifndef XEN_PLAT_NET_H
#define XEN_PLAT_NET_H

#include <skiff/plat.h>

struct netfront;

/* Connect vif <id> as NIC <index> (for the log): the NIC, or NULL (with a warning) when it fails. */
struct netfront *netfront_connect(unsigned id, unsigned index);
void netfront_info(const struct netfront *nf, struct plat_net_info *info);
int netfront_send(struct netfront *nf, const struct plat_net_frame *f, unsigned n);
int netfront_recv(struct netfront *nf, struct plat_net_frame *f, unsigned n);
void netfront_stats(const struct netfront *nf, struct plat_net_stats *st);
/* Tell the backend we are going, and wait (bounded) until it has let go of our pages. */
void netfront_close(struct netfront *nf);

/* Every vif the toolstack gave us, in the order of their ids (boot); all closed (halt). */
void xen_net_probe(void);
void xen_net_close(void);

#endif
