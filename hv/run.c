// SPDX-License-Identifier: MIT
/* The vCPU loop: KVM_RUN until the guest exits, serving each exit or ending the guest. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <hv/hv.h>

static void io_exit(struct hv *hv)
{
	const struct kvm_run *r = hv->run;
	uint32_t value = 0;

	if (r->io.direction != KVM_EXIT_IO_OUT) {
		hv_stop(hv, SKIFF_HV_EXIT_VIOLATION, "guest violation: read from I/O port 0x%x", r->io.port);
		return;
	}
	if (r->io.port < SKIFF_HV_PORT_BASE || r->io.port >= SKIFF_HV_PORT_BASE + HV_CALL_MAX) {
		hv_stop(hv, SKIFF_HV_EXIT_VIOLATION,
			"guest violation: write to I/O port 0x%x, which is not a hypercall port", r->io.port);
		return;
	}
	if (r->io.size != 4 || r->io.count != 1) {
		hv_stop(hv, SKIFF_HV_EXIT_VIOLATION,
			"guest violation: hypercall with a %u-byte x%u write (needs one 32-bit OUT)",
			r->io.size, r->io.count);
		return;
	}
	memcpy(&value, (const uint8_t *)r + r->io.data_offset, 4);
	hv_hypercall(hv, r->io.port, value);
}

void hv_dump_regs(const struct hv *hv)
{
	struct kvm_regs r;
	struct kvm_sregs s;

	if (ioctl(hv->vcpu_fd, KVM_GET_REGS, &r) < 0 || ioctl(hv->vcpu_fd, KVM_GET_SREGS, &s) < 0)
		return;
	fprintf(stderr,
		"skiff-hv:   rip %016llx  rsp %016llx  rbp %016llx  rflags %08llx\n"
		"skiff-hv:   rax %016llx  rbx %016llx  rcx %016llx  rdx %016llx\n"
		"skiff-hv:   rsi %016llx  rdi %016llx  cr2 %016llx  cr3 %016llx\n"
		"skiff-hv:   cs %04x (CPL %d)  ss %04x  efer %llx\n",
		r.rip, r.rsp, r.rbp, r.rflags, r.rax, r.rbx, r.rcx, r.rdx, r.rsi, r.rdi, s.cr2, s.cr3,
		s.cs.selector, s.cs.selector & 3, s.ss.selector, s.efer);
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

int hv_run(struct hv *hv)
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
