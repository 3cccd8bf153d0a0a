// SPDX-License-Identifier: MIT
/*
 * Host tests of lib/newlib/string.S (built as test_memcpy and so on) against byte-by-byte
 * references: every length to 300 at every alignment, overlaps in both directions at every
 * distance, lengths around each path's edges, and copies large enough for `rep movsb`.
 */
#include <stdint.h>
#include <string.h>
#include <skiff/compiler.h>
#include "unit.h"

void *test_memcpy(void *dst, const void *src, size_t n);
void *test_memmove(void *dst, const void *src, size_t n);
void *test_memset(void *dst, int c, size_t n);
int test_memcmp(const void *a, const void *b, size_t n);

#define BUF 16384
#define GUARD 64

/* Room for the largest length, its offsets (16, or 148 for overlaps) and guards both sides. */
static unsigned char src[BUF + 512], dst[BUF + 512], want[BUF + 512];

static uint64_t rng = 0x853c49e6748fea9bull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void scramble(unsigned char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (unsigned char)rnd();
}

static void ref_move(unsigned char *d, const unsigned char *s, size_t n)
{
	if (d < s) {
		for (size_t i = 0; i < n; i++)
			d[i] = s[i];
	} else {
		while (n--)
			d[n] = s[n];
	}
}

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

/* Lengths: all to 300, then the edges of the paths and of REP_MIN, and some large. */
static size_t nth_len(size_t i)
{
	static const size_t big[] = { 511, 512, 513, 1023, 1024, 2047, 2048, 2049, 2080, 4095,
				      4096, 4097, 8191, 10000, BUF - 16 };

	return i <= 300 ? i : big[i - 301];
}

#define NR_LENS (301 + 15)

/* Disjoint buffers: memcpy and memmove must both copy exactly n bytes and return dst. */
static void test_copy(void)
{
	for (size_t li = 0; li < NR_LENS; li++) {
		size_t n = nth_len(li);

		for (size_t so = 0; so < 16; so++) {
			for (size_t doff = 0; doff < 16; doff += n > 300 ? 5 : 1) {
				unsigned char *s = src + GUARD + so, *d = dst + GUARD + doff;
				void *(*fn)(void *, const void *, size_t) = (so + doff) & 1 ? test_memmove
											   : test_memcpy;

				size_t span = n + 2 * GUARD + 16;

				scramble(src, span);
				scramble(dst, span);
				memcpy(want, dst, span);
				memcpy(want + GUARD + doff, s, n);
				CHECK(fn(d, s, n) == d);
				if (memcmp(dst, want, span)) {
					fprintf(stderr, "  copy n=%zu src+%zu dst+%zu wrong\n", n, so, doff);
					CHECK(false);
					return;
				}
			}
		}
	}
}

/* One buffer, source and destination overlapping by every distance in both directions. */
static void test_move_overlap(void)
{
	for (size_t li = 0; li < NR_LENS; li++) {
		size_t n = nth_len(li);

		for (long shift = -70; shift <= 70; shift += n > 300 ? 3 : 1) {
			size_t so = 70 + (size_t)(rnd() % 8), doff = (size_t)((long)so + shift);
			unsigned char *s = dst + GUARD + so, *d = dst + GUARD + doff;
			size_t span = n + 2 * GUARD + 160;

			scramble(dst, span);
			memcpy(want, dst, span);
			ref_move(want + GUARD + doff, want + GUARD + so, n);
			CHECK(test_memmove(d, s, n) == d);
			if (memcmp(dst, want, span)) {
				fprintf(stderr, "  memmove n=%zu shift=%ld wrong\n", n, shift);
				CHECK(false);
				return;
			}
		}
	}
}

static void test_set(void)
{
	for (size_t li = 0; li < NR_LENS; li++) {
		size_t n = nth_len(li);

		for (size_t off = 0; off < 16; off++) {
			int c = (int)(rnd() % 512) - 128; /* only the low byte counts */
			unsigned char *d = dst + GUARD + off;
			size_t span = n + 2 * GUARD + 16;

			scramble(dst, span);
			memcpy(want, dst, span);
			for (size_t i = 0; i < n; i++)
				want[GUARD + off + i] = (unsigned char)c;
			CHECK(test_memset(d, c, n) == d);
			if (memcmp(dst, want, span)) {
				fprintf(stderr, "  memset n=%zu off=%zu c=%d wrong\n", n, off, c);
				CHECK(false);
				return;
			}
		}
	}
}

/* Equal buffers, then one byte changed at every position (above and below), unaligned. */
static void test_cmp(void)
{
	for (size_t n = 0; n <= 80; n++) {
		for (size_t ao = 0; ao < 8; ao++) {
			unsigned char *a = src + GUARD + ao, *b = dst + GUARD + 7 - ao;

			scramble(a, n);
			memcpy(b, a, n);
			CHECK_EQ(test_memcmp(a, b, n), 0);
			for (size_t i = 0; i < n; i++) {
				unsigned char keep = b[i];

				b[i] = (unsigned char)(keep + 1 + rnd() % 255);
				CHECK_EQ(sign(test_memcmp(a, b, n)), sign(memcmp(a, b, n)));
				CHECK_EQ(sign(test_memcmp(b, a, n)), sign(memcmp(b, a, n)));
				CHECK_EQ(test_memcmp(a, b, i), 0);
				b[i] = keep;
			}
		}
	}
	/* Bytes compare unsigned; the first difference decides, not a later larger one. */
	CHECK(test_memcmp("\x80", "\x7f", 1) > 0);
	CHECK(test_memcmp("a\x01zzzzzzzzz", "a\x02" "aaaaaaaaa", 11) < 0);
	CHECK(test_memcmp("abcdefgh\xff", "abcdefgh\x01", 9) > 0);
	CHECK(test_memcmp("\x01\xff\xff\xff\xff\xff\xff\xff", "\x02\x00\x00\x00\x00\x00\x00\x00", 8) < 0);
}

UNIT_MAIN("string",
	  UNIT_TEST(test_copy),
	  UNIT_TEST(test_move_overlap),
	  UNIT_TEST(test_set),
	  UNIT_TEST(test_cmp))
