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
};

struct sk_stat {
	enum sk_ftype type;
	uint32_t perm;		/* permission bits, e.g. 0644 */
	uint64_t ino;
	uint64_t size;		/* bytes (0 for directories and devices) */
	uint32_t nlink;
	uint32_t blksize;	/* preferred I/O size */
	uint64_t mtime_ns;	/* wall clock of the last change, 0 if unknown */
	uint32_t dev;		/* which mount */
};

struct sk_dirent {
	uint64_t ino;
	enum sk_ftype type;
	char name[SK_NAME_MAX + 1];
};

struct sk_file;

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
int sk_vfs_chdir(const char *path);
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
