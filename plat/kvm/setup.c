// SPDX-License-Identifier: MIT
/* The boot sequence shared by every plat/kvm entry: CPU tables, paging, clocks, then the kernel. */
#define pr_tag "kvm"
#include <skiff/printk.h>
#include <plat-common/bootmem.h>
#include <kvm/setup.h>
#include <kvm/x86.h>

/*
 * Apps may use SSE (newlib does); the kernel never does, so this is all the FPU set-up there is:
 * x87 emulation off, SSE and its exceptions on.
 */
static void fpu_init(void)
{
	write_cr0((read_cr0() & ~(X86_CR0_EM | X86_CR0_TS)) | X86_CR0_MP | X86_CR0_NE);
	write_cr4(read_cr4() | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT);
	__asm__ __volatile__("fninit");
}

/* Usable RAM: the loader's RAM entries without low memory, the image, its page tables, the initrd. */
static void build_mem(struct kvm_boot *kb, uintptr_t pt_end)
{
	struct plat_boot_info *bi = &kb->bi;
	uint64_t initrd = (uintptr_t)bi->initrd;

	for (unsigned i = 0; i < kb->nr_map; i++) {
		if (kb->map[i].type != KVM_MEMMAP_RAM)
			continue;
		bi->ram_bytes += kb->map[i].len;
		if (bootmem_add(bi, kb->map[i].base, kb->map[i].len))
			pr_warn("memory map: too many RAM ranges, ignoring 0x%llx+0x%llx\n",
				(unsigned long long)kb->map[i].base, (unsigned long long)kb->map[i].len);
	}
	bi->main_stack = _main_stack_guard;
	bi->main_stack_size = (size_t)(_main_stack_end - _main_stack_guard);
	/* Below 1 MiB live the BIOS data, the PVH start info and the ACPI RSDP. */
	bootmem_reserve(bi, 0, 0x100000);
	bootmem_reserve(bi, (uintptr_t)_image_start, pt_end);
	if (bi->initrd)
		bootmem_reserve(bi, SK_ALIGN_DOWN(initrd, 4096),
				SK_ALIGN_UP(initrd + bi->initrd_len, 4096));
}

noreturn void kvm_setup(struct kvm_boot *kb)
{
	uintptr_t pt_end;

	console_init();
	gdt_init();
	idt_init();
	fpu_init();
	if (kb->nr_map == 0) {
		static const char msg[] = "skiff: the boot loader gave no memory map; boot with QEMU -kernel (PVH)\n";

		plat_console_write(msg, sizeof(msg) - 1);
		plat_abort("no memory map");
	}
	pt_end = paging_init(kb);
	tsc_init(kb->bi.boot_tsc);
	lapic_init();
	pr_info("TSC %llu MHz (from %s), timer: %s\n", (unsigned long long)(tsc_hz() / 1000000),
		tsc_source(), lapic_timer_mode());
	acpi_init(kb->rsdp);
	build_mem(kb, pt_end);
	kernel_main(&kb->bi);
}
