/* SPDX-License-Identifier: MIT */
/* Time for kernel and apps: the monotonic clock, wall time, and the boot timestamps. */
#ifndef SKIFF_TIME_H
#define SKIFF_TIME_H

#include <stdint.h>

/* Nanoseconds since boot; never goes backwards. */
uint64_t sk_now_ns(void);
/* Nanoseconds since the Unix epoch, 0 when the platform has no wall clock. */
uint64_t sk_wall_ns(void);

#endif
