// SPDX-License-Identifier: MIT
/*
 * The guest's side of skiff-hv networking, as the monitor checks it: the setup call that
 * announces a NIC's rings, and the checks every ring index and TX frame passes before the I/O
 * thread (netio.c) acts on it. What is a violation and what is a dropped frame:
 *   - a setup call for a NIC that is not attached, a slot count that is not a power of two up
 *     to HV_NET_MAX_SLOTS, rings outside guest memory, over the monitor's own pages (below the
 *     image) or over each other, or a second setup naming other rings: a violation (the guest
 *     is broken; status 252, one line);
 *   - ring indices that claim more entries than slots: a violation, found by the I/O thread;
 *   - a TX slot length under an Ethernet header or over HV_NET_MAX_FRAME, or a source MAC that is
 *     not the NIC's: the frame is dropped and counted (--stats), the guest goes on, as a real
 *     NIC drops a runt or a switch port with a MAC filter drops a spoofed frame.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <hv/hv.h>

#define ETH_HLEN 14

static struct hv *stats_hv;	/* --stats */
static void print_stats(struct hv *hv);

_Noreturn void hv_net_violation(const char *fmt, ...)
{
	va_list ap;

	fputs("skiff-hv: guest violation: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	/* _exit, not exit: the vCPU thread may be ending too, and exit() must not run twice at once. */
	if (stats_hv)
		print_stats(stats_hv);
	_exit(SKIFF_HV_EXIT_VIOLATION);
}

int hv_net_ring_used(uint32_t prod, uint32_t cons, uint32_t slots)
{
	uint32_t used = prod - cons; /* free-running: the difference is right across the wrap */

	return used <= slots ? (int)used : -1;
}

uint32_t hv_net_tx_frame(const struct hv_nic *n, const struct hv_net_slot *s, uint8_t *out,
			 struct hv_net_counters *c)
{
	uint32_t len = __atomic_load_n(&s->len, __ATOMIC_RELAXED);

	if (len < ETH_HLEN || len > HV_NET_MAX_FRAME) {
		atomic_fetch_add(&c->tx_bad_len, 1);
		return 0;
	}
	memcpy(out, s->data, len);
	if (memcmp(out + 6, n->mac, 6)) {
		atomic_fetch_add(&c->tx_spoofed, 1);
		return 0;
	}
	return len;
}

static bool overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

const char *hv_net_check_setup(const struct hv_guest *g, uint64_t limit, const struct hv_net_setup *s,
			       struct hv_nic *n)
{
	uint64_t ring_len = (uint64_t)s->slots * HV_NET_SLOT_SIZE;
	void *shared, *tx, *rx;

	if (!s->slots || s->slots > HV_NET_MAX_SLOTS || (s->slots & (s->slots - 1)))
		return "net setup: slots must be a power of two from 1 to 256";
	shared = guest_ptr(g, s->shared, sizeof(struct hv_net_shared), 64);
	tx = guest_ptr(g, s->tx_slots, ring_len, 64);
	rx = guest_ptr(g, s->rx_slots, ring_len, 64);
	if (!shared || !tx || !rx)
		return "net setup: a ring is outside guest memory or not 64-byte aligned";
	if (s->shared < limit || s->tx_slots < limit || s->rx_slots < limit)
		return "net setup: a ring lies over the monitor's own pages (below the image)";
	if (overlap(s->shared, sizeof(struct hv_net_shared), s->tx_slots, ring_len) ||
	    overlap(s->shared, sizeof(struct hv_net_shared), s->rx_slots, ring_len) ||
	    overlap(s->tx_slots, ring_len, s->rx_slots, ring_len))
		return "net setup: the rings overlap";
	if (atomic_load(&n->ready)) {
		if (n->slots != s->slots || n->shared_gpa != s->shared || n->tx_gpa != s->tx_slots ||
		    n->rx_gpa != s->rx_slots)
			return "net setup: the rings' addresses changed while the NIC runs";
		return NULL; /* the same rings again: nothing changes */
	}
	n->slots = s->slots;
	n->shared_gpa = s->shared;
	n->tx_gpa = s->tx_slots;
	n->rx_gpa = s->rx_slots;
	n->shared = shared;
	n->tx = tx;
	n->rx = rx;
	return NULL;
}

/* HV_CALL_NET_SETUP: rings in place, then the I/O thread may use them. */
void hv_net_call(struct hv *hv, uint64_t gpa)
{
	const struct hv_net_setup *p = GUEST_STRUCT(&hv->guest, gpa, struct hv_net_setup);
	struct hv_net_setup s;
	struct hv_nic *n;
	const char *why;

	if (!p) {
		hv_stop(hv, SKIFF_HV_EXIT_VIOLATION, "guest violation: net setup call at bad address 0x%llx",
			(unsigned long long)gpa);
		return;
	}
	s = *p;
	if (s.nic >= hv->net.count) {
		hv_stop(hv, SKIFF_HV_EXIT_VIOLATION, "guest violation: net setup for NIC %u, but %u attached",
			s.nic, hv->net.count);
		return;
	}
	n = &hv->net.nic[s.nic];
	if ((why = hv_net_check_setup(&hv->guest, HV_IMAGE_MIN, &s, n))) {
		hv_stop(hv, SKIFF_HV_EXIT_VIOLATION, "guest violation: NIC %u: %s", s.nic, why);
		return;
	}
	if (!atomic_load(&n->ready)) {
		__atomic_store_n(&n->shared->spin_us, hv->net.spin_us, __ATOMIC_RELAXED);
		/* Without an I/O thread, only a poll call moves frames: the guest must know. */
		__atomic_store_n(&n->shared->host_idle, !hv->net.started, __ATOMIC_RELAXED);
		atomic_store(&n->ready, true);
		hv_netio_kick(hv);
	}
}

static void print_stats(struct hv *hv)
{
	static const char *const names[HV_CALL_MAX] = { "console", "poll", "blk", "net-setup", "exit", "abort" };
	uint64_t total = 0;

	fprintf(stderr, "skiff-hv: exits:");
	for (int i = 0; i < HV_CALL_MAX; i++) {
		fprintf(stderr, " %s %llu", names[i], (unsigned long long)atomic_load(&hv->exits[i]));
		total += atomic_load(&hv->exits[i]);
	}
	fprintf(stderr, " other %llu, total %llu\n", (unsigned long long)atomic_load(&hv->exits_other),
		(unsigned long long)(total + atomic_load(&hv->exits_other)));
	if (hv->net.count)
		fprintf(stderr, "skiff-hv: net: rings watched for %u us after traffic%s\n", hv->net.spin_us,
			hv->net.started ? " (an I/O thread)" : " (frames move in poll calls)");
	for (unsigned i = 0; i < hv->net.count; i++) {
		struct hv_net_counters *c = &hv->net.nic[i].c;

		fprintf(stderr,
			"skiff-hv: net%u (%s): tx %llu frames, dropped %llu bad length, %llu spoofed, %llu tap "
			"errors; rx %llu frames, dropped %llu bad length; rx ring full %llu times\n",
			i, hv->net.nic[i].tap, (unsigned long long)c->tx_frames,
			(unsigned long long)c->tx_bad_len, (unsigned long long)c->tx_spoofed,
			(unsigned long long)c->tx_errors, (unsigned long long)c->rx_frames,
			(unsigned long long)c->rx_bad_len, (unsigned long long)c->rx_ring_full);
	}
}

static void stats_at_exit(void)
{
	print_stats(stats_hv);
}

void hv_stats_enable(struct hv *hv)
{
	stats_hv = hv;
	atexit(stats_at_exit);
}
