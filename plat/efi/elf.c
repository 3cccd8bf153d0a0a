// SPDX-License-Identifier: MIT
/*
 * Checks the plat/kvm image embedded in the stub before anything is allocated for it: a bad image
 * (a build mix-up) must end in a message on the firmware console, never in a jump into garbage.
 * Freestanding (no libc): the stub links only GNU-EFI's libraries.
 */
#include <skiff/entry64.h>
#include <efistub/elf.h>

#define PT_LOAD 1
#define PT_NOTE 4
#define PF_X 1

struct elf64_ehdr {
	uint8_t ident[16];
	uint16_t type, machine;
	uint32_t version;
	uint64_t entry, phoff, shoff;
	uint32_t flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct elf64_phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

struct elf64_nhdr {
	uint32_t namesz, descsz, type;
};

_Static_assert(sizeof(struct elf64_ehdr) == 64, "Elf64_Ehdr layout");
_Static_assert(sizeof(struct elf64_phdr) == 56, "Elf64_Phdr layout");

/* [off, off + len) inside a file of size bytes. */
static int in_file(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

static void copy(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	while (n--)
		*d++ = *s++;
}

static const char *check_header(const struct elf64_ehdr *eh, size_t len)
{
	static const uint8_t magic[7] = { 0x7f, 'E', 'L', 'F', 2 /* 64-bit */, 1 /* LE */, 1 };

	for (unsigned i = 0; i < sizeof(magic); i++)
		if (eh->ident[i] != magic[i])
			return "not a 64-bit little-endian ELF file";
	if (eh->type != 2 /* ET_EXEC */ || eh->machine != 62 /* EM_X86_64 */)
		return "not an x86_64 executable";
	if (eh->phentsize != sizeof(struct elf64_phdr) || eh->phnum == 0 ||
	    !in_file(eh->phoff, (uint64_t)eh->phnum * sizeof(struct elf64_phdr), len))
		return "program headers missing or outside the file";
	return NULL;
}

static const char *add_segment(const struct elf64_phdr *ph, size_t len, uint64_t limit,
			       struct efi_elf *out)
{
	struct efi_elf_seg *s;

	if (ph->memsz == 0)
		return NULL;
	if (ph->filesz > ph->memsz || !in_file(ph->offset, ph->filesz, len))
		return "a segment's contents lie outside the file";
	if (ph->paddr > limit || ph->memsz > limit - ph->paddr)
		return "a segment lies above the 1 GiB the image's boot tables map";
	for (unsigned i = 0; i < out->nseg; i++)
		if (ph->paddr < out->seg[i].paddr + out->seg[i].memsz &&
		    out->seg[i].paddr < ph->paddr + ph->memsz)
			return "two segments overlap";
	if (out->nseg == EFI_ELF_MAX_SEGS)
		return "too many segments";
	s = &out->seg[out->nseg++];
	s->paddr = ph->paddr;
	s->memsz = ph->memsz;
	s->offset = ph->offset;
	s->filesz = ph->filesz;
	if (out->nseg == 1 || s->paddr < out->lo)
		out->lo = s->paddr;
	if (s->paddr + s->memsz > out->hi)
		out->hi = s->paddr + s->memsz;
	return NULL;
}

/* The ENTRY64 note among the notes of one PT_NOTE segment, if there. */
static const char *find_entry(const uint8_t *image, const struct elf64_phdr *ph, size_t len,
			      struct efi_elf *out)
{
	static const char name[6] = "Skiff";
	uint64_t off = ph->offset, end;
	struct elf64_nhdr nh;

	if (!in_file(ph->offset, ph->filesz, len))
		return "a note segment lies outside the file";
	end = ph->offset + ph->filesz;
	while (end - off >= sizeof(nh)) {
		uint64_t namepad, descpad;
		int ours = 1;

		copy(&nh, image + off, sizeof(nh));
		off += sizeof(nh);
		namepad = ((uint64_t)nh.namesz + 3) & ~3ULL;
		descpad = ((uint64_t)nh.descsz + 3) & ~3ULL;
		if (namepad > end - off || nh.descsz > end - off - namepad)
			return "a malformed ELF note";
		if (nh.type != SKIFF_NOTE_ENTRY64 || nh.namesz != sizeof(name) || nh.descsz != 8)
			ours = 0;
		for (unsigned i = 0; ours && i < sizeof(name); i++)
			ours = image[off + i] == (uint8_t)name[i];
		if (ours)
			copy(&out->entry64, image + off + namepad, 8);
		off += namepad + (descpad < end - off - namepad ? descpad : end - off - namepad);
	}
	return NULL;
}

const char *efi_elf_parse(const void *image, size_t len, uint64_t limit, struct efi_elf *out)
{
	const uint8_t *img = image;
	struct elf64_ehdr eh;
	const char *err;
	uint64_t exec_lo[EFI_ELF_MAX_SEGS], exec_hi[EFI_ELF_MAX_SEGS];
	unsigned nexec = 0;

	*out = (struct efi_elf){ 0 };
	if (len < sizeof(eh))
		return "shorter than an ELF header";
	copy(&eh, img, sizeof(eh));
	err = check_header(&eh, len);
	for (unsigned i = 0; !err && i < eh.phnum; i++) {
		struct elf64_phdr ph;

		copy(&ph, img + eh.phoff + (uint64_t)i * sizeof(ph), sizeof(ph));
		if (ph.type == PT_LOAD) {
			err = add_segment(&ph, len, limit, out);
			if (!err && (ph.flags & PF_X) && ph.memsz && nexec < EFI_ELF_MAX_SEGS) {
				exec_lo[nexec] = ph.paddr;
				exec_hi[nexec++] = ph.paddr + ph.memsz;
			}
		} else if (ph.type == PT_NOTE) {
			err = find_entry(img, &ph, len, out);
		}
	}
	if (err)
		return err;
	if (out->nseg == 0)
		return "no loadable segments";
	if (!out->entry64)
		return "no 64-bit entry note (not a plat/kvm image, or one built before the UEFI stub)";
	for (unsigned i = 0; i < nexec; i++)
		if (out->entry64 >= exec_lo[i] && out->entry64 < exec_hi[i])
			return NULL;
	return "the 64-bit entry is not in an executable segment";
}
