// SPDX-License-Identifier: MIT
/* The QEMU world's NIC table: virtio-net devices on PCI and virtio-mmio, in the order found. */
#define pr_tag "net"
#include <skiff/printk.h>
#include <kvm/net.h>

static struct vnet *nics[PLAT_NET_MAX_NICS];
static unsigned nr_nics;

void qemu_net_found(struct virtio_dev *d)
{
	struct vnet *n;

	if (nr_nics == PLAT_NET_MAX_NICS) {
		pr_warn("more than %d NICs: the rest are not used\n", PLAT_NET_MAX_NICS);
		return;
	}
	if ((n = vnet_init(d, nr_nics)))
		nics[nr_nics++] = n;
}

unsigned qemu_net_count(void)
{
	return nr_nics;
}

int qemu_net_info(unsigned nic, struct plat_net_info *info)
{
	if (nic >= nr_nics)
		return PLAT_ENODEV;
	vnet_info(nics[nic], info);
	return PLAT_OK;
}

int qemu_net_send(unsigned nic, const struct plat_net_frame *f, unsigned n)
{
	return nic < nr_nics ? vnet_send(nics[nic], f, n) : -PLAT_ENODEV;
}

int qemu_net_recv(unsigned nic, struct plat_net_frame *f, unsigned n)
{
	return nic < nr_nics ? vnet_recv(nics[nic], f, n) : -PLAT_ENODEV;
}

int qemu_net_stats(unsigned nic, struct plat_net_stats *st)
{
	if (nic >= nr_nics)
		return PLAT_ENODEV;
	vnet_stats(nics[nic], st);
	return PLAT_OK;
}
