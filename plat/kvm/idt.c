// SPDX-License-Identifier: MIT
/*
 * The IDT and the C side of every trap: the LAPIC timer (which only wakes plat_idle's HLT),
 * spurious interrupts, and CPU exceptions, which end the image with the kernel's crash report.
 */
#define pr_tag "kvm"
#include <stdint.h>
#include <skiff/compiler.h>
#include <skiff/panic.h>
#include <skiff/printk.h>
#include <kvm/setup.h>
#include <kvm/x86.h>

/* Saved by traps.S, lowest address first. */
struct kvm_trapframe {
	uint64_t cr2;
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rdi, rsi, rbp, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

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

static const char *const exc_names[32] = {
	"divide error (#DE)", "debug (#DB)", "NMI", "breakpoint (#BP)", "overflow (#OF)",
	"bound range (#BR)", "invalid opcode (#UD)", "device not available (#NM)",
	"double fault (#DF)", "coprocessor overrun", "invalid TSS (#TS)",
	"segment not present (#NP)", "stack fault (#SS)", "general protection (#GP)",
	"page fault (#PF)", "reserved 15", "x87 FPU error (#MF)", "alignment check (#AC)",
	"machine check (#MC)", "SIMD FP exception (#XM)", "virtualization (#VE)",
	"control protection (#CP)",
};

static void page_fault_detail(char *buf, size_t len, uint64_t err, uint64_t cr2)
{
	const char *access = (err & 0x10) ? "instruction fetch from" : (err & 2) ? "write to" : "read from";
	const char *why = (err & 1) ? "a protected page (permission)" : "an unmapped page";

	sk_snprintf(buf, len, "%s %s: address 0x%016llx%s (error code 0x%llx)", access, why,
		    (unsigned long long)cr2, cr2 < 4096 ? ", a NULL pointer" : "",
		    (unsigned long long)err);
}

static noreturn void exception(const struct kvm_trapframe *f)
{
	struct sk_regs r = {
		.rax = f->rax, .rbx = f->rbx, .rcx = f->rcx, .rdx = f->rdx, .rsi = f->rsi,
		.rdi = f->rdi, .rbp = f->rbp, .rsp = f->rsp, .r8 = f->r8, .r9 = f->r9,
		.r10 = f->r10, .r11 = f->r11, .r12 = f->r12, .r13 = f->r13, .r14 = f->r14,
		.r15 = f->r15, .rip = f->rip, .rflags = f->rflags, .cs = f->cs, .ss = f->ss,
	};
	const char *name = exc_names[f->vector] ? exc_names[f->vector] : "reserved exception";
	char detail[160];

	if (f->vector == 14)
		page_fault_detail(detail, sizeof(detail), f->error, f->cr2);
	else
		sk_snprintf(detail, sizeof(detail), "vector %llu, error code 0x%llx",
			    (unsigned long long)f->vector, (unsigned long long)f->error);
	sk_crash(name, detail, &r, f->vector == 14 ? f->cr2 : 0);
}

void kvm_trap(struct kvm_trapframe *f);

void kvm_trap(struct kvm_trapframe *f)
{
	if (f->vector < 32)
		exception(f);
	if (f->vector == KVM_VEC_SPURIOUS)
		return;
	if (f->vector != KVM_VEC_TIMER)
		pr_warn("unexpected interrupt vector %llu\n", (unsigned long long)f->vector);
	lapic_eoi();
}
