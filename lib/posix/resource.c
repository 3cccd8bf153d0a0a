// SPDX-License-Identifier: MIT
/*
 * Resource limits and usage. The limits report what the image really has: descriptors (the
 * kernel's table), memory (the guest's RAM), the main thread's stack; the rest are unlimited, and
 * cores are never written. setrlimit keeps what it is given within the hard limit (lowering a
 * hard limit is for good, as for an unprivileged process) and getrlimit shows it, but only the
 * fixed sizes above bound anything. CPU time is all time since boot, as for times().
 */
#include <string.h>
#include <sys/resource.h>
#include <skiff/app.h>
#include <skiff/config.h>
#include <skiff/page.h>
#include <skiff/plat.h>
#include <skiff/time.h>
#include "posix.h"

static struct rlimit limits[RLIMIT_NLIMITS];
static bool limits_ready;
static int niceness;

static void init_limits(void)
{
	rlim_t mem = (rlim_t)sk_pmem_kernel.total_pages * SK_PAGE_SIZE;
	rlim_t stack = sk_boot_info && sk_boot_info->main_stack_size ? sk_boot_info->main_stack_size
								      : (rlim_t)CONFIG_SK_THREAD_STACK_KIB * 1024;

	for (int i = 0; i < RLIMIT_NLIMITS; i++)
		limits[i] = (struct rlimit){ RLIM_INFINITY, RLIM_INFINITY };
	limits[RLIMIT_NOFILE] = (struct rlimit){ SK_FD_MAX, SK_FD_MAX };
	limits[RLIMIT_AS] = limits[RLIMIT_DATA] = limits[RLIMIT_RSS] = (struct rlimit){ mem, mem };
	limits[RLIMIT_STACK] = (struct rlimit){ stack, stack };
	limits[RLIMIT_CORE] = (struct rlimit){ 0, 0 };
	limits_ready = true;
}

int getrlimit(int resource, struct rlimit *rl)
{
	if (resource < 0 || resource >= RLIMIT_NLIMITS)
		return (int)posix_ret(-EINVAL);
	if (!limits_ready)
		init_limits();
	*rl = limits[resource];
	return 0;
}

int setrlimit(int resource, const struct rlimit *rl)
{
	if (resource < 0 || resource >= RLIMIT_NLIMITS || rl->rlim_cur > rl->rlim_max)
		return (int)posix_ret(-EINVAL);
	if (!limits_ready)
		init_limits();
	if (rl->rlim_max > limits[resource].rlim_max)
		return (int)posix_ret(-EPERM);
	limits[resource] = *rl;
	return 0;
}

static struct timeval to_timeval(uint64_t ns)
{
	return (struct timeval){ .tv_sec = (time_t)(ns / 1000000000ULL),
				 .tv_usec = (suseconds_t)(ns % 1000000000ULL / 1000) };
}

int getrusage(int who, struct rusage *ru)
{
	if (who != RUSAGE_SELF && who != RUSAGE_THREAD && who != RUSAGE_CHILDREN)
		return (int)posix_ret(-EINVAL);
	memset(ru, 0, sizeof(*ru));
	if (who == RUSAGE_CHILDREN)
		return 0; /* there are none */
	ru->ru_utime = to_timeval(sk_now_ns());
	ru->ru_maxrss = (long)(sk_pmem_peak_pages(&sk_pmem_kernel) * (SK_PAGE_SIZE / 1024));
	return 0;
}

int getpriority(int which, id_t who)
{
	if (which != PRIO_PROCESS && which != PRIO_PGRP && which != PRIO_USER)
		return (int)posix_ret(-EINVAL);
	(void)who;
	return niceness;
}

/* Kept and reported; with one process there is nobody to be nicer to. */
int setpriority(int which, id_t who, int prio)
{
	if (which != PRIO_PROCESS && which != PRIO_PGRP && which != PRIO_USER)
		return (int)posix_ret(-EINVAL);
	(void)who;
	niceness = prio < -20 ? -20 : prio > 19 ? 19 : prio;
	return 0;
}
