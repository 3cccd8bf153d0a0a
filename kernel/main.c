// SPDX-License-Identifier: MIT
/*
 * The boot sequence every platform ends in: log, memory, scheduler, command line, then the app's
 * main() in its own thread while this boot context becomes the idle thread.
 */
#define pr_tag "skiff"
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <skiff/app.h>
#include <skiff/cmdline.h>
#include <skiff/config.h>
#include <skiff/netdev.h>
#include <skiff/panic.h>
#include <skiff/plat.h>
#include <skiff/printk.h>
#include <skiff/thread.h>
#include "memsetup.h"
#include "sched.h"

uint64_t sk_main_start_ns;
const struct plat_boot_info *sk_boot_info;
static struct sk_cmdline cmdline;

const struct sk_cmdline *sk_boot_cmdline(void)
{
	return &cmdline;
}

/* Without a C library: nothing to set up, and main() is called directly. */
__sk_weak void sk_libc_init(void)
{
}

__sk_weak int sk_app_run(int argc, char **argv)
{
	return main(argc, argv);
}
static bool bootstats;

noreturn void sk_exit(int status)
{
	pr_debug("exit status %d\n", status);
	sk_console_flush();
	plat_halt(status);
}

static void *main_thread(void *arg)
{
	(void)arg;
	sk_main_start_ns = plat_time_monotonic_ns();
	sk_console_release();
	if (bootstats) /* for support/bench.sh: time from the first instruction to main() */
		sk_printf("bootstats: main() at %llu us\n",
			  (unsigned long long)(sk_main_start_ns / 1000));
	sk_exit(sk_app_run(cmdline.argc, cmdline.argv));
}

/*
 * Options read by others, which the kernel leaves alone: the C library's environment, the
 * network stack's per-NIC settings (lib/lwip: net.ip=, net1.ip=, ...), the devices QEMU microvm
 * lists for the platform, the Xen platform's own.
 */
static bool others_option(const char *key)
{
	static const char *const prefixes[] = { "env.", "net.", "virtio_mmio.", "xen." };

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (!strncmp(key, prefixes[i], strlen(prefixes[i])) && key[strlen(prefixes[i])])
			return true;
	/* net1. ... net9. */
	return !strncmp(key, "net", 3) && key[3] >= '1' && key[3] <= '9' && key[4] == '.' && key[5];
}

/* Options the kernel itself understands; unknown ones are reported, not fatal. */
static void apply_options(void)
{
	for (int i = 0; i < cmdline.nr_opts; i++) {
		const struct sk_cmdline_opt *o = &cmdline.opt[i];

		if (!strcmp(o->key, "loglevel") && o->value && o->value[0] >= '0' &&
		    o->value[0] <= '9' && !o->value[1])
			sk_log_level = o->value[0] - '0';
		else if (!strcmp(o->key, "bootstats") && !o->value)
			bootstats = true;
		else if (others_option(o->key))
			;
		else
			pr_warn("unknown or malformed boot option '%s%s%s' ignored\n", o->key,
				o->value ? "=" : "", o->value ? o->value : "");
	}
}

static noreturn void boot_error(void)
{
	sk_console_flush();
	plat_halt(SK_EXIT_BOOT_ERROR);
}

noreturn void kernel_main(const struct plat_boot_info *bi)
{
	size_t err_pos = 0;
	int err;

	sk_boot_info = bi;
	sched_init();
	err = sk_cmdline_parse(&cmdline, bi->cmdline, CONFIG_APP_NAME, &err_pos);
	if (err) {
		pr_err("bad command line at byte %zu: %s\n", err_pos,
		       err == -E2BIG ? "too long or too many words" : "unterminated quote or empty option");
		boot_error();
	}
	apply_options();
	pr_info("Skiff on %s, %llu KiB RAM\n", bi->plat_name,
		(unsigned long long)(bi->ram_bytes >> 10));
	if (memsetup(bi))
		boot_error();
	plat_late_init();
#ifdef CONFIG_SK_NET
	sk_netdev_init();
#endif
	sk_libc_init();
	if (!sk_thread_create_on("main", main_thread, NULL, bi->main_stack, bi->main_stack_size)) {
		pr_err("cannot create the main thread: out of memory\n");
		boot_error();
	}
	sched_idle_loop();
}
