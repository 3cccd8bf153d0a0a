/* SPDX-License-Identifier: MIT */
/* A tiny host unit-test harness: CHECK macros, one "ok"/"FAIL" line per test, a summary line. */
#ifndef SKIFF_TESTS_UNIT_H
#define SKIFF_TESTS_UNIT_H

#include <setjmp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

extern int unit_failed_checks;

#define CHECK(cond)                                                                    \
	do {                                                                           \
		if (!(cond)) {                                                         \
			fprintf(stderr, "  check failed %s:%d: %s\n", __FILE__, __LINE__, #cond); \
			unit_failed_checks++;                                          \
		}                                                                      \
	} while (0)

#define CHECK_EQ(a, b)                                                                       \
	do {                                                                                 \
		long long _a = (long long)(a), _b = (long long)(b);                          \
		if (_a != _b) {                                                              \
			fprintf(stderr, "  check failed %s:%d: %s == %s (%lld != %lld)\n",   \
				__FILE__, __LINE__, #a, #b, _a, _b);                         \
			unit_failed_checks++;                                                \
		}                                                                            \
	} while (0)

#define CHECK_STR(a, b)                                                                     \
	do {                                                                                \
		const char *_a = (a), *_b = (b);                                            \
		if (!_a || !_b || strcmp(_a, _b) != 0) {                                    \
			fprintf(stderr, "  check failed %s:%d: %s == %s (\"%s\" != \"%s\")\n", \
				__FILE__, __LINE__, #a, #b, _a ? _a : "(null)", _b ? _b : "(null)"); \
			unit_failed_checks++;                                               \
		}                                                                           \
	} while (0)

/*
 * EXPECT_PANIC(stmt): stmt must end in sk_panic (the stub platform's sk_panic longjmps back here).
 */
extern jmp_buf *unit_panic_jmp;
extern char unit_panic_msg[256];
#define EXPECT_PANIC(stmt)                                                        \
	do {                                                                      \
		jmp_buf _jb;                                                      \
		unit_panic_jmp = &_jb;                                            \
		if (setjmp(_jb) == 0) {                                           \
			stmt;                                                     \
			fprintf(stderr, "  expected a panic %s:%d: %s\n", __FILE__, __LINE__, #stmt); \
			unit_failed_checks++;                                     \
		}                                                                 \
		unit_panic_jmp = NULL;                                            \
	} while (0)

/*
 * Give the kernel's page allocator and heap 16 MiB of host memory, once per process (kernel_ram.c,
 * for tests that link the allocators). Returns true the first time, when it set them up.
 */
bool unit_kernel_ram(void);

typedef void (*unit_fn)(void);
struct unit_test {
	const char *name;
	unit_fn fn;
};

#define UNIT_TEST(fn) { #fn, fn }

/* Run every test; prints "ok  <suite>.<name>" or "FAIL <suite>.<name>"; returns the exit status. */
int unit_run(const char *suite, const struct unit_test *tests, size_t n);

#define UNIT_MAIN(suite, ...)                                                     \
	int main(void)                                                            \
	{                                                                         \
		static const struct unit_test _t[] = { __VA_ARGS__ };             \
		return unit_run(suite, _t, sizeof(_t) / sizeof(_t[0]));           \
	}

#endif
