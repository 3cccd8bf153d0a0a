// SPDX-License-Identifier: MIT
/* x86-64's sources for kernel/random.c: RDRAND (when CPUID says so) and the TSC. */
#include <stdbool.h>
#include <stdint.h>
#include "../../random.h"

bool sk_arch_has_rdrand(void)
{
	uint32_t a = 1, b, c = 0, d;

	__asm__ __volatile__("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	return (c >> 30) & 1;
}

/* RDRAND can come back empty when its buffer runs dry: Intel says to try up to 10 times. */
bool sk_arch_rdrand(uint64_t *v)
{
	for (int i = 0; i < 10; i++) {
		unsigned char ok;

		__asm__ __volatile__("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok) : : "cc");
		if (ok)
			return true;
	}
	return false;
}

uint64_t sk_arch_cycles(void)
{
	uint32_t lo, hi;

	__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}
