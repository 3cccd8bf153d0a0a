// SPDX-License-Identifier: MIT
/*
 * The KVM backend: the VM, guest memory, one vCPU with a baseline CPUID, its registers at entry,
 * and the run loop, KVM_RUN until the guest exits, serving each exit or ending the guest.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <hv/hv.h>

int hv_kvm_open(struct hv *hv, bool quiet_enoent)
{
	int version;

	hv->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (hv->kvm_fd < 0) {
		if (!quiet_enoent)
			hv_err("cannot open /dev/kvm: %s%s", strerror(errno),
			       errno == EACCES ? " (add yourself to group kvm, or run as root)" :
			       errno == ENOENT ? " (no KVM on this machine: use --backend=process)" : "");
		return -1;
	}
	version = ioctl(hv->kvm_fd, KVM_GET_API_VERSION, 0);
	if (version != KVM_API_VERSION) {
		hv_err("/dev/kvm speaks KVM API %d, skiff-hv needs %d", version, KVM_API_VERSION);
		close(hv->kvm_fd);
		hv->kvm_fd = -1;
		return -1;
	}
	return 0;
}

static int map_memory(struct hv *hv)
{
	struct kvm_userspace_memory_region region;

	/* MAP_NORESERVE: untouched guest pages cost nothing, so a large --mem is cheap. */
	hv->guest.mem = mmap(NULL, hv->opt.mem, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (hv->guest.mem == MAP_FAILED) {
		hv_err("cannot allocate %llu MiB of guest memory: %s",
		       (unsigned long long)(hv->opt.mem >> 20), strerror(errno));
		return -1;
	}
	hv->guest.size = hv->opt.mem;
	region = (struct kvm_userspace_memory_region){
		.slot = 0,
		.guest_phys_addr = 0,
		.memory_size = hv->opt.mem,
		.userspace_addr = (uintptr_t)hv->guest.mem,
	};
	if (ioctl(hv->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0) {
		hv_err("KVM_SET_USER_MEMORY_REGION: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* The guest's CPUID, four leaves of hv_cpuid(); KVM needs LM and NX there for long mode. */
static int set_cpuid(struct hv *hv)
{
	static const uint32_t leaves[] = { 0, 1, 0x80000000, 0x80000001 };
	struct {
		struct kvm_cpuid2 head;
		struct kvm_cpuid_entry2 e[4];
	} c = { .head.nent = 4 };

	for (unsigned i = 0; i < 4; i++) {
		uint32_t v[4];

		hv_cpuid(leaves[i], 0, v);
		c.e[i] = (struct kvm_cpuid_entry2){ .function = leaves[i], .eax = v[0], .ebx = v[1],
						    .ecx = v[2], .edx = v[3] };
	}
	if (ioctl(hv->vcpu_fd, KVM_SET_CPUID2, &c.head) < 0) {
		hv_err("KVM_SET_CPUID2: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int create_vcpu(struct hv *hv)
{
	int size;
	long khz;

	hv->vcpu_fd = ioctl(hv->vm_fd, KVM_CREATE_VCPU, 0);
	if (hv->vcpu_fd < 0) {
		hv_err("KVM_CREATE_VCPU: %s", strerror(errno));
		return -1;
	}
	size = ioctl(hv->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size <= 0) {
		hv_err("KVM_GET_VCPU_MMAP_SIZE: %s", strerror(errno));
		return -1;
	}
	hv->run_size = (size_t)size;
	hv->run = mmap(NULL, hv->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, hv->vcpu_fd, 0);
	if (hv->run == MAP_FAILED) {
		hv_err("cannot map the vCPU's run area: %s", strerror(errno));
		return -1;
	}
	khz = ioctl(hv->vcpu_fd, KVM_GET_TSC_KHZ, 0);
	if (khz <= 0) {
		hv_err("KVM_GET_TSC_KHZ: %s (the guest needs its TSC rate)", strerror(errno));
		return -1;
	}
	hv->tsc_hz = (uint64_t)khz * 1000;
	return set_cpuid(hv);
}

static int kvm_create(struct hv *hv)
{
	if (hv->kvm_fd < 0 && hv_kvm_open(hv, false))
		return -1;
	hv->vm_fd = ioctl(hv->kvm_fd, KVM_CREATE_VM, 0);
	if (hv->vm_fd < 0) {
		hv_err("KVM_CREATE_VM: %s", strerror(errno));
		return -1;
	}
	/* Intel VMX wants a TSS area for real mode emulation; harmless elsewhere, so not fatal. */
	ioctl(hv->vm_fd, KVM_SET_TSS_ADDR, 0xfffbd000UL);
	if (map_memory(hv))
		return -1;
	return create_vcpu(hv);
}

static void set_segment(struct kvm_segment *s, uint16_t sel, uint8_t type, bool code)
{
	*s = (struct kvm_segment){ .base = 0, .limit = 0xffffffff, .selector = sel, .type = type,
				   .present = 1, .dpl = sel & 3, .db = !code, .s = 1, .l = code,
				   .g = 1 };
}

/* Long mode, CPL 3, IOPL 0 (the TSS bitmap opens the hypercall ports), SSE on, %rdi = boot info. */
static int kvm_start(struct hv *hv, uint64_t entry, uint64_t root)
{
	struct kvm_sregs sr;
	struct kvm_regs regs = { .rip = entry, .rdi = HV_BOOT_INFO, .rflags = 0x2 };
	struct kvm_fpu fpu = { .fcw = 0x37f, .mxcsr = 0x1f80 };

	if (ioctl(hv->vcpu_fd, KVM_GET_SREGS, &sr) < 0) {
		hv_err("KVM_GET_SREGS: %s", strerror(errno));
		return -1;
	}
	set_segment(&sr.cs, HV_SEL_UCODE, 11, true);
	set_segment(&sr.ss, HV_SEL_UDATA, 3, false);
	sr.ds = sr.es = sr.fs = sr.gs = sr.ss;
	sr.tr = (struct kvm_segment){ .base = HV_TSS, .limit = HV_TSS_LIMIT, .selector = HV_SEL_TSS,
				      .type = 11, .present = 1 };
	sr.ldt = (struct kvm_segment){ .type = 2, .unusable = 1 };
	sr.gdt.base = HV_GDT;
	sr.gdt.limit = 7 * 8 - 1;
	sr.idt.base = HV_IDT;
	sr.idt.limit = 256 * 16 - 1;
	sr.cr0 = 0x80010033;	/* PG WP NE ET MP PE */
	sr.cr3 = root;
	sr.cr4 = 0x620;		/* OSXMMEXCPT OSFXSR PAE; no TSD: rdtsc works at CPL 3 */
	sr.efer = 0xd00;	/* NXE LMA LME; no SCE: SYSCALL is #UD */
	if (ioctl(hv->vcpu_fd, KVM_SET_SREGS, &sr) < 0 || ioctl(hv->vcpu_fd, KVM_SET_REGS, &regs) < 0 ||
	    ioctl(hv->vcpu_fd, KVM_SET_FPU, &fpu) < 0) {
		hv_err("cannot set the vCPU's registers: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int kvm_get_regs(struct hv *hv, struct hv_regs *out)
{
	struct kvm_regs r;
	struct kvm_sregs s;

	_Static_assert(sizeof(r) == 18 * 8 && __builtin_offsetof(struct hv_regs, rflags) == 17 * 8,
		       "struct hv_regs begins as struct kvm_regs");
	if (ioctl(hv->vcpu_fd, KVM_GET_REGS, &r) < 0 || ioctl(hv->vcpu_fd, KVM_GET_SREGS, &s) < 0)
		return -1;
	memcpy(out, &r, sizeof(r));
	out->cr2 = s.cr2;
	out->cr3 = s.cr3;
	out->efer = s.efer;
	out->cs = s.cs.selector;
	out->ss = s.ss.selector;
	return 0;
}

static int kvm_set_regs(struct hv *hv, const struct hv_regs *in)
{
	struct kvm_regs r;

	memcpy(&r, in, sizeof(r));
	return ioctl(hv->vcpu_fd, KVM_SET_REGS, &r) < 0 ? -1 : 0;
}

/*
 * The guest's CPL-0 trap stub for vector v. KVM reports the #BP and #DB it intercepts, but a
 * software nested KVM (PVM) hands CPL-3 #BP and #DB to the guest; its instruction emulator, which
 * runs the CPL-0 stubs, does stop on hardware breakpoints, so we put two on the #BP and #DB stubs.
 */
static uint64_t stub(const struct hv *hv, unsigned v)
{
	return hv->image.manifest.trap_entry + 16 * v;
}

static int kvm_set_debug(struct hv *hv, bool on, bool step)
{
	struct kvm_guest_debug d = { 0 };

	if (on) {
		d.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP | KVM_GUESTDBG_USE_HW_BP |
			    (step ? KVM_GUESTDBG_SINGLESTEP : 0);
		d.arch.debugreg[0] = stub(hv, 3);
		d.arch.debugreg[1] = stub(hv, 1);
		d.arch.debugreg[7] = 0x5; /* DR0 and DR1 on, as instruction breakpoints */
	}
	return ioctl(hv->vcpu_fd, KVM_SET_GUEST_DEBUG, &d) < 0 ? errno : 0;
}

/*
 * Stopped on a stub's first instruction (PVM, above): undo the exception's delivery from the
 * interrupt frame (rip cs rflags rsp ss on the trap stack), as if KVM had stopped on the
 * exception. After our int3, rip goes back onto the breakpoint. Nothing to undo if it did not
 * come from CPL 3.
 */
static void undo_delivery(struct hv *hv)
{
	struct kvm_regs r;
	struct kvm_sregs s;
	const uint64_t *f;
	bool int3;

	if (hv->gdb_fd < 0 || ioctl(hv->vcpu_fd, KVM_GET_REGS, &r) < 0 ||
	    (r.rip != stub(hv, 3) && r.rip != stub(hv, 1)))
		return;
	int3 = r.rip == stub(hv, 3);
	f = guest_ptr(&hv->guest, r.rsp, 5 * 8, 8);
	if (!f || f[1] != HV_SEL_UCODE || f[4] != HV_SEL_UDATA || ioctl(hv->vcpu_fd, KVM_GET_SREGS, &s) < 0)
		return;
	set_segment(&s.cs, HV_SEL_UCODE, 11, true);
	set_segment(&s.ss, HV_SEL_UDATA, 3, false);
	r.rip = f[0] - (int3 && hv_gdb_breakpoint_at(f[0] - 1));
	r.rflags = f[2] & ~(0x100ULL | 0x10000ULL); /* TF, RF */
	r.rsp = f[3];
	if (ioctl(hv->vcpu_fd, KVM_SET_SREGS, &s) == 0)
		ioctl(hv->vcpu_fd, KVM_SET_REGS, &r);
}

static void io_exit(struct hv *hv)
{
	const struct kvm_run *r = hv->run;
	uint32_t value = 0;

	if (r->io.direction == KVM_EXIT_IO_OUT && r->io.size <= 4)
		memcpy(&value, (const uint8_t *)r + r->io.data_offset, r->io.size);
	hv_io_exit(hv, r->io.direction != KVM_EXIT_IO_OUT, r->io.port, r->io.size, r->io.count, value);
}

static void fatal_exit(struct hv *hv, const char *what)
{
	hv_stop(hv, SKIFF_HV_EXIT_GUEST_FAULT, "guest fault: %s; registers:", what);
	hv_dump_regs(hv);
}

static void handle_exit(struct hv *hv)
{
	const struct kvm_run *r = hv->run;
	char what[128];

	switch (r->exit_reason) {
	case KVM_EXIT_IO:
		io_exit(hv);
		break;
	case KVM_EXIT_MMIO:
		hv_stop(hv, SKIFF_HV_EXIT_VIOLATION,
			"guest violation: %s of %u bytes at 0x%llx, outside guest memory",
			r->mmio.is_write ? "write" : "read", r->mmio.len, r->mmio.phys_addr);
		break;
	case KVM_EXIT_SHUTDOWN:
		fatal_exit(hv, "triple fault (an exception the guest could not handle)");
		break;
	case KVM_EXIT_HLT:
		fatal_exit(hv, "HLT with interrupts off: the guest stopped for good");
		break;
	case KVM_EXIT_DEBUG:
		undo_delivery(hv);
		if (!hv_gdb_handle_exit(hv, 5 /* SIGTRAP */))
			hv_stop(hv, SKIFF_HV_EXIT_GUEST_FAULT, "debugger detached or killed the guest");
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		snprintf(what, sizeof(what), "KVM internal error, suberror %u (an instruction KVM cannot emulate?)",
			 r->internal.suberror);
		fatal_exit(hv, what);
		break;
	case KVM_EXIT_FAIL_ENTRY:
		snprintf(what, sizeof(what), "KVM could not enter the guest (reason 0x%llx)",
			 (unsigned long long)r->fail_entry.hardware_entry_failure_reason);
		fatal_exit(hv, what);
		break;
	default:
		snprintf(what, sizeof(what), "unexpected KVM exit %u", r->exit_reason);
		fatal_exit(hv, what);
		break;
	}
}

static int kvm_run(struct hv *hv)
{
	while (!hv->stop) {
		if (ioctl(hv->vcpu_fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN) {
				hv->run->immediate_exit = 0;
				if (hv_signal)
					hv_stop(hv, 128 + hv_signal, "stopped by signal %d", (int)hv_signal);
				continue;
			}
			hv_stop(hv, SKIFF_HV_EXIT_INTERNAL, "KVM_RUN: %s", strerror(errno));
			break;
		}
		handle_exit(hv);
		if (hv_signal && !hv->stop)
			hv_stop(hv, 128 + hv_signal, "stopped by signal %d", (int)hv_signal);
	}
	return hv->status;
}

const struct hv_backend hv_backend_kvm = {
	.name = "kvm",
	.create = kvm_create,
	.start = kvm_start,
	.run = kvm_run,
	.get_regs = kvm_get_regs,
	.set_regs = kvm_set_regs,
	.set_debug = kvm_set_debug,
};
