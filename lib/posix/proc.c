// SPDX-License-Identifier: MIT
/*
 * Process calls in a single-process, single-user world: _exit ends the image, the ids are
 * constant, and what a unikernel cannot do (fork, exec, wait for children) fails with ENOSYS
 * after one log line, never silently. Signals are in signal.c.
 */
#define pr_tag "posix"
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
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
	static const char *said[32];
	unsigned i;

	for (i = 0; i < 32 && said[i] && said[i] != name; i++)
		;
	if (i < 32 && !said[i]) {
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
pid_t getpgrp(void) { return PID; }
pid_t getpgid(pid_t pid) { return pid == 0 || pid == PID ? PID : (pid_t)posix_ret(-ESRCH); }
pid_t getsid(pid_t pid) { return getpgid(pid); }
/* The program already leads its session and group, as Linux says for setsid(). */
pid_t setsid(void) { return (pid_t)posix_ret(-EPERM); }
int setpgid(pid_t pid, pid_t pgid) { return (pid == 0 || pid == PID) && (pgid == 0 || pgid == PID) ? 0 : (int)posix_ret(-EPERM); }

/*
 * One user, root at start: as for root on Linux, the set*id calls take any id and the get*id
 * calls then show it. Nothing checks ids (files carry what chown set), so dropping privileges
 * changes what the program sees, not what it may do.
 */
static uid_t ruid, euid;
static gid_t rgid, egid;

uid_t getuid(void) { return ruid; }
uid_t geteuid(void) { return euid; }
gid_t getgid(void) { return rgid; }
gid_t getegid(void) { return egid; }

/* An id of -1 (of the id's own type, which is narrower than int in newlib) changes nothing. */
#define SET_ID(slot, id) ((id) != (__typeof__(id))-1 ? (void)((slot) = (id)) : (void)0)

int setuid(uid_t uid) { SET_ID(ruid, uid); SET_ID(euid, uid); return 0; }
int seteuid(uid_t uid) { SET_ID(euid, uid); return 0; }
int setgid(gid_t gid) { SET_ID(rgid, gid); SET_ID(egid, gid); return 0; }
int setegid(gid_t gid) { SET_ID(egid, gid); return 0; }
int setreuid(uid_t r, uid_t e) { SET_ID(ruid, r); SET_ID(euid, e); return 0; }
int setregid(gid_t r, gid_t e) { SET_ID(rgid, r); SET_ID(egid, e); return 0; }

int getgroups(int size, gid_t list[])
{
	(void)list;
	if (size < 0)
		return (int)posix_ret(-EINVAL);
	return 0; /* no supplementary groups */
}

int setgroups(int size, const gid_t *list)
{
	(void)list;
	return size == 0 ? 0 : (int)posix_ret(-EINVAL);
}

pid_t fork(void) { return posix_enosys("fork"); }
pid_t vfork(void) { return posix_enosys("vfork"); }
int execve(const char *p, char *const a[], char *const e[]) { (void)p, (void)a, (void)e; return posix_enosys("execve"); }
int execv(const char *p, char *const a[]) { (void)p, (void)a; return posix_enosys("execv"); }
int execvp(const char *f, char *const a[]) { (void)f, (void)a; return posix_enosys("execvp"); }
int execvpe(const char *f, char *const a[], char *const e[]) { (void)f, (void)a, (void)e; return posix_enosys("execvpe"); }
int fexecve(int fd, char *const a[], char *const e[]) { (void)fd, (void)a, (void)e; return posix_enosys("fexecve"); }
int execl(const char *p, const char *a, ...) { (void)p, (void)a; return posix_enosys("execl"); }
int execle(const char *p, const char *a, ...) { (void)p, (void)a; return posix_enosys("execle"); }
int execlp(const char *f, const char *a, ...) { (void)f, (void)a; return posix_enosys("execlp"); }

/* There is no shell: system(NULL) says so (0), and a command fails as a failed fork would. */
int system(const char *cmd)
{
	return cmd ? posix_enosys("system") : 0;
}

FILE *popen(const char *cmd, const char *mode)
{
	(void)cmd, (void)mode;
	posix_enosys("popen");
	return NULL;
}

int pclose(FILE *f)
{
	(void)f;
	return posix_enosys("pclose");
}
pid_t wait(int *st) { (void)st; return posix_enosys("wait"); }
pid_t waitpid(pid_t p, int *st, int o) { (void)p, (void)st, (void)o; return posix_enosys("waitpid"); }

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
	case _SC_CHILD_MAX: return 1;		/* the program itself: fork is ENOSYS */
	case _SC_NGROUPS_MAX: return 0;		/* no supplementary groups */
	case _SC_LOGIN_NAME_MAX:
	case _SC_TTY_NAME_MAX: return 32;
	case _SC_GETPW_R_SIZE_MAX:
	case _SC_GETGR_R_SIZE_MAX: return 1024;	/* plenty for lib/posix/pwd.c's one entry */
	case _SC_IOV_MAX: return IOV_MAX;
	case _SC_LINE_MAX: return LINE_MAX;
	case _SC_STREAM_MAX: return FOPEN_MAX;
	case _SC_SYMLOOP_MAX: return 0;		/* no symbolic links */
	case _SC_MONOTONIC_CLOCK:
	case _SC_TIMERS: return 200809L;
	case _SC_THREAD_STACK_MIN: return PTHREAD_STACK_MIN;
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
