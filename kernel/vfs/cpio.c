// SPDX-License-Identifier: MIT
/* cpio: a read-only filesystem over a "newc" archive in memory (the initrd). */
#include <errno.h>
#include <string.h>
#include <skiff/compiler.h>
#include <skiff/heap.h>
#include "fs.h"

#define HDR_SIZE 110
#define NR_FIELDS 13
#define F_MODE 1
#define F_MTIME 5
#define F_FILESIZE 6
#define F_NAMESIZE 11

#define S_IFMT 0170000
#define S_IFDIR 0040000
#define S_IFREG 0100000

/* Names and file data point into the archive, which outlives the mount. */
struct cnode {
	struct sk_vnode v;
	struct cnode *parent;		/* itself for the root */
	struct cnode *children;		/* in archive order */
	struct cnode *next;		/* sibling */
	struct cnode *all;		/* every node, for destroy */
	const char *name;
	size_t namelen;
	const unsigned char *data;
	uint64_t size;
	uint32_t perm;
	uint32_t nlink;
	uint64_t mtime;
};

struct cpiofs {
	struct sk_fs fs;
	struct cnode *all;
	uint64_t next_ino;
};

/* One archive entry, checked against the archive's bounds. */
struct entry {
	uint32_t field[NR_FIELDS];
	const char *name;
	const unsigned char *data;
};

static const struct sk_fs_ops cpio_ops;
static const struct sk_file_ops cpio_file_ops;

static struct cnode *C(struct sk_vnode *v)
{
	return sk_container_of(v, struct cnode, v);
}

/* --- Parsing ----------------------------------------------------------------------------- */

static int hex8(const unsigned char *p, uint32_t *out)
{
	uint32_t v = 0;

	for (int i = 0; i < 8; i++) {
		unsigned c = p[i], d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			d = (c | 0x20) - 'a' + 10;
		else
			return -EINVAL;
		v = v << 4 | d;
	}
	*out = v;
	return 0;
}

static size_t align4(size_t x)
{
	return (x + 3) & ~(size_t)3;
}

/* The name must be NUL-terminated exactly at its last byte. */
static bool good_name(const char *name, size_t size)
{
	for (size_t i = 0; i + 1 < size; i++)
		if (!name[i])
			return false;
	return size && !name[size - 1];
}

/*
 * The entry at *off into e; *off moves to the next one. 1 for the trailer. Every length is
 * compared with what is left rather than added to an offset, so nothing can wrap.
 */
static int read_entry(const unsigned char *p, size_t len, size_t *off, struct entry *e)
{
	size_t o = *off, namesize, data;

	if (o > len || len - o < HDR_SIZE || memcmp(p + o, "070701", 6))
		return -EINVAL;
	for (int i = 0; i < NR_FIELDS; i++)
		if (hex8(p + o + 6 + 8 * i, &e->field[i]))
			return -EINVAL;
	namesize = e->field[F_NAMESIZE];
	e->name = (const char *)p + o + HDR_SIZE;
	if (namesize > len - o - HDR_SIZE || !good_name(e->name, namesize))
		return -EINVAL;
	if (!strcmp(e->name, "TRAILER!!!"))
		return 1;
	data = align4(o + HDR_SIZE + namesize);
	if (data > len || e->field[F_FILESIZE] > len - data)
		return -EINVAL;
	e->data = p + data;
	*off = align4(data + e->field[F_FILESIZE]);
	return 0;
}

/* The next path component after s, "." and empty ones skipped; NULL at the end. */
static const char *next_comp(const char *s, size_t *len)
{
	for (;;) {
		while (*s == '/')
			s++;
		*len = 0;
		while (s[*len] && s[*len] != '/')
			(*len)++;
		if (*len != 1 || *s != '.')
			return *len ? s : NULL;
		s++;
	}
}

static struct cnode *find(struct cnode *dir, const char *name, size_t len)
{
	struct cnode *c;

	for (c = dir->children; c; c = c->next)
		if (c->namelen == len && !memcmp(c->name, name, len))
			return c;
	return NULL;
}

static struct cnode *new_node(struct cpiofs *c, struct cnode *dir, enum sk_ftype type)
{
	struct cnode *n = sk_calloc(1, sizeof(*n)), **link;

	if (!n)
		return NULL;
	n->v.fs = &c->fs;
	n->v.type = type;
	n->v.ino = c->next_ino++;
	n->parent = dir ? dir : n;
	n->nlink = type == SK_FT_DIR ? 2 : 1;
	n->perm = 0755;
	n->all = c->all;
	c->all = n;
	if (dir) {
		for (link = &dir->children; *link; link = &(*link)->next)
			;
		*link = n;
		if (type == SK_FT_DIR)
			dir->nlink++;
	}
	return n;
}

/* The child called name in dir, created (as type) if missing; -EINVAL if it is another type. */
static int child(struct cpiofs *c, struct cnode *dir, const char *name, size_t len,
		 enum sk_ftype type, struct cnode **out)
{
	struct cnode *n = find(dir, name, len);

	if ((len == 2 && !memcmp(name, "..", 2)) || len > SK_NAME_MAX)
		return -EINVAL;
	if (n) {
		*out = n;
		return n->v.type == type ? 0 : -EINVAL;
	}
	n = new_node(c, dir, type);
	if (!n)
		return -ENOSPC;
	n->name = name;
	n->namelen = len;
	*out = n;
	return 0;
}

/* Directories on the way are created when the archive lists none; a later entry wins. */
static int add(struct cpiofs *c, const struct entry *e)
{
	uint32_t mode = e->field[F_MODE];
	enum sk_ftype type;
	struct cnode *dir = C(c->fs.root), *n;
	const char *comp, *next;
	size_t len, nlen;
	int err;

	if ((mode & S_IFMT) == S_IFDIR)
		type = SK_FT_DIR;
	else if ((mode & S_IFMT) == S_IFREG)
		type = SK_FT_REG;
	else
		return 0;	/* symlinks, devices, fifos: not supported, skipped */
	for (comp = next_comp(e->name, &len); comp; comp = next, len = nlen) {
		next = next_comp(comp + len, &nlen);
		err = child(c, dir, comp, len, next ? SK_FT_DIR : type, &n);
		if (err)
			return err;
		dir = n;
	}
	if (dir == C(c->fs.root))
		return 0;	/* "." or "/": the root is ours */
	dir->perm = mode & 07777;
	dir->mtime = (uint64_t)e->field[F_MTIME] * 1000000000ULL;
	if (type == SK_FT_REG) {
		dir->data = e->data;
		dir->size = e->field[F_FILESIZE];
	}
	return 0;
}

static int parse(struct cpiofs *c, const unsigned char *p, size_t len)
{
	size_t off = 0;
	struct entry e;
	int r;

	while (!(r = read_entry(p, len, &off, &e))) {
		r = add(c, &e);
		if (r)
			return r;
	}
	return r < 0 ? r : 0;
}

/* --- The filesystem ---------------------------------------------------------------------- */

static void cpio_destroy(struct sk_fs *fs)
{
	struct cpiofs *c = sk_container_of(fs, struct cpiofs, fs);
	struct cnode *n;

	while ((n = c->all)) {
		c->all = n->all;
		sk_free(n);
	}
	sk_free(c);
}

int sk_cpio_new(const void *data, size_t len, struct sk_fs **out)
{
	struct cpiofs *c = sk_calloc(1, sizeof(*c));
	struct cnode *root;
	int err;

	if (!c)
		return -ENOSPC;
	c->fs.ops = &cpio_ops;
	c->fs.readonly = true;
	c->next_ino = 1;
	root = new_node(c, NULL, SK_FT_DIR);
	if (!root) {
		sk_free(c);
		return -ENOSPC;
	}
	c->fs.root = &root->v;
	err = parse(c, data, len);
	if (err) {
		cpio_destroy(&c->fs);
		return err;
	}
	*out = &c->fs;
	return 0;
}

static int cpio_lookup(struct sk_vnode *dir, const char *name, struct sk_vnode **out)
{
	struct cnode *n = strcmp(name, "..") ? find(C(dir), name, strlen(name)) : C(dir)->parent;

	if (!n)
		return -ENOENT;
	*out = &n->v;
	return 0;
}

static int cpio_stat(struct sk_vnode *node, struct sk_stat *st)
{
	struct cnode *n = C(node);

	memset(st, 0, sizeof(*st));
	st->type = node->type;
	st->perm = n->perm;
	st->ino = node->ino;
	st->size = n->size;
	st->nlink = n->nlink;
	st->blksize = 4096;
	st->mtime_ns = n->mtime;
	st->dev = node->fs->dev;
	return 0;
}

static int cpio_open(struct sk_vnode *node, int flags, struct sk_file **out)
{
	struct sk_file *f = sk_file_new(&cpio_file_ops, C(node), flags);

	if (!f)
		return -ENOMEM;
	*out = f;
	return 0;
}

static int cpio_readdir(struct sk_vnode *dir, uint64_t index, struct sk_dirent *d)
{
	struct cnode *n = C(dir)->children;

	while (n && index--)
		n = n->next;
	if (!n)
		return 0;
	d->ino = n->v.ino;
	d->type = n->v.type;
	memcpy(d->name, n->name, n->namelen);
	d->name[n->namelen] = '\0';
	return 1;
}

static const struct sk_fs_ops cpio_ops = {
	.lookup = cpio_lookup,
	.stat = cpio_stat,
	.open = cpio_open,
	.readdir = cpio_readdir,
	.destroy = cpio_destroy,
};

static long cfile_read(struct sk_file *f, void *buf, size_t len, uint64_t off)
{
	struct cnode *n = f->priv;

	if (off >= n->size)
		return 0;
	len = SK_MIN(len, n->size - off);
	memcpy(buf, n->data + off, len);
	return (long)len;
}

static int cfile_stat(struct sk_file *f, struct sk_stat *st)
{
	return cpio_stat(&((struct cnode *)f->priv)->v, st);
}

static const struct sk_file_ops cpio_file_ops = {
	.read = cfile_read,
	.stat = cfile_stat,
	.seekable = true,
};
