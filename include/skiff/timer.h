/* SPDX-License-Identifier: MIT */
/* One-shot timers on the monotonic clock; callbacks run in scheduler context and must not block. */
#ifndef SKIFF_TIMER_H
#define SKIFF_TIMER_H

#include <stdbool.h>
#include <stdint.h>
#include <skiff/list.h>

struct sk_timer {
	struct sk_list link;	/* in the pending list, sorted by deadline */
	uint64_t deadline_ns;
	void (*fn)(struct sk_timer *t);
	bool armed;
};

void sk_timer_init(struct sk_timer *t, void (*fn)(struct sk_timer *t));
/* Arm (or re-arm) t to fire at monotonic time deadline_ns. */
void sk_timer_arm(struct sk_timer *t, uint64_t deadline_ns);
/* Disarm t; harmless when it is not armed. Returns true if it was armed. */
bool sk_timer_cancel(struct sk_timer *t);
/* Fire every timer due at now_ns, earliest first. Returns how many fired. */
unsigned sk_timers_run(uint64_t now_ns);
/* The earliest deadline, or UINT64_MAX when no timer is armed. */
uint64_t sk_timers_next(void);

#endif
