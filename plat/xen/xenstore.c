// SPDX-License-Identifier: MIT
/*
 * The xenstore client: requests and replies over the shared ring page with xenstored in dom0.
 * One request is in flight at a time (a mutex); replies and watch events are read by whichever
 * waiting thread runs first ("pumping" the ring), so no thread owns the ring. Paths without a
 * leading slash are relative to the domain's home, /local/domain/<id>.
 *
 * While devices are found (plat_late_init runs in the boot context, which must never block) and
 * while the image ends, the context doing it waits by polling xenstore's event channel instead
 * (xs_polled): nothing else runs meanwhile. Only that context polls: another thread that waits
 * (the shutdown watcher) keeps waiting through the scheduler, or it could sit in a poll with no
 * deadline while the halting thread never runs again.
 */
#define pr_tag "xenstore"
#include <errno.h>
#include <string.h>
#include <skiff/mutex.h>
#include <skiff/printk.h>
#include <skiff/thread.h>
#include <skiff/time.h>
#include <xen/io/xs_wire.h>
#include <xen-plat/hypercall.h>
#include <xen-plat/xen.h>
#include <xen-plat/xs_proto.h>

#define WATCH_QUEUE 8
#define REPLY_TIMEOUT_NS (10 * 1000000000ULL)
#define XBT_NULL 0 /* no transaction */

extern bool xen_xs_ready;

static struct xenstore_domain_interface *intf;
static evtchn_port_t port;
static struct sk_mutex one_request = SK_MUTEX_INIT(one_request, false);
static struct sk_waitq ring_wq = SK_WAITQ_INIT(ring_wq);
static uint32_t next_req_id = 1;
static struct sk_thread *poller; /* the context that waits by polling, if any */

static struct {
	uint32_t req_id;
	bool done;
	struct xsd_sockmsg hdr;
	char body[XENSTORE_PAYLOAD_MAX + 1];
} reply;

static struct {
	char path[128];
	char token[32];
} watch_events[WATCH_QUEUE];
static unsigned watch_head, watch_tail;

static void ring_event(evtchn_port_t p, void *arg)
{
	(void)p, (void)arg;
	sk_waitq_wake_all(&ring_wq);
}

int xs_init(unsigned long mfn, evtchn_port_t evtchn)
{
	intf = mfn_to_virt(mfn);
	port = evtchn;
	xen_evtchn_handle(port, ring_event, NULL);
	xen_xs_ready = true;
	return 0;
}

static void queue_watch(const char *body, size_t len)
{
	const char *path, *token;

	if (xs_parse_watch(body, len, &path, &token) < 0)
		return;
	if (watch_tail - watch_head == WATCH_QUEUE) {
		pr_warn("watch event for %s dropped: queue full\n", path);
		return;
	}
	strncpy(watch_events[watch_tail % WATCH_QUEUE].path, path, sizeof(watch_events[0].path) - 1);
	strncpy(watch_events[watch_tail % WATCH_QUEUE].token, token, sizeof(watch_events[0].token) - 1);
	watch_tail++;
}

/* Read every complete message out of the response ring and route it. */
static void pump(void)
{
	static char body[XENSTORE_PAYLOAD_MAX];
	struct xsd_sockmsg hdr;

	for (;;) {
		uint32_t prod = __atomic_load_n(&intf->rsp_prod, __ATOMIC_ACQUIRE);
		uint32_t cons = intf->rsp_cons, peek = cons;

		if (xs_ring_used(prod, cons) < sizeof(hdr))
			return;
		xs_ring_get(intf->rsp, XENSTORE_RING_SIZE, prod, &peek, &hdr, sizeof(hdr));
		if (hdr.len > XENSTORE_PAYLOAD_MAX) {
			pr_err("corrupt message from xenstored (length %u); ring reset\n", hdr.len);
			__atomic_store_n(&intf->rsp_cons, prod, __ATOMIC_RELEASE);
			return;
		}
		if (xs_ring_used(prod, cons) < sizeof(hdr) + hdr.len)
			return; /* the rest is still on its way */
		xs_ring_get(intf->rsp, XENSTORE_RING_SIZE, prod, &peek, body, hdr.len);
		__atomic_store_n(&intf->rsp_cons, peek, __ATOMIC_RELEASE);
		notify_port(port);
		if (hdr.type == XS_WATCH_EVENT) {
			queue_watch(body, hdr.len);
		} else if (hdr.req_id == reply.req_id && !reply.done) {
			reply.hdr = hdr;
			memcpy(reply.body, body, hdr.len);
			reply.body[hdr.len] = '\0';
			reply.done = true;
		}
		sk_waitq_wake_all(&ring_wq);
	}
}

void xs_polled(bool on)
{
	poller = on ? sk_thread_self() : NULL;
}

static bool polled(void)
{
	return poller && poller == sk_thread_self();
}

/* Wait for the ring to move, with a timer so a waiting thread is never mistaken for a deadlock. */
static int wait_ring(uint64_t deadline)
{
	uint64_t now = sk_now_ns();

	if (now >= deadline)
		return -ETIMEDOUT;
	if (polled())
		xen_evtchn_poll(port, SK_MIN(deadline, now + 100 * 1000000ULL));
	else
		sk_waitq_wait_until(&ring_wq, SK_MIN(deadline, now + 100 * 1000000ULL));
	return 0;
}

static int send(const char *msg, size_t len, uint64_t deadline)
{
	while (len) {
		uint32_t cons = __atomic_load_n(&intf->req_cons, __ATOMIC_ACQUIRE);
		uint32_t prod = intf->req_prod;
		size_t n = xs_ring_put(intf->req, XENSTORE_RING_SIZE, &prod, cons, msg, len);

		if (n) {
			__atomic_store_n(&intf->req_prod, prod, __ATOMIC_RELEASE);
			notify_port(port);
			msg += n;
			len -= n;
		} else if (wait_ring(deadline)) {
			return -ETIMEDOUT;
		}
	}
	return 0;
}

/* One request and its reply: the reply's length (copied to out), or a negative errno. */
static int request(uint32_t type, uint32_t tx, const char *const *parts, unsigned n, int raw_last,
		   char *out, size_t out_len)
{
	static char msg[sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX];
	uint64_t deadline = sk_now_ns() + REPLY_TIMEOUT_NS;
	int len, r;

	if (!intf)
		return -ENODEV;
	sk_mutex_lock(&one_request);
	reply.req_id = next_req_id++;
	reply.done = false;
	len = xs_msg_build(msg, sizeof(msg), type, reply.req_id, tx, parts, n, raw_last);
	r = len < 0 ? len : send(msg, (size_t)len, deadline);
	while (!r && (pump(), !reply.done))
		r = wait_ring(deadline);
	if (!r && reply.hdr.type == XS_ERROR)
		r = xs_error_errno(reply.body, reply.hdr.len);
	else if (!r) {
		r = (int)reply.hdr.len;
		if (out && out_len) {
			size_t c = SK_MIN((size_t)r, out_len - 1);

			memcpy(out, reply.body, c);
			out[c] = '\0';
		}
	}
	sk_mutex_unlock(&one_request);
	return r;
}

int xs_read_tx(uint32_t tx, const char *path, char *buf, size_t len)
{
	return request(XS_READ, tx, (const char *const[]){ path }, 1, 0, buf, len);
}

int xs_read(const char *path, char *buf, size_t len)
{
	return xs_read_tx(XBT_NULL, path, buf, len);
}

/*
 * The names under path, each NUL-terminated, one after another in buf: their total length, or a
 * negative errno (-E2BIG when they do not fit).
 */
int xs_directory(const char *path, char *buf, size_t len)
{
	int r = request(XS_DIRECTORY, XBT_NULL, (const char *const[]){ path }, 1, 0, buf, len);

	return r >= 0 && (size_t)r >= len ? -E2BIG : r;
}

int xs_write_tx(uint32_t tx, const char *path, const char *value)
{
	int r = request(XS_WRITE, tx, (const char *const[]){ path, value }, 2, 1, NULL, 0);

	return r < 0 ? r : 0;
}

int xs_write(const char *path, const char *value)
{
	return xs_write_tx(XBT_NULL, path, value);
}

int xs_rm(const char *path)
{
	int r = request(XS_RM, XBT_NULL, (const char *const[]){ path }, 1, 0, NULL, 0);

	return r < 0 ? r : 0;
}

int xs_watch(const char *path, const char *token)
{
	int r = request(XS_WATCH, XBT_NULL, (const char *const[]){ path, token }, 2, 0, NULL, 0);

	return r < 0 ? r : 0;
}

int xs_unwatch(const char *path, const char *token)
{
	int r = request(XS_UNWATCH, XBT_NULL, (const char *const[]){ path, token }, 2, 0, NULL, 0);

	return r < 0 ? r : 0;
}

int xs_transaction_start(uint32_t *tx)
{
	char id[16];
	int r = request(XS_TRANSACTION_START, XBT_NULL, (const char *const[]){ "" }, 1, 0, id,
			sizeof(id));
	uint32_t v = 0;

	if (r < 0)
		return r;
	for (const char *p = id; *p >= '0' && *p <= '9'; p++)
		v = v * 10 + (uint32_t)(*p - '0');
	*tx = v;
	return v ? 0 : -EIO;
}

/* -EAGAIN: the transaction conflicted with another writer; start again. */
int xs_transaction_end(uint32_t tx, bool commit)
{
	int r = request(XS_TRANSACTION_END, tx, (const char *const[]){ commit ? "T" : "F" }, 1, 0,
			NULL, 0);

	return r < 0 ? r : 0;
}

int xs_wait_watch(char *path, size_t len, char *token, size_t tlen, uint64_t deadline_ns)
{
	for (;;) {
		pump();
		if (watch_head != watch_tail) {
			unsigned i = watch_head++ % WATCH_QUEUE;

			strncpy(path, watch_events[i].path, len - 1);
			path[len - 1] = '\0';
			strncpy(token, watch_events[i].token, tlen - 1);
			token[tlen - 1] = '\0';
			return 0;
		}
		if (sk_now_ns() >= deadline_ns)
			return -ETIMEDOUT;
		if (polled()) {
			xen_evtchn_poll(port, deadline_ns);
			continue;
		}
		/* The host decides when a watch fires: not a deadlock while we wait for it. */
		sk_sched_external_wait_begin();
		sk_waitq_wait_until(&ring_wq, deadline_ns);
		sk_sched_external_wait_end();
	}
}
