// SPDX-License-Identifier: MIT
/*
 * Host unit tests of kv's append-only log (apps/kv/aof.c) over a fake disk in memory that keeps
 * what a power cut would leave (the state at the last flush) apart from what reads see: replay
 * in order, a torn tail and a flipped byte cut off with the records before them kept, rewrites
 * with a crash before and after the header switch, a full disk, write errors, and how often
 * each appendfsync mode flushes; and the format on the disk, read here with a CRC32C of our own.
 * A "reboot" is aof_open again, which starts over from the disk.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <skiff/blk.h>
#include "../../apps/kv/aof.h"
#include "unit.h"

/* --- The fake disk -------------------------------------------------------------------------- */

static struct fake_disk {
	uint8_t *live;		/* what reads see */
	uint8_t *durable;	/* what a power cut leaves: live as of the last flush */
	uint64_t sectors;
	bool absent, ro;
	unsigned writes, flushes;
	int fail_writes, fail_reads;	/* the next so many fail with EIO */
	int fail_header_writes;	/* the next so many writes of sector 0 or 1 fail with EIO */
	bool crash_on_header;	/* the machine stops at the next header write */
	long crash_in;		/* ... or after this many more requests (-1: never) */
	bool down;		/* stopped: nothing more reaches the disk */
} disk;

int sk_blk_info(uint64_t *sectors, bool *read_only)
{
	if (disk.absent)
		return -ENODEV;
	*sectors = disk.sectors;
	*read_only = disk.ro;
	return 0;
}

static bool req_valid(const struct sk_blk_req *q)
{
	if (q->op == PLAT_BLK_FLUSH)
		return q->len == 0;
	return (q->op == PLAT_BLK_READ || q->op == PLAT_BLK_WRITE) && q->len &&
	       q->len <= SK_BLK_MAX_BYTES && q->len % SK_BLK_SECTOR == 0 && q->buf && q->sector <= disk.sectors &&
	       q->len / SK_BLK_SECTOR <= disk.sectors - q->sector;
}

static int run_req(struct sk_blk_req *q)
{
	uint8_t *at = disk.live + q->sector * SK_BLK_SECTOR;

	if (disk.crash_on_header && q->op == PLAT_BLK_WRITE && q->sector < 2)
		disk.down = true;
	if (disk.crash_in == 0)
		disk.down = true;
	if (disk.crash_in > 0)
		disk.crash_in--;
	if (disk.down)
		return -EIO;
	switch (q->op) {
	case PLAT_BLK_READ:
		if (disk.fail_reads && disk.fail_reads--)
			return -EIO;
		memcpy(q->buf, at, q->len);
		return 0;
	case PLAT_BLK_WRITE:
		if (disk.ro)
			return -EROFS;
		if (disk.fail_writes && disk.fail_writes--)
			return -EIO;
		if (q->sector < 2 && disk.fail_header_writes && disk.fail_header_writes--)
			return -EIO;
		memcpy(at, q->buf, q->len);
		disk.writes++;
		return 0;
	default:
		memcpy(disk.durable, disk.live, disk.sectors * SK_BLK_SECTOR);
		disk.flushes++;
		return 0;
	}
}

/* Like kernel/blk.c: the batch is checked first (aof.c must never send a bad one), then run. */
int sk_blk_io(struct sk_blk_req *reqs, unsigned n)
{
	if (disk.absent)
		return -ENODEV;
	CHECK(n >= 1 && n <= SK_BLK_MAX_REQS);
	if (n < 1 || n > SK_BLK_MAX_REQS)
		return -EINVAL;
	for (unsigned i = 0; i < n; i++) {
		CHECK(req_valid(&reqs[i]));
		if (!req_valid(&reqs[i]))
			return -EINVAL;
	}
	for (unsigned i = 0; i < n; i++)
		reqs[i].status = run_req(&reqs[i]);
	return 0;
}

/* --- kv, as far as the log sees it: a few keys, and every record replayed -------------------- */

#define NKEYS 512
#define NSEEN 8192

static struct key {
	char *name, *val;
	size_t vlen;
} keys[NKEYS];
/* A record as one string, for comparing: its arguments joined by '|' (binary bytes kept). */
struct blob {
	char *p;
	size_t n;
};
static struct blob seen[NSEEN], expect[NSEEN];
static size_t nseen, nexpect;

static struct blob join(int argc, char **argv, const size_t *lens)
{
	struct blob b = { NULL, 0 };

	for (int i = 0; i < argc; i++)
		b.n += lens[i] + 1;
	b.p = malloc(b.n);
	b.n = 0;
	for (int i = 0; i < argc; i++) {
		memcpy(b.p + b.n, argv[i], lens[i]);
		b.n += lens[i];
		b.p[b.n++] = '|';
	}
	b.p[--b.n] = '\0';
	return b;
}

static struct key *find(const char *name)
{
	for (int i = 0; i < NKEYS; i++)
		if (keys[i].name && !strcmp(keys[i].name, name))
			return &keys[i];
	return NULL;
}

static void store_set(const char *name, const char *val, size_t vlen)
{
	struct key *k = find(name);

	for (int i = 0; !k && i < NKEYS; i++)
		if (!keys[i].name)
			k = &keys[i], k->name = strdup(name);
	free(k->val);
	k->val = malloc(vlen + 1);
	memcpy(k->val, val, vlen);
	k->vlen = vlen;
}

static void store_del(const char *name)
{
	struct key *k = find(name);

	if (k) {
		free(k->name), free(k->val);
		*k = (struct key){ NULL, NULL, 0 };
	}
}

static void store_clear(void)
{
	for (int i = 0; i < NKEYS; i++)
		if (keys[i].name)
			store_del(keys[i].name);
}

static void store_apply(int argc, char **argv, const size_t *lens)
{
	if (argc == 3 && !strcmp(argv[0], "SET"))
		store_set(argv[1], argv[2], lens[2]);
	else if (argc == 2 && !strcmp(argv[0], "DEL"))
		store_del(argv[1]);
}

static unsigned store_count(void)
{
	unsigned n = 0;

	for (int i = 0; i < NKEYS; i++)
		n += keys[i].name != NULL;
	return n;
}

static void apply(int argc, char **argv, const size_t *lens, void *ctx)
{
	CHECK(ctx == &keys);
	for (int i = 0; i < argc; i++)
		CHECK(argv[i][lens[i]] == '\0');
	if (nseen < NSEEN)
		seen[nseen++] = join(argc, argv, lens);
	store_apply(argc, argv, lens);
}

static size_t walk_bloat;	/* walk adds a key of this many bytes that is not in keys */

static void walk(aof_emit_fn emit, void *ectx, void *ctx)
{
	CHECK(ctx == &keys);
	if (walk_bloat) {
		char *v = calloc(1, walk_bloat);
		char *argv[] = { "SET", "bloat", v };
		size_t lens[] = { 3, 5, walk_bloat };

		emit(3, argv, lens, ectx);
		free(v);
	}
	for (int i = 0; i < NKEYS; i++) {
		if (keys[i].name) {
			char *argv[] = { "SET", keys[i].name, keys[i].val };
			size_t lens[] = { 3, strlen(keys[i].name), keys[i].vlen };

			emit(3, argv, lens, ectx);
		}
	}
}

/* What kv does for a write: change the store, queue the record, remember it was sent. */
static int put_rec(int argc, char **argv, const size_t *lens)
{
	int r = aof_append(argc, argv, lens);

	if (!r) {
		store_apply(argc, argv, lens);
		if (nexpect < NSEEN)
			expect[nexpect++] = join(argc, argv, lens);
	}
	return r;
}

static int set(const char *key, const char *val, size_t vlen)
{
	char *argv[] = { "SET", (char *)key, (char *)val };
	size_t lens[] = { 3, strlen(key), vlen };

	return put_rec(3, argv, lens);
}

static int set_str(const char *key, const char *val)
{
	return set(key, val, strlen(val));
}

/* The record after this many, as expected, is gone (cut off or never acknowledged). */
static void forget_after(size_t n)
{
	while (nexpect > n)
		free(expect[--nexpect].p);
}

static void forget_seen(void)
{
	while (nseen)
		free(seen[--nseen].p);
}

/* Every expected record replayed, in order, and nothing else. */
static void check_replayed(int line)
{
	size_t n = nseen < nexpect ? nseen : nexpect;

	if (nseen != nexpect) {
		fprintf(stderr, "  line %d: %zu records replayed, %zu expected\n", line, nseen, nexpect);
		unit_failed_checks++;
	}
	for (size_t i = 0; i < n; i++) {
		if (seen[i].n != expect[i].n || memcmp(seen[i].p, expect[i].p, seen[i].n)) {
			fprintf(stderr, "  line %d: record %zu is \"%.40s\", expected \"%.40s\"\n",
				line, i, seen[i].p, expect[i].p);
			unit_failed_checks++;
			return;
		}
	}
}

/* The live keys as the records a rewrite makes, in walk's order. */
static void expect_live(void)
{
	forget_after(0);
	for (int i = 0; i < NKEYS; i++) {
		if (keys[i].name) {
			char *argv[] = { "SET", keys[i].name, keys[i].val };
			size_t lens[] = { 3, strlen(keys[i].name), keys[i].vlen };

			expect[nexpect++] = join(3, argv, lens);
		}
	}
}

/* --- Boots ---------------------------------------------------------------------------------- */

static char out[4096];	/* what aof.c printed between capture() and captured() */
static FILE *cap;
static int saved_stdout = -1;

static void capture(void)
{
	fflush(stdout);
	saved_stdout = dup(1);
	cap = tmpfile();
	dup2(fileno(cap), 1);
}

static const char *captured(void)
{
	size_t n;

	fflush(stdout);
	dup2(saved_stdout, 1);
	close(saved_stdout);
	rewind(cap);
	n = fread(out, 1, sizeof(out) - 1, cap);
	out[n] = '\0';
	fclose(cap);
	return out;
}

#define MIB 2048 /* sectors */

static void new_disk(uint64_t sectors)
{
	free(disk.live), free(disk.durable);
	disk = (struct fake_disk){ .sectors = sectors, .crash_in = -1 };
	disk.live = calloc(disk.sectors, SK_BLK_SECTOR);
	disk.durable = calloc(disk.sectors, SK_BLK_SECTOR);
}

/* kv stops; power_cut: and the machine's power with it, so only what was flushed stays. */
static void halt(bool power_cut)
{
	if (power_cut)
		memcpy(disk.live, disk.durable, disk.sectors * SK_BLK_SECTOR);
	else
		memcpy(disk.durable, disk.live, disk.sectors * SK_BLK_SECTOR);
	disk.down = false, disk.crash_on_header = false, disk.crash_in = -1;
	aof_set_fsync(AOF_FSYNC_EVERYSEC);
	store_clear();
	forget_seen();
}

/* kv starts: aof_open, with what it printed in out. */
static int boot(void)
{
	int r;

	capture();
	r = aof_open(apply, &keys);
	captured();
	return r;
}

static void done(void)
{
	halt(false);
	forget_after(0);
	free(disk.live), free(disk.durable);
	disk.live = disk.durable = NULL;
}

static struct aof_stats stats(void)
{
	struct aof_stats st;

	aof_stats(&st);
	return st;
}

static uint64_t log_bytes(void)
{
	return stats().log_bytes;
}

/* --- The format on the disk, read independently of aof.c ------------------------------------ */

/* CRC32C one bit at a time, straight from the polynomial. */
static uint32_t ref_crc32c(const void *data, size_t n)
{
	const uint8_t *p = data;
	uint32_t c = ~0u;

	while (n--) {
		c ^= *p++;
		for (int k = 0; k < 8; k++)
			c = c & 1 ? (c >> 1) ^ 0x82f63b78u : c >> 1;
	}
	return ~c;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* The current header: the valid copy (magic, version 1, CRC) with the higher seq. */
struct header {
	int copy;	/* -1: none valid */
	uint64_t seq, gen, region_sectors, base;
	uint32_t epoch, active;
};

static struct header header(void)
{
	struct header h = { .copy = -1 };

	for (int i = 0; i < 2; i++) {
		const uint8_t *s = disk.live + i * 512;

		if (memcmp(s, "skiffkv", 8) || le32(s + 8) != 1 || le32(s + 508) != ref_crc32c(s, 508))
			continue;
		if (h.copy < 0 || le64(s + 16) > h.seq)
			h = (struct header){ .copy = i, .epoch = le32(s + 12), .seq = le64(s + 16),
					     .gen = le64(s + 24), .active = le32(s + 32),
					     .region_sectors = le64(s + 40), .base = le64(s + 48) };
	}
	return h;
}

static uint8_t *log_byte(uint64_t off)
{
	struct header h = header();

	return disk.live + (8 + h.active * h.region_sectors) * 512 + off;
}

/* --- Tests ---------------------------------------------------------------------------------- */

/* A record as the header comment of aof.c says, with CRC32Cs that check out here. */
static void disk_format(void)
{
	char *argv[] = { "SET", "key", "v\0l" };
	size_t lens[] = { 3, 3, 3 };
	static const uint8_t payload[] = { 3, 0, 0, 0, 3, 0, 0, 0, 'S', 'E', 'T', 0, 3, 0, 0, 0,
					   'k', 'e', 'y', 0, 3, 0, 0, 0, 'v', 0, 'l', 0 };
	struct header h;
	const uint8_t *r;

	CHECK_EQ(ref_crc32c("123456789", 9), 0xe3069283u); /* the standard check value */
	new_disk(2 * MIB);
	CHECK_EQ(boot(), 0);
	h = header();
	CHECK_EQ(h.copy, 1); /* formatted into copy 0, then the boot's epoch into copy 1 */
	CHECK_EQ(h.active, 0);
	CHECK_EQ(h.epoch, 1);
	CHECK_EQ(h.region_sectors, (2 * MIB - 8) / 2);
	CHECK_EQ(h.base, 0);
	CHECK_EQ(put_rec(3, argv, lens), 0);
	CHECK_EQ(aof_commit(), 0);
	CHECK_EQ(log_bytes(), 24 + sizeof(payload));
	r = log_byte(0);
	CHECK_EQ(le32(r), 0x3156534bu);
	CHECK_EQ(le32(r + 4), sizeof(payload));
	CHECK_EQ(le32(r + 8), h.epoch);
	CHECK_EQ(le32(r + 16), ref_crc32c(payload, sizeof(payload)));
	CHECK_EQ(le32(r + 20), ref_crc32c(r, 20));
	CHECK(!memcmp(r + 24, payload, sizeof(payload)));
	for (size_t i = 24 + sizeof(payload); i < 512; i++)
		CHECK_EQ(r[i], 0);
	halt(false);
	CHECK_EQ(boot(), 0);
	CHECK_EQ(header().epoch, 2);
	CHECK_EQ(header().copy, 0);
	check_replayed(__LINE__);
	done();
}

static void no_disk(void)
{
	new_disk(1 * MIB);
	disk.absent = true;
	CHECK_EQ(boot(), 1);
	CHECK_STR(out, "");
	CHECK(!aof_enabled());
	CHECK_EQ(set_str("a", "1"), 0); /* kv runs in memory: nothing to log */
	CHECK_EQ(aof_commit(), 0);
	done();
}

static void unusable_disk(void)
{
	new_disk(4 * MIB);
	disk.ro = true;
	CHECK_EQ(boot(), -1);
	CHECK(strstr(out, "kv: log: the disk is read-only") == out);
	CHECK(!aof_enabled());
	disk.ro = false;
	disk.fail_reads = 1;
	CHECK_EQ(boot(), -1);
	CHECK(strstr(out, "kv: log: the disk's header cannot be read or written (") == out);
	CHECK_EQ(disk.writes, 0);
	new_disk(1000);
	CHECK_EQ(boot(), -1);
	CHECK_STR(out, "kv: log: the disk has 500 KiB; the log needs at least 1024 KiB\n");
	done();
}

static void new_log(void)
{
	new_disk(8 * MIB);
	CHECK_EQ(boot(), 0);
	CHECK_STR(out, "kv: log: new log on a 8 MiB disk\n");
	CHECK(aof_enabled());
	halt(true);
	CHECK_EQ(boot(), 0);
	CHECK_STR(out, "kv: log: 0 records replayed (0 bytes)\n");
	halt(false);
	/* A disk with something else on it is taken over too. */
	for (uint64_t i = 0; i < disk.sectors * SK_BLK_SECTOR; i++)
		disk.live[i] = (uint8_t)(i * 2654435761u >> 13);
	halt(false);
	CHECK_EQ(boot(), 0);
	CHECK_STR(out, "kv: log: new log on a 8 MiB disk\n");
	CHECK_EQ(set_str("k", "v"), 0);
	CHECK_EQ(aof_commit(), 0);
	halt(false);
	CHECK_EQ(boot(), 0);
	CHECK_STR(out, "kv: log: 1 records replayed (48 bytes)\n");
	check_replayed(__LINE__);
	done();
}

/* A log that ends on a sector boundary, with an older log's bytes (here: foreign ones) right
 * after: the sector after the end was written with zeros, so that is the end, not damage. */
static void end_on_sector_boundary(void)
{
	char val[465]; /* a record of 512 bytes */

	new_disk(4 * MIB);
	for (uint64_t i = 0; i < disk.sectors * SK_BLK_SECTOR; i++)
		disk.live[i] = (uint8_t)(i * 2654435761u >> 13);
	halt(false);
	CHECK_EQ(boot(), 0);
	CHECK_STR(out, "kv: log: new log on a 4 MiB disk\n");
	memset(val, 'x', sizeof(val));
	aof_set_fsync(AOF_FSYNC_ALWAYS);
	CHECK_EQ(set("k", val, sizeof(val)), 0);
	CHECK_EQ(aof_commit(), 0);
	CHECK_EQ(log_bytes(), 512);
	CHECK_EQ(set("k", val, sizeof(val)), 0);
	CHECK_EQ(set("k", val, sizeof(val)), 0);
	CHECK_EQ(aof_commit(), 0);
	CHECK_EQ(log_bytes(), 1536);
	halt(true);
	CHECK_EQ(boot(), 0);
	CHECK_STR(out, "kv: log: 3 records replayed (1536 bytes)\n");
	check_replayed(__LINE__);
	done();
}

/* Records of every shape (binary bytes, empty arguments, many per commit) come back in order. */
static void replay_in_order(void)
{
	char val[700];
	int n = 0;

	new_disk(8 * MIB);
	CHECK_EQ(boot(), 0);
	aof_set_fsync(AOF_FSYNC_ALWAYS);
	for (int c = 0; c < 300; c++) {
		for (int i = 0; i <= c % 7; i++, n++) {
			char key[32];

			snprintf(key, sizeof(key), "key:%d", n % 50);
			for (size_t j = 0; j < sizeof(val); j++)
				val[j] = (char)(j * 7 + n);
			CHECK_EQ(set(key, val, (size_t)(n * 37 % (int)sizeof(val))), 0);
			if (n % 11 == 0) {
				char *argv[] = { "DEL", key };
				size_t lens[] = { 3, strlen(key) };

				CHECK_EQ(put_rec(2, argv, lens), 0);
			}
			if (n % 13 == 0) {
				char *argv[] = { "X", "", "", "\0\1" };
				size_t lens[] = { 1, 0, 0, 2 };

				CHECK_EQ(put_rec(4, argv, lens), 0);
			}
		}
		CHECK_EQ(aof_commit(), 0);
	}
	halt(true); /* everything was flushed: a power cut loses nothing */
	CHECK_EQ(boot(), 0);
	check_replayed(__LINE__);
	/* Appends after a boot continue the log (the tail sector read back once). */
	aof_set_fsync(AOF_FSYNC_ALWAYS);
	for (int i = 0; i < 40; i++) {
		CHECK_EQ(set_str("after", i % 2 ? "boot" : "b"), 0);
		if (i % 3 == 0)
			CHECK_EQ(aof_commit(), 0);
	}
	CHECK_EQ(aof_commit(), 0);
	halt(true);
	CHECK_EQ(boot(), 0);
	check_replayed(__LINE__);
	done();
}

/* A 16 MiB value: many requests to write and to read back. */
static void big_record(void)
{
	size_t len = 16u << 20;
	char *val = malloc(len);

	for (size_t i = 0; i < len; i++)
		val[i] = (char)(i * 2654435761u >> 11);
	new_disk(48 * MIB);
	CHECK_EQ(boot(), 0);
	CHECK_EQ(set_str("small", "1"), 0);
	CHECK_EQ(aof_commit(), 0);
	CHECK_EQ(set("big", val, len), 0);
	CHECK_EQ(set_str("small", "2"), 0);
	CHECK_EQ(aof_commit(), 0);
	halt(false);
	CHECK_EQ(boot(), 0);
	check_replayed(__LINE__);
	CHECK(find("big") && find("big")->vlen == len && !memcmp(find("big")->val, val, len));
	/* A rewrite streams it out again, through its buffer many times over. */
	capture();
	aof_tick(0, walk, &keys);
	captured();
	CHECK_EQ(stats().rewrites, 1);
	expect_live();
	halt(true);
	CHECK_EQ(boot(), 0);
	check_replayed(__LINE__);
	CHECK(find("big") && find("big")->vlen == len && !memcmp(find("big")->val, val, len));
	free(val);
	done();
}

/* A record whose last sector never reached the disk is cut off and reported; later appends and
 * boots carry on from the record before it. */
static void torn_tail(void)
{
	char val[3000], want[200];
	uint8_t old[SK_BLK_SECTOR];
	uint64_t at, end;
	struct aof_stats st;

	memset(val, 'v', sizeof(val));
	new_disk(8 * MIB);
	CHECK_EQ(boot(), 0);
	aof_set_fsync(AOF_FSYNC_ALWAYS);
	CHECK_EQ(set_str("a", "1"), 0);
	CHECK_EQ(set_str("b", "2"), 0);
	CHECK_EQ(aof_commit(), 0);
	CHECK_EQ(set_str("c", "3"), 0);
	CHECK_EQ(aof_commit(), 0);
	at = log_bytes();
	aof_set_fsync(AOF_FSYNC_NO);
	CHECK_EQ(set("d", val, sizeof(val)), 0);
	CHECK_EQ(aof_commit(), 0);
	end = log_bytes();
	/* The write of d's record tore: its last sector still holds what was there before. */
	memset(log_byte((end - 1) / 512 * 512), 0, 512);
	halt(false);
	CHECK_EQ(boot(), 0);
	snprintf(want, sizeof(want),
		 "kv: log: record at byte %llu is damaged (torn write or bad checksum): the %llu bytes "
		 "from there are cut off; 3 records replayed\n", (unsigned long long)at,
		 (unsigned long long)(end - at));
	CHECK_STR(out, want);
	forget_after(3);
	check_replayed(__LINE__);
	aof_stats(&st);
	CHECK(st.torn_tail);
	CHECK_EQ(st.replayed, 3);
	CHECK_EQ(st.log_bytes, at);
	CHECK_EQ(set_str("e", "5"), 0);
	CHECK_EQ(aof_commit(), 0);
	at = log_bytes();
	halt(false);
	CHECK_EQ(boot(), 0);
	snprintf(want, sizeof(want), "kv: log: 4 records replayed (%llu bytes)\n",
		 (unsigned long long)at);
	CHECK_STR(out, want);
	check_replayed(__LINE__);
	aof_stats(&st);
	CHECK(!st.torn_tail);

	/* A record whose first sector never reached the disk (the rest did) was never there. */
	memcpy(old, log_byte(at / 512 * 512), 512);
	CHECK_EQ(set("f", val, sizeof(val)), 0);
	CHECK_EQ(aof_commit(), 0);
	memcpy(log_byte(at / 512 * 512), old, 512);
	halt(false);
	CHECK_EQ(boot(), 0);
	CHECK_STR(out, want);
	forget_after(4);
	check_replayed(__LINE__);
	CHECK_EQ(log_bytes(), at);
	/* Shorter records over f's leftovers: those never count. */
	CHECK_EQ(set_str("g", "7"), 0);
	CHECK_EQ(set_str("h", "8"), 0);
	CHECK_EQ(aof_commit(), 0);
	halt(false);
	CHECK_EQ(boot(), 0);
	check_replayed(__LINE__);
	CHECK_EQ(nseen, 6);
	CHECK(!strstr(out, "damaged"));
	done();
}

/* The offset in the log of each record, as committed one per commit. */
static uint64_t rec_at[64];

static void twenty_records(void)
{
	char key[16];

	new_disk(8 * MIB);
	CHECK_EQ(boot(), 0);
	for (int i = 0; i < 20; i++) {
		rec_at[i] = log_bytes();
		snprintf(key, sizeof(key), "k%d", i);
		CHECK_EQ(set_str(key, "some value here"), 0);
		CHECK_EQ(aof_commit(), 0);
	}
	rec_at[20] = log_bytes();
}

/* Damage in the middle: the records before it stay, it and everything after are cut off. */
static void flipped_byte(void)
{
	char want[200];

	twenty_records();
	*log_byte(rec_at[9] + 30) ^= 0x20; /* in record 10's payload */
	halt(false);
	CHECK_EQ(boot(), 0);
	snprintf(want, sizeof(want),
		 "kv: log: record at byte %llu is damaged (torn write or bad checksum): the %llu bytes "
		 "from there are cut off; 9 records replayed\n", (unsigned long long)rec_at[9],
		 (unsigned long long)(rec_at[20] - rec_at[9]));
	CHECK_STR(out, want);
	forget_after(9);
	check_replayed(__LINE__);
	CHECK_EQ(set_str("new", "x"), 0);
	CHECK_EQ(aof_commit(), 0);
	halt(false);
	CHECK_EQ(boot(), 0);
	check_replayed(__LINE__);
	CHECK_EQ(nseen, 10);
	done();

	/* In a record's header, so how long it was is not known: cut all the same. */
	twenty_records();
	*log_byte(rec_at[4] + 5) ^= 0x01;
	halt(false);
	CHECK_EQ(boot(), 0);
	snprintf(want, sizeof(want),
		 "kv: log: record at byte %llu is damaged (torn write or bad checksum): ",
		 (unsigned long long)rec_at[4]);
	CHECK(strstr(out, want) == out);
	CHECK(strstr(out, "; 4 records replayed\n"));
	forget_after(4);
	check_replayed(__LINE__);
	halt(false);
	CHECK_EQ(boot(), 0);
	snprintf(want, sizeof(want), "kv: log: 4 records replayed (%llu bytes)\n",
		 (unsigned long long)rec_at[4]);
	CHECK_STR(out, want);
	check_replayed(__LINE__);
	done();
}

/*
 * The same record written again where a damaged one was cut, and that write tears so that its
 * last sector keeps the old bytes: the same bytes for the record (so it checks out), then the cut
 * records after it. Those must not count: this boot's records chain differently (its epoch).
 */
static void same_record_after_cut(void)
{
	char val[3000], want[100];
	uint8_t old[512];
	uint64_t at, end;

	memset(val, 'x', sizeof(val));
	new_disk(4 * MIB);
	CHECK_EQ(boot(), 0);
	aof_set_fsync(AOF_FSYNC_ALWAYS);
	CHECK_EQ(set_str("a", "1"), 0);
	CHECK_EQ(aof_commit(), 0);
	at = log_bytes();
	CHECK_EQ(set("x", val, sizeof(val)), 0);
	CHECK_EQ(aof_commit(), 0);
	end = log_bytes();
	CHECK_EQ(set_str("y", "2"), 0);
	CHECK_EQ(set_str("z", "3"), 0);
	CHECK_EQ(aof_commit(), 0);
	*log_byte(at + 40) ^= 0x01; /* in x's first sector */
	halt(false);
	CHECK_EQ(boot(), 0);
	CHECK(strstr(out, "; 1 records replayed\n"));
	forget_after(1);
	memcpy(old, log_byte((end - 1) / 512 * 512), 512);
	CHECK_EQ(set("x", val, sizeof(val)), 0);
	CHECK_EQ(aof_commit(), 0);
	CHECK_EQ(log_bytes(), end);
	memcpy(log_byte((end - 1) / 512 * 512), old, 512);
	halt(false);
	CHECK_EQ(boot(), 0);
	check_replayed(__LINE__);
	CHECK(!find("y") && !find("z"));
	snprintf(want, sizeof(want), "kv: log: record at byte %llu is damaged", (unsigned long long)end);
	CHECK(strstr(out, want) == out);
	done();
}

/* Enough overwrites of a few keys to pass the rewrite bound; expect holds the live keys after. */
static void fill_for_rewrite(void)
{
	char val[1000], key[16];

	memset(val, 'x', sizeof(val));
	new_disk(8 * MIB);
	CHECK_EQ(boot(), 0);
	for (int i = 0; i < 900; i++) {
		snprintf(key, sizeof(key), "k%d", i % 10);
		val[0] = (char)('a' + i % 26);
		CHECK_EQ(set(key, val, sizeof(val)), 0);
		CHECK_EQ(aof_commit(), 0);
	}
	aof_tick(100, walk, &keys);
	CHECK_EQ(stats().rewrites, 0); /* still under 1 MiB */
	for (int i = 0; i < 200; i++) {
		snprintf(key, sizeof(key), "k%d", i % 10);
		CHECK_EQ(set(key, val, sizeof(val)), 0);
	}
	CHECK_EQ(aof_commit(), 0);
	CHECK(log_bytes() > (1u << 20));
	aof_set_fsync(AOF_FSYNC_ALWAYS); /* all of it on the disk, so a power cut keeps it */
	aof_set_fsync(AOF_FSYNC_EVERYSEC);
}

static void rewrite_live_keys(void)
{
	struct aof_stats st;

	fill_for_rewrite();
	CHECK_EQ(set_str("queued", "q"), 0); /* queued across the rewrite: goes after it */
	capture();
	aof_tick(200, walk, &keys);
	captured();
	aof_stats(&st);
	CHECK_EQ(st.rewrites, 1);
	CHECK_EQ(st.records, 11); /* "queued" is in the keys already */
	CHECK(st.log_bytes < 12 * 1100);
	CHECK(strstr(out, "kv: log: rewritten: ") == out);
	CHECK_EQ(aof_commit(), 0);
	expect_live();
	halt(true); /* the rewrite flushed; the queued record went out unflushed (everysec) */
	CHECK_EQ(boot(), 0);
	/* The queued record was written but not flushed before the cut: gone, or there. */
	if (nseen == nexpect + 1)
		expect[nexpect++] = (struct blob){ strdup("SET|queued|q"), 12 };
	check_replayed(__LINE__);
	/* On from the rewritten log: appends, and the next rewrite goes back to the first region. */
	for (int i = 0; i < 1500; i++) {
		char key[16], val[1000];

		snprintf(key, sizeof(key), "z%d", i % 5);
		memset(val, 'a' + i % 26, sizeof(val));
		CHECK_EQ(set(key, val, sizeof(val)), 0);
		CHECK_EQ(aof_commit(), 0);
	}
	capture();
	aof_tick(300, walk, &keys);
	captured();
	CHECK_EQ(stats().rewrites, 1);
	CHECK_EQ(header().active, 0);
	expect_live();
	halt(false);
	CHECK_EQ(boot(), 0);
	check_replayed(__LINE__);
	CHECK_EQ(nseen, 16);
	done();
}

/* The machine stops at the header write: the new log is on the disk, but the old one is used. */
static void rewrite_crash_before_switch(void)
{
	size_t n;

	fill_for_rewrite();
	n = nexpect;
	disk.crash_on_header = true;
	capture();
	aof_tick(200, walk, &keys);
	captured();
	CHECK(strstr(out, "kv: log: rewrite failed ("));
	CHECK_EQ(stats().rewrites, 0);
	CHECK_EQ(set_str("late", "1"), 0);
	CHECK_EQ(aof_commit(), -1); /* the log may no longer be the one the disk names */
	forget_after(n);
	halt(true);
	CHECK_EQ(boot(), 0);
	check_replayed(__LINE__);
	CHECK_EQ(nseen, n);
	/* And it rewrites fine afterwards. */
	capture();
	aof_tick(100, walk, &keys);
	captured();
	CHECK_EQ(stats().rewrites, 1);
	expect_live();
	halt(true);
	CHECK_EQ(boot(), 0);
	check_replayed(__LINE__);
	done();

	/* The machine stops while the new log is being written. */
	fill_for_rewrite();
	n = nexpect;
	disk.crash_in = 1; /* it stops between writing the new log and flushing it */
	capture();
	aof_tick(200, walk, &keys);
	captured();
	CHECK_EQ(stats().rewrites, 0);
	halt(true);
	CHECK_EQ(boot(), 0);
	check_replayed(__LINE__);
	CHECK_EQ(nseen, n);
	done();

	/* The switch's write fails, and so does naming the old log again: the disk may name either
	 * log now, so nothing more is written, even once the disk works again. */
	fill_for_rewrite();
	n = nexpect;
	disk.fail_header_writes = 2;
	capture();
	aof_tick(200, walk, &keys);
	captured();
	CHECK(strstr(out, "kv: log: switching to the rewritten log failed (Input/output error); "
			  "writes get errors from now on\n") == out);
	CHECK_EQ(set_str("late", "1"), 0);
	CHECK_EQ(aof_commit(), -1);
	forget_after(n);
	halt(false);
	CHECK_EQ(boot(), 0);
	check_replayed(__LINE__);
	done();

	/* Only the switch's write fails: the old log is named again and stays in use. */
	fill_for_rewrite();
	disk.fail_header_writes = 1;
	capture();
	aof_tick(200, walk, &keys);
	captured();
	CHECK_STR(out, "kv: log: rewrite failed (Input/output error); the old log stays in use\n");
	CHECK_EQ(set_str("late", "1"), 0);
	CHECK_EQ(aof_commit(), 0);
	halt(false);
	CHECK_EQ(boot(), 0);
	check_replayed(__LINE__);
	CHECK_EQ(header().active, 0);
	done();
}

/* The machine stops right after the switch; or the header write tore, leaving the old copy. */
static void rewrite_crash_after_switch(void)
{
	uint8_t before[512];
	int next;

	fill_for_rewrite();
	capture();
	aof_tick(200, walk, &keys);
	captured();
	CHECK_EQ(stats().rewrites, 1);
	expect_live();
	halt(true);
	CHECK_EQ(boot(), 0);
	check_replayed(__LINE__);
	CHECK_EQ(nseen, 10);
	done();

	fill_for_rewrite();
	next = !header().copy; /* the switch writes the copy that is not current */
	memcpy(before, disk.live + next * 512, 512);
	capture();
	aof_tick(200, walk, &keys);
	captured();
	CHECK_EQ(stats().rewrites, 1);
	CHECK_EQ(header().copy, next);
	/* The switch's write tore: the end of the header sector is what was there before. */
	memcpy(disk.live + next * 512 + 200, before + 200, 312);
	halt(false);
	CHECK_EQ(boot(), 0);
	check_replayed(__LINE__); /* every record of the old log */
	CHECK_EQ(nseen, 1100);
	CHECK_EQ(header().active, 0);
	done();
}

/* always: a flush per commit that wrote; everysec: at most one a second, from aof_tick; no: none. */
static void fsync_modes(void)
{
	unsigned f;

	new_disk(4 * MIB);
	CHECK_EQ(boot(), 0);
	aof_set_fsync(AOF_FSYNC_ALWAYS);
	CHECK_EQ(aof_get_fsync(), AOF_FSYNC_ALWAYS);
	f = disk.flushes;
	for (int i = 0; i < 5; i++) {
		CHECK_EQ(set_str("a", "1"), 0);
		CHECK_EQ(aof_commit(), 0);
		CHECK_EQ(disk.flushes, f + i + 1);
		/* What was acknowledged is on the disk. */
		CHECK(!memcmp(disk.durable, disk.live, disk.sectors * 512));
	}
	CHECK_EQ(aof_commit(), 0); /* nothing queued: nothing to flush */
	CHECK_EQ(disk.flushes, f + 5);
	for (uint64_t t = 0; t < 3000; t += 100)
		aof_tick(t, walk, &keys);
	CHECK_EQ(disk.flushes, f + 5);

	aof_set_fsync(AOF_FSYNC_EVERYSEC);
	f = disk.flushes;
	for (uint64_t t = 3000; t <= 6000; t += 100) {
		CHECK_EQ(set_str("b", "2"), 0);
		CHECK_EQ(aof_commit(), 0);
		aof_tick(t, walk, &keys);
	}
	CHECK_EQ(disk.flushes, f + 4); /* at 3000, 4000, 5000, 6000 */
	for (uint64_t t = 6100; t <= 9000; t += 100)
		aof_tick(t, walk, &keys); /* nothing written since: nothing to flush */
	CHECK_EQ(disk.flushes, f + 4);
	CHECK_EQ(set_str("b", "3"), 0);
	CHECK_EQ(aof_commit(), 0);
	aof_set_fsync(AOF_FSYNC_ALWAYS); /* what everysec left unflushed is flushed at the switch */
	CHECK_EQ(disk.flushes, f + 5);

	aof_set_fsync(AOF_FSYNC_NO);
	f = disk.flushes;
	for (uint64_t t = 9000; t <= 15000; t += 100) {
		CHECK_EQ(set_str("c", "4"), 0);
		CHECK_EQ(aof_commit(), 0);
		aof_tick(t, walk, &keys);
	}
	CHECK_EQ(disk.flushes, f);
	CHECK_EQ(stats().flushes, disk.flushes - 1); /* all but format's own */
	done();
}

/* A failed write: -1 and said once; the queue stays and goes out with the next commit. */
static void write_errors(void)
{
	struct aof_stats st;

	new_disk(4 * MIB);
	CHECK_EQ(boot(), 0);
	aof_set_fsync(AOF_FSYNC_ALWAYS);
	CHECK_EQ(set_str("a", "1"), 0);
	CHECK_EQ(aof_commit(), 0);
	CHECK_EQ(set_str("b", "2"), 0);
	disk.fail_writes = 1;
	capture();
	CHECK_EQ(aof_commit(), -1);
	CHECK_EQ(set_str("c", "3"), 0);
	disk.fail_writes = 1;
	CHECK_EQ(aof_commit(), -1);
	captured();
	CHECK_STR(out, "kv: log: writing the log failed (Input/output error); "
		       "writes get errors until the disk works again\n");
	aof_stats(&st);
	CHECK_EQ(st.errors, 2);
	CHECK_EQ(aof_commit(), 0);
	halt(true);
	CHECK_EQ(boot(), 0);
	check_replayed(__LINE__);
	done();
}

/* A small disk: a full log rewrites itself from aof_append; live keys that do not fit are refused. */
static void full_disk(void)
{
	char val[10000], key[16];
	int refused = 0;
	uint64_t rewrites;

	memset(val, 'f', sizeof(val));
	new_disk(1 * MIB);
	CHECK_EQ(boot(), 0);
	aof_tick(0, walk, &keys); /* kv's walk, known from here on */
	capture();
	for (int i = 0; i < 300; i++) {
		snprintf(key, sizeof(key), "k%d", i % 3);
		CHECK_EQ(set(key, val, sizeof(val)), 0);
		CHECK_EQ(aof_commit(), 0);
	}
	captured();
	CHECK(stats().rewrites >= 5);
	halt(false);
	CHECK_EQ(boot(), 0);
	CHECK_EQ(store_count(), 3);
	for (int i = 0; i < 3; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		CHECK(find(key) && find(key)->vlen == sizeof(val) &&
		      !memcmp(find(key)->val, val, sizeof(val)));
	}
	aof_tick(0, walk, &keys);
	capture();
	for (int i = 0; i < 100 && !refused; i++) {
		snprintf(key, sizeof(key), "new%d", i);
		if (set(key, val, sizeof(val)))
			refused = i;
		else
			CHECK_EQ(aof_commit(), 0);
	}
	captured();
	CHECK(refused > 30 && refused < 60);
	CHECK(header().region_sectors * 512 - log_bytes() < 24 + sizeof(val));
	rewrites = stats().rewrites;
	CHECK_EQ(set("more", val, sizeof(val)), -1);
	CHECK_EQ(stats().rewrites, rewrites); /* not again: nothing was added since the last one */
	done();

	/* A rewrite that fails (here: live keys too big for the region) is not tried again by every
	 * write that finds no room, only after aof_tick has waited a while. */
	new_disk(1 * MIB);
	CHECK_EQ(boot(), 0);
	aof_tick(1000, walk, &keys);
	while (header().region_sectors * 512 - log_bytes() >= 24 + 20 + sizeof(val)) {
		CHECK_EQ(set("k", val, sizeof(val)), 0);
		CHECK_EQ(aof_commit(), 0);
	}
	CHECK_EQ(stats().rewrites, 0);
	walk_bloat = 600 << 10;
	capture();
	CHECK_EQ(set("k", val, sizeof(val)), -1);
	CHECK_EQ(set("k", val, sizeof(val)), -1);
	captured();
	CHECK_STR(out, "kv: log: rewrite failed (the live keys do not fit in half of the disk); "
		       "the old log stays in use\n");
	CHECK_EQ(stats().errors, 1);
	walk_bloat = 0;
	aof_tick(1100, walk, &keys);
	aof_tick(11000, walk, &keys);
	CHECK_EQ(set("k", val, sizeof(val)), -1);
	CHECK_EQ(stats().errors, 1);
	capture();
	aof_tick(11100, walk, &keys);
	captured();
	CHECK_EQ(stats().rewrites, 1);
	CHECK_EQ(set("k", val, sizeof(val)), 0);
	done();
}

UNIT_MAIN("aof",
	  UNIT_TEST(disk_format),
	  UNIT_TEST(no_disk),
	  UNIT_TEST(unusable_disk),
	  UNIT_TEST(new_log),
	  UNIT_TEST(end_on_sector_boundary),
	  UNIT_TEST(replay_in_order),
	  UNIT_TEST(big_record),
	  UNIT_TEST(torn_tail),
	  UNIT_TEST(flipped_byte),
	  UNIT_TEST(same_record_after_cut),
	  UNIT_TEST(rewrite_live_keys),
	  UNIT_TEST(rewrite_crash_before_switch),
	  UNIT_TEST(rewrite_crash_after_switch),
	  UNIT_TEST(fsync_modes),
	  UNIT_TEST(write_errors),
	  UNIT_TEST(full_disk))
