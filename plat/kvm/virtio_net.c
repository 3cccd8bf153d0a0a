// SPDX-License-Identifier: MIT
/*
 * virtio-net: one receive and one transmit queue of up to CONFIG_KVM_VIRTIO_NET_RING entries (fewer
 * if the device offers fewer; a power of two), each entry a fixed 2 KiB
 * buffer (the 12-byte virtio header and a full frame), so nothing is allocated per packet. All
 * receive buffers stay posted; a frame is copied out and its buffer posted again. Transmit copies
 * the frame into a free buffer and notifies the device once per batch; it asks for no interrupt,
 * and takes finished buffers back when it next sends. Only receive interrupts. Checksums: the
 * device finishes TCP checksums the stack marks (VIRTIO_NET_F_CSUM) and says which received
 * ones need no check (VIRTIO_NET_F_GUEST_CSUM), both passed through plat.h for the stack.
 *
 * The device is not trusted: a used entry whose length cannot hold a header and an Ethernet
 * header, or runs past its buffer, or that returns a transmit buffer not in flight, is dropped
 * and counted.
 */
#define pr_tag "virtio-net"
#include <string.h>
#include <skiff/page.h>
#include <skiff/printk.h>
#include <kvm/net.h>

#define NET_F_CSUM (1ULL << 0)	/* the device completes checksums we mark */
#define NET_F_GUEST_CSUM (1ULL << 1)	/* it tells us which received checksums need no check */
#define NET_F_MTU (1ULL << 3)
#define NET_F_MAC (1ULL << 5)
#ifdef CONFIG_KVM_VIRTIO_NET_CSUM
#define FEATURES (VIRTIO_F_VERSION_1 | NET_F_MTU | NET_F_MAC | NET_F_CSUM | NET_F_GUEST_CSUM)
#else
#define FEATURES (VIRTIO_F_VERSION_1 | NET_F_MTU | NET_F_MAC)
#endif
#define HDR_F_NEEDS_CSUM 1
#define HDR_F_DATA_VALID 2

#define RXQ 0
#define TXQ 1
#define RING CONFIG_KVM_VIRTIO_NET_RING
#define BUF 2048
#define HDR 12		/* struct virtio_net_hdr with num_buffers (VIRTIO_F_VERSION_1) */
#define ETH_HDR 14

struct vnet {
	struct virtio_dev *d;
	struct virtq rx, tx;
	uint8_t *rxbuf, *txbuf;		/* RING buffers of BUF bytes each */
	uint16_t tx_free[RING], ntx_free;
	bool tx_busy[RING];
	uint8_t mac[6];
	uint16_t mtu;
	unsigned offload;	/* PLAT_NET_* */
	char model[24];
	struct plat_net_stats st;
};

static void on_irq(void *arg)
{
	struct vnet *n = arg;

	n->d->t->irq_ack(n->d); /* the work happens once the idle loop has woken the receiver */
}

/* One BUF-sized buffer per entry of the queue, in one block of pages. */
static uint8_t *buffers(const struct virtq *vq)
{
	size_t bytes = (size_t)vq->size * BUF;
	unsigned order = 0;
	uint8_t *p;

	while (((size_t)4096 << order) < bytes)
		order++;
	if ((p = sk_page_alloc(order)))
		memset(p, 0, bytes);
	return p;
}

static void read_config(struct vnet *n, uint64_t f, unsigned index)
{
	if (f & NET_F_MAC) {
		for (unsigned i = 0; i < 6; i++)
			n->mac[i] = (uint8_t)n->d->t->config_read(n->d, i, 1);
	} else { /* a locally administered address of our own */
		memcpy(n->mac, (uint8_t[]){ 0x02, 0x53, 0x4b, 0x46, 0x00, (uint8_t)index }, 6);
	}
	n->offload = (f & NET_F_CSUM ? PLAT_NET_TX_CSUM : 0) | (f & NET_F_GUEST_CSUM ? PLAT_NET_RX_CSUM : 0);
	n->mtu = 1500;
	if (f & NET_F_MTU) {
		uint16_t m = (uint16_t)n->d->t->config_read(n->d, 10, 2);

		if (m >= 576 && m < 1500)
			n->mtu = m;
	}
}

struct vnet *vnet_init(struct virtio_dev *d, unsigned index)
{
	struct vnet *n = sk_page_alloc(1);
	uint64_t f;

	if (!n)
		return NULL;
	memset(n, 0, sizeof(*n));
	n->d = d;
	if (!(f = virtio_negotiate(d, FEATURES)))
		return NULL;
	read_config(n, f, index);
	if (virtq_init(d, &n->rx, RXQ, RING, true) || virtq_init(d, &n->tx, TXQ, RING, false) ||
	    !(n->rxbuf = buffers(&n->rx)) || !(n->txbuf = buffers(&n->tx)) ||
	    !d->t->irq_setup(d, on_irq, n)) {
		pr_warn("%s: cannot set up its queues or interrupt\n", d->t->name);
		virtio_fail(d);
		return NULL;
	}
	n->tx.avail->flags = VIRTQ_AVAIL_F_NO_INTERRUPT;
	for (uint16_t i = 0; i < n->tx.size; i++)
		n->tx_free[n->ntx_free++] = i;
	for (uint16_t i = 0; i < n->rx.size; i++)
		virtq_offer(&n->rx, i, (uintptr_t)(n->rxbuf + (size_t)i * BUF), BUF, true);
	virtio_driver_ok(d);
	virtq_kick(&n->rx);
	strcpy(n->model, d->base ? "virtio-net (MMIO)" : "virtio-net (PCI)");
	return n;
}

void vnet_info(const struct vnet *n, struct plat_net_info *info)
{
	memcpy(info->mac, n->mac, 6);
	info->mtu = n->mtu;
	info->model = n->model;
	info->offload = n->offload;
}

/* Finished transmit buffers back to the free list; one not in flight is the device's error. */
static void tx_reclaim(struct vnet *n)
{
	uint16_t id;
	uint32_t len;

	while (virtq_used(&n->tx, &id, &len)) {
		if (!n->tx_busy[id]) {
			n->tx.bad++;
			continue;
		}
		n->tx_busy[id] = false;
		n->tx_free[n->ntx_free++] = id;
	}
}

/* A frame this NIC can send (kernel/netdev.c has checked the rest: where a checksum request points). */
static bool frame_ok(const struct vnet *n, const struct plat_net_frame *f)
{
	return f->len >= ETH_HDR && f->len <= (uint32_t)n->mtu + ETH_HDR &&
	       (!f->csum_start || (n->offload & PLAT_NET_TX_CSUM));
}

/* struct virtio_net_hdr (little-endian): flags, gso_type, hdr_len, gso_size, csum_start, csum_offset, num_buffers. */
static void write_header(uint8_t *b, const struct plat_net_frame *f)
{
	memset(b, 0, HDR);
	if (f->csum_start) {
		b[0] = HDR_F_NEEDS_CSUM;
		b[6] = (uint8_t)f->csum_start, b[7] = (uint8_t)(f->csum_start >> 8);
		b[8] = (uint8_t)f->csum_offset, b[9] = (uint8_t)(f->csum_offset >> 8);
	}
}

int vnet_send(struct vnet *n, const struct plat_net_frame *f, unsigned count)
{
	unsigned taken = 0;

	tx_reclaim(n);
	for (; taken < count; taken++) {
		uint16_t id;
		uint8_t *b;

		if (!frame_ok(n, &f[taken])) {
			n->st.tx_dropped++;
			continue; /* taken and dropped: it can never be sent */
		}
		if (!n->ntx_free)
			break;
		id = n->tx_free[--n->ntx_free];
		n->tx_busy[id] = true;
		b = n->txbuf + (size_t)id * BUF;
		write_header(b, &f[taken]);
		memcpy(b + HDR, f[taken].buf, f[taken].len);
		virtq_offer(&n->tx, id, (uintptr_t)b, HDR + f[taken].len, false);
		n->st.tx_frames++;
	}
	if (taken)
		virtq_kick(&n->tx);
	return (int)taken;
}

/* What the header says of a received frame's checksum (kernel/netdev.c checks where it points). */
static void read_header(const struct vnet *n, const uint8_t *b, struct plat_net_frame *f)
{
	f->rx_csum = PLAT_NET_CSUM_UNKNOWN;
	f->csum_start = f->csum_offset = 0;
	if (!(n->offload & PLAT_NET_RX_CSUM))
		return;
	if (b[0] & HDR_F_NEEDS_CSUM) {
		f->rx_csum = PLAT_NET_CSUM_PARTIAL;
		f->csum_start = (uint16_t)(b[6] | b[7] << 8);
		f->csum_offset = (uint16_t)(b[8] | b[9] << 8);
	} else if (b[0] & HDR_F_DATA_VALID) {
		f->rx_csum = PLAT_NET_CSUM_VALID;
	}
}

int vnet_recv(struct vnet *n, struct plat_net_frame *f, unsigned count)
{
	unsigned got = 0, reposted = 0;
	uint16_t id;
	uint32_t len;

	while (got < count && virtq_used(&n->rx, &id, &len)) {
		uint8_t *b = n->rxbuf + (size_t)id * BUF;

		if (len < HDR + ETH_HDR || len > BUF || len - HDR > f[got].len) {
			n->st.rx_dropped++;
		} else {
			memcpy(f[got].buf, b + HDR, len - HDR);
			f[got].len = len - HDR;
			read_header(n, b, &f[got]);
			got++;
			n->st.rx_frames++;
		}
		virtq_offer(&n->rx, id, (uintptr_t)b, BUF, true);
		reposted++;
	}
	if (reposted)
		virtq_kick(&n->rx);
	return (int)got;
}

void vnet_stats(const struct vnet *n, struct plat_net_stats *st)
{
	*st = n->st;
	st->rx_dropped += n->rx.bad;
	st->tx_dropped += n->tx.bad;
}
