// SPDX-License-Identifier: MIT
/*
 * Pipes between threads of the image: a ring of SK_PIPE_SIZE bytes shared by a read end and a
 * write end. As on Linux: a read waits for data and returns 0 once no writer is left; a write of
 * at most PIPE_BUF (4096) bytes is never interleaved with another; writing with no reader left is
 * -EPIPE; O_NONBLOCK ends turn each wait into -EAGAIN.
 */
#include <errno.h>
#include <string.h>
#include <skiff/compiler.h>
#include <skiff/heap.h>
#include <skiff/thread.h>
#include <skiff/vfs.h>

#define PIPE_ATOMIC 4096

struct pipe {
	char *buf;
	size_t head, len;	/* the data is [head, head + len) modulo SK_PIPE_SIZE */
	unsigned readers, writers;
	uint32_t events;	/* changes with every state change (epoll's EPOLLET) */
	struct sk_waitq wq;	/* readers and writers waiting for each other */
};

/* Everybody who may wait on p's state (its own waiters, poll/select/epoll) looks again. */
static void changed(struct pipe *p)
{
	p->events++;
	sk_waitq_wake_all(&p->wq);
	sk_file_poll_wake();
}

static size_t take(struct pipe *p, char *dst, size_t len)
{
	size_t n = SK_MIN(len, p->len), first = SK_MIN(n, SK_PIPE_SIZE - p->head);

	memcpy(dst, p->buf + p->head, first);
	memcpy(dst + first, p->buf, n - first);
	p->head = (p->head + n) % SK_PIPE_SIZE;
	p->len -= n;
	return n;
}

static size_t put(struct pipe *p, const char *src, size_t len)
{
	size_t tail = (p->head + p->len) % SK_PIPE_SIZE;
	size_t n = SK_MIN(len, SK_PIPE_SIZE - p->len), first = SK_MIN(n, SK_PIPE_SIZE - tail);

	memcpy(p->buf + tail, src, first);
	memcpy(p->buf, src + first, n - first);
	p->len += n;
	return n;
}

static long pipe_read(struct sk_file *f, void *buf, size_t len, uint64_t off)
{
	struct pipe *p = f->priv;
	size_t n;

	(void)off;
	if (!len)
		return 0;
	while (!p->len) {
		if (!p->writers)
			return 0;
		if (f->flags & SK_O_NONBLOCK)
			return -EAGAIN;
		sk_waitq_wait(&p->wq);
	}
	n = take(p, buf, len);
	changed(p);
	return (long)n;
}

/* Room for the next piece: a small write needs room for all of it (it is atomic). */
static bool room(const struct pipe *p, size_t left)
{
	size_t free = SK_PIPE_SIZE - p->len;

	return left <= PIPE_ATOMIC ? free >= left : free > 0;
}

static long pipe_write(struct sk_file *f, const void *buf, size_t len, uint64_t off)
{
	struct pipe *p = f->priv;
	size_t done = 0;

	(void)off;
	while (done < len) {
		if (!p->readers)
			return done ? (long)done : -EPIPE;
		if (!room(p, len - done)) {
			if (f->flags & SK_O_NONBLOCK)
				return done ? (long)done : -EAGAIN;
			sk_waitq_wait(&p->wq);
			continue;
		}
		done += put(p, (const char *)buf + done, len - done);
		changed(p);
	}
	return (long)done;
}

static int pipe_stat(struct sk_file *f, struct sk_stat *st)
{
	st->type = SK_FT_FIFO;
	st->perm = 0600;
	st->nlink = 1;
	st->blksize = PIPE_ATOMIC;
	st->ino = (uintptr_t)f->priv;
	return 0;
}

static unsigned read_poll(struct sk_file *f)
{
	struct pipe *p = f->priv;

	return (p->len ? SK_POLL_IN : 0) | (p->writers ? 0 : SK_POLL_HUP);
}

static unsigned write_poll(struct sk_file *f)
{
	struct pipe *p = f->priv;

	if (!p->readers)
		return SK_POLL_OUT | SK_POLL_ERR;
	return SK_PIPE_SIZE - p->len >= PIPE_ATOMIC ? SK_POLL_OUT : 0;
}

static uint32_t pipe_events(struct sk_file *f)
{
	return ((struct pipe *)f->priv)->events;
}

static long pipe_nread(struct sk_file *f)
{
	return (long)((struct pipe *)f->priv)->len;
}

static void pipe_free_if_unused(struct pipe *p)
{
	if (p->readers || p->writers) {
		changed(p);
		return;
	}
	sk_free(p->buf);
	sk_free(p);
}

static void read_release(struct sk_file *f)
{
	struct pipe *p = f->priv;

	p->readers--;
	pipe_free_if_unused(p);
}

static void write_release(struct sk_file *f)
{
	struct pipe *p = f->priv;

	p->writers--;
	pipe_free_if_unused(p);
}

static const struct sk_file_ops read_end_ops = {
	.read = pipe_read, .stat = pipe_stat, .poll = read_poll, .events = pipe_events,
	.nread = pipe_nread, .release = read_release,
};

static const struct sk_file_ops write_end_ops = {
	.write = pipe_write, .stat = pipe_stat, .poll = write_poll, .events = pipe_events,
	.nread = pipe_nread, .release = write_release,
};

int sk_pipe_new(struct sk_file *ends[2], int flags)
{
	struct pipe *p = sk_calloc(1, sizeof(*p));

	flags &= SK_O_NONBLOCK;
	if (!p || !(p->buf = sk_malloc(SK_PIPE_SIZE)))
		goto nomem;
	sk_waitq_init(&p->wq);
	ends[0] = sk_file_new(&read_end_ops, p, SK_O_RDONLY | flags);
	ends[1] = sk_file_new(&write_end_ops, p, SK_O_WRONLY | flags);
	if (!ends[0] || !ends[1]) {
		sk_free(ends[0]);
		sk_free(ends[1]);
		goto nomem;
	}
	p->readers = p->writers = 1;
	return 0;
nomem:
	if (p)
		sk_free(p->buf);
	sk_free(p);
	return -ENOMEM;
}
