// SPDX-License-Identifier: MIT
/*
 * epoll: an epoll instance is a file holding a list of (fd, file, interest) items. epoll_wait
 * asks each item's file for its readiness and sleeps, like poll(), until a file's readiness may
 * have changed. Level-triggered by default; EPOLLET reports an item once per change of its
 * file's event count (sk_file_events: every packet, every freed send space) or of its readiness;
 * EPOLLONESHOT disables it after one report. An item whose fd was closed (or now names another
 * file) is dropped, as Linux drops it with the file's last descriptor.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <skiff/time.h>
#include "posix.h"

struct item {
	int fd;
	struct sk_file *file;	/* not a reference: checked against the fd table when used */
	uint32_t events;	/* EPOLL* asked for, with EPOLLET/EPOLLONESHOT */
	epoll_data_t data;
	uint32_t seen;		/* EPOLLET: the event count last reported */
	unsigned seen_mask;
};

struct epoll {
	struct item *items;
	size_t n, cap;
};

static const struct sk_file_ops epoll_ops;

static unsigned to_sk(uint32_t e)
{
	return ((e & EPOLLIN) ? SK_POLL_IN : 0) | ((e & EPOLLOUT) ? SK_POLL_OUT : 0) | SK_POLL_ERR | SK_POLL_HUP;
}

static uint32_t from_sk(unsigned m)
{
	return ((m & SK_POLL_IN) ? EPOLLIN : 0) | ((m & SK_POLL_OUT) ? EPOLLOUT : 0) |
	       ((m & SK_POLL_ERR) ? EPOLLERR : 0) | ((m & SK_POLL_HUP) ? EPOLLHUP : 0);
}

static void drop(struct epoll *ep, size_t i)
{
	ep->items[i] = ep->items[--ep->n];
}

/* Is item i still the file its fd names? */
static bool alive(const struct item *it)
{
	return sk_fd_get(it->fd) == it->file;
}

/* The item's ready events now (0 for none, or when EPOLLET has reported this state already). */
static uint32_t ready(struct item *it, bool consume)
{
	unsigned m = sk_file_poll(it->file) & to_sk(it->events);
	uint32_t seq;

	if (!m || !(it->events & ~(EPOLLET | EPOLLONESHOT)))
		return 0;
	if (it->events & EPOLLET) {
		seq = sk_file_events(it->file);
		if (seq == it->seen && !(m & ~it->seen_mask))
			return 0;
		if (consume)
			it->seen = seq, it->seen_mask = m;
	}
	if (consume && (it->events & EPOLLONESHOT))
		it->events &= EPOLLET | EPOLLONESHOT; /* off until EPOLL_CTL_MOD */
	return from_sk(m);
}

static unsigned epoll_poll(struct sk_file *f)
{
	struct epoll *ep = f->priv;

	for (size_t i = 0; i < ep->n; i++)
		if (alive(&ep->items[i]) && ready(&ep->items[i], false))
			return SK_POLL_IN;
	return 0;
}

static void epoll_release(struct sk_file *f)
{
	struct epoll *ep = f->priv;

	free(ep->items);
	free(ep);
}

static const struct sk_file_ops epoll_ops = {
	.poll = epoll_poll,
	.release = epoll_release,
	.seekable = false,
};

int epoll_create1(int flags)
{
	struct epoll *ep;
	struct sk_file *f;
	int fd;

	if (flags & ~EPOLL_CLOEXEC)
		return (int)posix_ret(-EINVAL);
	if (!(ep = calloc(1, sizeof(*ep))) || !(f = sk_file_new(&epoll_ops, ep, SK_O_RDONLY))) {
		free(ep);
		return (int)posix_ret(-ENOMEM);
	}
	if ((fd = sk_fd_install(f, 0)) < 0)
		sk_file_close(f);
	return (int)posix_ret(fd);
}

int epoll_create(int size)
{
	return size <= 0 ? (int)posix_ret(-EINVAL) : epoll_create1(0);
}

static struct epoll *epoll_of(int epfd)
{
	struct sk_file *f = sk_fd_get(epfd);

	if (!f || f->ops != &epoll_ops) {
		errno = f ? EINVAL : EBADF;
		return NULL;
	}
	return f->priv;
}

static int add(struct epoll *ep, int fd, struct sk_file *file, const struct epoll_event *ev)
{
	if (ep->n == ep->cap) {
		size_t cap = ep->cap ? 2 * ep->cap : 16;
		struct item *items = realloc(ep->items, cap * sizeof(*items));

		if (!items)
			return -ENOMEM;
		ep->items = items;
		ep->cap = cap;
	}
	ep->items[ep->n++] = (struct item){ fd, file, ev->events, ev->data, sk_file_events(file) - 1, 0 };
	return 0;
}

int epoll_ctl(int epfd, int op, int fd, struct epoll_event *ev)
{
	struct epoll *ep = epoll_of(epfd);
	struct sk_file *file = sk_fd_get(fd);
	size_t i;

	if (!ep)
		return -1;
	if (!file)
		return (int)posix_ret(-EBADF);
	if (fd == epfd || file->ops == &epoll_ops)
		return (int)posix_ret(-EINVAL); /* no nesting */
	for (i = 0; i < ep->n && !(ep->items[i].fd == fd && ep->items[i].file == file); i++)
		;
	if (op != EPOLL_CTL_DEL && !ev)
		return (int)posix_ret(-EFAULT);
	switch (op) {
	case EPOLL_CTL_ADD:
		return i < ep->n ? (int)posix_ret(-EEXIST) : (int)posix_ret(add(ep, fd, file, ev));
	case EPOLL_CTL_MOD:
		if (i == ep->n)
			return (int)posix_ret(-ENOENT);
		ep->items[i].events = ev->events;
		ep->items[i].data = ev->data;
		ep->items[i].seen = sk_file_events(file) - 1; /* report the current state again */
		ep->items[i].seen_mask = 0;
		return 0;
	case EPOLL_CTL_DEL:
		if (i == ep->n)
			return (int)posix_ret(-ENOENT);
		drop(ep, i);
		return 0;
	default:
		return (int)posix_ret(-EINVAL);
	}
}

static int collect(struct epoll *ep, struct epoll_event *out, int max)
{
	int n = 0;

	for (size_t i = 0; i < ep->n && n < max;) {
		uint32_t e;

		if (!alive(&ep->items[i])) {
			drop(ep, i);
			continue;
		}
		if ((e = ready(&ep->items[i], true)))
			out[n++] = (struct epoll_event){ e, ep->items[i].data };
		i++;
	}
	return n;
}

int epoll_wait(int epfd, struct epoll_event *events, int max, int timeout_ms)
{
	struct epoll *ep = epoll_of(epfd);
	uint64_t deadline = timeout_ms < 0 ? UINT64_MAX : sk_now_ns() + (uint64_t)timeout_ms * 1000000ULL;
	int n;

	if (!ep)
		return -1;
	if (!events || max <= 0)
		return (int)posix_ret(-EINVAL);
	while (!(n = collect(ep, events, max)))
		if (sk_file_poll_wait(deadline) == -ETIMEDOUT)
			return collect(ep, events, max);
	return n;
}

/* No signals: the mask changes nothing. */
int epoll_pwait(int epfd, struct epoll_event *events, int max, int timeout_ms, const sigset_t *mask)
{
	(void)mask;
	return epoll_wait(epfd, events, max, timeout_ms);
}
