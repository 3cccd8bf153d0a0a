/* SPDX-License-Identifier: MIT */
/*
 * Hypercalls of an x86_64 PV guest: a call into the hypercall page Xen filled in (32 bytes per
 * hypercall), arguments in rdi, rsi, rdx, r10, r8; rcx and r11 are clobbered.
 */
#ifndef XEN_PLAT_HYPERCALL_H
#define XEN_PLAT_HYPERCALL_H

#include <stdint.h>
#include <xen/xen.h>
#include <xen/event_channel.h>
#include <xen/grant_table.h>
#include <xen/memory.h>
#include <xen/sched.h>
#include <xen/vcpu.h>

extern char hypercall_page[4096];

static inline long hcall2(unsigned nr, unsigned long a1, unsigned long a2)
{
	long r;
	register unsigned long rdi __asm__("rdi") = a1, rsi __asm__("rsi") = a2;

	__asm__ __volatile__("call *%[fn]"
			     : "=a"(r), "+r"(rdi), "+r"(rsi)
			     : [fn] "r"(hypercall_page + nr * 32)
			     : "rcx", "r11", "rdx", "r10", "r8", "memory");
	return r;
}

static inline long hcall3(unsigned nr, unsigned long a1, unsigned long a2, unsigned long a3)
{
	long r;
	register unsigned long rdi __asm__("rdi") = a1, rsi __asm__("rsi") = a2,
				       rdx __asm__("rdx") = a3;

	__asm__ __volatile__("call *%[fn]"
			     : "=a"(r), "+r"(rdi), "+r"(rsi), "+r"(rdx)
			     : [fn] "r"(hypercall_page + nr * 32)
			     : "rcx", "r11", "r10", "r8", "memory");
	return r;
}

static inline long hcall4(unsigned nr, unsigned long a1, unsigned long a2, unsigned long a3,
			  unsigned long a4)
{
	long r;
	register unsigned long rdi __asm__("rdi") = a1, rsi __asm__("rsi") = a2,
				       rdx __asm__("rdx") = a3, r10 __asm__("r10") = a4;

	__asm__ __volatile__("call *%[fn]"
			     : "=a"(r), "+r"(rdi), "+r"(rsi), "+r"(rdx), "+r"(r10)
			     : [fn] "r"(hypercall_page + nr * 32)
			     : "rcx", "r11", "r8", "memory");
	return r;
}

static inline long hyp_sched_op(int cmd, void *arg)
{
	return hcall2(__HYPERVISOR_sched_op, (unsigned long)cmd, (unsigned long)arg);
}

static inline long hyp_event_channel_op(int cmd, void *arg)
{
	return hcall2(__HYPERVISOR_event_channel_op, (unsigned long)cmd, (unsigned long)arg);
}

static inline long hyp_mmu_update(mmu_update_t *req, unsigned n)
{
	return hcall4(__HYPERVISOR_mmu_update, (unsigned long)req, n, 0, DOMID_SELF);
}

static inline long hyp_update_va_mapping(unsigned long va, uint64_t pte, unsigned long flags)
{
	return hcall3(__HYPERVISOR_update_va_mapping, va, pte, flags);
}

static inline long hyp_set_timer_op(uint64_t deadline)
{
	return hcall2(__HYPERVISOR_set_timer_op, deadline, 0);
}

static inline long hyp_grant_table_op(unsigned cmd, void *arg, unsigned count)
{
	return hcall3(__HYPERVISOR_grant_table_op, cmd, (unsigned long)arg, count);
}

static inline long hyp_set_trap_table(const struct trap_info *t)
{
	return hcall2(__HYPERVISOR_set_trap_table, (unsigned long)t, 0);
}

static inline long hyp_mmuext_op(struct mmuext_op *op, unsigned n)
{
	return hcall4(__HYPERVISOR_mmuext_op, (unsigned long)op, n, 0, DOMID_SELF);
}

static inline void notify_port(evtchn_port_t port)
{
	struct evtchn_send s = { .port = port };

	hyp_event_channel_op(EVTCHNOP_send, &s);
}

#endif
