// SPDX-License-Identifier: MIT
/* Calls on paths, over the kernel VFS. */
#include <fcntl.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <unistd.h>
#include <string.h>
#include "posix.h"

/* The path a *at call means: absolute paths and AT_FDCWD as they are, else under dirfd. */
int posix_at_path(int dirfd, const char *path, char *buf)
{
	struct sk_file *f;
	size_t len;
	int r;

	if (!path)
		return -EFAULT;
	if (path[0] == '/' || dirfd == AT_FDCWD) {
		if (strlen(path) >= SK_PATH_MAX)
			return -ENAMETOOLONG;
		memcpy(buf, path, strlen(path) + 1);
		return 0;
	}
	if (!(f = sk_fd_get(dirfd)))
		return -EBADF;
	if ((r = sk_file_dir_path(f, buf, SK_PATH_MAX)) < 0)
		return r;
	len = strlen(buf);
	if (len + 1 + strlen(path) >= SK_PATH_MAX)
		return -ENAMETOOLONG;
	buf[len] = '/';
	memcpy(buf + len + 1, path, strlen(path) + 1);
	return 0;
}

/* A *at call's path and flags: 0, or -1 with errno set. */
int posix_at_args(int dirfd, const char *path, int flags, int allowed, char *buf)
{
	if (flags & ~allowed)
		return (int)posix_ret(-EINVAL);
	return (int)posix_ret(posix_at_path(dirfd, path, buf));
}

int stat(const char *path, struct stat *st)
{
	struct sk_stat s;
	int r = sk_vfs_stat(path, &s);

	if (r == 0)
		posix_stat(&s, st);
	return (int)posix_ret(r);
}

/* No symbolic links exist, so lstat is stat. */
int lstat(const char *path, struct stat *st)
{
	return stat(path, st);
}

int mkdir(const char *path, mode_t mode)
{
	return (int)posix_ret(sk_vfs_mkdir(path, mode & ~posix_umask()));
}

int rmdir(const char *path)
{
	return (int)posix_ret(sk_vfs_rmdir(path));
}

int unlink(const char *path)
{
	return (int)posix_ret(sk_vfs_unlink(path));
}

int rename(const char *from, const char *to)
{
	return (int)posix_ret(sk_vfs_rename(from, to));
}

int link(const char *existing, const char *newpath)
{
	return (int)posix_ret(sk_vfs_link(existing, newpath));
}

int symlink(const char *target, const char *path)
{
	(void)target, (void)path;
	errno = EPERM; /* neither filesystem has symbolic links */
	return -1;
}

ssize_t readlink(const char *path, char *buf, size_t len)
{
	struct stat st;

	(void)buf, (void)len;
	if (stat(path, &st) == 0)
		errno = EINVAL; /* exists, but is not a link */
	return -1;
}

int chdir(const char *path)
{
	return (int)posix_ret(sk_vfs_chdir(path));
}

char *getcwd(char *buf, size_t len)
{
	int r = sk_vfs_getcwd(buf, len);

	return r < 0 ? (posix_ret(r), NULL) : buf;
}

/* The *at forms: the same calls on the path posix_at_path makes of dirfd and path. */
int openat(int dirfd, const char *path, int oflag, ...)
{
	char buf[SK_PATH_MAX];
	unsigned mode = 0;
	va_list ap;

	if (oflag & O_CREAT) {
		va_start(ap, oflag);
		mode = va_arg(ap, unsigned);
		va_end(ap);
	}
	if (posix_ret(posix_at_path(dirfd, path, buf)) < 0)
		return -1;
	return open(buf, oflag, mode);
}

int fstatat(int dirfd, const char *path, struct stat *st, int flags)
{
	char buf[SK_PATH_MAX];

	return posix_at_args(dirfd, path, flags, AT_SYMLINK_NOFOLLOW, buf) ? -1 : stat(buf, st);
}

int mkdirat(int dirfd, const char *path, mode_t mode)
{
	char buf[SK_PATH_MAX];

	return posix_at_args(dirfd, path, 0, 0, buf) ? -1 : mkdir(buf, mode);
}

int unlinkat(int dirfd, const char *path, int flags)
{
	char buf[SK_PATH_MAX];

	if (posix_at_args(dirfd, path, flags, AT_REMOVEDIR, buf))
		return -1;
	return flags & AT_REMOVEDIR ? rmdir(buf) : unlink(buf);
}

int renameat(int fromfd, const char *from, int tofd, const char *to)
{
	char a[SK_PATH_MAX], b[SK_PATH_MAX];

	if (posix_at_args(fromfd, from, 0, 0, a) || posix_at_args(tofd, to, 0, 0, b))
		return -1;
	return rename(a, b);
}

/* Regular files only: no filesystem here holds device nodes or named pipes. */
int mknod(const char *path, mode_t mode, dev_t dev)
{
	int fd;

	(void)dev;
	if ((mode & S_IFMT) && !S_ISREG(mode))
		return (int)posix_ret(-EPERM);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode & 07777)) < 0)
		return -1;
	return close(fd);
}

int mkfifo(const char *path, mode_t mode)
{
	(void)path, (void)mode;
	return posix_enosys("mkfifo");
}
