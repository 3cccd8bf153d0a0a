// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the network ring checks (hv/net.c): the input becomes a NIC's setup call,
 * the indices of its shared page and the contents of its TX slots in a guest with 1 or 2 MiB
 * above its image, run through hv_net_check_setup, hv_net_ring_used and hv_net_tx_frame as the
 * setup call and the I/O thread run them. Besides memory errors it checks what the monitor
 * relies on: rings that pass lie in guest memory above its own pages and apart, indices never
 * claim more than the slots, and a frame that goes out is a whole Ethernet frame from the NIC's
 * own MAC. Build and run: make fuzz (or FUZZ_TIME=seconds); tests/hv.sh seeds it with a NIC
 * that passes setup.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <hv/hv.h>

#define MEM_MAX (HV_IMAGE_MIN + (2u << 20))

/* The flags byte of the input. */
#define F_MEM_2M 0x1	/* 2 MiB of guest memory above the image, else 1 MiB */
#define F_FOLD 0x2	/* addresses taken 64-aligned inside twice the memory: the fuzzer reaches
			   rings that pass, and ones just outside, without guessing 64-bit values */
#define F_AGAIN 0x4	/* a second setup call for the NIC once it runs */
#define F_SAME 0x8	/* ... naming the same rings as the first */

/* The input, in this order; what follows it is the TX slots' contents, slot after slot. */
struct net_input {
	struct hv_net_setup setup, again;
	uint32_t tx_prod, tx_cons;	/* the guest's producer index, the I/O thread's consumer index */
	uint32_t rx_prod, rx_cons;	/* the I/O thread's producer index, the guest's consumer index */
	uint8_t mac[6];
	uint8_t flags;
	uint8_t unused;
};

volatile sig_atomic_t hv_signal; /* netio.c's, which net.c links to; never set here */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_net: %s\n", what);
		abort();
	}
}

static bool overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

static bool inside(const struct hv_guest *g, uint64_t gpa, uint64_t len)
{
	return gpa >= HV_IMAGE_MIN && gpa % 64 == 0 && gpa <= g->size && len <= g->size - gpa;
}

static void fold(struct hv_net_setup *s, uint64_t mem)
{
	s->shared = s->shared % (2 * mem) & ~63ULL;
	s->tx_slots = s->tx_slots % (2 * mem) & ~63ULL;
	s->rx_slots = s->rx_slots % (2 * mem) & ~63ULL;
}

/* A setup that passed: everything the I/O thread will touch is guest memory it may use. */
static void check_accepted(const struct hv_guest *g, const struct hv_net_setup *s,
			   const struct hv_nic *n)
{
	uint64_t ring = (uint64_t)s->slots * HV_NET_SLOT_SIZE, sh = sizeof(struct hv_net_shared);

	check(s->slots >= 1 && s->slots <= HV_NET_MAX_SLOTS && !(s->slots & (s->slots - 1)),
	      "accepted a slot count that is not a power of two up to 256");
	check(inside(g, s->shared, sh) && inside(g, s->tx_slots, ring) && inside(g, s->rx_slots, ring),
	      "accepted a ring outside guest memory, below the image or not 64-byte aligned");
	check(!overlap(s->shared, sh, s->tx_slots, ring) && !overlap(s->shared, sh, s->rx_slots, ring) &&
		      !overlap(s->tx_slots, ring, s->rx_slots, ring),
	      "accepted overlapping rings");
	check(n->slots == s->slots && n->shared_gpa == s->shared && n->tx_gpa == s->tx_slots &&
		      n->rx_gpa == s->rx_slots,
	      "the NIC does not hold the rings that were accepted");
	check((uint8_t *)n->shared == g->mem + s->shared && (uint8_t *)n->tx == g->mem + s->tx_slots &&
		      (uint8_t *)n->rx == g->mem + s->rx_slots,
	      "the NIC's host pointers are not the rings' guest addresses");
}

/* hv_net_ring_used: exactly prod - cons entries, or -1 when that is more than the slots. */
static int check_used(uint32_t prod, uint32_t cons, uint32_t slots)
{
	int used = hv_net_ring_used(prod, cons, slots);

	if (prod - cons <= slots)
		check(used >= 0 && (uint32_t)used == prod - cons, "ring_used miscounts possible indices");
	else
		check(used == -1, "ring_used accepts indices claiming more entries than slots");
	return used;
}

/* Every TX slot the indices claim, as drain_tx takes them: sent only when whole and ours. */
static void drain(struct hv_nic *n, uint32_t prod, uint32_t cons)
{
	static uint8_t out[HV_NET_MAX_FRAME];
	uint64_t sent = 0, claimed = prod - cons;

	for (; cons != prod; cons++) {
		const struct hv_net_slot *s = &n->tx[cons & (n->slots - 1)];
		bool good = s->len >= 14 && s->len <= HV_NET_MAX_FRAME && !memcmp(s->data + 6, n->mac, 6);
		uint32_t len = hv_net_tx_frame(n, s, out, &n->c);

		check(len == (good ? s->len : 0), "tx_frame sends a frame it should drop, or drops a good one");
		if (len) {
			check(!memcmp(out, s->data, len), "tx_frame sends other bytes than the slot's");
			sent++;
		}
	}
	check(sent + n->c.tx_bad_len + n->c.tx_spoofed == claimed, "tx_frame's counters miss frames");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct hv_guest g;
	static struct hv_nic n;
	struct net_input in;
	const char *why;
	size_t ring;

	if (!g.mem && !(g.mem = calloc(1, MEM_MAX))) /* once: only the rings in use are written */
		abort();
	if (size < sizeof(in))
		return 0;
	memcpy(&in, data, sizeof(in));
	data += sizeof(in);
	size -= sizeof(in);
	g.size = in.flags & F_MEM_2M ? MEM_MAX : MEM_MAX - (1u << 20);
	if (in.flags & F_FOLD) {
		fold(&in.setup, g.size);
		fold(&in.again, g.size);
	}
	memset(&n, 0, sizeof(n));
	n.fd = -1;
	memcpy(n.mac, in.mac, 6);

	if ((why = hv_net_check_setup(&g, HV_IMAGE_MIN, &in.setup, &n))) {
		check(!n.slots && !n.shared && !n.tx && !n.rx, "a refused setup changed the NIC");
		return 0;
	}
	check_accepted(&g, &in.setup, &n);
	atomic_store(&n.ready, true);

	/* Once the NIC runs, a setup passes only when it names the very same rings. */
	if (in.flags & F_AGAIN) {
		if (in.flags & F_SAME)
			in.again = in.setup;
		in.again.nic = in.setup.nic; /* hv_net_call's to check, not this function's */
		why = hv_net_check_setup(&g, HV_IMAGE_MIN, &in.again, &n);
		check_accepted(&g, &in.setup, &n); /* still the first rings, whatever the answer */
		check(!why == !memcmp(&in.again, &in.setup, sizeof(in.setup)),
		      "a running NIC's rings changed, or the same rings were refused");
	}

	/* The guest's side: its TX slots and indices, as it may write them (zero but for the input). */
	ring = (size_t)n.slots * sizeof(struct hv_net_slot);
	memset(n.shared, 0, sizeof(*n.shared));
	memset(n.tx, 0, ring);
	memcpy(n.tx, data, size < ring ? size : ring);
	n.shared->tx.prod = in.tx_prod;
	n.shared->rx.cons = in.rx_cons;
	n.tx_cons = in.tx_cons;
	n.rx_prod = in.rx_prod;

	if (check_used(n.shared->tx.prod, n.tx_cons, n.slots) >= 0)
		drain(&n, n.shared->tx.prod, n.tx_cons);
	check_used(n.rx_prod, n.shared->rx.cons, n.slots);
	return 0;
}
