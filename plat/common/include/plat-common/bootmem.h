/* SPDX-License-Identifier: MIT */
/* Building the usable-RAM list of struct plat_boot_info: add RAM ranges, cut out reservations. */
#ifndef PLAT_COMMON_BOOTMEM_H
#define PLAT_COMMON_BOOTMEM_H

#include <skiff/plat.h>

/*
 * Add [base, base+len) as usable RAM. Ranges are kept sorted by base; an overlapping or touching
 * range is merged. Returns 0, -EINVAL for a wrapping range, -ENOSPC when the list is full (the
 * range is then dropped: the image still boots with less memory).
 */
int bootmem_add(struct plat_boot_info *bi, uint64_t base, uint64_t len);

/*
 * Remove [start, end) from the usable RAM, splitting a range when the hole falls inside it.
 * Returns 0 or -ENOSPC when a split needs a slot the list does not have (the upper part is then
 * dropped, which loses memory but never hands out reserved memory).
 */
int bootmem_reserve(struct plat_boot_info *bi, uint64_t start, uint64_t end);

/* Sum of the lengths of the usable ranges. */
uint64_t bootmem_total(const struct plat_boot_info *bi);

#endif
