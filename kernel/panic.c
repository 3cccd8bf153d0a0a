// SPDX-License-Identifier: MIT
/* Panics and crash reports: the message, the registers, a symbolised backtrace, then halt. */
#include <stdarg.h>
#include <skiff/app.h>
#include <skiff/panic.h>
#include <skiff/plat.h>
#include <skiff/printk.h>
#include "sched.h"

#define BACKTRACE_MAX 32

static int crashing;

/*
 * What the C library still buffers (fully buffered stdout) goes out with a crash too: before a
 * panic's report, since a panic is a condition the code noticed and memory is sound; after a CPU
 * exception's, since memory may be what broke, and if flushing crashes as well, the report is
 * out already. Without a C library there is nothing to save.
 */
__sk_weak void sk_libc_crash_flush(void)
{
}

/* A second crash while reporting the first would loop or scroll the first report away. */
static void enter_crash(void)
{
	sk_console_flush();
	if (crashing++) {
		static const char msg[] = "\nnested crash while reporting a crash; stopping\n";

		plat_console_write(msg, sizeof(msg) - 1);
		plat_abort("nested crash");
	}
}

static void print_addr(const char *prefix, uintptr_t addr)
{
	const char *name;
	uintptr_t off;

	if (sk_ksym_lookup(addr, &name, &off) == 0)
		sk_printf("%s0x%016lx <%s+0x%lx>\n", prefix, (unsigned long)addr, name,
			  (unsigned long)off);
	else
		sk_printf("%s0x%016lx\n", prefix, (unsigned long)addr);
}

static void print_repeats(unsigned n)
{
	if (n)
		sk_printf("  ... the same frame %u more time%s\n", n, n == 1 ? "" : "s");
}

/*
 * Follow the %rbp chain: [rbp] = caller's rbp, [rbp+8] = return address. Runs of one return
 * address (deep recursion) print once, so the bottom of the stack stays on screen.
 */
void sk_backtrace(uintptr_t rip, uintptr_t fp)
{
	uintptr_t last = 0;
	unsigned repeats = 0;
	int shown = 1;

	sk_printf("Backtrace:\n");
	print_addr("  #0  ", rip);
	for (unsigned depth = 0; depth < 4096 && fp; depth++) {
		const uintptr_t *frame = (const uintptr_t *)fp;
		char prefix[16];

		if ((fp & 7) || !plat_addr_readable(fp, 16)) {
			print_repeats(repeats);
			sk_printf("  (frame pointer 0x%lx is not readable: stack corrupt?)\n",
				  (unsigned long)fp);
			return;
		}
		if (!frame[1])
			break;
		if (frame[1] == last) {
			repeats++;
		} else {
			print_repeats(repeats);
			repeats = 0;
			if (shown++ == BACKTRACE_MAX)
				break;
			sk_snprintf(prefix, sizeof(prefix), "  #%-2d ", shown - 1);
			print_addr(prefix, frame[1] - 1); /* the call, not the next instruction */
			last = frame[1];
		}
		if (frame[0] <= fp) /* frames grow upwards: anything else is a loop */
			break;
		fp = frame[0];
	}
	print_repeats(repeats);
}

static void print_regs(const struct sk_regs *r)
{
	sk_printf("  rax %016llx  rbx %016llx  rcx %016llx\n", (unsigned long long)r->rax,
		  (unsigned long long)r->rbx, (unsigned long long)r->rcx);
	sk_printf("  rdx %016llx  rsi %016llx  rdi %016llx\n", (unsigned long long)r->rdx,
		  (unsigned long long)r->rsi, (unsigned long long)r->rdi);
	sk_printf("  rbp %016llx  rsp %016llx  r8  %016llx\n", (unsigned long long)r->rbp,
		  (unsigned long long)r->rsp, (unsigned long long)r->r8);
	sk_printf("  r9  %016llx  r10 %016llx  r11 %016llx\n", (unsigned long long)r->r9,
		  (unsigned long long)r->r10, (unsigned long long)r->r11);
	sk_printf("  r12 %016llx  r13 %016llx  r14 %016llx\n", (unsigned long long)r->r12,
		  (unsigned long long)r->r13, (unsigned long long)r->r14);
	sk_printf("  r15 %016llx  rip %016llx  rflags %08llx\n", (unsigned long long)r->r15,
		  (unsigned long long)r->rip, (unsigned long long)r->rflags);
	sk_printf("  cs %04llx  ss %04llx\n", (unsigned long long)r->cs, (unsigned long long)r->ss);
}

static void print_thread(void)
{
	if (sk_current)
		sk_printf("In thread %u \"%s\"\n", sk_current->id, sk_current->name);
}

noreturn void sk_crash(const char *what, const char *detail, const struct sk_regs *regs,
		       uintptr_t fault_addr)
{
	struct sk_thread *victim = fault_addr ? thread_by_guard(fault_addr) : NULL;

	const char *name;
	uintptr_t off;

	enter_crash();
	if (sk_ksym_lookup(regs->rip, &name, &off) == 0)
		sk_printf("\nCRASH: %s at 0x%lx <%s+0x%lx>\n", what, (unsigned long)regs->rip, name,
			  (unsigned long)off);
	else
		sk_printf("\nCRASH: %s at 0x%lx\n", what, (unsigned long)regs->rip);
	if (detail && detail[0])
		sk_printf("  %s\n", detail);
	if (victim)
		sk_printf("  STACK OVERFLOW: thread %u \"%s\" ran past the end of its %u KiB stack\n",
			  victim->id, victim->name, thread_stack_bytes(victim) / 1024);
	print_thread();
	sk_printf("Registers:\n");
	print_regs(regs);
	sk_backtrace(regs->rip, regs->rbp);
	sk_libc_crash_flush();
	sk_printf("Halting with status %d.\n", SK_EXIT_CRASH);
	plat_halt(SK_EXIT_CRASH);
}

/*
 * The registers a panic can still tell: rbx and r12-r15 as sk_panic's first call sees them, and
 * the caller's call site (rip) and frame (rbp, rsp). Scratch registers are long gone.
 */
static __sk_noinline void panic_regs(struct sk_regs *r)
{
	const uintptr_t *self = __builtin_frame_address(0);
	const uintptr_t *panic_frame = (const uintptr_t *)self[0];

	__asm__ __volatile__("movq %%rbx, %0\n\tmovq %%r12, %1\n\tmovq %%r13, %2\n\t"
			     "movq %%r14, %3\n\tmovq %%r15, %4"
			     : "=m"(r->rbx), "=m"(r->r12), "=m"(r->r13), "=m"(r->r14), "=m"(r->r15));
	r->rip = panic_frame[1];
	r->rbp = panic_frame[0];
	r->rsp = (uintptr_t)(panic_frame + 2);
}

static void print_callee_saved(const struct sk_regs *r)
{
	sk_printf("Registers (rbx, r12-r15 as sk_panic found them; rip, rbp, rsp of its caller):\n");
	sk_printf("  rbx %016llx  rbp %016llx  rsp %016llx\n", (unsigned long long)r->rbx,
		  (unsigned long long)r->rbp, (unsigned long long)r->rsp);
	sk_printf("  r12 %016llx  r13 %016llx  r14 %016llx\n", (unsigned long long)r->r12,
		  (unsigned long long)r->r13, (unsigned long long)r->r14);
	sk_printf("  r15 %016llx  rip %016llx\n", (unsigned long long)r->r15,
		  (unsigned long long)r->rip);
}

noreturn void sk_panic(const char *fmt, ...)
{
	struct sk_regs regs = { 0 };
	va_list ap;

	panic_regs(&regs);
	enter_crash();
	sk_libc_crash_flush();
	sk_printf("\nPANIC: ");
	va_start(ap, fmt);
	sk_vprintf(fmt, ap);
	va_end(ap);
	sk_printf("\n");
	print_thread();
	print_callee_saved(&regs);
	sk_backtrace(regs.rip, regs.rbp);
	sk_printf("Halting with status %d.\n", SK_EXIT_CRASH);
	plat_halt(SK_EXIT_CRASH);
}
