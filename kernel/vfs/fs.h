/* SPDX-License-Identifier: MIT */
/* The VFS's internal filesystem interface: what ramfs and cpio implement, and vfs.c calls. */
#ifndef SKIFF_KERNEL_VFS_FS_H
#define SKIFF_KERNEL_VFS_FS_H

#include <stdbool.h>
#include <stdint.h>
#include <skiff/vfs.h>

struct sk_fs;

/* The head of every filesystem's node; the VFS only ever sees this part. */
struct sk_vnode {
	struct sk_fs *fs;
	enum sk_ftype type;
	uint64_t ino;
};

/*
 * Names are NUL-terminated single components, never "." or "..", at most SK_NAME_MAX bytes.
 * The VFS has already checked types, read-only mounts and mount points; the filesystem still
 * checks what only it can see (existence, emptiness, its own tree). Mutating entries may be NULL
 * on a read-only filesystem.
 */
struct sk_fs_ops {
	/* The child called name, or the parent for ".." (the root's parent is itself). -ENOENT. */
	int (*lookup)(struct sk_vnode *dir, const char *name, struct sk_vnode **out);
	/* A new file or directory; -EEXIST if name is taken. */
	int (*create)(struct sk_vnode *dir, const char *name, enum sk_ftype type, unsigned perm,
		      struct sk_vnode **out);
	int (*unlink)(struct sk_vnode *dir, const char *name);	/* not a directory */
	int (*rmdir)(struct sk_vnode *dir, const char *name);	/* an empty directory */
	int (*rename)(struct sk_vnode *fdir, const char *fname, struct sk_vnode *tdir,
		      const char *tname);
	int (*link)(struct sk_vnode *node, struct sk_vnode *dir, const char *name);
	int (*stat)(struct sk_vnode *node, struct sk_stat *st);
	/* Change what a->mask names (NULL: the filesystem keeps no attributes, -EPERM). */
	int (*setattr)(struct sk_vnode *node, const struct sk_setattr *a);
	/* An open file for a regular file (directories are opened by the VFS). */
	int (*open)(struct sk_vnode *node, int flags, struct sk_file **out);
	/* The index-th entry of dir, "." and ".." not counted: 1, 0 past the end. */
	int (*readdir)(struct sk_vnode *dir, uint64_t index, struct sk_dirent *d);
	/* An open directory keeps its node alive (NULL when nodes never go away). */
	void (*hold)(struct sk_vnode *node);
	void (*drop)(struct sk_vnode *node);
	/* Free everything; no file of this filesystem may still be open. */
	void (*destroy)(struct sk_fs *fs);
};

struct sk_fs {
	const struct sk_fs_ops *ops;
	struct sk_vnode *root;
	uint32_t dev;		/* set by the VFS when mounted: st_dev of every node */
	bool readonly;
};

/* A fresh, empty ramfs, or NULL when out of memory. */
struct sk_fs *sk_ramfs_new(void);
/* /dev: null, zero, full, random, urandom (one instance; a second mount is the same). */
struct sk_fs *sk_devfs_new(void);
/* A read-only filesystem over a cpio "newc" archive: 0, -EINVAL if malformed, -ENOSPC. */
int sk_cpio_new(const void *data, size_t len, struct sk_fs **out);
/* Close every descriptor (sk_vfs_reset). */
void sk_fd_reset(void);
/* Drop every record lock (sk_vfs_reset: no file is open any more). */
void sk_lock_reset(void);
/* The last reference to f is going: its OFD locks go with it (file.c calls this). */
void sk_lock_release_file(struct sk_file *f);
/* Stat a node: fields its filesystem does not know are 0, readonly is the mount's. */
int sk_vnode_stat(struct sk_vnode *n, struct sk_stat *st);
/* Setattr on a node, with the VFS's checks (read-only mounts). */
int sk_vnode_setattr(struct sk_vnode *n, const struct sk_setattr *a);

#endif
