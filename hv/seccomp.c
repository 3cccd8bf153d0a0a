// SPDX-License-Identifier: MIT
/*
 * The seccomp filter, installed after every file is open and before the guest's first
 * instruction: kill the process on any system call not listed here, and pin every argument that
 * can be pinned (the file each call may touch, the requests, no new executable memory). Raw BPF,
 * so skiff-hv needs no library and the filter is built in microseconds. The list depends on the
 * backend and the devices configured.
 *
 * In the process backend the guest shares this address space, so it can run skiff-hv's own code:
 * this list is then all that a hostile image can reach. A system call made from guest memory
 * itself never runs: it traps (SIGSYS), and the guest gets the #UD or #GP it would get under KVM.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <asm/prctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <hv/hv.h>

#define MAX_INSNS 160
#define ARG_LO(n) (offsetof(struct seccomp_data, args[n]))
#define ARG_HI(n) (offsetof(struct seccomp_data, args[n]) + 4)
#define IP_LO offsetof(struct seccomp_data, instruction_pointer)
#define IP_HI (offsetof(struct seccomp_data, instruction_pointer) + 4)

struct bpf {
	struct sock_filter insn[MAX_INSNS];
	unsigned n;
};

static void emit(struct bpf *b, uint16_t code, uint8_t jt, uint8_t jf, uint32_t k)
{
	if (b->n < MAX_INSNS)
		b->insn[b->n++] = (struct sock_filter){ code, jt, jf, k };
}

static void ld(struct bpf *b, uint32_t off)
{
	emit(b, BPF_LD | BPF_W | BPF_ABS, 0, 0, off);
}

static void ret(struct bpf *b, uint32_t action)
{
	emit(b, BPF_RET | BPF_K, 0, 0, action);
}

/* With the system call number in A: if it is nr, go on; else skip the next len instructions. */
static void if_nr(struct bpf *b, long nr, uint8_t len)
{
	emit(b, BPF_JMP | BPF_JEQ | BPF_K, 0, len, (uint32_t)nr);
}

static void allow_nr(struct bpf *b, long nr)
{
	if_nr(b, nr, 1);
	ret(b, SECCOMP_RET_ALLOW);
}

/* nr only when argument arg is one of vals[0..n) (32-bit values: fds, requests). */
static void allow_arg_in(struct bpf *b, long nr, unsigned arg, const uint32_t *vals, unsigned n)
{
	if_nr(b, nr, (uint8_t)(n + 3));
	ld(b, ARG_LO(arg));
	for (unsigned i = 0; i < n; i++)
		emit(b, BPF_JMP | BPF_JEQ | BPF_K, (uint8_t)(n - i), 0, vals[i]);
	ret(b, SECCOMP_RET_KILL_PROCESS);
	ret(b, SECCOMP_RET_ALLOW);
}

static void allow_fd(struct bpf *b, long nr, int fd)
{
	allow_arg_in(b, nr, 0, (const uint32_t[]){ (uint32_t)fd }, 1);
}

/* ioctl(vcpu_fd, request) for the listed requests only. */
static void allow_ioctls(struct bpf *b, int fd, const unsigned long *req, unsigned n)
{
	if_nr(b, __NR_ioctl, (uint8_t)(n + 6));
	ld(b, ARG_LO(0));
	emit(b, BPF_JMP | BPF_JEQ | BPF_K, 0, (uint8_t)(n + 2), (uint32_t)fd);
	ld(b, ARG_LO(1));
	for (unsigned i = 0; i < n; i++)
		emit(b, BPF_JMP | BPF_JEQ | BPF_K, (uint8_t)(n - i + 1), 0, (uint32_t)req[i]);
	ret(b, SECCOMP_RET_KILL_PROCESS);
	ret(b, SECCOMP_RET_KILL_PROCESS);
	ret(b, SECCOMP_RET_ALLOW);
}

/* Process backend: a system call from guest memory [0, span) traps (SIGSYS), whatever it is. */
static void trap_guest_calls(struct bpf *b, uint64_t span)
{
	ld(b, IP_HI);
	emit(b, BPF_JMP | BPF_JGT | BPF_K, 4, 0, (uint32_t)(span >> 32));
	emit(b, BPF_JMP | BPF_JEQ | BPF_K, 0, 2, (uint32_t)(span >> 32));
	ld(b, IP_LO);
	emit(b, BPF_JMP | BPF_JGE | BPF_K, 1, 0, (uint32_t)span);
	ret(b, SECCOMP_RET_TRAP);
}

/* Process backend: mapping the guest's pages at fixed addresses, never executable ones. */
static void allow_guest_mappings(struct bpf *b)
{
	if_nr(b, __NR_mmap, 6);
	ld(b, ARG_LO(2));
	emit(b, BPF_JMP | BPF_JSET | BPF_K, 3, 0, PROT_EXEC);
	ld(b, ARG_LO(3));
	emit(b, BPF_JMP | BPF_JSET | BPF_K, 1, 0, MAP_FIXED);
	ret(b, SECCOMP_RET_KILL_PROCESS);
	ret(b, SECCOMP_RET_ALLOW);
	if_nr(b, __NR_mprotect, 4);
	ld(b, ARG_LO(2));
	emit(b, BPF_JMP | BPF_JSET | BPF_K, 1, 0, PROT_EXEC);
	ret(b, SECCOMP_RET_ALLOW);
	ret(b, SECCOMP_RET_KILL_PROCESS);
}

/* Process backend without wrfsbase: arch_prctl(ARCH_SET_FS, our own TLS base), nothing else. */
static void allow_set_fs(struct bpf *b, uint64_t fs)
{
	if_nr(b, __NR_arch_prctl, 8);
	ld(b, ARG_LO(0));
	emit(b, BPF_JMP | BPF_JEQ | BPF_K, 0, 4, ARCH_SET_FS);
	ld(b, ARG_LO(1));
	emit(b, BPF_JMP | BPF_JEQ | BPF_K, 0, 2, (uint32_t)fs);
	ld(b, ARG_HI(1));
	emit(b, BPF_JMP | BPF_JEQ | BPF_K, 1, 0, (uint32_t)(fs >> 32));
	ret(b, SECCOMP_RET_KILL_PROCESS);
	ret(b, SECCOMP_RET_ALLOW);
}

int hv_seccomp_install(const struct hv *hv)
{
	static const unsigned long run_ioctls[] = { KVM_RUN, KVM_GET_REGS, KVM_GET_SREGS };
	static const unsigned long gdb_ioctls[] = { KVM_RUN, KVM_GET_REGS, KVM_GET_SREGS,
						    KVM_SET_REGS, KVM_SET_GUEST_DEBUG, KVM_SET_SREGS };
	bool proc = hv->be == &hv_backend_proc, gdb = hv->gdb_fd >= 0;
	uint32_t write_fds[3 + HV_NET_MAX_NICS + 2] = { STDOUT_FILENO, STDERR_FILENO }, read_fds[1 + HV_NET_MAX_NICS + 2];
	unsigned nwrite = 2, nread = 0;
	struct bpf b = { .n = 0 };
	struct sock_fprog prog;

	if (gdb)
		write_fds[nwrite++] = read_fds[nread++] = (uint32_t)hv->gdb_fd;
	for (unsigned i = 0; i < hv->net.count; i++) /* the taps */
		write_fds[nwrite++] = read_fds[nread++] = (uint32_t)hv->net.nic[i].fd;
	if (hv->net.started) { /* the eventfds between the vCPU and the I/O thread */
		write_fds[nwrite++] = read_fds[nread++] = (uint32_t)hv->net.kick_fd;
		write_fds[nwrite++] = read_fds[nread++] = (uint32_t)hv->net.wake_fd;
	}

	if (proc)
		trap_guest_calls(&b, hv->proc.span);
	ld(&b, offsetof(struct seccomp_data, arch));
	emit(&b, BPF_JMP | BPF_JEQ | BPF_K, 1, 0, AUDIT_ARCH_X86_64);
	ret(&b, SECCOMP_RET_KILL_PROCESS);
	ld(&b, offsetof(struct seccomp_data, nr));
	allow_arg_in(&b, __NR_write, 0, write_fds, nwrite); /* console, messages, debugger, frames */
	allow_nr(&b, __NR_ppoll);		/* HV_CALL_POLL; waiting for the debugger */
	allow_nr(&b, __NR_rt_sigreturn);	/* return from a signal handler */
	allow_nr(&b, __NR_clock_gettime);	/* when the vDSO falls back to the kernel */
	allow_nr(&b, __NR_exit_group);		/* the end */
	if (hv->disk_fd >= 0) {
		allow_fd(&b, __NR_pread64, hv->disk_fd);	/* block reads */
		allow_fd(&b, __NR_pwrite64, hv->disk_fd);	/* block writes */
		allow_fd(&b, __NR_fdatasync, hv->disk_fd);	/* block flush */
	}
	if (nread)
		allow_arg_in(&b, __NR_read, 0, read_fds, nread); /* the debugger's socket, frames, eventfds */
	if (proc) {
		allow_guest_mappings(&b);	/* pages the guest maps or flushes */
		allow_set_fs(&b, hv->proc.monitor_fs); /* our TLS back after the guest ran */
	} else if (gdb) {
		allow_ioctls(&b, hv->vcpu_fd, gdb_ioctls, sizeof(gdb_ioctls) / sizeof(gdb_ioctls[0]));
	} else {
		allow_ioctls(&b, hv->vcpu_fd, run_ioctls, sizeof(run_ioctls) / sizeof(run_ioctls[0]));
	}
	ret(&b, SECCOMP_RET_KILL_PROCESS); /* everything else */
	if (b.n >= MAX_INSNS) {
		hv_err("seccomp filter too long");
		return -1;
	}
	prog = (struct sock_fprog){ .len = (unsigned short)b.n, .filter = b.insn };
	/* TSYNC: the network I/O thread, started before, gets the same filter. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &prog)) {
		hv_err("cannot install the seccomp filter: %s", strerror(errno));
		return -1;
	}
	return 0;
}
