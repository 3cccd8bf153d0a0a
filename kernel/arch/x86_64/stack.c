// SPDX-License-Identifier: MIT
/* The initial stack of a new thread, laid out as sk_arch_switch expects to find it. */
#include <stdint.h>
#include "../../sched.h"

void sk_arch_thread_start(void);

#define MXCSR_DEFAULT 0x1f80u /* all SSE exceptions masked, round to nearest */
#define FCW_DEFAULT 0x037fu   /* x87: all exceptions masked, 64-bit precision */

uint64_t sk_arch_init_stack(void *stack_top, void (*entry)(void))
{
	uint64_t *sp = (uint64_t *)((uintptr_t)stack_top & ~15ULL);

	/*
	 * The switch pops the 8 words below and returns, leaving %rsp at stack_top: 16-byte aligned
	 * at the call in sk_arch_thread_start, so entry starts with %rsp = 8 mod 16, as the ABI wants
	 * at any function entry. (A padding word here would misalign every thread's stack.)
	 */
	*--sp = (uintptr_t)sk_arch_thread_start; /* return address */
	*--sp = 0;				/* rbp */
	*--sp = (uintptr_t)entry;		/* rbx: the entry function */
	*--sp = 0;				/* r12 */
	*--sp = 0;				/* r13 */
	*--sp = 0;				/* r14 */
	*--sp = 0;				/* r15 */
	*--sp = (uint64_t)FCW_DEFAULT << 32 | MXCSR_DEFAULT;
	return (uintptr_t)sp;
}
