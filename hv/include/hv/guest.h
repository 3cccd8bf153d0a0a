/* SPDX-License-Identifier: MIT */
/*
 * Guest memory and the ONE checked accessor. Nothing in skiff-hv turns a guest address into a
 * host pointer any other way: every address the guest sends goes through guest_ptr().
 */
#ifndef HV_GUEST_H
#define HV_GUEST_H

#include <stdalign.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hv_guest {
	uint8_t *mem;	/* host mapping of guest-physical [0, size) */
	uint64_t size;
};

/*
 * A host pointer to guest bytes [gpa, gpa + len), or NULL when any of them lies outside guest
 * memory, the range wraps, or gpa is not a multiple of align (a power of two). len 0 is allowed
 * (a valid empty range inside memory).
 */
void *guest_ptr(const struct hv_guest *g, uint64_t gpa, uint64_t len, uint64_t align);

/* A translation by the guest's page tables, permissions combined over every level as the CPU does. */
struct guest_map {
	uint64_t gpa;		/* of va itself */
	uint64_t page;		/* the size of the page that maps it: 4 KiB, 2 MiB or 1 GiB */
	bool write, user, exec;
};

/*
 * Walk the guest's own page tables (root at cr3) for virtual address va; false when va is not
 * canonical or not mapped, or a table lies outside guest memory. The mapped address itself is not
 * checked against guest memory: callers check what they touch with guest_ptr().
 */
bool guest_walk(const struct hv_guest *g, uint64_t cr3, uint64_t va, struct guest_map *m);

/*
 * The guest-physical address the guest's page tables map va to (guest_walk). The debugger and
 * the process backend use it: the hypercall ABI speaks guest-physical addresses.
 */
bool guest_virt_to_phys(const struct hv_guest *g, uint64_t cr3, uint64_t va, uint64_t *gpa);

/* A typed guest struct: NULL unless the whole struct is inside memory and naturally aligned. */
#define GUEST_STRUCT(g, gpa, type) ((type *)guest_ptr((g), (gpa), sizeof(type), alignof(type)))

#endif
