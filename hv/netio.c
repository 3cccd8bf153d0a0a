// SPDX-License-Identifier: MIT
/*
 * The I/O thread: moves frames between the guest's rings and the taps while the guest runs, so
 * that the guest exits only when it has nothing to do (a poll call), never per frame or burst.
 *
 * It sends what the TX rings hold, reads what the taps hold into free RX slots, and wakes a guest
 * waiting in poll. After moving anything it keeps looking for a short while (--net-spin: new TX
 * frames come without any signal, and under load the next ones come within microseconds); then
 * it sets host_idle in each NIC's shared page and sleeps in ppoll until a tap has a frame or
 * the vCPU thread kicks it (a poll call finding TX frames waiting, a ring set up). A guest that
 * adds TX frames while host_idle is set makes a poll call rather than spin for an answer.
 *
 * All signals are blocked here: SIGINT and SIGTERM go to the vCPU thread, as without a NIC.
 *
 * Without a watch (--net-spin=0, the default below 4 CPUs) there is no I/O thread: the vCPU
 * thread moves the frames itself in each poll call, and sleeps on the taps. Frames then move
 * only while the guest waits, which is when it has nothing else to do; in exchange no burst
 * costs a hand-over between threads (an eventfd signal and a wake-up each way), which on a host
 * with few CPUs costs more than the moving itself. host_idle stays set.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <hv/hv.h>

/*
 * Between looks it sleeps in ppoll (a tap frame ends that early), first 2 us, each empty look
 * twice as long up to 16 us: a reply the guest writes soon after a request goes out within a
 * few microseconds, and a longer lull costs fewer timer wake-ups (measured: 2 us steps throughout
 * spent a fifth of the CPU in the timer code under redis-benchmark; 20 us steps added 60 us to a
 * single connection's round trip).
 */
#define SPIN_STEP_MIN_NS 2000
#define SPIN_STEP_MAX_NS 16000

static uint64_t mono_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ULL + (uint64_t)t.tv_nsec;
}

/* Entries in a ring whose other index the guest writes; impossible indices end the guest. */
static uint32_t ring_used(const struct hv_nic *n, const char *ring, uint32_t prod, uint32_t cons)
{
	int used = hv_net_ring_used(prod, cons, n->slots);

	if (used < 0)
		hv_net_violation("NIC %u (%s): %s ring indices prod %u, cons %u with %u slots", n->index, n->tap,
				 ring, prod, cons, n->slots);
	return (uint32_t)used;
}

/* TX slots to the tap: each frame checked (hv_net_tx_frame), then the slot given back. */
static unsigned drain_tx(struct hv_nic *n)
{
	static uint8_t frame[HV_NET_MAX_FRAME];
	struct hv_net_idx *ix = &n->shared->tx;
	uint32_t cons = n->tx_cons, prod = __atomic_load_n(&ix->prod, __ATOMIC_ACQUIRE);
	unsigned moved = 0;

	ring_used(n, "TX", prod, cons);
	for (; cons != prod; cons++, moved++) {
		uint32_t len = hv_net_tx_frame(n, &n->tx[cons & (n->slots - 1)], frame, &n->c);

		if (!len)
			continue;
		if (write(n->fd, frame, len) == (ssize_t)len)
			atomic_fetch_add(&n->c.tx_frames, 1);
		else
			atomic_fetch_add(&n->c.tx_errors, 1); /* the tap is down or full: lost, as on a wire */
	}
	__atomic_store_n(&n->tx_cons, cons, __ATOMIC_RELAXED);
	__atomic_store_n(&ix->cons, cons, __ATOMIC_RELEASE);
	return moved;
}

/* Tap frames into free RX slots, straight into guest memory. */
static unsigned fill_rx(struct hv_nic *n)
{
	struct hv_net_idx *ix = &n->shared->rx;
	uint32_t prod = n->rx_prod, cons = __atomic_load_n(&ix->cons, __ATOMIC_ACQUIRE);
	uint32_t used = ring_used(n, "RX", prod, cons);
	unsigned moved = 0;

	for (; used < n->slots; used++) {
		struct hv_net_slot *s = &n->rx[prod & (n->slots - 1)];
		ssize_t r = read(n->fd, s->data, sizeof(s->data));

		if (r < 0)
			break; /* EAGAIN: nothing more for now */
		if (r > HV_NET_MAX_FRAME || r < 14) {
			atomic_fetch_add(&n->c.rx_bad_len, 1);
			used--;
			continue;
		}
		__atomic_store_n(&s->len, (uint32_t)r, __ATOMIC_RELAXED);
		prod++;
		moved++;
	}
	if (used == n->slots && !n->rx_full)
		atomic_fetch_add(&n->c.rx_ring_full, 1); /* episodes, not passes of this loop */
	__atomic_store_n(&n->rx_full, used == n->slots, __ATOMIC_RELAXED);
	if (moved) {
		n->rx_prod = prod;
		__atomic_store_n(&ix->prod, prod, __ATOMIC_RELEASE);
		atomic_fetch_add(&n->c.rx_frames, moved);
	}
	return moved;
}

static void eventfd_post(int fd)
{
	uint64_t one = 1;

	if (write(fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		hv_net_violation("internal: eventfd: %s", strerror(errno)); /* cannot happen */
}

static void eventfd_clear(int fd)
{
	uint64_t v;

	if (read(fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		hv_net_violation("internal: eventfd: %s", strerror(errno));
}

static bool rx_waiting(const struct hv *hv)
{
	for (unsigned i = 0; i < hv->net.count; i++) {
		const struct hv_nic *n = &hv->net.nic[i];

		if (atomic_load(&n->ready) &&
		    __atomic_load_n(&n->shared->rx.prod, __ATOMIC_ACQUIRE) !=
			    __atomic_load_n(&n->shared->rx.cons, __ATOMIC_ACQUIRE))
			return true;
	}
	return false;
}

static bool tx_waiting(const struct hv *hv)
{
	for (unsigned i = 0; i < hv->net.count; i++) {
		const struct hv_nic *n = &hv->net.nic[i];

		if (atomic_load(&n->ready) &&
		    __atomic_load_n(&n->shared->tx.prod, __ATOMIC_ACQUIRE) != __atomic_load_n(&n->tx_cons, __ATOMIC_RELAXED))
			return true;
	}
	return false;
}

/* A full RX ring: the sleeping I/O thread watches no tap until the guest has made room. */
static bool rx_was_full(const struct hv *hv)
{
	for (unsigned i = 0; i < hv->net.count; i++)
		if (atomic_load(&hv->net.nic[i].ready) && __atomic_load_n(&hv->net.nic[i].rx_full, __ATOMIC_RELAXED))
			return true;
	return false;
}

static void set_idle(struct hv *hv, uint32_t idle)
{
	for (unsigned i = 0; i < hv->net.count; i++)
		if (atomic_load(&hv->net.nic[i].ready))
			__atomic_store_n(&hv->net.nic[i].shared->host_idle, idle, __ATOMIC_SEQ_CST);
}

/*
 * Wait for a tap frame (on NICs whose RX ring has room), a kick (kick_fd >= 0), a signal that
 * mask lets through (mask NULL: the caller's own) or the timeout (NULL: none). Returns ppoll's
 * result.
 */
static int wait_taps(struct hv *hv, int kick_fd, const struct timespec *timeout, const sigset_t *mask)
{
	struct pollfd pf[HV_NET_MAX_NICS + 1];
	nfds_t nf = 0;
	int r;

	if (kick_fd >= 0)
		pf[nf++] = (struct pollfd){ .fd = kick_fd, .events = POLLIN };
	for (unsigned i = 0; i < hv->net.count; i++) {
		struct hv_nic *n = &hv->net.nic[i];

		if (atomic_load(&n->ready) && !n->rx_full)
			pf[nf++] = (struct pollfd){ .fd = n->fd, .events = POLLIN };
	}
	r = ppoll(pf, nf, timeout, mask);
	if (r > 0 && kick_fd >= 0 && (pf[0].revents & POLLIN))
		eventfd_clear(kick_fd);
	return r;
}

/* The I/O thread's wait: a tap frame or a kick, at most timeout_ns (0: none). */
static void wait_events(struct hv *hv, uint64_t timeout_ns)
{
	struct timespec ts = { 0, (long)timeout_ns };

	wait_taps(hv, hv->net.kick_fd, timeout_ns ? &ts : NULL, NULL);
}

/* Every ready NIC's TX slots to its tap and tap frames into its RX slots: frames moved, *rx of them RX. */
static unsigned move_frames(struct hv *hv, unsigned *rx)
{
	unsigned moved = 0;

	*rx = 0;
	for (unsigned i = 0; i < hv->net.count; i++) {
		struct hv_nic *n = &hv->net.nic[i];

		if (!atomic_load(&n->ready))
			continue;
		moved += drain_tx(n);
		*rx += fill_rx(n);
	}
	return moved + *rx;
}

/* The I/O thread's pass: frames moved, and a guest waiting in poll woken when RX frames came. */
static unsigned io_pass(struct hv *hv)
{
	unsigned rx, moved = move_frames(hv, &rx);

	/* Dekker with hv_netio_poll: our RX stores before its flag's load, its flag before its RX look. */
	atomic_thread_fence(memory_order_seq_cst);
	if (rx && atomic_load(&hv->net.guest_waiting))
		eventfd_post(hv->net.wake_fd);
	return moved;
}

static _Atomic bool io_running;

static void *io_thread(void *arg)
{
	struct hv *hv = arg;
	uint64_t last = 0, step = SPIN_STEP_MIN_NS, spin_ns = (uint64_t)hv->net.spin_us * 1000;

	atomic_store(&io_running, true); /* glibc's thread start-up (rseq, robust list) is done */
	for (;;) {
		if (io_pass(hv)) {
			last = mono_ns();
			step = SPIN_STEP_MIN_NS;
			continue;
		}
		if (mono_ns() - last < spin_ns) {
			wait_events(hv, step);
			step = step * 2 > SPIN_STEP_MAX_NS ? SPIN_STEP_MAX_NS : step * 2;
			continue;
		}
		/* Going to sleep: say so first, then look once more (the guest may just have added). */
		set_idle(hv, 1);
		if (!tx_waiting(hv))
			wait_events(hv, 0);
		set_idle(hv, 0);
	}
	return NULL;
}

/* Before the sandbox: the eventfds and the thread (which waits until a ring is set up). */
int hv_netio_start(struct hv *hv)
{
	sigset_t all, old;
	pthread_t t;
	int err;

	if (!hv->net.count || !hv->net.spin_us)
		return 0; /* no watch: the vCPU thread moves the frames (hv_netio_poll) */
	hv->net.kick_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	hv->net.wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (hv->net.kick_fd < 0 || hv->net.wake_fd < 0) {
		hv_err("eventfd: %s", strerror(errno));
		return -1;
	}
	/* Short sleeps while it looks on must be short: no timer slack (inherited by the thread). */
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&t, NULL, io_thread, hv);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		hv_err("cannot start the network I/O thread: %s", strerror(err));
		return -1;
	}
	/* The seccomp filter comes next and would kill the thread's own start-up calls. */
	while (!atomic_load(&io_running))
		usleep(100);
	hv->net.started = true;
	return 0;
}

void hv_netio_kick(struct hv *hv)
{
	if (hv->net.started)
		eventfd_post(hv->net.kick_fd);
}

/* Without an I/O thread: move what there is, and if nothing came, sleep on the taps and move again. */
static uint32_t poll_inline(struct hv *hv, const struct timespec *timeout)
{
	unsigned rx;

	move_frames(hv, &rx);
	if (!rx_waiting(hv) && !hv_signal && wait_taps(hv, -1, timeout, hv_wait_mask()) > 0)
		move_frames(hv, &rx);
	return rx_waiting(hv) ? HV_DEV_NET : 0;
}

/*
 * HV_CALL_POLL with NICs: TX frames waiting go out (a kick to a sleeping I/O thread, or sent
 * here when there is none), then wait for an RX frame, the timeout or a signal. Returns
 * HV_DEV_NET when RX frames wait.
 */
uint32_t hv_netio_poll(struct hv *hv, const struct timespec *timeout)
{
	struct pollfd pf = { .fd = hv->net.wake_fd, .events = POLLIN };

	if (!hv->net.started)
		return poll_inline(hv, timeout);

	if (tx_waiting(hv) || rx_was_full(hv))
		hv_netio_kick(hv);
	atomic_store(&hv->net.guest_waiting, true);
	if (!rx_waiting(hv) && !hv_signal) {
		if (ppoll(&pf, 1, timeout, hv_wait_mask()) > 0)
			eventfd_clear(hv->net.wake_fd);
	}
	atomic_store(&hv->net.guest_waiting, false);
	return rx_waiting(hv) ? HV_DEV_NET : 0;
}
