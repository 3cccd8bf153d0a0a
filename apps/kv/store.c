// SPDX-License-Identifier: MIT
/* The keyspace (store.h): a chained hash table with per-entry memory accounting. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "store.h"

#define OVERHEAD 64	/* what an entry costs beyond its bytes: header and allocator rounding */

static struct entry **table;
static uint64_t mask;		/* buckets - 1; 0 before the first key */
static uint64_t nkeys, nexpires, used, max_bytes, expired, refused;
static uint64_t seed;
static uint64_t expire_cursor;

int64_t store_now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

void store_init(uint64_t limit)
{
	max_bytes = limit;
	seed = (uint64_t)store_now_ms() * 0x9e3779b97f4a7c15ULL; /* keys chosen to collide are harder */
}

/* FNV-1a over the key, mixed with the seed. */
static uint64_t hash(const char *k, size_t len)
{
	uint64_t h = 1469598103934665603ULL ^ seed;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)k[i]) * 1099511628211ULL;
	return h ^ (h >> 29);
}

static size_t cost(const struct entry *e)
{
	return sizeof(*e) + e->klen + e->vcap + OVERHEAD;
}

bool store_over(size_t extra)
{
	return max_bytes && used + extra > max_bytes;
}

/* Double the table (or make the first one); on a failed allocation the old one stays. */
static void grow(void)
{
	uint64_t n = mask ? (mask + 1) * 2 : 16;
	struct entry **t = calloc(n, sizeof(*t));

	if (!t)
		return;
	for (uint64_t i = 0; mask && i <= mask; i++)
		for (struct entry *e = table[i], *next; e; e = next) {
			next = e->next;
			e->next = t[e->hash & (n - 1)];
			t[e->hash & (n - 1)] = e;
		}
	used += (n - (mask ? mask + 1 : 0)) * sizeof(*t);
	free(table);
	table = t;
	mask = n - 1;
}

static struct entry **slot(const char *key, size_t klen, uint64_t h)
{
	struct entry **p = &table[h & mask];

	while (*p && !((*p)->hash == h && (*p)->klen == klen && !memcmp((*p)->key, key, klen)))
		p = &(*p)->next;
	return p;
}

static void unlink_free(struct entry **p)
{
	struct entry *e = *p;

	*p = e->next;
	used -= cost(e);
	nkeys--;
	if (e->expire_ms)
		nexpires--;
	free(e->val);
	free(e);
}

static bool expired_now(const struct entry *e)
{
	return e->expire_ms && e->expire_ms <= store_now_ms();
}

struct entry *store_get(const char *key, size_t klen)
{
	struct entry **p;
	uint64_t h;

	if (!mask)
		return NULL;
	h = hash(key, klen);
	p = slot(key, klen, h);
	if (*p && expired_now(*p)) {
		unlink_free(p);
		expired++;
		return NULL;
	}
	return *p;
}

static bool set_value(struct entry *e, const char *val, size_t vlen)
{
	size_t cap = vlen + 1;
	char *v = malloc(cap);

	if (!v)
		return false;
	memcpy(v, val, vlen);
	v[vlen] = '\0';
	used -= e->vcap;
	free(e->val);
	e->val = v;
	e->vlen = vlen;
	e->vcap = cap;
	used += cap;
	return true;
}

void store_set_expire(struct entry *e, int64_t expire_ms)
{
	nexpires += (expire_ms != 0) - (e->expire_ms != 0);
	e->expire_ms = expire_ms;
}

struct entry *store_set(const char *key, size_t klen, const char *val, size_t vlen, int64_t expire_ms)
{
	struct entry *e = store_get(key, klen), **p;
	uint64_t h;

	if (e) {
		if (vlen > e->vlen && store_over(vlen - e->vlen)) {
			refused++;
			return NULL;
		}
		if (!set_value(e, val, vlen))
			return NULL;
		store_set_expire(e, expire_ms);
		return e;
	}
	if (store_over(sizeof(*e) + klen + vlen + 1 + OVERHEAD)) {
		refused++;
		return NULL;
	}
	if (nkeys >= mask) /* load factor 1 */
		grow();
	if (!mask || !(e = calloc(1, sizeof(*e) + klen + 1)))
		return NULL;
	memcpy(e->key, key, klen);
	e->klen = klen;
	if (!set_value(e, val, vlen)) {
		free(e);
		return NULL;
	}
	h = hash(key, klen);
	e->hash = h;
	p = &table[h & mask];
	e->next = *p;
	*p = e;
	nkeys++;
	used += cost(e) - e->vcap; /* set_value counted the value */
	store_set_expire(e, expire_ms);
	return e;
}

bool store_append(struct entry *e, const char *val, size_t vlen)
{
	size_t need = e->vlen + vlen + 1;
	char *v;

	if (need > e->vcap) {
		size_t cap = need * 2 > need ? need * 2 : need;

		if (store_over(cap - e->vcap)) {
			refused++;
			return false;
		}
		if (!(v = realloc(e->val, cap)))
			return false;
		used += cap - e->vcap;
		e->val = v;
		e->vcap = cap;
	}
	memcpy(e->val + e->vlen, val, vlen);
	e->vlen += vlen;
	e->val[e->vlen] = '\0';
	return true;
}

bool store_del(const char *key, size_t klen)
{
	struct entry **p;

	if (!store_get(key, klen))
		return false;
	p = slot(key, klen, hash(key, klen));
	unlink_free(p);
	return true;
}

void store_flush(void)
{
	for (uint64_t i = 0; mask && i <= mask; i++)
		while (table[i])
			unlink_free(&table[i]);
}

uint64_t store_size(void)
{
	return nkeys;
}

/* SCAN's cursor walks buckets in reversed-bit order, so a table that doubles between calls
 * neither skips nor repeats a bucket already visited (Redis's trick). */
static uint64_t rev(uint64_t v)
{
	uint64_t r = 0;

	for (int i = 0; i < 64; i++, v >>= 1)
		r = (r << 1) | (v & 1);
	return r;
}

uint64_t store_scan(uint64_t cursor, unsigned count, void (*fn)(struct entry *e, void *ctx), void *ctx)
{
	unsigned seen = 0;

	if (!mask)
		return 0;
	do {
		for (struct entry *e = table[cursor & mask], *next; e; e = next) {
			next = e->next;
			if (!expired_now(e)) {
				fn(e, ctx);
				seen++;
			}
		}
		/* next cursor: increment the reversed bits that the mask covers */
		cursor |= ~mask;
		cursor = rev(rev(cursor) + 1);
	} while (cursor && seen < count);
	return cursor;
}

void store_each(void (*fn)(struct entry *e, void *ctx), void *ctx)
{
	for (uint64_t i = 0; mask && i <= mask; i++)
		for (struct entry *e = table[i], *next; e; e = next) {
			next = e->next;
			if (!expired_now(e))
				fn(e, ctx);
		}
}

void store_expire_some(void)
{
	int64_t now = store_now_ms();

	if (!mask || !nexpires)
		return;
	for (unsigned n = 0; n < 64; n++, expire_cursor++) {
		struct entry **p = &table[expire_cursor & mask];

		while (*p) {
			if ((*p)->expire_ms && (*p)->expire_ms <= now) {
				unlink_free(p);
				expired++;
			} else {
				p = &(*p)->next;
			}
		}
	}
}

void store_get_stats(struct store_stats *st)
{
	*st = (struct store_stats){ nkeys, nexpires, used, max_bytes, expired, refused };
}

bool store_glob(const char *p, size_t pl, const char *s, size_t sl)
{
	while (pl) {
		switch (*p) {
		case '*':
			while (pl > 1 && p[1] == '*')
				p++, pl--;
			if (pl == 1)
				return true;
			for (size_t i = 0; i <= sl; i++)
				if (store_glob(p + 1, pl - 1, s + i, sl - i))
					return true;
			return false;
		case '?':
			if (!sl)
				return false;
			s++, sl--;
			break;
		case '[': {
			bool neg, match = false;

			if (!sl)
				return false;
			p++, pl--;
			neg = pl && *p == '^';
			if (neg)
				p++, pl--;
			while (pl && *p != ']') {
				if (*p == '\\' && pl >= 2) {
					p++, pl--;
					match |= *p == *s;
				} else if (pl >= 3 && p[1] == '-' && p[2] != ']') {
					char lo = p[0] < p[2] ? p[0] : p[2], hi = p[0] < p[2] ? p[2] : p[0];

					match |= *s >= lo && *s <= hi;
					p += 2, pl -= 2;
				} else {
					match |= *p == *s;
				}
				p++, pl--;
			}
			if (!pl)
				return false; /* no closing bracket */
			if (match == neg)
				return false;
			s++, sl--;
			break;
		}
		case '\\':
			if (pl >= 2)
				p++, pl--;
			/* fall through */
		default:
			if (!sl || *p != *s)
				return false;
			s++, sl--;
			break;
		}
		p++, pl--;
	}
	return sl == 0;
}
