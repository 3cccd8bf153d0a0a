// SPDX-License-Identifier: MIT
/*
 * virtio-blk, the QEMU world's disk (PCI or MMIO; one per image, as plat.h has one). A batch from
 * plat_blk_submit goes to the device as one descriptor chain per request (header, data in
 * segments of at most the device's size_max, status byte), as many as the queue holds, with one
 * notification; the driver then polls the used ring until every request is back (requests finish
 * before plat_blk_submit returns, so there is nothing to wake). Read-only devices (VIRTIO_BLK_F_RO)
 * refuse writes here; flush is a FLUSH request when the device has a write cache to flush
 * (VIRTIO_BLK_F_FLUSH), else nothing to do.
 *
 * The device is not trusted: a used entry that names no request in flight, or names one twice, is
 * counted and ignored, and a request the device never returns fails with PLAT_EIO after
 * STALL_NS, the queue then marked broken (every later request fails at once).
 */
#define pr_tag "virtio-blk"
#include <string.h>
#include <skiff/compiler.h>
#include <skiff/page.h>
#include <skiff/printk.h>
#include <kvm/blk.h>
#include <kvm/setup.h>

#define BLK_F_SIZE_MAX (1ULL << 1)
#define BLK_F_SEG_MAX (1ULL << 2)
#define BLK_F_RO (1ULL << 5)
#define BLK_F_FLUSH (1ULL << 9)
#define FEATURES (VIRTIO_F_VERSION_1 | BLK_F_SIZE_MAX | BLK_F_SEG_MAX | BLK_F_RO | BLK_F_FLUSH)

#define T_IN 0
#define T_OUT 1
#define T_FLUSH 4
#define S_OK 0
#define S_IOERR 1
#define S_UNSUPP 2

#define QUEUE 256
#define STALL_NS (30ULL * 1000000000ULL)
/* Descriptors one request may take: header, status, and its data in segments. */
#define MAX_DESCS 32

struct blk_hdr {
	uint32_t type;
	uint32_t reserved;
	uint64_t sector;
};

struct vblk {
	struct virtio_dev *d;
	struct virtq q;
	uint64_t sectors;
	uint32_t seg_bytes;	/* the most one data descriptor may carry */
	uint32_t seg_max;	/* data descriptors per request */
	bool read_only, flush;
	/* Per request slot: its header and status byte (device-visible), and whose it is. */
	struct blk_hdr hdr[PLAT_BLK_MAX_REQS];
	uint8_t status[PLAT_BLK_MAX_REQS];
	uint16_t head[PLAT_BLK_MAX_REQS];	/* its first descriptor */
	bool busy[PLAT_BLK_MAX_REQS];
	uint64_t bad;
};

static uint64_t config64(struct virtio_dev *d, unsigned off)
{
	return d->t->config_read(d, off, 4) | (uint64_t)d->t->config_read(d, off + 4, 4) << 32;
}

/* Limits from the device's configuration, kept within what a request can use. */
static void read_config(struct vblk *b, uint64_t f)
{
	uint32_t size_max = f & BLK_F_SIZE_MAX ? b->d->t->config_read(b->d, 8, 4) : 0;
	uint32_t seg_max = f & BLK_F_SEG_MAX ? b->d->t->config_read(b->d, 12, 4) : 0;

	b->sectors = config64(b->d, 0);
	b->read_only = f & BLK_F_RO;
	b->flush = f & BLK_F_FLUSH;
	b->seg_bytes = size_max >= PLAT_BLK_SECTOR ? size_max & ~(uint32_t)(PLAT_BLK_SECTOR - 1) : PLAT_BLK_MAX_BYTES;
	b->seg_max = seg_max ? SK_MIN(seg_max, MAX_DESCS - 2) : MAX_DESCS - 2;
}

struct vblk *vblk_init(struct virtio_dev *d)
{
	struct vblk *b = sk_page_alloc(sk_page_order(sizeof(*b)));
	uint64_t f;

	if (!b)
		return NULL;
	memset(b, 0, sizeof(*b));
	b->d = d;
	if (!(f = virtio_negotiate(d, FEATURES)))
		return NULL;
	read_config(b, f);
	if (virtq_init(d, &b->q, 0, QUEUE, false)) {
		pr_warn("%s: cannot set up its queue\n", d->t->name);
		virtio_fail(d);
		return NULL;
	}
	b->q.avail->flags = VIRTQ_AVAIL_F_NO_INTERRUPT; /* polled: see the top of this file */
	virtio_driver_ok(d);
	pr_info("%s: %llu sectors%s%s\n", d->base ? "virtio-blk (MMIO)" : "virtio-blk (PCI)",
		(unsigned long long)b->sectors, b->read_only ? ", read-only" : "",
		b->flush ? ", write cache (flushed on request)" : "");
	return b;
}

void vblk_info(const struct vblk *b, struct plat_blk_info *info)
{
	info->sectors = b->sectors;
	info->read_only = b->read_only;
}

/* How many descriptors r takes: header, status and its data segments; 0 if it cannot be sent. */
static unsigned descs_for(const struct vblk *b, const struct plat_blk_req *r)
{
	unsigned segs = r->op == PLAT_BLK_FLUSH ? 0 : (r->len + b->seg_bytes - 1) / b->seg_bytes;

	return segs > b->seg_max ? 0 : segs + 2;
}

/* What a request that never reaches the device ends with, or PLAT_OK to send it. */
static int precheck(const struct vblk *b, const struct plat_blk_req *r)
{
	if (r->op != PLAT_BLK_READ && r->op != PLAT_BLK_WRITE && r->op != PLAT_BLK_FLUSH)
		return PLAT_EINVAL;
	if (r->op == PLAT_BLK_WRITE && b->read_only)
		return PLAT_EROFS;
	if (r->op != PLAT_BLK_FLUSH && (!r->len || r->len % PLAT_BLK_SECTOR || r->len > PLAT_BLK_MAX_BYTES ||
					 r->sector > b->sectors || r->len / PLAT_BLK_SECTOR > b->sectors - r->sector))
		return PLAT_EINVAL;
	if (b->q.broken)
		return PLAT_EIO;
	return PLAT_OK;
}

/* Put request r into slot s as a chain starting at descriptor head. */
static void offer(struct vblk *b, unsigned s, uint16_t head, const struct plat_blk_req *r)
{
	struct virtq_buf bufs[MAX_DESCS];
	unsigned n = 0;

	b->hdr[s] = (struct blk_hdr){ .type = r->op == PLAT_BLK_READ ? T_IN : r->op == PLAT_BLK_WRITE ? T_OUT : T_FLUSH,
				      .sector = r->op == PLAT_BLK_FLUSH ? 0 : r->sector };
	b->status[s] = 0xff; /* not a status the device can give: a request it skipped is no success */
	bufs[n++] = (struct virtq_buf){ paging_phys(&b->hdr[s]), sizeof(b->hdr[s]), false };
	for (uint32_t off = 0; r->op != PLAT_BLK_FLUSH && off < r->len; off += b->seg_bytes)
		bufs[n++] = (struct virtq_buf){ paging_phys((char *)r->buf + off), SK_MIN(b->seg_bytes, r->len - off),
						 r->op == PLAT_BLK_READ };
	bufs[n++] = (struct virtq_buf){ paging_phys(&b->status[s]), 1, true };
	b->head[s] = head;
	b->busy[s] = true;
	virtq_offer_chain(&b->q, head, bufs, n);
}

static int status_of(uint8_t s)
{
	return s == S_OK ? PLAT_OK : s == S_UNSUPP ? PLAT_EINVAL : PLAT_EIO;
}

/* The slot whose chain starts at descriptor id, among the first n; -1 if none is in flight there. */
static int slot_of(const struct vblk *b, unsigned n, uint16_t id)
{
	for (unsigned s = 0; s < n; s++)
		if (b->busy[s] && b->head[s] == id)
			return (int)s;
	return -1;
}

/* Wait for the n slots in flight; each request's status from its slot (slots[] maps them back). */
static void complete(struct vblk *b, struct plat_blk_req *reqs, const unsigned *which, unsigned n)
{
	uint64_t deadline = plat_time_monotonic_ns() + STALL_NS;
	unsigned left = n;
	uint16_t id;
	uint32_t len;
	int s;

	virtq_kick(&b->q);
	while (left) {
		if (!virtq_used(&b->q, &id, &len)) {
			if (b->q.broken || plat_time_monotonic_ns() > deadline)
				break;
			__builtin_ia32_pause();
			continue;
		}
		if ((s = slot_of(b, n, id)) < 0) {
			b->bad++;
			continue;
		}
		b->busy[s] = false;
		reqs[which[s]].status = status_of(__atomic_load_n(&b->status[s], __ATOMIC_ACQUIRE));
		left--;
	}
	if (!left)
		return;
	pr_err("the device did not finish %u request(s) in %llu s: the disk is no longer used\n", left,
	       (unsigned long long)(STALL_NS / 1000000000ULL));
	b->q.broken = true;
	for (unsigned i = 0; i < n; i++)
		if (b->busy[i]) {
			b->busy[i] = false;
			reqs[which[i]].status = PLAT_EIO;
		}
}

int vblk_submit(struct vblk *b, struct plat_blk_req *reqs, unsigned n)
{
	unsigned which[PLAT_BLK_MAX_REQS], slots = 0, need;
	uint16_t next = 0;

	if (n == 0 || n > PLAT_BLK_MAX_REQS)
		return PLAT_EINVAL;
	for (unsigned i = 0; i < n; i++) {
		reqs[i].status = precheck(b, &reqs[i]);
		if (reqs[i].status != PLAT_OK)
			continue;
		if (!(need = descs_for(b, &reqs[i]))) {
			reqs[i].status = PLAT_EINVAL; /* more segments than the device takes */
			continue;
		}
		/* Requests run in order: a flush waits for everything before it to finish. */
		if (slots && (next + need > b->q.size || reqs[i].op == PLAT_BLK_FLUSH)) {
			complete(b, reqs, which, slots);
			slots = next = 0;
		}
		if (reqs[i].op == PLAT_BLK_FLUSH && !b->flush)
			continue; /* no write cache: what was written is on the disk */
		which[slots] = i;
		offer(b, slots++, next, &reqs[i]);
		next = (uint16_t)(next + need);
		if (reqs[i].op == PLAT_BLK_FLUSH) { /* and what follows it waits for it */
			complete(b, reqs, which, slots);
			slots = next = 0;
		}
	}
	if (slots)
		complete(b, reqs, which, slots);
	return PLAT_OK;
}
