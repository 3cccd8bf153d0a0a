// SPDX-License-Identifier: MIT
/*
 * libc-test: pipes between threads, fcntl record locks (POSIX and OFD) with their single-process
 * rules, memory mappings, and ioctl.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "check.h"

#define PIPE_BYTES (300 * 1000)

static void *pipe_writer(void *arg)
{
	int fd = *(int *)arg;
	static char chunk[7000];
	size_t sent = 0;

	while (sent < PIPE_BYTES) {
		size_t n = PIPE_BYTES - sent < sizeof(chunk) ? PIPE_BYTES - sent : sizeof(chunk);

		for (size_t i = 0; i < n; i++)
			chunk[i] = (char)((sent + i) % 251);
		if (write(fd, chunk, n) != (ssize_t)n)
			return (void *)1;
		sent += n;
	}
	close(fd);
	return NULL;
}

static volatile int sigpipes;

static void on_sigpipe(int sig)
{
	(void)sig;
	sigpipes++;
}

static void pipes(void)
{
	int p[2], q[2], n, bad = 0;
	size_t got = 0;
	char buf[4096];
	struct stat st;
	struct pollfd pf;
	pthread_t t;
	void *ret;

	CHECK(pipe(p) == 0 && fstat(p[0], &st) == 0 && S_ISFIFO(st.st_mode));
	CHECK(write(p[1], "hello", 5) == 5 && ioctl(p[0], FIONREAD, &n) == 0 && n == 5);
	pf = (struct pollfd){ p[0], POLLIN, 0 };
	CHECK(poll(&pf, 1, 0) == 1 && pf.revents == POLLIN);
	CHECK(read(p[0], buf, sizeof(buf)) == 5 && !memcmp(buf, "hello", 5));
	CHECK_ERRNO(write(p[0], "x", 1), EBADF);
	CHECK_ERRNO(read(p[1], buf, 1), EBADF);
	/* Between threads: the reader waits for the writer, all bytes in order, then end of file. */
	CHECK(pthread_create(&t, NULL, pipe_writer, &p[1]) == 0);
	while ((n = (int)read(p[0], buf, sizeof(buf))) > 0) {
		for (int i = 0; i < n; i++)
			bad |= buf[i] != (char)((got + (size_t)i) % 251);
		got += (size_t)n;
	}
	CHECK(pthread_join(t, &ret) == 0 && ret == NULL);
	CHECK(n == 0 && got == PIPE_BYTES && !bad);
	pf = (struct pollfd){ p[0], POLLIN, 0 };
	CHECK(poll(&pf, 1, 0) == 1 && (pf.revents & POLLHUP));
	close(p[0]);
	/* Non-blocking ends, and writing with no reader: EPIPE and SIGPIPE, as on Linux. */
	CHECK(pipe2(q, O_NONBLOCK | O_CLOEXEC) == 0);
	CHECK_ERRNO(read(q[0], buf, 1), EAGAIN);
	CHECK((fcntl(q[1], F_GETFL) & O_NONBLOCK) && (fcntl(q[1], F_GETFL) & O_ACCMODE) == O_WRONLY);
	memset(buf, 'a', sizeof(buf));
	for (n = 0; write(q[1], buf, sizeof(buf)) == (ssize_t)sizeof(buf); n++)
		;
	CHECK(errno == EAGAIN && n == 16); /* 64 KiB hold exactly 16 writes of 4 KiB */
	close(q[0]);
	CHECK(signal(SIGPIPE, on_sigpipe) != SIG_ERR);
	CHECK_ERRNO(write(q[1], "x", 1), EPIPE);
	CHECK(sigpipes == 1 && signal(SIGPIPE, SIG_DFL) == on_sigpipe);
	close(q[1]);
	CHECK_ERRNO(pipe2(q, 0x4), EINVAL);
}

static int lock(int fd, int cmd, short type, off_t start, off_t len)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len };

	return fcntl(fd, cmd, &fl);
}

/* The lock F_GETLK / F_OFD_GETLK finds for [start, start + len). */
static struct flock query(int fd, int cmd, short type, off_t start, off_t len)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len };

	CHECK(fcntl(fd, cmd, &fl) == 0);
	return fl;
}

static int ofd_a, ofd_b;
static volatile int lock_released;

static void *waiting_locker(void *arg)
{
	(void)arg;
	if (lock(ofd_b, F_OFD_SETLKW, F_WRLCK, 0, 10) != 0)
		return (void *)1;
	/* Granted only after the holder let go. */
	return lock_released ? NULL : (void *)2;
}

static void record_locks(void)
{
	int a = open("/tmp/locks", O_RDWR | O_CREAT | O_TRUNC, 0644), b = open("/tmp/locks", O_RDWR);
	int dup_a = dup(a), ro = open("/tmp/locks", O_RDONLY), p[2];
	struct flock fl;
	pthread_t t;
	void *ret;

	CHECK(a >= 0 && b >= 0 && dup_a >= 0 && ro >= 0 && pipe(p) == 0);
	/* POSIX locks belong to the process: its own never conflict, whatever the descriptor. */
	CHECK(lock(a, F_SETLK, F_WRLCK, 0, 100) == 0);
	CHECK(lock(b, F_SETLK, F_WRLCK, 50, 100) == 0);
	CHECK(query(b, F_GETLK, F_WRLCK, 0, 0).l_type == F_UNLCK);
	/* An OFD lock is another owner: it conflicts with them, and F_OFD_GETLK names the holder. */
	CHECK_ERRNO(lock(b, F_OFD_SETLK, F_RDLCK, 10, 1), EAGAIN);
	fl = query(b, F_OFD_GETLK, F_RDLCK, 10, 1);
	CHECK(fl.l_type == F_WRLCK && fl.l_start == 0 && fl.l_len == 150 && fl.l_pid == getpid());
	CHECK(lock(b, F_OFD_SETLK, F_WRLCK, 200, 0) == 0); /* beyond them: to the end of the file */
	/* Closing any descriptor of the file drops the process's locks (POSIX's rule)... */
	close(dup_a);
	CHECK(query(b, F_OFD_GETLK, F_WRLCK, 0, 150).l_type == F_UNLCK);
	/* ...but not OFD locks, which POSIX locks now meet, reported with l_pid -1. */
	CHECK_ERRNO(lock(a, F_SETLK, F_RDLCK, 1000, 5), EAGAIN);
	fl = query(a, F_GETLK, F_RDLCK, 1000, 5);
	CHECK(fl.l_type == F_WRLCK && fl.l_start == 200 && fl.l_len == 0 && fl.l_pid == -1);
	/* Unlocking part of a range splits it. */
	CHECK(lock(b, F_OFD_SETLK, F_UNLCK, 300, 100) == 0);
	CHECK(lock(a, F_SETLK, F_WRLCK, 300, 100) == 0 && lock(a, F_SETLK, F_UNLCK, 300, 100) == 0);
	CHECK_ERRNO(lock(a, F_SETLK, F_WRLCK, 299, 2), EAGAIN);
	CHECK(lock(b, F_OFD_SETLK, F_UNLCK, 0, 0) == 0 && lock(a, F_SETLK, F_WRLCK, 0, 0) == 0);
	CHECK(lock(a, F_SETLK, F_UNLCK, 0, 0) == 0);
	/* F_OFD_SETLKW waits for the holder (another thread) to release. */
	ofd_a = a;
	ofd_b = b;
	lock_released = 0;
	CHECK(lock(a, F_OFD_SETLK, F_WRLCK, 0, 10) == 0);
	CHECK(pthread_create(&t, NULL, waiting_locker, NULL) == 0);
	usleep(5000);
	lock_released = 1;
	CHECK(lock(a, F_OFD_SETLK, F_UNLCK, 0, 10) == 0);
	CHECK(pthread_join(t, &ret) == 0 && ret == NULL);
	CHECK_ERRNO(lock(a, F_OFD_SETLK, F_RDLCK, 5, 1), EAGAIN);
	close(b); /* the last reference of b's description: its OFD locks go */
	CHECK(lock(a, F_OFD_SETLK, F_WRLCK, 0, 10) == 0);
	/* Bad requests. */
	CHECK_ERRNO(lock(ro, F_SETLK, F_WRLCK, 0, 1), EBADF);
	CHECK_ERRNO(lock(a, F_SETLK, 42, 0, 1), EINVAL);
	CHECK_ERRNO(lock(a, F_SETLK, F_RDLCK, -5, 1), EINVAL);
	CHECK_ERRNO(lock(p[0], F_SETLK, F_RDLCK, 0, 1), EINVAL);
	fl = (struct flock){ .l_type = F_RDLCK, .l_whence = SEEK_SET, .l_pid = 5 };
	CHECK_ERRNO(fcntl(a, F_OFD_SETLK, &fl), EINVAL);
	fl.l_whence = 9;
	fl.l_pid = 0;
	CHECK_ERRNO(fcntl(a, F_SETLK, &fl), EINVAL);
	close(a);
	close(ro);
	close(p[0]);
	close(p[1]);
	unlink("/tmp/locks");
}

static void mappings(void)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	char *m = mmap(NULL, 3 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), *f;
	int fd = open("/tmp/mapped", O_RDWR | O_CREAT | O_TRUNC, 0644), wo = open("/tmp/mapped", O_WRONLY);
	char buf[8];
	bool zero = true;

	CHECK(m != MAP_FAILED && (uintptr_t)m % page == 0);
	for (size_t i = 0; i < 3 * page; i++)
		zero &= !m[i];
	CHECK(zero);
	memset(m, 7, 3 * page);
	CHECK(madvise(m, page, MADV_DONTNEED) == 0 && m[0] == 0 && m[page] == 7);
	CHECK(mprotect(m, 3 * page, PROT_READ) == 0 && msync(m, page, MS_SYNC) == 0);
	CHECK(munmap(m + page, page) == 0); /* a hole in the middle */
	CHECK_ERRNO(mprotect(m, 3 * page, PROT_READ), ENOMEM);
	CHECK(m[2 * page] == 7 && munmap(m, page) == 0 && munmap(m + 2 * page, page) == 0);
	CHECK(munmap(m, page) == 0); /* nothing mapped there any more: not an error */
	/* A file, privately: its bytes then zeros; changes stay in memory. */
	CHECK(fd >= 0 && wo >= 0 && write(fd, "mapped file", 11) == 11);
	f = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	CHECK(f != MAP_FAILED && !memcmp(f, "mapped file", 11) && f[11] == 0 && f[2 * page - 1] == 0);
	f[0] = 'M';
	CHECK(pread(fd, buf, 1, 0) == 1 && buf[0] == 'm');
	CHECK(munmap(f, 2 * page) == 0);
	m = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(m != MAP_FAILED && munmap(m, page) == 0);
	/* What cannot be done, refused. */
	CHECK_ERRNO(mmap(NULL, page, PROT_READ, MAP_SHARED, fd, 0) == MAP_FAILED ? -1 : 0, ENODEV);
	CHECK_ERRNO(mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED ? -1 : 0, EINVAL);
	CHECK_ERRNO(mmap(NULL, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 123) == MAP_FAILED ? -1 : 0,
		    EINVAL);
	CHECK_ERRNO(mmap((void *)0x100000, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) ==
				    MAP_FAILED ? -1 : 0, EINVAL);
	CHECK_ERRNO(mmap(NULL, page, PROT_READ, MAP_ANONYMOUS, -1, 0) == MAP_FAILED ? -1 : 0, EINVAL);
	CHECK_ERRNO(mmap(NULL, page, PROT_READ, MAP_PRIVATE, 99, 0) == MAP_FAILED ? -1 : 0, EBADF);
	CHECK_ERRNO(mmap(NULL, page, PROT_READ, MAP_PRIVATE, wo, 0) == MAP_FAILED ? -1 : 0, EACCES);
	CHECK_ERRNO(munmap((char *)m + 1, page), EINVAL);
	CHECK_ERRNO(msync(m, page, MS_SYNC | MS_ASYNC), EINVAL);
	close(fd);
	close(wo);
	unlink("/tmp/mapped");
}

static void io_controls(void)
{
	struct winsize ws = { 0, 0, 0, 0 };
	int p[2], on = 1, n = -1;

	CHECK(pipe(p) == 0);
	CHECK(ioctl(p[0], FIONBIO, &on) == 0 && (fcntl(p[0], F_GETFL) & O_NONBLOCK));
	CHECK_ERRNO(read(p[0], &n, 1), EAGAIN);
	CHECK(ioctl(p[0], FIONREAD, &n) == 0 && n == 0);
	if (isatty(1))
		CHECK(ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 && ws.ws_row > 0);
	else
		CHECK_ERRNO(ioctl(1, TIOCGWINSZ, &ws), ENOTTY);
	CHECK_ERRNO(ioctl(p[0], TIOCGWINSZ, &ws), ENOTTY);
	CHECK_ERRNO(ioctl(99, FIONREAD, &n), EBADF);
	close(p[0]);
	close(p[1]);
}

const struct test ipc_tests[] = {
	TEST(pipes), TEST(record_locks), TEST(mappings), TEST(io_controls),
	{ NULL, NULL },
};
