// SPDX-License-Identifier: MIT
/*
 * strspn, strcspn and strpbrk with a 256-bit set of the accepted (or rejected) bytes, built once
 * per call: one table lookup per byte of s. newlib's versions call strchr on the set for every
 * byte of s, which showed as 3% of SQLite's speedtest1 (its printf scans with strcspn).
 * Linked as an object, this keeps newlib's archive members out.
 */
#ifdef SK_STRING_TEST /* the host unit test links these beside the host's own */
#define strcspn sk_test_strcspn
#define strspn sk_test_strspn
#define strpbrk sk_test_strpbrk
#endif
#include <stdint.h>
#include <string.h>

struct byteset {
	uint64_t bits[4];
};

/* The bytes of set, and the terminating NUL too, so that a scan always stops at the end of s. */
static void make_set(struct byteset *b, const char *set)
{
	const unsigned char *p = (const unsigned char *)set;

	b->bits[0] = 1, b->bits[1] = b->bits[2] = b->bits[3] = 0;
	for (; *p; p++)
		b->bits[*p >> 6] |= (uint64_t)1 << (*p & 63);
}

static int in_set(const struct byteset *b, unsigned char c)
{
	return (b->bits[c >> 6] >> (c & 63)) & 1;
}

size_t strcspn(const char *s, const char *reject)
{
	const unsigned char *p = (const unsigned char *)s;
	struct byteset b;

	make_set(&b, reject);
	while (!in_set(&b, *p))
		p++;
	return (size_t)(p - (const unsigned char *)s);
}

char *strpbrk(const char *s, const char *accept)
{
	size_t n = strcspn(s, accept);

	return s[n] ? (char *)(uintptr_t)(s + n) : NULL;
}

size_t strspn(const char *s, const char *accept)
{
	const unsigned char *p = (const unsigned char *)s;
	struct byteset b;

	make_set(&b, accept);
	b.bits[0] &= ~(uint64_t)1; /* the NUL is never accepted */
	while (in_set(&b, *p))
		p++;
	return (size_t)(p - (const unsigned char *)s);
}
