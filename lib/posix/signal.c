// SPDX-License-Identifier: MIT
/*
 * Signals with process-local meaning: the image is the only process, so a signal comes from the
 * program itself (raise, kill to its own pid, abort, a write to a pipe nobody reads). Handlers,
 * SIG_IGN, SA_SIGINFO, SA_RESETHAND, SA_NODEFER, the blocked mask and pending signals work as on
 * Linux, and a handler runs at once in the thread that raised the signal. The mask is one for the
 * whole image (pthread_sigmask is sigprocmask). CPU faults are not signals here: they end the
 * image with a crash report, as does a default action that would dump core; a default action
 * that terminates ends the image with the crash status (127) after one log line.
 *
 * This replaces newlib's signal(), raise() and their _r forms (lib_a-signal.o), whose default
 * action would reach kill() anyway.
 */
#define pr_tag "posix"
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <skiff/app.h>
#include <skiff/panic.h>
#include <skiff/printk.h>
#include <skiff/thread.h>
#include "posix.h"

#define BIT(sig) ((sigset_t)1 << (sig))
/* Never caught, ignored or blocked. */
#define UNCATCHABLE (BIT(SIGKILL) | BIT(SIGSTOP))

static struct sigaction actions[NSIG];
static sigset_t blocked, pending;
/* sigsuspend and pause wait here for a signal raised by another thread. */
static struct sk_waitq raised = SK_WAITQ_INIT(raised);

static bool valid(int sig)
{
	return sig > 0 && sig < NSIG;
}

/* Default actions that leave the program running. */
static bool ignored_by_default(int sig)
{
	return sig == SIGCHLD || sig == SIGURG || sig == SIGWINCH || sig == SIGCONT || sig == SIGIO;
}

static bool stops(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

static bool dumps_core(int sig)
{
	return sig == SIGQUIT || sig == SIGILL || sig == SIGTRAP || sig == SIGABRT || sig == SIGFPE ||
	       sig == SIGBUS || sig == SIGSEGV || sig == SIGSYS;
}

static void default_action(int sig)
{
	if (ignored_by_default(sig))
		return;
	if (stops(sig)) {
		pr_warn("signal %d would stop the program; nothing can resume it here, so it goes on\n", sig);
		return;
	}
	if (dumps_core(sig))
		sk_panic("signal %d (%s), default action: core dump", sig, sig == SIGABRT ? "abort" : "raised");
	/*
	 * A shell would say 128 + sig, which an image's status cannot carry (126 and 127 are the
	 * boot error and the crash): it ends as a crash does, with what stdio holds written out.
	 */
	fflush(NULL);
	pr_err("terminated by signal %d (default action)\n", sig);
	sk_exit(127);
}

static void run_handler(int sig)
{
	struct sigaction a = actions[sig];
	sigset_t saved = blocked;
	siginfo_t info = { .si_signo = sig, .si_code = SI_USER, .si_pid = getpid() };

	blocked |= a.sa_mask & ~UNCATCHABLE;
	if (!(a.sa_flags & SA_NODEFER))
		blocked |= BIT(sig);
	if (a.sa_flags & SA_RESETHAND)
		actions[sig] = (struct sigaction){ .sa_handler = SIG_DFL };
	if (a.sa_flags & SA_SIGINFO)
		a.sa_sigaction(sig, &info, NULL);
	else
		a.sa_handler(sig);
	blocked = saved;
}

static void deliver(int sig)
{
	void (*h)(int) = actions[sig].sa_handler;

	pending &= ~BIT(sig);
	if (h == SIG_IGN)
		return;
	if (h == SIG_DFL)
		default_action(sig);
	else
		run_handler(sig);
}

/* Deliver what is pending and no longer blocked, lowest number first; how many were. */
static int deliver_pending(void)
{
	int n = 0;

	for (int sig = 1; sig < NSIG; sig++)
		if ((pending & BIT(sig)) && !(blocked & BIT(sig))) {
			deliver(sig);
			n++;
		}
	return n;
}

int raise(int sig)
{
	if (!valid(sig))
		return (int)posix_ret(-EINVAL);
	pending |= BIT(sig);
	sk_waitq_wake_all(&raised);
	deliver_pending();
	return 0;
}

int kill(pid_t pid, int sig)
{
	if (pid != getpid() && pid != 0 && pid != -1)
		return (int)posix_ret(-ESRCH);
	if (sig != 0 && !valid(sig))
		return (int)posix_ret(-EINVAL);
	return sig ? raise(sig) : 0;
}

int killpg(pid_t pgrp, int sig)
{
	return kill(pgrp == getpid() || pgrp == 0 ? 0 : pgrp, sig);
}

int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	if (!valid(sig) || (act && (UNCATCHABLE & BIT(sig))))
		return (int)posix_ret(-EINVAL);
	if (old)
		*old = actions[sig];
	if (act) {
		actions[sig] = *act;
		/* Setting SIG_IGN discards a pending signal, as POSIX says. */
		if (act->sa_handler == SIG_IGN || (act->sa_handler == SIG_DFL && ignored_by_default(sig)))
			pending &= ~BIT(sig);
	}
	return 0;
}

void (*signal(int sig, void (*handler)(int)))(int)
{
	struct sigaction act = { .sa_handler = handler, .sa_flags = SA_RESTART }, old;

	if (sigaction(sig, &act, &old) < 0)
		return SIG_ERR;
	return old.sa_handler;
}

int sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
	sigset_t s = set ? *set & ~UNCATCHABLE : 0;

	if (set && how != SIG_BLOCK && how != SIG_UNBLOCK && how != SIG_SETMASK)
		return (int)posix_ret(-EINVAL);
	if (old)
		*old = blocked;
	if (!set)
		return 0;
	if (how == SIG_BLOCK)
		blocked |= s;
	else if (how == SIG_UNBLOCK)
		blocked &= ~s;
	else
		blocked = s;
	deliver_pending();
	return 0;
}

/* One mask for the image: threads share it (see the top of this file). */
int pthread_sigmask(int how, const sigset_t *set, sigset_t *old)
{
	return sigprocmask(how, set, old) ? errno : 0;
}

int sigpending(sigset_t *set)
{
	*set = pending;
	return 0;
}

/* Wait with mask in place until a signal is delivered, then -1 with EINTR, as POSIX says. */
int sigsuspend(const sigset_t *mask)
{
	sigset_t saved = blocked;

	blocked = *mask & ~UNCATCHABLE;
	while (!deliver_pending())
		sk_waitq_wait(&raised);
	blocked = saved;
	deliver_pending();
	return (int)posix_ret(-EINTR);
}

int pause(void)
{
	return sigsuspend(&blocked);
}

/* newlib's names for the same calls, so that its lib_a-signal.o is never linked. */
int _raise_r(struct _reent *r, int sig) { (void)r; return raise(sig); }
_sig_func_ptr _signal_r(struct _reent *r, int sig, _sig_func_ptr h) { (void)r; return signal(sig, h); }
int _init_signal(void) { return 0; }
int _init_signal_r(struct _reent *r) { (void)r; return 0; }
int __sigtramp(int sig) { return raise(sig) ? -1 : 0; }
int __sigtramp_r(struct _reent *r, int sig) { (void)r; return __sigtramp(sig); }

/* POSIX's abort: SIGABRT's handler (if any) runs, and the program ends whatever it does. */
void abort(void)
{
	void (*h)(int) = actions[SIGABRT].sa_handler;

	if (h != SIG_DFL && h != SIG_IGN) {
		blocked &= ~BIT(SIGABRT);
		raise(SIGABRT);
	}
	sk_panic("abort() called");
}
