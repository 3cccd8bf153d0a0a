// SPDX-License-Identifier: MIT
/*
 * The skiff-hv world: the image runs at CPL 3 and reaches the monitor only through the
 * hypercalls of include/skiff/hv_abi.h (one OUT per call). No interrupts, no HLT: idling is a poll
 * call with a timeout, and the clock is the TSC at the frequency the monitor reports.
 */
#include <string.h>
#include <skiff/cmdline.h>
#include <skiff/hv_abi.h>
#include <skiff/panic.h>
#include <plat-common/bootmem.h>
#include <kvm/hv.h>
#include <kvm/setup.h>
#include <kvm/world.h>
#include <kvm/x86.h>

static struct plat_boot_info bi;
static const struct hv_boot_info *boot;

/*
 * The monitor sees guest-physical addresses: a pointer the image hands it (which may point into a
 * thread's stack, which runs at an alias address) goes through gpa() first.
 */
uint64_t hv_gpa(const void *p)
{
	return paging_phys(p);
}

#define gpa hv_gpa

/* arg lives below 4 GiB: skiff-hv gives a guest at most 4 GiB of memory. */
void hv_call(enum hv_call nr, void *arg)
{
	__asm__ __volatile__("outl %0, %1"
			     :
			     : "a"((uint32_t)gpa(arg)), "Nd"((uint16_t)(SKIFF_HV_PORT_BASE + nr))
			     : "memory");
}

static void hv_console_write(const char *buf, size_t len)
{
	while (len) {
		struct hv_console c = { gpa(buf), SK_MIN(len, (size_t)HV_CONSOLE_MAX) };

		hv_call(HV_CALL_CONSOLE, &c);
		buf += c.len;
		len -= c.len;
	}
}

static void hv_idle(uint64_t deadline_ns)
{
	uint64_t now = plat_time_monotonic_ns();
	struct hv_poll p = { 0 };

	if (deadline_ns <= now || hv_net_idle(deadline_ns))
		return;
	now = plat_time_monotonic_ns();
	if (deadline_ns <= now)
		return;
	p.timeout_ns = deadline_ns == PLAT_DEADLINE_NONE ? UINT64_MAX : deadline_ns - now;
	hv_call(HV_CALL_POLL, &p);
}

static void hv_halt(int status)
{
	struct hv_exit e = { .status = status };

	for (;;) /* the monitor never returns from EXIT; if it did, asking again is all we can do */
		hv_call(HV_CALL_EXIT, &e);
}

static void hv_abort(const char *msg)
{
	struct hv_abort a = { gpa(msg), strnlen(msg, HV_ABORT_MAX), SK_EXIT_CRASH, 0 };

	for (;;)
		hv_call(HV_CALL_ABORT, &a);
}

static int hv_blk_info(struct plat_blk_info *info)
{
	if (!(boot->blk_flags & HV_BLK_PRESENT))
		return PLAT_ENODEV;
	info->sectors = boot->blk_sectors;
	info->read_only = boot->blk_flags & HV_BLK_READONLY;
	return PLAT_OK;
}

static int blk_status(uint32_t s)
{
	switch (s) {
	case HV_BLK_OK: return PLAT_OK;
	case HV_BLK_EROFS: return PLAT_EROFS;
	case HV_BLK_EINVAL: return PLAT_EINVAL;
	case HV_BLK_ENODEV: return PLAT_ENODEV;
	default: return PLAT_EIO;
	}
}

/* All n requests go to the monitor in one exit. */
static int hv_blk_submit(struct plat_blk_req *reqs, unsigned n)
{
	struct hv_blk_req r[PLAT_BLK_MAX_REQS];
	struct hv_blk_batch b;
	static const uint32_t ops[] = { [PLAT_BLK_READ] = HV_BLK_READ,
					[PLAT_BLK_WRITE] = HV_BLK_WRITE,
					[PLAT_BLK_FLUSH] = HV_BLK_FLUSH };

	if (!(boot->blk_flags & HV_BLK_PRESENT))
		return PLAT_ENODEV;
	if (n == 0 || n > PLAT_BLK_MAX_REQS)
		return PLAT_EINVAL;
	for (unsigned i = 0; i < n; i++)
		r[i] = (struct hv_blk_req){ .op = reqs[i].op <= PLAT_BLK_FLUSH ? ops[reqs[i].op] : 99,
					    .sector = reqs[i].sector,
					    .buf = gpa(reqs[i].buf),
					    .len = reqs[i].len };
	b = (struct hv_blk_batch){ gpa(r), n, 0 };
	hv_call(HV_CALL_BLK, &b);
	for (unsigned i = 0; i < n; i++)
		reqs[i].status = i < b.done ? blk_status(r[i].status) : PLAT_EIO;
	return PLAT_OK;
}

/* invlpg is privileged: traps.S's hv_invlpg_request gets the CPL-0 stub to run it. */
void hv_invlpg_request(uintptr_t va);

static void hv_flush_page(uintptr_t va)
{
	hv_invlpg_request(va);
}

static void hv_late_init(void)
{
	hv_net_init(boot);
}

const struct kvm_world kvm_world_hv = {
	.name = "kvm-hv",
	.console_write = hv_console_write,
	.idle = hv_idle,
	.halt = hv_halt,
	.abort = hv_abort,
	.tlb_flush_page = hv_flush_page,
	.blk_info = hv_blk_info,
	.blk_submit = hv_blk_submit,
	.late_init = hv_late_init,
	.net_count = hv_net_count,
	.net_info = hv_net_info,
	.net_send = hv_net_send,
	.net_recv = hv_net_recv,
	.net_stats = hv_net_stats,
};

static void build_boot_info(uint64_t boot_tsc)
{
	const char *src = (const char *)(uintptr_t)boot->cmdline;
	size_t n = 0;

	/* Used in place (the monitor's page stays, read-only): only its end is checked. */
	while (src && n < SK_CMDLINE_MAX && src[n])
		n++;
	if (src && n == SK_CMDLINE_MAX)
		hv_abort("the monitor's command line is not NUL-terminated");
	bi.plat_name = kvm_world_hv.name;
	bi.cmdline = src ? src : "";
	bi.boot_tsc = boot_tsc;
	bi.ram_bytes = boot->mem_size;
	bi.console_not_terminal = !(boot->console_flags & HV_CONSOLE_TERMINAL);
	/* The monitor leaves pages between segments unmapped: the main stack's guard (link.lds). */
	bi.main_stack = _main_stack_guard;
	bi.main_stack_size = (size_t)(_main_stack_end - _main_stack_guard);
	bootmem_add(&bi, boot->free_start, boot->mem_size - boot->free_start);
	if (boot->initrd && boot->initrd_len) {
		bi.initrd = (const void *)(uintptr_t)boot->initrd;
		bi.initrd_len = boot->initrd_len;
		bootmem_reserve(&bi, SK_ALIGN_DOWN(boot->initrd, 4096),
				SK_ALIGN_UP(boot->initrd + boot->initrd_len, 4096));
	}
}

noreturn void kvm_hv_main(const struct hv_boot_info *b, uint64_t boot_tsc);

noreturn void kvm_hv_main(const struct hv_boot_info *b, uint64_t boot_tsc)
{
	kvm_world = &kvm_world_hv;
	boot = b;
	if (b->magic != HV_BOOT_MAGIC || b->abi_version != SKIFF_HV_ABI_VERSION ||
	    b->free_start >= b->mem_size || !b->tsc_hz)
		hv_abort("the monitor's boot info does not match this image's ABI version");
	tsc_setup(boot_tsc, b->tsc_hz, "skiff-hv", b->wall_ns);
	paging_use_tables(b->page_table, b->mem_size);
	build_boot_info(boot_tsc);
	kernel_main(&bi);
}
