/* SPDX-License-Identifier: MIT */
/*
 * The process backend: the guest runs in this process, at its guest-physical addresses, at
 * CPL 3 as under KVM. Every "exit" is a signal: an OUT to a hypercall port is a #GP (SIGSEGV),
 * a fault is a fault. The signal handler decodes it, serves it with the shared hypercall code or
 * delivers the exception to the image's own trap stubs, and returns to the guest.
 *
 *   proc.c       set-up: the memfd, the monitor's view of it, the guest's view at its own
 *                addresses, the TSC rate, the registers at entry; the backend's operations
 *   proc_mem.c   the guest's view kept in step with its page tables (lazy mappings, invlpg)
 *   proc_trap.c  the signal handlers: what each signal means, exception delivery
 *   proc_insn.c  the few instructions the monitor emulates (I/O, CR reads, invlpg, iretq, cpuid)
 */
#ifndef HV_PROC_H
#define HV_PROC_H

#include <stdbool.h>
#include <stdint.h>
#include <hv/regs.h>

/* The lowest guest address the process maps: Linux's default vm.mmap_min_addr. */
#define HV_PROC_LOW 0x10000ULL

struct hv;

struct hv_proc {
	int memfd;		/* guest RAM; the monitor's view is hv->guest.mem */
	uint64_t span;		/* guest addresses [HV_PROC_LOW, span): RAM, then the stack alias */
	struct hv_regs regs;	/* the guest's registers while a signal is served, or before it runs */
	uint64_t cr3;		/* the guest's page tables (it cannot change CR3) */
	unsigned vcpl;		/* 0 while the image's CPL-0 trap stubs run (emulated), else 3 */
	bool started;		/* the guest has run its first instruction */
	bool debug, step;	/* gdb: int3 and single steps stop the guest; TF on */
	bool in_stub;		/* stepping through a trap stub, to emulate its iretq */
	uint64_t last_fault;	/* the page of the last fault mapped in: a second one there is real */
	int depth;		/* the trap handler's nesting: a fault at depth > 0 is our own */
	uint64_t monitor_fs;	/* our TLS base, put back on every signal (the guest can change FS) */
	uint64_t cal_tsc, cal_ns; /* the TSC and the clock when the backend was created */
};

/* proc.c: measure the TSC's rate (since creation) and put it in the boot info. */
void hv_proc_tsc_rate(struct hv *hv);
/* A poll's timeout in the guest's nanoseconds, in the host clock's (by the rate over the run). */
uint64_t hv_proc_host_ns(struct hv *hv, uint64_t guest_ns);

/* proc_mem.c */
int hv_proc_map_guest(struct hv *hv);
/*
 * A page fault at va (err: the CPU's error code): if the guest's page tables allow the access,
 * map the page (and its neighbours) and return true, so the instruction runs again.
 */
bool hv_proc_fault_in(struct hv *hv, uint64_t va, uint64_t err);
/* The guest flushed va: make our view of that page match its page tables again. */
void hv_proc_invlpg(struct hv *hv, uint64_t va);
/*
 * Read or write guest virtual memory as the CPU would at CPL 0: through the guest's page tables
 * (present, and writable for a write). false when a page is not.
 */
bool hv_proc_read(struct hv *hv, uint64_t va, void *buf, unsigned len);
bool hv_proc_write(struct hv *hv, uint64_t va, const void *buf, unsigned len);

/* proc_trap.c */
int hv_proc_seal(struct hv *hv);	/* signal handlers, before the seccomp filter */
int hv_proc_run(struct hv *hv);
/* Deliver exception vector (with an error code when has_err) as the CPU would. */
void hv_proc_deliver(struct hv *hv, unsigned vector, bool has_err, uint64_t err);

/*
 * proc_insn.c: emulate the instruction at regs->rip after a #GP (SIGSEGV from a privileged or I/O
 * instruction). Returns true when it was one of ours (served, or ended the guest); false when
 * the guest gets the #GP.
 */
bool hv_proc_emulate(struct hv *hv);
/* In a CPL-0 stub, after a step or an emulated instruction: emulate the stub's iretq if it is next. */
void hv_proc_step_stub(struct hv *hv);
/* The instruction bytes at the guest's rip (fewer at the end of mapped code); their count. */
unsigned hv_proc_fetch(struct hv *hv, uint64_t rip, uint8_t insn[16]);

#endif
