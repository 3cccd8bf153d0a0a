// SPDX-License-Identifier: MIT
/* Pending timers, kept sorted by deadline: arming is O(n), finding the next deadline O(1). */
#include <stdint.h>
#include <skiff/timer.h>

static struct sk_list pending = SK_LIST_INIT(pending);

void sk_timer_init(struct sk_timer *t, void (*fn)(struct sk_timer *t))
{
	sk_list_init(&t->link);
	t->fn = fn;
	t->armed = false;
	t->deadline_ns = 0;
}

void sk_timer_arm(struct sk_timer *t, uint64_t deadline_ns)
{
	struct sk_list *pos;

	sk_timer_cancel(t);
	t->deadline_ns = deadline_ns;
	t->armed = true;
	/* Insert after every timer with an earlier or equal deadline: equal deadlines fire FIFO. */
	for (pos = pending.prev; pos != &pending; pos = pos->prev)
		if (sk_list_entry(pos, struct sk_timer, link)->deadline_ns <= deadline_ns)
			break;
	sk_list_insert_between(&t->link, pos, pos->next);
}

bool sk_timer_cancel(struct sk_timer *t)
{
	if (!t->armed)
		return false;
	sk_list_del(&t->link);
	t->armed = false;
	return true;
}

unsigned sk_timers_run(uint64_t now_ns)
{
	unsigned fired = 0;

	while (!sk_list_empty(&pending)) {
		struct sk_timer *t = sk_list_entry(pending.next, struct sk_timer, link);

		if (t->deadline_ns > now_ns)
			break;
		sk_timer_cancel(t);
		t->fn(t); /* may re-arm t or arm others */
		fired++;
	}
	return fired;
}

uint64_t sk_timers_next(void)
{
	if (sk_list_empty(&pending))
		return UINT64_MAX;
	return sk_list_entry(pending.next, struct sk_timer, link)->deadline_ns;
}
