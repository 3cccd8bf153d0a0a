/* SPDX-License-Identifier: MIT */
/*
 * One 16-byte stub per vector (trap_stubs + 16 * vector). Each pushes a zero error code where the
 * CPU pushes none, then the vector, and joins trap_common, which saves the general registers as a
 * struct kvm_trapframe and calls kvm_trap(frame).
 */

	.section .text
	.balign 16
	.globl trap_stubs
trap_stubs:
	vec = 0
	.rept 256
	.balign 16
	/* Vectors 8, 10-14, 17, 21, 29 and 30 come with an error code from the CPU. */
	.if (vec == 8) || (vec >= 10 && vec <= 14) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
	.else
	pushq $0
	.endif
	pushq $vec
	jmp trap_common
	vec = vec + 1
	.endr

trap_common:
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
	cld
	movq %rsp, %rdi
	call kvm_trap
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rdi
	popq %rsi
	popq %rbp
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	addq $16, %rsp		/* vector and error code */
	iretq
