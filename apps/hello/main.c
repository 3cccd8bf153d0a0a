// SPDX-License-Identifier: MIT
/*
 * hello: the smallest useful Skiff app. It greets, prints its arguments, sleeps on a timer and has
 * two threads pass a token back and forth, which together exercise boot, the console, the command
 * line, timers and the scheduler.
 */
#include <skiff/config.h>
#include <skiff/skiff.h>

struct token {
	struct sk_sem turn[2]; /* turn[i] is up when thread i holds the token */
	unsigned passes;
};

static struct token tok;

static void *player(void *arg)
{
	unsigned me = (unsigned)(uintptr_t)arg;

	for (unsigned i = 0; i < CONFIG_APP_HELLO_ROUNDS / 2; i++) {
		sk_sem_down(&tok.turn[me]);
		tok.passes++;
		sk_sem_up(&tok.turn[!me]);
	}
	return NULL;
}

static int pass_token(void)
{
	struct sk_thread *t[2];

	sk_sem_init(&tok.turn[0], 1);
	sk_sem_init(&tok.turn[1], 0);
	for (unsigned i = 0; i < 2; i++) {
		t[i] = sk_thread_create(i ? "pong" : "ping", player, (void *)(uintptr_t)i);
		if (!t[i]) {
			sk_printf("hello: cannot create a thread\n");
			return 1;
		}
	}
	for (unsigned i = 0; i < 2; i++)
		sk_thread_join(t[i], NULL);
	sk_printf("token passed %u times\n", tok.passes);
	return tok.passes == CONFIG_APP_HELLO_ROUNDS / 2 * 2 ? 0 : 1;
}

int main(int argc, char **argv)
{
	uint64_t t0, slept, want = CONFIG_APP_HELLO_SLEEP_MS * SK_NSEC_PER_MSEC;

	sk_printf("Hello from Skiff\n");
	for (int i = 0; i < argc; i++)
		sk_printf("argv[%d] = \"%s\"\n", i, argv[i]);

	t0 = sk_now_ns();
	sk_sleep_ns(want);
	slept = sk_now_ns() - t0;
	sk_printf("slept %llu.%03llu ms\n", (unsigned long long)(slept / 1000000),
		  (unsigned long long)(slept / 1000 % 1000));
	if (slept < want) {
		sk_printf("hello: woke up early\n");
		return 1;
	}
	return pass_token();
}
