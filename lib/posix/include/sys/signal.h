/* SPDX-License-Identifier: MIT */
/*
 * newlib's <sys/signal.h> for this target has a struct sigaction without sa_sigaction and none of
 * the SA_* flags ported programs use, and a siginfo_t without si_pid. Its own definitions are
 * renamed out of the way here, and Linux-shaped ones (same field names, same flag meanings) take
 * their place; the signal numbers stay newlib's. lib/posix/signal.c implements them.
 */
#ifndef SKIFF_SYS_SIGNAL_H
#define SKIFF_SYS_SIGNAL_H

#define sigaction __newlib_sigaction
#define siginfo_t __newlib_siginfo_t
#include_next <sys/signal.h>
#undef sigaction
#undef siginfo_t

#ifdef __cplusplus
extern "C" {
#endif

#ifndef SI_USER
#define SI_USER 1
#endif

typedef struct {
	int si_signo;
	int si_errno;
	int si_code;
	pid_t si_pid;
	uid_t si_uid;
	void *si_addr;
	int si_status;
#if defined(_POSIX_REALTIME_SIGNALS) || __POSIX_VISIBLE >= 199309
	union sigval si_value;
#endif
} siginfo_t;

struct sigaction {
	union {
		void (*sa_handler)(int);
		void (*sa_sigaction)(int, siginfo_t *, void *);
	};
	sigset_t sa_mask;
	int sa_flags;
};

#undef SA_SIGINFO
#define SA_NOCLDWAIT 0x2
#define SA_SIGINFO 0x4
#define SA_ONSTACK 0x08000000
#define SA_RESTART 0x10000000
#define SA_NODEFER 0x40000000
#define SA_RESETHAND 0x80000000
#define SA_NOMASK SA_NODEFER
#define SA_ONESHOT SA_RESETHAND

int sigaction(int sig, const struct sigaction *act, struct sigaction *old);

#ifdef __cplusplus
}
#endif
#endif
