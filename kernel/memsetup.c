// SPDX-License-Identifier: MIT
/* Hands the platform's RAM list to the page allocator and starts the kernel heap. */
#define pr_tag "mem"
#include <skiff/app.h>
#include <skiff/config.h>
#include <skiff/heap.h>
#include <skiff/plat.h>
#include <skiff/printk.h>
#include "memsetup.h"

/* The least an image needs to reach main(): its stack plus room for the heap to start. */
#define HEAP_RESERVE (64 * 1024)

static uint64_t need_bytes(void)
{
	return ((uint64_t)SK_PAGE_SIZE << sk_page_order((size_t)CONFIG_SK_THREAD_STACK_KIB * 1024)) +
	       HEAP_RESERVE;
}

int memsetup(const struct plat_boot_info *bi)
{
	uint64_t free_bytes;

	sk_pmem_init(&sk_pmem_kernel);
	for (unsigned i = 0; i < bi->nr_mem; i++)
		if (sk_pmem_add_region(&sk_pmem_kernel, (uintptr_t)bi->mem[i].base, bi->mem[i].len))
			pr_warn("ignoring RAM at 0x%llx (+%llu KiB): too many regions\n",
				(unsigned long long)bi->mem[i].base,
				(unsigned long long)bi->mem[i].len / 1024);
	free_bytes = (uint64_t)sk_pmem_kernel.free_pages * SK_PAGE_SIZE;
	if (free_bytes < need_bytes()) {
		pr_err("not enough memory: %llu KiB of %llu KiB RAM is free for the kernel, this image "
		       "needs at least %llu KiB more; give the machine more memory (QEMU -m)\n",
		       (unsigned long long)free_bytes / 1024, (unsigned long long)bi->ram_bytes / 1024,
		       (unsigned long long)(need_bytes() - free_bytes + 1023) / 1024);
		return -1;
	}
	sk_heap_init(&sk_heap_kernel, &sk_pmem_kernel);
	pr_debug("%llu KiB free of %llu KiB RAM\n", (unsigned long long)free_bytes / 1024,
		 (unsigned long long)bi->ram_bytes / 1024);
	return 0;
}
