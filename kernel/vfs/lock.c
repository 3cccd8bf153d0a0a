// SPDX-License-Identifier: MIT
/*
 * Record locks (fcntl F_SETLK, F_SETLKW, F_GETLK and the OFD variants) in a single process.
 * Every lock is owned by the process (POSIX locks) or by one open file (OFD locks). Locks of the
 * same owner never conflict: a new one replaces what the owner held on its range. POSIX locks of
 * the process therefore conflict only with OFD locks, and OFD locks with every other owner, which
 * is what threads of one program see on Linux.
 *
 * An appliance holds a handful of locks, so they sit in one list, kept merged per owner; a waiter
 * (F_SETLKW) sleeps on one queue that every release wakes, and looks again.
 */
#include <errno.h>
#include <skiff/heap.h>
#include <skiff/thread.h>
#include <skiff/vfs.h>
#include "fs.h"

struct rlock {
	struct rlock *next;
	struct sk_vnode *node;
	struct sk_file *owner;	/* NULL: the process (a POSIX lock) */
	int type;		/* SK_LOCK_RD or SK_LOCK_WR */
	uint64_t start, end;	/* inclusive */
};

static struct rlock *locks;
static struct sk_waitq waiters = SK_WAITQ_INIT(waiters);

static bool overlap(const struct rlock *r, uint64_t start, uint64_t end)
{
	return r->start <= end && start <= r->end;
}

/* Touching or overlapping: two such ranges of one owner and type become one. */
static bool adjacent(const struct rlock *r, uint64_t start, uint64_t end)
{
	return (r->end == SK_LOCK_EOF || r->end + 1 >= start) && (end == SK_LOCK_EOF || end + 1 >= r->start);
}

static struct rlock *conflict(struct sk_vnode *node, struct sk_file *owner, const struct sk_lock *l)
{
	for (struct rlock *r = locks; r; r = r->next)
		if (r->node == node && r->owner != owner && overlap(r, l->start, l->end) &&
		    (r->type == SK_LOCK_WR || l->type == SK_LOCK_WR))
			return r;
	return NULL;
}

static struct rlock *new_lock(struct sk_vnode *node, struct sk_file *owner, int type, uint64_t start,
			      uint64_t end)
{
	struct rlock *r = sk_malloc(sizeof(*r));

	if (r)
		*r = (struct rlock){ .node = node, .owner = owner, .type = type, .start = start, .end = end };
	return r;
}

/*
 * Take [start, end] away from owner's locks on node. A lock that straddles the range is split in
 * two, which needs memory: the spare is allocated by the caller first, so that nothing is half
 * done when memory runs out.
 */
static void carve(struct sk_vnode *node, struct sk_file *owner, uint64_t start, uint64_t end,
		  struct rlock **spare)
{
	for (struct rlock **pp = &locks, *r; (r = *pp);) {
		if (r->node != node || r->owner != owner || !overlap(r, start, end)) {
			pp = &r->next;
			continue;
		}
		if (r->start < start && (end != SK_LOCK_EOF && r->end > end)) { /* split */
			struct rlock *tail = *spare;

			*spare = NULL;
			*tail = *r;
			tail->start = end + 1;
			r->end = start - 1;
			tail->next = r->next;
			r->next = tail;
			return;
		}
		if (r->start < start) {
			r->end = start - 1;
		} else if (end != SK_LOCK_EOF && r->end > end) {
			r->start = end + 1;
		} else {
			*pp = r->next;
			sk_free(r);
			continue;
		}
		pp = &r->next;
	}
}

/* Merge the owner's same-type neighbours of [start, end] into one new lock, then insert it. */
static void insert(struct rlock *n)
{
	for (struct rlock **pp = &locks, *r; (r = *pp);) {
		if (r->node == n->node && r->owner == n->owner && r->type == n->type &&
		    adjacent(r, n->start, n->end)) {
			n->start = r->start < n->start ? r->start : n->start;
			n->end = r->end > n->end ? r->end : n->end;
			*pp = r->next;
			sk_free(r);
			continue;
		}
		pp = &r->next;
	}
	n->next = locks;
	locks = n;
}

static int check_lock(struct sk_file *f, const struct sk_lock *l)
{
	int mode = f->flags & SK_O_ACCMODE;

	if (!f->node)
		return -EINVAL;
	if (l->start > l->end)
		return -EINVAL;
	if (l->type == SK_LOCK_RD && mode == SK_O_WRONLY)
		return -EBADF;
	if (l->type == SK_LOCK_WR && mode == SK_O_RDONLY)
		return -EBADF;
	return l->type == SK_LOCK_UN || l->type == SK_LOCK_RD || l->type == SK_LOCK_WR ? 0 : -EINVAL;
}

int sk_file_lock(struct sk_file *f, const struct sk_lock *l, bool wait)
{
	struct sk_file *owner = l->ofd ? f : NULL;
	struct rlock *spare, *n = NULL;
	int err = check_lock(f, l);

	if (err)
		return err;
	while (l->type != SK_LOCK_UN && conflict(f->node, owner, l)) {
		if (!wait)
			return -EAGAIN;
		sk_waitq_wait(&waiters);
	}
	spare = sk_malloc(sizeof(*spare));
	if (l->type != SK_LOCK_UN)
		n = new_lock(f->node, owner, l->type, l->start, l->end);
	if (!spare || (l->type != SK_LOCK_UN && !n)) {
		sk_free(spare);
		sk_free(n);
		return -ENOLCK;
	}
	carve(f->node, owner, l->start, l->end, &spare);
	sk_free(spare);
	if (n)
		insert(n);
	/* An unlock or a downgrade may let a waiter in. */
	sk_waitq_wake_all(&waiters);
	return 0;
}

int sk_file_getlk(struct sk_file *f, struct sk_lock *l)
{
	const struct rlock *r;
	int err = check_lock(f, l);

	if (err == -EBADF)
		err = 0; /* F_GETLK only asks: the access mode does not matter */
	if (err)
		return err;
	if (l->type == SK_LOCK_UN)
		return -EINVAL;
	r = conflict(f->node, l->ofd ? f : NULL, l);
	if (!r) {
		l->type = SK_LOCK_UN;
		return 0;
	}
	*l = (struct sk_lock){ .type = r->type, .start = r->start, .end = r->end, .ofd = r->owner != NULL };
	return 0;
}

static void release(bool (*match)(const struct rlock *r, const struct sk_file *f), struct sk_file *f)
{
	bool any = false;

	for (struct rlock **pp = &locks, *r; (r = *pp);) {
		if (match(r, f)) {
			*pp = r->next;
			sk_free(r);
			any = true;
			continue;
		}
		pp = &r->next;
	}
	if (any)
		sk_waitq_wake_all(&waiters);
}

static bool process_lock_on(const struct rlock *r, const struct sk_file *f)
{
	return !r->owner && r->node == f->node;
}

static bool owned_by(const struct rlock *r, const struct sk_file *f)
{
	return r->owner == f;
}

void sk_lock_release_process(struct sk_file *f)
{
	if (f->node)
		release(process_lock_on, f);
}

void sk_lock_release_file(struct sk_file *f)
{
	release(owned_by, f);
}

static bool any(const struct rlock *r, const struct sk_file *f)
{
	(void)r, (void)f;
	return true;
}

void sk_lock_reset(void)
{
	release(any, NULL);
}
