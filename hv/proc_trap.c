// SPDX-License-Identifier: MIT
/*
 * The process backend's run: the guest's code runs in this thread, and every signal it raises is
 * what an exit is under KVM. The handler copies the guest's registers out of the signal frame
 * (hv->proc.regs, where the shared code and the gdb stub read and change them), serves the
 * signal, and returns into the guest with the registers put back:
 *   SIGSEGV #GP   an I/O instruction (a hypercall), or a privileged one in a CPL-0 trap stub:
 *                 emulated (proc_insn.c); anything else is the guest's #GP
 *   SIGSEGV #PF   a page the guest's tables map but this process had not: mapped
 *                 (proc_mem.c); otherwise the guest's #PF
 *   SIGTRAP       a step through a trap stub (to emulate its iretq), gdb's int3 or step, or the
 *                 guest's own #BP / #DB
 *   SIGSYS        a system call from guest code, which seccomp refused: the #UD (SYSCALL) or
 *                 #GP (int $0x80) the guest would get under KVM
 *   others        SIGILL, SIGFPE, SIGBUS: the CPU's exception, delivered to the guest
 * Exceptions go to the image's own stubs through its IDT, on the stack its TSS names, as the CPU
 * delivers them; the stub then runs at an emulated CPL 0 one step at a time until its iretq.
 *
 * Every signal handler runs on an alternate stack: the guest's %rsp is the guest's. Each one
 * first puts back our TLS base (%fs), which the guest can change. SIGINT, SIGTERM and SIGIO are
 * held back while a signal is served, except where the monitor waits (ppoll with
 * hv_wait_mask()); when they interrupt the guest itself they are served at once.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>
#include <asm/prctl.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <hv/hv.h>

#define ALTSTACK_SIZE (256 * 1024)
#define RFLAGS_TF 0x100ULL
#define RFLAGS_IF 0x200ULL
#define RFLAGS_NT 0x4000ULL
#define RFLAGS_RF 0x10000ULL
#define HWCAP2_FSGSBASE_BIT (1u << 1)

static struct hv *the_hv;
static bool have_fsgsbase;
static _Alignas(16) uint8_t altstack[ALTSTACK_SIZE];

/* The guest's first instruction comes from a signal's return: this ud2 raises that signal. */
void hv_proc_enter(void);
__asm__(".pushsection .text\n"
	".globl hv_proc_enter\n"
	".type hv_proc_enter, @function\n"
	"hv_proc_enter:\n"
	"\tud2\n"
	"\tud2\n"
	".size hv_proc_enter, . - hv_proc_enter\n"
	".popsection");

/*
 * Our %fs base (glibc's TLS: errno, the stack protector) back, before any code that uses it runs.
 * The guest can change it (a segment load into %fs). Setting it is a system call that writes an
 * MSR, slow in a VM, so first look: %fs:0 is the TCB's pointer to itself, our base, unless %fs
 * was changed. If the base is not even mapped, the probe faults: on_sync sees that fault at
 * hv_fs_probe and resumes at hv_fs_probe_end, and the value read stays 0.
 */
extern const char hv_fs_probe[], hv_fs_probe_end[];

__attribute__((noinline, no_stack_protector))
static uint64_t fs_self(void)
{
	uint64_t v = 0;

	__asm__ __volatile__(".globl hv_fs_probe\n"
			     "hv_fs_probe:\n\t"
			     "movq %%fs:0, %0\n"
			     ".globl hv_fs_probe_end\n"
			     "hv_fs_probe_end:"
			     : "+r"(v) : : "memory");
	return v;
}

__attribute__((no_stack_protector))
static void set_fs(uint64_t fs)
{
	long ret;

	if (have_fsgsbase) {
		__asm__ __volatile__("wrfsbase %0" : : "r"(fs) : "memory");
		return;
	}
	__asm__ __volatile__("syscall"
			     : "=a"(ret)
			     : "a"((long)SYS_arch_prctl), "D"((long)ARCH_SET_FS), "S"(fs)
			     : "rcx", "r11", "memory");
	(void)ret;
}

static inline __attribute__((always_inline)) void restore_fs(void)
{
	uint64_t fs = the_hv->proc.monitor_fs;

	if (fs_self() != fs)
		set_fs(fs);
}

/* The probe in restore_fs faulted (this signal's rip): the base was bogus; put ours back. */
static inline __attribute__((always_inline)) bool fs_probe_fault(greg_t *g)
{
	if (g[REG_RIP] != (greg_t)(uintptr_t)hv_fs_probe)
		return false;
	set_fs(the_hv->proc.monitor_fs);
	g[REG_RIP] = (greg_t)(uintptr_t)hv_fs_probe_end;
	return true;
}

static void from_uc(struct hv_regs *r, const mcontext_t *m)
{
	const greg_t *g = m->gregs;

	r->rax = (uint64_t)g[REG_RAX];
	r->rbx = (uint64_t)g[REG_RBX];
	r->rcx = (uint64_t)g[REG_RCX];
	r->rdx = (uint64_t)g[REG_RDX];
	r->rsi = (uint64_t)g[REG_RSI];
	r->rdi = (uint64_t)g[REG_RDI];
	r->rsp = (uint64_t)g[REG_RSP];
	r->rbp = (uint64_t)g[REG_RBP];
	r->r8 = (uint64_t)g[REG_R8];
	r->r9 = (uint64_t)g[REG_R9];
	r->r10 = (uint64_t)g[REG_R10];
	r->r11 = (uint64_t)g[REG_R11];
	r->r12 = (uint64_t)g[REG_R12];
	r->r13 = (uint64_t)g[REG_R13];
	r->r14 = (uint64_t)g[REG_R14];
	r->r15 = (uint64_t)g[REG_R15];
	r->rip = (uint64_t)g[REG_RIP];
	/* The process always runs with IF set; the guest's vCPU has interrupts off. */
	r->rflags = ((uint64_t)g[REG_EFL] & ~RFLAGS_IF) | 0x2;
}

static void to_uc(mcontext_t *m, const struct hv_regs *r, bool tf)
{
	greg_t *g = m->gregs;

	g[REG_RAX] = (greg_t)r->rax;
	g[REG_RBX] = (greg_t)r->rbx;
	g[REG_RCX] = (greg_t)r->rcx;
	g[REG_RDX] = (greg_t)r->rdx;
	g[REG_RSI] = (greg_t)r->rsi;
	g[REG_RDI] = (greg_t)r->rdi;
	g[REG_RSP] = (greg_t)r->rsp;
	g[REG_RBP] = (greg_t)r->rbp;
	g[REG_R8] = (greg_t)r->r8;
	g[REG_R9] = (greg_t)r->r9;
	g[REG_R10] = (greg_t)r->r10;
	g[REG_R11] = (greg_t)r->r11;
	g[REG_R12] = (greg_t)r->r12;
	g[REG_R13] = (greg_t)r->r13;
	g[REG_R14] = (greg_t)r->r14;
	g[REG_R15] = (greg_t)r->r15;
	g[REG_RIP] = (greg_t)r->rip;
	g[REG_EFL] = (greg_t)((r->rflags & ~RFLAGS_TF) | RFLAGS_IF | (tf ? RFLAGS_TF : 0));
}

static void triple_fault(struct hv *hv)
{
	hv_stop(hv, SKIFF_HV_EXIT_GUEST_FAULT,
		"guest fault: triple fault (an exception the guest could not handle); registers:");
	hv_dump_regs(hv);
}

/* One delivery through the guest's IDT and TSS; false when the CPU could not (no gate, bad stack). */
static bool deliver_once(struct hv *hv, unsigned vector, bool has_err, uint64_t err)
{
	struct hv_proc *p = &hv->proc;
	struct hv_regs *r = &p->regs;
	const uint8_t *gate = guest_ptr(&hv->guest, HV_IDT + 16ULL * vector, 16, 8);
	const uint8_t *tss = guest_ptr(&hv->guest, HV_TSS, 104, 8);
	uint64_t handler, sp, frame[6];
	uint32_t high;
	unsigned n = 0, ist;

	if (vector > 255 || !gate || !tss || !(gate[5] & 0x80) || (gate[5] & 0x0e) != 0x0e)
		return false;
	memcpy(&high, gate + 8, 4);
	handler = (uint64_t)high << 32 | (uint64_t)gate[7] << 24 | (uint64_t)gate[6] << 16 |
		  (uint64_t)gate[1] << 8 | gate[0];
	ist = gate[4] & 7;
	memcpy(&sp, tss + (ist ? 36 + 8 * (ist - 1) : 4), 8); /* an IST slot, else rsp0 */
	if (!ist && p->vcpl == 0)
		sp = r->rsp;
	sp &= ~15ULL;
	if (has_err)
		frame[n++] = err;
	frame[n++] = r->rip;
	frame[n++] = p->vcpl == 3 ? HV_SEL_UCODE : HV_SEL_KCODE;
	frame[n++] = r->rflags & ~(RFLAGS_TF | RFLAGS_RF);
	frame[n++] = r->rsp;
	frame[n++] = p->vcpl == 3 ? HV_SEL_UDATA : 0;
	sp -= 8ULL * n;
	if (!hv_proc_write(hv, sp, frame, 8 * n))
		return false;
	r->rsp = sp;
	r->rip = handler;
	r->rflags &= ~(RFLAGS_TF | RFLAGS_RF | RFLAGS_NT);
	r->cs = HV_SEL_KCODE;
	r->ss = 0;
	p->vcpl = 0;
	p->in_stub = true; /* stepped until its iretq */
	return true;
}

void hv_proc_deliver(struct hv *hv, unsigned vector, bool has_err, uint64_t err)
{
	if (!deliver_once(hv, vector, has_err, err) && !deliver_once(hv, 8 /* #DF */, true, 0))
		triple_fault(hv);
}

static bool has_error_code(unsigned v)
{
	return v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21 || v == 29 || v == 30;
}

static void gdb_stop(struct hv *hv)
{
	if (!hv_gdb_handle_exit(hv, SIGTRAP))
		hv_stop(hv, SKIFF_HV_EXIT_GUEST_FAULT, "debugger detached or killed the guest");
}

/* A #PF: the page mapped in (the guest runs the access again), or the guest's own fault. */
static void page_fault(struct hv *hv, uint64_t addr, uint64_t err, uint64_t again)
{
	struct hv_proc *p = &hv->proc;
	struct guest_map m;
	bool present;

	if (again != (addr & ~4095ULL) + 1 && hv_proc_fault_in(hv, addr, err))
		return;
	present = guest_walk(&hv->guest, p->cr3, addr, &m);
	p->regs.cr2 = addr;
	hv_proc_deliver(hv, 14, true, (present ? 0x1 : 0) | (err & 0x2) | (p->vcpl == 3 ? 0x4 : 0) |
				      (err & 0x10));
}

static void debug_trap(struct hv *hv, unsigned trapno)
{
	struct hv_proc *p = &hv->proc;

	if (p->in_stub) {
		hv_proc_step_stub(hv);
	} else if (trapno == 3 && p->debug) {
		if (hv_gdb_breakpoint_at(p->regs.rip - 1))
			p->regs.rip--; /* gdb wants rip on the breakpoint, as KVM reports it */
		gdb_stop(hv);
	} else if (trapno == 1 && p->debug && p->step) {
		gdb_stop(hv);
	} else {
		hv_proc_deliver(hv, trapno == 3 ? 3 : 1, false, 0); /* the guest's own int3 or TF */
	}
}

/* seccomp refused a system call from guest code; rip is past the instruction. */
static void guest_syscall(struct hv *hv, const siginfo_t *si)
{
	struct hv_regs *r = &hv->proc.regs;
	uint8_t b[2] = { 0, 0 };

	hv_proc_read(hv, r->rip - 2, b, 2);
	if (b[0] == 0xcd && b[1] == 0x80) {
		r->rip -= 2;
		hv_proc_deliver(hv, 13, true, 0x80 * 8 + 2); /* int $0x80 through a DPL-0 gate */
	} else if (b[0] == 0x0f && (b[1] == 0x05 || b[1] == 0x34)) {
		r->rip -= 2;
		hv_proc_deliver(hv, 6, false, 0); /* SYSCALL, SYSENTER: EFER.SCE is off */
	} else {
		hv_stop(hv, SKIFF_HV_EXIT_VIOLATION, "guest violation: system call %d from guest code at 0x%llx",
			si->si_syscall, (unsigned long long)r->rip);
	}
}

static void serve(struct hv *hv, int sig, const siginfo_t *si, unsigned trapno, uint64_t err)
{
	struct hv_proc *p = &hv->proc;
	uint64_t again = p->last_fault;

	p->last_fault = 0;
	switch (sig) {
	case SIGSEGV:
		if (trapno == 14) {
			page_fault(hv, (uint64_t)(uintptr_t)si->si_addr, err, again);
		} else if (trapno == 13 && hv_proc_emulate(hv)) {
			hv_proc_step_stub(hv);
			if (p->debug && p->step && !hv->stop)
				gdb_stop(hv); /* the step gdb asked for was this instruction */
		} else {
			hv_proc_deliver(hv, trapno, has_error_code(trapno), err);
		}
		break;
	case SIGTRAP:
		debug_trap(hv, trapno);
		break;
	case SIGSYS:
		guest_syscall(hv, si);
		break;
	default: /* SIGILL, SIGFPE, SIGBUS: the exception the CPU raised */
		hv_proc_deliver(hv, trapno, has_error_code(trapno), err);
		break;
	}
}

/* Back into the guest, or the end: hv_stop was called, or SIGINT/SIGTERM came. */
static void resume(struct hv *hv, ucontext_t *uc)
{
	struct hv_proc *p = &hv->proc;

	if (hv_signal && !hv->stop)
		hv_stop(hv, 128 + hv_signal, "stopped by signal %d", (int)hv_signal);
	if (hv->stop)
		exit(hv->status);
	to_uc(&uc->uc_mcontext, &p->regs, p->step || p->in_stub);
}

/* A fault in skiff-hv's own code: a bug, never the guest's doing. */
static void monitor_fault(int sig, const greg_t *g)
{
	char msg[160];
	int n = snprintf(msg, sizeof(msg), "skiff-hv: internal error: signal %d at 0x%llx in skiff-hv itself\n",
			 sig, (unsigned long long)g[REG_RIP]);

	if (write(STDERR_FILENO, msg, (size_t)n) < 0)
		_exit(SKIFF_HV_EXIT_INTERNAL);
	_exit(SKIFF_HV_EXIT_INTERNAL);
}

__attribute__((no_stack_protector))
static void on_sync(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	struct hv *hv = the_hv;
	greg_t *g = uc->uc_mcontext.gregs;

	if (fs_probe_fault(g))
		return;
	restore_fs();
	if (hv->proc.depth > 0 ||
	    (!hv->proc.started && !(sig == SIGILL && g[REG_RIP] == (greg_t)(uintptr_t)hv_proc_enter)))
		monitor_fault(sig, g);
	hv->proc.depth++;
	if (hv->proc.started) {
		from_uc(&hv->proc.regs, &uc->uc_mcontext);
		serve(hv, sig, si, (unsigned)g[REG_TRAPNO], (uint64_t)g[REG_ERR]);
	}
	hv->proc.started = true; /* the first signal was hv_proc_enter's: the guest starts now */
	resume(hv, uc);
	hv->proc.depth--;
}

__attribute__((no_stack_protector))
static void on_async(int sig, siginfo_t *si, void *ucv)
{
	struct hv *hv = the_hv;

	(void)si;
	restore_fs();
	if (sig == SIGIO)
		hv_gdb_on_sigio(sig);
	else
		hv_on_signal(sig);
	if (hv->proc.depth > 0 || !hv->proc.started)
		return; /* the monitor was waiting: its ppoll or read ends with EINTR */
	/* The guest itself was running: stop it now, or arm the step gdb's ^C asked for. */
	hv->proc.depth++;
	from_uc(&hv->proc.regs, &((ucontext_t *)ucv)->uc_mcontext);
	resume(hv, ucv);
	hv->proc.depth--;
}

int hv_proc_seal(struct hv *hv)
{
	static const int sync_sigs[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP, SIGSYS };
	static const int async_sigs[] = { SIGINT, SIGTERM, SIGIO };
	stack_t ss = { .ss_sp = altstack, .ss_size = sizeof(altstack) };
	struct sigaction sa = { .sa_flags = SA_SIGINFO | SA_ONSTACK };

	the_hv = hv;
	have_fsgsbase = (getauxval(AT_HWCAP2) & HWCAP2_FSGSBASE_BIT) != 0;
	if (sigaltstack(&ss, NULL) < 0) {
		hv_err("sigaltstack: %m");
		return -1;
	}
	sigemptyset(&sa.sa_mask);
	for (unsigned i = 0; i < sizeof(async_sigs) / sizeof(async_sigs[0]); i++)
		sigaddset(&sa.sa_mask, async_sigs[i]);
	/* SA_NODEFER: a fault inside the handler reaches monitor_fault instead of killing us. */
	sa.sa_sigaction = on_sync;
	sa.sa_flags |= SA_NODEFER;
	for (unsigned i = 0; i < sizeof(sync_sigs) / sizeof(sync_sigs[0]); i++)
		if (sigaction(sync_sigs[i], &sa, NULL) < 0)
			return hv_err("sigaction: %m"), -1;
	sa.sa_sigaction = on_async;
	sa.sa_flags &= ~SA_NODEFER;
	for (unsigned i = 0; i < sizeof(async_sigs) / sizeof(async_sigs[0]); i++)
		if ((async_sigs[i] != SIGIO || hv->gdb_fd >= 0) && sigaction(async_sigs[i], &sa, NULL) < 0)
			return hv_err("sigaction: %m"), -1;
	/* CPUID faults where the host can make it (Intel's CPUID faulting): the guest then sees hv_cpuid(). */
	hv_cpuid(0, 0, (uint32_t[4]){ 0 }); /* the host's leaves read while we still may */
	syscall(SYS_arch_prctl, ARCH_SET_CPUID, 0);
	return 0;
}

int hv_proc_run(struct hv *hv)
{
	hv_proc_tsc_rate(hv);
	hv_proc_enter(); /* the guest runs from the signal this raises, and never comes back here */
	return hv->status;
}
