// SPDX-License-Identifier: MIT
/* The QEMU world's disk behind plat_blk_*: plat.h has one block device, the first virtio-blk found. */
#define pr_tag "blk"
#include <skiff/printk.h>
#include <kvm/blk.h>

static struct vblk *disk;

void qemu_blk_found(struct virtio_dev *d)
{
	if (disk) {
		pr_warn("more than one virtio-blk device: only the first is used\n");
		return;
	}
	disk = vblk_init(d);
}

int qemu_blk_info(struct plat_blk_info *info)
{
	if (!disk)
		return PLAT_ENODEV;
	vblk_info(disk, info);
	return PLAT_OK;
}

int qemu_blk_submit(struct plat_blk_req *reqs, unsigned n)
{
	return disk ? vblk_submit(disk, reqs, n) : PLAT_ENODEV;
}
