/* SPDX-License-Identifier: MIT */
/*
 * Entry points of a plat/kvm image; which one runs tells the image which world it is in.
 * - QEMU (-kernel, any machine type) finds the 32-bit PVH entry through the Xen PVH ELF note:
 *   protected mode, paging off, %ebx = struct hvm_start_info. This code switches to long mode on
 *   boot page tables that identity map the first 1 GiB and calls kvm_pvh_main(start_info, tsc).
 * - skiff-hv starts the ELF entry point, hv_start64, in long mode at CPL 3 with %rdi = struct
 *   hv_boot_info (include/skiff/hv_abi.h), and finds the image's needs in the Skiff manifest note.
 * - The UEFI stub (plat/efi) finds efi_start64 through the Skiff ENTRY64 note and enters it in
 *   long mode at CPL 0 on the firmware's identity map, %rdi = struct hvm_start_info, %rsi = the
 *   stub's first TSC, %rdx = struct skiff_entry64_info (include/skiff/entry64.h). It moves to
 *   the same boot tables as the PVH entry and calls kvm_efi_main(start_info, tsc, info).
 */
#include <generated/autoconf.h>
#include <skiff/hv_abi.h>
#include <skiff/entry64.h>
#include <kvm/x86.h>
#include <plat-common/x86_boot.S.h>

#ifdef CONFIG_SK_BLK
#define MANIFEST_BLK HV_DEV_BLK
#else
#define MANIFEST_BLK 0
#endif
#ifdef CONFIG_SK_NET
#define MANIFEST_NET HV_DEV_NET
#else
#define MANIFEST_NET 0
#endif
#define MANIFEST_DEVICES (MANIFEST_BLK | MANIFEST_NET)

#define XEN_ELFNOTE_PHYS32_ENTRY 18
#define PTE_P 0x1
#define PTE_W 0x2
#define PTE_PS 0x80

	.section .note.Xen, "a", @note
	.balign 4
	.long 4			/* name size */
	.long 4			/* descriptor size */
	.long XEN_ELFNOTE_PHYS32_ENTRY
	.asciz "Xen"
	.balign 4
	.long pvh_start32
	.balign 4

	.section .note.skiff, "a", @note
	.balign 4
	.long 6			/* name size: "Skiff" and its NUL */
	.long 16		/* descriptor size: struct hv_manifest */
	.long SKIFF_HV_NOTE_MANIFEST
	.asciz "Skiff"
	.balign 4
	.long SKIFF_HV_ABI_VERSION
	.long MANIFEST_DEVICES
	.quad hv_trap_stubs
	.balign 4

	.balign 4
	.long 6			/* name size */
	.long 8			/* descriptor size: the entry's address */
	.long SKIFF_NOTE_ENTRY64
	.asciz "Skiff"
	.balign 4
	.quad efi_start64
	.balign 4

	.section .text.boot, "ax"
	.code64
	.globl hv_start64
hv_start64:
	rdtsc
	shlq $32, %rdx
	orq %rdx, %rax
	movq %rax, %rsi
	leaq boot_stack_top(%rip), %rsp
	xorl %ebp, %ebp
	call kvm_hv_main	/* %rdi: the boot info, from the monitor */
	ud2

	/*
	 * The firmware's page tables map everything, but they and its GDT live in memory the image
	 * now owns: build the boot tables (in .bss, which the loader zeroed), switch to them and to
	 * the boot GDT before touching anything else. The code runs at its identity address in
	 * both maps. NXE for the data mappings to come; CR4.PAE and EFER.LME are on already.
	 */
	.globl efi_start64
efi_start64:
	cli
	cld
	movq %rdi, %r12			/* start info: callee-saved across the loop */
	movq %rsi, %r13			/* the loader's TSC */
	movq %rdx, %r14			/* struct skiff_entry64_info, or 0 */
	leaq boot_pdpt + (PTE_P | PTE_W)(%rip), %rax
	movq %rax, boot_pml4(%rip)
	leaq boot_pd + (PTE_P | PTE_W)(%rip), %rax
	movq %rax, boot_pdpt(%rip)
	leaq boot_pd(%rip), %rdi
	xorl %ecx, %ecx
1:	movq %rcx, %rax
	shlq $21, %rax
	orq $(PTE_P | PTE_W | PTE_PS), %rax
	movq %rax, (%rdi, %rcx, 8)
	incl %ecx
	cmpl $512, %ecx
	jne 1b
	movl $MSR_EFER, %ecx
	rdmsr
	orl $EFER_NXE, %eax
	wrmsr
	leaq boot_stack_top(%rip), %rsp	/* the firmware's stack may lie above 1 GiB */
	leaq boot_pml4(%rip), %rax
	movq %rax, %cr3
	lgdt boot_gdt_ptr64(%rip)
	leaq 2f(%rip), %rax
	pushq $GDT_KCODE
	pushq %rax
	lretq
2:	X86_BOOT64_PROLOGUE GDT_KDATA
	movq %r12, %rdi
	movq %r13, %rsi
	movq %r14, %rdx
	call kvm_efi_main
	ud2

	.code32
	.globl pvh_start32
pvh_start32:
	cld
	movl %ebx, boot_start_info	/* start_info paddr; %ebx's upper half is undefined later */
	rdtsc
	movl %eax, boot_tsc
	movl %edx, boot_tsc + 4

	/* PML4[0] -> PDPT, PDPT[0] -> PD, PD[i] = i * 2 MiB: the first 1 GiB, writable. */
	movl $boot_pdpt + (PTE_P | PTE_W), boot_pml4
	movl $boot_pd + (PTE_P | PTE_W), boot_pdpt
	xorl %ecx, %ecx
1:	movl %ecx, %eax
	shll $21, %eax
	orl $(PTE_P | PTE_W | PTE_PS), %eax
	movl %eax, boot_pd(, %ecx, 8)
	incl %ecx
	cmpl $512, %ecx
	jne 1b

	movl $boot_pml4, %eax
	movl %eax, %cr3
	movl %cr4, %eax
	orl $X86_CR4_PAE, %eax
	movl %eax, %cr4
	movl $MSR_EFER, %ecx
	rdmsr
	orl $(EFER_LME | EFER_NXE), %eax
	wrmsr
	movl %cr0, %eax
	orl $(X86_CR0_PG | X86_CR0_PE), %eax
	movl %eax, %cr0
	lgdt boot_gdt_ptr
	ljmp $GDT_KCODE, $pvh_start64

	.code64
pvh_start64:
	X86_BOOT64_PROLOGUE GDT_KDATA
	movl boot_start_info(%rip), %edi
	movq boot_tsc(%rip), %rsi
	call kvm_pvh_main
	ud2

	.section .rodata
	.balign 8
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff	/* 0x08: 64-bit code, DPL 0 */
	.quad 0x00cf92000000ffff	/* 0x10: data, DPL 0 */
boot_gdt_end:
boot_gdt_ptr:
	.word boot_gdt_end - boot_gdt - 1
	.long boot_gdt
	.balign 8
boot_gdt_ptr64:			/* lgdt in long mode reads a 64-bit base */
	.word boot_gdt_end - boot_gdt - 1
	.quad boot_gdt

	.section .data
	.balign 8
boot_start_info:
	.quad 0
	.globl boot_tsc
boot_tsc:
	.quad 0

	/*
	 * The main thread's stack, in a segment of its own after a page that no segment covers:
	 * link.lds leaves that page out, skiff-hv and paging.c never map it, so it is a guard from
	 * the first instruction, and the kernel needs no allocation, mapping or TLB flush for main.
	 */
	.section .mainstack, "aw", @nobits
	.balign 4096
	.globl main_stack_base
main_stack_base:
	.skip CONFIG_SK_THREAD_STACK_KIB * 1024

	.section .bss
	.balign 4096
boot_pml4:
	.skip 4096
boot_pdpt:
	.skip 4096
boot_pd:
	.skip 4096
	.balign 16
	.globl boot_stack_top
boot_stack:
	.skip 16384
boot_stack_top:
