// SPDX-License-Identifier: MIT
/*
 * kv's append-only log on the block device: one checksummed record per write, replayed at boot,
 * a damaged tail reported and cut off, and rewrites of the live keys switched in crash-safely.
 *
 * On the disk (numbers little-endian, sectors of 512 bytes):
 *
 *   sector 0, 1   two copies of the header (struct sb): magic, version, seq, the active region,
 *                 its generation, the boot epoch, the region size, the log's size after the last
 *                 rewrite, and a CRC32C. Each write goes to the copy that is not current, and the
 *                 valid copy with the higher seq wins; so a header write that tears leaves the
 *                 copy before it, and switching logs is one sector write.
 *   sector 8..    two regions of equal size; the active one holds the log from its first byte:
 *                 records packed end to end, not aligned to sectors.
 *   record        a 24-byte header {magic, payload bytes, epoch, prev, payload CRC32C, CRC32C of
 *                 the 20 bytes before}, then the payload {argc, then per argument: its length,
 *                 its bytes, a NUL (so replayed arguments are C strings too)}.
 *
 * Where the log ends is not written anywhere; a record proves itself instead. Its prev is the
 * header CRC of the record before it (for the first, a value made from the generation), so a
 * record counts only right after the one it was written after: an older log's records in the
 * region, or records cut off at a boot, do not chain on. The epoch, bumped in the header at every
 * boot before anything is written, makes the records of this boot differ from ones cut at it even
 * when the commands are the same. And the sector that holds the end of the log is always written
 * whole, the log's bytes and then zeros; so a record that does not check out where the rest of
 * its sector is all zeros is the end, and anything else there is damage: reported, and cut off.
 *
 * Each commit rewrites that tail sector with its old bytes (the same values, from the copy kept
 * here) and the new ones after them, so a torn write of it leaves the records already there as
 * they were. A rewrite fills the other region and flushes it before the header names it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <skiff/blk.h>
#include <skiff/compiler.h>
#include "aof.h"

#define SECTOR SK_BLK_SECTOR
#define HDR_SECTORS 8			/* the two header copies, and room */
#define SB_MAGIC "skiffkv"		/* 8 bytes with its NUL */
#define SB_VERSION 1
#define REC_HDR 24
#define REC_MAGIC 0x3156534bu		/* "KSV1" on the disk */
#define REC_MAX (64u << 20)		/* payload bytes: a 16 MiB value with room to spare */
#define ARGC_MAX 65536u
#define MIN_DISK (1u << 20)
#define WINDOW SK_BLK_MAX_BYTES		/* replay reads and rewrite writes: one request each */
#define REWRITE_MIN (1u << 20)		/* no rewrite for logs smaller than this */
#define REWRITE_SLACK (64u << 10)		/* the least growth that a rewrite for room waits for */
#define REWRITE_RETRY_MS 10000		/* after a failed rewrite, before aof_tick tries again */
#define QUEUE_KEEP (256u << 10)		/* a bigger queue buffer is freed once written */

/* The header, as kept in memory. */
struct sb {
	uint64_t seq, gen, region_sectors, base;
	uint32_t epoch, active;
};

static struct {
	bool enabled;
	bool broken;		/* the header may name a log we no longer write: refuse writes */
	bool failing;		/* the last write failed: said once, until one works again */
	bool dirty;		/* written since the last flush */
	struct sb sb;
	uint64_t disk_sectors, region_bytes;
	uint64_t end;		/* bytes of log written */
	uint32_t chain;		/* header CRC of the last record written */
	uint8_t tail[SECTOR];	/* the sector holding end: the log's bytes, then zeros */
	uint8_t *q;		/* records queued for aof_commit, chained after the written ones */
	size_t qlen, qcap;
	uint32_t qchain;
	uint64_t qrecords;
	uint64_t next_gen;
	uint64_t last_flush_ms;
	bool rewrite_failed;	/* no rewrite again until aof_tick has waited REWRITE_RETRY_MS */
	uint64_t rewrite_after_ms;
	aof_walk_fn walk;	/* the last aof_tick's, for a rewrite when aof_append finds no room */
	void *walk_ctx;
	struct aof_stats st;
} aof;

static enum aof_fsync fsync_mode = AOF_FSYNC_EVERYSEC;

/* One line for the operator, out now: what happens while kv serves is not followed by more. */
static __sk_printf(1, 2) void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
}

/* --- Little-endian fields and CRC32C -------------------------------------------------------- */

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> 8 * i);
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> 8 * i);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
	return get32(p) | (uint64_t)get32(p + 4) << 32;
}

/* Eight tables, so the loop takes eight bytes per step: replaying a big log is bound by this. */
static uint32_t crc_tab[8][256];

static void crc_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0x82f63b78u : c >> 1; /* Castagnoli, reflected */
		crc_tab[0][i] = c;
	}
	for (uint32_t i = 0; i < 256; i++)
		for (int t = 1; t < 8; t++)
			crc_tab[t][i] = (crc_tab[t - 1][i] >> 8) ^ crc_tab[0][crc_tab[t - 1][i] & 0xff];
}

/* CRC32C, carried on from crc (0 to start): crc32c(crc32c(0, a), b) is the CRC of a then b. */
static uint32_t crc32c(uint32_t crc, const void *data, size_t n)
{
	const uint8_t *p = data;

	if (!crc_tab[0][1])
		crc_init();
	crc = ~crc;
	for (; n >= 8; p += 8, n -= 8) {
		uint32_t lo = get32(p) ^ crc, hi = get32(p + 4);

		crc = crc_tab[7][lo & 0xff] ^ crc_tab[6][lo >> 8 & 0xff] ^ crc_tab[5][lo >> 16 & 0xff] ^
		      crc_tab[4][lo >> 24] ^ crc_tab[3][hi & 0xff] ^ crc_tab[2][hi >> 8 & 0xff] ^
		      crc_tab[1][hi >> 16 & 0xff] ^ crc_tab[0][hi >> 24];
	}
	while (n--)
		crc = crc_tab[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

/* What the first record of a generation's log chains to. */
static uint32_t gen_seed(uint64_t gen)
{
	uint8_t b[8];

	put64(b, gen);
	return crc32c(0x6b766c67u, b, sizeof(b));
}

/* --- Block requests ------------------------------------------------------------------------- */

/* Requests gathered into batches; the first error sticks and later requests are dropped. */
struct batch {
	struct sk_blk_req q[SK_BLK_MAX_REQS];
	unsigned n;
	int err;
};

static void batch_run(struct batch *b)
{
	int r = 0;

	if (b->n && !b->err) {
		r = sk_blk_io(b->q, b->n);
		for (unsigned i = 0; !r && i < b->n; i++)
			r = b->q[i].status;
		b->err = r;
	}
	b->n = 0;
}

static void batch_add(struct batch *b, enum plat_blk_op op, uint64_t sector, const void *buf,
		      uint32_t len)
{
	if (b->n == SK_BLK_MAX_REQS)
		batch_run(b);
	b->q[b->n++] = (struct sk_blk_req){ .op = op, .sector = sector, .buf = (void *)buf, .len = len };
}

/* len bytes (whole sectors) from buf, in requests of at most SK_BLK_MAX_BYTES. */
static void batch_write(struct batch *b, uint64_t sector, const uint8_t *buf, uint64_t len)
{
	while (len) {
		uint32_t n = len < SK_BLK_MAX_BYTES ? (uint32_t)len : SK_BLK_MAX_BYTES;

		batch_add(b, PLAT_BLK_WRITE, sector, buf, n);
		sector += n / SECTOR, buf += n, len -= n;
	}
}

static int io1(enum plat_blk_op op, uint64_t sector, void *buf, uint32_t len)
{
	struct batch b = { .n = 0 };

	batch_add(&b, op, sector, buf, len);
	batch_run(&b);
	return b.err;
}

static uint64_t region_sector(uint32_t region)
{
	return HDR_SECTORS + region * aof.sb.region_sectors;
}

static void count_error(const char *what, int err)
{
	aof.st.errors++;
	if (!aof.failing)
		say("kv: log: %s failed (%s); writes get errors until the disk works again\n", what,
		    strerror(-err));
	aof.failing = true;
}

/* --- The header ----------------------------------------------------------------------------- */

static void sb_encode(const struct sb *sb, uint8_t s[SECTOR])
{
	memset(s, 0, SECTOR);
	memcpy(s, SB_MAGIC, 8);
	put32(s + 8, SB_VERSION);
	put32(s + 12, sb->epoch);
	put64(s + 16, sb->seq);
	put64(s + 24, sb->gen);
	put32(s + 32, sb->active);
	put64(s + 40, sb->region_sectors);
	put64(s + 48, sb->base);
	put32(s + SECTOR - 4, crc32c(0, s, SECTOR - 4));
}

static bool sb_decode(const uint8_t s[SECTOR], struct sb *sb)
{
	if (memcmp(s, SB_MAGIC, 8) || get32(s + 8) != SB_VERSION ||
	    get32(s + SECTOR - 4) != crc32c(0, s, SECTOR - 4))
		return false;
	sb->epoch = get32(s + 12);
	sb->seq = get64(s + 16);
	sb->gen = get64(s + 24);
	sb->active = get32(s + 32);
	sb->region_sectors = get64(s + 40);
	sb->base = get64(s + 48);
	return sb->active <= 1 && sb->region_sectors && sb->region_sectors < (1ull << 48) &&
	       sb->base <= sb->region_sectors * SECTOR;
}

/*
 * Write sb as the next header (seq one past the current one, so into the copy that is not
 * current) and flush. Before it the current copy stands, after it sb; a torn write leaves the
 * current copy. prefix (a batch with requests already in it, or NULL) runs first.
 */
static int sb_write(struct sb *sb, struct batch *prefix)
{
	struct batch own = { .n = 0 }, *b = prefix ? prefix : &own;
	uint8_t s[SECTOR];

	sb->seq = aof.sb.seq + 1;
	sb_encode(sb, s);
	batch_add(b, PLAT_BLK_WRITE, sb->seq & 1, s, SECTOR);
	batch_add(b, PLAT_BLK_FLUSH, 0, NULL, 0);
	batch_run(b);
	if (!b->err)
		aof.st.flushes++;
	return b->err;
}

/* A new log in region 0 of a disk with no header: an empty first sector, then the header. */
static int format(uint64_t sectors)
{
	static const uint8_t zero[SECTOR];
	struct sb sb = { .gen = 1, .region_sectors = (sectors - HDR_SECTORS) / 2 };
	struct batch b = { .n = 0 };
	int r;

	batch_add(&b, PLAT_BLK_WRITE, HDR_SECTORS, zero, SECTOR);
	batch_add(&b, PLAT_BLK_FLUSH, 0, NULL, 0);
	batch_run(&b);
	if (b.err)
		return b.err;
	aof.sb.seq = 1; /* so this header is seq 2 and lands in copy 0; copy 1 is not valid */
	r = sb_write(&sb, NULL);
	if (!r)
		aof.sb = sb;
	return r;
}

/* The current header into aof.sb: 0, 1 after formatting a disk that had none, or an errno. */
static int load_header(uint64_t sectors)
{
	uint8_t s[2 * SECTOR];
	struct sb a, b;
	bool ok_a, ok_b;
	int r = io1(PLAT_BLK_READ, 0, s, sizeof(s));

	if (r)
		return r;
	ok_a = sb_decode(s, &a);
	ok_b = sb_decode(s + SECTOR, &b);
	if (!ok_a && !ok_b) {
		r = format(sectors);
		return r ? r : 1;
	}
	aof.sb = ok_a && (!ok_b || a.seq > b.seq) ? a : b;
	return 0;
}

/* --- Records -------------------------------------------------------------------------------- */

/* A record's payload goes to a sink: the CRC, the queue, or a rewrite's stream. */
typedef void (*put_fn)(void *sink, const void *data, size_t n);

static void put_payload(put_fn put, void *sink, int argc, char **argv, const size_t *lens)
{
	uint8_t n[4];

	put32(n, (uint32_t)argc);
	put(sink, n, 4);
	for (int i = 0; i < argc; i++) {
		put32(n, (uint32_t)lens[i]);
		put(sink, n, 4);
		put(sink, argv[i], lens[i]);
		put(sink, "", 1);
	}
}

static void crc_put(void *sink, const void *data, size_t n)
{
	*(uint32_t *)sink = crc32c(*(uint32_t *)sink, data, n);
}

/* Payload bytes of a record, or 0 when it is too big to log. */
static uint64_t payload_size(int argc, const size_t *lens)
{
	uint64_t size = 4;

	if (argc < 1 || (unsigned)argc > ARGC_MAX)
		return 0;
	for (int i = 0; i < argc; i++) {
		if (lens[i] > REC_MAX)
			return 0;
		size += 5 + (uint64_t)lens[i];
	}
	return size <= REC_MAX ? size : 0;
}

/* A record header; returns its CRC, what the next record chains to. */
static uint32_t rec_header(uint8_t h[REC_HDR], uint32_t len, uint32_t epoch, uint32_t prev,
			   uint32_t crc)
{
	put32(h, REC_MAGIC);
	put32(h + 4, len);
	put32(h + 8, epoch);
	put32(h + 12, prev);
	put32(h + 16, crc);
	put32(h + 20, crc32c(0, h, 20));
	return get32(h + 20);
}

struct rec {
	uint32_t len, prev, crc, hcrc;
};

/* A header that is whole and follows chain, with a length that fits in room bytes. */
static bool rec_check(const uint8_t h[REC_HDR], uint32_t chain, uint64_t room, struct rec *rc)
{
	if (get32(h) != REC_MAGIC || get32(h + 20) != crc32c(0, h, 20))
		return false;
	*rc = (struct rec){ .len = get32(h + 4), .prev = get32(h + 12), .crc = get32(h + 16),
			    .hcrc = get32(h + 20) };
	return rc->prev == chain && rc->len <= REC_MAX && REC_HDR + (uint64_t)rc->len <= room;
}

/* --- Replay --------------------------------------------------------------------------------- */

/* Reads of the active region through a window of up to WINDOW bytes. */
struct reader {
	uint64_t first, size;	/* the region: first sector, bytes */
	uint8_t *win;
	uint64_t woff;		/* region offset of win[0] */
	uint32_t wlen;
	uint64_t bad_sector;	/* where a read failed, for the message */
};

/* n bytes at region offset off (off + n <= size): 0 or an errno. */
static int rd(struct reader *r, uint64_t off, void *dst, size_t n)
{
	uint8_t *d = dst;

	while (n) {
		size_t k;

		if (off < r->woff || off >= r->woff + r->wlen) {
			uint64_t start = off - off % SECTOR, len = r->size - start;
			int e;

			len = len < WINDOW ? len : WINDOW;
			e = io1(PLAT_BLK_READ, r->first + start / SECTOR, r->win, (uint32_t)len);
			r->wlen = 0;
			if (e) {
				r->bad_sector = r->first + start / SECTOR;
				return e;
			}
			r->woff = start, r->wlen = (uint32_t)len;
		}
		k = r->woff + r->wlen - off < n ? (size_t)(r->woff + r->wlen - off) : n;
		memcpy(d, r->win + (off - r->woff), k);
		d += k, off += k, n -= k;
	}
	return 0;
}

struct replay {
	struct reader rd;
	uint8_t *buf;		/* one record's payload */
	size_t cap;
	char **argv;
	size_t *lens;
	uint32_t argcap;
	uint64_t off, records;
	uint32_t chain;
};

enum { REC_OK, REC_BAD_HEADER, REC_BAD_PAYLOAD };

/* The payload in rp->buf as arguments; false when its structure is wrong. */
static bool parse(struct replay *rp, uint32_t len, int *argc, int *err)
{
	uint8_t *p = rp->buf, *e = rp->buf + len;
	uint32_t n;

	if (len < 4 || (n = get32(p)) == 0 || n > (len - 4) / 5)
		return false;
	if (n > rp->argcap) {
		char **argv = realloc(rp->argv, n * sizeof(*argv));
		size_t *lens = argv ? realloc(rp->lens, n * sizeof(*lens)) : NULL;

		if (argv)
			rp->argv = argv;
		if (!lens) {
			*err = -ENOMEM;
			return false;
		}
		rp->lens = lens, rp->argcap = n;
	}
	p += 4;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t l;

		if (e - p < 4)
			return false;
		l = get32(p);
		p += 4;
		if ((uint64_t)(e - p) < (uint64_t)l + 1 || p[l])
			return false;
		rp->argv[i] = (char *)p, rp->lens[i] = l;
		p += l + 1;
	}
	*argc = (int)n;
	return p == e;
}

/*
 * The record at rp->off: REC_OK (applied), REC_BAD_HEADER (no record there: the end, or damage),
 * REC_BAD_PAYLOAD (damage, in a record whose header checks out, so *rc says how long it is), or
 * an errno.
 */
static int replay_one(struct replay *rp, aof_apply_fn apply, void *ctx, struct rec *rc)
{
	uint64_t room = rp->rd.size - rp->off;
	uint8_t h[REC_HDR];
	int argc, err = 0, r;

	if (room < REC_HDR)
		return REC_BAD_HEADER;
	if ((r = rd(&rp->rd, rp->off, h, REC_HDR)))
		return r;
	if (!rec_check(h, rp->chain, room, rc))
		return REC_BAD_HEADER;
	if (rc->len > rp->cap) {
		uint8_t *buf = realloc(rp->buf, rc->len);

		if (!buf)
			return -ENOMEM;
		rp->buf = buf, rp->cap = rc->len;
	}
	if ((r = rd(&rp->rd, rp->off + REC_HDR, rp->buf, rc->len)))
		return r;
	if (crc32c(0, rp->buf, rc->len) != rc->crc || !parse(rp, rc->len, &argc, &err))
		return err ? err : REC_BAD_PAYLOAD;
	apply(argc, rp->argv, rp->lens, ctx);
	return REC_OK;
}

/*
 * Where the damage at rp->off ends, as far as can be told: after the records that chain on from
 * a damaged one whose header checks out, or else after the last nonzero byte of its sector.
 * Returns that offset, 0 when it is the clean end of the log, or an errno.
 */
static int64_t damage_end(struct replay *rp, int kind, const struct rec *rc)
{
	uint64_t off = rp->off, stop;
	uint8_t h[REC_HDR], b[SECTOR];
	uint32_t chain;
	struct rec next;
	int r;

	if (kind == REC_BAD_PAYLOAD) {
		off += REC_HDR + rc->len, chain = rc->hcrc;
		while (rp->rd.size - off >= REC_HDR) {
			if ((r = rd(&rp->rd, off, h, REC_HDR)))
				return r;
			if (!rec_check(h, chain, rp->rd.size - off, &next))
				break;
			off += REC_HDR + next.len, chain = next.hcrc;
		}
		return (int64_t)off;
	}
	stop = off - off % SECTOR + SECTOR;
	stop = stop < rp->rd.size ? stop : rp->rd.size;
	if (off == stop)
		return 0;
	if ((r = rd(&rp->rd, off, b, stop - off)))
		return r;
	while (stop > off && !b[stop - 1 - off])
		stop--;
	return (int64_t)(stop > off ? stop : 0);
}

static void replay_free(struct replay *rp)
{
	free(rp->rd.win);
	free(rp->buf);
	free(rp->argv);
	free(rp->lens);
}

/*
 * Replay the active region's records; leaves aof.end, aof.chain and aof.tail after the last good
 * one. *cut: bytes cut off after it (0 for a clean end). 0, or an errno with the message printed.
 */
static int replay(aof_apply_fn apply, void *ctx, uint64_t *cut)
{
	struct replay rp = { .rd = { .first = region_sector(aof.sb.active), .size = aof.region_bytes },
			     .chain = gen_seed(aof.sb.gen) };
	struct rec rc = { .len = 0 };
	int r;

	*cut = 0;
	rp.rd.win = malloc(WINDOW);
	if (!rp.rd.win) {
		say("kv: log: out of memory for reading the log\n");
		return -ENOMEM;
	}
	while ((r = replay_one(&rp, apply, ctx, &rc)) == REC_OK) {
		rp.off += REC_HDR + rc.len, rp.chain = rc.hcrc;
		rp.records++;
	}
	if (r > 0) {
		int64_t stop = damage_end(&rp, r, &rc);

		r = stop < 0 ? (int)stop : 0;
		*cut = stop > 0 ? (uint64_t)stop - rp.off : 0;
	}
	if (!r) {
		memset(aof.tail, 0, SECTOR);
		r = rd(&rp.rd, rp.off - rp.off % SECTOR, aof.tail, rp.off % SECTOR);
	}
	if (r == -ENOMEM)
		say("kv: log: out of memory replaying the record at byte %llu (%u bytes)\n",
		    (unsigned long long)rp.off, rc.len);
	else if (r < 0)
		say("kv: log: reading the disk failed at sector %llu (%s)\n",
		    (unsigned long long)rp.rd.bad_sector, strerror(-r));
	aof.end = rp.off, aof.chain = rp.chain;
	aof.st.replayed = aof.st.records = rp.records;
	replay_free(&rp);
	return r < 0 ? r : 0;
}

/* --- Open ----------------------------------------------------------------------------------- */

/* Opening again starts over from the disk (what was queued and not committed is dropped). */
int aof_open(aof_apply_fn apply, void *ctx)
{
	uint64_t sectors, cut;
	bool ro, fresh;
	struct batch b = { .n = 0 };
	struct sb sb;
	int r;

	free(aof.q);
	memset(&aof, 0, sizeof(aof));
	r = sk_blk_info(&sectors, &ro);
	if (r == -ENODEV)
		return 1;
	if (r) {
		say("kv: log: the disk cannot be used (%s)\n", strerror(-r));
		return -1;
	}
	if (ro) {
		say("kv: log: the disk is read-only; give kv a writable disk for its log, "
		    "or none to keep data in memory only\n");
		return -1;
	}
	if (sectors * SECTOR < MIN_DISK) {
		say("kv: log: the disk has %llu KiB; the log needs at least %u KiB\n",
		    (unsigned long long)(sectors * SECTOR >> 10), MIN_DISK >> 10);
		return -1;
	}
	aof.disk_sectors = sectors;
	r = load_header(sectors);
	if (r < 0) {
		say("kv: log: the disk's header cannot be read or written (%s)\n", strerror(-r));
		return -1;
	}
	fresh = r == 1;
	if (HDR_SECTORS + 2 * aof.sb.region_sectors > sectors) {
		say("kv: log: the log was made on a disk of %llu MiB, this one has %llu MiB; "
		    "give kv that disk\n",
		    (unsigned long long)((HDR_SECTORS + 2 * aof.sb.region_sectors) * SECTOR >> 20),
		    (unsigned long long)(sectors * SECTOR >> 20));
		return -1;
	}
	aof.region_bytes = aof.sb.region_sectors * SECTOR;
	aof.next_gen = aof.sb.gen + 1;
	if (replay(apply, ctx, &cut))
		return -1;
	/* Cut the damage off on the disk too: the tail sector, written whole, ends the log. */
	if (cut && aof.end < aof.region_bytes)
		batch_add(&b, PLAT_BLK_WRITE, region_sector(aof.sb.active) + aof.end / SECTOR, aof.tail,
			  SECTOR);
	sb = aof.sb;
	sb.epoch++;
	if ((r = sb_write(&sb, &b))) {
		say("kv: log: writing the disk failed (%s)\n", strerror(-r));
		return -1;
	}
	aof.sb = sb;
	aof.qchain = aof.chain;
	aof.st.torn_tail = cut != 0;
	if (fresh)
		say("kv: log: new log on a %llu MiB disk\n",
		    (unsigned long long)(sectors * SECTOR >> 20));
	else if (cut)
		say("kv: log: record at byte %llu is damaged (torn write or bad checksum): "
		    "the %llu bytes from there are cut off; %llu records replayed\n",
		    (unsigned long long)aof.end, (unsigned long long)cut,
		    (unsigned long long)aof.st.replayed);
	else
		say("kv: log: %llu records replayed (%llu bytes)\n", (unsigned long long)aof.st.replayed,
		    (unsigned long long)aof.end);
	aof.enabled = true;
	return 0;
}

bool aof_enabled(void)
{
	return aof.enabled;
}

/* --- Writing -------------------------------------------------------------------------------- */

static int flush(void)
{
	int r = io1(PLAT_BLK_FLUSH, 0, NULL, 0);

	if (r)
		return r;
	aof.st.flushes++;
	aof.dirty = false, aof.failing = false;
	return 0;
}

void aof_set_fsync(enum aof_fsync mode)
{
	fsync_mode = mode;
	/* What everysec or no left unflushed is as acknowledged as what comes next. */
	if (mode == AOF_FSYNC_ALWAYS && aof.enabled && aof.dirty && !aof.broken) {
		int r = flush();

		if (r)
			count_error("flushing the disk", r);
	}
}

enum aof_fsync aof_get_fsync(void)
{
	return fsync_mode;
}

static void queue_put(void *sink, const void *data, size_t n)
{
	uint8_t **p = sink;

	if (n)
		memcpy(*p, data, n);
	*p += n;
}

/* Chain the queued records on from aof.chain again (after a rewrite moved the log). */
static void rechain_queue(void)
{
	uint32_t chain = aof.chain;

	for (size_t off = 0; off < aof.qlen; off += REC_HDR + get32(aof.q + off + 4)) {
		uint8_t *h = aof.q + off;

		chain = rec_header(h, get32(h + 4), get32(h + 8), chain, get32(h + 16));
	}
	aof.qchain = chain;
}

static bool fits(uint64_t need)
{
	return aof.end + aof.qlen + need <= aof.region_bytes;
}

static int rewrite(aof_walk_fn walk, void *ctx);

/*
 * Room for need more bytes of records, after a rewrite if it takes one: through the last
 * aof_tick's walk, and only when the log grew since the last rewrite (or it would not shrink)
 * and the last try did not fail (on a disk full of live keys every write would try again).
 */
static bool room_for(uint64_t need)
{
	if (fits(need))
		return true;
	return aof.walk && aof.end > aof.sb.base && !aof.rewrite_failed &&
	       !rewrite(aof.walk, aof.walk_ctx) && fits(need);
}

int aof_append(int argc, char **argv, const size_t *lens)
{
	uint64_t size = payload_size(argc, lens), need = REC_HDR + size;
	uint32_t crc = 0;
	uint8_t *p;

	if (!aof.enabled)
		return 0; /* no disk, or records being replayed: nothing to log */
	if (!size || !room_for(need))
		return -1;
	if (aof.qlen + need > aof.qcap) {
		size_t cap = aof.qcap * 2 > aof.qlen + need ? aof.qcap * 2 : aof.qlen + need;

		p = realloc(aof.q, cap < 4096 ? 4096 : cap);
		if (!p)
			return -1;
		aof.q = p, aof.qcap = cap < 4096 ? 4096 : cap;
	}
	p = aof.q + aof.qlen + REC_HDR;
	put_payload(queue_put, &p, argc, argv, lens);
	put_payload(crc_put, &crc, argc, argv, lens);
	aof.qchain = rec_header(aof.q + aof.qlen, (uint32_t)size, aof.sb.epoch, aof.qchain, crc);
	aof.qlen += need;
	aof.qrecords++;
	return 0;
}

/*
 * The requests that put the queue on the disk after aof.end: the tail sector with the first
 * queued bytes after the log's (head), whole sectors straight from the queue, and the sector
 * where the log then ends (newtail, zeros after the end; all zeros when the end falls on a
 * sector boundary, which keeps the end detectable).
 */
static void queue_writes(struct batch *b, uint8_t head[SECTOR], uint8_t newtail[SECTOR])
{
	uint64_t first = region_sector(aof.sb.active), end = aof.end + aof.qlen;
	uint32_t in = aof.end % SECTOR;
	size_t n = aof.qlen < SECTOR - in ? aof.qlen : SECTOR - in, mid, rest;

	memcpy(head, aof.tail, SECTOR);
	memcpy(head + in, aof.q, n);
	batch_add(b, PLAT_BLK_WRITE, first + aof.end / SECTOR, head, SECTOR);
	if (in + n < SECTOR) {
		memcpy(newtail, head, SECTOR);
		return;
	}
	mid = (aof.qlen - n) / SECTOR * SECTOR;
	rest = aof.qlen - n - mid;
	batch_write(b, first + aof.end / SECTOR + 1, aof.q + n, mid);
	memset(newtail, 0, SECTOR);
	memcpy(newtail, aof.q + n + mid, rest);
	if (end < aof.region_bytes)
		batch_add(b, PLAT_BLK_WRITE, first + end / SECTOR, newtail, SECTOR);
}

int aof_commit(void)
{
	uint8_t head[SECTOR], newtail[SECTOR];
	struct batch b = { .n = 0 };

	if (!aof.enabled || !aof.qlen)
		return 0;
	if (aof.broken || !fits(0))
		return -1;
	queue_writes(&b, head, newtail);
	if (fsync_mode == AOF_FSYNC_ALWAYS)
		batch_add(&b, PLAT_BLK_FLUSH, 0, NULL, 0);
	batch_run(&b);
	/* On an error the queue stays: the next commit writes it again, over the same bytes. */
	if (b.err) {
		count_error("writing the log", b.err);
		return -1;
	}
	aof.failing = false;
	aof.end += aof.qlen;
	aof.chain = aof.qchain;
	memcpy(aof.tail, newtail, SECTOR);
	aof.st.records += aof.qrecords;
	aof.qlen = 0, aof.qrecords = 0;
	if (aof.qcap > QUEUE_KEEP) {
		free(aof.q);
		aof.q = NULL, aof.qcap = 0;
	}
	if (fsync_mode == AOF_FSYNC_ALWAYS)
		aof.st.flushes++, aof.dirty = false;
	else
		aof.dirty = true;
	return 0;
}

/* --- Rewrite -------------------------------------------------------------------------------- */

/* A new log going to the other region through a buffer of WINDOW bytes. */
struct stream {
	uint8_t *buf;
	size_t fill;
	uint64_t first, out;	/* the region's first sector; bytes written there so far */
	uint32_t chain, epoch;
	uint64_t records;
	int err;
};

static void stream_put(void *sink, const void *data, size_t n)
{
	struct stream *s = sink;
	const uint8_t *p = data;

	while (n && !s->err) {
		size_t k = n < WINDOW - s->fill ? n : WINDOW - s->fill;

		memcpy(s->buf + s->fill, p, k);
		s->fill += k, p += k, n -= k;
		if (s->fill == WINDOW) {
			s->err = io1(PLAT_BLK_WRITE, s->first + s->out / SECTOR, s->buf, WINDOW);
			s->out += WINDOW, s->fill = 0;
		}
	}
}

static void rewrite_emit(int argc, char **argv, const size_t *lens, void *ectx)
{
	struct stream *s = ectx;
	uint64_t size = payload_size(argc, lens);
	uint8_t h[REC_HDR];
	uint32_t crc = 0;

	if (s->err)
		return;
	if (!size) {
		s->err = -E2BIG;
		return;
	}
	if (s->out + s->fill + REC_HDR + size > aof.region_bytes) {
		s->err = -ENOSPC;
		return;
	}
	put_payload(crc_put, &crc, argc, argv, lens);
	s->chain = rec_header(h, (uint32_t)size, s->epoch, s->chain, crc);
	stream_put(s, h, REC_HDR);
	put_payload(stream_put, s, argc, argv, lens);
	s->records++;
}

/* The rest of the stream, its end sector whole (zeros after the end), and a flush. */
static int stream_finish(struct stream *s)
{
	size_t whole = s->fill - s->fill % SECTOR;
	uint64_t len = whole + SECTOR;
	struct batch b = { .n = 0 };

	memset(s->buf + s->fill, 0, len - s->fill);
	if (s->out + len > aof.region_bytes)
		len = aof.region_bytes - s->out; /* the log fills the region: no end sector */
	if (len)
		batch_add(&b, PLAT_BLK_WRITE, s->first + s->out / SECTOR, s->buf, (uint32_t)len);
	batch_add(&b, PLAT_BLK_FLUSH, 0, NULL, 0);
	batch_run(&b);
	if (!b.err)
		aof.st.flushes++;
	return b.err;
}

static const char *rewrite_why(int err)
{
	switch (err) {
	case -ENOSPC: return "the live keys do not fit in half of the disk";
	case -E2BIG: return "a key is too big to log";
	case -ENOMEM: return "out of memory";
	default: return strerror(-err);
	}
}

/*
 * Write the live keys (walk) as a new log in the other region, then switch the header to it. A
 * crash before the switch leaves the old log, whole; after it, the new one, whole. Queued records
 * go after the new log (their effects are in the keys already, but replaying them again is
 * harmless: every record sets or clears state outright).
 */
static int rewrite(aof_walk_fn walk, void *ctx)
{
	uint32_t other = !aof.sb.active;
	struct stream s = { .first = region_sector(other), .epoch = aof.sb.epoch };
	struct sb sb = aof.sb;
	uint64_t old = aof.end;
	int r;

	if (aof.broken)
		return -EIO;
	sb.gen = aof.next_gen++; /* each try its own chain, so a failed one's leftovers never count */
	s.chain = gen_seed(sb.gen);
	s.buf = malloc(WINDOW);
	if (!s.buf) {
		s.err = -ENOMEM;
		goto fail;
	}
	walk(rewrite_emit, &s, ctx);
	if (!s.err && s.out + s.fill + aof.qlen > aof.region_bytes)
		s.err = -ENOSPC; /* the queued records must go after it */
	if (s.err || (s.err = stream_finish(&s)))
		goto fail;
	sb.active = other;
	sb.base = s.out + s.fill;
	if ((r = sb_write(&sb, NULL))) {
		/*
		 * The new header may or may not be on the disk. Name the old log again in that copy;
		 * if that fails too, the disk may name a log that further writes would miss.
		 */
		struct sb again = aof.sb;

		if (sb_write(&again, NULL)) {
			aof.broken = true;
			say("kv: log: switching to the rewritten log failed (%s); "
			    "writes get errors from now on\n", strerror(-r));
		} else {
			aof.sb = again;
		}
		s.err = r;
		goto fail;
	}
	aof.sb = sb;
	aof.end = sb.base;
	aof.chain = s.chain;
	memset(aof.tail, 0, SECTOR);
	memcpy(aof.tail, s.buf + (s.fill - s.fill % SECTOR), s.fill % SECTOR);
	aof.st.records = s.records;
	aof.st.rewrites++;
	aof.dirty = false;
	rechain_queue();
	free(s.buf);
	say("kv: log: rewritten: %llu bytes of log down to %llu (%llu records)\n",
	    (unsigned long long)old, (unsigned long long)aof.end, (unsigned long long)s.records);
	return 0;
fail:
	free(s.buf);
	aof.st.errors++;
	aof.rewrite_failed = true;
	say("kv: log: rewrite failed (%s); the old log stays in use\n", rewrite_why(s.err));
	return s.err;
}

/* Past twice its size after the last rewrite (and 1 MiB), or having used half the room left. */
static bool needs_rewrite(void)
{
	uint64_t base = aof.sb.base, half = (aof.region_bytes - base) / 2;

	if (aof.end <= base)
		return false;
	if (aof.end >= REWRITE_MIN && aof.end >= 2 * base)
		return true;
	return aof.end - base >= (half > REWRITE_SLACK ? half : REWRITE_SLACK);
}

void aof_tick(uint64_t now_ms, aof_walk_fn walk, void *ctx)
{
	if (!aof.enabled || aof.broken)
		return;
	aof.walk = walk, aof.walk_ctx = ctx;
	if (fsync_mode == AOF_FSYNC_EVERYSEC && aof.dirty && now_ms - aof.last_flush_ms >= 1000) {
		int r = flush();

		aof.last_flush_ms = now_ms;
		if (r)
			count_error("flushing the disk", r);
	}
	if (aof.rewrite_failed) {
		if (!aof.rewrite_after_ms)
			aof.rewrite_after_ms = now_ms + REWRITE_RETRY_MS;
		if (now_ms < aof.rewrite_after_ms)
			return;
		aof.rewrite_failed = false, aof.rewrite_after_ms = 0;
	}
	if (walk && needs_rewrite())
		rewrite(walk, ctx);
}

void aof_stats(struct aof_stats *st)
{
	*st = aof.st;
	st->log_bytes = aof.end;
	st->disk_bytes = aof.disk_sectors * SECTOR;
}
