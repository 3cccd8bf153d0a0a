// SPDX-License-Identifier: MIT
/*
 * The PV console: a shared ring page and an event channel from start_info. Debian's Xen refuses
 * console_io to a domU, so this ring is the only console there is. A full ring is waited out by
 * yielding to the backend (xenconsoled in dom0), never dropped.
 */
#include <skiff/compiler.h>
#include <xen/io/console.h>
#include <xen-plat/hypercall.h>
#include <xen-plat/xen.h>

static struct xencons_interface *ring;
static evtchn_port_t port;

void xen_console_init(unsigned long mfn, evtchn_port_t evtchn)
{
	ring = mfn_to_virt(mfn);
	port = evtchn;
}

void xen_console_write(const char *buf, size_t len)
{
	if (!ring)
		return;
	while (len) {
		XENCONS_RING_IDX cons = __atomic_load_n(&ring->out_cons, __ATOMIC_ACQUIRE);
		XENCONS_RING_IDX prod = ring->out_prod;
		size_t space = sizeof(ring->out) - (prod - cons), n = SK_MIN(space, len);

		if (!n) { /* full: let the backend drain it */
			notify_port(port);
			hyp_sched_op(SCHEDOP_yield, NULL);
			continue;
		}
		for (size_t i = 0; i < n; i++)
			ring->out[MASK_XENCONS_IDX(prod + i, ring->out)] = buf[i];
		__atomic_store_n(&ring->out_prod, prod + (XENCONS_RING_IDX)n, __ATOMIC_RELEASE);
		notify_port(port);
		buf += n;
		len -= n;
	}
}
