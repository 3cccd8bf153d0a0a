/* SPDX-License-Identifier: MIT */
/*
 * The keyspace: one database of string values, each key with an optional expiry (absolute,
 * milliseconds of the wall clock). A chained hash table that doubles as it fills; memory is
 * counted per entry against a limit, so a write that would pass it is refused (-OOM), and a
 * failed allocation is refused the same way instead of crashing.
 */
#ifndef KV_STORE_H
#define KV_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct entry {
	struct entry *next;	/* hash chain */
	uint64_t hash;
	int64_t expire_ms;	/* 0: none */
	size_t klen, vlen, vcap;
	char *val;
	char key[];		/* klen bytes and a NUL */
};

struct store_stats {
	uint64_t keys, expires, used_bytes, max_bytes, expired_keys, evictions_refused;
};

void store_init(uint64_t max_bytes);
int64_t store_now_ms(void);	/* the wall clock, ms */
/* The live entry for key, or NULL (an expired one is deleted on the way). */
struct entry *store_get(const char *key, size_t klen);
/* Set key to val (expire_ms 0: none). NULL when memory is short (nothing changed). */
struct entry *store_set(const char *key, size_t klen, const char *val, size_t vlen, int64_t expire_ms);
/* Change an entry's expiry (0: none). */
void store_set_expire(struct entry *e, int64_t expire_ms);
/* Append to an existing value; false when memory is short. */
bool store_append(struct entry *e, const char *val, size_t vlen);
bool store_del(const char *key, size_t klen);
void store_flush(void);
uint64_t store_size(void);
/* Would adding extra bytes pass the limit? */
bool store_over(size_t extra);
/* Visit entries from cursor (a bucket index), at least count of them; returns the next cursor
 * (0 at the end). Entries may be visited twice across a resize, never missed, as Redis's SCAN. */
uint64_t store_scan(uint64_t cursor, unsigned count, void (*fn)(struct entry *e, void *ctx), void *ctx);
/* Every live entry. */
void store_each(void (*fn)(struct entry *e, void *ctx), void *ctx);
/* Delete some expired keys (active expiry, called every 100 ms). */
void store_expire_some(void);
void store_get_stats(struct store_stats *st);
/* Redis's glob: * ? [abc] [^a] [a-z] and \\ escapes. */
bool store_glob(const char *pat, size_t plen, const char *s, size_t slen);

#endif
