// SPDX-License-Identifier: MIT
/*
 * Ending a PV domain: SCHEDOP_shutdown. Xen carries only a reason (poweroff, crash), so the exit
 * status goes into xenstore first, at data/skiff/exit-status under the domain's home, where the
 * host reads it (the test harness keeps the domain with on_poweroff="preserve"), after the devices
 * are closed (their backends then let go of our pages, and the toolstack finds nothing left to
 * tear down by force). A crash (status 127) shuts down as a crash and skips xenstore, which may
 * be what broke.
 */
#define pr_tag "xen"
#include <skiff/app.h>
#include <skiff/panic.h>
#include <skiff/printk.h>
#include <skiff/thread.h>
#include <xen-plat/hypercall.h>
#include <xen-plat/xen.h>

bool xen_xs_ready;

noreturn void xen_shutdown(unsigned reason)
{
	struct sched_shutdown s = { .reason = reason };

	for (;;)
		hyp_sched_op(SCHEDOP_shutdown, &s);
}

noreturn void xen_halt(int status);

noreturn void xen_halt(int status)
{
	char buf[16];

	if (status == SK_EXIT_CRASH)
		xen_shutdown(SHUTDOWN_crash);
	if (xen_xs_ready) {
		xen_devices_close();
		sk_snprintf(buf, sizeof(buf), "%d", status);
		if (xs_write("data/skiff/exit-status", buf) < 0)
			pr_warn("cannot write the exit status to xenstore\n");
	}
	xen_shutdown(SHUTDOWN_poweroff);
}

/*
 * "xl shutdown" writes "poweroff" (or "reboot", "halt") to control/shutdown: acknowledge it by
 * clearing the key, as Linux does, log it, and end the image cleanly.
 */
static void *shutdown_watch(void *arg)
{
	char req[32], path[64], token[16];

	(void)arg;
	if (xs_watch("control/shutdown", "shutdown") < 0) {
		pr_warn("cannot watch control/shutdown: xl shutdown will not reach the app\n");
		return NULL;
	}
	for (;;) {
		if (xs_wait_watch(path, sizeof(path), token, sizeof(token), UINT64_MAX) < 0)
			continue;
		if (xs_read("control/shutdown", req, sizeof(req)) <= 0 || !req[0])
			continue;
		xs_write("control/shutdown", "");
		pr_info("shutdown requested by the host (%s): ending the app\n", req);
		sk_exit(0);
	}
}

void xen_shutdown_watch_start(void)
{
	struct sk_thread *t = sk_thread_create("xen-shutdown", shutdown_watch, NULL);

	if (!t)
		pr_warn("no memory for the shutdown watcher\n");
	else
		sk_thread_detach(t);
}
