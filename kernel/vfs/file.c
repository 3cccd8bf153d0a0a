// SPDX-License-Identifier: MIT
/* Open-file descriptions: their lifetime, access modes and file positions around the ops. */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <skiff/heap.h>
#include <skiff/vfs.h>
#include "fs.h"

/* The largest count one call moves: results must fit in a long and offsets in an int64_t. */
#define IO_MAX ((uint64_t)INT64_MAX)

struct sk_file *sk_file_new(const struct sk_file_ops *ops, void *priv, int flags)
{
	struct sk_file *f = sk_malloc(sizeof(*f));

	if (!f)
		return NULL;
	f->ops = ops;
	f->priv = priv;
	f->flags = flags;
	f->pos = 0;
	f->refs = 1;
	f->node = NULL;
	return f;
}

void sk_file_ref(struct sk_file *f)
{
	f->refs++;
}

void sk_file_close(struct sk_file *f)
{
	if (--f->refs)
		return;
	if (f->node)
		sk_lock_release_file(f);
	if (f->ops->release)
		f->ops->release(f);
	sk_free(f);
}

static bool readable(const struct sk_file *f)
{
	return (f->flags & SK_O_ACCMODE) == SK_O_RDONLY || (f->flags & SK_O_ACCMODE) == SK_O_RDWR;
}

static bool writable(const struct sk_file *f)
{
	return (f->flags & SK_O_ACCMODE) == SK_O_WRONLY || (f->flags & SK_O_ACCMODE) == SK_O_RDWR;
}

/* Only directories list entries, so readdir is what marks one. */
static bool is_dir(const struct sk_file *f)
{
	return f->ops->readdir != NULL;
}

/* Clamp len so that off + len stays a valid offset; -EINVAL when off itself is not. */
static long clamp_len(uint64_t off, size_t *len)
{
	if (off > IO_MAX)
		return -EINVAL;
	if (*len > IO_MAX - off)
		*len = IO_MAX - off;
	return 0;
}

static long do_read(struct sk_file *f, void *buf, size_t len, uint64_t off)
{
	long err;

	if (!readable(f))
		return -EBADF;
	if (is_dir(f))
		return -EISDIR;
	if (!f->ops->read)
		return -EBADF;
	err = clamp_len(off, &len);
	return err ? err : f->ops->read(f, buf, len, off);
}

static long do_write(struct sk_file *f, const void *buf, size_t len, uint64_t off)
{
	long err;

	if (!writable(f))
		return -EBADF;
	if (is_dir(f))
		return -EISDIR;
	if (!f->ops->write)
		return -EBADF;
	err = clamp_len(off, &len);
	return err ? err : f->ops->write(f, buf, len, off);
}

/* Non-seekable files have no position: they are handed offset 0 and keep pos untouched. */
long sk_file_read(struct sk_file *f, void *buf, size_t len)
{
	uint64_t off = f->ops->seekable ? f->pos : 0;
	long n = do_read(f, buf, len, off);

	if (n > 0 && f->ops->seekable)
		f->pos = off + (uint64_t)n;
	return n;
}

static int file_size(struct sk_file *f, uint64_t *size)
{
	struct sk_stat st;
	int err;

	if (!f->ops->stat)
		return -EINVAL;
	err = f->ops->stat(f, &st);
	if (err)
		return err;
	*size = st.size;
	return 0;
}

long sk_file_write(struct sk_file *f, const void *buf, size_t len)
{
	uint64_t off = f->ops->seekable ? f->pos : 0;
	long n;
	int err;

	/* The end is looked up at each write, so other writers' data is never overwritten. */
	if ((f->flags & SK_O_APPEND) && f->ops->seekable && writable(f)) {
		err = file_size(f, &off);
		if (err)
			return err;
	}
	n = do_write(f, buf, len, off);
	if (n >= 0 && f->ops->seekable)
		f->pos = off + (uint64_t)n;
	return n;
}

long sk_file_pread(struct sk_file *f, void *buf, size_t len, uint64_t off)
{
	if (!f->ops->seekable)
		return -ESPIPE;
	return do_read(f, buf, len, off);
}

/* POSIX: pwrite writes at off even with SK_O_APPEND (Linux appends; we do not). */
long sk_file_pwrite(struct sk_file *f, const void *buf, size_t len, uint64_t off)
{
	if (!f->ops->seekable)
		return -ESPIPE;
	return do_write(f, buf, len, off);
}

int64_t sk_file_seek(struct sk_file *f, int64_t off, int whence)
{
	uint64_t base;
	int64_t pos;
	int err;

	if (!f->ops->seekable)
		return -ESPIPE;
	switch (whence) {
	case SK_SEEK_SET:
		base = 0;
		break;
	case SK_SEEK_CUR:
		base = f->pos;
		break;
	case SK_SEEK_END:
		err = file_size(f, &base);
		if (err)
			return err;
		break;
	default:
		return -EINVAL;
	}
	if (base > IO_MAX || __builtin_add_overflow((int64_t)base, off, &pos) || pos < 0)
		return -EINVAL;
	f->pos = (uint64_t)pos;
	return pos;
}

int sk_file_stat(struct sk_file *f, struct sk_stat *st)
{
	if (f->node)
		return sk_vnode_stat(f->node, st);
	if (!f->ops->stat)
		return -EINVAL;
	memset(st, 0, sizeof(*st));
	return f->ops->stat(f, st);
}

int sk_file_setattr(struct sk_file *f, const struct sk_setattr *a)
{
	return f->node ? sk_vnode_setattr(f->node, a) : -EINVAL;
}

/* Like Linux's ftruncate: -EINVAL (not -EBADF) when the file is not open for writing. */
int sk_file_truncate(struct sk_file *f, uint64_t len)
{
	if (is_dir(f))
		return -EISDIR;
	if (!writable(f) || !f->ops->truncate || len > IO_MAX)
		return -EINVAL;
	return f->ops->truncate(f, len);
}

int sk_file_readdir(struct sk_file *f, struct sk_dirent *d)
{
	int r;

	if (!f->ops->readdir)
		return -EINVAL;
	r = f->ops->readdir(f, f->pos, d);
	if (r > 0)
		f->pos++;
	return r;
}

unsigned sk_file_poll(struct sk_file *f)
{
	if (!f->ops->poll)
		return SK_POLL_IN | SK_POLL_OUT;
	return f->ops->poll(f);
}

uint32_t sk_file_events(struct sk_file *f)
{
	return f->ops->events ? f->ops->events(f) : sk_file_poll(f);
}

long sk_file_nread(struct sk_file *f)
{
	struct sk_stat st;
	int r;

	if (f->ops->nread)
		return f->ops->nread(f);
	if (!f->ops->seekable)
		return 0;
	if ((r = sk_file_stat(f, &st)) < 0)
		return r;
	return st.size > f->pos ? (long)(st.size - f->pos) : 0;
}
