// SPDX-License-Identifier: MIT
/* The console: the 16550 UART at COM1 and/or QEMU's debug port 0xe9, as configured. */
#include <stdbool.h>
#include <skiff/config.h>
#include <skiff/plat.h>
#include <kvm/setup.h>
#include <kvm/x86.h>

#define COM1 0x3f8
#define UART_THR 0
#define UART_IER 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_SCR 7
#define LSR_THRE 0x20
#define DEBUGCON 0xe9

static bool uart_present;

/* A UART answers with what was written to its scratch register; an empty port reads 0xff. */
static bool uart_probe(void)
{
	outb(COM1 + UART_SCR, 0x5a);
	if (inb(COM1 + UART_SCR) != 0x5a)
		return false;
	outb(COM1 + UART_SCR, 0xa5);
	return inb(COM1 + UART_SCR) == 0xa5;
}

void console_init(void)
{
	if (!SK_ENABLED(CONFIG_KVM_CONSOLE_SERIAL) || !uart_probe())
		return;
	outb(COM1 + UART_IER, 0x00);	/* polled: no interrupts */
	outb(COM1 + UART_LCR, 0x80);	/* divisor latch */
	outb(COM1 + 0, 0x01);		/* 115200 baud */
	outb(COM1 + 1, 0x00);
	outb(COM1 + UART_LCR, 0x03);	/* 8N1 */
	outb(COM1 + UART_FCR, 0xc7);	/* FIFO on, cleared */
	outb(COM1 + UART_MCR, 0x03);	/* DTR, RTS */
	uart_present = true;
}

static void uart_putc(char c)
{
	/* Bounded: a UART that never drains must not hang the crash path. */
	for (unsigned spin = 0; spin < 100000 && !(inb(COM1 + UART_LSR) & LSR_THRE); spin++)
		cpu_relax();
	outb(COM1 + UART_THR, (uint8_t)c);
}

void pvh_console_write(const char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (SK_ENABLED(CONFIG_KVM_CONSOLE_DEBUGCON))
			outb(DEBUGCON, (uint8_t)buf[i]);
		if (uart_present) {
			if (buf[i] == '\n')
				uart_putc('\r'); /* terminals want CR LF */
			uart_putc(buf[i]);
		}
	}
}
