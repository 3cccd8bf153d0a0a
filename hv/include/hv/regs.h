/* SPDX-License-Identifier: MIT */
/* The vCPU's registers as both backends show them to the rest of the monitor. */
#ifndef HV_REGS_H
#define HV_REGS_H

#include <stdint.h>

/* The general registers, rip and rflags in struct kvm_regs's order; then what gdb and crash dumps show. */
struct hv_regs {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rip, rflags;
	uint64_t cr2, cr3, efer;
	uint16_t cs, ss;
};

#endif
