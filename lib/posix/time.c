// SPDX-License-Identifier: MIT
/* Clocks and sleeping on the kernel's monotonic and wall clocks and its timers. */
#include <sys/time.h>
#include <sys/times.h>
#include <time.h>
#include <unistd.h>
#include <skiff/thread.h>
#include <skiff/time.h>
#include "posix.h"

#define NS 1000000000ULL

static void to_timespec(uint64_t ns, struct timespec *ts)
{
	ts->tv_sec = (time_t)(ns / NS);
	ts->tv_nsec = (long)(ns % NS);
}

int clock_gettime(clockid_t clk, struct timespec *ts)
{
	switch (clk) {
	case CLOCK_REALTIME:
		to_timespec(sk_wall_ns(), ts);
		return 0;
	case CLOCK_MONOTONIC:
	case CLOCK_PROCESS_CPUTIME_ID: /* one process that owns the CPU */
	case CLOCK_THREAD_CPUTIME_ID:
		to_timespec(sk_now_ns(), ts);
		return 0;
	default:
		errno = EINVAL;
		return -1;
	}
}

int clock_getres(clockid_t clk, struct timespec *res)
{
	struct timespec ts;

	if (clock_gettime(clk, &ts))
		return -1;
	/* Every clock reads the TSC through a nanosecond scale: 1 ns steps. */
	if (res)
		*res = (struct timespec){ 0, 1 };
	return 0;
}

int gettimeofday(struct timeval *tv, void *tz)
{
	uint64_t ns = sk_wall_ns();

	(void)tz;
	tv->tv_sec = (time_t)(ns / NS);
	tv->tv_usec = (suseconds_t)(ns % NS / 1000);
	return 0;
}

/* No signals can interrupt a sleep, so rem is always zero. */
int nanosleep(const struct timespec *req, struct timespec *rem)
{
	if (req->tv_sec < 0 || req->tv_nsec < 0 || req->tv_nsec >= (long)NS) {
		errno = EINVAL;
		return -1;
	}
	sk_sleep_ns((uint64_t)req->tv_sec * NS + (uint64_t)req->tv_nsec);
	if (rem)
		*rem = (struct timespec){ 0, 0 };
	return 0;
}

int clock_nanosleep(clockid_t clk, int flags, const struct timespec *req, struct timespec *rem)
{
	struct timespec now;
	uint64_t t;

	if (!(flags & TIMER_ABSTIME))
		return nanosleep(req, rem) ? errno : 0;
	if (clock_gettime(clk, &now))
		return EINVAL;
	t = (uint64_t)req->tv_sec * NS + (uint64_t)req->tv_nsec;
	if (clk == CLOCK_REALTIME)
		t = t - ((uint64_t)now.tv_sec * NS + (uint64_t)now.tv_nsec) + sk_now_ns();
	sk_sleep_until(t);
	return 0;
}

unsigned sleep(unsigned seconds)
{
	sk_sleep_ns((uint64_t)seconds * NS);
	return 0;
}

int usleep(useconds_t us)
{
	sk_sleep_ns((uint64_t)us * 1000);
	return 0;
}

/* CPU time is all the time since boot; clock() and times() use it. */
clock_t times(struct tms *t)
{
	clock_t ticks = (clock_t)(sk_now_ns() / (NS / CLK_TCK));

	if (t)
		*t = (struct tms){ ticks, 0, 0, 0 };
	return ticks;
}
