/* SPDX-License-Identifier: MIT */
/* The x86_64 trap frame the platforms' assembly stubs build, and the crash report made from it. */
#ifndef PLAT_COMMON_X86_TRAP_H
#define PLAT_COMMON_X86_TRAP_H

#include <stdint.h>
#include <stdnoreturn.h>

/* Saved by the platforms' trap stubs, lowest address first. */
struct x86_trapframe {
	uint64_t cr2;
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rdi, rsi, rbp, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU (or Xen) */
};

/* One 64-bit IDT entry: a present, DPL-0 interrupt gate (IF cleared on entry). */
struct x86_idt_gate {
	uint16_t off_lo;
	uint16_t sel;
	uint8_t ist;
	uint8_t type;
	uint16_t off_mid;
	uint32_t off_hi;
	uint32_t reserved;
} __attribute__((packed));

/* Fill idt[0, n) with gates to stubs + 16 * vector (stub tables are 16 bytes a vector) on the
 * code selector sel, each with the IST index ist(vector) (NULL: no IST), and load it. */
void x86_idt_init(struct x86_idt_gate *idt, unsigned n, const char *stubs, uint16_t sel,
		  unsigned (*ist)(unsigned vector));

/* A CPU exception (vector < 32) as the kernel's crash report; never returns. */
noreturn void x86_exception(const struct x86_trapframe *f);

#endif
