// SPDX-License-Identifier: MIT
/*
 * The QEMU world's table (see world.h), and ending the image there. The status reaches the host
 * through QEMU's isa-debug-exit device (port 0xf4, QEMU exits with (status << 1) | 1); where that
 * device is absent the port write does nothing and ACPI S5, then a keyboard-controller reset (QEMU
 * -no-reboot exits), then a triple fault follow.
 */
#include <skiff/panic.h>
#include <kvm/blk.h>
#include <kvm/net.h>
#include <kvm/setup.h>
#include <kvm/world.h>
#include <kvm/x86.h>

#define ISA_DEBUG_EXIT 0xf4

static noreturn void pvh_halt(int status)
{
	struct {
		uint16_t limit;
		uint64_t base;
	} __sk_packed no_idt = { 0, 0 };

	outl(ISA_DEBUG_EXIT, (uint32_t)status);
	acpi_poweroff();
	outb(0x64, 0xfe);
	/* With no IDT, any exception is a triple fault: the machine resets or stops. */
	__asm__ __volatile__("lidt %0; int3" : : "m"(no_idt));
	for (;;)
		__asm__ __volatile__("cli; hlt");
}

static noreturn void pvh_abort(const char *msg)
{
	(void)msg; /* the kernel printed the report; QEMU has no channel for the reason */
	pvh_halt(SK_EXIT_CRASH);
}

const struct kvm_world kvm_world_qemu = {
	.name = "kvm-qemu",
	.console_write = pvh_console_write,
	.idle = lapic_idle,
	.halt = pvh_halt,
	.abort = pvh_abort,
	.tlb_flush_page = paging_flush_page,
	.late_init = qemu_devices_probe,
	.blk_info = qemu_blk_info,
	.blk_submit = qemu_blk_submit,
	.net_count = qemu_net_count,
	.net_info = qemu_net_info,
	.net_send = qemu_net_send,
	.net_recv = qemu_net_recv,
	.net_stats = qemu_net_stats,
};
