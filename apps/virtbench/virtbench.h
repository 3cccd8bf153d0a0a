/* SPDX-License-Identifier: MIT */
/*
 * virtbench's portable part: the microbenchmarks and the block benchmark in plain C11 and POSIX,
 * built both into the image (main.c) and into a Linux program (native.c, the native baseline),
 * so that every figure compares the same code on each platform.
 *
 * Every result is one line on stderr:
 *     virtbench: NAME VALUE UNIT [key=value...]
 * NAME is the metric, VALUE a plain decimal number, UNIT its unit; the keys say how it was
 * taken (iterations, sizes). support/virtbench.sh reads nothing else.
 */
#ifndef VIRTBENCH_H
#define VIRTBENCH_H

#include <stddef.h>
#include <stdint.h>

/* The monotonic clock in nanoseconds. */
double vb_now_ns(void);

/* The next number of a xorshift64 sequence kept in *state (start it at VB_XORSHIFT_SEED). */
#define VB_XORSHIFT_SEED 0x9e3779b97f4a7c15ull
uint64_t vb_xorshift(uint64_t *state);

/* Prints one result line; extra is a printf format for the keys, or NULL. */
void vb_result(const char *name, double value, const char *unit, const char *extra, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * The modes both builds share: micro [NAME[=N],...], null-call [N], blk [MIB] [N], nop, crash.
 * Returns the exit status, or -1 when argv[1] names none of them.
 */
int vb_common_main(int argc, char **argv);

/*
 * The block benchmark (blkbench.c): mib MiB written and read back in 1 MiB requests, then n
 * random 4 KiB reads and n random 4 KiB writes, one request at a time. Returns the exit status.
 */
int vb_blk_bench(long mib, long n);

/*
 * The disk under the block benchmark, one implementation per build: the image's block device
 * (sk_blk_io) or a file on the host. Offsets and lengths are multiples of 512; each call is
 * one synchronous request. Return 0 or a negative errno.
 */
int vb_disk_open(uint64_t *bytes);
int vb_disk_rw(int write, uint64_t off, void *buf, size_t len);
int vb_disk_flush(void);

#endif
