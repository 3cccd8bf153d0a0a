// SPDX-License-Identifier: MIT
/* ramfs: the writable filesystem, files and directories held in kernel-heap memory. */
#include <errno.h>
#include <string.h>
#include <skiff/compiler.h>
#include <skiff/heap.h>
#include <skiff/list.h>
#include <skiff/time.h>
#include "fs.h"

struct rnode;

struct rdirent {
	struct rdirent *next;
	struct rnode *node;
	char name[];
};

/*
 * A node lives while it has a name (nlink) or an open file (refs), so an unlinked file stays
 * readable through the files that had it open.
 */
struct rnode {
	struct sk_vnode v;
	struct sk_list all;		/* in ramfs.nodes, so destroy finds orphans too */
	uint32_t perm;
	uint32_t nlink;			/* directories: 2 + subdirectories while linked */
	uint32_t refs;			/* open files */
	uint64_t mtime, atime, ctime;	/* atime: only what utimes set (reads do not update it) */
	uint32_t uid, gid;
	char *data;			/* regular files */
	size_t size, cap;
	struct rdirent *entries;	/* directories, in creation order */
	struct rnode *parent;		/* itself for the root and removed directories */
};

struct ramfs {
	struct sk_fs fs;
	struct sk_list nodes;
	uint64_t next_ino;
};

static const struct sk_fs_ops ramfs_ops;
static const struct sk_file_ops ramfs_file_ops;

static struct rnode *R(struct sk_vnode *v)
{
	return sk_container_of(v, struct rnode, v);
}

static void touch(struct rnode *n)
{
	n->mtime = n->ctime = sk_wall_ns();
}

static struct rnode *new_node(struct ramfs *rfs, enum sk_ftype type, unsigned perm)
{
	struct rnode *n = sk_calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->v.fs = &rfs->fs;
	n->v.type = type;
	n->v.ino = rfs->next_ino++;
	n->perm = perm & 07777;
	n->nlink = type == SK_FT_DIR ? 2 : 1;
	n->parent = n;
	touch(n);
	n->atime = n->mtime;
	sk_list_add_tail(&rfs->nodes, &n->all);
	return n;
}

static void free_node(struct rnode *n)
{
	struct rdirent *e;

	while ((e = n->entries)) {
		n->entries = e->next;
		sk_free(e);
	}
	sk_list_del(&n->all);
	sk_free(n->data);
	sk_free(n);
}

static void maybe_free(struct rnode *n)
{
	if (!n->nlink && !n->refs)
		free_node(n);
}

/* The link that points at name's entry, or the list's terminating NULL link (to append). */
static struct rdirent **slot(struct rnode *dir, const char *name)
{
	struct rdirent **p = &dir->entries;

	while (*p && strcmp((*p)->name, name))
		p = &(*p)->next;
	return p;
}

static int add_entry(struct rdirent **link, const char *name, struct rnode *node)
{
	size_t len = strlen(name) + 1;
	struct rdirent *e = sk_malloc(sizeof(*e) + len);

	if (!e)
		return -ENOSPC;
	e->next = NULL;
	e->node = node;
	memcpy(e->name, name, len);
	*link = e;
	return 0;
}

static void del_entry(struct rdirent **link)
{
	struct rdirent *e = *link;

	*link = e->next;
	sk_free(e);
}

static int ramfs_lookup(struct sk_vnode *dir, const char *name, struct sk_vnode **out)
{
	struct rdirent *e;

	if (!strcmp(name, "..")) {
		*out = &R(dir)->parent->v;
		return 0;
	}
	e = *slot(R(dir), name);
	if (!e)
		return -ENOENT;
	*out = &e->node->v;
	return 0;
}

static int ramfs_create(struct sk_vnode *dir, const char *name, enum sk_ftype type, unsigned perm,
			struct sk_vnode **out)
{
	struct rnode *d = R(dir), *n;
	struct rdirent **link = slot(d, name);

	if (*link)
		return -EEXIST;
	n = new_node(sk_container_of(dir->fs, struct ramfs, fs), type, perm);
	if (!n)
		return -ENOSPC;
	if (add_entry(link, name, n)) {
		free_node(n);
		return -ENOSPC;
	}
	if (type == SK_FT_DIR) {
		n->parent = d;
		d->nlink++;
	}
	touch(d);
	*out = &n->v;
	return 0;
}

static int ramfs_unlink(struct sk_vnode *dir, const char *name)
{
	struct rdirent **link = slot(R(dir), name);
	struct rnode *n;

	if (!*link)
		return -ENOENT;
	n = (*link)->node;
	if (n->v.type == SK_FT_DIR)
		return -EISDIR;
	del_entry(link);
	n->nlink--;
	touch(R(dir));
	maybe_free(n);
	return 0;
}

/* A directory losing its name: it no longer counts in its parent nor points at it. */
static void orphan_dir(struct rnode *parent, struct rnode *n)
{
	parent->nlink--;
	n->nlink = 0;
	n->parent = n;
}

static int ramfs_rmdir(struct sk_vnode *dir, const char *name)
{
	struct rdirent **link = slot(R(dir), name);
	struct rnode *n;

	if (!*link)
		return -ENOENT;
	n = (*link)->node;
	if (n->v.type != SK_FT_DIR)
		return -ENOTDIR;
	if (n->entries)
		return -ENOTEMPTY;
	del_entry(link);
	orphan_dir(R(dir), n);
	touch(R(dir));
	maybe_free(n);
	return 0;
}

static int ramfs_link(struct sk_vnode *node, struct sk_vnode *dir, const char *name)
{
	struct rdirent **link = slot(R(dir), name);
	int err;

	if (node->type == SK_FT_DIR)
		return -EPERM;
	if (*link)
		return -EEXIST;
	err = add_entry(link, name, R(node));
	if (err)
		return err;
	R(node)->nlink++;
	touch(R(dir));
	return 0;
}

/* Whether d is src or lies below it (a directory may not move into itself). */
static bool in_subtree(struct rnode *d, struct rnode *src)
{
	for (;; d = d->parent) {
		if (d == src)
			return true;
		if (d->parent == d)
			return false;
	}
}

static int can_replace(struct rnode *src, struct rnode *dst)
{
	if (src->v.type == SK_FT_DIR && dst->v.type != SK_FT_DIR)
		return -ENOTDIR;
	if (src->v.type != SK_FT_DIR && dst->v.type == SK_FT_DIR)
		return -EISDIR;
	if (dst->entries)
		return -ENOTEMPTY;
	return 0;
}

/* The one step that can fail (a new entry) comes first, so a failed rename changes nothing. */
static int ramfs_rename(struct sk_vnode *fdir, const char *fname, struct sk_vnode *tdir,
			const char *tname)
{
	struct rnode *fd = R(fdir), *td = R(tdir), *src, *dst = NULL;
	struct rdirent **from = slot(fd, fname), **to;
	int err;

	if (!*from)
		return -ENOENT;
	src = (*from)->node;
	if (src->v.type == SK_FT_DIR && in_subtree(td, src))
		return -EINVAL;
	to = slot(td, tname);
	if (*to) {
		dst = (*to)->node;
		if (dst == src)
			return 0;	/* two names of one file: POSIX says do nothing */
		err = can_replace(src, dst);
		if (err)
			return err;
		(*to)->node = src;
	} else if (add_entry(to, tname, src)) {
		return -ENOSPC;
	}
	/* Appending never moves the link before the source entry, so from is still valid. */
	del_entry(from);
	if (src->v.type == SK_FT_DIR && fd != td) {
		fd->nlink--;
		td->nlink++;
		src->parent = td;
	}
	touch(fd);
	touch(td);
	if (!dst)
		return 0;
	if (dst->v.type == SK_FT_DIR)
		orphan_dir(td, dst);
	else
		dst->nlink--;
	maybe_free(dst);
	return 0;
}

static int ramfs_stat(struct sk_vnode *node, struct sk_stat *st)
{
	struct rnode *n = R(node);

	memset(st, 0, sizeof(*st));
	st->type = node->type;
	st->perm = n->perm;
	st->ino = node->ino;
	st->size = node->type == SK_FT_REG ? n->size : 0;
	st->nlink = n->nlink;
	st->blksize = 4096;
	st->mtime_ns = n->mtime;
	st->atime_ns = n->atime;
	st->ctime_ns = n->ctime;
	st->uid = n->uid;
	st->gid = n->gid;
	st->dev = node->fs->dev;
	return 0;
}

static int ramfs_setattr(struct sk_vnode *node, const struct sk_setattr *a)
{
	struct rnode *n = R(node);

	if (a->mask & SK_ATTR_PERM)
		n->perm = a->perm & 07777;
	if (a->mask & SK_ATTR_UID)
		n->uid = a->uid;
	if (a->mask & SK_ATTR_GID)
		n->gid = a->gid;
	if (a->mask & SK_ATTR_ATIME)
		n->atime = a->atime_ns;
	if (a->mask & SK_ATTR_MTIME)
		n->mtime = a->mtime_ns;
	n->ctime = sk_wall_ns();
	return 0;
}

static void ramfs_hold(struct sk_vnode *node)
{
	R(node)->refs++;
}

static void ramfs_drop(struct sk_vnode *node)
{
	R(node)->refs--;
	maybe_free(R(node));
}

static int ramfs_open(struct sk_vnode *node, int flags, struct sk_file **out)
{
	struct sk_file *f = sk_file_new(&ramfs_file_ops, R(node), flags);

	if (!f)
		return -ENOMEM;
	ramfs_hold(node);
	*out = f;
	return 0;
}

static int ramfs_readdir(struct sk_vnode *dir, uint64_t index, struct sk_dirent *d)
{
	struct rdirent *e = R(dir)->entries;

	while (e && index--)
		e = e->next;
	if (!e)
		return 0;
	d->ino = e->node->v.ino;
	d->type = e->node->v.type;
	memcpy(d->name, e->name, strlen(e->name) + 1);
	return 1;
}

static void ramfs_destroy(struct sk_fs *fs)
{
	struct ramfs *rfs = sk_container_of(fs, struct ramfs, fs);

	while (!sk_list_empty(&rfs->nodes))
		free_node(sk_container_of(rfs->nodes.next, struct rnode, all));
	sk_free(rfs);
}

static const struct sk_fs_ops ramfs_ops = {
	.lookup = ramfs_lookup,
	.create = ramfs_create,
	.unlink = ramfs_unlink,
	.rmdir = ramfs_rmdir,
	.rename = ramfs_rename,
	.link = ramfs_link,
	.stat = ramfs_stat,
	.setattr = ramfs_setattr,
	.open = ramfs_open,
	.readdir = ramfs_readdir,
	.hold = ramfs_hold,
	.drop = ramfs_drop,
	.destroy = ramfs_destroy,
};

struct sk_fs *sk_ramfs_new(void)
{
	struct ramfs *rfs = sk_calloc(1, sizeof(*rfs));
	struct rnode *root;

	if (!rfs)
		return NULL;
	rfs->fs.ops = &ramfs_ops;
	rfs->next_ino = 1;
	sk_list_init(&rfs->nodes);
	root = new_node(rfs, SK_FT_DIR, 0755);
	if (!root) {
		sk_free(rfs);
		return NULL;
	}
	rfs->fs.root = &root->v;
	return &rfs->fs;
}

/* --- Open regular files: the data in a buffer that grows by doubling ------------------------ */

static long rfile_read(struct sk_file *f, void *buf, size_t len, uint64_t off)
{
	struct rnode *n = f->priv;

	if (off >= n->size)
		return 0;
	len = SK_MIN(len, n->size - off);
	memcpy(buf, n->data + off, len);
	return (long)len;
}

/* Room for size bytes, the bytes between the old and the new size zeroed. */
static int resize(struct rnode *n, size_t size)
{
	size_t cap = SK_MAX(size, n->cap * 2);
	char *p;

	if (size > n->cap) {
		p = sk_realloc(n->data, cap);
		if (!p && cap > size)
			p = sk_realloc(n->data, cap = size);
		if (!p)
			return -ENOSPC;
		n->data = p;
		n->cap = cap;
	}
	if (size > n->size)
		memset(n->data + n->size, 0, size - n->size);
	n->size = size;
	touch(n);
	return 0;
}

static long rfile_write(struct sk_file *f, const void *buf, size_t len, uint64_t off)
{
	struct rnode *n = f->priv;
	int err;

	if (!len)
		return 0;
	if (off + len > n->size) {
		err = resize(n, off + len);
		if (err)
			return err;
	}
	memcpy(n->data + off, buf, len);
	touch(n);
	return (long)len;
}

static int rfile_truncate(struct sk_file *f, uint64_t len)
{
	struct rnode *n = f->priv;

	if (!len) {	/* give the memory back: truncating to 0 is how files get rewritten */
		sk_free(n->data);
		n->data = NULL;
		n->cap = 0;
	}
	return resize(n, len);
}

static int rfile_stat(struct sk_file *f, struct sk_stat *st)
{
	return ramfs_stat(&((struct rnode *)f->priv)->v, st);
}

static void rfile_release(struct sk_file *f)
{
	ramfs_drop(&((struct rnode *)f->priv)->v);
}

static const struct sk_file_ops ramfs_file_ops = {
	.read = rfile_read,
	.write = rfile_write,
	.stat = rfile_stat,
	.truncate = rfile_truncate,
	.release = rfile_release,
	.seekable = true,
};
