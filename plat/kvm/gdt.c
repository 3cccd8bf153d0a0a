// SPDX-License-Identifier: MIT
/*
 * The GDT and the TSS. The TSS exists for its interrupt stacks: every trap runs on a known-good
 * IST stack, so a kernel stack overflow or a corrupt %rsp still gives a crash report.
 */
#include <stdint.h>
#include <skiff/compiler.h>
#include <kvm/setup.h>
#include <kvm/x86.h>

struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __sk_packed;

_Static_assert(sizeof(struct tss) == 104, "TSS layout");

#define IST_STACK_SIZE 16384

static uint8_t ist_stack[2][IST_STACK_SIZE] __sk_aligned(16);
static struct tss tss;
static uint64_t gdt[5] __sk_aligned(16);

struct gdt_ptr {
	uint16_t limit;
	uint64_t base;
} __sk_packed;

static void set_tss_descriptor(void)
{
	uint64_t base = (uintptr_t)&tss, limit = sizeof(tss) - 1;

	/* A 16-byte system descriptor: type 9 (available 64-bit TSS), present. */
	gdt[3] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ULL << 40) |
		 ((limit >> 16 & 0xf) << 48) | ((base >> 24 & 0xff) << 56);
	gdt[4] = base >> 32;
}

void gdt_init(void)
{
	struct gdt_ptr p = { sizeof(gdt) - 1, (uintptr_t)gdt };

	gdt[1] = 0x00af9a000000ffffULL; /* GDT_KCODE: 64-bit code, DPL 0 */
	gdt[2] = 0x00cf92000000ffffULL; /* GDT_KDATA */
	tss.ist[0] = (uintptr_t)&ist_stack[0][IST_STACK_SIZE]; /* IST1: exceptions, interrupts */
	tss.ist[1] = (uintptr_t)&ist_stack[1][IST_STACK_SIZE]; /* IST2: NMI, #DF, #MC */
	tss.iomap_base = sizeof(tss);	/* no I/O bitmap */
	set_tss_descriptor();

	/* Reload CS with a far return, then the data segments and the task register. */
	__asm__ __volatile__("lgdt %0\n\t"
			     "pushq %1\n\t"
			     "leaq 1f(%%rip), %%rax\n\t"
			     "pushq %%rax\n\t"
			     "lretq\n"
			     "1:\n\t"
			     "movl %2, %%eax\n\t"
			     "movl %%eax, %%ds\n\t"
			     "movl %%eax, %%es\n\t"
			     "movl %%eax, %%ss\n\t"
			     "movw %3, %%ax\n\t"
			     "ltr %%ax"
			     :
			     : "m"(p), "i"(GDT_KCODE), "i"(GDT_KDATA), "i"(GDT_TSS)
			     : "rax", "memory");
}
