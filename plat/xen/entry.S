/* SPDX-License-Identifier: MIT */
/*
 * A Xen PV guest's entry: the ELF notes the domain builder reads, the hypercall page it fills,
 * the start (64-bit, guest kernel mode, %rsi = start_info), and the exception stubs the trap
 * table points at. Xen delivers a PV exception with %rcx and %r11 pushed above the usual frame;
 * the stubs restore them so the C side sees the same frame as on KVM.
 */
#include <xen/elfnote.h>
#include <plat-common/x86_boot.S.h>
#include <plat-common/x86_save.S.h>

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
2:	NOTE(XEN_ELFNOTE_PHYS32_ENTRY, 1f, 2f)
1:	.long xen_pvh_start32
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

/*
 * PVH (xl type="pvh"): 32-bit protected mode, paging off, %ebx = struct hvm_start_info. Switch
 * to long mode on an identity map of the first 4 GiB (2 MiB pages: RAM and the special pages Xen
 * puts below 4 GiB), then C at CPL 0.
 */
	.code32
	.globl xen_pvh_start32
xen_pvh_start32:
	cld
	movl %ebx, pvh_start_info
	rdtsc
	movl %eax, pvh_tsc
	movl %edx, pvh_tsc + 4
	movl $pvh_pdpt + 3, pvh_pml4
	xorl %ecx, %ecx
1:	movl %ecx, %eax
	shll $12, %eax
	addl $pvh_pd + 3, %eax
	movl %eax, pvh_pdpt(, %ecx, 8)
	incl %ecx
	cmpl $4, %ecx
	jne 1b
	xorl %ecx, %ecx
2:	movl %ecx, %eax
	shll $21, %eax
	orl $0x83, %eax			/* present, writable, 2 MiB */
	movl %eax, pvh_pd(, %ecx, 8)
	incl %ecx
	cmpl $2048, %ecx
	jne 2b
	movl $pvh_pml4, %eax
	movl %eax, %cr3
	movl %cr4, %eax
	orl $0x620, %eax		/* PAE, OSFXSR, OSXMMEXCPT: apps use SSE */
	movl %eax, %cr4
	movl $0xc0000080, %ecx
	rdmsr
	orl $0x900, %eax		/* LME, NXE */
	wrmsr
	movl %cr0, %eax
	andl $~0xc, %eax		/* no x87 emulation, no task-switched trap */
	orl $0x80000023, %eax		/* PG, NE, MP, PE */
	movl %eax, %cr0
	lgdt pvh_gdt_ptr
	ljmp $0x08, $xen_pvh_start64

	.code64
xen_pvh_start64:
	X86_BOOT64_PROLOGUE 0x10
	fninit
	movl pvh_start_info(%rip), %edi
	movq pvh_tsc(%rip), %rsi
	call xen_pvh_main
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

/*
 * The event upcall (PV). Xen delivers it only inside plat_idle's SCHEDOP_block, the one place
 * event delivery is unmasked, and masks it again on entry. Its work is to end the block: the
 * handlers run afterwards in thread context. So it just returns, with a native iretq to guest
 * kernel mode (ring 3: CS and SS need RPL 3).
 */
	.globl xen_event_upcall
xen_event_upcall:
	movq (%rsp), %rcx
	movq 8(%rsp), %r11
	addq $16, %rsp
	orb $3, 8(%rsp)
	orb $3, 32(%rsp)
	iretq

/* Xen could not load a segment while returning to us: nothing sensible is left to do. */
	.globl xen_failsafe_upcall
xen_failsafe_upcall:
	ud2

/* PVH exceptions come through our own IDT at CPL 0, with the plain CPU frame. */
.macro HVMSTUB vec
	.balign 16
	.if (\vec == 8) || (\vec >= 10 && \vec <= 14) || (\vec == 17)
	.else
	pushq $0
	.endif
	pushq $\vec
	jmp xen_hvm_trap_common
.endm

	.balign 16
	.globl xen_hvm_trap_stubs
xen_hvm_trap_stubs:
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19
	HVMSTUB \v
	.endr

xen_hvm_trap_common:
	X86_PUSH_REGS
	movq %cr2, %rax
	pushq %rax
	movq %rsp, %rdi
	andq $-16, %rsp
	call xen_trap
	ud2

/* The frame matches struct kvm-style trapframe: cr2 slot (filled from vcpu_info in C), regs, vector. */
xen_trap_common:
	X86_PUSH_REGS
	pushq $0		/* cr2 */
	movq %rsp, %rdi
	andq $-16, %rsp
	call xen_trap
	ud2

	.section .rodata
	.balign 8
pvh_gdt:
	.quad 0
	.quad 0x00af9a000000ffff	/* 0x08: 64-bit code */
	.quad 0x00cf92000000ffff	/* 0x10: data */
pvh_gdt_end:
pvh_gdt_ptr:
	.word pvh_gdt_end - pvh_gdt - 1
	.long pvh_gdt

	.section .data
	.balign 8
pvh_start_info:
	.quad 0
pvh_tsc:
	.quad 0

	.section .bss
	.balign 4096
pvh_pml4:
	.skip 4096
pvh_pdpt:
	.skip 4096
	.globl pvh_pd
pvh_pd:
	.skip 4 * 4096
	.balign 16
boot_stack:
	.skip 32768
	.globl boot_stack_top
boot_stack_top:
