/* SPDX-License-Identifier: MIT */
/*
 * kv's append-only log on the block device (aof.c): each write command's effect as one record
 * with a checksum, replayed at boot; a torn or corrupt tail is reported and cut off, never
 * replayed; a rewrite of the live keys when the log grows past a bound, crash-safe.
 *
 * Records hold effects, not commands (kv.c normalises them), so a replay gives the same data
 * whatever the clock says: SET key value [PXAT ms], DEL key, PEXPIREAT key ms, PERSIST key,
 * FLUSHALL.
 */
#ifndef KV_AOF_H
#define KV_AOF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum aof_fsync { AOF_FSYNC_ALWAYS, AOF_FSYNC_EVERYSEC, AOF_FSYNC_NO };

/* What a record holds: argc arguments, each with its length (binary safe). */
typedef void (*aof_apply_fn)(int argc, char **argv, const size_t *lens, void *ctx);
/* For a rewrite: calls emit once per live key, with the record that recreates it. */
typedef void (*aof_emit_fn)(int argc, char **argv, const size_t *lens, void *ectx);
typedef void (*aof_walk_fn)(aof_emit_fn emit, void *ectx, void *ctx);

/*
 * Open the log on the disk, replaying every good record through apply. Returns 1 when the image
 * has no disk (kv then runs in memory and says so), 0 when the log is open, or -1 after printing
 * why it cannot be used (a read-only disk, an I/O error): kv then stops.
 */
int aof_open(aof_apply_fn apply, void *ctx);
bool aof_enabled(void);
void aof_set_fsync(enum aof_fsync mode);
enum aof_fsync aof_get_fsync(void);

/* Queue one record (kept in memory until aof_commit). 0, or -1 when the log is full even after a
 * rewrite (the command is then refused with an error). */
int aof_append(int argc, char **argv, const size_t *lens);

/*
 * Write what is queued; with AOF_FSYNC_ALWAYS also flush the disk. kv calls it before it sends the
 * replies of the commands whose records are queued, so an acknowledged write has reached the
 * disk. 0, or -1 on an I/O error (the replies then say so).
 */
int aof_commit(void);

/* Periodic work (every 100 ms or so): everysec's flush, and a rewrite (walk gives the live keys)
 * when the log has grown past its bound. */
void aof_tick(uint64_t now_ms, aof_walk_fn walk, void *ctx);

/* For INFO persistence. */
struct aof_stats {
	uint64_t log_bytes, disk_bytes, records, replayed, rewrites, flushes, errors;
	bool torn_tail;		/* the last boot found and cut a damaged tail */
};
void aof_stats(struct aof_stats *st);

#endif
