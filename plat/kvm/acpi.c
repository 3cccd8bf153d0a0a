// SPDX-License-Identifier: MIT
/*
 * Just enough ACPI to power off: find the FADT through the RSDP, and the S5 sleep type in the
 * DSDT's _S5_ package. Covers the PM1a control block (-M pc) and the hardware-reduced sleep
 * control register (-M microvm with ACPI).
 */
#define pr_tag "acpi"
#include <string.h>
#include <skiff/compiler.h>
#include <skiff/printk.h>
#include <kvm/setup.h>
#include <kvm/x86.h>

struct acpi_header {
	char sig[4];
	uint32_t len;
	uint8_t rev, checksum;
	char oem[6], oem_table[8];
	uint32_t oem_rev, creator, creator_rev;
} __sk_packed;

struct acpi_gas {
	uint8_t space, bit_width, bit_offset, access;
	uint64_t addr;
} __sk_packed;

#define FADT_DSDT 40
#define FADT_PM1A_CNT 64
#define FADT_FLAGS 112
#define FADT_X_DSDT 140
#define FADT_SLEEP_CTL 244
#define FADT_HW_REDUCED (1u << 20)
#define GAS_IO 1

static uint16_t pm1a_cnt;
static struct acpi_gas sleep_ctl;
static uint8_t s5_type;
static bool s5_found;

static bool readable(uint64_t addr, uint64_t len)
{
	return addr && plat_addr_readable((uintptr_t)addr, (size_t)len);
}

static bool checksum_ok(const void *p, size_t len)
{
	uint8_t sum = 0;

	for (size_t i = 0; i < len; i++)
		sum += ((const uint8_t *)p)[i];
	return sum == 0;
}

static const struct acpi_header *table_at(uint64_t addr)
{
	const struct acpi_header *h = (const void *)(uintptr_t)addr;

	if (!readable(addr, sizeof(*h)) || h->len < sizeof(*h) || !readable(addr, h->len))
		return NULL;
	return checksum_ok(h, h->len) ? h : NULL;
}

static uint64_t find_rsdp(void)
{
	for (uintptr_t p = 0xe0000; p < 0x100000; p += 16)
		if (memcmp((const void *)p, "RSD PTR ", 8) == 0 && checksum_ok((const void *)p, 20))
			return p;
	return 0;
}

/* The FADT ("FACP") from the XSDT (8-byte entries) or the RSDT (4-byte entries). */
static const struct acpi_header *find_fadt(uint64_t rsdp)
{
	const uint8_t *r = (const void *)(uintptr_t)rsdp;
	uint64_t xsdt = 0, rsdt;
	const struct acpi_header *root;
	unsigned esz;

	memcpy(&rsdt, r + 16, 4);
	rsdt &= 0xffffffffu;
	if (r[15] >= 2)
		memcpy(&xsdt, r + 24, 8);
	root = table_at(xsdt ? xsdt : rsdt);
	if (!root)
		return NULL;
	esz = xsdt ? 8 : 4;
	for (uint32_t off = sizeof(*root); off + esz <= root->len; off += esz) {
		uint64_t a = 0;
		const struct acpi_header *t;

		memcpy(&a, (const uint8_t *)root + off, esz);
		t = table_at(a);
		if (t && memcmp(t->sig, "FACP", 4) == 0)
			return t;
	}
	return NULL;
}

/* "_S5_" Name: 08 '_S5_' 12 PkgLength NumElements then SLP_TYPa as a byte or ZeroOp/OneOp. */
static void find_s5(const struct acpi_header *dsdt)
{
	const uint8_t *p = (const uint8_t *)dsdt, *end = p + dsdt->len;

	for (const uint8_t *q = p + sizeof(*dsdt); q + 10 < end; q++) {
		if (memcmp(q, "_S5_", 4) != 0 || q[4] != 0x12)
			continue;
		q += 5;
		q += ((*q >> 6) & 3) + 1; /* PkgLength: lead byte plus 0-3 more */
		q++;			  /* NumElements */
		if (*q == 0x0a)		  /* BytePrefix */
			q++;
		else if (*q > 1)
			return;
		s5_type = *q;
		s5_found = true;
		return;
	}
}

void acpi_init(uint64_t rsdp)
{
	const struct acpi_header *fadt, *dsdt;
	const uint8_t *f;
	uint64_t dsdt_addr = 0;
	uint32_t flags;

	if (!rsdp)
		rsdp = find_rsdp();
	if (!rsdp || !readable(rsdp, 36) || !(fadt = find_fadt(rsdp)))
		return;
	f = (const uint8_t *)fadt;
	memcpy(&dsdt_addr, f + FADT_DSDT, 4);
	if (fadt->len >= FADT_X_DSDT + 8) {
		uint64_t x;

		memcpy(&x, f + FADT_X_DSDT, 8);
		if (x)
			dsdt_addr = x;
	}
	memcpy(&flags, f + FADT_FLAGS, 4);
	if ((flags & FADT_HW_REDUCED) && fadt->len >= FADT_SLEEP_CTL + sizeof(sleep_ctl))
		memcpy(&sleep_ctl, f + FADT_SLEEP_CTL, sizeof(sleep_ctl));
	else
		memcpy(&pm1a_cnt, f + FADT_PM1A_CNT, 2);
	if ((dsdt = table_at(dsdt_addr)))
		find_s5(dsdt);
	pr_debug("ACPI: pm1a_cnt 0x%x sleep_ctl 0x%llx S5 %s %u\n", pm1a_cnt,
		 (unsigned long long)sleep_ctl.addr, s5_found ? "found" : "missing", s5_type);
}

void acpi_poweroff(void)
{
	if (!s5_found)
		return;
	if (sleep_ctl.addr && sleep_ctl.space == GAS_IO)
		outb((uint16_t)sleep_ctl.addr, (uint8_t)((s5_type & 7) << 2 | 1 << 5));
	else if (pm1a_cnt)
		outw(pm1a_cnt, (uint16_t)((s5_type & 7) << 10 | 1 << 13));
}
