// SPDX-License-Identifier: MIT
/*
 * Clocks: the TSC is the monotonic clock, its frequency taken from kvmclock, then CPUID, and
 * measured against the PIT only when neither knows it (as under QEMU's TCG). Wall time is the
 * RTC's reading at boot plus the monotonic clock.
 */
#define pr_tag "kvm"
#include <skiff/compiler.h>
#include <skiff/printk.h>
#include <kvm/setup.h>
#include <kvm/x86.h>

/* ns = (tsc - tsc0) * ns_mult >> 32; tsc = tsc0 + (ns * tsc_mult >> 28). */
static uint64_t tsc0, hz, ns_mult, tsc_mult;
static uint64_t wall_at_boot_ns;
static const char *source;

static uint64_t cpuid_tsc_hz(void)
{
	struct cpuid_regs r = cpuid(0, 0);

	if (r.eax >= 0x15) {
		struct cpuid_regs t = cpuid(0x15, 0);

		if (t.eax && t.ebx && t.ecx)
			return (uint64_t)t.ecx * t.ebx / t.eax;
	}
	/* Hypervisors (VMware's and QEMU's with invtsc) report TSC kHz in leaf 0x40000010. */
	r = cpuid(0x40000000, 0);
	if (r.eax >= 0x40000010 && r.eax < 0x40010000) {
		struct cpuid_regs t = cpuid(0x40000010, 0);

		if (t.eax)
			return (uint64_t)t.eax * 1000;
	}
	return 0;
}

static uint64_t find_hz(void)
{
	uint64_t f;

	if ((f = kvmclock_tsc_hz())) {
		source = "kvmclock";
		return f;
	}
	if ((f = cpuid_tsc_hz())) {
		source = "cpuid";
		return f;
	}
	if ((f = pit_measure_tsc_hz())) {
		source = "PIT";
		return f;
	}
	source = "a guess";
	return 1000000000ULL;
}

void tsc_setup(uint64_t boot_tsc, uint64_t freq, const char *from, uint64_t wall_ns_at_boot)
{
	tsc0 = boot_tsc ? boot_tsc : rdtsc();
	hz = freq;
	source = from;
	ns_mult = (SK_NSEC_PER_SEC << 32) / hz;
	tsc_mult = (hz << 28) / SK_NSEC_PER_SEC;
	wall_at_boot_ns = wall_ns_at_boot;
}

void tsc_init(uint64_t boot_tsc)
{
	uint64_t wall, freq = find_hz(); /* sets source */

	tsc_setup(boot_tsc, freq, source, 0);
	wall = rtc_read_unix_ns();
	if (wall)
		wall_at_boot_ns = wall - plat_time_monotonic_ns();
	if (source[0] == 'a')
		pr_warn("cannot tell the TSC frequency; assuming 1 GHz, time will be wrong\n");
}

const char *tsc_source(void)
{
	return source;
}

uint64_t tsc_hz(void)
{
	return hz;
}

uint64_t plat_time_monotonic_ns(void)
{
	uint64_t delta = rdtsc() - tsc0;

	return (uint64_t)(((unsigned __int128)delta * ns_mult) >> 32);
}

uint64_t tsc_from_ns(uint64_t ns)
{
	return tsc0 + (uint64_t)(((unsigned __int128)ns * tsc_mult) >> 28);
}

uint64_t plat_time_wall_ns(void)
{
	return wall_at_boot_ns ? wall_at_boot_ns + plat_time_monotonic_ns() : 0;
}
