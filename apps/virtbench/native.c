// SPDX-License-Identifier: MIT
/*
 * virtbench as a Linux program: the native baseline of support/virtbench.sh, the same
 * microbenchmarks and block benchmark as the image (virtbench.h), not part of any image.
 *   gcc -O2 -pthread -o virtbench-linux micro.c blkbench.c native.c
 * The block benchmark's disk is the file named by VIRTBENCH_DISK (written in place: a file on
 * the host, through its page cache, as skiff-hv's --disk and QEMU's default cache use it).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "virtbench.h"

static int disk_fd = -1;

int vb_disk_open(uint64_t *bytes)
{
	const char *path = getenv("VIRTBENCH_DISK");
	struct stat st;

	if (!path)
		return -ENODEV;
	disk_fd = open(path, O_RDWR);
	if (disk_fd < 0 || fstat(disk_fd, &st))
		return -errno;
	*bytes = (uint64_t)st.st_size;
	return 0;
}

int vb_disk_rw(int write, uint64_t off, void *buf, size_t len)
{
	ssize_t n = write ? pwrite(disk_fd, buf, len, (off_t)off) : pread(disk_fd, buf, len, (off_t)off);

	return n == (ssize_t)len ? 0 : n < 0 ? -errno : -EIO;
}

int vb_disk_flush(void)
{
	return fdatasync(disk_fd) ? -errno : 0;
}

int main(int argc, char **argv)
{
	cpu_set_t one;
	int r;

	/*
	 * On one CPU, as the image runs on one vCPU: two threads that take turns then switch on
	 * that CPU instead of waking each other across two.
	 */
	CPU_ZERO(&one);
	CPU_SET(sched_getcpu() < 0 ? 0 : sched_getcpu(), &one);
	sched_setaffinity(0, sizeof(one), &one);
	r = vb_common_main(argc, argv);
	if (r < 0) {
		fprintf(stderr, "virtbench: unknown benchmark '%s' (micro, null-call, blk, nop, crash)\n", argv[1]);
		return 2;
	}
	return r;
}
