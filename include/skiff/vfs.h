/* SPDX-License-Identifier: MIT */
/*
 * The kernel's file layer: open-file descriptions (struct sk_file) with an ops table, a VFS of
 * mounted filesystems (a writable in-memory ramfs, read-only cpio "newc" archives such as the
 * initrd), the process-wide current directory, and the file-descriptor table.
 *
 * Everything returns 0 (or a count) on success and a negative errno on failure, using the errno
 * values of the C library the image is built with. Flags and types are Skiff's own (SK_O_*,
 * enum sk_ftype) so that the kernel does not depend on one C library's numbering; lib/posix
 * translates. Paths: absolute or relative to the current directory; "." and ".." and repeated
 * slashes are handled; at most SK_PATH_MAX bytes with the NUL, components at most SK_NAME_MAX.
 * Threads are cooperative, so no call here needs a lock: none of them blocks.
 */
#ifndef SKIFF_VFS_H
#define SKIFF_VFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SK_PATH_MAX 1024
#define SK_NAME_MAX 255
#define SK_FD_MAX 256

#define SK_O_ACCMODE 0x3
#define SK_O_RDONLY 0x0
#define SK_O_WRONLY 0x1
#define SK_O_RDWR 0x2
#define SK_O_CREAT 0x40
#define SK_O_EXCL 0x80
#define SK_O_TRUNC 0x200
#define SK_O_APPEND 0x400
#define SK_O_NONBLOCK 0x800
#define SK_O_DIRECTORY 0x10000

#define SK_SEEK_SET 0
#define SK_SEEK_CUR 1
#define SK_SEEK_END 2

/* Readiness bits for sk_file_poll (the same meaning as POLLIN/POLLOUT/POLLERR/POLLHUP). */
#define SK_POLL_IN 0x1
#define SK_POLL_OUT 0x4
#define SK_POLL_ERR 0x8
#define SK_POLL_HUP 0x10

enum sk_ftype {
	SK_FT_REG = 1,
	SK_FT_DIR = 2,
	SK_FT_CHR = 3,
	SK_FT_SOCK = 4,
	SK_FT_FIFO = 5,
};

struct sk_stat {
	enum sk_ftype type;
	uint32_t perm;		/* permission bits, e.g. 0644 */
	uint64_t ino;
	uint64_t size;		/* bytes (0 for directories and devices) */
	uint32_t nlink;
	uint32_t blksize;	/* preferred I/O size */
	uint64_t mtime_ns;	/* wall clock of the last change, 0 if unknown */
	uint64_t atime_ns;	/* last access as set by utimes (0: the same as mtime_ns) */
	uint64_t ctime_ns;	/* last change of data or attributes (0: the same as mtime_ns) */
	uint32_t uid, gid;	/* owner; one user (0) unless chown said otherwise */
	uint32_t dev;		/* which mount */
	bool readonly;		/* on a read-only mount (access(W_OK) is EROFS) */
};

/* What sk_vfs_setattr and sk_file_setattr change: the fields whose SK_ATTR_* bit is in mask. */
#define SK_ATTR_PERM 0x1
#define SK_ATTR_UID 0x2
#define SK_ATTR_GID 0x4
#define SK_ATTR_ATIME 0x8
#define SK_ATTR_MTIME 0x10

struct sk_setattr {
	unsigned mask;
	uint32_t perm, uid, gid;
	uint64_t atime_ns, mtime_ns;
};

struct sk_dirent {
	uint64_t ino;
	enum sk_ftype type;
	char name[SK_NAME_MAX + 1];
};

struct sk_file;
struct sk_vnode;

/* What a kind of open file can do; NULL entries fail with -EINVAL (or -EBADF for read/write). */
struct sk_file_ops {
	long (*read)(struct sk_file *f, void *buf, size_t len, uint64_t off);
	long (*write)(struct sk_file *f, const void *buf, size_t len, uint64_t off);
	int (*stat)(struct sk_file *f, struct sk_stat *st);
	int (*readdir)(struct sk_file *f, uint64_t index, struct sk_dirent *d); /* 1, 0 at end, <0 */
	int (*truncate)(struct sk_file *f, uint64_t len);
	unsigned (*poll)(struct sk_file *f);	/* SK_POLL_* now; NULL means always IN|OUT */
	uint32_t (*events)(struct sk_file *f);	/* changes with every event (epoll's EPOLLET) */
	long (*nread)(struct sk_file *f);	/* bytes readable now (FIONREAD); NULL: size - pos */
	void (*release)(struct sk_file *f);	/* last close */
	bool seekable;				/* false: pipes, consoles, sockets (ESPIPE) */
};

struct sk_file {
	const struct sk_file_ops *ops;
	void *priv;		/* the ops' own state */
	int flags;		/* SK_O_* as opened (access mode, APPEND, NONBLOCK) */
	uint64_t pos;		/* current offset (or directory index) */
	unsigned refs;
	struct sk_vnode *node;	/* what sk_vfs_open opened (locks, setattr); NULL otherwise */
};

/* A new open file with one reference; NULL when out of memory. For devices and sockets. */
struct sk_file *sk_file_new(const struct sk_file_ops *ops, void *priv, int flags);
void sk_file_ref(struct sk_file *f);
/* Drop a reference; the last one calls ops->release and frees f. */
void sk_file_close(struct sk_file *f);

/* I/O at the file's position (read/write/seek) or at an offset (pread/pwrite). */
long sk_file_read(struct sk_file *f, void *buf, size_t len);
long sk_file_write(struct sk_file *f, const void *buf, size_t len);
long sk_file_pread(struct sk_file *f, void *buf, size_t len, uint64_t off);
long sk_file_pwrite(struct sk_file *f, const void *buf, size_t len, uint64_t off);
int64_t sk_file_seek(struct sk_file *f, int64_t off, int whence);
int sk_file_stat(struct sk_file *f, struct sk_stat *st);
int sk_file_truncate(struct sk_file *f, uint64_t len);
/* The next directory entry ("." and ".." first): 1 with *d filled, 0 at the end, <0 error. */
int sk_file_readdir(struct sk_file *f, struct sk_dirent *d);
unsigned sk_file_poll(struct sk_file *f);
/* A count that changes with each event on f (a file without events: its readiness). */
uint32_t sk_file_events(struct sk_file *f);
long sk_file_nread(struct sk_file *f);
/* Change attributes of the file's node: -EINVAL for files without one (sockets, pipes). */
int sk_file_setattr(struct sk_file *f, const struct sk_setattr *a);

/*
 * Record locks (fcntl F_SETLK and friends) on a file opened through the VFS. The owner is either
 * the process (POSIX locks: owner NULL; released when any descriptor of the file is closed) or
 * one open file (OFD locks: owner f; released when its last reference goes). Locks of one owner
 * never conflict with each other; a new lock replaces the owner's locks on the range it covers.
 * Ranges are [start, end], end inclusive, SK_LOCK_EOF for "to the end of the file, however far".
 */
#define SK_LOCK_UN 0
#define SK_LOCK_RD 1
#define SK_LOCK_WR 2
#define SK_LOCK_EOF UINT64_MAX

struct sk_lock {
	int type;		/* SK_LOCK_* */
	uint64_t start, end;
	bool ofd;		/* an OFD lock (owner: the open file) rather than the process's */
};

/* Take or release (type SK_LOCK_UN) a lock; -EAGAIN on conflict unless wait, which blocks. */
int sk_file_lock(struct sk_file *f, const struct sk_lock *l, bool wait);
/* The first lock of another owner that conflicts with l, written over *l (its ofd field says
 * which kind of owner holds it), or l->type set to SK_LOCK_UN when l could be taken. */
int sk_file_getlk(struct sk_file *f, struct sk_lock *l);
/* A descriptor of f was closed: the process's POSIX locks on f's node go (POSIX's rule). */
void sk_lock_release_process(struct sk_file *f);

/* A pipe: ends[0] reads, ends[1] writes (flags: SK_O_NONBLOCK). -ENOMEM. */
int sk_pipe_new(struct sk_file *ends[2], int flags);
/* How many bytes a pipe holds before writers wait (F_GETPIPE_SZ, PIPE_BUF is 4096 within it). */
#define SK_PIPE_SIZE 65536

/*
 * Waiting for readiness (poll, select, epoll): a file whose readiness may have changed (a socket
 * got data) calls sk_file_poll_wake, which wakes every thread in sk_file_poll_wait; they look
 * again. -ETIMEDOUT when deadline_ns (monotonic) comes first.
 */
void sk_file_poll_wake(void);
int sk_file_poll_wait(uint64_t deadline_ns);

/* Mounting. The first mount must be "/". */
int sk_vfs_mount_ramfs(const char *path);
/* A read-only view of a cpio "newc" archive at data (which must outlive the mount). -EINVAL for
 * a malformed archive (with nothing mounted). Mounting creates the mount point directory in the
 * parent filesystem if it is missing. */
int sk_vfs_mount_cpio(const char *path, const void *data, size_t len);
/* The device files (null, zero, full, random, urandom) at path, an existing directory. */
int sk_vfs_mount_devfs(const char *path);

/* Path operations. mode: permission bits for new files and directories. */
int sk_vfs_open(const char *path, int flags, unsigned mode, struct sk_file **out);
int sk_vfs_stat(const char *path, struct sk_stat *st);
int sk_vfs_mkdir(const char *path, unsigned mode);
int sk_vfs_rmdir(const char *path);
int sk_vfs_unlink(const char *path);
int sk_vfs_rename(const char *from, const char *to);
int sk_vfs_link(const char *existing, const char *newpath);
int sk_vfs_setattr(const char *path, const struct sk_setattr *a);
int sk_vfs_chdir(const char *path);
/* path made absolute, without ".", ".." or repeated slashes, into buf (SK_PATH_MAX bytes); the
 * file must exist (there are no symbolic links to follow). */
int sk_vfs_realpath(const char *path, char *buf);
/* The absolute path a directory was opened by (openat-style calls), -ENOTDIR for other files. */
int sk_file_dir_path(struct sk_file *f, char *buf, size_t len);
/* The current directory, absolute; -ERANGE when it does not fit in len bytes. */
int sk_vfs_getcwd(char *buf, size_t len);

/* The file-descriptor table: the lowest free fd at or above min. */
int sk_fd_install(struct sk_file *f, int min);	/* takes over the caller's reference */
/* The file behind fd (no new reference), or NULL. */
struct sk_file *sk_fd_get(int fd);
int sk_fd_close(int fd);
/* dup2: newfd now shares oldfd's file; returns newfd. */
int sk_fd_dup2(int oldfd, int newfd);

/* Tear everything down (host unit tests start each case from scratch). */
void sk_vfs_reset(void);

#endif
