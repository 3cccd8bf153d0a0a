/* SPDX-License-Identifier: MIT */
/*
 * skiff-hv's NICs: taps opened before the sandbox (tap.c), rings the guest announces and the
 * monitor checks (net.c), and what moves frames between them (netio.c): an I/O thread while the
 * guest runs, when the rings are watched (--net-spin), else the vCPU thread in poll calls. One
 * thread only consumes TX slots and produces RX slots; the vCPU thread serves the setup and poll
 * calls.
 */
#ifndef HV_NET_H
#define HV_NET_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <skiff/hv_abi.h>
#include <hv/guest.h>

struct hv_net_counters {
	_Atomic uint64_t tx_frames, rx_frames;	/* frames moved */
	_Atomic uint64_t tx_bad_len;		/* a TX slot's length under 14 or over 1514 */
	_Atomic uint64_t tx_spoofed;		/* a TX frame whose source MAC is not the NIC's */
	_Atomic uint64_t tx_errors;		/* the tap refused a frame */
	_Atomic uint64_t rx_bad_len;		/* a frame from the tap under 14 or over 1514 bytes */
	_Atomic uint64_t rx_ring_full;		/* times the guest's RX ring filled up (reads held back) */
};

struct hv_nic {
	const char *tap;	/* the interface name given with --net */
	unsigned index;		/* NIC index: the order of --net */
	int fd;			/* the tap, non-blocking; -1 before it is open */
	uint8_t mac[6];
	bool mac_given;		/* --net-mac; else derived from the tap's name */
	/* The rings, once the guest set them up; host pointers checked at setup. */
	_Atomic bool ready;
	uint32_t slots;
	uint64_t shared_gpa, tx_gpa, rx_gpa;
	struct hv_net_shared *shared;
	struct hv_net_slot *tx, *rx;
	/* The I/O thread's own indices: the guest's copies in the shared page are only read. */
	uint32_t tx_cons, rx_prod;	/* tx_cons: also read by the vCPU thread (__atomic) */
	bool rx_full;		/* the RX ring had no room: the tap is not polled until it has */
	struct hv_net_counters c;
};

struct hv_net {
	unsigned count;
	struct hv_nic nic[HV_NET_MAX_NICS];
	int kick_fd;		/* eventfd: the vCPU thread wakes the I/O thread */
	int wake_fd;		/* eventfd: the I/O thread wakes a guest waiting in poll */
	_Atomic bool guest_waiting;	/* the vCPU thread is in a poll call */
	uint32_t spin_us;	/* how long both sides watch the rings before they sleep */
	bool started;		/* the I/O thread runs (else poll calls move the frames) */
};

/* A violation found outside the vCPU thread: say it and end skiff-hv with status 252. */
_Noreturn void hv_net_violation(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Ring checks, shared by the I/O thread and the fuzzer. Each returns the number of entries the
 * ring holds, or -1 when the indices are impossible (more entries than slots).
 */
int hv_net_ring_used(uint32_t prod, uint32_t cons, uint32_t slots);
/*
 * A TX frame as the monitor will send it: copied out of the slot first (the guest may change the
 * slot meanwhile), then checked. Returns its length, or 0 when it is dropped (counted in c).
 */
uint32_t hv_net_tx_frame(const struct hv_nic *n, const struct hv_net_slot *s, uint8_t *out,
			 struct hv_net_counters *c);
/*
 * The setup call's checks: NULL and the rings in n set, or a message for the violation. Rings
 * must lie in guest memory, above the monitor's own pages (below limit) and apart from each other.
 */
const char *hv_net_check_setup(const struct hv_guest *g, uint64_t limit, const struct hv_net_setup *s,
			       struct hv_nic *n);

#endif
