/* SPDX-License-Identifier: MIT */
/* skiff-hv's state and the functions its files share. Each file owns one part of the monitor. */
#ifndef HV_HV_H
#define HV_HV_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdnoreturn.h>
#include <linux/kvm.h>
#include <hv/elf.h>
#include <hv/guest.h>

#define HV_VERSION "0.1"
#define HV_MAX_MEM (4ULL << 30)	/* hypercall arguments are 32-bit guest addresses */
#define HV_DEFAULT_MEM (64ULL << 20)
/* The devices this monitor can give an image (HV_DEV_*); the manifest may ask for no others. */
#define HV_DEVICES HV_DEV_BLK

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
#define HV_TRAP_STACK 0x8000ULL	/* 32 KiB up to HV_BOOT_INFO: IST1 for the CPL-0 trap stubs */
#define HV_TRAP_STACK_TOP HV_BOOT_INFO
#define HV_BOOT_INFO 0x10000ULL
#define HV_CMDLINE 0x11000ULL	/* 4 KiB, the kernel's command-line limit */
#define HV_PT_START 0x12000ULL
#define HV_PT_END HV_IMAGE_MIN
#define HV_CMDLINE_MAX 4096

struct hv_options {
	const char *image;
	const char *disk;
	bool disk_ro;
	const char *initrd;
	uint64_t mem;
	bool quiet;
	int gdb_port;		/* 0: no gdb stub */
	bool seccomp_selftest;	/* make a forbidden call after the filter is in (tests) */
	char cmdline[HV_CMDLINE_MAX];
};

struct hv {
	struct hv_options opt;
	struct hv_guest guest;
	struct hv_image image;
	uint8_t *image_buf;
	size_t image_len;
	int kvm_fd, vm_fd, vcpu_fd;
	struct kvm_run *run;
	size_t run_size;
	uint64_t tsc_hz;
	int disk_fd;
	uint64_t disk_sectors;
	int gdb_fd;		/* the connected debugger, -1 if none */
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
int hv_vm_create(struct hv *hv);
int hv_blk_open(struct hv *hv);
int hv_layout_build(struct hv *hv);	/* memory layout, boot info, vCPU registers */
int hv_gdb_wait(struct hv *hv);		/* --gdb: wait for the debugger to attach */
int hv_seccomp_install(const struct hv *hv);

/* The run loop: returns the exit status. */
int hv_run(struct hv *hv);
/* One hypercall: port is the I/O port written, arg the 32-bit value. */
void hv_hypercall(struct hv *hv, uint16_t port, uint32_t arg);
/* Block requests (HV_CALL_BLK). */
void hv_blk_call(struct hv *hv, uint64_t gpa);
/* gdb: handle a debug exit / report a stop; returns false to end the guest. */
bool hv_gdb_handle_exit(struct hv *hv, int signo);
/* Print the vCPU registers after a fatal exit. */
void hv_dump_regs(const struct hv *hv);

/* Set when SIGINT/SIGTERM arrived (the signal number). */
extern volatile sig_atomic_t hv_signal;

#endif
