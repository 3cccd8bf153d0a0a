/* SPDX-License-Identifier: MIT */
/* What kv's files share: a client's state, the command dispatcher, the server's counters. */
#ifndef KV_KV_H
#define KV_KV_H

#include <stdbool.h>
#include <stdint.h>
#include "resp.h"

struct client {
	int fd;
	char *in;
	size_t inlen, incap;
	struct resp_req req;
	struct resp_out out;
	bool closing;		/* close once out is sent (QUIT, a protocol error) */
	bool dead;
	bool pending_commit;	/* replies wait for the log (appendfsync) */
	uint32_t events;
	struct client *next;	/* the graveyard or the commit list */
};

struct server_stats {
	uint64_t connections, commands, rejected_conns, errors;
	int64_t start_ms;
	unsigned clients, port;
};
extern struct server_stats kv_stats;

/* Run one request's command, replies to c->out; writes queue their log records (aof.h). */
void kv_exec(struct client *c, int argc, char **argv, const size_t *lens);
/* Replay one log record into the store (aof_open's apply). */
void kv_replay(int argc, char **argv, const size_t *lens, void *ctx);
/* For a log rewrite: every live key as a record. */
void kv_walk(void (*emit)(int argc, char **argv, const size_t *lens, void *ectx), void *ectx, void *ctx);

#endif
