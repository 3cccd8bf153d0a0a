// SPDX-License-Identifier: MIT
/* The kernel's page allocator and heap on host memory, for unit tests of code that allocates. */
#include <stdbool.h>
#include <stdlib.h>
#include <skiff/heap.h>
#include "unit.h"

#define RAM_SIZE (16UL << 20)
#define RAM_ALIGN (4UL << 20)

bool unit_kernel_ram(void)
{
	static bool done;
	void *ram;

	if (done)
		return false;
	ram = aligned_alloc(RAM_ALIGN, RAM_SIZE);
	if (!ram)
		abort();
	sk_pmem_init(&sk_pmem_kernel);
	if (sk_pmem_add_region(&sk_pmem_kernel, (uintptr_t)ram, RAM_SIZE))
		abort();
	sk_heap_init(&sk_heap_kernel, &sk_pmem_kernel);
	done = true;
	return true;
}
