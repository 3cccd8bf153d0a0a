// SPDX-License-Identifier: MIT
/*
 * libc-test: the POSIX calls ported programs reach for: file attributes and times, the umask,
 * access checks, realpath, temporary files, truncate and sync, pread/pwrite and dup3, ids and the
 * user database, resource limits and usage, signals, and what sysconf and clock_getres report.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>
#include "check.h"

static struct stat stat_of(const char *path)
{
	struct stat st;

	memset(&st, 0, sizeof(st));
	CHECK(stat(path, &st) == 0);
	return st;
}

static void file_modes_and_owners(void)
{
	int fd = open("/tmp/attr", O_RDWR | O_CREAT | O_TRUNC, 0644);

	CHECK(fd >= 0);
	CHECK(chmod("/tmp/attr", 0600) == 0 && (stat_of("/tmp/attr").st_mode & 07777) == 0600);
	CHECK(fchmod(fd, 04751) == 0 && (stat_of("/tmp/attr").st_mode & 07777) == 04751);
	CHECK(S_ISREG(stat_of("/tmp/attr").st_mode));
	CHECK(chown("/tmp/attr", 1000, 1001) == 0);
	CHECK(stat_of("/tmp/attr").st_uid == 1000 && stat_of("/tmp/attr").st_gid == 1001);
	CHECK(fchown(fd, (uid_t)-1, 50) == 0);
	CHECK(stat_of("/tmp/attr").st_uid == 1000 && stat_of("/tmp/attr").st_gid == 50);
	CHECK(lchown("/tmp/attr", 0, 0) == 0 && stat_of("/tmp/attr").st_uid == 0);
	CHECK(fchmodat(AT_FDCWD, "/tmp/attr", 0644, 0) == 0 && (stat_of("/tmp/attr").st_mode & 0777) == 0644);
	CHECK(fchownat(AT_FDCWD, "/tmp/attr", 7, 7, AT_SYMLINK_NOFOLLOW) == 0 && stat_of("/tmp/attr").st_gid == 7);
	CHECK_ERRNO(chmod("/tmp/missing", 0600), ENOENT);
	CHECK_ERRNO(chmod("/initrd/hello.txt", 0600), EROFS);
	CHECK_ERRNO(chown("/initrd/hello.txt", 1, 1), EROFS);
	CHECK_ERRNO(fchmod(99, 0600), EBADF);
	CHECK_ERRNO(fchmodat(AT_FDCWD, "/tmp/attr", 0600, 0x4000), EINVAL);
	close(fd);
	unlink("/tmp/attr");
}

static void file_times(void)
{
	struct timeval tv[2] = { { 100, 0 }, { 200, 500000 } };
	struct timespec ts[2] = { { 0, UTIME_OMIT }, { 5, 6 } };
	struct utimbuf ub = { 300, 400 };
	int fd = open("/tmp/times", O_RDWR | O_CREAT | O_TRUNC, 0644);
	time_t now = time(NULL);
	struct stat st;

	CHECK(fd >= 0);
	CHECK(utimes("/tmp/times", tv) == 0);
	st = stat_of("/tmp/times");
	CHECK(st.st_atime == 100 && st.st_mtim.tv_sec == 200 && st.st_mtim.tv_nsec == 500000000);
	CHECK(st.st_ctime >= now - 5); /* changing the times is itself a change */
	CHECK(utime("/tmp/times", &ub) == 0);
	st = stat_of("/tmp/times");
	CHECK(st.st_atime == 300 && st.st_mtime == 400);
	CHECK(futimens(fd, ts) == 0);
	st = stat_of("/tmp/times");
	CHECK(st.st_atime == 300 && st.st_mtim.tv_sec == 5 && st.st_mtim.tv_nsec == 6);
	CHECK(utimensat(AT_FDCWD, "/tmp/times", NULL, 0) == 0 && stat_of("/tmp/times").st_mtime >= now);
	tv[0].tv_sec = 1;
	CHECK(futimes(fd, tv) == 0 && stat_of("/tmp/times").st_atime == 1);
	CHECK(write(fd, "x", 1) == 1 && stat_of("/tmp/times").st_mtime >= now); /* writes move mtime */
	ts[1].tv_nsec = 1000000000L;
	CHECK_ERRNO(futimens(fd, ts), EINVAL);
	tv[1].tv_usec = -1;
	CHECK_ERRNO(utimes("/tmp/times", tv), EINVAL);
	CHECK_ERRNO(utimes("/tmp/none", NULL), ENOENT);
	CHECK_ERRNO(utime("/initrd/hello.txt", NULL), EROFS);
	close(fd);
	unlink("/tmp/times");
}

static void umask_and_access(void)
{
	mode_t old = umask(077);
	int fd = open("/tmp/masked", O_WRONLY | O_CREAT | O_TRUNC, 0666), dir;

	CHECK(fd >= 0 && (stat_of("/tmp/masked").st_mode & 0777) == 0600);
	CHECK(mkdir("/tmp/maskdir", 0777) == 0 && (stat_of("/tmp/maskdir").st_mode & 0777) == 0700);
	CHECK(umask(old) == 077);
	CHECK(access("/tmp/masked", R_OK | W_OK) == 0 && access("/tmp/masked", F_OK) == 0);
	CHECK_ERRNO(access("/tmp/masked", X_OK), EACCES);
	CHECK(chmod("/tmp/masked", 0700) == 0 && access("/tmp/masked", X_OK) == 0);
	CHECK(access("/tmp/maskdir", X_OK) == 0);
	CHECK_ERRNO(access("/tmp/none", F_OK), ENOENT);
	CHECK(access("/initrd/hello.txt", R_OK) == 0);
	CHECK_ERRNO(access("/initrd/hello.txt", W_OK), EROFS);
	CHECK(access("/dev/null", W_OK) == 0); /* a device on a read-only mount is still writable */
	CHECK_ERRNO(access("/tmp/masked", 0x40), EINVAL);
	dir = open("/tmp", O_RDONLY | O_DIRECTORY);
	CHECK(dir >= 0);
	CHECK(faccessat(dir, "masked", R_OK, 0) == 0);
	CHECK(faccessat(dir, "maskdir/../masked", F_OK, AT_EACCESS) == 0);
	CHECK_ERRNO(faccessat(dir, "none", F_OK, 0), ENOENT);
	CHECK_ERRNO(faccessat(fd, "masked", F_OK, 0), ENOTDIR);
	CHECK_ERRNO(faccessat(99, "masked", F_OK, 0), EBADF);
	close(dir);
	close(fd);
	unlink("/tmp/masked");
	rmdir("/tmp/maskdir");
}

static void at_calls(void)
{
	int dir = open("/tmp", O_RDONLY | O_DIRECTORY), fd;
	struct stat st;

	CHECK(dir >= 0);
	CHECK(mkdirat(dir, "atdir", 0755) == 0);
	fd = openat(dir, "atdir/f", O_WRONLY | O_CREAT, 0600);
	CHECK(fd >= 0 && write(fd, "abc", 3) == 3);
	CHECK(fstatat(dir, "atdir/f", &st, 0) == 0 && st.st_size == 3);
	CHECK(renameat(dir, "atdir/f", dir, "atdir/g") == 0 && access("/tmp/atdir/g", F_OK) == 0);
	CHECK(unlinkat(dir, "atdir/g", 0) == 0 && unlinkat(dir, "atdir", AT_REMOVEDIR) == 0);
	CHECK_ERRNO(access("/tmp/atdir", F_OK), ENOENT);
	CHECK_ERRNO(unlinkat(dir, "x", 0x8000), EINVAL);
	close(fd);
	close(dir);
}

static void real_paths(void)
{
	char buf[PATH_MAX], cwd[PATH_MAX], *p;
	int fd = open("/tmp/rp", O_WRONLY | O_CREAT, 0644);

	CHECK(fd >= 0 && getcwd(cwd, sizeof(cwd)));
	CHECK(realpath("/tmp/../tmp/./rp", buf) == buf && !strcmp(buf, "/tmp/rp"));
	CHECK(realpath("//tmp///", buf) && !strcmp(buf, "/tmp"));
	CHECK(chdir("/tmp") == 0);
	p = realpath("rp", NULL);
	CHECK(p && !strcmp(p, "/tmp/rp"));
	free(p);
	CHECK(realpath("..", buf) && !strcmp(buf, "/"));
	CHECK_ERRNO(realpath("/tmp/none", buf), ENOENT);
	CHECK_ERRNO(realpath("/tmp/rp/x", buf), ENOTDIR);
	CHECK_ERRNO(realpath(NULL, buf), EINVAL);
	CHECK(chdir(cwd) == 0);
	close(fd);
	unlink("/tmp/rp");
}

static void temporary_files(void)
{
	char f1[] = "/tmp/tmpXXXXXX", f2[] = "/tmp/tmpXXXXXX", d[] = "/tmp/dirXXXXXX", bad[] = "/tmp/noX";
	int a = mkstemp(f1), b = mkstemp(f2);

	CHECK(a >= 0 && b >= 0 && strcmp(f1, f2) && strcmp(f1, "/tmp/tmpXXXXXX"));
	CHECK((stat_of(f1).st_mode & 0777) == 0600 && S_ISREG(stat_of(f1).st_mode));
	CHECK(write(a, "t", 1) == 1 && stat_of(f1).st_size == 1);
	CHECK(mkdtemp(d) == d && S_ISDIR(stat_of(d).st_mode) && (stat_of(d).st_mode & 0777) == 0700);
	CHECK_ERRNO(mkstemp(bad), EINVAL);
	close(a);
	close(b);
	unlink(f1);
	unlink(f2);
	rmdir(d);
}

static void truncate_and_sync(void)
{
	int fd = open("/tmp/trunc", O_RDWR | O_CREAT | O_TRUNC, 0644);
	char buf[16] = "xxxxxxxxxxxxxxx";

	CHECK(fd >= 0 && write(fd, "abc", 3) == 3);
	CHECK(truncate("/tmp/trunc", 10) == 0 && stat_of("/tmp/trunc").st_size == 10);
	CHECK(pread(fd, buf, sizeof(buf), 0) == 10 && !memcmp(buf, "abc\0\0\0\0\0\0\0", 10));
	CHECK(truncate("/tmp/trunc", 2) == 0 && stat_of("/tmp/trunc").st_size == 2);
	CHECK(fsync(fd) == 0 && fdatasync(fd) == 0);
	CHECK_ERRNO(fsync(99), EBADF);
	CHECK_ERRNO(truncate("/tmp/none", 1), ENOENT);
	CHECK_ERRNO(truncate("/tmp/trunc", -1), EINVAL);
	CHECK_ERRNO(truncate("/initrd/hello.txt", 0), EROFS);
	CHECK_ERRNO(truncate("/tmp", 0), EISDIR);
	close(fd);
	unlink("/tmp/trunc");
}

static void positioned_io_and_dup3(void)
{
	int fd = open("/tmp/pio", O_RDWR | O_CREAT | O_TRUNC, 0644), z = open("/dev/zero", O_RDONLY), p[2];
	char buf[8] = "zzzzzzz";

	CHECK(fd >= 0 && z >= 0 && pipe(p) == 0);
	CHECK(pwrite(fd, "hello", 5, 100) == 5 && lseek(fd, 0, SEEK_CUR) == 0);
	CHECK(pread(fd, buf, 5, 100) == 5 && !memcmp(buf, "hello", 5));
	CHECK(pread(z, buf, 4, 12345) == 4 && !memcmp(buf, "\0\0\0\0", 4));
	CHECK_ERRNO(pread(p[0], buf, 1, 0), ESPIPE);
	CHECK_ERRNO(pwrite(p[1], buf, 1, 0), ESPIPE);
	CHECK_ERRNO(pread(fd, buf, 1, -1), EINVAL);
	CHECK(dup3(fd, 20, O_CLOEXEC) == 20 && pread(20, buf, 5, 100) == 5);
	CHECK_ERRNO(dup3(fd, fd, 0), EINVAL);
	CHECK_ERRNO(dup3(fd, 21, 0x1234), EINVAL);
	CHECK_ERRNO(dup3(99, 21, 0), EBADF);
	close(20);
	close(fd);
	close(z);
	close(p[0]);
	close(p[1]);
	unlink("/tmp/pio");
}

static void ids_and_users(void)
{
	struct passwd pw, *res;
	struct group gr, *gres;
	char buf[256], tiny[4];
	gid_t groups[4];

	CHECK(getpid() == 1 && getppid() == 0);
	CHECK(getuid() == 0 && geteuid() == 0 && getgid() == 0 && getegid() == 0);
	CHECK(getgroups(4, groups) == 0);
	CHECK(getpwuid(0) && !strcmp(getpwuid(0)->pw_name, "root") && !strcmp(getpwuid(0)->pw_dir, "/"));
	CHECK(getpwnam("root") && getpwnam("root")->pw_uid == 0);
	CHECK(getpwnam("nobody") == NULL && getpwuid(1234) == NULL);
	CHECK(getgrgid(0) && !strcmp(getgrgid(0)->gr_name, "root") && getgrgid(0)->gr_mem[0] == NULL);
	CHECK(getgrnam("root") && getgrnam("wheel") == NULL);
	CHECK(getpwuid_r(0, &pw, buf, sizeof(buf), &res) == 0 && res == &pw && !strcmp(pw.pw_name, "root"));
	CHECK(getpwnam_r("nobody", &pw, buf, sizeof(buf), &res) == 0 && res == NULL);
	CHECK(getpwuid_r(0, &pw, tiny, sizeof(tiny), &res) == ERANGE && res == NULL);
	CHECK(getgrgid_r(0, &gr, buf + 1, sizeof(buf) - 1, &gres) == 0 && gres == &gr && !gr.gr_mem[0]);
	CHECK(getlogin() && !strcmp(getlogin(), "root"));
	/* Root may take another id, and then sees it (and can go back, as a saved id allows). */
	CHECK(seteuid(1000) == 0 && geteuid() == 1000 && getuid() == 0);
	CHECK(seteuid(0) == 0 && setuid(0) == 0 && geteuid() == 0);
}

static void limits_and_usage(void)
{
	struct rlimit rl, lower;
	struct rusage ru;

	CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur == (rlim_t)sysconf(_SC_OPEN_MAX));
	CHECK(getrlimit(RLIMIT_AS, &rl) == 0 && rl.rlim_cur == (rlim_t)sysconf(_SC_PHYS_PAGES) * 4096);
	CHECK(getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur >= 16384 && rl.rlim_cur != RLIM_INFINITY);
	CHECK(getrlimit(RLIMIT_CORE, &rl) == 0 && rl.rlim_max == 0);
	CHECK(getrlimit(RLIMIT_CPU, &rl) == 0 && rl.rlim_cur == RLIM_INFINITY);
	CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0);
	lower = (struct rlimit){ 64, rl.rlim_max };
	CHECK(setrlimit(RLIMIT_NOFILE, &lower) == 0 && getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur == 64);
	lower.rlim_max = RLIM_INFINITY;
	CHECK_ERRNO(setrlimit(RLIMIT_NOFILE, &lower), EPERM);
	lower = (struct rlimit){ 10, 5 };
	CHECK_ERRNO(setrlimit(RLIMIT_NOFILE, &lower), EINVAL);
	CHECK_ERRNO(getrlimit(99, &rl), EINVAL);
	CHECK(getrusage(RUSAGE_SELF, &ru) == 0 && ru.ru_maxrss > 0);
	CHECK(ru.ru_utime.tv_sec > 0 || ru.ru_utime.tv_usec > 0);
	CHECK(getrusage(RUSAGE_CHILDREN, &ru) == 0 && ru.ru_maxrss == 0);
	CHECK_ERRNO(getrusage(5, &ru), EINVAL);
}

static void system_values(void)
{
	struct timespec res;

	CHECK(sysconf(_SC_PAGESIZE) == 4096 && sysconf(_SC_NPROCESSORS_CONF) == 1);
	CHECK(sysconf(_SC_OPEN_MAX) >= 64 && sysconf(_SC_PHYS_PAGES) >= sysconf(_SC_AVPHYS_PAGES));
	CHECK(sysconf(_SC_CLK_TCK) > 0 && sysconf(_SC_GETPW_R_SIZE_MAX) > 0);
	CHECK(sysconf(_SC_LINE_MAX) >= 2048 && sysconf(_SC_IOV_MAX) >= 16);
	CHECK(sched_yield() == 0);
	CHECK(clock_getres(CLOCK_MONOTONIC, &res) == 0 && res.tv_sec == 0 && res.tv_nsec > 0);
	CHECK(clock_getres(CLOCK_REALTIME, &res) == 0 && res.tv_nsec > 0 && res.tv_nsec <= 1000000);
	CHECK_ERRNO(clock_getres((clockid_t)99, &res), EINVAL);
}

static volatile int got_sig, got_code;

static void on_signal(int sig)
{
	got_sig = sig;
}

static void on_siginfo(int sig, siginfo_t *si, void *ctx)
{
	(void)ctx;
	got_sig = sig;
	got_code = si->si_signo == sig && si->si_code == SI_USER && si->si_pid == getpid();
}

static void signals(void)
{
	struct sigaction sa = { .sa_sigaction = on_siginfo, .sa_flags = SA_SIGINFO }, old;
	sigset_t set, pend;

	CHECK(signal(SIGUSR1, on_signal) == SIG_DFL);
	CHECK(raise(SIGUSR1) == 0 && got_sig == SIGUSR1);
	got_sig = 0;
	CHECK(kill(getpid(), SIGUSR1) == 0 && got_sig == SIGUSR1);
	CHECK(sigaction(SIGUSR2, &sa, &old) == 0 && old.sa_handler == SIG_DFL);
	got_sig = 0;
	CHECK(raise(SIGUSR2) == 0 && got_sig == SIGUSR2 && got_code == 1);
	/* Blocked: pending until unblocked, then delivered at once. */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	got_sig = 0;
	CHECK(sigprocmask(SIG_BLOCK, &set, NULL) == 0 && raise(SIGUSR2) == 0 && got_sig == 0);
	CHECK(sigpending(&pend) == 0 && sigismember(&pend, SIGUSR2));
	CHECK(sigprocmask(SIG_UNBLOCK, &set, NULL) == 0 && got_sig == SIGUSR2);
	CHECK(sigpending(&pend) == 0 && !sigismember(&pend, SIGUSR2));
	/* Ignored, one-shot, and the default action of a signal that is ignored by default. */
	got_sig = 0;
	CHECK(signal(SIGUSR1, SIG_IGN) == on_signal && raise(SIGUSR1) == 0 && got_sig == 0);
	sa = (struct sigaction){ .sa_handler = on_signal, .sa_flags = SA_RESETHAND };
	CHECK(sigaction(SIGUSR1, &sa, NULL) == 0 && raise(SIGUSR1) == 0 && got_sig == SIGUSR1);
	CHECK(sigaction(SIGUSR1, NULL, &old) == 0 && old.sa_handler == SIG_DFL);
	CHECK(raise(SIGWINCH) == 0 && raise(SIGCHLD) == 0);
	CHECK(signal(SIGUSR2, SIG_DFL) != SIG_ERR && signal(SIGUSR1, SIG_DFL) == SIG_DFL);
	CHECK(pthread_sigmask(SIG_SETMASK, NULL, &set) == 0 && !sigismember(&set, SIGUSR2));
	CHECK_ERRNO(sigaction(SIGKILL, &sa, NULL), EINVAL);
	CHECK(signal(SIGSTOP, on_signal) == SIG_ERR && errno == EINVAL);
	CHECK_ERRNO(raise(0), EINVAL);
	CHECK_ERRNO(raise(NSIG), EINVAL);
	CHECK_ERRNO(kill(getpid(), 1000), EINVAL);
	CHECK_ERRNO(sigprocmask(42, &set, NULL), EINVAL);
}

const struct test posix_tests[] = {
	TEST(file_modes_and_owners), TEST(file_times), TEST(umask_and_access), TEST(at_calls),
	TEST(real_paths), TEST(temporary_files), TEST(truncate_and_sync), TEST(positioned_io_and_dup3),
	TEST(ids_and_users), TEST(limits_and_usage), TEST(system_values), TEST(signals),
	{ NULL, NULL },
};
