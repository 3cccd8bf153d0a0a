// SPDX-License-Identifier: MIT
/*
 * The block benchmark (virtbench.h), on whatever disk the build provides: sequential throughput
 * in 1 MiB requests (each one request, so one exit or ring round trip where the platform takes
 * one), and 4 KiB random IOPS one request at a time, which is what the cost per request shows in.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "virtbench.h"

#define CHUNK (1u << 20)
#define SMALL 4096u

static uint64_t rng = VB_XORSHIFT_SEED;

static uint64_t rnd(void)
{
	return vb_xorshift(&rng);
}

/* Every chunk starts with its own number, so reading back checks where the data landed. */
static int sequential(int write, uint8_t *buf, uint64_t len)
{
	double t0 = vb_now_ns();
	int r = 0;

	for (uint64_t off = 0; off < len && !r; off += CHUNK) {
		if (write)
			memcpy(buf, &off, sizeof(off));
		r = vb_disk_rw(write, off, buf, CHUNK);
		if (!r && !write && memcmp(buf, &off, sizeof(off)))
			r = -EIO;
	}
	if (!r && write)
		r = vb_disk_flush();
	if (r) {
		fprintf(stderr, "virtbench: blk: sequential %s failed: %d\n", write ? "write" : "read", r);
		return r;
	}
	vb_result(write ? "blk-seq-write" : "blk-seq-read", (double)len / (vb_now_ns() - t0) * 1e3, "MB/s",
		  "request=1MiB mib=%llu%s", (unsigned long long)(len >> 20), write ? " flush=end" : "");
	return 0;
}

static int random_io(int write, uint8_t *buf, uint64_t len, long n)
{
	uint64_t blocks = len / SMALL;
	double t0 = vb_now_ns();
	int r = 0;

	for (long i = 0; i < n && !r; i++)
		r = vb_disk_rw(write, rnd() % blocks * SMALL, buf, SMALL);
	if (!r && write)
		r = vb_disk_flush();
	if (r) {
		fprintf(stderr, "virtbench: blk: random %s failed: %d\n", write ? "write" : "read", r);
		return r;
	}
	vb_result(write ? "blk-rand-write" : "blk-rand-read", (double)n / (vb_now_ns() - t0) * 1e9, "IOPS",
		  "request=4KiB depth=1 n=%ld%s", n, write ? " flush=end" : "");
	return 0;
}

int vb_blk_bench(long mib, long n)
{
	uint64_t bytes, len;
	uint8_t *buf;
	int r = vb_disk_open(&bytes);

	if (r) {
		fprintf(stderr, "virtbench: blk: no disk (%d)\n", r);
		return 1;
	}
	len = (uint64_t)mib << 20;
	if (len > bytes)
		len = bytes / CHUNK * CHUNK;
	if (len < CHUNK) {
		fprintf(stderr, "virtbench: blk: the disk is under 1 MiB\n");
		return 1;
	}
	buf = aligned_alloc(SMALL, CHUNK);
	if (!buf)
		return 1;
	memset(buf, 0x5a, CHUNK);
	r = sequential(1, buf, len);
	r = r ? r : sequential(0, buf, len);
	r = r ? r : random_io(0, buf, len, n);
	r = r ? r : random_io(1, buf, len, n);
	free(buf);
	fprintf(stderr, "virtbench: done\n");
	return r ? 1 : 0;
}
