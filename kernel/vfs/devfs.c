// SPDX-License-Identifier: MIT
/*
 * devfs: the device files programs expect under /dev, read-only as a directory: null (reads
 * end at once, writes vanish), zero (reads give zeros), full (writes fail with ENOSPC), and
 * random and urandom (include/skiff/random.h; both never block, as Linux's urandom).
 */
#include <errno.h>
#include <string.h>
#include <skiff/random.h>
#include "fs.h"

enum dev { DEV_NULL, DEV_ZERO, DEV_FULL, DEV_RANDOM, DEV_URANDOM, NR_DEVS };

static const char *const names[NR_DEVS] = { "null", "zero", "full", "random", "urandom" };
static struct sk_fs devfs;
static struct sk_vnode root = { &devfs, SK_FT_DIR, 1 };
static struct sk_vnode nodes[NR_DEVS];

static long dev_read(struct sk_file *f, void *buf, size_t len, uint64_t off)
{
	(void)off;
	switch ((enum dev)(uintptr_t)f->priv) {
	case DEV_NULL:
		return 0;
	case DEV_RANDOM:
	case DEV_URANDOM:
		sk_random_fill(buf, len);
		return (long)len;
	default:
		memset(buf, 0, len);
		return (long)len;
	}
}

static long dev_write(struct sk_file *f, const void *buf, size_t len, uint64_t off)
{
	(void)buf, (void)off;
	return (enum dev)(uintptr_t)f->priv == DEV_FULL ? -ENOSPC : (long)len;
}

static int node_stat(struct sk_vnode *n, struct sk_stat *st)
{
	*st = (struct sk_stat){ .type = n->type, .perm = n->type == SK_FT_DIR ? 0755 : 0666, .ino = n->ino,
				.nlink = n->type == SK_FT_DIR ? 2 : 1, .blksize = 4096, .dev = devfs.dev };
	return 0;
}

static int dev_stat(struct sk_file *f, struct sk_stat *st)
{
	return node_stat(&nodes[(uintptr_t)f->priv], st);
}

static const struct sk_file_ops dev_ops = {
	.read = dev_read,
	.write = dev_write,
	.stat = dev_stat,
	.seekable = true, /* lseek succeeds on them, as on Linux */
};

static int lookup(struct sk_vnode *dir, const char *name, struct sk_vnode **out)
{
	if (dir != &root)
		return -ENOTDIR;
	if (!strcmp(name, "..")) {
		*out = &root;
		return 0;
	}
	for (int i = 0; i < NR_DEVS; i++)
		if (!strcmp(name, names[i])) {
			*out = &nodes[i];
			return 0;
		}
	return -ENOENT;
}

static int open_node(struct sk_vnode *n, int flags, struct sk_file **out)
{
	struct sk_file *f = sk_file_new(&dev_ops, (void *)(uintptr_t)(n - nodes), flags);

	if (!f)
		return -ENOMEM;
	*out = f;
	return 0;
}

static int readdir(struct sk_vnode *dir, uint64_t index, struct sk_dirent *d)
{
	(void)dir;
	if (index >= NR_DEVS)
		return 0;
	d->ino = nodes[index].ino;
	d->type = SK_FT_CHR;
	strcpy(d->name, names[index]);
	return 1;
}

static void destroy(struct sk_fs *fs)
{
	(void)fs; /* static: nothing to free */
}

static const struct sk_fs_ops devfs_ops = {
	.lookup = lookup,
	.stat = node_stat,
	.open = open_node,
	.readdir = readdir,
	.destroy = destroy,
};

struct sk_fs *sk_devfs_new(void)
{
	devfs = (struct sk_fs){ .ops = &devfs_ops, .root = &root, .readonly = true };
	for (int i = 0; i < NR_DEVS; i++)
		nodes[i] = (struct sk_vnode){ &devfs, SK_FT_CHR, (uint64_t)i + 2 };
	return &devfs;
}
