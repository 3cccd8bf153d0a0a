// SPDX-License-Identifier: MIT
/*
 * blkfront: the first Xen vbd behind plat_blk_* (plat.h has one disk). At boot it is connected
 * to its backend (blkback in dom0): one ring page, 32 slots of 11 bounce pages each, all granted
 * once (feature-persistent lets blkback keep them mapped instead of mapping each request's pages),
 * one event channel, the keys in one transaction, Initialised; once the backend is Connected, its
 * capacity, block size, read-only flag and cache flush come from its keys, and we say Connected.
 * The ring logic is blkif_ring.c's.
 *
 * Requests finish before plat_blk_submit returns, as on virtio-blk, so the event channel has no
 * handler: the driver waits on it alone (SCHEDOP_poll on that one port, masked so it never ends
 * plat_idle), which leaves every other device's events for the kernel.
 */
#define pr_tag "blkfront"
#include <errno.h>
#include <string.h>
#include <skiff/compiler.h>
#include <skiff/page.h>
#include <skiff/printk.h>
#include <skiff/time.h>
#include <xen/io/protocols.h>
#include <xen-plat/blkif_ring.h>
#include <xen-plat/hypercall.h>
#include <xen-plat/xen.h>
#include <xen-plat/xenbus.h>

#define CONNECT_WAIT_NS (10 * SK_NSEC_PER_SEC)

struct blkfront {
	struct xenbus_dev dev;
	unsigned id;
	evtchn_port_t port;
	int ring_ref;
	struct bf_ring r;
};

static struct blkfront *disk;

void xen_blk_probe(void);
void xen_blk_close(void);

static struct blkfront *of(struct bf_ring *r)
{
	return sk_container_of(r, struct blkfront, r);
}

static bool wait_event(struct bf_ring *r, uint64_t deadline_ns)
{
	return xen_evtchn_poll(of(r)->port, deadline_ns);
}

static void notify(struct bf_ring *r)
{
	notify_port(of(r)->port);
}

static uint64_t now(void)
{
	return plat_time_monotonic_ns();
}

/* The ring page and every bounce page, granted to the backend: 0 or a negative errno. */
static int grant_all(struct blkfront *b)
{
	domid_t be = b->dev.backend_id;

	if (gnttab_free_count() < 1 + BF_RING * BF_SEGS)
		return -ENOSPC;
	if (!(b->r.sring = sk_page_alloc(0)))
		return -ENOMEM;
	memset(b->r.sring, 0, XEN_PAGE);
	for (unsigned s = 0; s < BF_RING; s++)
		for (unsigned k = 0; k < BF_SEGS; k++) {
			if (!(b->r.page[s][k] = sk_page_alloc(0)))
				return -ENOMEM;
			b->r.gref[s][k] = (grant_ref_t)gnttab_grant_access(be, b->r.page[s][k], false);
		}
	bf_init(&b->r);
	b->ring_ref = gnttab_grant_access(be, b->r.sring, false);
	return b->ring_ref < 0 ? b->ring_ref : 0;
}

/* What blkback reads when we say Initialised, in one transaction (retried on a conflict). */
static int publish(struct blkfront *b)
{
	char path[64];
	int r = -EAGAIN;

	for (unsigned tries = 0; r == -EAGAIN && tries < 5; tries++) {
		uint32_t tx;
		int w;

		if ((r = xs_transaction_start(&tx)))
			return r;
		w = xenbus_write_uint(tx, b->dev.node, "ring-ref", (unsigned)b->ring_ref);
		w = w ? w : xenbus_write_uint(tx, b->dev.node, "event-channel", b->port);
		w = w ? w : xenbus_write_uint(tx, b->dev.node, "feature-persistent", 1);
		if (!w && !(w = xenbus_path(path, sizeof(path), b->dev.node, "protocol")))
			w = xs_write_tx(tx, path, XEN_IO_PROTO_ABI_X86_64);
		r = xs_transaction_end(tx, w == 0);
		if (w)
			return w;
	}
	return r;
}

/* The disk as the connected backend describes it; its numbers are checked, not trusted. */
static int read_disk(struct blkfront *b)
{
	const char *be = b->dev.backend;
	uint64_t sectors, info = 0, size = PLAT_BLK_SECTOR;
	char path[128], mode[4] = "";

	if (xenbus_read_uint(be, "sectors", UINT64_MAX / PLAT_BLK_SECTOR, &sectors)) {
		pr_warn("vbd %u: the backend gave no capacity\n", b->id);
		return -EINVAL;
	}
	xenbus_read_uint(be, "info", UINT32_MAX, &info);
	if (!xenbus_read_uint(be, "sector-size", 1u << 20, &size) &&
	    (size < PLAT_BLK_SECTOR || size > BF_PAGE || (size & (size - 1)))) {
		pr_warn("vbd %u: a block size of %llu bytes is not supported\n", b->id, (unsigned long long)size);
		return -EINVAL;
	}
	xenbus_path(path, sizeof(path), be, "mode");
	xs_read(path, mode, sizeof(mode));
	b->r.sectors = sectors; /* in 512-byte units, as blkback counts them */
	b->r.sector_size = (uint32_t)size;
	b->r.read_only = (info & VDISK_READONLY) || !strcmp(mode, "r");
	b->r.flush_op = xenbus_feature(be, "feature-flush-cache") ? BLKIF_OP_FLUSH_DISKCACHE :
			xenbus_feature(be, "feature-barrier")	  ? BLKIF_OP_WRITE_BARRIER :
								    0;
	return 0;
}

/* The handshake: backend InitWait, ring and keys, Initialised, backend Connected, Connected. */
static int connect(struct blkfront *b)
{
	uint64_t deadline = sk_now_ns() + CONNECT_WAIT_NS;
	const unsigned gone = 1u << XenbusStateClosing | 1u << XenbusStateClosed;
	int r;

	r = xenbus_wait_backend(&b->dev, 1u << XenbusStateInitWait | gone, deadline);
	if (r != XenbusStateInitWait)
		return r < 0 ? r : -ENODEV;
	if ((r = xen_evtchn_alloc_unbound(b->dev.backend_id, &b->port)))
		return r;
	xen_evtchn_mask(b->port);
	if ((r = grant_all(b)) || (r = publish(b)) || (r = xenbus_switch(&b->dev, XenbusStateInitialised)))
		return r;
	r = xenbus_wait_backend(&b->dev, 1u << XenbusStateConnected | gone, deadline);
	if (r != XenbusStateConnected)
		return r < 0 ? r : -EIO;
	if ((r = read_disk(b)))
		return r;
	return xenbus_switch(&b->dev, XenbusStateConnected);
}

static struct blkfront *blkfront_connect(unsigned id)
{
	struct blkfront *b = sk_page_alloc(sk_page_order(sizeof(*b)));
	int r;

	if (!b)
		return NULL;
	memset(b, 0, sizeof(*b));
	b->id = id;
	b->r.handle = (blkif_vdev_t)id;
	b->r.wait = wait_event;
	b->r.notify = notify;
	b->r.now = now;
	r = xenbus_dev_init(&b->dev, "vbd", id);
	if (!r)
		r = connect(b);
	if (r) {
		/* Its pages stay allocated and granted: the backend may still hold them. */
		pr_warn("vbd %u: not connected (%d): no disk\n", id, r);
		xenbus_switch(&b->dev, XenbusStateClosed);
		return NULL;
	}
	pr_info("vbd %u: connected to %s (dom%u), %llu sectors, %u-byte blocks%s%s\n", id, b->dev.backend,
		b->dev.backend_id, (unsigned long long)b->r.sectors, b->r.sector_size,
		b->r.read_only ? ", read-only" : "",
		b->r.flush_op == BLKIF_OP_FLUSH_DISKCACHE ? ", write cache (flushed on request)" :
		b->r.flush_op == BLKIF_OP_WRITE_BARRIER	   ? ", write cache (barriers)" :
							     "");
	return b;
}

void xen_blk_probe(void)
{
	unsigned ids[XENBUS_MAX_DEVS];
	int n = xenbus_list("vbd", ids, XENBUS_MAX_DEVS);

	if (n < 0)
		pr_warn("cannot list the vbds (%d): no disk\n", n);
	if (n > 1)
		pr_warn("%d vbds: only the first (%u) is used\n", n, ids[0]);
	if (n > 0)
		disk = blkfront_connect(ids[0]);
}

void xen_blk_close(void)
{
	if (disk && xenbus_close(&disk->dev))
		pr_warn("vbd %u: the backend did not close in time\n", disk->id);
}

int plat_blk_info(struct plat_blk_info *info)
{
	if (!disk)
		return PLAT_ENODEV;
	info->sectors = disk->r.sectors;
	info->read_only = disk->r.read_only;
	return PLAT_OK;
}

int plat_blk_submit(struct plat_blk_req *reqs, unsigned n)
{
	bool was_broken;
	int r;

	if (!disk)
		return PLAT_ENODEV;
	was_broken = disk->r.broken;
	r = bf_submit(&disk->r, reqs, n);
	if (disk->r.broken && !was_broken)
		pr_err("vbd %u: the backend broke the ring protocol or stopped answering: the disk is no longer used\n",
		       disk->id);
	return r;
}
