/* SPDX-License-Identifier: MIT */
/* The QEMU world's disk: the first virtio-blk device found on PCI or virtio-mmio (blk.c, virtio_blk.c). */
#ifndef KVM_BLK_H
#define KVM_BLK_H

#include <skiff/plat.h>
#include <kvm/virtio.h>

struct vblk;

/* Set up a virtio-blk device: NULL when it cannot be used (said why). */
struct vblk *vblk_init(struct virtio_dev *d);
void vblk_info(const struct vblk *b, struct plat_blk_info *info);
/* plat_blk_submit on this device: every request gets its status before it returns. */
int vblk_submit(struct vblk *b, struct plat_blk_req *reqs, unsigned n);

/* A virtio-blk device was found: the first becomes the disk. */
void qemu_blk_found(struct virtio_dev *d);
int qemu_blk_info(struct plat_blk_info *info);
int qemu_blk_submit(struct plat_blk_req *reqs, unsigned n);

#endif
