// SPDX-License-Identifier: MIT
/*
 * crash: fails on purpose, to show (and test) the crash report. The first argument picks how:
 *   null (default)  write through a NULL pointer (#PF)
 *   ud              execute an invalid instruction (#UD)
 *   div             divide by zero (#DE)
 *   exec            jump into non-executable data (#PF, instruction fetch)
 *   rodata          write to read-only data (#PF, protection)
 *   panic           call sk_panic
 *   bug             trip SK_BUG_ON
 *   stack           overflow a thread's stack (its guard page, or the canary without one)
 *   stack-main      overflow the main thread's stack (the platform's, on plat/kvm)
 *   deadlock        block every thread with no timer pending
 *   exit N          exit with status N (not a crash: checks status reporting)
 *   sleep N         sleep N seconds, then exit 0 (a guest to stop from outside)
 */
#include <string.h>
#include <skiff/skiff.h>

static const char rodata_word[8] = "const";
static unsigned char data_code[16] = { 0xc3 }; /* ret, in a non-executable page */

static __sk_noinline void crash_null(void)
{
	*(volatile int *)0 = 42;
}

static volatile unsigned zero;

/* In asm: for 1 / x the compiler emits a compare instead of a divide, which never faults. */
static __sk_noinline void crash_div(void)
{
	unsigned q, divisor = zero;

	__asm__ __volatile__("divl %2" : "=a"(q) : "a"(1u), "rm"(divisor), "d"(0u));
	sk_printf("%u\n", q);
}

static __sk_noinline unsigned recurse(unsigned n)
{
	volatile char pad[1024];

	pad[0] = (char)n;
	if (n == 0)
		return pad[0];
	return recurse(n - 1) + pad[0];
}

static void *overflow(void *arg)
{
	(void)arg;
	recurse(1024); /* 1 MiB of frames on a 64 KiB stack */
	sk_thread_yield(); /* the canary is checked when the thread switches */
	return NULL;
}

static void crash_stack(void)
{
	struct sk_thread *t = sk_thread_create("overflow", overflow, NULL);

	if (t)
		sk_thread_join(t, NULL);
}

static void crash_deadlock(void)
{
	struct sk_sem never;

	sk_sem_init(&never, 0);
	sk_sem_down(&never);
}

static int parse_status(const char *s)
{
	int v = 0;

	for (; *s >= '0' && *s <= '9'; s++)
		v = v * 10 + (*s - '0');
	return v;
}

int main(int argc, char **argv)
{
	const char *how = argc > 1 ? argv[1] : "null";

	sk_printf("crash: %s\n", how);
	if (!strcmp(how, "null"))
		crash_null();
	else if (!strcmp(how, "ud"))
		__asm__ __volatile__("ud2");
	else if (!strcmp(how, "div"))
		crash_div();
	else if (!strcmp(how, "exec"))
		((void (*)(void))(uintptr_t)data_code)();
	else if (!strcmp(how, "rodata"))
		*(volatile char *)(uintptr_t)rodata_word = 'X';
	else if (!strcmp(how, "panic"))
		sk_panic("crash app asked for a panic");
	else if (!strcmp(how, "bug"))
		SK_BUG_ON(argc > 1);
	else if (!strcmp(how, "stack"))
		crash_stack();
	else if (!strcmp(how, "stack-main"))
		overflow(NULL);
	else if (!strcmp(how, "deadlock"))
		crash_deadlock();
	else if (!strcmp(how, "exit") && argc > 2)
		return parse_status(argv[2]);
	else if (!strcmp(how, "sleep") && argc > 2) {
		sk_sleep_ns((uint64_t)parse_status(argv[2]) * SK_NSEC_PER_SEC);
		return 0;
	}
	sk_printf("crash: '%s' did not crash\n", how);
	return 1;
}
