// SPDX-License-Identifier: MIT
/* An image built without the block benchmark (APP_VIRTBENCH_BLK off): "blk" finds no disk. */
#include <errno.h>
#include "virtbench.h"

int vb_disk_open(uint64_t *bytes)
{
	(void)bytes;
	return -ENODEV;
}

int vb_disk_rw(int write, uint64_t off, void *buf, size_t len)
{
	(void)write, (void)off, (void)buf, (void)len;
	return -ENODEV;
}

int vb_disk_flush(void)
{
	return -ENODEV;
}
