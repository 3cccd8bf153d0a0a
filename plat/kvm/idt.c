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
#include <kvm/irq.h>
#include <kvm/setup.h>
#include <kvm/x86.h>

static struct x86_idt_gate idt[256] __sk_aligned(16);
extern char trap_stubs[];

static unsigned ist_for(unsigned vec)
{
	/* NMI, double fault and machine check get their own stack: they can hit mid-trap. */
	return (vec == 2 || vec == 8 || vec == 18) ? 2 : 1;
}

void idt_init(void)
{
	x86_idt_init(idt, 256, trap_stubs, GDT_KCODE, ist_for);
}

void kvm_trap(struct x86_trapframe *f);

void kvm_trap(struct x86_trapframe *f)
{
	if (f->vector < 32)
		x86_exception(f);
	if (f->vector == KVM_VEC_SPURIOUS)
		return;
	if (f->vector != KVM_VEC_TIMER && !irq_dispatch((uint8_t)f->vector))
		pr_warn("unexpected interrupt vector %llu\n", (unsigned long long)f->vector);
	lapic_eoi();
}
