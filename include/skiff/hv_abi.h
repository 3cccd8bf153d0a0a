/* SPDX-License-Identifier: MIT */
/*
 * The skiff-hv ABI: what a plat/kvm image and the skiff-hv monitor agree on. Dependency-free,
 * fixed-width types, every layout checked at compile time, so the monitor (a Linux program) and
 * the image (freestanding) include the same file.
 *
 * Versioning: SKIFF_HV_ABI_VERSION changes with any incompatible change below. The image carries
 * it in an ELF note (struct hv_manifest); skiff-hv refuses an image whose version differs.
 *
 * Calls: the guest writes the guest-physical address (below 4 GiB) of the call's struct, 8-byte
 * aligned, with one 32-bit OUT to port SKIFF_HV_PORT_BASE + call number. The monitor checks the
 * address, the struct and every buffer it names against guest memory through one accessor; any
 * violation ends the guest with status SKIFF_HV_EXIT_VIOLATION and a message on stderr. Results
 * come back in the struct's out fields. Every address in a call is guest-physical: a guest that
 * maps memory elsewhere (Skiff runs thread stacks in an alias of RAM) translates first.
 *
 * Machine state at entry (the ELF entry point, 64-bit): CPL 3, IOPL 0, with the TSS I/O bitmap
 * opening the hypercall ports only (any other port, or any privileged instruction, faults),
 * paging on with the monitor's identity map of all guest memory (text read-only executable,
 * rodata read-only, everything else no-execute, page 0 and pages between the image's segments
 * unmapped; accessed/dirty bits preset),
 * SSE enabled, interrupts off and never delivered, %rdi = guest address of struct hv_boot_info.
 * A CPU exception enters hv_manifest.trap_entry + 16 * vector at CPL 0 on a monitor-provided
 * stack (IST1); a triple fault ends the guest and the monitor prints the registers. The page
 * tables are mapped writable: the guest may change its own mappings (add them, as for stacks),
 * and flush them from its CPL-0 stubs, which any exception enters.
 */
#ifndef SKIFF_HV_ABI_H
#define SKIFF_HV_ABI_H

/* The constants come first: the image's entry.S builds its manifest note from them. */

#define SKIFF_HV_ABI_VERSION 2
#define SKIFF_HV_PORT_BASE 0x500

#define HV_DEV_BLK 0x1
#define HV_DEV_NET 0x2
#define SKIFF_HV_NOTE_MANIFEST 0x534b0001

#ifndef __ASSEMBLY__
#include <stdint.h>

enum hv_call {
	HV_CALL_CONSOLE = 0,	/* struct hv_console */
	HV_CALL_POLL = 1,	/* struct hv_poll */
	HV_CALL_BLK = 2,	/* struct hv_blk_batch */
	HV_CALL_NET_SETUP = 3,	/* struct hv_net_setup */
	HV_CALL_EXIT = 4,	/* struct hv_exit */
	HV_CALL_ABORT = 5,	/* struct hv_abort */
	HV_CALL_MAX
};

/* Exit statuses of skiff-hv itself; 0-127 is the guest's own status (126, 127: see app.h). */
#define SKIFF_HV_EXIT_USAGE 250	    /* bad command line, unreadable file */
#define SKIFF_HV_EXIT_BAD_IMAGE 251    /* malformed ELF, wrong ABI version, does not fit */
#define SKIFF_HV_EXIT_VIOLATION 252    /* the guest broke the ABI (bad call, bad address) */
#define SKIFF_HV_EXIT_GUEST_FAULT 253  /* triple fault or an exit the monitor cannot serve */
#define SKIFF_HV_EXIT_INTERNAL 254     /* KVM or the host failed */
/* A signal (SIGINT, SIGTERM) ends skiff-hv with 128 + the signal number, as shells do. */

/* The ELF note the image carries: name "Skiff", type SKIFF_HV_NOTE_MANIFEST. */
#define SKIFF_HV_NOTE_NAME "Skiff"

struct hv_manifest {
	uint32_t abi_version;
	uint32_t devices;	/* HV_DEV_*: what the image can use */
	uint64_t trap_entry;	/* 256 CPL-0 trap stubs, 16 bytes apart */
};

/* Where the guest finds its world. All addresses are guest-physical = guest-virtual. */
#define HV_BOOT_MAGIC 0x534b4856 /* "SKHV" */
#define HV_BLK_PRESENT (1u << 0)
#define HV_BLK_READONLY (1u << 1)

struct hv_boot_info {
	uint32_t magic;
	uint32_t abi_version;
	uint64_t mem_size;	   /* guest RAM: [0, mem_size) */
	uint64_t free_start;	   /* first byte after the image and the monitor's data */
	uint64_t cmdline;	   /* NUL-terminated */
	uint64_t initrd;	   /* 0 when none */
	uint64_t initrd_len;
	uint64_t tsc_hz;	   /* the guest TSC's frequency */
	uint64_t wall_ns;	   /* host wall clock (ns since 1970) when the vCPU started */
	uint64_t page_table;	   /* the PML4, writable: the guest may change its mappings */
	uint64_t blk_sectors;	   /* capacity in 512-byte sectors */
	uint32_t blk_flags;	   /* HV_BLK_* */
	uint32_t console_flags;   /* HV_CONSOLE_* (0 from monitors before the flag existed) */
	uint64_t trap_stack;	   /* a stack the CPL-0 trap stubs may hand to CPL-3 code */
	uint32_t net_count;	   /* NICs attached: 0 to HV_NET_MAX_NICS */
	uint32_t reserved0;
	uint8_t net_mac[4][8];	   /* NIC i's MAC in net_mac[i][0..6) */
	uint64_t reserved[2];
};

struct hv_console {
	uint64_t data;		/* in: guest address */
	uint64_t len;		/* in: at most HV_CONSOLE_MAX */
};
#define HV_CONSOLE_MAX 65536
/* The monitor's console output is a terminal, not a file or a pipe (the C library line-buffers). */
#define HV_CONSOLE_TERMINAL 0x1

/* Block until timeout_ns has passed or a device has an event; returns early on either. */
struct hv_poll {
	uint64_t timeout_ns;	/* in */
	uint32_t ready;		/* out: HV_DEV_* with events */
	uint32_t reserved;
};

/* Block I/O: up to HV_BLK_MAX_REQS requests in one exit, each up to HV_BLK_MAX_BYTES. */
#define HV_BLK_SECTOR 512
#define HV_BLK_MAX_REQS 64
#define HV_BLK_MAX_BYTES (1u << 20)

enum hv_blk_op {
	HV_BLK_READ = 0,
	HV_BLK_WRITE = 1,
	HV_BLK_FLUSH = 2,
};

enum hv_blk_status {
	HV_BLK_OK = 0,
	HV_BLK_EIO = 1,		/* the host's read or write failed */
	HV_BLK_EINVAL = 2,	/* outside the disk, zero length, unknown op */
	HV_BLK_EROFS = 3,	/* write to a read-only disk */
	HV_BLK_ENODEV = 4,	/* no disk attached */
};

struct hv_blk_req {
	uint32_t op;		/* in: enum hv_blk_op */
	uint32_t status;	/* out: enum hv_blk_status */
	uint64_t sector;	/* in: first 512-byte sector */
	uint64_t buf;		/* in: guest address */
	uint32_t len;		/* in: bytes, a multiple of HV_BLK_SECTOR (0 for FLUSH) */
	uint32_t reserved;
};

struct hv_blk_batch {
	uint64_t reqs;		/* in: guest address of nreqs struct hv_blk_req */
	uint32_t nreqs;		/* in */
	uint32_t done;		/* out: requests processed (all of them unless a violation) */
};

/*
 * Networking: per NIC, two rings of packet slots in guest memory, one per direction, announced
 * once with HV_CALL_NET_SETUP. Indices are free-running 32-bit counters (slot = index % slots);
 * each is written by its side only. The guest fills TX slots and advances tx.prod; the monitor
 * fills RX slots and advances rx.prod, while the guest runs (an I/O thread in the monitor) or
 * in the poll call, so a burst of frames in either direction costs no exit of its own. The guest
 * exits only when it has nothing to do (HV_CALL_POLL), and the monitor then also sends what the
 * TX ring holds.
 *
 * host_idle: the monitor sets it before its I/O thread sleeps (and clears it when it wakes), and
 * keeps it set where it moves frames only in poll calls (no I/O thread); a guest that finds it
 * set after adding TX frames knows they go out only at its next poll call, so it makes that call
 * instead of spinning for an answer first.
 *
 * spin_us: how long the guest should watch its RX ring for a frame before it makes the poll
 * call, written by the monitor during the setup call (its I/O thread watches as long). The guest
 * puts HV_NET_SPIN_OWN there before the call: a monitor that leaves it so lets the image use its
 * own default. A watch pays where the guest, the monitor's I/O thread and the peer each have a
 * CPU; where they share too few, the watcher holds the CPU that the awaited frame needs.
 *
 * The monitor trusts nothing here: see docs/architecture.md (skiff-hv networking) for what is a
 * violation (status 252) and what is a dropped, counted frame.
 */
#define HV_NET_MAX_NICS 4
#define HV_NET_MAX_SLOTS 256	/* per ring, a power of two */
#define HV_NET_SLOT_SIZE 2048
#define HV_NET_MAX_FRAME 1514	/* Ethernet header and 1500 bytes of payload, no FCS */

struct hv_net_slot {
	uint32_t len;		/* frame bytes in data */
	uint32_t reserved;
	uint8_t data[HV_NET_SLOT_SIZE - 8];
};

struct hv_net_idx {
	uint32_t prod;		/* written by the producer only */
	uint32_t cons;		/* written by the consumer only */
	uint32_t reserved[14];	/* one 64-byte line per ring */
};

struct hv_net_shared {
	struct hv_net_idx tx;	/* guest to host */
	struct hv_net_idx rx;	/* host to guest */
	uint32_t host_idle;	/* written by the monitor */
	uint32_t spin_us;	/* written by the monitor at setup; HV_NET_SPIN_OWN: the guest's own */
	uint32_t reserved[14];
};

#define HV_NET_SPIN_OWN 0xffffffffu
#define HV_NET_SPIN_MAX_US 1000

struct hv_net_setup {
	uint32_t nic;		/* in: 0 to boot info's net_count - 1 */
	uint32_t slots;		/* in: slots per ring, a power of two, 1 to HV_NET_MAX_SLOTS */
	uint64_t shared;	/* in: guest address of struct hv_net_shared, 64-byte aligned */
	uint64_t tx_slots;	/* in: guest address of the TX ring's slots, 64-byte aligned */
	uint64_t rx_slots;	/* in: and of the RX ring's */
};

struct hv_exit {
	int32_t status;		/* in */
	uint32_t reserved;
};

/* The guest cannot go on: the monitor prints message and ends with status (127 if 0). */
struct hv_abort {
	uint64_t message;	/* in: guest address, NUL not required */
	uint64_t len;		/* in: at most HV_ABORT_MAX */
	int32_t status;
	uint32_t reserved;
};
#define HV_ABORT_MAX 512

_Static_assert(sizeof(struct hv_manifest) == 16, "hv_manifest layout");
_Static_assert(sizeof(struct hv_boot_info) == 152, "hv_boot_info layout");
_Static_assert(__builtin_offsetof(struct hv_boot_info, tsc_hz) == 48, "hv_boot_info.tsc_hz");
_Static_assert(__builtin_offsetof(struct hv_boot_info, trap_stack) == 88, "hv_boot_info.trap_stack");
_Static_assert(sizeof(struct hv_console) == 16, "hv_console layout");
_Static_assert(sizeof(struct hv_poll) == 16, "hv_poll layout");
_Static_assert(sizeof(struct hv_blk_req) == 32, "hv_blk_req layout");
_Static_assert(__builtin_offsetof(struct hv_blk_req, buf) == 16, "hv_blk_req.buf");
_Static_assert(sizeof(struct hv_blk_batch) == 16, "hv_blk_batch layout");
_Static_assert(__builtin_offsetof(struct hv_boot_info, net_mac) == 104, "hv_boot_info.net_mac");
_Static_assert(sizeof(struct hv_net_slot) == HV_NET_SLOT_SIZE, "hv_net_slot layout");
_Static_assert(sizeof(struct hv_net_idx) == 64, "hv_net_idx layout");
_Static_assert(sizeof(struct hv_net_shared) == 192, "hv_net_shared layout");
_Static_assert(sizeof(struct hv_net_setup) == 32, "hv_net_setup layout");
_Static_assert(sizeof(struct hv_exit) == 8, "hv_exit layout");
_Static_assert(sizeof(struct hv_abort) == 24, "hv_abort layout");

#endif /* __ASSEMBLY__ */
#endif
