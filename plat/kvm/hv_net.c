// SPDX-License-Identifier: MIT
/*
 * NICs under skiff-hv: per NIC a TX and an RX ring of 2 KiB slots shared with the monitor
 * (include/skiff/hv_abi.h), announced once with HV_CALL_NET_SETUP. The monitor's I/O thread
 * drains TX and fills RX while the image runs, so sending and receiving cost no exit; the image
 * exits only when it has nothing to do, and before that it watches the RX rings for a short
 * while if frames moved lately (hv_net_idle), so a busy server exits rarely.
 *
 * The monitor is not trusted either: an RX index claiming more frames than slots, or a frame
 * length over a frame or under a header, is dropped and counted, never followed.
 */
#define pr_tag "hv-net"
#include <string.h>
#include <skiff/config.h>
#include <skiff/page.h>
#include <skiff/printk.h>
#include <kvm/hv.h>

#define SLOTS_WANTED CONFIG_KVM_HV_NET_SLOTS
#define ACTIVE_NS 5000000ULL	/* "lately": frames moved in the last 5 ms */
#define ETH_HLEN 14

struct hv_nic {
	struct hv_net_shared *shared;
	struct hv_net_slot *tx, *rx;
	uint32_t slots;
	uint32_t tx_prod, rx_cons;	/* ours; the shared page's copies are for the monitor */
	uint8_t mac[6];
	struct plat_net_stats st;
};

static struct hv_nic nics[HV_NET_MAX_NICS];
static unsigned nr_nics;
static uint64_t last_activity;	/* when a frame last moved either way */
/* How long to watch the RX rings before a poll call: the monitor's word, else the Kconfig's. */
static uint64_t spin_ns = (uint64_t)CONFIG_KVM_HV_NET_SPIN_US * 1000;

/* The largest power of two not over the Kconfig value (it promises to round down). */
static uint32_t slots_per_ring(void)
{
	uint32_t s = 1;

	while (s * 2 <= SLOTS_WANTED)
		s *= 2;
	return s;
}

static unsigned order_of(size_t bytes)
{
	unsigned order = 0;

	while ((SK_PAGE_SIZE << order) < bytes)
		order++;
	return order;
}

static bool nic_setup(struct hv_nic *n, unsigned index, const uint8_t *mac)
{
	uint32_t slots = slots_per_ring();
	unsigned order = order_of((size_t)slots * sizeof(struct hv_net_slot));
	struct hv_net_setup s;

	n->shared = sk_page_alloc(0);
	n->tx = sk_page_alloc(order);
	n->rx = sk_page_alloc(order);
	if (!n->shared || !n->tx || !n->rx) {
		pr_warn("NIC %u: no memory for its rings (%u KiB)\n", index,
			(unsigned)(2 * slots * sizeof(struct hv_net_slot) >> 10));
		return false; /* the pages stay: a boot that ran out of memory goes no further anyway */
	}
	memset(n->shared, 0, sizeof(*n->shared));
	n->slots = slots;
	memcpy(n->mac, mac, 6);
	s = (struct hv_net_setup){ .nic = index,
				   .slots = slots,
				   .shared = hv_gpa(n->shared),
				   .tx_slots = hv_gpa(n->tx),
				   .rx_slots = hv_gpa(n->rx) };
	n->shared->spin_us = HV_NET_SPIN_OWN; /* an older monitor leaves it so */
	hv_call(HV_CALL_NET_SETUP, &s);
	if (index == 0 && n->shared->spin_us != HV_NET_SPIN_OWN)
		spin_ns = (uint64_t)SK_MIN(n->shared->spin_us, HV_NET_SPIN_MAX_US) * 1000;
	return true;
}

void hv_net_init(const struct hv_boot_info *boot)
{
	unsigned want = boot->net_count;

	if (want > HV_NET_MAX_NICS) {
		pr_warn("the monitor offers %u NICs; %d are used\n", want, HV_NET_MAX_NICS);
		want = HV_NET_MAX_NICS;
	}
	for (unsigned i = 0; i < want && nic_setup(&nics[nr_nics], i, boot->net_mac[i]); i++)
		nr_nics++;
}

unsigned hv_net_count(void)
{
	return nr_nics;
}

int hv_net_info(unsigned nic, struct plat_net_info *info)
{
	if (nic >= nr_nics)
		return PLAT_ENODEV;
	memcpy(info->mac, nics[nic].mac, 6);
	info->mtu = 1500;
	info->model = "skiff-hv rings";
	info->offload = 0;
	return PLAT_OK;
}

int hv_net_send(unsigned nic, const struct plat_net_frame *f, unsigned n)
{
	struct hv_nic *d;
	uint32_t cons;
	unsigned i;

	if (nic >= nr_nics)
		return -PLAT_ENODEV;
	d = &nics[nic];
	cons = __atomic_load_n(&d->shared->tx.cons, __ATOMIC_ACQUIRE);
	for (i = 0; i < n && d->tx_prod - cons < d->slots; i++) {
		struct hv_net_slot *s = &d->tx[d->tx_prod & (d->slots - 1)];

		if (f[i].len > HV_NET_MAX_FRAME) {
			d->st.tx_dropped++;
			continue;
		}
		memcpy(s->data, f[i].buf, f[i].len);
		s->len = f[i].len;
		d->tx_prod++;
		d->st.tx_frames++;
	}
	if (i) {
		__atomic_store_n(&d->shared->tx.prod, d->tx_prod, __ATOMIC_RELEASE);
		last_activity = plat_time_monotonic_ns();
	}
	return (int)i;
}

int hv_net_recv(unsigned nic, struct plat_net_frame *f, unsigned n)
{
	struct hv_nic *d;
	uint32_t prod;
	unsigned got = 0;

	if (nic >= nr_nics)
		return -PLAT_ENODEV;
	d = &nics[nic];
	prod = __atomic_load_n(&d->shared->rx.prod, __ATOMIC_ACQUIRE);
	if (prod - d->rx_cons > d->slots) { /* impossible indices: take nothing they claim */
		d->st.rx_dropped++;
		return 0;
	}
	while (got < n && d->rx_cons != prod) {
		const struct hv_net_slot *s = &d->rx[d->rx_cons & (d->slots - 1)];
		uint32_t len = __atomic_load_n(&s->len, __ATOMIC_RELAXED);

		d->rx_cons++;
		if (len < ETH_HLEN || len > HV_NET_MAX_FRAME || len > f[got].len) {
			d->st.rx_dropped++;
			continue;
		}
		memcpy(f[got].buf, s->data, len);
		f[got].len = len;
		f[got].rx_csum = PLAT_NET_CSUM_UNKNOWN;
		got++;
		d->st.rx_frames++;
	}
	__atomic_store_n(&d->shared->rx.cons, d->rx_cons, __ATOMIC_RELEASE);
	if (got)
		last_activity = plat_time_monotonic_ns();
	return (int)got;
}

int hv_net_stats(unsigned nic, struct plat_net_stats *st)
{
	if (nic >= nr_nics)
		return PLAT_ENODEV;
	*st = nics[nic].st;
	return PLAT_OK;
}

static bool rx_waiting(void)
{
	for (unsigned i = 0; i < nr_nics; i++)
		if (__atomic_load_n(&nics[i].shared->rx.prod, __ATOMIC_ACQUIRE) != nics[i].rx_cons)
			return true;
	return false;
}

/* Frames in a TX ring that the monitor's I/O thread, asleep, will not see before a poll call. */
static bool tx_stranded(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST); /* our prod stores before its host_idle: Dekker */
	for (unsigned i = 0; i < nr_nics; i++)
		if (__atomic_load_n(&nics[i].shared->host_idle, __ATOMIC_RELAXED) &&
		    __atomic_load_n(&nics[i].shared->tx.cons, __ATOMIC_ACQUIRE) != nics[i].tx_prod)
			return true;
	return false;
}

bool hv_net_idle(uint64_t deadline_ns)
{
	uint64_t now, until;

	if (!nr_nics)
		return false;
	if (rx_waiting())
		return true;
	now = plat_time_monotonic_ns();
	if (!spin_ns || now - last_activity > ACTIVE_NS)
		return false;
	until = SK_MIN(now + spin_ns, deadline_ns);
	while (!tx_stranded() && plat_time_monotonic_ns() < until) {
		if (rx_waiting())
			return true;
		__builtin_ia32_pause();
	}
	return false;
}

/*
 * For apps/hvhostile, which breaks the rings on purpose to test the monitor: NIC nic's rings as
 * this driver set them up (false if it has none). Nothing else uses it.
 */
bool hv_net_rings(unsigned nic, struct hv_net_shared **shared, struct hv_net_slot **tx,
		  struct hv_net_slot **rx, uint32_t *slots);

bool hv_net_rings(unsigned nic, struct hv_net_shared **shared, struct hv_net_slot **tx,
		  struct hv_net_slot **rx, uint32_t *slots)
{
	if (nic >= nr_nics)
		return false;
	*shared = nics[nic].shared;
	*tx = nics[nic].tx;
	*rx = nics[nic].rx;
	*slots = nics[nic].slots;
	return true;
}
