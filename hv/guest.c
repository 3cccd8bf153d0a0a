// SPDX-License-Identifier: MIT
/* The one checked accessor from guest-physical addresses to host pointers; a page-table walk. */
#include <string.h>
#include <hv/guest.h>

#define PTE_P 0x1ULL
#define PTE_W 0x2ULL
#define PTE_U 0x4ULL
#define PTE_PS 0x80ULL
#define PTE_NX (1ULL << 63)
#define PTE_ADDR 0x000ffffffffff000ULL

void *guest_ptr(const struct hv_guest *g, uint64_t gpa, uint64_t len, uint64_t align)
{
	if (align == 0 || (align & (align - 1)) || (gpa & (align - 1)))
		return NULL;
	/* gpa <= size and len <= size - gpa: no addition that could wrap. */
	if (gpa > g->size || len > g->size - gpa)
		return NULL;
	return g->mem + gpa;
}

/* Four levels, 4 KiB pages or 2 MiB / 1 GiB ones; every entry read through guest_ptr(). */
bool guest_walk(const struct hv_guest *g, uint64_t cr3, uint64_t va, struct guest_map *m)
{
	uint64_t table = cr3 & PTE_ADDR, e;

	if (va >= (1ULL << 47) && va < ~((1ULL << 47) - 1))
		return false; /* not canonical */
	*m = (struct guest_map){ .write = true, .user = true, .exec = true };
	for (int shift = 39; shift >= 12; shift -= 9) {
		const void *p = guest_ptr(g, table + 8 * ((va >> shift) & 511), 8, 8);

		if (!p)
			return false;
		memcpy(&e, p, 8);
		if (!(e & PTE_P))
			return false;
		m->write &= (e & PTE_W) != 0;
		m->user &= (e & PTE_U) != 0;
		m->exec &= !(e & PTE_NX);
		if (shift == 12 || (shift < 39 && (e & PTE_PS))) {
			m->page = 1ULL << shift;
			m->gpa = (e & PTE_ADDR & ~(m->page - 1)) + (va & (m->page - 1));
			return true;
		}
		table = e & PTE_ADDR;
	}
	return false;
}

bool guest_virt_to_phys(const struct hv_guest *g, uint64_t cr3, uint64_t va, uint64_t *gpa)
{
	struct guest_map m;

	if (!guest_walk(g, cr3, va, &m))
		return false;
	*gpa = m.gpa;
	return true;
}
