/* SPDX-License-Identifier: MIT */
/* lib/posix internals: kernel results to errno, flag and stat translation. */
#ifndef LIB_POSIX_POSIX_H
#define LIB_POSIX_POSIX_H

#include <errno.h>
#include <sys/stat.h>
#include <skiff/vfs.h>

/* Kernel calls return a negative errno: POSIX wants -1 and errno set. */
static inline long posix_ret(long r)
{
	if (r < 0) {
		errno = (int)-r;
		return -1;
	}
	return r;
}

int posix_open_flags(int oflag);	/* O_* to SK_O_* */
int posix_oflags(int skflags);		/* and back, for fcntl(F_GETFL) */
void posix_stat(const struct sk_stat *s, struct stat *st);
/* Log once that name is not supported in a unikernel, then fail with ENOSYS. */
int posix_enosys(const char *name);
/* The console as an open file (fds 0, 1, 2). */
struct sk_file *posix_console_open(int flags);
/* True for the console when the host shows it in a terminal (isatty). */
bool posix_file_is_terminal(struct sk_file *f);
void posix_env_init(void);
struct flock;
/* fcntl's F_GETLK, F_SETLK, F_SETLKW and F_OFD_* on f: 0 or a negative errno. */
int posix_fcntl_lock(struct sk_file *f, int cmd, struct flock *fl);
/* The calling thread's slot for pthread_sync.c's per-thread state (pthread.c owns it). */
void **posix_pthread_sync_data(void);
/* The mask open() and mkdir() apply to new files' modes (umask). */
mode_t posix_umask(void);
/* The path a *at call means into buf (SK_PATH_MAX bytes): path itself when absolute or dirfd is
 * AT_FDCWD, else path under the directory open as dirfd. 0 or a negative errno. */
int posix_at_path(int dirfd, const char *path, char *buf);
/* The same, after checking flags against allowed: 0, or -1 with errno set. */
int posix_at_args(int dirfd, const char *path, int flags, int allowed, char *buf);

#endif
