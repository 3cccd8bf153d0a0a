// SPDX-License-Identifier: MIT
/*
 * libc-test: newlib and Skiff's POSIX layer, tested from inside the guest. One line per case
 * ("ok NAME" or "FAIL NAME: where and what"), then "libc-test: N passed, N failed"; the exit
 * status is 0 only if all passed. Needs the initrd (apps/libc-test/rootfs) at /initrd and the
 * kernel option env.SKIFF_TEST=yes. "libc-test abort" calls abort() instead, which must end the
 * image with a crash report, "libc-test deadlock" waits on a condition nobody signals, which the
 * kernel reports as a deadlock, and "libc-test segv" writes through a NULL pointer; each time the
 * line printed before must not be lost, even when stdout is fully buffered. "libc-test sigterm"
 * raises SIGTERM, whose default action ends the program with the crash status, 127.
 */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <skiff/config.h>
#include "check.h"

char check_failure[256];
static volatile uintptr_t zero; /* a NULL the compiler cannot see */

static void bye(void)
{
	printf("libc-test: atexit handler ran\n");
}

static void run(const struct test *t, int *passed, int *failed)
{
	for (; t->name; t++) {
		check_failure[0] = '\0';
		t->fn();
		if (check_failure[0]) {
			printf("FAIL %s: %s\n", t->name, check_failure);
			(*failed)++;
		} else {
			printf("ok   %s\n", t->name);
			(*passed)++;
		}
	}
}

int main(int argc, char **argv)
{
	int passed = 0, failed = 0;

	if (argc > 1 && !strcmp(argv[1], "abort")) {
		printf("libc-test: calling abort()\n");
		abort();
	}
	if (argc > 1 && !strcmp(argv[1], "segv")) {
		printf("libc-test: writing through NULL\n");
		*(volatile int *)(uintptr_t)zero = 1;
	}
	if (argc > 1 && !strcmp(argv[1], "sigterm")) {
		printf("libc-test: raising SIGTERM\n");
		raise(SIGTERM);
		printf("libc-test: still running after SIGTERM\n");
		return 0;
	}
	if (argc > 1 && !strcmp(argv[1], "deadlock")) {
		static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
		static pthread_cond_t never = PTHREAD_COND_INITIALIZER;

		printf("libc-test: waiting forever\n");
		pthread_mutex_lock(&m);
		pthread_cond_wait(&never, &m);
	}
	atexit(bye);
	run(stdio_tests, &passed, &failed);
	run(file_tests, &passed, &failed);
	run(misc_tests, &passed, &failed);
	run(posix_tests, &passed, &failed);
	run(ipc_tests, &passed, &failed);
	run(thread_tests, &passed, &failed);
	if (SK_ENABLED(CONFIG_LIBLWIP))
		run(net_tests, &passed, &failed);
	printf("libc-test: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
