// SPDX-License-Identifier: MIT
/*
 * The CPUID the guest sees: only the baseline x86-64 features the image relies on (FPU, TSC, PAE,
 * FXSR, SSE/SSE2 and up to SSE4.2/POPCNT, SYSCALL, NX, long mode), as the host CPU reports them.
 * KVM needs LM and NX there before it accepts long mode and NX pages; the image never asks for
 * more. (Asking KVM for its full supported list instead costs about 0.35 ms a start.)
 */
#include <string.h>
#include <hv/hv.h>

#define L1_EDX (1u << 0 | 1u << 4 | 1u << 5 | 1u << 6 | 1u << 8 | 1u << 13 | 1u << 15 | 1u << 16 | \
		1u << 24 | 1u << 25 | 1u << 26) /* FPU TSC MSR PAE CX8 PGE CMOV PAT FXSR SSE SSE2 */
#define L1_ECX (1u << 0 | 1u << 9 | 1u << 13 | 1u << 19 | 1u << 20 | 1u << 23) /* SSE3 SSSE3 CX16 SSE4.1/2 POPCNT */
#define X1_EDX (1u << 11 | 1u << 20 | 1u << 29) /* SYSCALL NX LM */
#define X1_ECX (1u << 0) /* LAHF/SAHF */

/*
 * The host's answer, read once: the process backend may make CPUID fault for this whole thread
 * (ARCH_SET_CPUID), after which the monitor cannot run the instruction itself.
 */
static void host_cpuid(uint32_t leaf, uint32_t v[4])
{
	static const uint32_t leaves[] = { 0, 1, 0x80000000, 0x80000001 };
	static uint32_t cache[4][4];
	static bool read;

	if (!read) {
		for (unsigned i = 0; i < 4; i++)
			__asm__ __volatile__("cpuid"
					     : "=a"(cache[i][0]), "=b"(cache[i][1]), "=c"(cache[i][2]), "=d"(cache[i][3])
					     : "a"(leaves[i]), "c"(0));
		read = true;
	}
	for (unsigned i = 0; i < 4; i++)
		if (leaves[i] == leaf)
			memcpy(v, cache[i], 16);
}

void hv_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t v[4])
{
	(void)subleaf; /* none of the leaves given has subleaves */
	v[0] = v[1] = v[2] = v[3] = 0;
	switch (leaf) {
	case 0:
		host_cpuid(0, v);
		v[0] = 1;		/* highest basic leaf; the vendor string stays */
		break;
	case 1:
		host_cpuid(1, v);
		v[1] &= 0xffff;		/* no APIC id or CPU count: one vCPU */
		v[2] &= L1_ECX;
		v[3] &= L1_EDX;
		break;
	case 0x80000000:
		host_cpuid(leaf, v);
		v[0] = 0x80000001;
		break;
	case 0x80000001:
		host_cpuid(leaf, v);
		v[2] &= X1_ECX;
		v[3] &= X1_EDX;
		break;
	default:
		break;			/* leaves above the maximum read as zero */
	}
}
