// SPDX-License-Identifier: MIT
/*
 * Host tests of the UEFI stub's pure parts (plat/efi): the memory map as E820 entries, the
 * command line from load options and from the file, initrd= and ESP paths, and the checks on
 * the embedded image's ELF headers.
 */
#include <elf.h>
#include <stdint.h>
#include <string.h>
#include <skiff/entry64.h>
#include <efistub/cmdline.h>
#include <efistub/elf.h>
#include <efistub/memmap.h>
#include "unit.h"

/* ---- memory map ------------------------------------------------------------------------- */

/* Firmware descriptors are larger than the struct (OVMF: 48 bytes); the stride must be used. */
#define DSIZE 48
static uint8_t efimap[64 * DSIZE];
static size_t nefi;

static void desc(uint32_t type, uint64_t phys, uint64_t pages, uint64_t attr)
{
	struct efi_mem_desc d = { .type = type, .phys = phys, .pages = pages, .attr = attr };

	memset(efimap + nefi * DSIZE, 0xa5, DSIZE); /* the tail past the struct is noise */
	memcpy(efimap + nefi * DSIZE, &d, sizeof(d));
	nefi++;
}

static void memmap_merges_and_sorts(void)
{
	struct hvm_memmap_entry out[64];
	size_t n;

	nefi = 0;
	desc(7, 0x100000, 0x700, 0);	/* conventional 1 MiB - 8 MiB */
	desc(3, 0x0, 0x1, 0);		/* boot services code, page 0 */
	desc(7, 0x1000, 0x9f, 0);	/* conventional up to 640 KiB */
	desc(10, 0x800000, 0x8, 0);	/* ACPI NVS */
	desc(4, 0x808000, 0x8, 0);	/* boot services data */
	desc(2, 0x810000, 0x10, 0);	/* loader data */
	desc(6, 0x820000, 0x1, 0);	/* runtime data: stays reserved */
	desc(7, 0x821000, 0x7df, 0);	/* conventional up to 0x1000000 */
	desc(9, 0x1000000, 0x10, 0);	/* ACPI reclaim */
	desc(11, 0xffc00000, 0x400, 0);	/* flash MMIO */
	desc(0, 0xa0000, 0x60, 0);	/* reserved legacy hole */
	n = efi_memmap_to_e820(efimap, nefi, DSIZE, out, 64);
	CHECK_EQ(n, 9);
	CHECK_EQ(out[0].addr, 0);
	CHECK_EQ(out[0].size, 0xa0000);
	CHECK_EQ(out[0].type, HVM_MEMMAP_RAM);
	CHECK_EQ(out[1].addr, 0xa0000);
	CHECK_EQ(out[1].type, HVM_MEMMAP_RESERVED);
	CHECK_EQ(out[2].addr, 0x100000);
	CHECK_EQ(out[2].size, 0x700000);
	CHECK_EQ(out[3].type, HVM_MEMMAP_NVS);
	/* boot services data and loader data merge into one RAM entry */
	CHECK_EQ(out[4].addr, 0x808000);
	CHECK_EQ(out[4].size, 0x18000);
	CHECK_EQ(out[4].type, HVM_MEMMAP_RAM);
	CHECK_EQ(out[5].type, HVM_MEMMAP_RESERVED);
	CHECK_EQ(out[6].addr, 0x821000);
	CHECK_EQ(out[7].type, HVM_MEMMAP_ACPI);
	CHECK_EQ(out[8].addr, 0xffc00000);
	CHECK_EQ(out[8].type, HVM_MEMMAP_RESERVED);
	CHECK_EQ(efi_memmap_top(out, n), 0x100000000ULL);
}

/* A descriptor that fills a gap joins both neighbours into one entry. */
static void memmap_bridges_gap(void)
{
	struct hvm_memmap_entry out[8];
	size_t n;

	nefi = 0;
	desc(7, 0x0, 0x10, 0);
	desc(7, 0x20000, 0x10, 0);
	desc(1, 0x10000, 0x10, 0);	/* loader code between them */
	n = efi_memmap_to_e820(efimap, nefi, DSIZE, out, 8);
	CHECK_EQ(n, 1);
	CHECK_EQ(out[0].addr, 0);
	CHECK_EQ(out[0].size, 0x30000);
}

static void memmap_odd_descriptors(void)
{
	struct hvm_memmap_entry out[2];
	size_t n;

	nefi = 0;
	desc(7, 0x100000, 0, 0);			/* empty: skipped */
	desc(7, 0xfffffffffffff000ULL, 0x10, 0);	/* wraps: skipped */
	desc(7, 0x200000, 0x10, EFI_MEM_ATTR_SP);	/* specific-purpose: not RAM */
	desc(14, 0x400000, 0x10, 0);			/* persistent */
	desc(8, 0x600000, 0x10, 0);			/* unusable */
	n = efi_memmap_to_e820(efimap, nefi, DSIZE, out, 2);
	CHECK_EQ(n, 2); /* the list is full: the last one is dropped, nothing overflows */
	CHECK_EQ(out[0].type, HVM_MEMMAP_RESERVED);
	CHECK_EQ(out[1].type, HVM_MEMMAP_PMEM);
	CHECK_EQ(efi_memmap_type(8, 0), HVM_MEMMAP_UNUSABLE);
	CHECK_EQ(efi_memmap_type(5, 0), HVM_MEMMAP_RESERVED);
	CHECK_EQ(efi_memmap_type(99, 0), HVM_MEMMAP_RESERVED);
}

/* The page-table reserve covers what paging.c needs for a map of this shape. */
static void pt_reserve_bound(void)
{
	CHECK(SKIFF_ENTRY64_PT_PAGES(10, 0x100000000ULL) >= 1 + 1 + 4 + 2 * 16);
	CHECK(SKIFF_ENTRY64_PT_PAGES(0, 0) >= 3);
}

/* ---- command line ----------------------------------------------------------------------- */

static size_t ucs2(const char *s, uint16_t *out)
{
	size_t i = 0;

	for (; s[i]; i++)
		out[i] = (unsigned char)s[i];
	out[i] = 0;
	return (i + 1) * 2;
}

static void cmdline_load_options(void)
{
	uint16_t w[128];
	char out[64];
	size_t needed = 0, bytes;

	bytes = ucs2("loglevel=7 -- a 'b c'", w);
	CHECK_EQ(efi_cmdline_from_ucs2(w, bytes, out, sizeof(out), &needed), 21);
	CHECK_STR(out, "loglevel=7 -- a 'b c'");
	/* The shell's first word is the program */
	bytes = ucs2("fs0:\\EFI\\BOOT\\BOOTX64.EFI  -- x\r\n", w);
	CHECK_EQ(efi_cmdline_from_ucs2(w, bytes, out, sizeof(out), &needed), 4);
	CHECK_STR(out, "-- x");
	bytes = ucs2("hello.efi", w);
	CHECK_EQ(efi_cmdline_from_ucs2(w, bytes, out, sizeof(out), &needed), 0);
	CHECK_STR(out, "");
	/* Not the program: "efi" without the dot, or ".efi" inside a word */
	bytes = ucs2("noefi x.efi.bak", w);
	CHECK_EQ(efi_cmdline_from_ucs2(w, bytes, out, sizeof(out), &needed), 15);
	/* Counted without a NUL */
	bytes = ucs2("abc", w);
	CHECK_EQ(efi_cmdline_from_ucs2(w, 6, out, sizeof(out), &needed), 3);
	CHECK_STR(out, "abc");
}

static void cmdline_load_options_binary(void)
{
	/* The GUID OVMF's boot manager puts in options it created itself */
	static const uint8_t guid[16] = { 0x1c, 0x3a, 0x7d, 0x80, 0xf0, 0xf6, 0x4b, 0x4a,
					   0x80, 0x37, 0x2d, 0x08, 0x8c, 0x6c, 0x8a, 0x28 };
	uint16_t w[8], big[100];
	char out[16];
	size_t needed = 0;

	memcpy(w, guid, sizeof(guid));
	CHECK_EQ(efi_cmdline_from_ucs2(w, sizeof(guid), out, sizeof(out), &needed), -1);
	CHECK_EQ(efi_cmdline_from_ucs2(NULL, 0, out, sizeof(out), &needed), -1);
	w[0] = 0;
	CHECK_EQ(efi_cmdline_from_ucs2(w, 2, out, sizeof(out), &needed), -1);
	w[0] = 0xe9; /* not ASCII */
	w[1] = 0;
	CHECK_EQ(efi_cmdline_from_ucs2(w, 4, out, sizeof(out), &needed), -1);
	for (int i = 0; i < 99; i++)
		big[i] = 'x';
	big[99] = 0;
	CHECK_EQ(efi_cmdline_from_ucs2(big, sizeof(big), out, sizeof(out), &needed), -2);
	CHECK_EQ(needed, 99);
}

static void cmdline_file(void)
{
	char out[32];
	size_t needed = 0;
	static const char text[] = "loglevel=7\r\n-- a\tb\n\n";
	static const char big[40] = "0123456789012345678901234567890123456789";

	CHECK_EQ(efi_cmdline_from_file(text, strlen(text), out, sizeof(out), &needed), 18);
	CHECK_STR(out, "loglevel=7  -- a b");
	CHECK_EQ(efi_cmdline_from_file("", 0, out, sizeof(out), &needed), 0);
	CHECK_STR(out, "");
	CHECK_EQ(efi_cmdline_from_file("a\0b", 3, out, sizeof(out), &needed), -1);
	CHECK_EQ(efi_cmdline_from_file("\xef\xbb\xbf-- x", 7, out, sizeof(out), &needed), -1);
	CHECK_EQ(efi_cmdline_from_file(big, sizeof(big), out, sizeof(out), &needed), -2);
	CHECK_EQ(needed, 40);
	/* 31 bytes and a line break fit in 32 */
	char fits[33];
	memset(fits, 'y', 31);
	fits[31] = '\n';
	fits[32] = '\n';
	CHECK_EQ(efi_cmdline_from_file(fits, 33, out, sizeof(out), &needed), 31);
}

static void initrd_option(void)
{
	char line[128], path[32];

	strcpy(line, "initrd=\\EFI\\BOOT\\initrd loglevel=7 -- x");
	CHECK_EQ(efi_cmdline_take_initrd(line, path, sizeof(path)), 1);
	CHECK_STR(path, "\\EFI\\BOOT\\initrd");
	CHECK_STR(line, "loglevel=7 -- x");
	strcpy(line, "loglevel=7 initrd=rootfs.cpio bootstats -- x");
	CHECK_EQ(efi_cmdline_take_initrd(line, path, sizeof(path)), 1);
	CHECK_STR(path, "rootfs.cpio");
	CHECK_STR(line, "loglevel=7 bootstats -- x");
	strcpy(line, "a initrd=/x");
	CHECK_EQ(efi_cmdline_take_initrd(line, path, sizeof(path)), 1);
	CHECK_STR(line, "a");
	/* After "--" it is the app's argument */
	strcpy(line, "a -- initrd=/x");
	CHECK_EQ(efi_cmdline_take_initrd(line, path, sizeof(path)), 0);
	CHECK_STR(line, "a -- initrd=/x");
	/* Inside quotes it is part of another word */
	strcpy(line, "env.X='a initrd=/x' -- y");
	CHECK_EQ(efi_cmdline_take_initrd(line, path, sizeof(path)), 0);
	strcpy(line, "initrd= x");
	CHECK_EQ(efi_cmdline_take_initrd(line, path, sizeof(path)), -1);
	strcpy(line, "initrd='a b'");
	CHECK_EQ(efi_cmdline_take_initrd(line, path, sizeof(path)), -1);
	strcpy(line, "initrd=0123456789012345678901234567890123456789");
	CHECK_EQ(efi_cmdline_take_initrd(line, path, sizeof(path)), -1);
	strcpy(line, "");
	CHECK_EQ(efi_cmdline_take_initrd(line, path, sizeof(path)), 0);
	/* Backslashes elsewhere still escape for the kernel's parser: "\ " is no word break */
	strcpy(line, "env.A=x\\ initrd=/y -- z");
	CHECK_EQ(efi_cmdline_take_initrd(line, path, sizeof(path)), 0);
}

static void has_option(void)
{
	CHECK(efi_cmdline_has_option("loglevel=7 bootstats -- x", "bootstats"));
	CHECK(!efi_cmdline_has_option("loglevel=7 -- bootstats", "bootstats"));
	CHECK(!efi_cmdline_has_option("bootstats=1", "bootstats"));
	CHECK(!efi_cmdline_has_option("'bootstats'", "bootstats"));
	CHECK(!efi_cmdline_has_option("", "bootstats"));
}

static bool path_is(const uint16_t *p, const char *want)
{
	size_t i = 0;

	for (; want[i]; i++)
		if (p[i] != (unsigned char)want[i])
			return false;
	return p[i] == 0;
}

static void esp_paths(void)
{
	uint16_t img[64], out[24];

	ucs2("\\EFI\\BOOT\\BOOTX64.EFI", img);
	CHECK_EQ(efi_path_beside(img, "cmdline", out, 24), 0);
	CHECK(path_is(out, "\\EFI\\BOOT\\cmdline"));
	CHECK_EQ(efi_path_beside(img, "/boot/x.cpio", out, 24), 0);
	CHECK(path_is(out, "\\boot\\x.cpio"));
	CHECK_EQ(efi_path_beside(img, "sub/initrd", out, 24), 0);
	CHECK(path_is(out, "\\EFI\\BOOT\\sub\\initrd"));
	ucs2("hello.efi", img);
	CHECK_EQ(efi_path_beside(img, "cmdline", out, 24), 0);
	CHECK(path_is(out, "\\cmdline"));
	CHECK_EQ(efi_path_beside(NULL, "cmdline", out, 24), 0);
	CHECK(path_is(out, "\\cmdline"));
	ucs2("\\EFI\\BOOT\\BOOTX64.EFI", img);
	CHECK_EQ(efi_path_beside(img, "a-name-that-does-not-fit", out, 24), -1);
	CHECK_EQ(efi_path_beside(img, "bad\x01name", out, 24), -1);
}

/* ---- the embedded image's ELF ----------------------------------------------------------- */

/* An image: header, 3 program headers (text, data, note) and the note, then 0x2000 of contents. */
static uint8_t elf[0x3000];

static Elf64_Phdr *ph(int i)
{
	return (Elf64_Phdr *)(elf + sizeof(Elf64_Ehdr) + i * sizeof(Elf64_Phdr));
}

static void make_elf(uint64_t entry64)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)elf;
	uint32_t note[3] = { 6, 8, SKIFF_NOTE_ENTRY64 };
	size_t noff = 0x200;

	memset(elf, 0, sizeof(elf));
	memcpy(eh->e_ident, "\x7f" "ELF\x02\x01\x01", 7);
	eh->e_type = 2;
	eh->e_machine = 62;
	eh->e_phoff = sizeof(*eh);
	eh->e_phentsize = sizeof(Elf64_Phdr);
	eh->e_phnum = 3;
	*ph(0) = (Elf64_Phdr){ .p_type = 1, .p_flags = 5, .p_offset = 0x1000, .p_paddr = 0x100000,
				.p_filesz = 0x1000, .p_memsz = 0x1000 };
	*ph(1) = (Elf64_Phdr){ .p_type = 1, .p_flags = 6, .p_offset = 0x2000, .p_paddr = 0x101000,
				.p_filesz = 0x800, .p_memsz = 0x3000 };
	*ph(2) = (Elf64_Phdr){ .p_type = 4, .p_flags = 4, .p_offset = noff, .p_filesz = 12 + 8 + 8 };
	memcpy(elf + noff, note, sizeof(note));
	memcpy(elf + noff + 12, "Skiff", 6);
	memcpy(elf + noff + 20, &entry64, 8);
}

static void elf_good(void)
{
	struct efi_elf e;

	make_elf(0x100010);
	CHECK(efi_elf_parse(elf, sizeof(elf), SKIFF_ENTRY64_LIMIT, &e) == NULL);
	CHECK_EQ(e.nseg, 2);
	CHECK_EQ(e.lo, 0x100000);
	CHECK_EQ(e.hi, 0x104000);
	CHECK_EQ(e.entry64, 0x100010);
	CHECK_EQ(e.seg[1].filesz, 0x800);
}

static void elf_bad(void)
{
	struct efi_elf e;

	make_elf(0x100010);
	CHECK(efi_elf_parse(elf, 32, SKIFF_ENTRY64_LIMIT, &e) != NULL);
	elf[1] = 'X';
	CHECK(efi_elf_parse(elf, sizeof(elf), SKIFF_ENTRY64_LIMIT, &e) != NULL);
	make_elf(0x100010);
	((Elf64_Ehdr *)elf)->e_machine = 3;
	CHECK(efi_elf_parse(elf, sizeof(elf), SKIFF_ENTRY64_LIMIT, &e) != NULL);
	make_elf(0x100010);
	((Elf64_Ehdr *)elf)->e_phnum = 250; /* headers past the end */
	CHECK(efi_elf_parse(elf, sizeof(elf), SKIFF_ENTRY64_LIMIT, &e) != NULL);
	make_elf(0x100010);
	ph(1)->p_filesz = 0x2000; /* contents past the end of the file */
	CHECK(efi_elf_parse(elf, sizeof(elf), SKIFF_ENTRY64_LIMIT, &e) != NULL);
	make_elf(0x100010);
	ph(1)->p_filesz = 0x4000; /* more file than memory */
	CHECK(efi_elf_parse(elf, sizeof(elf), SKIFF_ENTRY64_LIMIT, &e) != NULL);
	make_elf(0x100010);
	ph(1)->p_paddr = 0x100800; /* overlaps text */
	CHECK(efi_elf_parse(elf, sizeof(elf), SKIFF_ENTRY64_LIMIT, &e) != NULL);
	make_elf(0x100010);
	ph(1)->p_paddr = SKIFF_ENTRY64_LIMIT - 0x1000; /* beyond the boot tables */
	CHECK(efi_elf_parse(elf, sizeof(elf), SKIFF_ENTRY64_LIMIT, &e) != NULL);
	make_elf(0x100010);
	ph(1)->p_paddr = UINT64_MAX - 0x1000; /* wraps */
	CHECK(efi_elf_parse(elf, sizeof(elf), UINT64_MAX, &e) != NULL);
	make_elf(0x101000); /* the entry in data, not text */
	CHECK(efi_elf_parse(elf, sizeof(elf), SKIFF_ENTRY64_LIMIT, &e) != NULL);
	make_elf(0x100010);
	elf[0x200 + 8] = 1; /* another note type: no entry */
	CHECK(efi_elf_parse(elf, sizeof(elf), SKIFF_ENTRY64_LIMIT, &e) != NULL);
	make_elf(0x100010);
	ph(2)->p_filesz = 14; /* a note cut short */
	CHECK(efi_elf_parse(elf, sizeof(elf), SKIFF_ENTRY64_LIMIT, &e) != NULL);
	make_elf(0x100010);
	ph(2)->p_offset = sizeof(elf) - 4; /* notes past the end */
	CHECK(efi_elf_parse(elf, sizeof(elf), SKIFF_ENTRY64_LIMIT, &e) != NULL);
	make_elf(0x100010);
	ph(0)->p_type = 0; /* no text: entry nowhere executable */
	ph(1)->p_type = 0;
	CHECK(efi_elf_parse(elf, sizeof(elf), SKIFF_ENTRY64_LIMIT, &e) != NULL);
}

UNIT_MAIN("efi", UNIT_TEST(memmap_merges_and_sorts), UNIT_TEST(memmap_bridges_gap),
	  UNIT_TEST(memmap_odd_descriptors), UNIT_TEST(pt_reserve_bound),
	  UNIT_TEST(cmdline_load_options), UNIT_TEST(cmdline_load_options_binary),
	  UNIT_TEST(cmdline_file), UNIT_TEST(initrd_option), UNIT_TEST(has_option),
	  UNIT_TEST(esp_paths), UNIT_TEST(elf_good), UNIT_TEST(elf_bad))
