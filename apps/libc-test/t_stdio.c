// SPDX-License-Identifier: MIT
/* libc-test: formatted I/O, strings, conversions, sorting, math and the allocator. */
#include <errno.h>
#include <ctype.h>
#include <float.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"

static int fmt_is(const char *want, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fmt_is(const char *want, const char *fmt, ...)
{
	char buf[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (strcmp(buf, want))
		snprintf(check_failure, sizeof(check_failure), "format \"%s\" gave \"%s\", not \"%s\"",
			 fmt, buf, want);
	return !strcmp(buf, want);
}

static void printf_integers(void)
{
	fmt_is("42 -7 ff FF 0x1f 017", "%d %i %x %X %#x %#o", 42, -7, 255, 255, 31, 15);
	fmt_is("[   42][42   ][00042]", "[%5d][%-5d][%05d]", 42, 42, 42);
	fmt_is("-9223372036854775808 18446744073709551615", "%lld %llu", LLONG_MIN, ULLONG_MAX);
	fmt_is("123 -5 255", "%zu %jd %hhu", (size_t)123, (intmax_t)-5, (unsigned char)255);
	fmt_is("hello|   hi|a|%", "%s|%5.2s|%c|%%", "hello", "hi!", 'a');
}

static void printf_floats(void)
{
	fmt_is("3.141593 3.14 +2.50 -0.000", "%f %.2f %+.2f %.3f", M_PI, M_PI, 2.5, -0.0001);
	fmt_is("1.234560e+05 1.23457e+06 0.0001", "%e %g %g", 123456.0, 1234567.0, 0.0001);
	fmt_is("inf -inf nan", "%f %f %f", INFINITY, -INFINITY, NAN);
	fmt_is("0x1p+0", "%a", 1.0);
	fmt_is("  1.5e+300", "%10.1e", 1.5e300);
}

static void scanf_parsing(void)
{
	int i = 0, n = 0;
	double d = 0;
	char w[16] = "";
	unsigned x = 0;

	n = sscanf("  42 3.5e2 word 0x1A", "%d %lf %15s %x", &i, &d, w, &x);
	CHECK(n == 4 && i == 42 && d == 350.0 && !strcmp(w, "word") && x == 26);
	CHECK(sscanf("abc", "%d", &i) == 0);
}

static void strings(void)
{
	char buf[32], *save, *tok;
	char list[] = "a,b,,c";
	int n = 0;

	strcpy(buf, "0123456789");
	memmove(buf + 2, buf, 5);
	CHECK(!strcmp(buf, "0101234789"));
	CHECK(strstr("haystack", "st") && !strcmp(strstr("haystack", "st"), "stack"));
	CHECK(strncmp("abc", "abd", 2) == 0 && strcmp("abc", "abd") < 0);
	CHECK(strlen("") == 0 && strchr("abc", 'c') && !strrchr("abc", 'z'));
	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		n++;
	CHECK(n == 3);
	CHECK(toupper('q') == 'Q' && isdigit('7') && !isalpha('7') && isspace('\t'));
	CHECK(!strcasecmp("HeLLo", "hello"));
}

static void conversions(void)
{
	char *end;

	CHECK(strtol("  -123xyz", &end, 10) == -123 && *end == 'x');
	CHECK(strtoul("ff", NULL, 16) == 255 && strtoll("0777", NULL, 0) == 511);
	CHECK(atoi("56") == 56 && atol("-9") == -9);
	CHECK(strtod("2.5e-3", NULL) == 2.5e-3 && fabs(atof("3.25") - 3.25) < 1e-12);
	CHECK(strtod("inf", NULL) == INFINITY);
	CHECK_ERRNO(strtol("99999999999999999999999", NULL, 10) == LONG_MAX ? -1 : 0, ERANGE);
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

static void sorting(void)
{
	int v[] = { 5, 3, 9, 1, 7, 2, 8 }, key = 7;
	int *hit;

	qsort(v, 7, sizeof(int), cmp_int);
	CHECK(v[0] == 1 && v[3] == 5 && v[6] == 9);
	hit = bsearch(&key, v, 7, sizeof(int), cmp_int);
	CHECK(hit && *hit == 7);
	CHECK(abs(-4) == 4 && labs(-5L) == 5 && div(17, 5).quot == 3 && div(17, 5).rem == 2);
}

static void random_numbers(void)
{
	int a, b;

	srand(42);
	a = rand();
	srand(42);
	b = rand();
	CHECK(a == b && a >= 0 && a <= RAND_MAX);
}

static void math(void)
{
	CHECK(fabs(sin(M_PI / 2) - 1.0) < 1e-12 && fabs(cos(0.0) - 1.0) < 1e-12);
	CHECK(sqrt(144.0) == 12.0 && pow(2.0, 10.0) == 1024.0);
	CHECK(fabs(exp(1.0) - M_E) < 1e-12 && fabs(log(M_E) - 1.0) < 1e-12);
	CHECK(floor(-2.5) == -3.0 && ceil(2.1) == 3.0 && fmod(7.0, 3.0) == 1.0);
	CHECK(isnan(sqrt(-1.0)) && isinf(1.0 / 0.0));
	/* sqrt is the SSE instruction (lib/newlib/sqrt.c): correctly rounded, errno as before. */
	{
		volatile double two = 2.0, neg = -4.0, nzero = -0.0;
		double r = sqrt(two);
		uint64_t bits;

		memcpy(&bits, &r, 8);
		CHECK(bits == 0x3ff6a09e667f3bcdULL && sqrtf(2.0f) == 1.41421354f);
		errno = 0;
		CHECK(isnan(sqrt(neg)) && errno == EDOM);
		CHECK(sqrt(nzero) == 0.0 && signbit(sqrt(nzero)) && isinf(sqrt(INFINITY)));
	}
	CHECK(fabs(atan2(1.0, 1.0) - M_PI / 4) < 1e-12 && DBL_EPSILON > 0);
}

/* Random sizes, every block filled with its own byte and checked before it goes. */
static void malloc_stress(void)
{
	enum { SLOTS = 256, ROUNDS = 20000 };
	static unsigned char *p[SLOTS];
	static size_t len[SLOTS];
	unsigned seed = 1;

	for (int r = 0; r < ROUNDS; r++) {
		unsigned i = (seed = seed * 1103515245 + 12345) % SLOTS;
		size_t n = (seed >> 8) % ((seed & 0x100000) ? 70000 : 600) + 1;

		if (p[i]) {
			for (size_t k = 0; k < len[i]; k += 61)
				if (p[i][k] != (unsigned char)i) {
					CHECK(!"a block changed under its owner");
					return;
				}
			p[i] = (seed & 1) ? realloc(p[i], n) : (free(p[i]), malloc(n));
		} else {
			p[i] = malloc(n);
		}
		CHECK(p[i] != NULL);
		if (!p[i])
			return;
		len[i] = n;
		memset(p[i], (int)i, n);
	}
	for (int i = 0; i < SLOTS; i++)
		free(p[i]);
}

static void malloc_misc(void)
{
	int *z = calloc(1000, sizeof(int));
	void *a = NULL;
	int zero = 1;

	CHECK(z != NULL);
	for (int i = 0; z && i < 1000; i++)
		zero &= z[i] == 0;
	CHECK(zero);
	free(z);
	CHECK(posix_memalign(&a, 256, 1000) == 0 && ((uintptr_t)a & 255) == 0);
	free(a);
	CHECK(malloc(0) != (void *)1); /* may be NULL or unique; must not crash */
	volatile size_t huge = SIZE_MAX / 2; /* volatile: the compiler would reject the calloc */

	CHECK_ERRNO(malloc(huge), ENOMEM);
	CHECK_ERRNO(calloc(huge, 4), ENOMEM);
}

const struct test stdio_tests[] = {
	TEST(printf_integers), TEST(printf_floats), TEST(scanf_parsing), TEST(strings),
	TEST(conversions), TEST(sorting), TEST(random_numbers), TEST(math), TEST(malloc_stress),
	TEST(malloc_misc), { NULL, NULL },
};
