// SPDX-License-Identifier: MIT
/* Unit tests of skiff-hv's one checked accessor from guest addresses to host pointers, and its page walk. */
#include <stdint.h>
#include <string.h>
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

/* Page tables in a small guest: PML4 at 0x1000, PDPT 0x2000, PD 0x3000, PT 0x4000. */
static uint64_t tables[5 * 512] __attribute__((aligned(4096)));

static void set_entry(uint64_t table, unsigned index, uint64_t value)
{
	tables[table / 8 + index] = value;
}

static void test_page_walk(void)
{
	struct hv_guest pg = { (uint8_t *)tables, sizeof(tables) };
	uint64_t alias = 1ULL << 38, pa = 0;

	memset(tables, 0, sizeof(tables));
	set_entry(0x1000, 0, 0x2000 | 7);		/* [0, 512 GiB) */
	set_entry(0x2000, 0, 0x3000 | 7);
	set_entry(0x2000, 256, 0x3000 | 7);		/* the stack alias at 256 GiB: the same PD */
	set_entry(0x2000, 1, 0x40000000 | 0x87);	/* a 1 GiB page */
	set_entry(0x3000, 0, 0x4000 | 7);
	set_entry(0x3000, 1, 0x200000 | 0x87);		/* a 2 MiB page */
	set_entry(0x3000, 2, 0x7fff000 | 7);		/* a table outside guest memory */
	set_entry(0x4000, 5, 0x9000 | 7);
	CHECK(guest_virt_to_phys(&pg, 0x1000, 0x5123, &pa) && pa == 0x9123);
	CHECK(guest_virt_to_phys(&pg, 0x1000, alias + 0x5008, &pa) && pa == 0x9008);
	CHECK(guest_virt_to_phys(&pg, 0x1000, 0x212345, &pa) && pa == 0x212345);
	CHECK(guest_virt_to_phys(&pg, 0x1000, 0x40000000 + 0x1234567, &pa) && pa == 0x41234567);
	CHECK(!guest_virt_to_phys(&pg, 0x1000, 0x6000, &pa));		/* PTE absent */
	CHECK(!guest_virt_to_phys(&pg, 0x1000, 0x400000, &pa));		/* table outside memory */
	CHECK(!guest_virt_to_phys(&pg, 0x1000, 1ULL << 40, &pa));		/* PML4 entry absent */
	CHECK(!guest_virt_to_phys(&pg, 0x1000, 1ULL << 47, &pa));		/* not canonical */
	CHECK(!guest_virt_to_phys(&pg, 0x7fff000, 0x5000, &pa));		/* root outside memory */
	set_entry(0x1000, 0, 0x2000 | 0x87);		/* PS in a PML4 entry means nothing */
	CHECK(!guest_virt_to_phys(&pg, 0x1000, 0x1000000000, &pa));
}

/* Permissions combine over the levels: writable only if every level says so, likewise user;
 * no-execute if any level says so. */
static void test_walk_permissions(void)
{
	struct hv_guest pg = { (uint8_t *)tables, sizeof(tables) };
	struct guest_map m;
	uint64_t nx = 1ULL << 63;

	memset(tables, 0, sizeof(tables));
	set_entry(0x1000, 0, 0x2000 | 7);
	set_entry(0x2000, 0, 0x3000 | 7);
	set_entry(0x3000, 0, 0x4000 | 7);
	set_entry(0x3000, 1, 0x200000 | 0x85 | nx);	/* 2 MiB, read-only, no-execute */
	set_entry(0x4000, 1, 0x1000 | 7);		/* user, writable, executable */
	set_entry(0x4000, 2, 0x2000 | 5);		/* read-only */
	set_entry(0x4000, 3, 0x3000 | 3);		/* supervisor only */
	set_entry(0x4000, 4, 0x4000 | 7 | nx);
	CHECK(guest_walk(&pg, 0x1000, 0x1008, &m) && m.gpa == 0x1008 && m.page == 4096 && m.write &&
	      m.user && m.exec);
	CHECK(guest_walk(&pg, 0x1000, 0x2000, &m) && !m.write && m.user && m.exec);
	CHECK(guest_walk(&pg, 0x1000, 0x3000, &m) && m.write && !m.user);
	CHECK(guest_walk(&pg, 0x1000, 0x4000, &m) && !m.exec);
	CHECK(guest_walk(&pg, 0x1000, 0x234567, &m) && m.gpa == 0x234567 && m.page == (2u << 20) &&
	      !m.write && !m.exec && m.user);
	set_entry(0x2000, 0, 0x3000 | 5);		/* the PDPT entry takes write away from all */
	CHECK(guest_walk(&pg, 0x1000, 0x1008, &m) && !m.write && m.exec);
	set_entry(0x1000, 0, 0x2000 | 7 | nx);		/* and the PML4 entry execute */
	CHECK(guest_walk(&pg, 0x1000, 0x1008, &m) && !m.exec);
	CHECK(!guest_walk(&pg, 0x1000, 0x5000, &m));
}

UNIT_MAIN("guest", UNIT_TEST(test_inside), UNIT_TEST(test_outside), UNIT_TEST(test_wrapping),
	  UNIT_TEST(test_alignment), UNIT_TEST(test_page_walk), UNIT_TEST(test_walk_permissions))
