// SPDX-License-Identifier: MIT
/*
 * Event channels. Each port has a handler. Event delivery (the upcall) is masked everywhere but
 * inside plat_idle: on PV it unmasks, blocks with SCHEDOP_block, and the upcall Xen then delivers
 * (entry.S) only ends the block; the handlers of the pending ports run afterwards, in thread
 * context, so no handler can ever interrupt the kernel. A PVH domain has no PV upcall: it waits
 * with SCHEDOP_poll on the same ports instead.
 */
#include <errno.h>
#include <skiff/compiler.h>
#include <skiff/panic.h>
#include <xen-plat/hypercall.h>
#include <xen-plat/xen.h>

#define MAX_PORTS 16

static struct {
	evtchn_port_t port;
	xen_evtchn_handler fn;
	void *arg;
} handlers[MAX_PORTS];
static evtchn_port_t ports[MAX_PORTS];
static unsigned nr_handlers;
static evtchn_port_t timer_port;

uint64_t xen_deadline_to_system(uint64_t deadline_ns);

int xen_evtchn_bind_virq(uint32_t virq, evtchn_port_t *port)
{
	struct evtchn_bind_virq b = { .virq = virq, .vcpu = 0 };
	long r = hyp_event_channel_op(EVTCHNOP_bind_virq, &b);

	if (r < 0)
		return (int)r;
	*port = b.port;
	return 0;
}

/* A port for a device's backend in domain remote to bind to (its number goes into xenstore). */
int xen_evtchn_alloc_unbound(domid_t remote, evtchn_port_t *port)
{
	struct evtchn_alloc_unbound a = { .dom = DOMID_SELF, .remote_dom = remote };
	long r = hyp_event_channel_op(EVTCHNOP_alloc_unbound, &a);

	if (r < 0)
		return (int)r;
	*port = a.port;
	return 0;
}

void xen_evtchn_close(evtchn_port_t port)
{
	struct evtchn_close c = { .port = port };

	hyp_event_channel_op(EVTCHNOP_close, &c);
}

/*
 * Keep a port's events from raising the upcall: for ports that only xen_evtchn_poll waits on, so
 * that a pending event nobody dispatches cannot end every SCHEDOP_block at once.
 */
void xen_evtchn_mask(evtchn_port_t port)
{
	__atomic_fetch_or(&xen_shared->evtchn_mask[port / (sizeof(xen_ulong_t) * 8)],
			  (xen_ulong_t)1 << (port % (sizeof(xen_ulong_t) * 8)), __ATOMIC_SEQ_CST);
}

void xen_evtchn_handle(evtchn_port_t port, xen_evtchn_handler fn, void *arg)
{
	struct evtchn_unmask u = { .port = port };

	SK_BUG_ON(nr_handlers == MAX_PORTS);
	handlers[nr_handlers].port = port;
	handlers[nr_handlers].fn = fn;
	handlers[nr_handlers].arg = arg;
	ports[nr_handlers++] = port;
	hyp_event_channel_op(EVTCHNOP_unmask, &u); /* its events may raise the upcall */
}

static bool test_and_clear_pending(evtchn_port_t port)
{
	xen_ulong_t *word = &xen_shared->evtchn_pending[port / (sizeof(xen_ulong_t) * 8)];
	xen_ulong_t bit = (xen_ulong_t)1 << (port % (sizeof(xen_ulong_t) * 8));

	return __atomic_fetch_and(word, ~bit, __ATOMIC_ACQ_REL) & bit;
}

unsigned xen_evtchn_dispatch(void)
{
	struct vcpu_info *v = &xen_shared->vcpu_info[0];
	unsigned ran = 0;

	/* Consumed here: the per-port bits below say which. */
	__atomic_store_n(&v->evtchn_upcall_pending, 0, __ATOMIC_RELEASE);
	__atomic_exchange_n(&v->evtchn_pending_sel, 0, __ATOMIC_ACQ_REL);

	for (unsigned i = 0; i < nr_handlers; i++) {
		if (test_and_clear_pending(handlers[i].port)) {
			if (handlers[i].fn)
				handlers[i].fn(handlers[i].port, handlers[i].arg);
			ran++;
		}
	}
	return ran;
}

/*
 * Wait for one port only (or the deadline, in monotonic ns), and consume its event. Other ports'
 * events stay pending for plat_idle, so a driver that waits here for its own device never hides
 * another device's event from the kernel. SCHEDOP_poll works with the port masked and under PV
 * and PVH alike.
 */
bool xen_evtchn_poll(evtchn_port_t port, uint64_t deadline_ns)
{
	struct sched_poll p = { .nr_ports = 1 };

	if (!test_and_clear_pending(port)) {
		set_xen_guest_handle(p.ports, &port);
		if (deadline_ns != PLAT_DEADLINE_NONE)
			p.timeout = xen_deadline_to_system(deadline_ns);
		hyp_sched_op(SCHEDOP_poll, &p);
		return test_and_clear_pending(port);
	}
	return true;
}

/* The timer only ends the poll; the kernel looks at the clock itself. */
static void timer_fired(evtchn_port_t port, void *arg)
{
	(void)port, (void)arg;
}

void xen_events_init(void);

extern char xen_event_upcall[], xen_failsafe_upcall[];

void xen_events_init(void)
{
	int r;

	if (!xen_pvh && hcall3(__HYPERVISOR_set_callbacks, (unsigned long)xen_event_upcall,
			       (unsigned long)xen_failsafe_upcall, 0) < 0)
		sk_panic("xen: set_callbacks failed");
	r = xen_evtchn_bind_virq(VIRQ_TIMER, &timer_port);

	if (r)
		sk_panic("xen: cannot bind the timer VIRQ: %d", r);
	xen_evtchn_handle(timer_port, timer_fired, NULL);
}

/*
 * Unmask, then block: SCHEDOP_block returns at once if an event is already pending, so none can
 * slip in between. The upcall Xen delivers on the way out only returns (entry.S).
 */
static void block(void)
{
	struct vcpu_info *v = &xen_shared->vcpu_info[0];

	__atomic_store_n(&v->evtchn_upcall_mask, 0, __ATOMIC_SEQ_CST);
	hyp_sched_op(SCHEDOP_block, NULL);
	__atomic_store_n(&v->evtchn_upcall_mask, 1, __ATOMIC_SEQ_CST);
}

void xen_idle(uint64_t deadline_ns)
{
	struct sched_poll p = { .nr_ports = nr_handlers, .timeout = 0 };

	if (xen_evtchn_dispatch() || deadline_ns <= plat_time_monotonic_ns())
		return;
	/*
	 * A single-shot timer wakes the poll at the deadline through the timer VIRQ; the poll's own
	 * timeout (the same deadline) covers a PVH domain, where set_timer_op may not be offered.
	 */
	if (deadline_ns != PLAT_DEADLINE_NONE) {
		hyp_set_timer_op(xen_deadline_to_system(deadline_ns));
		p.timeout = xen_deadline_to_system(deadline_ns);
	}
	if (xen_pvh) {
		set_xen_guest_handle(p.ports, ports);
		hyp_sched_op(SCHEDOP_poll, &p);
	} else {
		block();
	}
	xen_evtchn_dispatch();
}
