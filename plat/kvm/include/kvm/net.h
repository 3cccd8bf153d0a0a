/* SPDX-License-Identifier: MIT */
/* The QEMU world's NICs: virtio-net devices found on PCI and virtio-mmio (net.c, virtio_net.c). */
#ifndef KVM_NET_H
#define KVM_NET_H

#include <skiff/plat.h>
#include <kvm/virtio.h>

struct vnet;

/* Set up a virtio-net device: NULL when it cannot be used (said why). */
struct vnet *vnet_init(struct virtio_dev *d, unsigned index);
void vnet_info(const struct vnet *n, struct plat_net_info *info);
int vnet_send(struct vnet *n, const struct plat_net_frame *f, unsigned count);
int vnet_recv(struct vnet *n, struct plat_net_frame *f, unsigned count);
void vnet_stats(const struct vnet *n, struct plat_net_stats *st);

/* The NIC table behind plat_net_* in the QEMU world; found adds a virtio-net device to it. */
void qemu_net_found(struct virtio_dev *d);
unsigned qemu_net_count(void);
int qemu_net_info(unsigned nic, struct plat_net_info *info);
int qemu_net_send(unsigned nic, const struct plat_net_frame *f, unsigned n);
int qemu_net_recv(unsigned nic, struct plat_net_frame *f, unsigned n);
int qemu_net_stats(unsigned nic, struct plat_net_stats *st);

#endif
