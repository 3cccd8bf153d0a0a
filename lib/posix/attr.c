// SPDX-License-Identifier: MIT
/*
 * File attributes: modes, owners, times, the umask, access checks and truncate by path. There is
 * one user, uid 0, who may do what the filesystem allows, as root may: chown to any id is kept
 * and shown by stat; access() refuses W_OK only on read-only mounts, and X_OK only where no
 * execute bit is set. No symbolic links exist, so the l- and nofollow forms act on the file.
 */
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <stdlib.h>
#include <unistd.h>
#include <utime.h>
#include <skiff/time.h>
#include "posix.h"

static mode_t cmask = 022;

mode_t umask(mode_t mask)
{
	mode_t old = cmask;

	cmask = mask & 0777;
	return old;
}

mode_t posix_umask(void)
{
	return cmask;
}

static int set_path(const char *path, const struct sk_setattr *a)
{
	return (int)posix_ret(sk_vfs_setattr(path, a));
}

static int set_fd(int fd, const struct sk_setattr *a)
{
	struct sk_file *f = sk_fd_get(fd);

	return f ? (int)posix_ret(sk_file_setattr(f, a)) : (int)posix_ret(-EBADF);
}

static const struct sk_setattr *mode_attr(mode_t mode, struct sk_setattr *a)
{
	*a = (struct sk_setattr){ .mask = SK_ATTR_PERM, .perm = mode & 07777 };
	return a;
}

int chmod(const char *path, mode_t mode)
{
	struct sk_setattr a;

	return set_path(path, mode_attr(mode, &a));
}

int fchmod(int fd, mode_t mode)
{
	struct sk_setattr a;

	return set_fd(fd, mode_attr(mode, &a));
}

int fchmodat(int dirfd, const char *path, mode_t mode, int flags)
{
	char buf[SK_PATH_MAX];

	return posix_at_args(dirfd, path, flags, AT_SYMLINK_NOFOLLOW, buf) ? -1 : chmod(buf, mode);
}

/* (uid_t)-1 and (gid_t)-1 leave that id as it is. */
static const struct sk_setattr *owner_attr(uid_t uid, gid_t gid, struct sk_setattr *a)
{
	*a = (struct sk_setattr){ .uid = uid, .gid = gid };
	if (uid != (uid_t)-1)
		a->mask |= SK_ATTR_UID;
	if (gid != (gid_t)-1)
		a->mask |= SK_ATTR_GID;
	return a;
}

int chown(const char *path, uid_t uid, gid_t gid)
{
	struct sk_setattr a;

	return set_path(path, owner_attr(uid, gid, &a));
}

int lchown(const char *path, uid_t uid, gid_t gid)
{
	return chown(path, uid, gid);
}

int fchown(int fd, uid_t uid, gid_t gid)
{
	struct sk_setattr a;

	return set_fd(fd, owner_attr(uid, gid, &a));
}

int fchownat(int dirfd, const char *path, uid_t uid, gid_t gid, int flags)
{
	char buf[SK_PATH_MAX];

	return posix_at_args(dirfd, path, flags, AT_SYMLINK_NOFOLLOW, buf) ? -1 : chown(buf, uid, gid);
}

/*
 * Times as utimensat takes them: NULL is "now" for both; UTIME_NOW and UTIME_OMIT per field.
 * 0, or -EINVAL for a nanosecond field out of range.
 */
static int times_attr(const struct timespec *ts, struct sk_setattr *a)
{
	uint64_t now = sk_wall_ns();

	*a = (struct sk_setattr){ .mask = SK_ATTR_ATIME | SK_ATTR_MTIME, .atime_ns = now, .mtime_ns = now };
	if (!ts)
		return 0;
	for (int i = 0; i < 2; i++) {
		unsigned bit = i ? SK_ATTR_MTIME : SK_ATTR_ATIME;
		uint64_t *field = i ? &a->mtime_ns : &a->atime_ns;

		if (ts[i].tv_nsec == UTIME_OMIT)
			a->mask &= ~bit;
		else if (ts[i].tv_nsec == UTIME_NOW)
			continue;
		else if (ts[i].tv_nsec < 0 || ts[i].tv_nsec >= 1000000000L || ts[i].tv_sec < 0)
			return -EINVAL;
		else
			*field = (uint64_t)ts[i].tv_sec * 1000000000ull + (uint64_t)ts[i].tv_nsec;
	}
	return 0;
}

int utimensat(int dirfd, const char *path, const struct timespec *ts, int flags)
{
	char buf[SK_PATH_MAX];
	struct sk_setattr a;

	if (posix_at_args(dirfd, path, flags, AT_SYMLINK_NOFOLLOW, buf))
		return -1;
	if (posix_ret(times_attr(ts, &a)) < 0)
		return -1;
	return set_path(buf, &a);
}

int futimens(int fd, const struct timespec *ts)
{
	struct sk_setattr a;

	if (posix_ret(times_attr(ts, &a)) < 0)
		return -1;
	return set_fd(fd, &a);
}

/* timevals to timespecs; NULL stays NULL (now). -EINVAL for microseconds out of range. */
static const struct timespec *from_timeval(const struct timeval *tv, struct timespec ts[2], int *err)
{
	*err = 0;
	if (!tv)
		return NULL;
	for (int i = 0; i < 2; i++) {
		if (tv[i].tv_usec < 0 || tv[i].tv_usec >= 1000000)
			*err = -EINVAL;
		ts[i] = (struct timespec){ .tv_sec = tv[i].tv_sec, .tv_nsec = tv[i].tv_usec * 1000L };
	}
	return ts;
}

int utimes(const char *path, const struct timeval *tv)
{
	struct timespec ts[2];
	const struct timespec *t;
	int err;

	t = from_timeval(tv, ts, &err);
	return err ? (int)posix_ret(err) : utimensat(AT_FDCWD, path, t, 0);
}

int lutimes(const char *path, const struct timeval *tv)
{
	return utimes(path, tv);
}

int futimes(int fd, const struct timeval *tv)
{
	struct timespec ts[2];
	const struct timespec *t;
	int err;

	t = from_timeval(tv, ts, &err);
	return err ? (int)posix_ret(err) : futimens(fd, t);
}

int utime(const char *path, const struct utimbuf *times)
{
	struct timespec ts[2];

	if (!times)
		return utimensat(AT_FDCWD, path, NULL, 0);
	ts[0] = (struct timespec){ .tv_sec = times->actime };
	ts[1] = (struct timespec){ .tv_sec = times->modtime };
	return utimensat(AT_FDCWD, path, ts, 0);
}

/* What uid 0 may do: everything but writing a read-only mount, and executing a non-executable. */
static int check_access(const char *path, int mode)
{
	struct sk_stat s;
	int r;

	if (mode & ~(R_OK | W_OK | X_OK))
		return -EINVAL;
	if ((r = sk_vfs_stat(path, &s)) < 0)
		return r;
	if ((mode & W_OK) && s.readonly && s.type != SK_FT_CHR)
		return -EROFS;
	if ((mode & X_OK) && s.type != SK_FT_DIR && !(s.perm & 0111))
		return -EACCES;
	return 0;
}

int access(const char *path, int mode)
{
	return (int)posix_ret(check_access(path, mode));
}

int faccessat(int dirfd, const char *path, int mode, int flags)
{
	char buf[SK_PATH_MAX];

	if (posix_at_args(dirfd, path, flags, AT_EACCESS | AT_SYMLINK_NOFOLLOW, buf))
		return -1;
	return access(buf, mode);
}

int truncate(const char *path, off_t len)
{
	int fd, r;

	if (len < 0)
		return (int)posix_ret(-EINVAL);
	if ((fd = open(path, O_WRONLY)) < 0)
		return -1;
	r = ftruncate(fd, len);
	close(fd);
	return r;
}

_Static_assert(SK_PATH_MAX <= PATH_MAX, "realpath's result fits the caller's PATH_MAX bytes");

char *realpath(const char *path, char *resolved)
{
	char buf[SK_PATH_MAX], *out;
	int r;

	if (!path) {
		errno = EINVAL;
		return NULL;
	}
	if ((r = sk_vfs_realpath(path, buf)) < 0) {
		posix_ret(r);
		return NULL;
	}
	out = resolved ? resolved : malloc(strlen(buf) + 1);
	if (!out) {
		errno = ENOMEM;
		return NULL;
	}
	/* PATH_MAX is the room POSIX gives resolved, and SK_PATH_MAX is no larger (checked above). */
	memcpy(out, buf, strlen(buf) + 1);
	return out;
}
