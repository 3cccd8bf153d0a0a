// SPDX-License-Identifier: MIT
/*
 * hello: the smallest useful Skiff app, in plain C against newlib and POSIX. It greets, prints
 * its arguments, sleeps on a timer and has two threads pass a token back and forth, which
 * together exercise boot, the console, the command line, timers and the scheduler.
 */
#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include <generated/autoconf.h>

#define ROUNDS CONFIG_APP_HELLO_ROUNDS
#define SLEEP_MS CONFIG_APP_HELLO_SLEEP_MS

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t turn_changed = PTHREAD_COND_INITIALIZER;
static int turn;		/* which player holds the token */
static unsigned passes;

static void *player(void *arg)
{
	int me = (int)(long)arg;

	for (int i = 0; i < ROUNDS / 2; i++) {
		pthread_mutex_lock(&lock);
		while (turn != me)
			pthread_cond_wait(&turn_changed, &lock);
		passes++;
		turn = !me;
		pthread_cond_signal(&turn_changed);
		pthread_mutex_unlock(&lock);
	}
	return NULL;
}

static int pass_token(void)
{
	pthread_t t[2];

	for (long i = 0; i < 2; i++) {
		if (pthread_create(&t[i], NULL, player, (void *)i)) {
			printf("hello: cannot create a thread\n");
			return 1;
		}
	}
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	printf("token passed %u times\n", passes);
	return passes == ROUNDS / 2 * 2 ? 0 : 1;
}

static double ms_between(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1e3 + (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

int main(int argc, char **argv)
{
	struct timespec t0, t1, nap = { SLEEP_MS / 1000, SLEEP_MS % 1000 * 1000000L };
	double slept;

	printf("Hello from Skiff\n");
	for (int i = 0; i < argc; i++)
		printf("argv[%d] = \"%s\"\n", i, argv[i]);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	nanosleep(&nap, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	slept = ms_between(&t0, &t1);
	printf("slept %.3f ms\n", slept);
	if (slept < SLEEP_MS) {
		printf("hello: woke up early\n");
		return 1;
	}
	return pass_token();
}
