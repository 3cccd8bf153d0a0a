// SPDX-License-Identifier: MIT
/*
 * The stub platform: plat.h on a Linux host, so kernel logic runs in host unit tests under
 * ASan/UBSan. Time is a fake clock that only moves when a test (or plat_idle) moves it, which
 * makes timer and scheduler tests deterministic.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <skiff/panic.h>
#include <skiff/plat.h>
#include "stub.h"

jmp_buf *unit_panic_jmp;
char unit_panic_msg[256];

uint64_t stub_now_ns;
unsigned stub_idle_calls;
char stub_console[STUB_CONSOLE_SIZE];
size_t stub_console_len;
int stub_halt_status = -1;
jmp_buf *stub_halt_jmp;

void plat_late_init(void)
{
}

void plat_console_write(const char *buf, size_t len)
{
	size_t room = sizeof(stub_console) - 1 - stub_console_len;
	size_t n = len < room ? len : room;

	memcpy(stub_console + stub_console_len, buf, n);
	stub_console_len += n;
	stub_console[stub_console_len] = '\0';
	if (getenv("STUB_ECHO"))
		fwrite(buf, 1, len, stdout);
}

void stub_console_reset(void)
{
	stub_console_len = 0;
	stub_console[0] = '\0';
}

uint64_t plat_time_monotonic_ns(void)
{
	return stub_now_ns;
}

uint64_t plat_time_wall_ns(void)
{
	return 1700000000ULL * 1000000000ULL + stub_now_ns;
}

/* Idle jumps the fake clock straight to the deadline: the host test never sleeps. */
void plat_idle(uint64_t deadline_ns)
{
	stub_idle_calls++;
	if (deadline_ns == PLAT_DEADLINE_NONE) {
		fprintf(stderr, "stub: plat_idle with no deadline: the test would hang\n");
		abort();
	}
	if (deadline_ns > stub_now_ns)
		stub_now_ns = deadline_ns;
}

noreturn void plat_halt(int status)
{
	stub_halt_status = status;
	if (stub_halt_jmp)
		longjmp(*stub_halt_jmp, 1);
	exit(status);
}

noreturn void plat_abort(const char *msg)
{
	fprintf(stderr, "stub: plat_abort: %s\n", msg);
	abort();
}

bool plat_addr_readable(uintptr_t addr, size_t len)
{
	return addr != 0 && addr + len > addr;
}

/* Unit tests see a panic as a longjmp back into EXPECT_PANIC, or as a test failure. */
noreturn void sk_panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(unit_panic_msg, sizeof(unit_panic_msg), fmt, ap);
	va_end(ap);
	if (unit_panic_jmp)
		longjmp(*unit_panic_jmp, 1);
	fprintf(stderr, "unexpected panic: %s\n", unit_panic_msg);
	abort();
}

void *plat_stack_map(void *addr, unsigned order)
{
	(void)addr;
	(void)order;
	return NULL; /* host tests use the canary only */
}

void plat_stack_release(void *stack, void *addr, unsigned order)
{
	(void)stack;
	(void)addr;
	(void)order;
}

unsigned stub_net_count;
struct plat_net_info stub_net_info = { .mac = { 2, 0, 0, 0, 0, 1 }, .mtu = 1500, .model = "stub" };
int (*stub_net_recv)(unsigned nic, struct plat_net_frame *f, unsigned n);
int (*stub_net_send)(unsigned nic, const struct plat_net_frame *f, unsigned n);

unsigned plat_net_count(void)
{
	return stub_net_count;
}

int plat_net_info(unsigned nic, struct plat_net_info *info)
{
	if (nic >= stub_net_count)
		return PLAT_ENODEV;
	*info = stub_net_info;
	return PLAT_OK;
}

int plat_net_send(unsigned nic, const struct plat_net_frame *f, unsigned n)
{
	return stub_net_send ? stub_net_send(nic, f, n) : (int)n;
}

int plat_net_recv(unsigned nic, struct plat_net_frame *f, unsigned n)
{
	return stub_net_recv ? stub_net_recv(nic, f, n) : 0;
}

int plat_net_stats(unsigned nic, struct plat_net_stats *st)
{
	(void)nic;
	*st = (struct plat_net_stats){ 0 };
	return PLAT_OK;
}
