/* SPDX-License-Identifier: MIT */
/* newlib's <utime.h> defines struct utimbuf but does not declare utime(). */
#ifndef SKIFF_UTIME_H
#define SKIFF_UTIME_H

#include_next <utime.h>

#ifdef __cplusplus
extern "C" {
#endif

int utime(const char *path, const struct utimbuf *times);

#ifdef __cplusplus
}
#endif
#endif
