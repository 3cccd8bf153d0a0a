// SPDX-License-Identifier: MIT
/* Host tests of the one-shot timer list: ordering, cancelling, re-arming, firing from callbacks. */
#include <stdint.h>
#include <string.h>
#include <skiff/compiler.h>
#include <skiff/timer.h>
#include "unit.h"

#define NT 8

static struct sk_timer tm[NT];
static int fired_log[64];
static unsigned nr_fired;

static void log_fire(struct sk_timer *t)
{
	if (nr_fired < SK_ARRAY_SIZE(fired_log))
		fired_log[nr_fired] = (int)(t - tm);
	nr_fired++;
	CHECK(!t->armed); /* disarmed before its callback runs */
}

/* Fresh timers, nothing armed, an empty log. */
static void setup(void)
{
	for (unsigned i = 0; i < NT; i++) {
		sk_timer_cancel(&tm[i]);
		sk_timer_init(&tm[i], log_fire);
	}
	nr_fired = 0;
	memset(fired_log, -1, sizeof(fired_log));
}

/* Every test leaves the global pending list empty. */
static void teardown(void)
{
	for (unsigned i = 0; i < NT; i++)
		sk_timer_cancel(&tm[i]);
	CHECK_EQ(sk_timers_next(), UINT64_MAX);
}

static bool log_is(unsigned n, const int *want)
{
	if (nr_fired != n) {
		fprintf(stderr, "  %u timers fired, want %u\n", nr_fired, n);
		return false;
	}
	for (unsigned i = 0; i < n; i++) {
		if (fired_log[i] != want[i]) {
			fprintf(stderr, "  fire %u was timer %d, want %d\n", i, fired_log[i],
				want[i]);
			return false;
		}
	}
	return true;
}

#define LOG_IS(...)                                                               \
	do {                                                                      \
		static const int _w[] = { __VA_ARGS__ };                          \
		CHECK(log_is(SK_ARRAY_SIZE(_w), _w));                             \
	} while (0)

static void test_init(void)
{
	setup();
	CHECK(!tm[0].armed);
	CHECK_EQ(sk_timers_next(), UINT64_MAX);
	CHECK_EQ(sk_timers_run(UINT64_MAX), 0);
	teardown();
}

static void test_order_by_deadline(void)
{
	setup();
	sk_timer_arm(&tm[0], 300);
	sk_timer_arm(&tm[1], 100);
	sk_timer_arm(&tm[2], 500);
	sk_timer_arm(&tm[3], 200);
	sk_timer_arm(&tm[4], 0);
	sk_timer_arm(&tm[5], UINT64_MAX);
	CHECK(tm[0].armed);
	CHECK_EQ(tm[0].deadline_ns, 300);
	CHECK_EQ(sk_timers_next(), 0);
	CHECK_EQ(sk_timers_run(UINT64_MAX - 1), 5);
	LOG_IS(4, 1, 3, 0, 2);
	CHECK(tm[5].armed);
	CHECK_EQ(sk_timers_next(), UINT64_MAX); /* a timer at UINT64_MAX looks like none */
	CHECK_EQ(sk_timers_run(UINT64_MAX), 1);
	LOG_IS(4, 1, 3, 0, 2, 5);
	teardown();
}

static void test_fifo_equal_deadlines(void)
{
	setup();
	sk_timer_arm(&tm[3], 100);
	sk_timer_arm(&tm[1], 100);
	sk_timer_arm(&tm[0], 50);
	sk_timer_arm(&tm[2], 100);
	sk_timer_arm(&tm[5], 150);
	sk_timer_arm(&tm[4], 100);
	CHECK_EQ(sk_timers_run(200), 6);
	LOG_IS(0, 3, 1, 2, 4, 5);
	teardown();
}

static void test_cancel(void)
{
	setup();
	CHECK(!sk_timer_cancel(&tm[0])); /* never armed */
	sk_timer_arm(&tm[0], 10);
	sk_timer_arm(&tm[1], 20);
	sk_timer_arm(&tm[2], 30);
	CHECK(sk_timer_cancel(&tm[0])); /* the first */
	CHECK(!tm[0].armed);
	CHECK(!sk_timer_cancel(&tm[0])); /* twice */
	CHECK_EQ(sk_timers_next(), 20);
	CHECK(sk_timer_cancel(&tm[2])); /* the last */
	CHECK_EQ(sk_timers_next(), 20);
	CHECK_EQ(sk_timers_run(100), 1);
	LOG_IS(1);
	CHECK(!sk_timer_cancel(&tm[1])); /* already fired */
	CHECK_EQ(sk_timers_next(), UINT64_MAX);
	teardown();
}

static void test_rearm_moves(void)
{
	setup();
	sk_timer_arm(&tm[0], 10);
	sk_timer_arm(&tm[1], 20);
	sk_timer_arm(&tm[2], 30);
	sk_timer_arm(&tm[0], 40); /* to the end */
	CHECK_EQ(sk_timers_next(), 20);
	sk_timer_arm(&tm[2], 5); /* to the front */
	CHECK_EQ(sk_timers_next(), 5);
	sk_timer_arm(&tm[1], 20); /* same deadline: still once in the list */
	sk_timer_arm(&tm[1], 20);
	CHECK_EQ(tm[0].deadline_ns, 40);
	CHECK_EQ(sk_timers_run(100), 3);
	LOG_IS(2, 1, 0);
	CHECK_EQ(sk_timers_run(100), 0);
	/* Re-arming behind an equal deadline puts it last among equals. */
	setup();
	sk_timer_arm(&tm[0], 10);
	sk_timer_arm(&tm[1], 10);
	sk_timer_arm(&tm[0], 10);
	CHECK_EQ(sk_timers_run(10), 2);
	LOG_IS(1, 0);
	teardown();
}

static void test_run_only_due(void)
{
	setup();
	sk_timer_arm(&tm[0], 100);
	sk_timer_arm(&tm[1], 200);
	sk_timer_arm(&tm[2], 300);
	CHECK_EQ(sk_timers_run(0), 0);
	CHECK_EQ(sk_timers_run(99), 0);
	CHECK_EQ(nr_fired, 0);
	CHECK_EQ(sk_timers_run(100), 1); /* the deadline itself is due */
	LOG_IS(0);
	CHECK_EQ(sk_timers_next(), 200);
	CHECK_EQ(sk_timers_run(299), 1);
	LOG_IS(0, 1);
	CHECK(tm[2].armed);
	CHECK_EQ(sk_timers_run(299), 0);
	CHECK_EQ(sk_timers_run(1000), 1);
	LOG_IS(0, 1, 2);
	CHECK_EQ(sk_timers_next(), UINT64_MAX);
	teardown();
}

/* A periodic timer: re-arms itself one period after its own deadline, a few times. */
static unsigned periodic_left;

static void periodic(struct sk_timer *t)
{
	log_fire(t);
	if (--periodic_left)
		sk_timer_arm(t, t->deadline_ns + 10);
}

static void test_callback_rearms_itself(void)
{
	setup();
	sk_timer_init(&tm[0], periodic);
	periodic_left = 5;
	sk_timer_arm(&tm[0], 10);
	sk_timer_arm(&tm[1], 25);
	/* 10 and 20 are due; the re-arm at 30 is not. tm[1] at 25 fires between. */
	CHECK_EQ(sk_timers_run(25), 3);
	LOG_IS(0, 0, 1);
	CHECK(tm[0].armed);
	CHECK_EQ(sk_timers_next(), 30);
	/* Catching up: 30 and 40 are due now, and so is every re-arm at or before now. */
	CHECK_EQ(sk_timers_run(45), 2);
	CHECK_EQ(sk_timers_next(), 50);
	CHECK_EQ(sk_timers_run(1000), 1);
	CHECK_EQ(periodic_left, 0);
	CHECK(!tm[0].armed);
	LOG_IS(0, 0, 1, 0, 0, 0);
	teardown();
}

/* tm[0]'s callback arms tm[1] (due now), tm[2] (later) and cancels tm[3]. */
static void arms_others(struct sk_timer *t)
{
	log_fire(t);
	sk_timer_arm(&tm[1], t->deadline_ns);
	sk_timer_arm(&tm[2], t->deadline_ns + 1000);
	CHECK(sk_timer_cancel(&tm[3]));
}

static void test_callback_arms_another(void)
{
	setup();
	sk_timer_init(&tm[0], arms_others);
	sk_timer_arm(&tm[0], 100);
	sk_timer_arm(&tm[3], 100); /* would fire right after tm[0] */
	sk_timer_arm(&tm[4], 150);
	CHECK_EQ(sk_timers_run(200), 3);
	LOG_IS(0, 1, 4); /* tm[1], armed due now, fires in the same run; tm[3] never does */
	CHECK(tm[2].armed);
	CHECK(!tm[3].armed);
	CHECK_EQ(sk_timers_next(), 1100);
	CHECK_EQ(sk_timers_run(1100), 1);
	LOG_IS(0, 1, 4, 2);
	teardown();
}

static void test_next(void)
{
	setup();
	CHECK_EQ(sk_timers_next(), UINT64_MAX);
	sk_timer_arm(&tm[0], 500);
	CHECK_EQ(sk_timers_next(), 500);
	sk_timer_arm(&tm[1], 700);
	CHECK_EQ(sk_timers_next(), 500);
	sk_timer_arm(&tm[2], 300);
	CHECK_EQ(sk_timers_next(), 300);
	sk_timer_cancel(&tm[2]);
	CHECK_EQ(sk_timers_next(), 500);
	sk_timer_arm(&tm[0], 900);
	CHECK_EQ(sk_timers_next(), 700);
	sk_timers_run(800);
	CHECK_EQ(sk_timers_next(), 900);
	sk_timers_run(900);
	CHECK_EQ(sk_timers_next(), UINT64_MAX);
	teardown();
}

/* Many timers armed in a scrambled order come out sorted and, among equals, in arming order. */
static struct sk_timer many[200];
static unsigned many_order[200], many_n;

static void many_fire(struct sk_timer *t)
{
	many_order[many_n++] = (unsigned)(t - many);
}

static void test_many(void)
{
	many_n = 0;
	for (unsigned i = 0; i < SK_ARRAY_SIZE(many); i++) {
		sk_timer_init(&many[i], many_fire);
		sk_timer_arm(&many[i], (i * 37) % 50);
	}
	CHECK_EQ(sk_timers_run(49), SK_ARRAY_SIZE(many));
	CHECK_EQ(many_n, SK_ARRAY_SIZE(many));
	for (unsigned i = 1; i < many_n; i++) {
		unsigned a = many_order[i - 1], b = many_order[i];
		uint64_t da = (a * 37) % 50, db = (b * 37) % 50;

		CHECK(da < db || (da == db && a < b));
	}
	CHECK_EQ(sk_timers_next(), UINT64_MAX);
}

UNIT_MAIN("timer",
	  UNIT_TEST(test_init),
	  UNIT_TEST(test_order_by_deadline),
	  UNIT_TEST(test_fifo_equal_deadlines),
	  UNIT_TEST(test_cancel),
	  UNIT_TEST(test_rearm_moves),
	  UNIT_TEST(test_run_only_due),
	  UNIT_TEST(test_callback_rearms_itself),
	  UNIT_TEST(test_callback_arms_another),
	  UNIT_TEST(test_next),
	  UNIT_TEST(test_many))
