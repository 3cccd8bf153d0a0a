// SPDX-License-Identifier: MIT
/* Unit tests of skiff-hv's one checked accessor from guest addresses to host pointers. */
#include <stdint.h>
#include <hv/guest.h>
#include "unit.h"

static uint8_t mem[1 << 16] __attribute__((aligned(4096)));
static const struct hv_guest g = { mem, sizeof(mem) };

static void test_inside(void)
{
	CHECK(guest_ptr(&g, 0, sizeof(mem), 1) == mem);
	CHECK(guest_ptr(&g, 100, 1, 1) == mem + 100);
	CHECK(guest_ptr(&g, sizeof(mem) - 8, 8, 8) == mem + sizeof(mem) - 8);
	CHECK(guest_ptr(&g, sizeof(mem), 0, 1) == mem + sizeof(mem)); /* empty range at the end */
}

static void test_outside(void)
{
	CHECK(guest_ptr(&g, sizeof(mem), 1, 1) == NULL);
	CHECK(guest_ptr(&g, sizeof(mem) - 7, 8, 1) == NULL);
	CHECK(guest_ptr(&g, 0, sizeof(mem) + 1, 1) == NULL);
	CHECK(guest_ptr(&g, sizeof(mem) + 1, 0, 1) == NULL);
}

static void test_wrapping(void)
{
	CHECK(guest_ptr(&g, UINT64_MAX, 2, 1) == NULL);
	CHECK(guest_ptr(&g, 0xfffffffffffff000ULL, 0x2000, 1) == NULL);
	CHECK(guest_ptr(&g, 16, UINT64_MAX, 1) == NULL);
	CHECK(guest_ptr(&g, 16, UINT64_MAX - 15, 1) == NULL);
}

static void test_alignment(void)
{
	CHECK(guest_ptr(&g, 8, 8, 8) != NULL);
	CHECK(guest_ptr(&g, 9, 8, 8) == NULL);
	CHECK(guest_ptr(&g, 8, 8, 16) == NULL);
	CHECK(guest_ptr(&g, 8, 8, 0) == NULL);	/* not a power of two */
	CHECK(guest_ptr(&g, 8, 8, 12) == NULL);
	CHECK(GUEST_STRUCT(&g, 24, uint64_t) == (uint64_t *)(mem + 24));
	CHECK(GUEST_STRUCT(&g, 20, uint64_t) == NULL);
}

UNIT_MAIN("guest", UNIT_TEST(test_inside), UNIT_TEST(test_outside), UNIT_TEST(test_wrapping),
	  UNIT_TEST(test_alignment))
