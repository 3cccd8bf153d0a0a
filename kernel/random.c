// SPDX-License-Identifier: MIT
/* Random bytes (include/skiff/random.h): RDRAND where the CPU has it, else the TSC, mixed. */
#include <string.h>
#include <skiff/random.h>
#include <skiff/time.h>
#include "random.h"

static int hw = -1;	/* -1: not asked yet */
static uint64_t state;

bool sk_random_hardware(void)
{
	if (hw < 0)
		hw = sk_arch_has_rdrand();
	return hw;
}

/* SplitMix64's finaliser: every input bit changes about half the output bits. */
static uint64_t mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t next(void)
{
	uint64_t v;

	if (sk_random_hardware() && sk_arch_rdrand(&v))
		return v;
	/* Each word takes in the cycle counter again: its low bits jitter from call to call. */
	state += 0x9e3779b97f4a7c15ULL ^ sk_arch_cycles() ^ (state ? 0 : sk_now_ns());
	return mix(state);
}

void sk_random_fill(void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len) {
		uint64_t v = next();
		size_t n = len < sizeof(v) ? len : sizeof(v);

		memcpy(p, &v, n);
		p += n;
		len -= n;
	}
}
