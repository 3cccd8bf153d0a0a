// SPDX-License-Identifier: MIT
/* Host tests for sk_vsnprintf/sk_snprintf: the host's snprintf is the oracle wherever C defines the output. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <skiff/printk.h>
#include "unit.h"

static char got[512], want[512];

/* Compare one call against the host; the format and its arguments are the macro's arguments. */
static void same_check(int line, const char *what, int got_n, int want_n)
{
	if (got_n != want_n || strcmp(got, want) != 0) {
		fprintf(stderr, "  line %d: %s: got %d \"%s\", want %d \"%s\"\n", line, what, got_n, got,
			want_n, want);
		unit_failed_checks++;
	}
}

#define SAME(...)                                                       \
	same_check(__LINE__, #__VA_ARGS__, sk_snprintf(got, sizeof(got), __VA_ARGS__), \
		   snprintf(want, sizeof(want), __VA_ARGS__))

/*
 * Calls without the compiler's format check: for formats whose flags it calls useless ("%-05d"),
 * which C still defines, and for undefined ones (%f without an argument) that only sk_ gets.
 */
static int raw(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = sk_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

static int host(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

#define SAME_UNCHECKED(...)                                                   \
	same_check(__LINE__, #__VA_ARGS__, raw(got, sizeof(got), __VA_ARGS__), \
		   host(want, sizeof(want), __VA_ARGS__))

static void test_plain(void)
{
	SAME("%s", "");
	SAME("hello");
	SAME("100%% sure %%");
	SAME("a%cb", 'x');
	SAME("%c%c%c", 'a', 0x7f, '~');
	SAME("[%5c][%-5c]", 'z', 'z');
	SAME("%s|%s", "one", "two");
	SAME("[%10s][%-10s][%.2s][%10.2s][%-10.2s]", "abc", "abc", "abc", "abc", "abc");
	SAME("[%.0s][%.10s][%*s][%-*s][%.*s]", "abc", "abc", 6, "x", 6, "x", 2, "abcd");
	SAME("[%*.*s]", -8, 3, "abcdef");
	SAME("[%.*s]", -1, "abcdef");
}

static void test_int_table(void)
{
	SAME("%d %d %d %d", 0, 1, -1, 42);
	SAME("%d %d", INT32_MAX, INT32_MIN);
	SAME("%i %i", 123456, -654321);
	SAME("%u %u %u", 0u, 1u, UINT32_MAX);
	SAME("%x %X %o", 0xdeadbeefu, 0xdeadbeefu, 0777u);
	SAME("%x %X %o", 0u, 0u, 0u);
	SAME("%5d|%-5d|%05d|%+d|% d|%+d|% d", 42, 42, 42, 42, 42, -42, -42);
	SAME_UNCHECKED("%05d|%-05d|%+05d|% 05d", -42, -42, 42, 42);
	SAME("%.0d|%.0i|%.0u|%.0x|%.0o|%5.0d|%-5.0d|", 0, 0, 0u, 0u, 0u, 0, 0);
	SAME_UNCHECKED("%.3d|%.3d|%8.3d|%-8.3d|%08.3d|%+.3d", 7, -7, 7, -7, 7, 7);
	SAME("%.10d|%.1d|%.2d", -1234, -1234, 0);
	SAME("%#x|%#X|%#o|%#x|%#o", 255u, 255u, 8u, 0u, 0u);
	SAME("%#.0o|%#.3o|%#5o|%#05x|%#-8x|%#08X|%#.4x", 0u, 8u, 8u, 15u, 15u, 15u, 15u);
	SAME("%#10.4x|%#010x|%#o", 0x1fu, 0x1fu, 01234567u);
	SAME("%*d|%-*d|%*d|%.*d|%*.*d", 6, 1, 6, 1, -6, 1, 4, 1, 8, 4, -1);
	SAME("%.*d|%.*d", -1, 5, -5, 0);
	SAME_UNCHECKED("%+u|% u|%+x", 5u, 5u, 5u);
	SAME_UNCHECKED("%0*d|%-0*d", 5, -3, 5, -3);
}

static void test_lengths(void)
{
	SAME("%hhd %hhd %hhd %hhu %hhx", (signed char)-128, (signed char)127, (signed char)-1,
	     (unsigned char)255, (unsigned char)0xab);
	SAME("%hd %hd %hu %hx %ho", (short)-32768, (short)32767, (unsigned short)65535,
	     (unsigned short)0xbeef, (unsigned short)0177777);
	SAME("%ld %ld %lu %lx", (long)INT64_MIN, (long)INT64_MAX, (unsigned long)UINT64_MAX,
	     (unsigned long)0x123456789abcdefUL);
	SAME("%lld %lld %llu %llx %llo", (long long)INT64_MIN, (long long)INT64_MAX,
	     (unsigned long long)UINT64_MAX, (unsigned long long)UINT64_MAX,
	     (unsigned long long)UINT64_MAX);
	SAME("%jd %jd %ju %jx", INTMAX_MIN, INTMAX_MAX, UINTMAX_MAX, UINTMAX_MAX);
	SAME("%zu %zx %zd %zd", SIZE_MAX, (size_t)0x1000, (ssize_t)-5, (ssize_t)PTRDIFF_MIN);
	SAME("%td %td %tx %tu", PTRDIFF_MIN, PTRDIFF_MAX, (ptrdiff_t)0x10, (ptrdiff_t)7);
	SAME("%lld|%30lld|%-30lld|%030lld|%.25lld|%+lld", (long long)INT64_MIN, (long long)INT64_MIN,
	     (long long)INT64_MIN, (long long)INT64_MIN, (long long)INT64_MIN, (long long)INT64_MIN);
	SAME("%#llo|%#llx|%#llX", (unsigned long long)UINT64_MAX, (unsigned long long)UINT64_MAX,
	     (unsigned long long)UINT64_MAX);
	/* The modifiers narrow what was passed as int, as C says. */
	SAME("%hhd %hhu %hd %hu", 0x1ff, 0x1ff, 0x1ffff, 0x1ffff);
}

/* Every combination of flags, width and precision, for each conversion and length, vs the host. */
static const char *const flag_sets[] = { "", "-", "0", "+", " ", "#", "-0", "+0", " 0", "#0",
					"-+", "- ", "-#", "+ ", "#+", "-0+ #" };
static const char *const widths[] = { "", "1", "5", "24" };
static const char *const precs[] = { "", ".", ".0", ".1", ".5", ".24" };
static const char convs[] = "diuxXo";

static const long long int_values[] = {
	0, 1, -1, 7, -7, 8, 15, 16, 127, -128, 255, 256, 32767, -32768, 65535, 65536,
	INT32_MAX, INT32_MIN, (long long)UINT32_MAX, 0x123456789abcdefLL, INT64_MAX, INT64_MIN,
};

static int call_both(const char *fmt, char lmod, long long v, int *want_n)
{
	/* Each length gets the argument type it names, so both sides read the same thing. */
	switch (lmod) {
	case 'H':
		*want_n = snprintf(want, sizeof(want), fmt, (signed char)v);
		return raw(got, sizeof(got), fmt, (signed char)v);
	case 'h':
		*want_n = snprintf(want, sizeof(want), fmt, (short)v);
		return raw(got, sizeof(got), fmt, (short)v);
	case 'l':
		*want_n = snprintf(want, sizeof(want), fmt, (long)v);
		return raw(got, sizeof(got), fmt, (long)v);
	case 'L':
		*want_n = snprintf(want, sizeof(want), fmt, v);
		return raw(got, sizeof(got), fmt, v);
	case 'z':
		*want_n = snprintf(want, sizeof(want), fmt, (size_t)v);
		return raw(got, sizeof(got), fmt, (size_t)v);
	case 't':
		*want_n = snprintf(want, sizeof(want), fmt, (ptrdiff_t)v);
		return raw(got, sizeof(got), fmt, (ptrdiff_t)v);
	case 'j':
		*want_n = snprintf(want, sizeof(want), fmt, (intmax_t)v);
		return raw(got, sizeof(got), fmt, (intmax_t)v);
	default:
		*want_n = snprintf(want, sizeof(want), fmt, (int)v);
		return raw(got, sizeof(got), fmt, (int)v);
	}
}

static void test_int_combinations(void)
{
	static const struct { const char *text; char code; } lmods[] = {
		{ "", 0 }, { "hh", 'H' }, { "h", 'h' }, { "l", 'l' }, { "ll", 'L' },
		{ "z", 'z' }, { "t", 't' }, { "j", 'j' },
	};
	char fmt[32];
	long count = 0;

	for (size_t f = 0; f < SK_ARRAY_SIZE(flag_sets); f++)
	for (size_t w = 0; w < SK_ARRAY_SIZE(widths); w++)
	for (size_t p = 0; p < SK_ARRAY_SIZE(precs); p++)
	for (size_t l = 0; l < SK_ARRAY_SIZE(lmods); l++)
	for (size_t c = 0; convs[c]; c++) {
		snprintf(fmt, sizeof(fmt), "[%%%s%s%s%s%c]", flag_sets[f], widths[w], precs[p],
			 lmods[l].text, convs[c]);
		for (size_t v = 0; v < SK_ARRAY_SIZE(int_values); v++) {
			int want_n, got_n = call_both(fmt, lmods[l].code, int_values[v], &want_n);

			count++;
			if (got_n != want_n || strcmp(got, want) != 0) {
				fprintf(stderr, "  %s of %lld: got %d \"%s\", want %d \"%s\"\n", fmt,
					int_values[v], got_n, got, want_n, want);
				unit_failed_checks++;
				return;
			}
		}
	}
	CHECK(count > 100000);
}

static void test_str_combinations(void)
{
	static const char *const strs[] = { "", "a", "hello", "a longer string of text" };
	char fmt[32];

	for (size_t f = 0; f < 2; f++) /* only "" and "-": other flags are undefined for %s */
	for (size_t w = 0; w < SK_ARRAY_SIZE(widths); w++)
	for (size_t p = 0; p < SK_ARRAY_SIZE(precs); p++)
	for (size_t s = 0; s < SK_ARRAY_SIZE(strs); s++) {
		int want_n, got_n;

		snprintf(fmt, sizeof(fmt), "[%%%s%s%ss]", flag_sets[f], widths[w], precs[p]);
		want_n = snprintf(want, sizeof(want), fmt, strs[s]);
		got_n = raw(got, sizeof(got), fmt, strs[s]);
		CHECK_EQ(got_n, want_n);
		CHECK_STR(got, want);
	}
}

static void test_string_precision_reads_no_further(void)
{
	/* Not NUL-terminated: ASan fails the test if the formatter looks past the precision. */
	static const char abc[3] = { 'a', 'b', 'c' };

	CHECK_EQ(sk_snprintf(got, sizeof(got), "%.3s|%.2s|%5.3s", abc, abc, abc), 12);
	CHECK_STR(got, "abc|ab|  abc");
}

static void test_null_string(void)
{
	CHECK_EQ(raw(got, sizeof(got), "%s|%8s|%-8s|%.3s", NULL, NULL, NULL, NULL), 28);
	CHECK_STR(got, "(null)|  (null)|(null)  |(nu");
}

static void test_pointer(void)
{
	CHECK_EQ(sk_snprintf(got, sizeof(got), "%p", (void *)NULL), 18);
	CHECK_STR(got, "0x0000000000000000");
	sk_snprintf(got, sizeof(got), "%p", (void *)(uintptr_t)0xdeadbeefu);
	CHECK_STR(got, "0x00000000deadbeef");
	sk_snprintf(got, sizeof(got), "%p", (void *)UINTPTR_MAX);
	CHECK_STR(got, "0xffffffffffffffff");
	sk_snprintf(got, sizeof(got), "[%20p][%-20p][%5p]", (void *)1, (void *)1, (void *)1);
	CHECK_STR(got, "[  0x0000000000000001][0x0000000000000001  ][0x0000000000000001]");
}

static void test_unknown_conversions(void)
{
	CHECK_EQ(raw(got, sizeof(got), "a%fb"), 4);
	CHECK_STR(got, "a%fb");
	raw(got, sizeof(got), "%5.2f|%lf|%n|%q|%Lf");
	CHECK_STR(got, "%5.2f|%lf|%n|%q|%Lf");
	/* A format that ends inside a conversion keeps the tail and reads nothing past the NUL. */
	CHECK_EQ(raw(got, sizeof(got), "abc%"), 4);
	CHECK_STR(got, "abc%");
	raw(got, sizeof(got), "x%-08.3ll");
	CHECK_STR(got, "x%-08.3ll");
	/* The known conversions after an unknown one still get their own arguments. */
	raw(got, sizeof(got), "%f %d %s", 5, "x");
	CHECK_STR(got, "%f 5 x");
}

static void test_size_zero_and_null(void)
{
	char buf[4] = "XYZ";

	CHECK_EQ(sk_snprintf(NULL, 0, "%d-%s", 12345, "abc"), 9);
	CHECK_EQ(sk_snprintf(buf, 0, "%d", 12345), 5);
	CHECK_STR(buf, "XYZ");
	CHECK_EQ(sk_snprintf(buf, 1, "%d", 12345), 5);
	CHECK_EQ(buf[0], '\0');
	CHECK_EQ(buf[1], 'Y');
	CHECK_EQ(raw(buf, sizeof(buf), NULL), 0);
	CHECK_STR(buf, "");
	CHECK_EQ(raw(buf, sizeof(buf), ""), 0);
	CHECK_STR(buf, "");
}

/* Every buffer size from 0 up: same bytes as the host, nothing written past size. */
static void check_truncation(const char *fmt, ...)
{
	char mine[96], host[96];
	va_list ap;

	for (size_t size = 0; size < 64; size++) {
		int mine_n, host_n;

		memset(mine, '#', sizeof(mine));
		memset(host, '#', sizeof(host));
		va_start(ap, fmt);
		mine_n = sk_vsnprintf(size ? mine : NULL, size, fmt, ap);
		va_end(ap);
		va_start(ap, fmt);
		host_n = vsnprintf(size ? host : NULL, size, fmt, ap);
		va_end(ap);
		CHECK_EQ(mine_n, host_n);
		CHECK(memcmp(mine, host, sizeof(mine)) == 0);
		for (size_t i = size; i < sizeof(mine); i++)
			CHECK_EQ(mine[i], '#');
	}
}

static void test_truncation(void)
{
	check_truncation("plain text that is long enough to be cut at every length");
	check_truncation("%s=%d (%#x) [%-8s] %lld", "key", -1234, 0xbeefu, "pad", (long long)INT64_MIN);
	check_truncation("%030d|%.20u|%%|%c", -5, 9u, 'q');
	check_truncation("%*s", 50, "right");
	check_truncation("%-50s|", "left");
}

static void test_return_value(void)
{
	char small[8];

	/* A huge width costs nothing: the length is counted, the padding not stored. */
	CHECK_EQ(sk_snprintf(small, sizeof(small), "%100000d", 1), 100000);
	CHECK_STR(small, "       ");
	CHECK_EQ(sk_snprintf(small, sizeof(small), "%-*d|", 1000000, 7), 1000001);
	CHECK_STR(small, "7      ");
	CHECK_EQ(sk_snprintf(small, sizeof(small), "%.*d", 300, 7), 300);
	CHECK_STR(small, "0000000");
	/* Longer than an int can count: an error, as in C, but the buffer is still terminated. */
	CHECK_EQ(raw(small, sizeof(small), "%*d%*d", INT32_MAX, 1, INT32_MAX, 1), -1);
	CHECK_STR(small, "       ");
	/* INT_MIN as a '*' width must not overflow when made positive. */
	CHECK_EQ(raw(NULL, 0, "%*d", INT32_MIN, 1), INT32_MAX);
	/* A width too big for an int saturates instead of wrapping. */
	CHECK_EQ(raw(NULL, 0, "%99999999999d", 1), INT32_MAX);
}

UNIT_MAIN("format",
	  UNIT_TEST(test_plain),
	  UNIT_TEST(test_int_table),
	  UNIT_TEST(test_lengths),
	  UNIT_TEST(test_int_combinations),
	  UNIT_TEST(test_str_combinations),
	  UNIT_TEST(test_string_precision_reads_no_further),
	  UNIT_TEST(test_null_string),
	  UNIT_TEST(test_pointer),
	  UNIT_TEST(test_unknown_conversions),
	  UNIT_TEST(test_size_zero_and_null),
	  UNIT_TEST(test_truncation),
	  UNIT_TEST(test_return_value))
