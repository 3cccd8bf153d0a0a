// SPDX-License-Identifier: MIT
/*
 * The seccomp filter, installed after every file is open and before the guest's first
 * instruction: kill the process on any system call not listed here. Raw BPF, so skiff-hv needs no
 * library and the filter is built in microseconds. The list depends on the devices configured.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <hv/hv.h>

#define MAX_INSNS 96

struct bpf {
	struct sock_filter insn[MAX_INSNS];
	unsigned n;
};

static void emit(struct bpf *b, uint16_t code, uint8_t jt, uint8_t jf, uint32_t k)
{
	if (b->n < MAX_INSNS)
		b->insn[b->n++] = (struct sock_filter){ code, jt, jf, k };
}

static void allow_nr(struct bpf *b, long nr)
{
	emit(b, BPF_JMP | BPF_JEQ | BPF_K, 0, 1, (uint32_t)nr);
	emit(b, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW);
}

/* ioctl(fd, request): only the listed requests (KVM_RUN and register reads for crash dumps). */
static void allow_ioctls(struct bpf *b, const unsigned long *req, unsigned n)
{
	emit(b, BPF_JMP | BPF_JEQ | BPF_K, 0, (uint8_t)(2 + 2 * n), __NR_ioctl);
	emit(b, BPF_LD | BPF_W | BPF_ABS, 0, 0, offsetof(struct seccomp_data, args[1]));
	for (unsigned i = 0; i < n; i++) {
		emit(b, BPF_JMP | BPF_JEQ | BPF_K, 0, 1, (uint32_t)req[i]);
		emit(b, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW);
	}
	emit(b, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_KILL_PROCESS);
}

int hv_seccomp_install(const struct hv *hv)
{
	static const unsigned long run_ioctls[] = { KVM_RUN, KVM_GET_REGS, KVM_GET_SREGS };
	static const unsigned long gdb_ioctls[] = { KVM_RUN, KVM_GET_REGS, KVM_GET_SREGS,
						    KVM_SET_REGS, KVM_SET_GUEST_DEBUG, KVM_SET_SREGS };
	struct bpf b = { .n = 0 };
	struct sock_fprog prog;
	bool gdb = hv->opt.gdb_port != 0;

	emit(&b, BPF_LD | BPF_W | BPF_ABS, 0, 0, offsetof(struct seccomp_data, arch));
	emit(&b, BPF_JMP | BPF_JEQ | BPF_K, 1, 0, AUDIT_ARCH_X86_64);
	emit(&b, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_KILL_PROCESS);
	emit(&b, BPF_LD | BPF_W | BPF_ABS, 0, 0, offsetof(struct seccomp_data, nr));
	allow_nr(&b, __NR_write);		/* guest console, our messages */
	allow_nr(&b, __NR_ppoll);		/* HV_CALL_POLL */
	allow_nr(&b, __NR_rt_sigreturn);	/* return from the SIGINT/SIGTERM handler */
	allow_nr(&b, __NR_clock_gettime);	/* when the vDSO falls back to the kernel */
	allow_nr(&b, __NR_exit_group);		/* the end */
	if (hv->disk_fd >= 0) {
		allow_nr(&b, __NR_pread64);	/* block reads */
		allow_nr(&b, __NR_pwrite64);	/* block writes */
		allow_nr(&b, __NR_fdatasync);	/* block flush */
	}
	if (gdb)
		allow_nr(&b, __NR_read);	/* the debugger's socket */
	if (gdb)
		allow_ioctls(&b, gdb_ioctls, sizeof(gdb_ioctls) / sizeof(gdb_ioctls[0]));
	else
		allow_ioctls(&b, run_ioctls, sizeof(run_ioctls) / sizeof(run_ioctls[0]));
	emit(&b, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_KILL_PROCESS); /* everything else */
	if (b.n >= MAX_INSNS) {
		hv_err("seccomp filter too long");
		return -1;
	}
	prog = (struct sock_fprog){ .len = (unsigned short)b.n, .filter = b.insn };
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog)) {
		hv_err("cannot install the seccomp filter: %s", strerror(errno));
		return -1;
	}
	return 0;
}
