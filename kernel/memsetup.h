/* SPDX-License-Identifier: MIT */
/* Boot-time memory set-up (kernel-internal). */
#ifndef KERNEL_MEMSETUP_H
#define KERNEL_MEMSETUP_H

#include <skiff/plat.h>

/* 0, or -1 after printing why the machine has too little memory for this image. */
int memsetup(const struct plat_boot_info *bi);

#endif
