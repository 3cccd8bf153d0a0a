// SPDX-License-Identifier: MIT
/* The block benchmark's disk in the image (virtbench.h): the platform's block device. */
#include <errno.h>
#include <stdbool.h>
#include <skiff/blk.h>
#include "virtbench.h"

/* The image's disk is the platform's block device, one request per call. */
int vb_disk_open(uint64_t *bytes)
{
	uint64_t sectors;
	bool ro;
	int r = sk_blk_info(&sectors, &ro);

	if (r)
		return r;
	*bytes = sectors * SK_BLK_SECTOR;
	return ro ? -EROFS : 0;
}

int vb_disk_rw(int write, uint64_t off, void *buf, size_t len)
{
	struct sk_blk_req req = { .op = write ? PLAT_BLK_WRITE : PLAT_BLK_READ, .sector = off / SK_BLK_SECTOR,
				  .buf = buf, .len = (uint32_t)len };
	int r = sk_blk_io(&req, 1);

	return r ? r : req.status;
}

int vb_disk_flush(void)
{
	struct sk_blk_req req = { .op = PLAT_BLK_FLUSH };
	int r = sk_blk_io(&req, 1);

	return r ? r : req.status;
}
