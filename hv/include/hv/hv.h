/* SPDX-License-Identifier: MIT */
/*
 * skiff-hv's state and the functions its files share. Each file owns one part of the monitor.
 * Two backends run the guest's one vCPU (struct hv_backend): KVM (kvm.c), or this very process
 * (proc*.c) where there is no /dev/kvm. Everything else, the loader, the memory layout, the
 * hypercalls, the block device, the gdb stub and the seccomp filter, is shared.
 */
#ifndef HV_HV_H
#define HV_HV_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdnoreturn.h>
#include <linux/kvm.h>
#include <hv/elf.h>
#include <hv/guest.h>
#include <hv/net.h>
#include <hv/proc.h>

#define HV_VERSION "0.1"
#define HV_MAX_MEM (4ULL << 30)	/* hypercall arguments are 32-bit guest addresses */
#define HV_DEFAULT_MEM (64ULL << 20)
/* The devices this monitor can give an image (HV_DEV_*); the manifest may ask for no others. */
#define HV_DEVICES (HV_DEV_BLK | HV_DEV_NET)

/*
 * Guest-physical layout below the image (HV_IMAGE_MIN), built by layout.c. The boot info and the
 * command line sit just before the page tables: the guest reads all of them at boot, and a shadow
 * MMU maps a 32 KiB block of present pages per fault, but stops at a page that is not present,
 * such as page 0 at the start of the block below 0x8000.
 */
#define HV_GDT 0x1000ULL
#define HV_IDT 0x2000ULL
#define HV_TSS 0x3000ULL	/* 104 bytes, then the I/O permission bitmap (8 KiB + 1) */
#define HV_TSS_LIMIT (104 + 8192)
#define HV_BOOT_INFO 0x10000ULL
#define HV_CMDLINE 0x11000ULL	/* 4 KiB, the kernel's command-line limit */
#define HV_PT_START 0x12000ULL
#define HV_PT_END HV_TRAP_STACK
/*
 * IST1 for the CPL-0 trap stubs: 32 KiB below the image. Everything the guest touches at run
 * time lies at or above HV_BOOT_INFO (64 KiB), which Linux's default vm.mmap_min_addr lets the
 * process backend map; only the CPU reads the GDT, IDT and TSS below it.
 */
#define HV_TRAP_STACK (HV_IMAGE_MIN - 0x8000ULL)
#define HV_TRAP_STACK_TOP HV_IMAGE_MIN
#define HV_CMDLINE_MAX 4096

/* The monitor's GDT: selectors of the CPL-0 trap stubs and of the CPL-3 guest. */
#define HV_SEL_KCODE 0x08
#define HV_SEL_UDATA 0x1b
#define HV_SEL_UCODE 0x23
#define HV_SEL_TSS 0x28

enum hv_backend_choice { HV_BACKEND_AUTO, HV_BACKEND_KVM, HV_BACKEND_PROCESS };

struct hv_options {
	enum hv_backend_choice backend;
	const char *image;
	const char *disk;
	bool disk_ro;
	const char *initrd;
	uint64_t mem;
	bool quiet;
	int gdb_port;		/* 0: no gdb stub */
	bool seccomp_selftest;	/* make a forbidden call after the filter is in (tests) */
	bool stats;		/* --stats: exits by kind and frames moved, at the end */
	struct hv_net_option {	/* --net=TAP (NIC i in the order given), --net-mac=MAC after it */
		const char *tap;
		uint8_t mac[6];
		bool mac_given;
	} net[HV_NET_MAX_NICS];
	unsigned nnet;
	int net_spin_us;	/* --net-spin: 0 to HV_NET_SPIN_MAX_US, or -1: by the CPUs we have */
	char cmdline[HV_CMDLINE_MAX];
};

struct hv;

/* What differs between running the guest on KVM and in this process: the vCPU. */
struct hv_backend {
	const char *name;
	/* Guest memory (hv->guest) and the vCPU; the guest's TSC rate in hv->tsc_hz. */
	int (*create)(struct hv *hv);
	/* After the layout: registers at the entry point, page tables at root. */
	int (*start)(struct hv *hv, uint64_t entry, uint64_t root);
	/* The last set-up before the seccomp filter goes in (signal handlers); NULL: none. */
	int (*seal)(struct hv *hv);
	/* Run the guest until it ends; the exit status. */
	int (*run)(struct hv *hv);
	int (*get_regs)(struct hv *hv, struct hv_regs *r);	/* 0 or -1 */
	int (*set_regs)(struct hv *hv, const struct hv_regs *r);	/* general registers, rip, rflags */
	/* Debug exits on (breakpoints) and, with step, one instruction at a time. 0 or an errno. */
	int (*set_debug)(struct hv *hv, bool on, bool step);
	/* A poll's timeout, in the guest's nanoseconds, in the host clock's; NULL: the same. */
	uint64_t (*host_ns)(struct hv *hv, uint64_t guest_ns);
};

extern const struct hv_backend hv_backend_kvm, hv_backend_proc;

struct hv {
	struct hv_options opt;
	const struct hv_backend *be;
	struct hv_guest guest;
	struct hv_image image;
	uint8_t *image_buf;
	size_t image_len;
	int kvm_fd, vm_fd, vcpu_fd;
	struct kvm_run *run;
	size_t run_size;
	uint64_t tsc_hz;
	struct hv_proc proc;	/* the process backend's state */
	int disk_fd;
	uint64_t disk_sectors;
	int gdb_fd;		/* the connected debugger, -1 if none */
	struct hv_net net;	/* --net NICs */
	_Atomic uint64_t exits[HV_CALL_MAX];	/* hypercalls served, by call */
	_Atomic uint64_t exits_other;		/* every other exit the monitor served */
	int status;		/* the exit status, once stop is set */
	bool stop;
};

/* Print "skiff-hv: <message>" on stderr. */
void hv_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* End the guest: print the reason, set the status. The run loop stops after the current exit. */
void hv_stop(struct hv *hv, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* "64M", "2048K", "1G", "65536" (bytes): 0 on success, -1 on a malformed size. */
int hv_parse_size(const char *s, uint64_t *out);

/* args.c: 0, or -1 after printing the error (or 1 after --help/--version: exit 0). */
int hv_args_parse(int argc, char **argv, struct hv_options *opt);
void hv_usage(void);

/* Setup steps, in order; each returns 0 or -1 after printing why. */
int hv_image_read(struct hv *hv);	/* -2: the file cannot be read at all */
int hv_blk_open(struct hv *hv);
int hv_backend_select(struct hv *hv);	/* --backend; auto: KVM if /dev/kvm opens */
int hv_kvm_open(struct hv *hv, bool quiet_enoent); /* /dev/kvm into hv->kvm_fd */
int hv_layout_build(struct hv *hv);	/* memory layout, boot info, vCPU registers */
/* The guest-physical range every image writes first and the loader did not: the bss (and the
 * main thread's stack after it) and the start of free memory. Worth faulting in before it runs. */
void hv_boot_memory(const struct hv *hv, uint64_t *start, uint64_t *end);
int hv_gdb_wait(struct hv *hv);		/* --gdb: wait for the debugger to attach */
int hv_seccomp_install(const struct hv *hv);

/*
 * An I/O instruction the TSS bitmap let through (in: a read): a hypercall, or a violation. size
 * in bytes, count > 1 for a repeated string instruction; value is what an OUT wrote.
 */
void hv_io_exit(struct hv *hv, bool in, uint16_t port, unsigned size, unsigned count, uint32_t value);
/* Does the guest's TSS I/O bitmap open every byte of [port, port + size)? (The CPU's check.) */
bool hv_io_port_open(const struct hv *hv, uint16_t port, unsigned size);
/* One hypercall: port is the I/O port written, arg the 32-bit value. */
void hv_hypercall(struct hv *hv, uint16_t port, uint32_t arg);
/* ppoll's signal mask: whatever the caller blocks, less SIGINT, SIGTERM and SIGIO. */
const sigset_t *hv_wait_mask(void);
/* The filtered CPUID the guest sees (the KVM backend's, and the process backend's where the
 * host lets it trap CPUID). */
void hv_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t out[4]);
/* Networking (tap.c, net.c, netio.c): --net-mac's value; open the taps (before the sandbox);
 * start the I/O thread; HV_CALL_NET_SETUP; a poll call's wait with NICs; wake the I/O thread. */
int hv_parse_mac(const char *s, uint8_t mac[6]);
int hv_net_open(struct hv *hv);
int hv_netio_start(struct hv *hv);
void hv_net_call(struct hv *hv, uint64_t gpa);
uint32_t hv_netio_poll(struct hv *hv, const struct timespec *timeout);
void hv_netio_kick(struct hv *hv);
/* --stats: print exits and NIC counters when skiff-hv ends, however it ends (atexit). */
void hv_stats_enable(struct hv *hv);
/* Block requests (HV_CALL_BLK). */
void hv_blk_call(struct hv *hv, uint64_t gpa);
/* gdb: handle a debug exit / report a stop; returns false to end the guest. */
bool hv_gdb_handle_exit(struct hv *hv, int signo);
/* gdb: is there a breakpoint (our int3) at addr? */
bool hv_gdb_breakpoint_at(uint64_t addr);
/* gdb's ^C arrived (SIGIO). */
void hv_gdb_on_sigio(int sig);
/* SIGINT, SIGTERM: remember the signal (hv_signal); the run loop ends the guest. */
void hv_on_signal(int sig);
/* Print the vCPU registers after a fatal exit. */
void hv_dump_regs(struct hv *hv);

/* Set when SIGINT/SIGTERM arrived (the signal number). */
extern volatile sig_atomic_t hv_signal;

#endif
