/* SPDX-License-Identifier: MIT */
/*
 * A Xen PV guest's entry: the ELF notes the domain builder reads, the hypercall page it fills,
 * the start (64-bit, guest kernel mode, %rsi = start_info), and the exception stubs the trap
 * table points at. Xen delivers a PV exception with %rcx and %r11 pushed above the usual frame;
 * the stubs restore them so the C side sees the same frame as on KVM.
 */
#include <xen/elfnote.h>

#define NOTE(type, desc_start, desc_end)	\
	.balign 4;				\
	.long 4;				\
	.long desc_end - desc_start;		\
	.long type;				\
	.asciz "Xen";				\
	.balign 4

	.section .note.Xen, "a", @note
	NOTE(XEN_ELFNOTE_GUEST_OS, 1f, 2f)
1:	.asciz "Skiff"
2:	NOTE(XEN_ELFNOTE_GUEST_VERSION, 1f, 2f)
1:	.asciz "0.1"
2:	NOTE(XEN_ELFNOTE_XEN_VERSION, 1f, 2f)
1:	.asciz "xen-3.0"
2:	NOTE(XEN_ELFNOTE_LOADER, 1f, 2f)
1:	.asciz "generic"
2:	NOTE(XEN_ELFNOTE_VIRT_BASE, 1f, 2f)
1:	.quad 0
2:	NOTE(XEN_ELFNOTE_PADDR_OFFSET, 1f, 2f)
1:	.quad 0
2:	NOTE(XEN_ELFNOTE_ENTRY, 1f, 2f)
1:	.quad xen_start
2:	NOTE(XEN_ELFNOTE_HYPERCALL_PAGE, 1f, 2f)
1:	.quad hypercall_page
2:	NOTE(XEN_ELFNOTE_FEATURES, 1f, 2f)
1:	.asciz "!writable_page_tables"
2:	.balign 4

	.section .text.boot, "ax"
	.code64
	.globl xen_start
xen_start:
	cld
	leaq boot_stack_top(%rip), %rsp
	xorl %ebp, %ebp
	movq %rsi, %rdi		/* start_info */
	rdtsc
	shlq $32, %rdx
	orq %rdx, %rax
	movq %rax, %rsi
	call xen_main
	ud2

	/* Xen writes one 32-byte stub per hypercall here before the guest starts. */
	.balign 4096
	.globl hypercall_page
hypercall_page:
	.skip 4096

/* Vectors 8, 10-14 and 17 come with an error code. */
.macro STUB vec
	.globl xen_trap_\vec
xen_trap_\vec:
	movq (%rsp), %rcx
	movq 8(%rsp), %r11
	addq $16, %rsp
	.if (\vec == 8) || (\vec >= 10 && \vec <= 14) || (\vec == 17)
	.else
	pushq $0
	.endif
	pushq $\vec
	jmp xen_trap_common
.endm

	.text
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19
	STUB \v
	.endr

/* The frame matches struct kvm-style trapframe: cr2 slot (filled from vcpu_info in C), regs, vector. */
xen_trap_common:
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
	pushq $0		/* cr2 */
	movq %rsp, %rdi
	andq $-16, %rsp
	call xen_trap
	ud2

	.section .bss
	.balign 16
boot_stack:
	.skip 32768
	.globl boot_stack_top
boot_stack_top:
