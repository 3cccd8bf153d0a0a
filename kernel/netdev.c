// SPDX-License-Identifier: MIT
/*
 * The NIC registry over plat_net_*: names and facts taken once at boot, and every batch checked
 * on its way (a platform result is trusted no more than a device's: a count or length out of
 * range is refused and counted, never passed up).
 */
#define pr_tag "netdev"
#include <errno.h>
#include <string.h>
#include <skiff/netdev.h>
#include <skiff/printk.h>

#define MIN_MTU 68	/* IPv4's minimum */
#define ETH_HDR 14

static struct {
	struct sk_netdev dev;
	uint64_t rx_bad, tx_refused;
} nics[SK_NETDEV_MAX];
static unsigned nr_nics;

static int to_errno(int r)
{
	return r == -PLAT_ENODEV || r == PLAT_ENODEV ? -ENODEV : -EIO;
}

/* One NIC's facts from the platform: false (and a warning) when they cannot be right. */
static bool take_info(unsigned i, struct sk_netdev *d)
{
	struct plat_net_info info;

	memset(&info, 0, sizeof(info));
	if (plat_net_info(i, &info) != PLAT_OK) {
		pr_warn("NIC %u: the platform has no facts for it; not used\n", i);
		return false;
	}
	if (info.mtu < MIN_MTU || info.mtu > SK_NETDEV_MAX_FRAME - ETH_HDR) {
		pr_warn("NIC %u: MTU %u out of range (%d-%d); not used\n", i, info.mtu, MIN_MTU,
			SK_NETDEV_MAX_FRAME - ETH_HDR);
		return false;
	}
	*d = (struct sk_netdev){ .index = i, .mtu = info.mtu, .model = info.model ? info.model : "NIC",
				 .offload = info.offload & (PLAT_NET_TX_CSUM | PLAT_NET_RX_CSUM) };
	memcpy(d->mac, info.mac, sizeof(d->mac));
	sk_snprintf(d->name, sizeof(d->name), "en%u", i);
	return true;
}

void sk_netdev_init(void)
{
	unsigned n = plat_net_count();

	if (n > SK_NETDEV_MAX) {
		pr_warn("%u NICs: only the first %d are used\n", n, SK_NETDEV_MAX);
		n = SK_NETDEV_MAX;
	}
	/* Indexes are the platform's: a NIC that cannot be used ends the list, so enN stays NIC N. */
	for (nr_nics = 0; nr_nics < n && take_info(nr_nics, &nics[nr_nics].dev); nr_nics++)
		;
}

unsigned sk_netdev_count(void)
{
	return nr_nics;
}

const struct sk_netdev *sk_netdev_get(unsigned index)
{
	return index < nr_nics ? &nics[index].dev : NULL;
}

/* A frame the NIC can take: its length, and a checksum request only where it fits and is offered. */
static bool frame_ok(const struct sk_netdev *d, const struct plat_net_frame *f)
{
	if (!f->buf || f->len < SK_NETDEV_MIN_FRAME || f->len > (uint32_t)d->mtu + ETH_HDR)
		return false;
	return !f->csum_start || ((d->offload & PLAT_NET_TX_CSUM) && f->csum_start >= ETH_HDR &&
				  (uint32_t)f->csum_start + f->csum_offset + 2 <= f->len);
}

int sk_netdev_send(unsigned index, const struct plat_net_frame *f, unsigned n)
{
	int r;

	if (index >= nr_nics)
		return -ENODEV;
	if (!n || n > SK_NETDEV_MAX_BATCH)
		return -EINVAL;
	for (unsigned i = 0; i < n; i++) {
		if (!frame_ok(&nics[index].dev, &f[i])) {
			nics[index].tx_refused++;
			return -EINVAL;
		}
	}
	r = plat_net_send(index, f, n);
	if (r < 0)
		return to_errno(r);
	return r > (int)n ? (int)n : r; /* a platform that claims more took at most n */
}

/*
 * What a NIC says of received checksums counts only if it offers that, and a partial checksum
 * only where it points inside the frame; anything else becomes "unknown" (the stack checks).
 */
static void sanitize_csum(const struct sk_netdev *d, struct plat_net_frame *f, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		bool ok = (d->offload & PLAT_NET_RX_CSUM) &&
			  (f[i].rx_csum == PLAT_NET_CSUM_VALID ||
			   (f[i].rx_csum == PLAT_NET_CSUM_PARTIAL && f[i].csum_start >= ETH_HDR &&
			    (uint32_t)f[i].csum_start + f[i].csum_offset + 2 <= f[i].len));

		if (!ok)
			f[i].rx_csum = PLAT_NET_CSUM_UNKNOWN;
	}
}

int sk_netdev_recv(unsigned index, struct plat_net_frame *f, unsigned n)
{
	uint32_t cap[SK_NETDEV_MAX_BATCH];
	int r;
	unsigned kept = 0;

	if (index >= nr_nics)
		return -ENODEV;
	if (!n || n > SK_NETDEV_MAX_BATCH)
		return -EINVAL;
	for (unsigned i = 0; i < n; i++) {
		if (!f[i].buf || f[i].len < SK_NETDEV_MAX_FRAME)
			return -EINVAL;
		cap[i] = f[i].len;
	}
	r = plat_net_recv(index, f, n);
	if (r < 0)
		return to_errno(r);
	if ((unsigned)r > n) {
		nics[index].rx_bad++;
		r = (int)n;
	}
	sanitize_csum(&nics[index].dev, f, (unsigned)r);
	/* Keep the frames whose length can be right, in order; each stays in its own buffer. */
	for (unsigned i = 0; i < (unsigned)r; i++) {
		if (f[i].len < SK_NETDEV_MIN_FRAME || f[i].len > cap[i] || f[i].len > SK_NETDEV_MAX_FRAME) {
			nics[index].rx_bad++;
			continue;
		}
		if (kept != i) {
			struct plat_net_frame t = f[kept];

			f[kept] = f[i];
			f[i] = t;
		}
		kept++;
	}
	return (int)kept;
}

int sk_netdev_stats(unsigned index, struct sk_netdev_stats *st)
{
	if (index >= nr_nics)
		return -ENODEV;
	memset(st, 0, sizeof(*st));
	if (plat_net_stats(index, &st->plat) != PLAT_OK)
		memset(&st->plat, 0, sizeof(st->plat));
	st->rx_bad = nics[index].rx_bad;
	st->tx_refused = nics[index].tx_refused;
	return 0;
}
