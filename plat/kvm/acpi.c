// SPDX-License-Identifier: MIT
/*
 * Just enough ACPI to power off and to find devices: the FADT through the RSDP, the S5 sleep type
 * in the DSDT's _S5_ package (the PM1a control block of -M pc, the hardware-reduced sleep control
 * register of -M microvm), the I/O APICs in the MADT, and microvm's virtio-mmio devices, which
 * its DSDT lists (as Linux finds them).
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

static uint64_t rsdp_found;
static const struct acpi_header *dsdt_found;

/* A table by signature from the XSDT (8-byte entries) or the RSDT (4-byte entries). */
static const struct acpi_header *find_table(uint64_t rsdp, const char *sig)
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
		if (t && memcmp(t->sig, sig, 4) == 0)
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
	if (!rsdp || !readable(rsdp, 36) || !(fadt = find_table(rsdp, "FACP")))
		return;
	rsdp_found = rsdp;
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
	if ((dsdt = table_at(dsdt_addr))) {
		find_s5(dsdt);
		dsdt_found = dsdt;
	}
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

unsigned acpi_ioapics(struct acpi_ioapic *out, unsigned max)
{
	const struct acpi_header *madt = rsdp_found ? find_table(rsdp_found, "APIC") : NULL;
	const uint8_t *p, *end;
	unsigned n = 0;

	if (!madt)
		return 0;
	p = (const uint8_t *)madt + sizeof(*madt) + 8; /* the local APIC address and flags */
	end = (const uint8_t *)madt + madt->len;
	for (; p + 2 <= end && p[1] >= 2 && p + p[1] <= end && n < max; p += p[1]) {
		if (p[0] != 1 || p[1] < 12) /* type 1: I/O APIC */
			continue;
		memcpy(&out[n].addr, p + 4, 4);
		memcpy(&out[n].gsi_base, p + 8, 4);
		n++;
	}
	return n;
}

/* The first n bytes equal to pat in [p, end), or NULL (images without newlib have no memmem). */
static const uint8_t *find_bytes(const uint8_t *p, const uint8_t *end, const void *pat, size_t n)
{
	for (; p && p + n <= end; p++)
		if (!memcmp(p, pat, n))
			return p;
	return NULL;
}

/*
 * microvm's DSDT: each virtio-mmio transport is a device with _HID "LNRO0005" whose _CRS holds a
 * Memory32Fixed descriptor (86 09 00 rw base len) and an extended interrupt (89 len flags 01 gsi).
 * Look for the two after each _HID, before the next one.
 */
unsigned acpi_virtio_mmio(struct acpi_mmio_dev *out, unsigned max)
{
	static const char hid[] = "LNRO0005";
	const uint8_t *p, *end;
	unsigned n = 0;

	if (!dsdt_found)
		return 0;
	p = (const uint8_t *)dsdt_found + sizeof(*dsdt_found);
	end = (const uint8_t *)dsdt_found + dsdt_found->len;
	while (n < max && (p = find_bytes(p, end, hid, 8))) {
		const uint8_t *next = find_bytes(p + 8, end, hid, 8), *lim = next ? next : end;
		const uint8_t *mem = find_bytes(p, lim, "\x86\x09\x00", 3);
		const uint8_t *irq = mem ? find_bytes(mem, lim, "\x89", 1) : NULL;

		if (mem && irq && mem + 12 <= lim && irq + 9 <= lim && irq[4] >= 1) {
			memcpy(&out[n].base, mem + 4, 4);
			memcpy(&out[n].size, mem + 8, 4);
			memcpy(&out[n].gsi, irq + 5, 4);
			n++;
		}
		p += 8;
	}
	return n;
}
