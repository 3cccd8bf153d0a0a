// SPDX-License-Identifier: MIT
/* CPU exceptions, named and explained, handed to the kernel's crash report (KVM and Xen alike). */
#include <skiff/panic.h>
#include <skiff/printk.h>
#include <plat-common/x86_trap.h>

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

_Static_assert(sizeof(struct x86_idt_gate) == 16, "IDT gate layout");

void x86_idt_init(struct x86_idt_gate *idt, unsigned n, const char *stubs, uint16_t sel,
		  unsigned (*ist)(unsigned vector))
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) p = { (uint16_t)(n * sizeof(*idt) - 1), (uintptr_t)idt };

	for (unsigned v = 0; v < n; v++) {
		uintptr_t h = (uintptr_t)stubs + 16 * v;

		idt[v] = (struct x86_idt_gate){ .off_lo = h & 0xffff, .sel = sel,
						.ist = (uint8_t)(ist ? ist(v) : 0), .type = 0x8e,
						.off_mid = (h >> 16) & 0xffff, .off_hi = (uint32_t)(h >> 32) };
	}
	__asm__ __volatile__("lidt %0" : : "m"(p));
}

noreturn void x86_exception(const struct x86_trapframe *f)
{
	struct sk_regs r = {
		.rax = f->rax, .rbx = f->rbx, .rcx = f->rcx, .rdx = f->rdx, .rsi = f->rsi,
		.rdi = f->rdi, .rbp = f->rbp, .rsp = f->rsp, .r8 = f->r8, .r9 = f->r9,
		.r10 = f->r10, .r11 = f->r11, .r12 = f->r12, .r13 = f->r13, .r14 = f->r14,
		.r15 = f->r15, .rip = f->rip, .rflags = f->rflags, .cs = f->cs, .ss = f->ss,
	};
	const char *name = f->vector < 32 && exc_names[f->vector] ? exc_names[f->vector] :
			   "reserved exception";
	char detail[160];

	if (f->vector == 14)
		page_fault_detail(detail, sizeof(detail), f->error, f->cr2);
	else
		sk_snprintf(detail, sizeof(detail), "vector %llu, error code 0x%llx",
			    (unsigned long long)f->vector, (unsigned long long)f->error);
	sk_crash(name, detail, &r, f->vector == 14 ? f->cr2 : 0);
}
