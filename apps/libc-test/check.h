/* SPDX-License-Identifier: MIT */
/* libc-test's harness: a test is a function; CHECK records the first failure with its line. */
#ifndef LIBC_TEST_CHECK_H
#define LIBC_TEST_CHECK_H

#include <errno.h>
#include <stdio.h>
#include <string.h>

extern char check_failure[256];

#define CHECK(cond)                                                                          \
	do {                                                                                 \
		if (!(cond) && !check_failure[0])                                            \
			snprintf(check_failure, sizeof(check_failure), "%s:%d: %s", __FILE__, \
				 __LINE__, #cond);                                           \
	} while (0)

/* expr must fail (-1 or NULL) with errno e. */
#define CHECK_ERRNO(expr, e)                                                                    \
	do {                                                                                    \
		errno = 0;                                                                      \
		long _r = (long)(expr);                                                         \
		if ((_r != -1 && _r != 0) || errno != (e)) {                                    \
			if (!check_failure[0])                                                  \
				snprintf(check_failure, sizeof(check_failure),                  \
					 "%s:%d: %s gave %ld, errno %d (%s), expected %s", __FILE__, \
					 __LINE__, #expr, _r, errno, strerror(errno), #e);      \
		}                                                                               \
	} while (0)

struct test {
	const char *name;
	void (*fn)(void);
};

#define TEST(fn) { #fn, fn }

extern const struct test stdio_tests[], file_tests[], thread_tests[], misc_tests[], posix_tests[],
	ipc_tests[];
/* Only in an image with the network stack (CONFIG_LIBLWIP): weak, so the others link without it. */
extern const struct test net_tests[] __attribute__((weak));

#endif
