// SPDX-License-Identifier: MIT
/*
 * The IDT and the C side of every trap: the LAPIC timer (which only wakes plat_idle's HLT),
 * spurious interrupts, and CPU exceptions, which end the image with the kernel's crash report
 * (plat/common/x86_trap.c).
 */
#define pr_tag "kvm"
#include <stdint.h>
#include <skiff/compiler.h>
#include <skiff/panic.h>
#include <skiff/printk.h>
#include <plat-common/x86_trap.h>
#include <kvm/setup.h>
#include <kvm/x86.h>

struct idt_gate {
	uint16_t off_lo;
	uint16_t sel;
	uint8_t ist;
	uint8_t type;
	uint16_t off_mid;
	uint32_t off_hi;
	uint32_t reserved;
} __sk_packed;

_Static_assert(sizeof(struct idt_gate) == 16, "IDT gate layout");

static struct idt_gate idt[256] __sk_aligned(16);
extern char trap_stubs[];

#define GATE_INTERRUPT 0x8e /* present, DPL 0, 64-bit interrupt gate: IF cleared on entry */

static unsigned ist_for(unsigned vec)
{
	/* NMI, double fault and machine check get their own stack: they can hit mid-trap. */
	return (vec == 2 || vec == 8 || vec == 18) ? 2 : 1;
}

void idt_init(void)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __sk_packed p = { sizeof(idt) - 1, (uintptr_t)idt };

	for (unsigned v = 0; v < 256; v++) {
		uintptr_t h = (uintptr_t)trap_stubs + 16 * v;

		idt[v] = (struct idt_gate){ .off_lo = h & 0xffff, .sel = GDT_KCODE, .ist = ist_for(v),
					    .type = GATE_INTERRUPT, .off_mid = (h >> 16) & 0xffff,
					    .off_hi = h >> 32 };
	}
	__asm__ __volatile__("lidt %0" : : "m"(p));
}

void kvm_trap(struct x86_trapframe *f);

void kvm_trap(struct x86_trapframe *f)
{
	if (f->vector < 32)
		x86_exception(f);
	if (f->vector == KVM_VEC_SPURIOUS)
		return;
	if (f->vector != KVM_VEC_TIMER)
		pr_warn("unexpected interrupt vector %llu\n", (unsigned long long)f->vector);
	lapic_eoi();
}
