/* SPDX-License-Identifier: MIT */
/*
 * CPU exception and interrupt entry. Two tables of 256 stubs, 16 bytes apart, one per world:
 *   trap_stubs     QEMU: IDT built by idt.c; trap_common calls kvm_trap(frame) at CPL 0.
 *   hv_trap_stubs  skiff-hv: IDT built by the monitor, entered at CPL 0 on the monitor's IST
 *                  stack; hv_trap_common saves the same frame and drops to CPL 3 to run
 *                  kvm_trap(frame) there, because under skiff-hv the image's code runs at CPL 3
 *                  (on a software nested hypervisor, CPL 0 code is emulated instruction by
 *                  instruction and cannot run SSE code).
 * Each stub pushes a zero error code where the CPU pushes none, then the vector. The frame is
 * struct x86_trapframe: cr2, r15 ... rax, vector, error, then the CPU's rip, cs, rflags, rsp, ss.
 */

#include <plat-common/x86_save.S.h>

#define USER_CS 0x23
#define USER_SS 0x1b
#define RFLAGS_USER 0x0002	/* IOPL 0, interrupts off: the TSS I/O bitmap opens the hypercall ports */

.macro STUBS common
	vec = 0
	.rept 256
	.balign 16
	/* Vectors 8, 10-14, 17, 21, 29 and 30 come with an error code from the CPU. */
	.if (vec == 8) || (vec >= 10 && vec <= 14) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
	.else
	pushq $0
	.endif
	pushq $vec
	jmp \common
	vec = vec + 1
	.endr
.endm

.macro SAVE_FRAME
	X86_PUSH_REGS
	movq %cr2, %rax
	pushq %rax
	cld
.endm

	.section .text
	.balign 16
	.globl trap_stubs
trap_stubs:
	STUBS trap_common

trap_common:
	SAVE_FRAME
	movq %rsp, %rdi
	call kvm_trap
	addq $8, %rsp		/* cr2 */
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

	.balign 16
	.globl hv_trap_stubs
hv_trap_stubs:
	STUBS hv_trap_common

/*
 * No return from here: skiff-hv images only take exceptions, and every exception ends the image.
 * The CPL 3 code gets the frame in %rdi and a stack just below it (the IST stack is user memory).
 */
hv_trap_common:
	cmpq $6, (%rsp)			/* #UD ... */
	jne 1f
	pushq %rax
	leaq hv_invlpg_request(%rip), %rax
	cmpq %rax, 24(%rsp)		/* ... at hv_invlpg_request: a request, not a crash */
	popq %rax
	je hv_invlpg
1:	SAVE_FRAME
	movq %rsp, %rdi
	leaq -256(%rsp), %rax
	andq $-16, %rax
	pushq $USER_SS
	pushq %rax
	pushq $RFLAGS_USER
	pushq $USER_CS
	leaq hv_trap_user(%rip), %rax
	pushq %rax
	iretq

hv_trap_user:
	xorl %ebp, %ebp
	call kvm_trap
	ud2

/*
 * invlpg is privileged, and a software nested hypervisor delivers no software interrupt from
 * CPL 3, only exceptions. So CPL-3 code asks for invlpg of the page at %rdi by calling
 * hv_invlpg_request, whose ud2 enters hv_trap_common at CPL 0, which comes here and resumes after
 * the ud2.
 */
	.globl hv_invlpg_request
hv_invlpg_request:		/* void hv_invlpg_request(uintptr_t va) */
	ud2
	ret

hv_invlpg:
	invlpg (%rdi)
	addq $16, %rsp		/* vector and error code */
	addq $2, (%rsp)		/* rip: past the ud2 */
	iretq
