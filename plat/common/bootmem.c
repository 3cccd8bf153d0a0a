// SPDX-License-Identifier: MIT
/* The usable-RAM list every platform builds before kernel_main: sorted, merged, holes cut out. */
#include <errno.h>
#include <string.h>
#include <plat-common/bootmem.h>

static void remove_at(struct plat_boot_info *bi, unsigned i)
{
	memmove(&bi->mem[i], &bi->mem[i + 1], (bi->nr_mem - i - 1) * sizeof(bi->mem[0]));
	bi->nr_mem--;
}

static int insert_at(struct plat_boot_info *bi, unsigned i, uint64_t base, uint64_t len)
{
	if (bi->nr_mem == PLAT_MAX_MEM_REGIONS)
		return -ENOSPC;
	memmove(&bi->mem[i + 1], &bi->mem[i], (bi->nr_mem - i) * sizeof(bi->mem[0]));
	bi->mem[i].base = base;
	bi->mem[i].len = len;
	bi->nr_mem++;
	return 0;
}

/* Merge mem[i] with the ranges after it that overlap or touch it. */
static void merge_forward(struct plat_boot_info *bi, unsigned i)
{
	while (i + 1 < bi->nr_mem) {
		struct plat_mem_region *a = &bi->mem[i], *b = &bi->mem[i + 1];
		uint64_t a_end = a->base + a->len, b_end = b->base + b->len;

		if (b->base > a_end)
			break;
		if (b_end > a_end)
			a->len = b_end - a->base;
		remove_at(bi, i + 1);
	}
}

int bootmem_add(struct plat_boot_info *bi, uint64_t base, uint64_t len)
{
	unsigned i = 0;
	int err;

	if (len == 0)
		return 0;
	if (base + len < base)
		return -EINVAL;
	while (i < bi->nr_mem && bi->mem[i].base < base)
		i++;
	/* The range before may reach into the new one: start merging from there. */
	if (i > 0 && bi->mem[i - 1].base + bi->mem[i - 1].len >= base) {
		struct plat_mem_region *p = &bi->mem[i - 1];

		if (base + len > p->base + p->len)
			p->len = base + len - p->base;
		merge_forward(bi, i - 1);
		return 0;
	}
	/* The range after may start inside or right at the end of the new one: grow it, no slot. */
	if (i < bi->nr_mem && bi->mem[i].base <= base + len) {
		struct plat_mem_region *n = &bi->mem[i];
		uint64_t end = base + len, n_end = n->base + n->len;

		n->base = base;
		n->len = (end > n_end ? end : n_end) - base;
		merge_forward(bi, i);
		return 0;
	}
	err = insert_at(bi, i, base, len);
	if (err)
		return err;
	merge_forward(bi, i);
	return 0;
}

int bootmem_reserve(struct plat_boot_info *bi, uint64_t start, uint64_t end)
{
	if (end <= start)
		return 0;
	for (unsigned i = 0; i < bi->nr_mem; i++) {
		struct plat_mem_region *r = &bi->mem[i];
		uint64_t r_end = r->base + r->len;

		if (end <= r->base || start >= r_end)
			continue;
		if (start <= r->base && end >= r_end) { /* whole range goes */
			remove_at(bi, i--);
		} else if (start <= r->base) { /* cut the head */
			r->len = r_end - end;
			r->base = end;
		} else if (end >= r_end) { /* cut the tail */
			r->len = start - r->base;
		} else { /* hole in the middle: split */
			r->len = start - r->base;
			if (insert_at(bi, i + 1, end, r_end - end))
				return -ENOSPC;
			i++;
		}
	}
	return 0;
}

uint64_t bootmem_total(const struct plat_boot_info *bi)
{
	uint64_t sum = 0;

	for (unsigned i = 0; i < bi->nr_mem; i++)
		sum += bi->mem[i].len;
	return sum;
}
