// SPDX-License-Identifier: MIT
/* The one checked accessor from guest-physical addresses to host pointers. */
#include <hv/guest.h>

void *guest_ptr(const struct hv_guest *g, uint64_t gpa, uint64_t len, uint64_t align)
{
	if (align == 0 || (align & (align - 1)) || (gpa & (align - 1)))
		return NULL;
	/* gpa <= size and len <= size - gpa: no addition that could wrap. */
	if (gpa > g->size || len > g->size - gpa)
		return NULL;
	return g->mem + gpa;
}
