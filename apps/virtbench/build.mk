# SPDX-License-Identifier: MIT
app-y += apps/virtbench/main.c apps/virtbench/micro.c apps/virtbench/blkbench.c
# The disk under "blk": the platform's block device, or none (APP_VIRTBENCH_BLK off).
app-$(CONFIG_APP_VIRTBENCH_BLK) += apps/virtbench/disk.c
app-$(CONFIG_APP_VIRTBENCH_NODISK) += apps/virtbench/nodisk.c
