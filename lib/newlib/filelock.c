// SPDX-License-Identifier: MIT
/*
 * Stream locks: POSIX flockfile and friends, which newlib declares but builds only for some
 * systems, on the lock every FILE already has (a recursive kernel mutex, locks.c). And the crash
 * path's last service: buffered stdout out before the crash report, when that cannot block.
 */
#include <errno.h>
#include <stdio.h>
#include <skiff/app.h>

void flockfile(FILE *fp)
{
	_flockfile(fp);
}

int ftrylockfile(FILE *fp)
{
	if (fp->_flags & __SSTR) /* a string stream has no lock */
		return 0;
	return __lock_try_acquire_recursive(fp->_lock) ? -1 : 0;
}

void funlockfile(FILE *fp)
{
	_funlockfile(fp);
}

/*
 * A crashing or deadlocked image would lose what stdout still buffers (when it is not a terminal,
 * up to 4 KiB). Threads never block while writing to the console, so stdout's lock is free unless
 * the crash came from inside stdio of this very thread (then the recursive lock is taken again
 * and the buffer flushed as it stands), or another thread holds it on purpose (then nothing).
 */
void sk_libc_crash_flush(void)
{
	if (ftrylockfile(stdout) == 0) {
		fflush(stdout);
		funlockfile(stdout);
	}
}
