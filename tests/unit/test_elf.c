// SPDX-License-Identifier: MIT
/* Host unit tests of the image loader: a valid image in memory, then one malformed variant each. */
#include <elf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <hv/elf.h>
#include "unit.h"

/*
 * The test image's file layout: ELF header, program headers (room for MAXPH), the notes, text,
 * data. The data segment's file bytes end the file, so cutting any byte off must fail.
 */
#define MAXPH 12
#define NOTE_OFF 0x300
#define TEXT_OFF 0x400
#define TEXT_SZ 0x100
#define DATA_OFF 0x600
#define DATA_SZ 0x40
#define FILE_LEN (DATA_OFF + DATA_SZ)
#define TEXT_ADDR 0x100000ULL
#define DATA_ADDR 0x101000ULL
#define DATA_MEMSZ 0x1000ULL
#define ENTRY (TEXT_ADDR + 0x10)
#define MEM (4ULL << 20)
#define PH_TEXT 0
#define PH_DATA 1
#define PH_NOTE 2

struct timg {
	Elf64_Ehdr eh;
	Elf64_Phdr ph[MAXPH];
	uint8_t note[TEXT_OFF - NOTE_OFF];
};

static const struct hv_manifest test_manifest = {
	.abi_version = SKIFF_HV_ABI_VERSION,
	.devices = HV_DEV_BLK,
	.trap_entry = TEXT_ADDR + 0x80,
};

static size_t put_note(uint8_t *p, const char *name, uint32_t namesz, uint32_t type,
		       const void *desc, uint32_t descsz)
{
	Elf64_Nhdr nh = { .n_namesz = namesz, .n_descsz = descsz, .n_type = type };
	size_t namepad = (namesz + 3u) & ~3u, descpad = (descsz + 3u) & ~3u;

	memcpy(p, &nh, sizeof(nh));
	memset(p + sizeof(nh), 0, namepad + descpad);
	memcpy(p + sizeof(nh), name, namesz);
	memcpy(p + sizeof(nh) + namepad, desc, descsz);
	return sizeof(nh) + namepad + descpad;
}

/* The notes: the Xen PVH entry note (which the loader skips), then the manifest if wanted. */
static void set_notes(struct timg *t, bool manifest, uint32_t manifest_size)
{
	uint32_t pvh_entry = (uint32_t)ENTRY;
	uint8_t desc[32] = { 0 };
	size_t n;

	memcpy(desc, &test_manifest, sizeof(test_manifest));
	n = put_note(t->note, "Xen", 4, 18, &pvh_entry, sizeof(pvh_entry));
	if (manifest)
		n += put_note(t->note + n, SKIFF_HV_NOTE_NAME, sizeof(SKIFF_HV_NOTE_NAME),
			      SKIFF_HV_NOTE_MANIFEST, desc, manifest_size);
	t->ph[PH_NOTE].p_filesz = t->ph[PH_NOTE].p_memsz = n;
}

static Elf64_Phdr phdr(uint32_t type, uint32_t flags, uint64_t off, uint64_t addr,
		       uint64_t filesz, uint64_t memsz)
{
	return (Elf64_Phdr){ .p_type = type, .p_flags = flags, .p_offset = off, .p_vaddr = addr,
			     .p_paddr = addr, .p_filesz = filesz, .p_memsz = memsz, .p_align = 0x1000 };
}

/* A valid image: text (R X), data + bss (R W), the notes, and a PT_GNU_STACK full of junk. */
static void default_img(struct timg *t)
{
	memset(t, 0, sizeof(*t));
	memcpy(t->eh.e_ident, ELFMAG, SELFMAG);
	t->eh.e_ident[EI_CLASS] = ELFCLASS64;
	t->eh.e_ident[EI_DATA] = ELFDATA2LSB;
	t->eh.e_ident[EI_VERSION] = EV_CURRENT;
	t->eh.e_type = ET_EXEC;
	t->eh.e_machine = EM_X86_64;
	t->eh.e_version = EV_CURRENT;
	t->eh.e_entry = ENTRY;
	t->eh.e_phoff = sizeof(Elf64_Ehdr);
	t->eh.e_ehsize = sizeof(Elf64_Ehdr);
	t->eh.e_phentsize = sizeof(Elf64_Phdr);
	t->eh.e_phnum = 4;
	t->ph[PH_TEXT] = phdr(PT_LOAD, PF_R | PF_X, TEXT_OFF, TEXT_ADDR, TEXT_SZ, TEXT_SZ);
	t->ph[PH_DATA] = phdr(PT_LOAD, PF_R | PF_W, DATA_OFF, DATA_ADDR, DATA_SZ, DATA_MEMSZ);
	t->ph[PH_NOTE] = phdr(PT_NOTE, PF_R, NOTE_OFF, 0, 0, 0);
	t->ph[3] = phdr(PT_GNU_STACK, PF_R | PF_W, ~0ULL, ~0ULL, ~0ULL, 1ULL << 62);
	set_notes(t, true, sizeof(struct hv_manifest));
}

/* Serialize into an exactly sized heap buffer, so ASan sees any read past the end. */
static uint8_t *emit(const struct timg *t)
{
	uint8_t *buf = malloc(FILE_LEN);

	if (!buf)
		abort();
	memset(buf, 0, FILE_LEN);
	memcpy(buf, &t->eh, sizeof(t->eh));
	memcpy(buf + sizeof(t->eh), t->ph, sizeof(t->ph));
	memcpy(buf + NOTE_OFF, t->note, TEXT_OFF - NOTE_OFF);
	for (size_t i = 0; i < TEXT_SZ; i++)
		buf[TEXT_OFF + i] = (uint8_t)(0x90 + i);
	for (size_t i = 0; i < DATA_SZ; i++)
		buf[DATA_OFF + i] = (uint8_t)(0x40 + i);
	return buf;
}

static int parse(const struct timg *t, uint64_t mem, struct hv_image *img, char *err, size_t n)
{
	uint8_t *buf = emit(t);
	int rc = hv_elf_parse(buf, FILE_LEN, mem, img, err, n);

	free(buf);
	return rc;
}

#define EXPECT_OK(t, mem) expect_ok(t, mem, __LINE__)
static void expect_ok(const struct timg *t, uint64_t mem, int line)
{
	struct hv_image img;
	char err[256] = "";

	if (parse(t, mem, &img, err, sizeof(err)) != 0) {
		fprintf(stderr, "  line %d: expected success, got \"%s\"\n", line, err);
		unit_failed_checks++;
	}
}

#define EXPECT_FAIL(t, mem, msg) expect_fail(t, mem, msg, __LINE__)
static void expect_fail(const struct timg *t, uint64_t mem, const char *msg, int line)
{
	struct hv_image img;
	char err[256] = "";

	if (parse(t, mem, &img, err, sizeof(err)) != -1 || !strstr(err, msg) || strchr(err, '\n')) {
		fprintf(stderr, "  line %d: expected an error with \"%s\", got \"%s\"\n", line, msg, err);
		unit_failed_checks++;
	}
}

static void valid_parses(void)
{
	struct timg t;
	struct hv_image img;
	char err[256] = "";

	default_img(&t);
	CHECK_EQ(parse(&t, MEM, &img, err, sizeof(err)), 0);
	CHECK_STR(err, "");
	CHECK_EQ(img.entry, ENTRY);
	CHECK_EQ(img.nseg, 2);
	CHECK_EQ(img.seg[0].paddr, TEXT_ADDR);
	CHECK_EQ(img.seg[0].filesz, TEXT_SZ);
	CHECK_EQ(img.seg[0].memsz, TEXT_SZ);
	CHECK_EQ(img.seg[0].offset, TEXT_OFF);
	CHECK_EQ(img.seg[0].flags, PF_R | PF_X);
	CHECK_EQ(img.seg[1].paddr, DATA_ADDR);
	CHECK_EQ(img.seg[1].filesz, DATA_SZ);
	CHECK_EQ(img.seg[1].memsz, DATA_MEMSZ);
	CHECK_EQ(img.seg[1].offset, DATA_OFF);
	CHECK_EQ(img.seg[1].flags, PF_R | PF_W);
	CHECK_EQ(img.end, DATA_ADDR + DATA_MEMSZ);
	CHECK(img.has_manifest);
	CHECK_EQ(img.manifest.abi_version, SKIFF_HV_ABI_VERSION);
	CHECK_EQ(img.manifest.devices, HV_DEV_BLK);
	CHECK_EQ(img.manifest.trap_entry, TEXT_ADDR + 0x80);
	/* The image exactly filling guest memory fits. */
	EXPECT_OK(&t, DATA_ADDR + DATA_MEMSZ);
}

static void valid_loads(void)
{
	struct timg t;
	struct hv_image img;
	char err[256];
	uint8_t *buf, *mem = malloc(MEM);

	default_img(&t);
	buf = emit(&t);
	CHECK(mem != NULL);
	if (!mem || hv_elf_parse(buf, FILE_LEN, MEM, &img, err, sizeof(err)) != 0) {
		unit_failed_checks++;
		goto out;
	}
	memset(mem, 0, MEM); /* as fresh guest memory is; marks around the segments */
	mem[TEXT_ADDR - 1] = mem[TEXT_ADDR + TEXT_SZ] = mem[DATA_ADDR - 1] = mem[DATA_ADDR + DATA_MEMSZ] = 0xaa;
	hv_elf_load(buf, &img, mem);
	CHECK(memcmp(mem + TEXT_ADDR, buf + TEXT_OFF, TEXT_SZ) == 0);
	CHECK(memcmp(mem + DATA_ADDR, buf + DATA_OFF, DATA_SZ) == 0);
	for (uint64_t a = DATA_ADDR + DATA_SZ; a < DATA_ADDR + DATA_MEMSZ; a++)
		CHECK_EQ(mem[a], 0);
	/* Nothing outside the segments is touched. */
	CHECK_EQ(mem[TEXT_ADDR - 1], 0xaa);
	CHECK_EQ(mem[TEXT_ADDR + TEXT_SZ], 0xaa);
	CHECK_EQ(mem[DATA_ADDR - 1], 0xaa);
	CHECK_EQ(mem[DATA_ADDR + DATA_MEMSZ], 0xaa);
out:
	free(buf);
	free(mem);
}

/* Every prefix of the image must fail cleanly; each is its own allocation for ASan. */
static void truncated(void)
{
	struct timg t;
	struct hv_image img;
	char err[256];
	uint8_t *full;

	default_img(&t);
	full = emit(&t);
	for (size_t len = 0; len <= FILE_LEN; len++) {
		uint8_t *buf = malloc(len ? len : 1);
		int rc;

		if (!buf)
			abort();
		memcpy(buf, full, len);
		err[0] = 0;
		rc = hv_elf_parse(buf, len, MEM, &img, err, sizeof(err));
		if (len < FILE_LEN)
			CHECK(rc == -1 && err[0] != 0);
		else
			CHECK_EQ(rc, 0);
		free(buf);
	}
	free(full);
	default_img(&t);
	t.eh.e_phoff = FILE_LEN - 10;
	EXPECT_FAIL(&t, MEM, "file truncated: program headers end at byte 1814 of 1600");
}

static void bad_header(void)
{
	struct timg t;

	default_img(&t);
	t.eh.e_ident[EI_MAG1] = 'X';
	EXPECT_FAIL(&t, MEM, "not an ELF file (bad magic)");
	default_img(&t);
	t.eh.e_ident[EI_CLASS] = ELFCLASS32;
	EXPECT_FAIL(&t, MEM, "ELF class 1 (32-bit): skiff-hv runs 64-bit images");
	default_img(&t);
	t.eh.e_ident[EI_DATA] = ELFDATA2MSB;
	EXPECT_FAIL(&t, MEM, "big endian");
	default_img(&t);
	t.eh.e_machine = EM_386;
	EXPECT_FAIL(&t, MEM, "machine 3 is not x86-64");
	default_img(&t);
	t.eh.e_type = ET_DYN;
	EXPECT_FAIL(&t, MEM, "ELF type 3 is not ET_EXEC");
}

static void bad_phdr_table(void)
{
	struct timg t;

	default_img(&t);
	t.eh.e_phentsize = sizeof(Elf64_Phdr) + 8;
	EXPECT_FAIL(&t, MEM, "program header size 64, expected 56");
	default_img(&t);
	t.eh.e_phentsize = 0;
	EXPECT_FAIL(&t, MEM, "program header size 0");
	default_img(&t);
	t.eh.e_phnum = 65;
	EXPECT_FAIL(&t, MEM, "65 program headers, at most 64");
	t.eh.e_phnum = 0xffff;
	EXPECT_FAIL(&t, MEM, "65535 program headers");
	t.eh.e_phnum = 0;
	EXPECT_FAIL(&t, MEM, "no program headers");
	default_img(&t);
	t.eh.e_phoff = FILE_LEN + 1;
	EXPECT_FAIL(&t, MEM, "program headers start at byte 1601 of 1600");
	t.eh.e_phoff = UINT64_MAX - 16;	/* phoff + table size wraps to a small number */
	EXPECT_FAIL(&t, MEM, "program headers start at byte");
}

static void bad_segment_bytes(void)
{
	struct timg t;

	default_img(&t);
	t.ph[PH_DATA].p_filesz = 0x100;
	EXPECT_FAIL(&t, MEM, "segment 1 file bytes (offset 0x600, size 0x100) extend past the end");
	default_img(&t);
	t.ph[PH_DATA].p_offset = UINT64_MAX - 4;
	EXPECT_FAIL(&t, MEM, "segment 1 file bytes");
	default_img(&t);
	t.ph[PH_TEXT].p_offset = FILE_LEN;
	EXPECT_FAIL(&t, MEM, "segment 0 file bytes");
	default_img(&t);
	t.ph[PH_DATA].p_memsz = 0x10;
	EXPECT_FAIL(&t, MEM, "segment 1 memsz 0x10 is smaller than filesz 0x40");
	/* No file bytes: the offset is never used, so any offset is fine. */
	default_img(&t);
	t.ph[PH_DATA].p_filesz = 0;
	t.ph[PH_DATA].p_offset = UINT64_MAX;
	EXPECT_OK(&t, MEM);
}

static void bad_placement(void)
{
	struct timg t;

	default_img(&t);
	t.ph[PH_TEXT].p_paddr = t.ph[PH_TEXT].p_vaddr = 0x1000;
	t.eh.e_entry = 0x1000;
	EXPECT_FAIL(&t, MEM, "segment 0 starts at 0x1000, below 0x100000 which the monitor uses");
	default_img(&t);
	EXPECT_FAIL(&t, DATA_ADDR + 0x800,
		    "segment 1 ends at 0x102000 beyond guest memory (0x101800 bytes): give more --mem");
	EXPECT_FAIL(&t, 0, "segment 0 ends at 0x100100 beyond guest memory");
	default_img(&t);
	t.ph[PH_DATA].p_paddr = t.ph[PH_DATA].p_vaddr = UINT64_MAX - 0xfff;
	t.ph[PH_DATA].p_memsz = 0x2000;
	EXPECT_FAIL(&t, MEM, "segment 1 at 0xfffffffffffff000 with memsz 0x2000 wraps");
	default_img(&t);
	t.ph[PH_DATA].p_memsz = 1ULL << 62;
	EXPECT_FAIL(&t, MEM, "segment 1 ends at 0x4000000000101000 beyond guest memory");
	default_img(&t);
	t.ph[PH_DATA].p_paddr = t.ph[PH_DATA].p_vaddr = TEXT_ADDR + 0x80;
	EXPECT_FAIL(&t, MEM, "segment 1 [0x100080, 0x101080) overlaps segment 0");
	default_img(&t);
	t.ph[PH_DATA].p_paddr = t.ph[PH_DATA].p_vaddr = TEXT_ADDR - 0x80;
	t.ph[PH_DATA].p_memsz = 0x81;
	EXPECT_FAIL(&t, MEM, "below 0x100000");
	t.ph[PH_DATA].p_paddr = t.ph[PH_DATA].p_vaddr = TEXT_ADDR + TEXT_SZ - 1;
	EXPECT_FAIL(&t, MEM, "overlaps segment 0");
	/* Touching is not overlapping. */
	t.ph[PH_DATA].p_paddr = t.ph[PH_DATA].p_vaddr = TEXT_ADDR + TEXT_SZ;
	EXPECT_OK(&t, MEM);
	/* Guest-virtual is guest-physical: a segment linked elsewhere than it loads is refused. */
	default_img(&t);
	t.ph[PH_TEXT].p_vaddr = 0xffffffff80100000ULL;
	EXPECT_FAIL(&t, MEM, "segment 0 is linked at 0xffffffff80100000 but loads at 0x100000");
	/* Zero-size segments occupy nothing, wherever they claim to be. */
	default_img(&t);
	t.eh.e_phnum = 5;
	t.ph[4] = phdr(PT_LOAD, PF_R, 0, 0x300000, 0, 0);
	t.ph[4].p_vaddr = 0x12345000;
	EXPECT_OK(&t, MEM);
}

static void bad_entry(void)
{
	struct timg t;

	default_img(&t);
	t.eh.e_entry = 0x200000;
	EXPECT_FAIL(&t, MEM, "entry point 0x200000 is not in an executable segment");
	t.eh.e_entry = DATA_ADDR + 8;
	EXPECT_FAIL(&t, MEM, "entry point 0x101008 is not in an executable segment");
	t.eh.e_entry = TEXT_ADDR + TEXT_SZ;
	EXPECT_FAIL(&t, MEM, "entry point 0x100100");
	t.eh.e_entry = TEXT_ADDR + TEXT_SZ - 1;
	EXPECT_OK(&t, MEM);
}

/* Loadable segments beyond the text and data: small bss-only ones, a page per header index. */
static void add_loads(struct timg *t, unsigned n)
{
	for (unsigned i = 0; i < n; i++, t->eh.e_phnum++)
		t->ph[t->eh.e_phnum] = phdr(PT_LOAD, PF_R, 0, 0x200000 + 0x1000ULL * t->eh.e_phnum,
					    0, 0x10);
}

static void segment_count(void)
{
	struct timg t;

	default_img(&t);
	add_loads(&t, HV_MAX_SEGMENTS - 2);
	EXPECT_OK(&t, MEM);
	add_loads(&t, 1);
	EXPECT_FAIL(&t, MEM, "more than 8 loadable segments");
	/* memsz 0 takes no slot and no address, even an impossible one. */
	default_img(&t);
	add_loads(&t, HV_MAX_SEGMENTS - 2);
	t.ph[t.eh.e_phnum++] = phdr(PT_LOAD, PF_R, UINT64_MAX, 0, 0, 0);
	EXPECT_OK(&t, MEM);
}

static void notes(void)
{
	struct timg t;
	Elf64_Nhdr nh;
	struct hv_image img;
	char err[256];

	default_img(&t);
	memcpy(&nh, t.note, sizeof(nh));
	nh.n_namesz = UINT32_MAX;
	memcpy(t.note, &nh, sizeof(nh));
	EXPECT_FAIL(&t, MEM, "malformed note in segment 2: name size 4294967295");
	nh.n_namesz = 4;
	nh.n_descsz = UINT32_MAX - 2;	/* pads to 2^32: must not wrap to 0 */
	memcpy(t.note, &nh, sizeof(nh));
	EXPECT_FAIL(&t, MEM, "malformed note in segment 2");
	default_img(&t);
	t.ph[PH_NOTE].p_filesz += 4;
	EXPECT_FAIL(&t, MEM, "malformed note in segment 2: 4 stray bytes");
	default_img(&t);
	t.ph[PH_NOTE].p_offset = FILE_LEN - 8;
	EXPECT_FAIL(&t, MEM, "note segment 2 (offset 0x638, size 0x38) extends past the end");
	/* An empty note segment's offset is never used, so any offset is fine (UBSan checks). */
	default_img(&t);
	t.ph[PH_NOTE].p_filesz = 0;
	t.ph[PH_NOTE].p_offset = UINT64_MAX - 0x100;
	EXPECT_OK(&t, MEM);
	default_img(&t);
	set_notes(&t, true, 8);
	EXPECT_FAIL(&t, MEM, "Skiff manifest note has 8 bytes, expected 16");
	set_notes(&t, true, 24);
	EXPECT_FAIL(&t, MEM, "Skiff manifest note has 24 bytes, expected 16");
	/* Two PT_NOTE headers over the same manifest: one image, two manifests. */
	default_img(&t);
	t.ph[t.eh.e_phnum++] = t.ph[PH_NOTE];
	EXPECT_FAIL(&t, MEM, "segment 4: a second Skiff manifest note");
	/* No manifest is the caller's call to make: parsing succeeds. */
	default_img(&t);
	set_notes(&t, false, 0);
	CHECK_EQ(parse(&t, MEM, &img, err, sizeof(err)), 0);
	CHECK(!img.has_manifest);
	/* "Skiff" with another type is some other note: skipped. */
	default_img(&t);
	memcpy(&nh, t.note + 20, sizeof(nh));
	nh.n_type = SKIFF_HV_NOTE_MANIFEST + 1;
	memcpy(t.note + 20, &nh, sizeof(nh));
	CHECK_EQ(parse(&t, MEM, &img, err, sizeof(err)), 0);
	CHECK(!img.has_manifest);
}

/* check_manifest TIMG KNOWN-DEVICES: hv_elf_check_manifest's result on the parsed image. */
static int check_manifest(const struct timg *t, uint32_t known, char *err, size_t n)
{
	struct hv_image img;

	if (parse(t, MEM, &img, err, n) != 0)
		return -2;
	return hv_elf_check_manifest(&img, known, err, n);
}

/* The manifest's descriptor follows the Xen note (20 bytes) and its own header and name (20). */
static void set_manifest(struct timg *t, const struct hv_manifest *m)
{
	memcpy(t->note + 40, m, sizeof(*m));
}

static void manifest(void)
{
	struct timg t;
	struct hv_manifest m = test_manifest;
	char err[256] = "";

	/* Text big enough for the 256 x 16 bytes of trap stubs. */
	default_img(&t);
	t.ph[PH_TEXT].p_memsz = DATA_ADDR - TEXT_ADDR;
	m.trap_entry = TEXT_ADDR;
	set_manifest(&t, &m);
	CHECK_EQ(check_manifest(&t, HV_DEV_BLK, err, sizeof(err)), 0);
	CHECK_EQ(check_manifest(&t, HV_DEV_BLK | HV_DEV_NET, err, sizeof(err)), 0);
	/* A device this monitor cannot give: refused, and the message names the bits. */
	CHECK_EQ(check_manifest(&t, 0, err, sizeof(err)), -1);
	CHECK(strstr(err, "asks for devices 0x1 (block) that this skiff-hv cannot give (it has none)"));
	m.devices = HV_DEV_BLK | 0x40;
	set_manifest(&t, &m);
	CHECK_EQ(check_manifest(&t, HV_DEV_BLK, err, sizeof(err)), -1);
	CHECK(strstr(err, "devices 0x40 (unknown) that this skiff-hv cannot give (it has 0x1 (block))"));
	m.devices = HV_DEV_BLK;
	m.abi_version = 99;
	set_manifest(&t, &m);
	CHECK_EQ(check_manifest(&t, HV_DEV_BLK, err, sizeof(err)), -1);
	CHECK(strstr(err, "built for skiff-hv ABI 99"));
	/* Trap stubs: all of them inside executable code. */
	m.abi_version = SKIFF_HV_ABI_VERSION;
	m.trap_entry = TEXT_ADDR + 16;
	set_manifest(&t, &m);
	CHECK_EQ(check_manifest(&t, HV_DEV_BLK, err, sizeof(err)), -1);
	CHECK(strstr(err, "trap stubs at 0x100010 are not inside executable code"));
	m.trap_entry = DATA_ADDR;
	set_manifest(&t, &m);
	CHECK_EQ(check_manifest(&t, HV_DEV_BLK, err, sizeof(err)), -1);
	set_notes(&t, false, 0);
	CHECK_EQ(check_manifest(&t, HV_DEV_BLK, err, sizeof(err)), -1);
	CHECK(strstr(err, "no Skiff manifest note"));
}

/* A tiny error buffer gets a truncated, terminated message, and no buffer at all is allowed. */
static void small_err_buffer(void)
{
	struct timg t;
	struct hv_image img;
	char *err = malloc(8);

	default_img(&t);
	t.eh.e_machine = EM_386;
	CHECK_EQ(parse(&t, MEM, &img, err, 8), -1);
	CHECK_STR(err, "machine");
	CHECK_EQ(parse(&t, MEM, &img, NULL, 0), -1);
	free(err);
}

/* The real hello image, when it has been built: must load into 64 MiB. */
static void real_image(void)
{
	FILE *f = fopen("build/hello/hello.kvm", "rb");
	struct hv_image img;
	char err[256] = "";
	uint8_t *buf;
	long len;

	if (!f)
		return;
	if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) <= 0 || fseek(f, 0, SEEK_SET) != 0 ||
	    !(buf = malloc((size_t)len))) {
		fclose(f);
		unit_failed_checks++;
		return;
	}
	CHECK_EQ(fread(buf, 1, (size_t)len, f), len);
	fclose(f);
	CHECK_EQ(hv_elf_parse(buf, (size_t)len, 64ULL << 20, &img, err, sizeof(err)), 0);
	if (err[0])
		fprintf(stderr, "  hello.kvm: %s\n", err);
	CHECK(img.nseg > 0);
	free(buf);
}

UNIT_MAIN("elf",
	  UNIT_TEST(valid_parses),
	  UNIT_TEST(valid_loads),
	  UNIT_TEST(truncated),
	  UNIT_TEST(bad_header),
	  UNIT_TEST(bad_phdr_table),
	  UNIT_TEST(bad_segment_bytes),
	  UNIT_TEST(bad_placement),
	  UNIT_TEST(bad_entry),
	  UNIT_TEST(segment_count),
	  UNIT_TEST(notes),
	  UNIT_TEST(manifest),
	  UNIT_TEST(small_err_buffer),
	  UNIT_TEST(real_image))
