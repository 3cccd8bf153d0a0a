/* SPDX-License-Identifier: MIT */
/*
 * Random bytes for /dev/urandom, getrandom() and getentropy(): from the CPU's RDRAND where it has
 * one (an entropy source in hardware, reseeded by RDSEED's conditioner), else from a 64-bit mixer
 * fed with the cycle counter at every call. The fallback is unpredictable to a remote party only
 * as far as timing is; it is no substitute for a hardware source, and the boot log says which
 * one an image uses.
 */
#ifndef SKIFF_RANDOM_H
#define SKIFF_RANDOM_H

#include <stdbool.h>
#include <stddef.h>

void sk_random_fill(void *buf, size_t len);
/* True when the bytes come from the CPU's RDRAND. */
bool sk_random_hardware(void);

#endif
