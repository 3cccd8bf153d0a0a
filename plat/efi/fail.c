// SPDX-License-Identifier: MIT
/*
 * What the stub says and how it stops. Before ExitBootServices every message goes to the
 * firmware console (ConOut: the screen, and the serial port where the firmware mirrors it, as
 * OVMF does). A failure stops the machine the way a plat/kvm image does: QEMU's isa-debug-exit
 * (port 0xf4) carries status 126 where the device exists; elsewhere the message stays on screen
 * for a few seconds and ResetSystem powers the machine off (rather than returning to the boot
 * manager, which would try the next boot option and scroll the reason away).
 */
#include <efistub/stub.h>

#define ISA_DEBUG_EXIT 0xf4
#define COM1 0x3f8
#define SHOW_SECONDS 5

static void outl(UINT16 port, UINT32 v)
{
	__asm__ __volatile__("outl %0, %1" : : "a"(v), "Nd"(port));
}

static void outb(UINT16 port, UINT8 v)
{
	__asm__ __volatile__("outb %0, %1" : : "a"(v), "Nd"(port));
}

static UINT8 inb(UINT16 port)
{
	UINT8 v;

	__asm__ __volatile__("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static void say(const CHAR16 *fmt, va_list ap)
{
	Print(L"skiff-efi: ");
	VPrint(fmt, ap);
	Print(L"\n");
}

void stub_say(const CHAR16 *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(fmt, ap);
	va_end(ap);
}

static noreturn void stop(void)
{
	outl(ISA_DEBUG_EXIT, STUB_EXIT_BOOT_ERROR);
	uefi_call_wrapper(RT->ResetSystem, 4, EfiResetShutdown, EFI_LOAD_ERROR, 0, NULL);
	for (;;)
		__asm__ __volatile__("cli; hlt");
}

noreturn void stub_fail(const CHAR16 *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(fmt, ap);
	va_end(ap);
	Print(L"skiff-efi: cannot start the image; stopping the machine\n");
	outl(ISA_DEBUG_EXIT, STUB_EXIT_BOOT_ERROR);
	uefi_call_wrapper(BS->Stall, 1, SHOW_SECONDS * 1000000);
	stop();
}

/* After ExitBootServices has been called the console protocols are gone: COM1 as the firmware left it. */
static void serial_puts(const char *s)
{
	for (; *s; s++) {
		for (int spin = 0; spin < 100000 && !(inb(COM1 + 5) & 0x20); spin++)
			;
		outb(COM1, (UINT8)*s);
	}
}

noreturn void stub_fail_late(const char *msg)
{
	serial_puts("skiff-efi: ");
	serial_puts(msg);
	serial_puts("\r\nskiff-efi: cannot start the image; stopping the machine\r\n");
	stop();
}
