/* SPDX-License-Identifier: MIT */
/*
 * newlib's <sys/stat.h>, plus what it declares only for other targets: lstat and mknod, and the
 * utimensat/futimens special values (Linux's).
 */
#ifndef SKIFF_SYS_STAT_H
#define SKIFF_SYS_STAT_H

#include_next <sys/stat.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef UTIME_NOW
#define UTIME_NOW ((1l << 30) - 1l)
#define UTIME_OMIT ((1l << 30) - 2l)
#endif

int lstat(const char *__restrict path, struct stat *__restrict st);
int mknod(const char *path, mode_t mode, dev_t dev);

#ifdef __cplusplus
}
#endif
#endif
