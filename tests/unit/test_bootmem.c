// SPDX-License-Identifier: MIT
/* Host tests of the usable-RAM list: adding, merging, reserving holes, running out of slots. */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <plat-common/bootmem.h>
#include "unit.h"

static struct plat_boot_info bi;

static void reset(void)
{
	memset(&bi, 0, sizeof(bi));
}

/* The list must be exactly the n ranges {base, len} in pairs. */
static bool list_is(unsigned n, const uint64_t *want)
{
	if (bi.nr_mem != n) {
		fprintf(stderr, "  nr_mem %u, want %u\n", bi.nr_mem, n);
		return false;
	}
	for (unsigned i = 0; i < n; i++) {
		if (bi.mem[i].base != want[2 * i] || bi.mem[i].len != want[2 * i + 1]) {
			fprintf(stderr, "  mem[%u] = {%#llx, %#llx}, want {%#llx, %#llx}\n", i,
				(unsigned long long)bi.mem[i].base,
				(unsigned long long)bi.mem[i].len,
				(unsigned long long)want[2 * i],
				(unsigned long long)want[2 * i + 1]);
			return false;
		}
	}
	return true;
}

#define LIST_IS(...)                                                              \
	do {                                                                      \
		static const uint64_t _w[] = { __VA_ARGS__ };                     \
		CHECK(list_is(sizeof(_w) / sizeof(_w[0]) / 2, _w));               \
	} while (0)
#define LIST_EMPTY() CHECK_EQ(bi.nr_mem, 0)

/* Fill the list with PLAT_MAX_MEM_REGIONS disjoint ranges: [i*0x10000, +0x1000). */
static void fill(void)
{
	reset();
	for (unsigned i = 0; i < PLAT_MAX_MEM_REGIONS; i++)
		CHECK_EQ(bootmem_add(&bi, (uint64_t)i * 0x10000, 0x1000), 0);
	CHECK_EQ(bi.nr_mem, PLAT_MAX_MEM_REGIONS);
}

/* No range in the list may touch [start, end). */
static bool none_in(uint64_t start, uint64_t end)
{
	for (unsigned i = 0; i < bi.nr_mem; i++)
		if (bi.mem[i].base < end && bi.mem[i].base + bi.mem[i].len > start)
			return false;
	return true;
}

static void test_add_sorted(void)
{
	reset();
	CHECK_EQ(bootmem_add(&bi, 0x300000, 0x1000), 0);
	CHECK_EQ(bootmem_add(&bi, 0x100000, 0x1000), 0);
	CHECK_EQ(bootmem_add(&bi, 0x200000, 0x1000), 0);
	CHECK_EQ(bootmem_add(&bi, 0x0, 0x1000), 0);
	LIST_IS(0x0, 0x1000, 0x100000, 0x1000, 0x200000, 0x1000, 0x300000, 0x1000);
	CHECK_EQ(bootmem_total(&bi), 0x4000);
}

static void test_add_touching(void)
{
	reset();
	CHECK_EQ(bootmem_add(&bi, 0x1000, 0x1000), 0);
	CHECK_EQ(bootmem_add(&bi, 0x2000, 0x1000), 0); /* touches the end */
	LIST_IS(0x1000, 0x2000);
	CHECK_EQ(bootmem_add(&bi, 0x0, 0x1000), 0); /* touches the start */
	LIST_IS(0x0, 0x3000);
	CHECK_EQ(bootmem_add(&bi, 0x5000, 0x1000), 0);
	LIST_IS(0x0, 0x3000, 0x5000, 0x1000);
	CHECK_EQ(bootmem_add(&bi, 0x3000, 0x2000), 0); /* fills the gap exactly: all merge */
	LIST_IS(0x0, 0x6000);
	CHECK_EQ(bootmem_total(&bi), 0x6000);
}

static void test_add_overlapping(void)
{
	reset();
	CHECK_EQ(bootmem_add(&bi, 0x1000, 0x2000), 0);
	CHECK_EQ(bootmem_add(&bi, 0x2000, 0x2000), 0); /* overlaps the tail */
	LIST_IS(0x1000, 0x3000);
	CHECK_EQ(bootmem_add(&bi, 0x800, 0x1000), 0); /* overlaps the head */
	LIST_IS(0x800, 0x3800);
	CHECK_EQ(bootmem_add(&bi, 0x1000, 0x1000), 0); /* inside */
	LIST_IS(0x800, 0x3800);
	CHECK_EQ(bootmem_add(&bi, 0x800, 0x3800), 0); /* identical */
	LIST_IS(0x800, 0x3800);

	/* One range swallowing several, with the same base as the first. */
	reset();
	CHECK_EQ(bootmem_add(&bi, 0x10000, 0x1000), 0);
	CHECK_EQ(bootmem_add(&bi, 0x20000, 0x1000), 0);
	CHECK_EQ(bootmem_add(&bi, 0x30000, 0x1000), 0);
	CHECK_EQ(bootmem_add(&bi, 0x40000, 0x1000), 0);
	CHECK_EQ(bootmem_add(&bi, 0x10000, 0x28000), 0);
	LIST_IS(0x10000, 0x28000, 0x40000, 0x1000);
	/* One starting before and ending inside a later range. */
	CHECK_EQ(bootmem_add(&bi, 0x8000, 0x38800), 0);
	LIST_IS(0x8000, 0x39000);
	CHECK_EQ(bootmem_total(&bi), 0x39000);
}

static void test_add_invalid(void)
{
	reset();
	CHECK_EQ(bootmem_add(&bi, UINT64_MAX - 0xfff, 0x2000), -EINVAL);
	CHECK_EQ(bootmem_add(&bi, 1, UINT64_MAX), -EINVAL);
	/* Ending exactly at 2^64 is not representable either. */
	CHECK_EQ(bootmem_add(&bi, UINT64_MAX - 0xfff, 0x1000), -EINVAL);
	LIST_EMPTY();
	/* Up to the last byte below 2^64 is fine. */
	CHECK_EQ(bootmem_add(&bi, UINT64_MAX - 0x1000, 0x1000), 0);
	LIST_IS(UINT64_MAX - 0x1000, 0x1000);

	reset();
	CHECK_EQ(bootmem_add(&bi, 0x1000, 0), 0);
	CHECK_EQ(bootmem_add(&bi, UINT64_MAX, 0), 0);
	LIST_EMPTY();
	CHECK_EQ(bootmem_total(&bi), 0);
}

static void test_add_full(void)
{
	fill();
	/* A new disjoint range has no slot: dropped, the list unchanged. */
	CHECK_EQ(bootmem_add(&bi, 0x8000, 0x1000), -ENOSPC);
	CHECK_EQ(bootmem_add(&bi, (uint64_t)PLAT_MAX_MEM_REGIONS * 0x10000, 0x1000), -ENOSPC);
	CHECK_EQ(bi.nr_mem, PLAT_MAX_MEM_REGIONS);
	CHECK_EQ(bootmem_total(&bi), PLAT_MAX_MEM_REGIONS * 0x1000);
	CHECK(none_in(0x8000, 0x9000));

	/* A range that merges with existing ones needs no slot. */
	CHECK_EQ(bootmem_add(&bi, 0x1000, 0x1000), 0); /* extends range 0 */
	CHECK_EQ(bi.mem[0].len, 0x2000);
	CHECK_EQ(bootmem_add(&bi, 0x10000, 0x1000), 0); /* a duplicate of range 1 */
	CHECK_EQ(bootmem_add(&bi, 0x1f000, 0x1000), 0); /* touches range 2 from below */
	CHECK_EQ(bi.mem[2].base, 0x1f000);
	CHECK_EQ(bi.mem[2].len, 0x2000);
	CHECK_EQ(bootmem_add(&bi, 0x2f000, 0x12000), 0); /* covers ranges 3 and 4 */
	CHECK_EQ(bi.nr_mem, PLAT_MAX_MEM_REGIONS - 1);
	CHECK_EQ(bi.mem[3].base, 0x2f000);
	CHECK_EQ(bi.mem[3].len, 0x12000);
	CHECK_EQ(bi.mem[4].base, 0x50000);
	/* Now a disjoint range fits again. */
	CHECK_EQ(bootmem_add(&bi, 0x8000, 0x1000), 0);
	CHECK_EQ(bi.nr_mem, PLAT_MAX_MEM_REGIONS);
	CHECK_EQ(bi.mem[1].base, 0x8000);
}

static void test_reserve_head_tail(void)
{
	reset();
	CHECK_EQ(bootmem_add(&bi, 0x10000, 0x10000), 0);
	CHECK_EQ(bootmem_reserve(&bi, 0x8000, 0x12000), 0); /* head, starting before */
	LIST_IS(0x12000, 0xe000);
	CHECK_EQ(bootmem_reserve(&bi, 0x12000, 0x13000), 0); /* head, exactly at the base */
	LIST_IS(0x13000, 0xd000);
	CHECK_EQ(bootmem_reserve(&bi, 0x1f000, 0x30000), 0); /* tail, ending after */
	LIST_IS(0x13000, 0xc000);
	CHECK_EQ(bootmem_reserve(&bi, 0x1e000, 0x1f000), 0); /* tail, exactly at the end */
	LIST_IS(0x13000, 0xb000);
	CHECK_EQ(bootmem_total(&bi), 0xb000);
}

static void test_reserve_middle(void)
{
	reset();
	CHECK_EQ(bootmem_add(&bi, 0x10000, 0x10000), 0);
	CHECK_EQ(bootmem_add(&bi, 0x40000, 0x1000), 0);
	CHECK_EQ(bootmem_reserve(&bi, 0x14000, 0x15000), 0);
	LIST_IS(0x10000, 0x4000, 0x15000, 0xb000, 0x40000, 0x1000);
	CHECK_EQ(bootmem_reserve(&bi, 0x16000, 0x17000), 0);
	LIST_IS(0x10000, 0x4000, 0x15000, 0x1000, 0x17000, 0x9000, 0x40000, 0x1000);
	CHECK_EQ(bootmem_total(&bi), 0x4000 + 0x1000 + 0x9000 + 0x1000);
}

static void test_reserve_whole_and_none(void)
{
	reset();
	CHECK_EQ(bootmem_add(&bi, 0x10000, 0x1000), 0);
	CHECK_EQ(bootmem_add(&bi, 0x20000, 0x1000), 0);
	CHECK_EQ(bootmem_add(&bi, 0x30000, 0x1000), 0);
	/* Outside every range, between ranges, touching ranges, empty and inverted holes. */
	CHECK_EQ(bootmem_reserve(&bi, 0x0, 0x10000), 0);
	CHECK_EQ(bootmem_reserve(&bi, 0x11000, 0x20000), 0);
	CHECK_EQ(bootmem_reserve(&bi, 0x31000, UINT64_MAX), 0);
	CHECK_EQ(bootmem_reserve(&bi, 0x10800, 0x10800), 0);
	CHECK_EQ(bootmem_reserve(&bi, 0x10800, 0x10000), 0);
	LIST_IS(0x10000, 0x1000, 0x20000, 0x1000, 0x30000, 0x1000);
	/* Exactly the middle range, then the first from below, then the last from above. */
	CHECK_EQ(bootmem_reserve(&bi, 0x20000, 0x21000), 0);
	LIST_IS(0x10000, 0x1000, 0x30000, 0x1000);
	CHECK_EQ(bootmem_reserve(&bi, 0x0, 0x11000), 0);
	LIST_IS(0x30000, 0x1000);
	CHECK_EQ(bootmem_reserve(&bi, 0x30000, UINT64_MAX), 0);
	LIST_EMPTY();
	CHECK_EQ(bootmem_total(&bi), 0);
	CHECK_EQ(bootmem_reserve(&bi, 0, UINT64_MAX), 0); /* on an empty list */
	LIST_EMPTY();
}

static void test_reserve_spanning(void)
{
	reset();
	CHECK_EQ(bootmem_add(&bi, 0x10000, 0x4000), 0);
	CHECK_EQ(bootmem_add(&bi, 0x20000, 0x4000), 0);
	CHECK_EQ(bootmem_add(&bi, 0x30000, 0x4000), 0);
	CHECK_EQ(bootmem_add(&bi, 0x40000, 0x4000), 0);
	CHECK_EQ(bootmem_add(&bi, 0x50000, 0x4000), 0);
	/* Cuts the tail of the first, removes two whole ones, cuts the head of the fourth. */
	CHECK_EQ(bootmem_reserve(&bi, 0x12000, 0x41000), 0);
	LIST_IS(0x10000, 0x2000, 0x41000, 0x3000, 0x50000, 0x4000);
	CHECK(none_in(0x12000, 0x41000));
	/* Everything from the start through the last. */
	CHECK_EQ(bootmem_reserve(&bi, 0x0, 0x52000), 0);
	LIST_IS(0x52000, 0x2000);
	CHECK_EQ(bootmem_total(&bi), 0x2000);
}

static void test_reserve_split_full(void)
{
	uint64_t before;

	fill();
	before = bootmem_total(&bi);
	/* A hole inside range 5 needs a slot the list does not have. */
	CHECK_EQ(bootmem_reserve(&bi, 0x50400, 0x50800), -ENOSPC);
	CHECK(none_in(0x50400, 0x50800));
	CHECK_EQ(bi.nr_mem, PLAT_MAX_MEM_REGIONS);
	CHECK_EQ(bi.mem[5].base, 0x50000);
	CHECK_EQ(bi.mem[5].len, 0x400);
	/* Only the upper part of range 5 went missing; the others are untouched. */
	CHECK_EQ(bootmem_total(&bi), before - 0xc00);
	CHECK_EQ(bi.mem[4].base, 0x40000);
	CHECK_EQ(bi.mem[4].len, 0x1000);
	CHECK_EQ(bi.mem[6].base, 0x60000);
	CHECK_EQ(bi.mem[6].len, 0x1000);
	for (unsigned i = 1; i < bi.nr_mem; i++)
		CHECK(bi.mem[i - 1].base + bi.mem[i - 1].len < bi.mem[i].base);

	/* In the last range too. */
	fill();
	CHECK_EQ(bootmem_reserve(&bi, 0xf0100, 0xf0200), -ENOSPC);
	CHECK(none_in(0xf0100, 0xf0200));
	CHECK_EQ(bi.mem[PLAT_MAX_MEM_REGIONS - 1].len, 0x100);

	/* With a free slot the split works and nothing is lost. */
	fill();
	CHECK_EQ(bootmem_reserve(&bi, 0xf0000, 0xf1000), 0);
	CHECK_EQ(bootmem_reserve(&bi, 0x50400, 0x50800), 0);
	CHECK_EQ(bi.nr_mem, PLAT_MAX_MEM_REGIONS);
	CHECK_EQ(bi.mem[5].len, 0x400);
	CHECK_EQ(bi.mem[6].base, 0x50800);
	CHECK_EQ(bi.mem[6].len, 0x800);
	CHECK(none_in(0x50400, 0x50800));
}

static void test_total(void)
{
	reset();
	CHECK_EQ(bootmem_total(&bi), 0);
	CHECK_EQ(bootmem_add(&bi, 0x100000, 0x7ff00000), 0);
	CHECK_EQ(bootmem_add(&bi, 0x100000000ULL, 0x80000000ULL), 0);
	CHECK_EQ(bootmem_total(&bi), 0x7ff00000ULL + 0x80000000ULL);
	CHECK_EQ(bootmem_reserve(&bi, 0x200000, 0x400000), 0);
	CHECK_EQ(bootmem_total(&bi), 0x7ff00000ULL + 0x80000000ULL - 0x200000);
}

/*
 * Random adds and reservations against a page bitmap. The list must stay sorted, without empty,
 * touching or overlapping ranges, and must hold exactly the model's pages, except that an -ENOSPC
 * reservation may lose pages (never keep reserved ones): from then on the list is a subset.
 */
#define MODEL_PAGES 160
#define PG 0x1000ULL

static bool model[MODEL_PAGES];

static bool list_matches_model(bool exact)
{
	bool in_list[MODEL_PAGES] = { false };

	for (unsigned i = 0; i < bi.nr_mem; i++) {
		const struct plat_mem_region *r = &bi.mem[i];

		if (r->len == 0 || r->base % PG || r->len % PG ||
		    r->base + r->len > MODEL_PAGES * PG)
			return false;
		if (i > 0 && bi.mem[i - 1].base + bi.mem[i - 1].len >= r->base)
			return false;
		for (uint64_t p = r->base / PG; p < (r->base + r->len) / PG; p++)
			in_list[p] = true;
	}
	for (unsigned p = 0; p < MODEL_PAGES; p++)
		if (in_list[p] ? !model[p] : (exact && model[p]))
			return false;
	return true;
}

static void test_random_model(void)
{
	uint64_t rng = 0x2545f4914f6cdd1dULL;
	bool exact = true;

	reset();
	memset(model, 0, sizeof(model));
	for (unsigned step = 0; step < 20000; step++) {
		unsigned a, n;
		int err;

		rng ^= rng << 13;
		rng ^= rng >> 7;
		rng ^= rng << 17;
		a = (unsigned)(rng % MODEL_PAGES);
		n = (unsigned)(rng >> 20) % 8;
		if (a + n > MODEL_PAGES)
			n = MODEL_PAGES - a;
		if ((rng >> 40) % 3) {
			err = bootmem_add(&bi, a * PG, n * PG);
			CHECK(err == 0 || err == -ENOSPC);
			if (err == 0)
				for (unsigned p = a; p < a + n; p++)
					model[p] = true;
			else
				CHECK_EQ(bi.nr_mem, PLAT_MAX_MEM_REGIONS);
		} else {
			err = bootmem_reserve(&bi, a * PG, (a + n) * PG);
			CHECK(err == 0 || err == -ENOSPC);
			if (err)
				exact = false;
			for (unsigned p = a; p < a + n; p++)
				model[p] = false;
		}
		if (!list_matches_model(exact)) {
			fprintf(stderr, "  step %u: list and model differ\n", step);
			unit_failed_checks++;
			return;
		}
		if (step % 997 == 0) { /* start over now and then, so the list is not always full */
			reset();
			memset(model, 0, sizeof(model));
			exact = true;
		}
	}
}

UNIT_MAIN("bootmem",
	  UNIT_TEST(test_add_sorted),
	  UNIT_TEST(test_add_touching),
	  UNIT_TEST(test_add_overlapping),
	  UNIT_TEST(test_add_invalid),
	  UNIT_TEST(test_add_full),
	  UNIT_TEST(test_reserve_head_tail),
	  UNIT_TEST(test_reserve_middle),
	  UNIT_TEST(test_reserve_whole_and_none),
	  UNIT_TEST(test_reserve_spanning),
	  UNIT_TEST(test_reserve_split_full),
	  UNIT_TEST(test_total),
	  UNIT_TEST(test_random_model))
