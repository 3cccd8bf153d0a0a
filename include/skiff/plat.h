/* SPDX-License-Identifier: MIT */
/*
 * The platform interface: the ONLY way the kernel and the libraries reach the machine.
 *
 * Every platform (plat/kvm, plat/xen, plat/stub for host tests) implements each function below.
 * The kernel never includes a platform header and is compiled without any -Iplat/... flag, so a
 * platform detail cannot leak into it by accident.
 *
 * Calls are made from thread context with the scheduler's lock-free cooperative model: a platform
 * function is never re-entered from another thread while it runs, but it may be called before the
 * scheduler exists (early boot) and from the crash path.
 */
#ifndef SKIFF_PLAT_H
#define SKIFF_PLAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdnoreturn.h>

/* Result codes across the platform interface (device calls; see the net/blk sections). */
enum plat_result {
	PLAT_OK = 0,
	PLAT_AGAIN = 1,	      /* nothing to do now; try after the next plat_idle */
	PLAT_EINVAL = 2,      /* bad argument */
	PLAT_EUNSPEC = 3,     /* any other failure */
	PLAT_ENODEV = 4,      /* no such device */
	PLAT_EROFS = 5,	      /* the device is read-only */
	PLAT_EIO = 6,	      /* the device (or the host behind it) failed */
};

/* One range of RAM the kernel may use. Memory is identity mapped: base is also its address. */
struct plat_mem_region {
	uint64_t base;
	uint64_t len;
};

#define PLAT_MAX_MEM_REGIONS 16

/*
 * What a platform hands to kernel_main. All pointers stay valid for the life of the image.
 * mem[] lists usable RAM with everything the platform itself occupies already cut out: the image,
 * its boot page tables, the initrd and any firmware data it still needs.
 */
struct plat_boot_info {
	const char *plat_name;	/* "kvm-qemu", "kvm-hv", "xen-pv", ... for logs */
	const char *cmdline;	/* never NULL; "" when there is none */
	struct plat_mem_region mem[PLAT_MAX_MEM_REGIONS];
	unsigned nr_mem;
	uint64_t ram_bytes;	/* all RAM the machine has, for the "too little memory" message */
	const void *initrd;	/* NULL when there is none */
	size_t initrd_len;
	uint64_t boot_tsc;	/* cycle counter at the first instruction, 0 if unknown (boot timing) */
	/*
	 * The host shows the console in a file or a pipe rather than a terminal, so the C library may
	 * buffer stdout fully, as Linux does for a program whose output is redirected.
	 */
	bool console_not_terminal;
	/*
	 * A stack for the main thread that the platform set up before the first instruction:
	 * [main_stack, main_stack + main_stack_size), its first page never mapped (a guard). NULL
	 * when there is none; the kernel then allocates one like any thread's.
	 */
	void *main_stack;
	size_t main_stack_size;
};

/* The kernel's entry point: each platform's boot code ends here. Never returns. */
noreturn void kernel_main(const struct plat_boot_info *bi);

/*
 * Called once by the kernel when memory, the heap and the scheduler work, before the app starts:
 * platform services that need them (threads, allocation) start here.
 */
void plat_late_init(void);

/* Write len bytes to the console. Blocks until the platform has taken them; never fails. */
void plat_console_write(const char *buf, size_t len);

/* Nanoseconds since an arbitrary point at boot; never goes backwards. */
uint64_t plat_time_monotonic_ns(void);

/* Nanoseconds since the Unix epoch, or 0 when the platform has no wall clock. */
uint64_t plat_time_wall_ns(void);

#define PLAT_DEADLINE_NONE UINT64_MAX

/*
 * Block until monotonic time deadline_ns, or until any device event, whichever comes first; return
 * at once when deadline_ns has passed. May return early for no reason (callers re-check). The
 * scheduler calls it when no thread can run; nothing else in the kernel knows how a platform
 * waits. PLAT_DEADLINE_NONE waits for a device event only.
 */
void plat_idle(uint64_t deadline_ns);

/* End the image with status (0 = success) reported to the host. */
noreturn void plat_halt(int status);

/*
 * End the image because it cannot go on (the crash path): print nothing more, report failure to the
 * host. msg is a short reason the platform may hand to its host (skiff-hv prints it).
 */
noreturn void plat_abort(const char *msg);

/*
 * Thread stacks. The kernel allocates a stack's 2^order pages at addr (aligned to their size) and
 * asks where to run it: at an address whose lowest page faults (a guard page), so that a thread
 * running off its stack stops at once instead of corrupting memory. Returns that address (addr
 * itself when the platform guards in place), or NULL when it cannot guard; the kernel then runs
 * the stack at addr with only its canary. plat_stack_release(stack, addr, order) undoes
 * plat_stack_map before the pages go back to the allocator.
 */
void *plat_stack_map(void *addr, unsigned order);
void plat_stack_release(void *stack, void *addr, unsigned order);

/*
 * Network interfaces: NICs by index, 0 to plat_net_count() - 1, each with a MAC address and an
 * MTU. Frames are whole Ethernet frames without the FCS (header and payload, at most
 * PLAT_NET_MAX_FRAME bytes), sent and received in batches. A frame's arrival ends plat_idle: the
 * kernel then takes what came with plat_net_recv until it has none. A driver trusts nothing its
 * device hands it: a length, index or descriptor out of range is dropped and counted, never
 * followed (plat_net_stats).
 */
#define PLAT_NET_MAX_NICS 4
#define PLAT_NET_MAX_FRAME 1514	/* 1500 bytes of MTU and the 14-byte Ethernet header */

/* plat_net_info.offload: what the NIC does for the stack. */
#define PLAT_NET_TX_CSUM 1u	/* it completes the checksum a sent frame marks (csum_start) */
#define PLAT_NET_RX_CSUM 2u	/* it says what it knows of a received frame's checksum (rx_csum) */

/* plat_net_frame.rx_csum, with PLAT_NET_RX_CSUM (else always UNKNOWN). */
enum plat_net_rx_csum {
	PLAT_NET_CSUM_UNKNOWN = 0,	/* nothing checked: the stack checks */
	PLAT_NET_CSUM_VALID = 1,	/* the device (or the host) verified the L4 checksum */
	PLAT_NET_CSUM_PARTIAL = 2,	/* sent by the host itself, its checksum not finished: only the
					   pseudo-header's sum sits at csum_start + csum_offset */
};

struct plat_net_info {
	uint8_t mac[6];
	uint16_t mtu;		/* payload bytes per frame, at most 1500 */
	const char *model;	/* "virtio-net (PCI)", for the boot log */
	unsigned offload;	/* PLAT_NET_* */
};

struct plat_net_frame {
	void *buf;
	uint32_t len;		/* send: the frame's length; recv: in, buf's size; out, the frame's */
	/*
	 * Send, with PLAT_NET_TX_CSUM (0 otherwise): the NIC sums the frame from byte
	 * csum_start to its end, starting from what is in the 16-bit field at csum_start +
	 * csum_offset (the stack leaves the pseudo-header's sum there), and stores the result
	 * there, as Linux's CHECKSUM_PARTIAL and virtio's NEEDS_CSUM do.
	 */
	uint16_t csum_start, csum_offset;
	uint8_t rx_csum;	/* recv: enum plat_net_rx_csum (csum_start/offset set for PARTIAL) */
};

struct plat_net_stats {
	uint64_t rx_frames, tx_frames;
	uint64_t rx_dropped;	/* what the device handed over that could not be a frame */
	uint64_t tx_dropped;	/* frames too long, or no room in the device */
};

unsigned plat_net_count(void);
/* PLAT_OK and *info filled, PLAT_ENODEV for an index without a NIC. */
int plat_net_info(unsigned nic, struct plat_net_info *info);
/*
 * Hand up to n frames to the NIC. Returns how many it took (from the first; the rest are the
 * caller's to retry after the next plat_idle, or drop), or -PLAT_ENODEV.
 */
int plat_net_send(unsigned nic, const struct plat_net_frame *f, unsigned n);
/*
 * Copy up to n received frames into f[0..n) (each buf at least PLAT_NET_MAX_FRAME bytes, len its
 * size), setting each len. Returns how many (0: none waiting), or -PLAT_ENODEV.
 */
int plat_net_recv(unsigned nic, struct plat_net_frame *f, unsigned n);
int plat_net_stats(unsigned nic, struct plat_net_stats *st);

/* Block device: one per image for now. Requests complete before plat_blk_submit returns. */
#define PLAT_BLK_SECTOR 512
#define PLAT_BLK_MAX_REQS 64	  /* per plat_blk_submit call */
#define PLAT_BLK_MAX_BYTES (1u << 20) /* per request */

struct plat_blk_info {
	uint64_t sectors;	/* capacity in PLAT_BLK_SECTOR-byte sectors */
	bool read_only;
};

enum plat_blk_op {
	PLAT_BLK_READ,
	PLAT_BLK_WRITE,
	PLAT_BLK_FLUSH,
};

struct plat_blk_req {
	enum plat_blk_op op;
	int status;		/* out: enum plat_result */
	uint64_t sector;
	void *buf;
	uint32_t len;		/* bytes, a multiple of PLAT_BLK_SECTOR; 0 for FLUSH */
};

/* PLAT_OK and *info filled, or PLAT_ENODEV when the image has no block device. */
int plat_blk_info(struct plat_blk_info *info);
/*
 * Run n requests (at most PLAT_BLK_MAX_REQS) as one batch, in order; each gets its own status.
 * Returns PLAT_OK when all were attempted, PLAT_EINVAL for a bad n, PLAT_ENODEV with no device.
 */
int plat_blk_submit(struct plat_blk_req *reqs, unsigned n);

/*
 * Frames the backtrace may follow: true when [addr, addr+len) is mapped readable memory. Lets the
 * crash path walk a corrupt frame chain without faulting again.
 */
bool plat_addr_readable(uintptr_t addr, size_t len);

#endif
