// SPDX-License-Identifier: MIT
/* The image loader: checks an untrusted ELF image against guest memory, then copies it in. */
#include <elf.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <hv/elf.h>

/* More program headers than any image we build has; bounds the header table we read. */
#define HV_MAX_PHDRS 64

/*
 * Every check below compares against what is left (len - off) rather than adding off + size,
 * because every field comes from the file and an addition could wrap past 2^64.
 */

__attribute__((format(printf, 3, 4)))
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* Is [off, off + size) inside a file of len bytes? */
static bool in_file(uint64_t off, uint64_t size, size_t len)
{
	return off <= len && size <= (uint64_t)len - off;
}

static int check_header(const uint8_t *buf, size_t len, Elf64_Ehdr *eh, char *err, size_t errlen)
{
	if (len < SELFMAG || memcmp(buf, ELFMAG, SELFMAG) != 0)
		return fail(err, errlen, "not an ELF file (bad magic)");
	if (len < sizeof(*eh))
		return fail(err, errlen, "file truncated: %zu bytes, the ELF header needs %zu",
			    len, sizeof(*eh));
	/* Copy out: buf need not be aligned for Elf64_Ehdr. */
	memcpy(eh, buf, sizeof(*eh));
	if (eh->e_ident[EI_CLASS] != ELFCLASS64)
		return fail(err, errlen, "ELF class %u (%s): skiff-hv runs 64-bit images",
			    eh->e_ident[EI_CLASS],
			    eh->e_ident[EI_CLASS] == ELFCLASS32 ? "32-bit" : "unknown");
	if (eh->e_ident[EI_DATA] != ELFDATA2LSB)
		return fail(err, errlen, "ELF data encoding %u (%s): skiff-hv runs little-endian images",
			    eh->e_ident[EI_DATA],
			    eh->e_ident[EI_DATA] == ELFDATA2MSB ? "big endian" : "unknown");
	if (eh->e_machine != EM_X86_64)
		return fail(err, errlen, "machine %u is not x86-64", eh->e_machine);
	if (eh->e_type != ET_EXEC)
		return fail(err, errlen, "ELF type %u is not ET_EXEC: skiff-hv loads static, "
			    "non-PIE executables at their link addresses", eh->e_type);
	/* The table is read as an array of Elf64_Phdr, so its stride must be exactly that. */
	if (eh->e_phentsize != sizeof(Elf64_Phdr))
		return fail(err, errlen, "program header size %u, expected %zu",
			    eh->e_phentsize, sizeof(Elf64_Phdr));
	if (eh->e_phnum == 0)
		return fail(err, errlen, "no program headers: nothing to load");
	if (eh->e_phnum > HV_MAX_PHDRS)
		return fail(err, errlen, "%u program headers, at most %d supported",
			    eh->e_phnum, HV_MAX_PHDRS);
	if (eh->e_phoff > len)
		return fail(err, errlen, "file truncated: program headers start at byte %llu of %zu",
			    (unsigned long long)eh->e_phoff, len);
	/* phoff <= len and the table is at most 64 * 56 bytes, so the sum cannot wrap. */
	if (!in_file(eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr), len))
		return fail(err, errlen, "file truncated: program headers end at byte %llu of %zu",
			    (unsigned long long)(eh->e_phoff + eh->e_phnum * sizeof(Elf64_Phdr)), len);
	return 0;
}

/* Check PT_LOAD header i (phdr index, as readelf -l numbers them) and append it to img. */
static int add_segment(const Elf64_Phdr *ph, unsigned i, size_t len, uint64_t mem_size,
		       struct hv_image *img, unsigned *phidx, char *err, size_t errlen)
{
	uint64_t start = ph->p_paddr, end;

	if (ph->p_memsz < ph->p_filesz)
		return fail(err, errlen, "segment %u memsz 0x%llx is smaller than filesz 0x%llx", i,
			    (unsigned long long)ph->p_memsz, (unsigned long long)ph->p_filesz);
	/* Zero-size segments occupy nothing; the linker emits them for empty sections. */
	if (ph->p_memsz == 0)
		return 0;
	/* The monitor's page tables map guest-virtual to the same guest-physical address. */
	if (ph->p_vaddr != ph->p_paddr)
		return fail(err, errlen, "segment %u is linked at 0x%llx but loads at 0x%llx: skiff-hv "
			    "maps guest-virtual = guest-physical, link with VMA = LMA", i,
			    (unsigned long long)ph->p_vaddr, (unsigned long long)ph->p_paddr);
	if (ph->p_filesz && !in_file(ph->p_offset, ph->p_filesz, len))
		return fail(err, errlen, "segment %u file bytes (offset 0x%llx, size 0x%llx) extend "
			    "past the end of the file (%zu bytes)", i,
			    (unsigned long long)ph->p_offset, (unsigned long long)ph->p_filesz, len);
	if (ph->p_memsz > UINT64_MAX - start)
		return fail(err, errlen, "segment %u at 0x%llx with memsz 0x%llx wraps the address space",
			    i, (unsigned long long)start, (unsigned long long)ph->p_memsz);
	end = start + ph->p_memsz;
	if (start < HV_IMAGE_MIN)
		return fail(err, errlen, "segment %u starts at 0x%llx, below 0x%llx which the monitor uses",
			    i, (unsigned long long)start, HV_IMAGE_MIN);
	if (end > mem_size)
		return fail(err, errlen, "segment %u ends at 0x%llx beyond guest memory (0x%llx bytes): "
			    "give more --mem", i, (unsigned long long)end, (unsigned long long)mem_size);
	for (unsigned k = 0; k < img->nseg; k++) {
		const struct hv_segment *s = &img->seg[k];

		/* Both ends were checked not to wrap when s was added. */
		if (start < s->paddr + s->memsz && s->paddr < end)
			return fail(err, errlen, "segment %u [0x%llx, 0x%llx) overlaps segment %u", i,
				    (unsigned long long)start, (unsigned long long)end, phidx[k]);
	}
	if (img->nseg == HV_MAX_SEGMENTS)
		return fail(err, errlen, "more than %d loadable segments", HV_MAX_SEGMENTS);
	phidx[img->nseg] = i;
	img->seg[img->nseg++] = (struct hv_segment){
		.paddr = start, .memsz = ph->p_memsz, .filesz = ph->p_filesz,
		.offset = ph->p_offset, .flags = ph->p_flags,
	};
	if (end > img->end)
		img->end = end;
	return 0;
}

/* Take the manifest out of one note whose name and type say it is ours. */
static int take_manifest(const uint8_t *desc, uint32_t descsz, unsigned i, struct hv_image *img,
			 char *err, size_t errlen)
{
	if (descsz != sizeof(img->manifest))
		return fail(err, errlen, "segment %u: Skiff manifest note has %u bytes, expected %zu "
			    "(image built for another skiff-hv ABI?)", i, descsz, sizeof(img->manifest));
	if (img->has_manifest)
		return fail(err, errlen, "segment %u: a second Skiff manifest note", i);
	memcpy(&img->manifest, desc, sizeof(img->manifest));
	img->has_manifest = true;
	return 0;
}

/* Walk the notes of PT_NOTE header i: a packed run of Elf64_Nhdr, name, desc, each 4-byte padded. */
static int walk_notes(const uint8_t *buf, size_t len, const Elf64_Phdr *ph, unsigned i,
		      struct hv_image *img, char *err, size_t errlen)
{
	static const char name[] = SKIFF_HV_NOTE_NAME;
	const uint8_t *p;
	uint64_t left;
	Elf64_Nhdr nh;

	/* Empty: its offset may be anything, so do not even form buf + offset. */
	if (ph->p_filesz == 0)
		return 0;
	if (!in_file(ph->p_offset, ph->p_filesz, len))
		return fail(err, errlen, "note segment %u (offset 0x%llx, size 0x%llx) extends past the "
			    "end of the file (%zu bytes)", i, (unsigned long long)ph->p_offset,
			    (unsigned long long)ph->p_filesz, len);
	p = buf + ph->p_offset;
	left = ph->p_filesz;
	while (left > 0) {
		uint64_t namepad, descpad;

		if (left < sizeof(nh))
			return fail(err, errlen, "malformed note in segment %u: %llu stray bytes at the end",
				    i, (unsigned long long)left);
		memcpy(&nh, p, sizeof(nh));
		p += sizeof(nh);
		left -= sizeof(nh);
		/* The sizes are 32-bit, so padding them in 64 bits cannot wrap. */
		namepad = ((uint64_t)nh.n_namesz + 3) & ~3ULL;
		descpad = ((uint64_t)nh.n_descsz + 3) & ~3ULL;
		if (namepad > left || nh.n_descsz > left - namepad)
			return fail(err, errlen, "malformed note in segment %u: name size %u and desc size "
				    "%u overrun the segment", i, nh.n_namesz, nh.n_descsz);
		if (nh.n_type == SKIFF_HV_NOTE_MANIFEST && nh.n_namesz == sizeof(name) &&
		    memcmp(p, name, sizeof(name)) == 0 &&
		    take_manifest(p + namepad, nh.n_descsz, i, img, err, errlen) < 0)
			return -1;
		/* Tolerate a last note whose desc padding the segment leaves out. */
		if (descpad > left - namepad)
			descpad = left - namepad;
		p += namepad + descpad;
		left -= namepad + descpad;
	}
	return 0;
}

static int check_entry(struct hv_image *img, char *err, size_t errlen)
{
	for (unsigned k = 0; k < img->nseg; k++) {
		const struct hv_segment *s = &img->seg[k];

		if ((s->flags & PF_X) && img->entry >= s->paddr && img->entry - s->paddr < s->memsz)
			return 0;
	}
	return fail(err, errlen, "entry point 0x%llx is not in an executable segment",
		    (unsigned long long)img->entry);
}

int hv_elf_parse(const uint8_t *buf, size_t len, uint64_t mem_size, struct hv_image *img,
		 char *err, size_t errlen)
{
	unsigned phidx[HV_MAX_SEGMENTS];
	Elf64_Ehdr eh;
	Elf64_Phdr ph;

	memset(img, 0, sizeof(*img));
	if (check_header(buf, len, &eh, err, errlen) < 0)
		return -1;
	img->entry = eh.e_entry;
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		memcpy(&ph, buf + eh.e_phoff + (uint64_t)i * sizeof(ph), sizeof(ph));
		if (ph.p_type == PT_LOAD && add_segment(&ph, i, len, mem_size, img, phidx,
							err, errlen) < 0)
			return -1;
		if (ph.p_type == PT_NOTE && walk_notes(buf, len, &ph, i, img, err, errlen) < 0)
			return -1;
		/* Anything else (PT_GNU_STACK, PT_PHDR, ...) means nothing to this monitor. */
	}
	if (img->nseg == 0)
		return fail(err, errlen, "no loadable segments");
	return check_entry(img, err, errlen);
}

/* "0x1 (block), 0x2 (net)": the device bits in mask, named. */
static void device_names(uint32_t mask, char *out, size_t n)
{
	static const char *const names[] = { "block", "net" };
	size_t len = 0;

	out[0] = '\0';
	for (unsigned b = 0; b < 32 && len < n; b++) {
		if (!(mask & (1u << b)))
			continue;
		len += (size_t)snprintf(out + len, n - len, "%s0x%x (%s)", len ? ", " : "", 1u << b,
					b < 2 ? names[b] : "unknown");
	}
	if (!out[0])
		snprintf(out, n, "none");
}

int hv_elf_check_manifest(const struct hv_image *img, uint32_t known_devices, char *err, size_t errlen)
{
	const struct hv_manifest *m = &img->manifest;
	char asked[96], known[96];

	if (!img->has_manifest)
		return fail(err, errlen, "not a skiff-hv image (no Skiff manifest note); build it with "
			    "Skiff's plat/kvm");
	if (m->abi_version != SKIFF_HV_ABI_VERSION)
		return fail(err, errlen, "built for skiff-hv ABI %u, this skiff-hv speaks ABI %d: rebuild "
			    "the image (make) or use a matching skiff-hv", m->abi_version,
			    SKIFF_HV_ABI_VERSION);
	/* An image must not start as if it had a device the monitor cannot give it. */
	if (m->devices & ~known_devices) {
		device_names(m->devices & ~known_devices, asked, sizeof(asked));
		device_names(known_devices, known, sizeof(known));
		return fail(err, errlen, "the manifest asks for devices %s that this skiff-hv cannot give "
			    "(it has %s): rebuild the image without them or use a newer skiff-hv",
			    asked, known);
	}
	for (unsigned i = 0; i < img->nseg; i++) {
		const struct hv_segment *s = &img->seg[i];
		uint64_t t = m->trap_entry;

		if ((s->flags & PF_X) && t >= s->paddr && t - s->paddr <= s->memsz &&
		    s->memsz - (t - s->paddr) >= 256 * 16)
			return 0;
	}
	return fail(err, errlen, "manifest trap stubs at 0x%llx are not inside executable code",
		    (unsigned long long)m->trap_entry);
}

void hv_elf_load(const uint8_t *buf, const struct hv_image *img, uint8_t *mem)
{
	for (unsigned k = 0; k < img->nseg; k++) {
		const struct hv_segment *s = &img->seg[k];

		/* A segment with no file bytes may carry any offset: do not form buf + offset. */
		if (s->filesz)
			memcpy(mem + s->paddr, buf + s->offset, s->filesz);
		/* The bss is already zero: writing it would only fault in pages the guest may never use. */
	}
}
