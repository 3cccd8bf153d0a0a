// SPDX-License-Identifier: MIT
/* The Xen world's NIC table behind plat_net_*: one netfront per vif, NIC N the Nth vif id. */
#define pr_tag "netfront"
#include <skiff/printk.h>
#include <xen-plat/net.h>
#include <xen-plat/xenbus.h>

static struct netfront *nics[PLAT_NET_MAX_NICS];
static unsigned nr_nics;

void xen_net_probe(void)
{
	unsigned ids[XENBUS_MAX_DEVS];
	int n = xenbus_list("vif", ids, XENBUS_MAX_DEVS);

	if (n < 0)
		pr_warn("cannot list the vifs (%d): no network\n", n);
	for (int i = 0; i < n; i++) {
		struct netfront *nf;

		if (nr_nics == PLAT_NET_MAX_NICS) {
			pr_warn("more than %d vifs: the rest are not used\n", PLAT_NET_MAX_NICS);
			break;
		}
		/* A vif that fails ends the list, so NIC N stays the Nth vif (and enN names it). */
		if (!(nf = netfront_connect(ids[i], nr_nics)))
			break;
		nics[nr_nics++] = nf;
	}
}

void xen_net_close(void)
{
	for (unsigned i = 0; i < nr_nics; i++)
		netfront_close(nics[i]);
}

unsigned plat_net_count(void)
{
	return nr_nics;
}

int plat_net_info(unsigned nic, struct plat_net_info *info)
{
	if (nic >= nr_nics)
		return PLAT_ENODEV;
	netfront_info(nics[nic], info);
	return PLAT_OK;
}

int plat_net_send(unsigned nic, const struct plat_net_frame *f, unsigned n)
{
	return nic < nr_nics ? netfront_send(nics[nic], f, n) : -PLAT_ENODEV;
}

int plat_net_recv(unsigned nic, struct plat_net_frame *f, unsigned n)
{
	return nic < nr_nics ? netfront_recv(nics[nic], f, n) : -PLAT_ENODEV;
}

int plat_net_stats(unsigned nic, struct plat_net_stats *st)
{
	if (nic >= nr_nics)
		return PLAT_ENODEV;
	netfront_stats(nics[nic], st);
	return PLAT_OK;
}
