/* SPDX-License-Identifier: MIT */
/*
 * For assembly trap entries: push the general registers so that, with CR2 pushed last, the stack
 * holds a struct x86_trapframe (plat-common/x86_trap.h) above the vector and error code.
 */
.macro X86_PUSH_REGS
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rbp
	pushq %rsi
	pushq %rdi
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
.endm
