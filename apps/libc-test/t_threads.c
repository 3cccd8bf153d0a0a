// SPDX-License-Identifier: MIT
/* libc-test: pthreads under contention, per-thread errno and FPU state. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include "check.h"

#define THREADS 8

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;

/* The yield inside the critical section is where an unlocked counter would lose updates. */
static void *add(void *arg)
{
	for (int i = 0; i < 1000; i++) {
		pthread_mutex_lock(&lock);
		long v = counter;
		if (i % 7 == 0)
			sched_yield();
		counter = v + 1;
		pthread_mutex_unlock(&lock);
	}
	return arg;
}

static void mutex_contention(void)
{
	pthread_t t[THREADS];
	void *ret;

	counter = 0;
	for (long i = 0; i < THREADS; i++)
		CHECK(pthread_create(&t[i], NULL, add, (void *)i) == 0);
	for (long i = 0; i < THREADS; i++)
		CHECK(pthread_join(t[i], &ret) == 0 && ret == (void *)i);
	CHECK(counter == THREADS * 1000);
}

static void mutex_kinds(void)
{
	pthread_mutex_t m;
	pthread_mutexattr_t a;

	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
	CHECK(pthread_mutex_init(&m, &a) == 0);
	CHECK(pthread_mutex_lock(&m) == 0 && pthread_mutex_lock(&m) == 0);
	CHECK(pthread_mutex_unlock(&m) == 0 && pthread_mutex_unlock(&m) == 0);
	CHECK(pthread_mutex_destroy(&m) == 0);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_ERRORCHECK);
	CHECK(pthread_mutex_init(&m, &a) == 0);
	CHECK(pthread_mutex_lock(&m) == 0 && pthread_mutex_lock(&m) == EDEADLK);
	CHECK(pthread_mutex_trylock(&m) == EBUSY);
	CHECK(pthread_mutex_unlock(&m) == 0 && pthread_mutex_unlock(&m) == EPERM);
	pthread_mutexattr_destroy(&a);
}

static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int queue[16], head, tail, done;

static void *producer(void *arg)
{
	for (int i = 1; i <= 200; i++) {
		pthread_mutex_lock(&lock);
		while (tail - head == 16)
			pthread_cond_wait(&cond, &lock);
		queue[tail++ % 16] = i;
		pthread_cond_broadcast(&cond);
		pthread_mutex_unlock(&lock);
	}
	return arg;
}

static void *consumer(void *arg)
{
	long sum = 0;

	for (;;) {
		pthread_mutex_lock(&lock);
		while (head == tail && !done)
			pthread_cond_wait(&cond, &lock);
		if (head == tail && done) {
			pthread_mutex_unlock(&lock);
			return (void *)sum;
		}
		sum += queue[head++ % 16];
		pthread_cond_broadcast(&cond);
		pthread_mutex_unlock(&lock);
	}
	(void)arg;
}

static void condition_variables(void)
{
	pthread_t p[2], c[2];
	void *s0, *s1;

	head = tail = done = 0;
	for (int i = 0; i < 2; i++) {
		pthread_create(&c[i], NULL, consumer, NULL);
		pthread_create(&p[i], NULL, producer, NULL);
	}
	pthread_join(p[0], NULL);
	pthread_join(p[1], NULL);
	pthread_mutex_lock(&lock);
	done = 1;
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&lock);
	pthread_join(c[0], &s0);
	pthread_join(c[1], &s1);
	CHECK((long)s0 + (long)s1 == 2 * 200 * 201 / 2);
}

static void timed_wait(void)
{
	struct timespec t, after;

	clock_gettime(CLOCK_REALTIME, &t);
	t.tv_nsec += 30 * 1000 * 1000;
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&lock);
	CHECK(pthread_cond_timedwait(&cond, &lock, &t) == ETIMEDOUT);
	CHECK(pthread_mutex_trylock(&lock) != 0); /* still ours after the timeout */
	pthread_mutex_unlock(&lock);
	clock_gettime(CLOCK_REALTIME, &after);
	CHECK(after.tv_sec > t.tv_sec || (after.tv_sec == t.tv_sec && after.tv_nsec >= t.tv_nsec));
}

static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static int readers_in, max_readers, writer_saw_readers;

static void *reader(void *arg)
{
	for (int i = 0; i < 50; i++) {
		pthread_rwlock_rdlock(&rw);
		if (++readers_in > max_readers)
			max_readers = readers_in;
		sched_yield();
		readers_in--;
		pthread_rwlock_unlock(&rw);
	}
	return arg;
}

static void *writer(void *arg)
{
	for (int i = 0; i < 50; i++) {
		pthread_rwlock_wrlock(&rw);
		writer_saw_readers |= readers_in != 0;
		sched_yield();
		pthread_rwlock_unlock(&rw);
	}
	return arg;
}

static void rwlocks(void)
{
	pthread_t t[4];

	pthread_create(&t[0], NULL, reader, NULL);
	pthread_create(&t[1], NULL, reader, NULL);
	pthread_create(&t[2], NULL, writer, NULL);
	pthread_create(&t[3], NULL, reader, NULL);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	CHECK(max_readers >= 2 && !writer_saw_readers);
}

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int once_runs;
static pthread_key_t key;
static int destructed;

static void init_once(void)
{
	once_runs++;
}

static void destructor(void *p)
{
	destructed += (int)(long)p;
}

static void *keyed(void *arg)
{
	pthread_once(&once, init_once);
	CHECK(pthread_getspecific(key) == NULL);
	pthread_setspecific(key, arg);
	sched_yield();
	CHECK(pthread_getspecific(key) == arg);
	return NULL;
}

static void once_and_keys(void)
{
	pthread_t t[3];

	CHECK(pthread_key_create(&key, destructor) == 0);
	for (long i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, keyed, (void *)(i + 1));
	for (int i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	CHECK(once_runs == 1 && destructed == 6);
	CHECK(pthread_key_delete(key) == 0);
}

static void *detached(void *arg)
{
	*(int *)arg = 1;
	return NULL;
}

static void detach_and_self(void)
{
	static int flag;
	pthread_t t;
	pthread_attr_t a;

	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	CHECK(pthread_create(&t, &a, detached, &flag) == 0);
	CHECK(pthread_join(t, NULL) == EINVAL);
	usleep(1000);
	CHECK(flag == 1);
	CHECK(pthread_equal(pthread_self(), pthread_self()));
	CHECK(pthread_join(pthread_self(), NULL) == EDEADLK);
	pthread_attr_destroy(&a);
}

/* errno is per thread: one thread's failure does not show in another's errno. */
static void *errno_thread(void *arg)
{
	(void)arg;
	errno = 0;
	sched_yield();
	return (void *)(long)errno;
}

static void errno_per_thread(void)
{
	pthread_t t;
	void *ret;

	pthread_create(&t, NULL, errno_thread, NULL);
	errno = EINVAL;
	sched_yield();
	pthread_join(t, &ret);
	CHECK(errno == EINVAL && ret == 0);
}

/* Two threads formatting floats and running FPU code, switching in the middle. */
static void *float_worker(void *arg)
{
	double base = *(double *)arg, acc = 0;
	char buf[64], want[64];

	for (int i = 0; i < 200; i++) {
		acc += sqrt(base + i) * 0.5;
		snprintf(buf, sizeof(buf), "%.6f", acc);
		sched_yield();
		snprintf(want, sizeof(want), "%.6f", acc);
		if (strcmp(buf, want))
			return (void *)1;
	}
	snprintf(buf, sizeof(buf), "%.3f", acc);
	return strtod(buf, NULL) > 0 ? NULL : (void *)1;
}

static void floats_in_threads(void)
{
	double a = 2.0, b = 1e6;
	pthread_t t1, t2;
	void *r1, *r2;

	pthread_create(&t1, NULL, float_worker, &a);
	pthread_create(&t2, NULL, float_worker, &b);
	pthread_join(t1, &r1);
	pthread_join(t2, &r2);
	CHECK(r1 == NULL && r2 == NULL);
}

/* Whether another thread could take stdout's lock (it gives it back at once). */
static void *try_stdout(void *arg)
{
	int r = ftrylockfile(stdout);

	(void)arg;
	if (r == 0)
		funlockfile(stdout);
	return (void *)(long)r;
}

/* flockfile and friends: recursive for the owner, refused to any other thread while held. */
static void stream_locks(void)
{
	pthread_t t;
	void *r = NULL;

	flockfile(stdout);
	CHECK(ftrylockfile(stdout) == 0);
	CHECK(pthread_create(&t, NULL, try_stdout, NULL) == 0 && pthread_join(t, &r) == 0);
	CHECK(r != NULL); /* the other thread could not take it */
	funlockfile(stdout);
	funlockfile(stdout);
	CHECK(pthread_create(&t, NULL, try_stdout, NULL) == 0 && pthread_join(t, &r) == 0);
	CHECK(r == NULL); /* free now: it took it */
}

const struct test thread_tests[] = {
	TEST(mutex_contention), TEST(mutex_kinds), TEST(condition_variables), TEST(timed_wait),
	TEST(rwlocks), TEST(once_and_keys), TEST(detach_and_self), TEST(errno_per_thread),
	TEST(floats_in_threads), TEST(stream_locks), { NULL, NULL },
};
