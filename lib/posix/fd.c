// SPDX-License-Identifier: MIT
/* Calls on file descriptors, over the kernel's fd table and open files. */
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
#include "posix.h"

static const struct { int o, sk; } flag_map[] = {
	{ O_CREAT, SK_O_CREAT }, { O_EXCL, SK_O_EXCL }, { O_TRUNC, SK_O_TRUNC },
	{ O_APPEND, SK_O_APPEND }, { O_NONBLOCK, SK_O_NONBLOCK }, { O_DIRECTORY, SK_O_DIRECTORY },
};

int posix_open_flags(int oflag)
{
	int f = oflag & O_ACCMODE; /* 0, 1, 2 as in SK_O_* */

	for (size_t i = 0; i < sizeof(flag_map) / sizeof(flag_map[0]); i++)
		if (oflag & flag_map[i].o)
			f |= flag_map[i].sk;
	return f;
}

int posix_oflags(int skflags)
{
	int o = skflags & SK_O_ACCMODE;

	for (size_t i = 0; i < sizeof(flag_map) / sizeof(flag_map[0]); i++)
		if (skflags & flag_map[i].sk)
			o |= flag_map[i].o;
	return o;
}

static struct timespec to_timespec(uint64_t ns)
{
	return (struct timespec){ .tv_sec = (time_t)(ns / 1000000000ULL), .tv_nsec = (long)(ns % 1000000000ULL) };
}

void posix_stat(const struct sk_stat *s, struct stat *st)
{
	static const mode_t types[] = { [SK_FT_REG] = S_IFREG, [SK_FT_DIR] = S_IFDIR,
					[SK_FT_CHR] = S_IFCHR, [SK_FT_SOCK] = S_IFSOCK,
					[SK_FT_FIFO] = S_IFIFO };

	memset(st, 0, sizeof(*st));
	st->st_dev = s->dev;
	st->st_ino = (ino_t)s->ino;
	st->st_mode = types[s->type] | (s->perm & 07777);
	st->st_nlink = s->nlink;
	st->st_size = (off_t)s->size;
	st->st_blksize = s->blksize;
	st->st_blocks = (blkcnt_t)((s->size + 511) / 512);
	st->st_uid = (uid_t)s->uid;
	st->st_gid = (gid_t)s->gid;
	st->st_mtim = to_timespec(s->mtime_ns);
	/* Filesystems that keep one time give 0 for the others: the same as the last change. */
	st->st_atim = to_timespec(s->atime_ns ? s->atime_ns : s->mtime_ns);
	st->st_ctim = to_timespec(s->ctime_ns ? s->ctime_ns : s->mtime_ns);
}

static struct sk_file *file_of(int fd)
{
	struct sk_file *f = sk_fd_get(fd);

	if (!f)
		errno = EBADF;
	return f;
}

int open(const char *path, int oflag, ...)
{
	struct sk_file *f;
	unsigned mode = 0;
	va_list ap;
	int r;

	if (oflag & O_CREAT) {
		va_start(ap, oflag);
		mode = va_arg(ap, unsigned);
		va_end(ap);
	}
	r = sk_vfs_open(path, posix_open_flags(oflag), mode & ~posix_umask(), &f);
	if (r < 0)
		return (int)posix_ret(r);
	r = sk_fd_install(f, 0);
	if (r < 0)
		sk_file_close(f);
	return (int)posix_ret(r);
}

int creat(const char *path, mode_t mode)
{
	return open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
}

int close(int fd)
{
	return (int)posix_ret(sk_fd_close(fd));
}

/* newlib's <unistd.h> gives read and write its own return type (int on this target). */
_READ_WRITE_RETURN_TYPE read(int fd, void *buf, size_t len)
{
	struct sk_file *f = file_of(fd);

	return f ? (_READ_WRITE_RETURN_TYPE)posix_ret(sk_file_read(f, buf, len)) : -1;
}

/*
 * Writing to a pipe nobody reads raises SIGPIPE, whose default action ends the program, as on
 * Linux. Sockets only fail with EPIPE, as if every send had MSG_NOSIGNAL: appliances are servers,
 * and a client going away must not end them.
 */
static long broken_pipe(struct sk_file *f, long r)
{
	struct sk_stat st;

	if (r == -EPIPE && sk_file_stat(f, &st) == 0 && st.type == SK_FT_FIFO)
		raise(SIGPIPE);
	return r;
}

_READ_WRITE_RETURN_TYPE write(int fd, const void *buf, size_t len)
{
	struct sk_file *f = file_of(fd);

	return f ? (_READ_WRITE_RETURN_TYPE)posix_ret(broken_pipe(f, sk_file_write(f, buf, len))) : -1;
}

ssize_t pread(int fd, void *buf, size_t len, off_t off)
{
	struct sk_file *f = file_of(fd);

	if (f && off < 0)
		return posix_ret(-EINVAL);
	return f ? posix_ret(sk_file_pread(f, buf, len, (uint64_t)off)) : -1;
}

ssize_t pwrite(int fd, const void *buf, size_t len, off_t off)
{
	struct sk_file *f = file_of(fd);

	if (f && off < 0)
		return posix_ret(-EINVAL);
	return f ? posix_ret(sk_file_pwrite(f, buf, len, (uint64_t)off)) : -1;
}

off_t lseek(int fd, off_t off, int whence)
{
	struct sk_file *f = file_of(fd);

	return f ? (off_t)posix_ret(sk_file_seek(f, off, whence)) : -1;
}

int fstat(int fd, struct stat *st)
{
	struct sk_file *f = file_of(fd);
	struct sk_stat s;
	int r;

	if (!f)
		return -1;
	r = sk_file_stat(f, &s);
	if (r == 0)
		posix_stat(&s, st);
	return (int)posix_ret(r);
}

int isatty(int fd)
{
	struct sk_file *f = file_of(fd);

	if (!f)
		return 0;
	if (!posix_file_is_terminal(f)) {
		errno = ENOTTY;
		return 0;
	}
	return 1;
}

int ftruncate(int fd, off_t len)
{
	struct sk_file *f = file_of(fd);

	if (f && len < 0)
		return (int)posix_ret(-EINVAL);
	return f ? (int)posix_ret(sk_file_truncate(f, (uint64_t)len)) : -1;
}

/* Everything lives in memory: there is nothing to sync, only the fd to check. */
int fsync(int fd)
{
	return file_of(fd) ? 0 : -1;
}

int fdatasync(int fd)
{
	return fsync(fd);
}

int dup(int fd)
{
	struct sk_file *f = file_of(fd);
	int r;

	if (!f)
		return -1;
	sk_file_ref(f);
	r = sk_fd_install(f, 0);
	if (r < 0)
		sk_file_close(f);
	return (int)posix_ret(r);
}

int dup2(int fd, int fd2)
{
	return (int)posix_ret(sk_fd_dup2(fd, fd2));
}

/* dup2 that refuses fd == fd2; O_CLOEXEC is the only flag, and without exec it changes nothing. */
int dup3(int fd, int fd2, int flags)
{
	if (fd == fd2 || (flags & ~O_CLOEXEC))
		return (int)posix_ret(file_of(fd) ? -EINVAL : -EBADF);
	return dup2(fd, fd2);
}

int pipe2(int fds[2], int flags)
{
	struct sk_file *ends[2];
	int r, rd;

	if (flags & ~(O_CLOEXEC | O_NONBLOCK))
		return (int)posix_ret(-EINVAL);
	if ((r = sk_pipe_new(ends, posix_open_flags(flags))) < 0)
		return (int)posix_ret(r);
	if ((rd = sk_fd_install(ends[0], 0)) < 0) {
		sk_file_close(ends[0]);
		sk_file_close(ends[1]);
		return (int)posix_ret(rd);
	}
	if ((r = sk_fd_install(ends[1], 0)) < 0) {
		sk_fd_close(rd);
		sk_file_close(ends[1]);
		return (int)posix_ret(r);
	}
	fds[0] = rd;
	fds[1] = r;
	return 0;
}

int pipe(int fds[2])
{
	return pipe2(fds, 0);
}

int fcntl(int fd, int cmd, ...)
{
	struct sk_file *f = file_of(fd);
	va_list ap;
	void *ptr;
	int arg, r;

	if (!f)
		return -1;
	/* The third argument is an int or a pointer, by cmd; both are read from one register. */
	va_start(ap, cmd);
	ptr = va_arg(ap, void *);
	va_end(ap);
	arg = (int)(intptr_t)ptr;
	switch (cmd) {
	case F_GETLK:
	case F_SETLK:
	case F_SETLKW:
	case F_OFD_GETLK:
	case F_OFD_SETLK:
	case F_OFD_SETLKW:
		return (int)posix_ret(posix_fcntl_lock(f, cmd, ptr));
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		sk_file_ref(f);
		r = sk_fd_install(f, arg);
		if (r < 0)
			sk_file_close(f);
		return (int)posix_ret(r);
	case F_GETFL:
		return posix_oflags(f->flags);
	case F_SETFL: /* only O_APPEND and O_NONBLOCK can change */
		f->flags = (f->flags & ~(SK_O_APPEND | SK_O_NONBLOCK)) |
			   (posix_open_flags(arg) & (SK_O_APPEND | SK_O_NONBLOCK));
		return 0;
	case F_GETFD:
	case F_SETFD:
		return 0; /* no exec, so close-on-exec means nothing */
	default:
		return (int)posix_ret(-EINVAL);
	}
}

/*
 * readv and writev through one buffer (at most IOV_BUF at a time), so that a datagram socket
 * sends one datagram and gets one, as it would from the vectors themselves.
 */
#define IOV_BUF (64 * 1024)

static long iov_total(const struct iovec *iov, int n)
{
	size_t total = 0;

	if (n < 0 || n > IOV_MAX)
		return -EINVAL;
	for (int i = 0; i < n; i++) {
		if (iov[i].iov_len > (size_t)LONG_MAX - total)
			return -EINVAL;
		total += iov[i].iov_len;
	}
	return (long)total;
}

ssize_t writev(int fd, const struct iovec *iov, int n)
{
	struct sk_file *f = file_of(fd);
	long total = f ? iov_total(iov, n) : -EBADF, done = 0, r = 0;
	char *buf;

	if (total <= 0)
		return total < 0 ? posix_ret(total) : 0;
	if (!(buf = malloc(total < IOV_BUF ? (size_t)total : IOV_BUF)))
		return posix_ret(-ENOMEM);
	for (int i = 0, off = 0; done < total;) {
		size_t len = 0, cap = total - done < IOV_BUF ? (size_t)(total - done) : IOV_BUF;

		while (len < cap && i < n) { /* gather the next chunk */
			size_t c = iov[i].iov_len - (size_t)off < cap - len ? iov[i].iov_len - (size_t)off : cap - len;

			memcpy(buf + len, (char *)iov[i].iov_base + off, c);
			len += c;
			off += (int)c;
			if ((size_t)off == iov[i].iov_len)
				i++, off = 0;
		}
		r = broken_pipe(f, sk_file_write(f, buf, len));
		if (r <= 0)
			break;
		done += r;
		if ((size_t)r < len)
			break; /* a short write ends it, as write() would */
	}
	free(buf);
	return done ? done : posix_ret(r);
}

ssize_t readv(int fd, const struct iovec *iov, int n)
{
	struct sk_file *f = file_of(fd);
	long total = f ? iov_total(iov, n) : -EBADF, r;
	char *buf;

	if (total <= 0)
		return total < 0 ? posix_ret(total) : 0;
	if (!(buf = malloc(total < IOV_BUF ? (size_t)total : IOV_BUF)))
		return posix_ret(-ENOMEM);
	r = sk_file_read(f, buf, total < IOV_BUF ? (size_t)total : IOV_BUF);
	for (int i = 0, off = 0; r > 0 && i < n && off < r; i++) {
		size_t c = iov[i].iov_len < (size_t)(r - off) ? iov[i].iov_len : (size_t)(r - off);

		memcpy(iov[i].iov_base, buf + off, c);
		off += (int)c;
	}
	free(buf);
	return posix_ret(r);
}

int ioctl(int fd, unsigned long request, ...)
{
	struct sk_file *f = file_of(fd);
	va_list ap;
	void *arg;
	long n;

	if (!f)
		return -1;
	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	switch (request) {
	case FIONREAD:
		if ((n = sk_file_nread(f)) < 0)
			return (int)posix_ret(n);
		*(int *)arg = n > INT_MAX ? INT_MAX : (int)n;
		return 0;
	case FIONBIO:
		f->flags = *(int *)arg ? f->flags | SK_O_NONBLOCK : f->flags & ~SK_O_NONBLOCK;
		return 0;
	case TIOCGWINSZ:
		if (!posix_file_is_terminal(f))
			return (int)posix_ret(-ENOTTY);
		*(struct winsize *)arg = (struct winsize){ .ws_row = 24, .ws_col = 80 };
		return 0;
	default:
		return (int)posix_ret(-ENOTTY);
	}
}
