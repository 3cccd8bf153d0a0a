// SPDX-License-Identifier: MIT
/* The VFS: the mount table, path resolution, the current directory, and the path operations. */
#include <errno.h>
#include <string.h>
#include <skiff/heap.h>
#include <skiff/vfs.h>
#include "fs.h"

#define MAX_MOUNTS 16

/* A filesystem hiding the directory covered in its parent mount; mounts[0] is "/". */
struct mount {
	struct sk_fs *fs;
	struct mount *parent;
	struct sk_vnode *covered;
};

static struct mount mounts[MAX_MOUNTS];
static unsigned nr_mounts;
/* Normalised and absolute; resolved afresh by every relative path. */
static char cwd[SK_PATH_MAX] = "/";

/* A node and the mount it was reached through (which ".." at a mount root needs). */
struct loc {
	struct mount *mnt;
	struct sk_vnode *node;
};

/* A path split into the directory that holds its last component, and that component. */
struct target {
	struct loc dir;
	char name[SK_NAME_MAX + 1];	/* "" for "/" itself; may be "." or ".." */
	bool slash;			/* written with a trailing slash: must be a directory */
};

static const struct sk_fs_ops *ops(const struct loc *l)
{
	return l->node->fs->ops;
}

static bool is_dir(const struct sk_vnode *n)
{
	return n->type == SK_FT_DIR;
}

/* Names that do not add an entry to their directory, so cannot be created or removed. */
static bool special(const char *name)
{
	return !name[0] || !strcmp(name, ".") || !strcmp(name, "..");
}

static struct mount *mounted_on(const struct mount *m, const struct sk_vnode *node)
{
	for (unsigned i = 1; i < nr_mounts; i++)
		if (mounts[i].parent == m && mounts[i].covered == node)
			return &mounts[i];
	return NULL;
}

/* One component: down into a child (and into what is mounted there), or up through "..". */
static int step(struct loc *l, const char *name)
{
	struct sk_vnode *n;
	struct mount *m;
	int err;

	if (!is_dir(l->node))
		return -ENOTDIR;
	if (!name[0] || !strcmp(name, "."))
		return 0;
	if (!strcmp(name, "..")) {
		/* A mount root's parent is the covered directory's parent; "/" stays "/". */
		while (l->node == l->mnt->fs->root && l->mnt->parent) {
			l->node = l->mnt->covered;
			l->mnt = l->mnt->parent;
		}
	}
	err = ops(l)->lookup(l->node, name, &n);
	if (err)
		return err;
	l->node = n;
	m = mounted_on(l->mnt, n);
	if (m) {
		l->mnt = m;
		l->node = m->fs->root;
	}
	return 0;
}

/* Follow name in the normalised absolute path abs (chdir keeps it as the new cwd). */
static int track(char *abs, const char *name)
{
	size_t len = strlen(abs), add = strlen(name);

	if (!name[0] || !strcmp(name, "."))
		return 0;
	if (!strcmp(name, "..")) {
		while (len > 1 && abs[len - 1] != '/')
			len--;
		abs[len > 1 ? len - 1 : 1] = '\0';
		return 0;
	}
	if (len + (len > 1) + add >= SK_PATH_MAX)
		return -ENAMETOOLONG;
	if (len > 1)
		abs[len++] = '/';
	memcpy(abs + len, name, add + 1);
	return 0;
}

/* The component at *p into name; *p moves past it and the slashes after it. */
static int next_comp(const char **p, char *name)
{
	const char *s = *p;
	size_t len = 0;

	while (s[len] && s[len] != '/')
		len++;
	if (len > SK_NAME_MAX)
		return -ENAMETOOLONG;
	memcpy(name, s, len);
	name[len] = '\0';
	for (s += len; *s == '/'; s++)
		;
	*p = s;
	return 0;
}

/* Walk p from l; with last, stop before the final component and leave it there. */
static int walk(struct loc *l, const char *p, char *last, char *abs)
{
	char name[SK_NAME_MAX + 1];
	int err;

	while (*p == '/')
		p++;
	while (*p) {
		err = next_comp(&p, name);
		if (err)
			return err;
		if (last && !*p) {
			memcpy(last, name, strlen(name) + 1);
			break;
		}
		err = step(l, name);
		if (!err && abs)
			err = track(abs, name);
		if (err)
			return err;
	}
	return is_dir(l->node) ? 0 : -ENOTDIR;
}

static int resolve_parent(const char *path, struct target *t, char *abs)
{
	size_t len;

	if (!path)
		return -EFAULT;
	len = strlen(path);
	if (!len)
		return -ENOENT;
	if (len >= SK_PATH_MAX)
		return -ENAMETOOLONG;
	if (!nr_mounts)
		return -ENOENT;
	t->dir.mnt = &mounts[0];
	t->dir.node = mounts[0].fs->root;
	t->name[0] = '\0';
	t->slash = path[len - 1] == '/';
	if (abs)
		memcpy(abs, "/", 2);
	if (path[0] != '/') {
		int err = walk(&t->dir, cwd, NULL, abs);

		if (err)
			return err;
	}
	return walk(&t->dir, path, t->name, abs);
}

/* The node path names, through mount points. */
static int resolve(const char *path, struct loc *l, char *abs)
{
	struct target t;
	int err = resolve_parent(path, &t, abs);

	if (err)
		return err;
	*l = t.dir;
	err = step(l, t.name);
	if (!err && abs)
		err = track(abs, t.name);
	if (err)
		return err;
	return t.slash && !is_dir(l->node) ? -ENOTDIR : 0;
}

/* The entry itself, not what is mounted on it: what removing and renaming act on. */
static int lookup_entry(struct target *t, struct sk_vnode **out)
{
	return ops(&t->dir)->lookup(t->dir.node, t->name, out);
}

static bool readonly(const struct target *t)
{
	return t->dir.node->fs->readonly;
}

/* --- Mounting ---------------------------------------------------------------------------- */

static bool is_root_path(const char *path)
{
	if (path[0] != '/')
		return false;
	while (*path == '/')
		path++;
	return !*path;
}

static int mount_at(const char *path, struct sk_fs *fs)
{
	struct loc l;
	int err;

	if (nr_mounts == MAX_MOUNTS)
		return -ENOSPC;
	if (!nr_mounts) {
		if (!path || !is_root_path(path))
			return -EINVAL;
		mounts[0] = (struct mount){ .fs = fs };
		nr_mounts = 1;
		return 0;
	}
	err = resolve(path, &l, NULL);
	if (err == -ENOENT) {
		err = sk_vfs_mkdir(path, 0755);
		if (!err)
			err = resolve(path, &l, NULL);
	}
	if (err)
		return err;
	if (!is_dir(l.node))
		return -ENOTDIR;
	if (l.node == l.mnt->fs->root)
		return -EBUSY;	/* "/" or a mount point already */
	fs->dev = nr_mounts;
	mounts[nr_mounts++] = (struct mount){ .fs = fs, .parent = l.mnt, .covered = l.node };
	return 0;
}

int sk_vfs_mount_ramfs(const char *path)
{
	struct sk_fs *fs = sk_ramfs_new();
	int err;

	if (!fs)
		return -ENOSPC;
	err = mount_at(path, fs);
	if (err)
		fs->ops->destroy(fs);
	return err;
}

int sk_vfs_mount_devfs(const char *path)
{
	return mount_at(path, sk_devfs_new());
}

int sk_vfs_mount_cpio(const char *path, const void *data, size_t len)
{
	struct sk_fs *fs;
	int err = sk_cpio_new(data, len, &fs);

	if (err)
		return err;
	err = mount_at(path, fs);
	if (err)
		fs->ops->destroy(fs);
	return err;
}

void sk_vfs_reset(void)
{
	sk_fd_reset();
	sk_lock_reset();
	while (nr_mounts) {
		struct sk_fs *fs = mounts[--nr_mounts].fs;

		fs->ops->destroy(fs);
	}
	memcpy(cwd, "/", 2);
}

/* --- Open directories: "." and ".." first, then what the filesystem lists ----------------- */

/* An open directory remembers the absolute path it was opened by (the *at calls' dirfd). */
struct dirfile {
	struct sk_vnode *node;
	char path[];
};

static struct sk_vnode *dir_node(struct sk_file *f)
{
	return ((struct dirfile *)f->priv)->node;
}

static int dir_readdir(struct sk_file *f, uint64_t index, struct sk_dirent *d)
{
	struct sk_vnode *n = dir_node(f), *parent;
	int err;

	if (index >= 2)
		return n->fs->ops->readdir(n, index - 2, d);
	d->type = SK_FT_DIR;
	if (index == 0) {
		d->ino = n->ino;
		memcpy(d->name, ".", 2);
		return 1;
	}
	err = n->fs->ops->lookup(n, "..", &parent);
	if (err)
		return err;
	d->ino = parent->ino;
	memcpy(d->name, "..", 3);
	return 1;
}

static int dir_stat(struct sk_file *f, struct sk_stat *st)
{
	struct sk_vnode *n = dir_node(f);

	return n->fs->ops->stat(n, st);
}

static void dir_release(struct sk_file *f)
{
	struct sk_vnode *n = dir_node(f);

	if (n->fs->ops->drop)
		n->fs->ops->drop(n);
	sk_free(f->priv);
}

static const struct sk_file_ops dir_file_ops = {
	.readdir = dir_readdir,
	.stat = dir_stat,
	.release = dir_release,
	.seekable = true,	/* the position is the entry index: seek to 0 rewinds */
};

int sk_file_dir_path(struct sk_file *f, char *buf, size_t len)
{
	const char *path;

	if (f->ops != &dir_file_ops)
		return -ENOTDIR;
	path = ((struct dirfile *)f->priv)->path;
	if (strlen(path) >= len)
		return -ENAMETOOLONG;
	memcpy(buf, path, strlen(path) + 1);
	return 0;
}

/* --- Path operations --------------------------------------------------------------------- */

/* The flags an open file keeps: the ones that only matter while opening are dropped. */
#define OPEN_ONLY (SK_O_CREAT | SK_O_EXCL | SK_O_TRUNC)

static int open_dir(struct sk_vnode *n, const char *abs, int flags, struct sk_file **out)
{
	struct dirfile *d;
	struct sk_file *f;

	if ((flags & SK_O_ACCMODE) != SK_O_RDONLY || (flags & (SK_O_CREAT | SK_O_TRUNC)))
		return -EISDIR;
	d = sk_malloc(sizeof(*d) + strlen(abs) + 1);
	f = d ? sk_file_new(&dir_file_ops, d, flags & ~OPEN_ONLY) : NULL;
	if (!f) {
		sk_free(d);
		return -ENOMEM;
	}
	d->node = n;
	memcpy(d->path, abs, strlen(abs) + 1);
	if (n->fs->ops->hold)
		n->fs->ops->hold(n);
	*out = f;
	return 0;
}

static int open_file(struct sk_vnode *n, const struct target *t, int flags, bool created,
		     struct sk_file **out)
{
	bool writes = (flags & SK_O_ACCMODE) != SK_O_RDONLY || (flags & SK_O_TRUNC);
	struct sk_file *f;
	int err;

	if ((flags & SK_O_DIRECTORY) || t->slash)
		return -ENOTDIR;
	/* A device is written, not its filesystem: /dev/null takes writes on a read-only devfs. */
	if (writes && n->fs->readonly && n->type != SK_FT_CHR)
		return -EROFS;
	err = n->fs->ops->open(n, flags & ~OPEN_ONLY, &f);
	if (err)
		return err;
	/* Straight to the ops: O_TRUNC applies whatever the access mode, as on Linux (and, as
	 * there, not to devices). */
	if ((flags & SK_O_TRUNC) && !created && n->type == SK_FT_REG) {
		err = f->ops->truncate(f, 0);
		if (err) {
			sk_file_close(f);
			return err;
		}
	}
	*out = f;
	return 0;
}

static int create_file(struct target *t, int flags, unsigned mode, struct loc *l)
{
	if (t->slash)
		return -EISDIR;
	if (flags & SK_O_DIRECTORY)
		return -EINVAL;
	if (readonly(t))
		return -EROFS;
	*l = t->dir;
	return ops(l)->create(t->dir.node, t->name, SK_FT_REG, mode, &l->node);
}

int sk_vfs_open(const char *path, int flags, unsigned mode, struct sk_file **out)
{
	char abs[SK_PATH_MAX];
	struct target t;
	struct loc l;
	bool created = false;
	int err;

	if ((flags & SK_O_ACCMODE) == SK_O_ACCMODE)
		return -EINVAL;
	err = resolve_parent(path, &t, abs);
	if (err)
		return err;
	l = t.dir;
	err = step(&l, t.name);
	if (!err)
		err = track(abs, t.name);
	if (err == -ENOENT && (flags & SK_O_CREAT)) {
		err = create_file(&t, flags, mode, &l);
		created = !err;
	} else if (!err && (flags & SK_O_CREAT) && (flags & SK_O_EXCL)) {
		return -EEXIST;
	}
	if (err)
		return err;
	err = is_dir(l.node) ? open_dir(l.node, abs, flags, out) : open_file(l.node, &t, flags, created, out);
	if (!err)
		(*out)->node = l.node;
	return err;
}

/* Fields a filesystem does not fill stay 0; readonly comes from the mount. */
int sk_vnode_stat(struct sk_vnode *n, struct sk_stat *st)
{
	int err;

	memset(st, 0, sizeof(*st));
	err = n->fs->ops->stat(n, st);
	st->readonly = n->fs->readonly;
	return err;
}

int sk_vfs_stat(const char *path, struct sk_stat *st)
{
	struct loc l;
	int err = resolve(path, &l, NULL);

	return err ? err : sk_vnode_stat(l.node, st);
}

int sk_vnode_setattr(struct sk_vnode *n, const struct sk_setattr *a)
{
	if (n->fs->readonly)
		return -EROFS;
	if (!n->fs->ops->setattr)
		return -EPERM;
	return n->fs->ops->setattr(n, a);
}

int sk_vfs_setattr(const char *path, const struct sk_setattr *a)
{
	struct loc l;
	int err = resolve(path, &l, NULL);

	return err ? err : sk_vnode_setattr(l.node, a);
}

/* EEXIST wins over EROFS, as on Linux: the name is looked at before the mount's mode. */
int sk_vfs_mkdir(const char *path, unsigned mode)
{
	struct target t;
	struct sk_vnode *n;
	int err = resolve_parent(path, &t, NULL);

	if (err)
		return err;
	if (special(t.name) || !lookup_entry(&t, &n))
		return -EEXIST;
	if (readonly(&t))
		return -EROFS;
	return ops(&t.dir)->create(t.dir.node, t.name, SK_FT_DIR, mode, &n);
}

int sk_vfs_rmdir(const char *path)
{
	struct target t;
	struct sk_vnode *n;
	int err = resolve_parent(path, &t, NULL);

	if (err)
		return err;
	if (!t.name[0])
		return -EBUSY;
	if (!strcmp(t.name, "."))
		return -EINVAL;
	if (!strcmp(t.name, ".."))
		return -ENOTEMPTY;
	if (readonly(&t))
		return -EROFS;
	err = lookup_entry(&t, &n);
	if (err)
		return err;
	if (mounted_on(t.dir.mnt, n))
		return -EBUSY;
	if (!is_dir(n))
		return -ENOTDIR;
	return ops(&t.dir)->rmdir(t.dir.node, t.name);
}

int sk_vfs_unlink(const char *path)
{
	struct target t;
	struct sk_vnode *n;
	int err = resolve_parent(path, &t, NULL);

	if (err)
		return err;
	if (special(t.name))
		return -EISDIR;
	if (readonly(&t))
		return -EROFS;
	err = lookup_entry(&t, &n);
	if (err)
		return err;
	if (is_dir(n))
		return -EISDIR;
	if (t.slash)
		return -ENOTDIR;
	return ops(&t.dir)->unlink(t.dir.node, t.name);
}

/* EXDEV is decided by the directories alone, before the entries are looked at (as Linux). */
int sk_vfs_rename(const char *from, const char *to)
{
	struct target f, t;
	struct sk_vnode *src, *dst;
	int err = resolve_parent(from, &f, NULL);

	if (!err)
		err = resolve_parent(to, &t, NULL);
	if (err)
		return err;
	if (!f.name[0] || !t.name[0])
		return -EBUSY;
	if (special(f.name) || special(t.name))
		return -EINVAL;
	if (f.dir.mnt != t.dir.mnt)
		return -EXDEV;
	if (readonly(&f))
		return -EROFS;
	err = lookup_entry(&f, &src);
	if (err)
		return err;
	if (mounted_on(f.dir.mnt, src) || (!lookup_entry(&t, &dst) && mounted_on(t.dir.mnt, dst)))
		return -EBUSY;
	if ((f.slash || t.slash) && !is_dir(src))
		return -ENOTDIR;
	return ops(&f.dir)->rename(f.dir.node, f.name, t.dir.node, t.name);
}

int sk_vfs_link(const char *existing, const char *newpath)
{
	struct target t;
	struct loc src;
	struct sk_vnode *n;
	int err = resolve(existing, &src, NULL);

	if (!err)
		err = resolve_parent(newpath, &t, NULL);
	if (err)
		return err;
	if (is_dir(src.node))
		return -EPERM;
	if (special(t.name))
		return -EEXIST;
	if (src.mnt != t.dir.mnt)
		return -EXDEV;
	if (!lookup_entry(&t, &n))
		return -EEXIST;
	if (t.slash)
		return -ENOTDIR;
	if (readonly(&t))
		return -EROFS;
	return ops(&t.dir)->link(src.node, t.dir.node, t.name);
}

int sk_vfs_chdir(const char *path)
{
	char abs[SK_PATH_MAX];
	struct loc l;
	int err = resolve(path, &l, abs);

	if (err)
		return err;
	if (!is_dir(l.node))
		return -ENOTDIR;
	memcpy(cwd, abs, strlen(abs) + 1);
	return 0;
}

int sk_vfs_realpath(const char *path, char *buf)
{
	struct loc l;

	return resolve(path, &l, buf);
}

int sk_vfs_getcwd(char *buf, size_t len)
{
	size_t n = strlen(cwd) + 1;

	if (n > len)
		return -ERANGE;
	memcpy(buf, cwd, n);
	return 0;
}
