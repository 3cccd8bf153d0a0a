/* SPDX-License-Identifier: MIT */
/*
 * For 64-bit boot entries reached by a far jump from 32-bit code: data segments from the GDT
 * selector sel (fs and gs null), the boot stack, and a zero frame pointer, which ends every
 * backtrace.
 */
.macro X86_BOOT64_PROLOGUE sel
	movl $\sel, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	xorl %eax, %eax
	movl %eax, %fs
	movl %eax, %gs
	leaq boot_stack_top(%rip), %rsp
	xorl %ebp, %ebp
.endm
