// SPDX-License-Identifier: MIT
/*
 * The Xen PV boot sequence: shared info, console, page tables for all memory, clock, events and
 * traps, then the kernel with the domain's pages after the boot structures as its RAM. Services
 * that need threads (xenstore's shutdown watch, grant tables) start in plat_late_init.
 */
#define pr_tag "xen"
#include <string.h>
#include <skiff/app.h>
#include <skiff/cmdline.h>
#include <skiff/compiler.h>
#include <skiff/panic.h>
#include <skiff/printk.h>
#include <skiff/thread.h>
#include <plat-common/bootmem.h>
#include <xen-plat/hypercall.h>
#include <xen-plat/xen.h>

start_info_t *xen_si;
struct shared_info *xen_shared;
bool xen_pvh;
unsigned long xen_store_mfn;
evtchn_port_t xen_store_port;

char xen_shared_page[XEN_PAGE] __sk_aligned(4096);
static char cmdline[SK_CMDLINE_MAX];
static struct plat_boot_info bi;

void xen_events_init(void);
void gnttab_selftest(void);

/*
 * Kernel option xen.selftest: the grant table, then a xenstore transaction (write and read inside
 * it, commit, read outside), in a thread because xenstore requests block.
 */
static void *selftest(void *arg)
{
	char v[16] = "";
	uint32_t tx = 0;
	int r;

	(void)arg;
	gnttab_selftest();
	r = xs_transaction_start(&tx);
	if (!r)
		r = xs_write_tx(tx, "data/skiff/selftest", "42");
	if (!r)
		r = xs_read_tx(tx, "data/skiff/selftest", v, sizeof(v)) == 2 && !strcmp(v, "42") ? 0 : -1;
	if (!r)
		r = xs_transaction_end(tx, true);
	v[0] = '\0';
	if (!r)
		r = xs_read("data/skiff/selftest", v, sizeof(v)) == 2 && !strcmp(v, "42") ? 0 : -1;
	pr_info("xenstore transaction self-test %s (tx %u, %d)\n", r ? "FAILED" : "ok", tx, r);
	return NULL;
}

static void xen_selftest_start(void)
{
	struct sk_thread *t = sk_thread_create("xen-selftest", selftest, NULL);

	if (t)
		sk_thread_detach(t);
}
noreturn void xen_main(start_info_t *si, uint64_t boot_tsc);

static void build_boot_info(unsigned long free_pfn, uint64_t boot_tsc)
{
	bi.plat_name = "xen-pv";
	bi.boot_tsc = boot_tsc;
	bi.ram_bytes = (uint64_t)xen_si->nr_pages * XEN_PAGE;
	memcpy(cmdline, xen_si->cmd_line, SK_MIN(sizeof(cmdline), sizeof(xen_si->cmd_line)) - 1);
	bi.cmdline = cmdline;
	bootmem_add(&bi, (uint64_t)free_pfn * XEN_PAGE, bi.ram_bytes - (uint64_t)free_pfn * XEN_PAGE);
	if (xen_si->mod_start && xen_si->mod_len) {
		uintptr_t start = (xen_si->flags & SIF_MOD_START_PFN) ? xen_si->mod_start << 12 :
									xen_si->mod_start;

		bi.initrd = (const void *)start;
		bi.initrd_len = xen_si->mod_len;
		bootmem_reserve(&bi, SK_ALIGN_DOWN(start, XEN_PAGE),
				SK_ALIGN_UP(start + xen_si->mod_len, XEN_PAGE));
	}
}

noreturn void xen_main(start_info_t *si, uint64_t boot_tsc)
{
	unsigned long free_pfn;

	xen_si = si;
	if (xen_map_mfn(xen_shared_page, si->shared_info >> 12))
		xen_shutdown(SHUTDOWN_crash); /* nothing to print with yet */
	xen_shared = (struct shared_info *)xen_shared_page;
	xen_store_mfn = si->store_mfn;
	xen_store_port = si->store_evtchn;
	xen_console_init(si->console.domU.mfn, si->console.domU.evtchn);
	xen_traps_init();
	free_pfn = xen_mm_init();
	xen_time_init();
	xen_events_init();
	build_boot_info(free_pfn, boot_tsc);
	kernel_main(&bi);
}

/* The plat.h calls that are not elsewhere. */
extern noreturn void xen_halt(int status);

void plat_late_init(void)
{
	const struct sk_cmdline *cl = sk_boot_cmdline();

	xs_init(xen_store_mfn, xen_store_port);
	if (gnttab_init())
		pr_warn("no grant tables: devices that need them will not work\n");
	xen_devices_probe();
	xen_shutdown_watch_start();
	if (sk_cmdline_get(cl, "xen.selftest"))
		xen_selftest_start();
}

void plat_console_write(const char *buf, size_t len)
{
	xen_console_write(buf, len);
}

void plat_idle(uint64_t deadline_ns)
{
	xen_idle(deadline_ns);
}

noreturn void plat_halt(int status)
{
	xen_halt(status);
}

noreturn void plat_abort(const char *msg)
{
	(void)msg;
	xen_shutdown(SHUTDOWN_crash);
}

/* Xen guards in place: the stack's first page unmapped (PV; PVH cannot, see xen_page_guard). */
void *plat_stack_map(void *addr, unsigned order)
{
	(void)order;
	return xen_page_guard(addr, true) == PLAT_OK ? addr : NULL;
}

void plat_stack_release(void *stack, void *addr, unsigned order)
{
	(void)stack;
	(void)order;
	xen_page_guard(addr, false);
}
