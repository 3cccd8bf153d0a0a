// SPDX-License-Identifier: MIT
/* libc-test: time, the environment, system information, the console, and what a unikernel refuses. */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "check.h"

static long long ns_of(const struct timespec *t)
{
	return (long long)t->tv_sec * 1000000000LL + t->tv_nsec;
}

static void clocks(void)
{
	struct timespec a, b, req = { 0, 20 * 1000 * 1000 };
	struct timeval tv;

	CHECK(clock_gettime(CLOCK_MONOTONIC, &a) == 0);
	CHECK(nanosleep(&req, NULL) == 0);
	CHECK(clock_gettime(CLOCK_MONOTONIC, &b) == 0);
	CHECK(ns_of(&b) - ns_of(&a) >= 20 * 1000 * 1000);
	CHECK(clock_gettime(CLOCK_REALTIME, &a) == 0 && a.tv_sec > 1600000000);
	CHECK(gettimeofday(&tv, NULL) == 0 && tv.tv_sec > 1600000000 && time(NULL) > 1600000000);
	CHECK(usleep(1000) == 0 && sleep(0) == 0);
	CHECK(clock() != (clock_t)-1);
	CHECK_ERRNO(clock_gettime((clockid_t)99, &a), EINVAL);
	req.tv_nsec = 2000000000L;
	CHECK_ERRNO(nanosleep(&req, NULL), EINVAL);
}

static void calendar(void)
{
	time_t t = 86400 * 365;
	struct tm tm;
	char buf[64];

	CHECK(gmtime_r(&t, &tm) && tm.tm_year == 71 && tm.tm_yday == 0);
	CHECK(strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M", &tm) && !strcmp(buf, "1971-01-01 00:00"));
	CHECK(mktime(&tm) != (time_t)-1);
}

static void environment(void)
{
	CHECK(getenv("SKIFF_TEST") && !strcmp(getenv("SKIFF_TEST"), "yes"));
	CHECK(setenv("FOO", "bar", 1) == 0 && !strcmp(getenv("FOO"), "bar"));
	CHECK(setenv("FOO", "baz", 0) == 0 && !strcmp(getenv("FOO"), "bar"));
	CHECK(unsetenv("FOO") == 0 && getenv("FOO") == NULL);
}

static void system_info(void)
{
	struct utsname u;

	CHECK(uname(&u) == 0 && !strcmp(u.sysname, "Skiff") && !strcmp(u.machine, "x86_64"));
	CHECK(sysconf(_SC_PAGESIZE) == 4096 && sysconf(_SC_NPROCESSORS_ONLN) == 1);
	CHECK(getpid() > 0);
	CHECK_ERRNO(sysconf(-1), EINVAL);
}

/*
 * The console is a terminal exactly when the host shows it in one (env.SKIFF_TERMINAL=yes|no
 * says which the runner set up), and stdio line-buffers stdout only then, as Linux does.
 */
static void terminal(void)
{
	const char *want = getenv("SKIFF_TERMINAL");
	int fd = open("/initrd/hello.txt", O_RDONLY);

	CHECK(want && (!strcmp(want, "yes") || !strcmp(want, "no")));
	CHECK(isatty(1) == (want && !strcmp(want, "yes")));
	CHECK(isatty(2) == isatty(1));
	CHECK(__flbf(stdout) == isatty(1)); /* stdout has printed already: its buffer exists */
	CHECK(fd >= 0);
	CHECK_ERRNO(isatty(fd), ENOTTY);
	CHECK_ERRNO(isatty(99), EBADF);
	close(fd);
}

static void unsupported(void)
{
	CHECK_ERRNO(fork(), ENOSYS);
	CHECK_ERRNO(execve("/bin/sh", NULL, NULL), ENOSYS);
	CHECK_ERRNO(waitpid(-1, NULL, 0), ENOSYS);
	CHECK_ERRNO(execvp("sh", (char *[]){ "sh", NULL }), ENOSYS);
	CHECK_ERRNO(execl("/bin/sh", "sh", (char *)NULL), ENOSYS);
	CHECK(system(NULL) == 0);
	CHECK_ERRNO(system("true"), ENOSYS);
	CHECK_ERRNO(popen("ls", "r"), ENOSYS);
	CHECK_ERRNO(kill(42, SIGTERM), ESRCH);
	CHECK(kill(getpid(), 0) == 0);
}

static void polling(void)
{
	struct pollfd p[3] = { { 1, POLLOUT, 0 }, { 99, POLLIN, 0 }, { -1, POLLIN, 0 } };
	struct timespec a, b;
	int fd = open("/poll.txt", O_RDWR | O_CREAT, 0644);

	CHECK(poll(p, 3, 0) == 2 && p[0].revents == POLLOUT && p[1].revents == POLLNVAL && !p[2].revents);
	p[1].fd = fd;
	CHECK(poll(p, 2, -1) == 2 && p[1].revents == POLLIN);
	clock_gettime(CLOCK_MONOTONIC, &a);
	CHECK(poll(NULL, 0, 15) == 0);	/* nothing to wait for: a 15 ms sleep */
	clock_gettime(CLOCK_MONOTONIC, &b);
	CHECK(ns_of(&b) - ns_of(&a) >= 15 * 1000 * 1000);
	close(fd);
	unlink("/poll.txt");
}

const struct test misc_tests[] = {
	TEST(clocks), TEST(polling), TEST(calendar), TEST(environment), TEST(system_info), TEST(terminal),
	TEST(unsupported),
	{ NULL, NULL },
};
