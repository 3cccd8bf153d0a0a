// SPDX-License-Identifier: MIT
/*
 * Time on Xen: the PV clock in shared_info (system time in ns, extrapolated from the TSC with the
 * scale Xen publishes) and the wall clock Xen keeps beside it. Monotonic time counts from boot.
 */
#include <skiff/plat.h>
#include <xen-plat/xen.h>

static uint64_t boot_system_ns;

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* Xen bumps version (odd while it writes): read until one even version spans the whole read. */
uint64_t xen_system_time_ns(void)
{
	const volatile struct vcpu_time_info *t = &xen_shared->vcpu_info[0].time;
	uint32_t v;
	uint64_t ns;

	do {
		uint64_t delta;

		v = t->version;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		delta = rdtsc() - t->tsc_timestamp;
		delta = t->tsc_shift >= 0 ? delta << t->tsc_shift : delta >> -t->tsc_shift;
		ns = t->system_time + (uint64_t)(((unsigned __int128)delta * t->tsc_to_system_mul) >> 32);
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
	} while ((v & 1) || v != t->version);
	return ns;
}

void xen_time_init(void)
{
	boot_system_ns = xen_system_time_ns();
}

uint64_t plat_time_monotonic_ns(void)
{
	return xen_system_time_ns() - boot_system_ns;
}

/* The wall clock at system time 0, plus the system time. */
uint64_t plat_time_wall_ns(void)
{
	const volatile struct shared_info *s = xen_shared;
	uint32_t v;
	uint64_t sec, nsec;

	do {
		v = s->wc_version;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		sec = s->wc_sec | ((uint64_t)s->wc_sec_hi << 32);
		nsec = s->wc_nsec;
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
	} while ((v & 1) || v != s->wc_version);
	return sec * 1000000000ULL + nsec + xen_system_time_ns();
}

/* Monotonic ns to Xen system time, for timers. */
uint64_t xen_deadline_to_system(uint64_t deadline_ns);

uint64_t xen_deadline_to_system(uint64_t deadline_ns)
{
	return boot_system_ns + deadline_ns;
}
