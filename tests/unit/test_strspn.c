// SPDX-License-Identifier: MIT
/* Host unit tests of lib/newlib/strspn.c against byte-by-byte reference loops (every byte value). */
#include <stdint.h>
#include <string.h>
#include "unit.h"

size_t sk_test_strcspn(const char *s, const char *reject);
size_t sk_test_strspn(const char *s, const char *accept);
char *sk_test_strpbrk(const char *s, const char *accept);

static size_t ref_cspn(const char *s, const char *r)
{
	size_t n = 0;

	while (s[n] && !strchr(r, s[n]))
		n++;
	return n;
}

static size_t ref_spn(const char *s, const char *a)
{
	size_t n = 0;

	while (s[n] && strchr(a, s[n]))
		n++;
	return n;
}

static void random_strings(void)
{
	char s[64], set[8];
	uint32_t x = 12345;

	for (int round = 0; round < 20000; round++) {
		size_t ls = (x = x * 1103515245 + 12345) >> 16 & 63, lset = (x = x * 1103515245 + 12345) >> 16 & 7;

		for (size_t i = 0; i < ls; i++)
			s[i] = (char)(((x = x * 1103515245 + 12345) >> 16) % 255 + 1) % 8 + (round & 1 ? 250 : 'a');
		s[ls] = '\0';
		for (size_t i = 0; i < lset; i++)
			set[i] = (char)(((x = x * 1103515245 + 12345) >> 16) % 8 + (round & 1 ? 250 : 'a'));
		set[lset] = '\0';
		CHECK_EQ(sk_test_strcspn(s, set), ref_cspn(s, set));
		CHECK_EQ(sk_test_strspn(s, set), ref_spn(s, set));
		CHECK(sk_test_strpbrk(s, set) == (s[ref_cspn(s, set)] ? s + ref_cspn(s, set) : NULL));
	}
}

static void edges(void)
{
	CHECK_EQ(sk_test_strcspn("", "abc"), 0);
	CHECK_EQ(sk_test_strcspn("abc", ""), 3);
	CHECK_EQ(sk_test_strspn("abc", ""), 0);
	CHECK_EQ(sk_test_strspn("aaa", "a"), 3);
	CHECK_EQ(sk_test_strcspn("ab\xff" "c", "\xff"), 2);
	CHECK_EQ(sk_test_strspn("\x80\x81x", "\x81\x80"), 2);
	CHECK(sk_test_strpbrk("hello", "xyz") == NULL);
}

UNIT_MAIN("strspn", UNIT_TEST(random_strings), UNIT_TEST(edges))
