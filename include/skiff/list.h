/* SPDX-License-Identifier: MIT */
/* Intrusive circular doubly linked lists, the one list type the kernel uses. */
#ifndef SKIFF_LIST_H
#define SKIFF_LIST_H

#include <stdbool.h>
#include <skiff/compiler.h>

struct sk_list {
	struct sk_list *next, *prev;
};

#define SK_LIST_INIT(name) { &(name), &(name) }

static inline void sk_list_init(struct sk_list *l)
{
	l->next = l;
	l->prev = l;
}

static inline bool sk_list_empty(const struct sk_list *l)
{
	return l->next == l;
}

static inline void sk_list_insert_between(struct sk_list *n, struct sk_list *prev,
					  struct sk_list *next)
{
	n->next = next;
	n->prev = prev;
	prev->next = n;
	next->prev = n;
}

/* Append at the tail (FIFO order with sk_list_pop_front). */
static inline void sk_list_add_tail(struct sk_list *head, struct sk_list *n)
{
	sk_list_insert_between(n, head->prev, head);
}

static inline void sk_list_add_head(struct sk_list *head, struct sk_list *n)
{
	sk_list_insert_between(n, head, head->next);
}

/* Unlink n and leave it self-linked, so a second del is harmless. */
static inline void sk_list_del(struct sk_list *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	sk_list_init(n);
}

static inline struct sk_list *sk_list_pop_front(struct sk_list *head)
{
	struct sk_list *n = head->next;

	if (n == head)
		return NULL;
	sk_list_del(n);
	return n;
}

#define sk_list_entry(ptr, type, member) sk_container_of(ptr, type, member)

#define sk_list_for_each(pos, head) for ((pos) = (head)->next; (pos) != (head); (pos) = (pos)->next)

#define sk_list_for_each_safe(pos, tmp, head)                                  \
	for ((pos) = (head)->next, (tmp) = (pos)->next; (pos) != (head); \
	     (pos) = (tmp), (tmp) = (pos)->next)

#endif
