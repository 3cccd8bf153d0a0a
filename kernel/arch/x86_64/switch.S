/* SPDX-License-Identifier: MIT */
/*
 * Cooperative context switch. Threads switch only inside a function call, so the SysV ABI already
 * makes the caller save every scratch register, all XMM registers and the x87 stack: only the
 * callee-saved registers, MXCSR's control bits and the x87 control word remain. No FXSAVE needed.
 */

	.text
/* void sk_arch_switch(uint64_t *save_rsp, uint64_t load_rsp) */
	.globl sk_arch_switch
	.type sk_arch_switch, @function
sk_arch_switch:
	pushq %rbp
	movq %rsp, %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	subq $8, %rsp
	stmxcsr (%rsp)
	fnstcw 4(%rsp)
	movq %rsp, (%rdi)
	movq %rsi, %rsp
	ldmxcsr (%rsp)
	fldcw 4(%rsp)
	addq $8, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret
	.size sk_arch_switch, . - sk_arch_switch

/*
 * A new thread's first "return" from sk_arch_switch lands here with the entry function in %rbx
 * (set up by sk_arch_init_stack). %rbp is 0 so backtraces stop at the thread's first frame.
 */
	.globl sk_arch_thread_start
	.type sk_arch_thread_start, @function
sk_arch_thread_start:
	xorl %ebp, %ebp
	call *%rbx
	ud2
	.size sk_arch_thread_start, . - sk_arch_thread_start

/* No executable stack (the host unit-test build links this file without --noexecstack). */
	.section .note.GNU-stack,"",@progbits
