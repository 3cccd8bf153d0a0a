// SPDX-License-Identifier: MIT
/*
 * blktest: exercises the block device through batched requests; the host checks the disk file
 * afterwards. The first argument picks the test:
 *   rw (default)  print the disk's first sector, write 16 x 4 KiB in one batch at sector 64, read
 *                 them back in one batch and compare, write a marker line at sector 8, flush
 *   ro            a write must fail with EROFS while reads work (skiff-hv --disk-ro)
 *   nodisk        there must be no disk (-ENODEV)
 *   range         a request past the end of the disk must fail with EINVAL
 */
#include <errno.h>
#include <string.h>
#include <skiff/blk.h>
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
	if (!strcmp(how, "range")) {
		r = one(PLAT_BLK_READ, sectors, buf, sizeof(buf));
		sk_printf("blktest: read past the end: %s\n", r == -EINVAL ? "EINVAL" : "NOT REFUSED");
		return r == -EINVAL ? 0 : 1;
	}
	return test_rw(sectors);
}
