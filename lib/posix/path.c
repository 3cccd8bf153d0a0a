// SPDX-License-Identifier: MIT
/* Calls on paths, over the kernel VFS. */
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include "posix.h"

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
	return (int)posix_ret(sk_vfs_mkdir(path, mode));
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

/* One user, who may do everything the filesystem allows: only existence is checked. */
int access(const char *path, int mode)
{
	struct stat st;

	(void)mode;
	return stat(path, &st);
}

int chmod(const char *path, mode_t mode)
{
	(void)mode;
	return access(path, F_OK);
}
