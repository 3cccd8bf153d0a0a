// SPDX-License-Identifier: MIT
/*
 * blktest: exercises the block device through batched requests; the host checks the disk file
 * afterwards. The first argument picks the test:
 *   rw (default)  print the disk's first sector, write 16 x 4 KiB in one batch at sector 64, read
 *                 them back in one batch and compare, write a marker line at sector 8, flush
 *   ro            a write must fail with EROFS while reads work (skiff-hv --disk-ro)
 *   nodisk        there must be no disk (-ENODEV)
 *   range         a request past the end of the disk must fail with EINVAL
 *   bench [MIB]   throughput (support/efi-bench.sh): MIB (default 64) written then read
 *                 sequentially in 1 MiB batches of 16 x 64 KiB (the writes end with a flush),
 *                 then 4 KiB reads at random 4 KiB-aligned places in that area, one request per
 *                 batch and 32 per batch; each with its time and rate. It overwrites the disk.
 */
#include <errno.h>
#include <string.h>
#include <skiff/blk.h>
#include <skiff/page.h>
#include <skiff/skiff.h>

#define CHUNK 4096
#define NCHUNKS 16
#define FIRST_SECTOR 64

static uint8_t wbuf[NCHUNKS][CHUNK], rbuf[NCHUNKS][CHUNK];

static int batch(enum plat_blk_op op, uint8_t (*bufs)[CHUNK])
{
	struct sk_blk_req req[NCHUNKS];
	int r;

	for (unsigned i = 0; i < NCHUNKS; i++)
		req[i] = (struct sk_blk_req){ .op = op, .sector = FIRST_SECTOR + i * (CHUNK / SK_BLK_SECTOR),
					      .buf = bufs[i], .len = CHUNK };
	r = sk_blk_io(req, NCHUNKS);
	for (unsigned i = 0; !r && i < NCHUNKS; i++)
		r = req[i].status;
	return r;
}

static int one(enum plat_blk_op op, uint64_t sector, void *buf, uint32_t len)
{
	struct sk_blk_req req = { .op = op, .sector = sector, .buf = buf, .len = len };
	int r = sk_blk_io(&req, 1);

	return r ? r : req.status;
}

static int test_rw(uint64_t sectors)
{
	static char first[SK_BLK_SECTOR + 1], marker[SK_BLK_SECTOR] = "written by blktest\n";
	int r;

	if (sectors < FIRST_SECTOR + NCHUNKS * CHUNK / SK_BLK_SECTOR) {
		sk_printf("blktest: disk too small (%llu sectors)\n", (unsigned long long)sectors);
		return 1;
	}
	if ((r = one(PLAT_BLK_READ, 0, first, SK_BLK_SECTOR))) {
		sk_printf("blktest: reading sector 0 failed: %d\n", r);
		return 1;
	}
	for (char *nl = first; *nl; nl++)
		if (*nl == '\n')
			*nl = '\0';
	sk_printf("blktest: sector 0 says \"%s\"\n", first);
	for (unsigned i = 0; i < NCHUNKS; i++)
		for (unsigned j = 0; j < CHUNK; j++)
			wbuf[i][j] = (uint8_t)(i * 31 + j * 7);
	if ((r = batch(PLAT_BLK_WRITE, wbuf)) || (r = batch(PLAT_BLK_READ, rbuf))) {
		sk_printf("blktest: batch failed: %d\n", r);
		return 1;
	}
	if (memcmp(wbuf, rbuf, sizeof(wbuf))) {
		sk_printf("blktest: read back differs from what was written\n");
		return 1;
	}
	if ((r = one(PLAT_BLK_WRITE, 8, marker, SK_BLK_SECTOR)) || (r = one(PLAT_BLK_FLUSH, 0, NULL, 0))) {
		sk_printf("blktest: marker write or flush failed: %d\n", r);
		return 1;
	}
	sk_printf("blktest: %d x %d bytes written and read back in two batches\n", NCHUNKS, CHUNK);
	return 0;
}

static int test_ro(bool ro)
{
	static char buf[SK_BLK_SECTOR];
	int r;

	if (!ro) {
		sk_printf("blktest: the disk is not read-only\n");
		return 1;
	}
	if ((r = one(PLAT_BLK_READ, 0, buf, sizeof(buf)))) {
		sk_printf("blktest: read failed: %d\n", r);
		return 1;
	}
	r = one(PLAT_BLK_WRITE, 0, buf, sizeof(buf));
	sk_printf("blktest: write to a read-only disk: %s\n", r == -EROFS ? "EROFS" : "NOT REFUSED");
	return r == -EROFS ? 0 : 1;
}

#define BENCH_REQ (64 * 1024)
#define BENCH_BATCH 16 /* 1 MiB a batch */
#define BENCH_RANDOM 4000

/* One pass over mib MiB from sector 0 with op; returns the nanoseconds, 0 on failure. */
static uint64_t bench_seq(enum plat_blk_op op, uint8_t *buf, unsigned mib)
{
	struct sk_blk_req req[BENCH_BATCH + 1];
	uint64_t t0 = sk_now_ns();
	int r = 0;

	for (unsigned b = 0; !r && b < mib; b++) {
		unsigned n = BENCH_BATCH;

		for (unsigned i = 0; i < BENCH_BATCH; i++)
			req[i] = (struct sk_blk_req){
				.op = op, .buf = buf + i * BENCH_REQ, .len = BENCH_REQ,
				.sector = ((uint64_t)b * BENCH_BATCH + i) * (BENCH_REQ / SK_BLK_SECTOR),
			};
		if (op == PLAT_BLK_WRITE && b + 1 == mib) /* the data must be on the disk */
			req[n++] = (struct sk_blk_req){ .op = PLAT_BLK_FLUSH };
		r = sk_blk_io(req, n);
		for (unsigned i = 0; !r && i < n; i++)
			r = req[i].status;
	}
	if (r) {
		sk_printf("blktest: bench: %s failed: %d\n", op == PLAT_BLK_WRITE ? "write" : "read", r);
		return 0;
	}
	return sk_now_ns() - t0 + 1;
}

/* count 4 KiB reads at random places in the first mib MiB, per_batch at a time; ns, 0 on failure. */
static uint64_t bench_random(uint8_t *buf, unsigned mib, unsigned per_batch, unsigned count)
{
	struct sk_blk_req req[32];
	uint64_t t0 = sk_now_ns(), x = 0x9e3779b97f4a7c15ULL, blocks = (uint64_t)mib * 256;
	int r = 0;

	for (unsigned done = 0; !r && done < count; done += per_batch) {
		for (unsigned i = 0; i < per_batch; i++) {
			x ^= x << 13; /* xorshift64: the same places on every run */
			x ^= x >> 7;
			x ^= x << 17;
			req[i] = (struct sk_blk_req){ .op = PLAT_BLK_READ, .buf = buf + i * 4096, .len = 4096,
						      .sector = (x % blocks) * 8 };
		}
		r = sk_blk_io(req, per_batch);
		for (unsigned i = 0; !r && i < per_batch; i++)
			r = req[i].status;
	}
	if (r) {
		sk_printf("blktest: bench: random read failed: %d\n", r);
		return 0;
	}
	return sk_now_ns() - t0 + 1;
}

static int bench(uint64_t sectors, const char *arg)
{
	unsigned mib = arg ? 0 : 64;
	uint8_t *buf = sk_page_alloc(8); /* 1 MiB: one batch */
	uint64_t ns;

	for (; arg && *arg >= '0' && *arg <= '9' && mib < 1000000; arg++) /* no libc here */
		mib = mib * 10 + (unsigned)(*arg - '0');
	if (!buf || mib == 0 || (uint64_t)mib * 2048 > sectors) {
		sk_printf("blktest: bench: %u MiB does not fit the disk, or no memory\n", mib);
		return 1;
	}
	for (unsigned i = 0; i < BENCH_BATCH * BENCH_REQ; i++)
		buf[i] = (uint8_t)(i * 13);
	if (!(ns = bench_seq(PLAT_BLK_WRITE, buf, mib)))
		return 1;
	sk_printf("blktest: bench sequential write, %u MiB in batches of %d x %d KiB, then a flush: "
		  "%llu ms, %llu MiB/s\n", mib, BENCH_BATCH, BENCH_REQ / 1024,
		  (unsigned long long)(ns / 1000000), (unsigned long long)mib * 1000000000ULL / ns);
	if (!(ns = bench_seq(PLAT_BLK_READ, buf, mib)))
		return 1;
	sk_printf("blktest: bench sequential read, %u MiB in batches of %d x %d KiB: %llu ms, %llu MiB/s\n",
		  mib, BENCH_BATCH, BENCH_REQ / 1024, (unsigned long long)(ns / 1000000),
		  (unsigned long long)mib * 1000000000ULL / ns);
	for (unsigned per = 1; per <= 32; per *= 32) {
		if (!(ns = bench_random(buf, mib, per, BENCH_RANDOM)))
			return 1;
		sk_printf("blktest: bench 4 KiB random reads, %u per batch: %d in %llu ms, %llu IOPS\n", per,
			  BENCH_RANDOM, (unsigned long long)(ns / 1000000),
			  (unsigned long long)BENCH_RANDOM * 1000000000ULL / ns);
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *how = argc > 1 ? argv[1] : "rw";
	static char buf[SK_BLK_SECTOR];
	uint64_t sectors = 0;
	bool ro = false;
	int r = sk_blk_info(&sectors, &ro);

	if (!strcmp(how, "nodisk")) {
		sk_printf("blktest: no disk: %s\n", r == -ENODEV ? "ENODEV" : "a disk is there");
		return r == -ENODEV ? 0 : 1;
	}
	if (r) {
		sk_printf("blktest: no disk (%d)\n", r);
		return 1;
	}
	sk_printf("blktest: disk of %llu sectors%s\n", (unsigned long long)sectors, ro ? ", read-only" : "");
	if (!strcmp(how, "ro"))
		return test_ro(ro);
	if (!strcmp(how, "bench"))
		return bench(sectors, argc > 2 ? argv[2] : NULL);
	if (!strcmp(how, "range")) {
		r = one(PLAT_BLK_READ, sectors, buf, sizeof(buf));
		sk_printf("blktest: read past the end: %s\n", r == -EINVAL ? "EINVAL" : "NOT REFUSED");
		return r == -EINVAL ? 0 : 1;
	}
	return test_rw(sectors);
}
