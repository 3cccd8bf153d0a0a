/* SPDX-License-Identifier: MIT */
/* Fatal errors: sk_panic, SK_BUG_ON, and the crash report shared by every platform. */
#ifndef SKIFF_PANIC_H
#define SKIFF_PANIC_H

#include <stdint.h>
#include <stdnoreturn.h>
#include <skiff/compiler.h>

/* Exit status of an image that crashed (panic or CPU exception). Documented in the README. */
#define SK_EXIT_CRASH 127

/* The general registers of the interrupted context, as every platform's trap code reports them. */
struct sk_regs {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rip, rflags, cs, ss;
};

/* Print "PANIC: <message>", the caller's backtrace, and halt with SK_EXIT_CRASH. Always compiled in. */
noreturn void sk_panic(const char *fmt, ...) __sk_printf(1, 2);

#define SK_BUG_ON(cond)                                                             \
	do {                                                                        \
		if (sk_unlikely(cond))                                              \
			sk_panic("BUG at %s:%d: %s", __FILE__, __LINE__, #cond);    \
	} while (0)

/*
 * The crash report for a CPU exception: a headline ("CRASH: page fault (#PF) at ..."), a detail
 * line the platform already formatted (error code, fault address), the registers and a backtrace
 * from regs->rbp. fault_addr (0 if none) lets the kernel name a stack overflow when the address
 * is a thread's guard page. Then halts with SK_EXIT_CRASH. Platforms call it from trap handlers.
 */
noreturn void sk_crash(const char *what, const char *detail, const struct sk_regs *regs,
		       uintptr_t fault_addr);

/* Print a frame-pointer backtrace starting at frame pointer fp, symbolised where possible. */
void sk_backtrace(uintptr_t rip, uintptr_t fp);

/*
 * The symbol that contains addr: its name and addr's offset into it. Returns 0, or -ENOENT when
 * the image has no symbol table or addr lies outside every function.
 */
int sk_ksym_lookup(uintptr_t addr, const char **name, uintptr_t *offset);

#endif
