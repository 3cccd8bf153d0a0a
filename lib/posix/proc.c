// SPDX-License-Identifier: MIT
/*
 * Process calls in a single-process, single-user world: _exit ends the image, the ids are
 * constant, and what a unikernel cannot do (fork, exec, signals to others) fails with ENOSYS
 * after one log line, never silently.
 */
#define pr_tag "posix"
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <skiff/app.h>
#include <skiff/page.h>
#include <skiff/panic.h>
#include <skiff/plat.h>
#include <skiff/printk.h>
#include <skiff/thread.h>
#include "posix.h"

#define PID 1

int posix_enosys(const char *name)
{
	static const char *said[16];
	unsigned i;

	for (i = 0; i < 16 && said[i] && said[i] != name; i++)
		;
	if (i < 16 && !said[i]) {
		said[i] = name;
		pr_warn("%s() is not supported in a unikernel (ENOSYS)\n", name);
	}
	errno = ENOSYS;
	return -1;
}

void _exit(int status)
{
	sk_exit(status);
}

pid_t getpid(void) { return PID; }
pid_t getppid(void) { return 0; }
uid_t getuid(void) { return 0; }
uid_t geteuid(void) { return 0; }
gid_t getgid(void) { return 0; }
gid_t getegid(void) { return 0; }

/* Signals: the only process is this one, and a signal to it ends it as its default action would. */
int kill(pid_t pid, int sig)
{
	if (pid != PID && pid != 0 && pid != -1) {
		errno = ESRCH;
		return -1;
	}
	if (sig == 0)
		return 0;
	sk_panic("signal %d (%s) sent to the app", sig, sig == SIGABRT ? "abort" : "default action: terminate");
}

void abort(void)
{
	sk_panic("abort() called");
}

pid_t fork(void) { return posix_enosys("fork"); }
pid_t vfork(void) { return posix_enosys("vfork"); }
int execve(const char *p, char *const a[], char *const e[]) { (void)p, (void)a, (void)e; return posix_enosys("execve"); }
pid_t wait(int *st) { (void)st; return posix_enosys("wait"); }
pid_t waitpid(pid_t p, int *st, int o) { (void)p, (void)st, (void)o; return posix_enosys("waitpid"); }
int pipe(int fd[2]) { (void)fd; return posix_enosys("pipe"); }

/* malloc is the kernel heap's: nothing calls sbrk, and there is no contiguous break to move. */
void *sbrk(ptrdiff_t incr)
{
	(void)incr;
	errno = ENOMEM;
	return (void *)-1;
}

int sched_yield(void)
{
	sk_thread_yield();
	return 0;
}

int getpagesize(void)
{
	return (int)SK_PAGE_SIZE;
}

long sysconf(int name)
{
	switch (name) {
	case _SC_PAGESIZE: return (long)SK_PAGE_SIZE;
	case _SC_CLK_TCK: return CLK_TCK;
	case _SC_OPEN_MAX: return SK_FD_MAX;
	case _SC_NPROCESSORS_CONF:
	case _SC_NPROCESSORS_ONLN: return 1;
	case _SC_PHYS_PAGES: return (long)sk_pmem_kernel.total_pages;
	case _SC_AVPHYS_PAGES: return (long)sk_pmem_kernel.free_pages;
	case _SC_ARG_MAX: return 4096;
	case _SC_HOST_NAME_MAX: return 64;
	default:
		errno = EINVAL;
		return -1;
	}
}

int uname(struct utsname *u)
{
	memset(u, 0, sizeof(*u));
	strcpy(u->sysname, "Skiff");
	strcpy(u->nodename, "skiff");
	strcpy(u->release, "0.1");
	strcpy(u->version, sk_boot_info && sk_boot_info->plat_name ? sk_boot_info->plat_name : "unknown");
	strcpy(u->machine, "x86_64");
	return 0;
}

int gethostname(char *name, size_t len)
{
	if (len < 6) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(name, "skiff");
	return 0;
}
