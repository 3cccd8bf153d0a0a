// SPDX-License-Identifier: MIT
/*
 * kvmclock, used once at boot for the TSC frequency: KVM publishes the TSC-to-nanoseconds scale in
 * a pvclock structure, so no calibration loop is needed on a KVM host.
 */
#include <string.h>
#include <skiff/compiler.h>
#include <kvm/setup.h>
#include <kvm/x86.h>

#define MSR_KVM_SYSTEM_TIME_NEW 0x4b564d01
#define KVM_FEATURE_CLOCKSOURCE2 (1u << 3)

struct pvclock_vcpu_time_info {
	uint32_t version;
	uint32_t pad0;
	uint64_t tsc_timestamp;
	uint64_t system_time;
	uint32_t tsc_to_system_mul;
	int8_t tsc_shift;
	uint8_t flags;
	uint8_t pad[2];
} __sk_packed;

_Static_assert(sizeof(struct pvclock_vcpu_time_info) == 32, "pvclock layout");

static struct pvclock_vcpu_time_info pvti __sk_aligned(64);

static bool on_kvm(void)
{
	struct cpuid_regs r = cpuid(0x40000000, 0);
	char sig[12];

	memcpy(sig + 0, &r.ebx, 4);
	memcpy(sig + 4, &r.ecx, 4);
	memcpy(sig + 8, &r.edx, 4);
	return memcmp(sig, "KVMKVMKVM\0\0\0", 12) == 0 &&
	       (cpuid(0x40000001, 0).eax & KVM_FEATURE_CLOCKSOURCE2);
}

uint64_t kvmclock_tsc_hz(void)
{
	uint32_t mul;
	int8_t shift;
	uint64_t hz;

	if (!on_kvm())
		return 0;
	wrmsr(MSR_KVM_SYSTEM_TIME_NEW, (uintptr_t)&pvti | 1);
	mul = *(volatile uint32_t *)&pvti.tsc_to_system_mul;
	shift = *(volatile int8_t *)&pvti.tsc_shift;
	wrmsr(MSR_KVM_SYSTEM_TIME_NEW, 0); /* only the scale was wanted */
	if (!mul)
		return 0;
	/* ns = ((tsc << shift) * mul) >> 32, so hz = 1e9 * 2^32 / mul, shifted back. */
	hz = (SK_NSEC_PER_SEC << 32) / mul;
	return shift >= 0 ? hz >> shift : hz << -shift;
}
