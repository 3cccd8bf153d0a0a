// SPDX-License-Identifier: MIT
/*
 * The hypercalls. Every argument is a guest address checked by guest_ptr(); a call that fails a
 * check ends the guest with SKIFF_HV_EXIT_VIOLATION and says which check.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <hv/hv.h>

#define VIOLATION(hv, ...) hv_stop((hv), SKIFF_HV_EXIT_VIOLATION, "guest violation: " __VA_ARGS__)

static void call_console(struct hv *hv, uint64_t gpa)
{
	const struct hv_console *c = GUEST_STRUCT(&hv->guest, gpa, struct hv_console);
	const uint8_t *data;
	uint64_t len;

	if (!c) {
		VIOLATION(hv, "console call at bad address 0x%llx", (unsigned long long)gpa);
		return;
	}
	len = c->len; /* one vCPU, stopped while we serve it: the struct cannot change under us */
	if (len > HV_CONSOLE_MAX) {
		VIOLATION(hv, "console write of %llu bytes (at most %d)", (unsigned long long)len, HV_CONSOLE_MAX);
		return;
	}
	data = guest_ptr(&hv->guest, c->data, len, 1);
	if (!data) {
		VIOLATION(hv, "console data [0x%llx, +%llu) is outside guest memory",
			  (unsigned long long)c->data, (unsigned long long)len);
		return;
	}
	while (!hv->opt.quiet && len) {
		ssize_t n = write(STDOUT_FILENO, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break; /* stdout gone: the guest's output is lost, the guest goes on */
		data += n;
		len -= (uint64_t)n;
	}
}

/*
 * Sleep until the timeout, a received frame (with NICs: netio.c) or a signal. SIGINT and SIGTERM
 * get through while it sleeps, whatever the caller holds back.
 */
static void call_poll(struct hv *hv, uint64_t gpa)
{
	struct hv_poll *p = GUEST_STRUCT(&hv->guest, gpa, struct hv_poll);
	struct timespec ts, *tsp = NULL;

	if (!p) {
		VIOLATION(hv, "poll call at bad address 0x%llx", (unsigned long long)gpa);
		return;
	}
	if (p->timeout_ns != UINT64_MAX) {
		uint64_t ns = hv->be && hv->be->host_ns ? hv->be->host_ns(hv, p->timeout_ns) : p->timeout_ns;

		ts.tv_sec = (time_t)(ns / 1000000000ULL);
		ts.tv_nsec = (long)(ns % 1000000000ULL);
		tsp = &ts;
	}
	p->ready = 0;
	if (hv->net.count) {
		p->ready = hv_netio_poll(hv, tsp);
		return;
	}
	if (ppoll(NULL, 0, tsp, hv_wait_mask()) < 0 && errno != EINTR)
		hv_stop(hv, SKIFF_HV_EXIT_INTERNAL, "poll: %s", strerror(errno));
}

static void call_exit(struct hv *hv, uint64_t gpa)
{
	const struct hv_exit *e = GUEST_STRUCT(&hv->guest, gpa, struct hv_exit);

	if (!e)
		VIOLATION(hv, "exit call at bad address 0x%llx", (unsigned long long)gpa);
	else if (e->status < 0 || e->status > 127)
		VIOLATION(hv, "exit status %d is outside 0-127", e->status);
	else
		hv_stop(hv, e->status, NULL);
}

/* The message is the guest's: print only its printable bytes, on one line. */
static void call_abort(struct hv *hv, uint64_t gpa)
{
	const struct hv_abort *a = GUEST_STRUCT(&hv->guest, gpa, struct hv_abort);
	const char *msg;
	char clean[HV_ABORT_MAX + 1];
	uint64_t i;

	if (!a) {
		VIOLATION(hv, "abort call at bad address 0x%llx", (unsigned long long)gpa);
		return;
	}
	msg = a->len <= HV_ABORT_MAX ? guest_ptr(&hv->guest, a->message, a->len, 1) : NULL;
	if (!msg) {
		VIOLATION(hv, "abort message [0x%llx, +%llu) is invalid",
			  (unsigned long long)a->message, (unsigned long long)a->len);
		return;
	}
	for (i = 0; i < a->len && msg[i]; i++)
		clean[i] = (msg[i] >= 0x20 && msg[i] < 0x7f) ? msg[i] : '?';
	clean[i] = '\0';
	hv_stop(hv, (a->status > 0 && a->status <= 127) ? a->status : 127, "guest aborted: %s", clean);
}

void hv_hypercall(struct hv *hv, uint16_t port, uint32_t arg)
{
	unsigned nr = (unsigned)(port - SKIFF_HV_PORT_BASE);

	atomic_fetch_add(nr < HV_CALL_MAX ? &hv->exits[nr] : &hv->exits_other, 1);
	switch (nr) {
	case HV_CALL_CONSOLE: call_console(hv, arg); break;
	case HV_CALL_POLL: call_poll(hv, arg); break;
	case HV_CALL_BLK: hv_blk_call(hv, arg); break;
	case HV_CALL_NET_SETUP: hv_net_call(hv, arg); break;
	case HV_CALL_EXIT: call_exit(hv, arg); break;
	case HV_CALL_ABORT: call_abort(hv, arg); break;
	default:
		VIOLATION(hv, "hypercall %u is not implemented by this skiff-hv", nr);
		break;
	}
}
