// SPDX-License-Identifier: MIT
/*
 * libc-test: a file built with _GNU_SOURCE, as much ported code is. newlib's headers then
 * declare futimesat twice with different array parameters, which -Werror=array-parameter
 * refused in every file that included <fcntl.h>; the C library's headers are system headers
 * now (support/rules.mk), so this file builds at all only because that holds.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>
#include "check.h"

void gnu_source_headers(void);

void gnu_source_headers(void)
{
	int fd = open("/gnu.txt", O_RDWR | O_CREAT | O_CLOEXEC, 0644);

	CHECK(fd >= 0);
	CHECK(write(fd, "gnu", 3) == 3);
	CHECK(close(fd) == 0 && unlink("/gnu.txt") == 0);
}
