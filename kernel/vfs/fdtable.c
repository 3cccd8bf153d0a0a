// SPDX-License-Identifier: MIT
/* The file-descriptor table: one process, so one global table of open-file references. */
#include <errno.h>
#include <stddef.h>
#include <skiff/vfs.h>
#include "fs.h"

static struct sk_file *fds[SK_FD_MAX];

static bool valid(int fd)
{
	return fd >= 0 && fd < SK_FD_MAX;
}

/* On failure the caller keeps its reference. */
int sk_fd_install(struct sk_file *f, int min)
{
	if (!f || !valid(min))
		return -EINVAL;
	for (int fd = min; fd < SK_FD_MAX; fd++) {
		if (!fds[fd]) {
			fds[fd] = f;
			return fd;
		}
	}
	return -EMFILE;
}

struct sk_file *sk_fd_get(int fd)
{
	return valid(fd) ? fds[fd] : NULL;
}

int sk_fd_close(int fd)
{
	struct sk_file *f = sk_fd_get(fd);

	if (!f)
		return -EBADF;
	fds[fd] = NULL;
	sk_lock_release_process(f);
	sk_file_close(f);
	return 0;
}

int sk_fd_dup2(int oldfd, int newfd)
{
	struct sk_file *f = sk_fd_get(oldfd);
	struct sk_file *old;

	if (!f || !valid(newfd))
		return -EBADF;
	if (oldfd == newfd)
		return newfd;
	/* The slot changes before the old file's release runs, which never sees a half state. */
	old = fds[newfd];
	sk_file_ref(f);
	fds[newfd] = f;
	if (old) {
		sk_lock_release_process(old);
		sk_file_close(old);
	}
	return newfd;
}

void sk_fd_reset(void)
{
	for (int fd = 0; fd < SK_FD_MAX; fd++)
		sk_fd_close(fd);
}
