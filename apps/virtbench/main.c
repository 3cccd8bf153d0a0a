// SPDX-License-Identifier: MIT
/*
 * virtbench: microbenchmarks inside the image, each printed as one line
 * "virtbench: NAME VALUE UNIT key=value..." so a driver can read them.
 *   null-call [N]   N one-byte console writes (the platform's cheapest exit), ns per round trip
 * Output that measures goes to stderr, the writes measured to stdout: under skiff-hv --quiet both
 * are discarded by the monitor, so run without --quiet and read stderr, or with it and N only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

/* write(2) goes to the console unbuffered: one platform console call each. */
static void null_call(long n)
{
	double t0, t1;

	t0 = now_ns();
	for (long i = 0; i < n; i++)
		if (write(STDOUT_FILENO, "", 1) != 1)
			break;
	t1 = now_ns();
	printf("\nvirtbench: null-call %.0f ns n=%ld\n", (t1 - t0) / (double)n, n);
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "null-call";
	long n = argc > 2 ? strtol(argv[2], NULL, 10) : 100000;

	if (n < 1) {
		fprintf(stderr, "virtbench: N must be at least 1\n");
		return 2;
	}
	if (!strcmp(what, "null-call")) {
		null_call(n);
		return 0;
	}
	fprintf(stderr, "virtbench: unknown benchmark '%s' (null-call)\n", what);
	return 2;
}
