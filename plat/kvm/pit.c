// SPDX-License-Identifier: MIT
/*
 * Measures the TSC against the i8254 PIT (1.193182 MHz): the fallback when neither kvmclock nor
 * CPUID tells the TSC frequency. Uses channel 0 with latched reads, because channel 2's gate and
 * output live behind port 0x61, which -M microvm does not have.
 */
#include <kvm/setup.h>
#include <kvm/x86.h>

#define PIT_HZ 1193182ULL
#define PIT_CH0 0x40
#define PIT_CMD 0x43
#define PIT_TICKS 2386 /* 2 ms: enough for 0.05% accuracy, short at boot */

static uint16_t pit_read(void)
{
	uint8_t lo, hi;

	outb(PIT_CMD, 0x00); /* latch channel 0 */
	lo = inb(PIT_CH0);
	hi = inb(PIT_CH0);
	return (uint16_t)(hi << 8 | lo);
}

uint64_t pit_measure_tsc_hz(void)
{
	uint16_t start, now;
	uint64_t t0, t1;
	unsigned spins = 0;

	outb(PIT_CMD, 0x34); /* channel 0, lo/hi byte, mode 2 (rate generator), binary */
	outb(PIT_CH0, 0xff);
	outb(PIT_CH0, 0xff);
	/* Start on a tick edge so the error is one tick, not two. */
	start = pit_read();
	do {
		now = pit_read();
		if (++spins > 1000000)
			return 0; /* the counter does not move: no PIT */
	} while (now == start);
	t0 = rdtsc();
	start = now;
	do {
		now = pit_read();
		if (++spins > 10000000)
			return 0;
	} while ((uint16_t)(start - now) < PIT_TICKS);
	t1 = rdtsc();
	return (t1 - t0) * PIT_HZ / (uint16_t)(start - now);
}
