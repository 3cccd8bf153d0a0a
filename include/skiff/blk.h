/* SPDX-License-Identifier: MIT */
/* The block device as apps see it (CONFIG_SK_BLK): capacity, and batched synchronous I/O. */
#ifndef SKIFF_BLK_H
#define SKIFF_BLK_H

#include <stdbool.h>
#include <stdint.h>
#include <skiff/plat.h>

#define SK_BLK_SECTOR PLAT_BLK_SECTOR
#define SK_BLK_MAX_REQS PLAT_BLK_MAX_REQS
#define SK_BLK_MAX_BYTES PLAT_BLK_MAX_BYTES

/* A request: the same struct the platform takes; status comes back as 0 or a negative errno. */
struct sk_blk_req {
	enum plat_blk_op op;	/* PLAT_BLK_READ, PLAT_BLK_WRITE, PLAT_BLK_FLUSH */
	int status;		/* out: 0, -EIO, -EINVAL, -EROFS, -ENODEV */
	uint64_t sector;
	void *buf;
	uint32_t len;		/* bytes, a multiple of SK_BLK_SECTOR; 0 for a flush */
};

/* 0 with *sectors and *read_only set, or -ENODEV when the image has no disk. */
int sk_blk_info(uint64_t *sectors, bool *read_only);

/*
 * Run n requests (1..SK_BLK_MAX_REQS) as one batch, in order. Returns 0 when every request was
 * attempted (look at each status), -EINVAL for a bad n or request, -ENODEV without a disk.
 * Requests are checked here first (length, alignment, range), so a bad one fails alone with
 * -EINVAL and never reaches the platform.
 */
int sk_blk_io(struct sk_blk_req *reqs, unsigned n);

#endif
