/* SPDX-License-Identifier: MIT */
/*
 * newlib's <fcntl.h>, plus what it lacks that ported programs use: open file description locks
 * (Linux's numbers; newlib's own F_* numbers do not reach them).
 */
#ifndef SKIFF_FCNTL_H
#define SKIFF_FCNTL_H

#include_next <fcntl.h>

#ifndef F_OFD_GETLK
#define F_OFD_GETLK 36
#define F_OFD_SETLK 37
#define F_OFD_SETLKW 38
#endif

#endif
