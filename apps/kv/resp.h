/* SPDX-License-Identifier: MIT */
/* RESP2 requests in (arrays of bulk strings, and inline commands) and replies out. */
#ifndef KV_RESP_H
#define KV_RESP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RESP_MAX_ARGS (1024 * 1024)	/* Redis's limit on a request's elements */
#define RESP_MAX_BULK (64u << 20)	/* one argument: 64 MiB (Redis: 512 MiB) */
#define RESP_MAX_INLINE (64 * 1024)	/* an inline command's line */

enum resp_result { RESP_OK, RESP_NEED_MORE, RESP_EMPTY, RESP_ERROR };

/* A parsed request: pointers into the input buffer (valid until it is consumed). */
struct resp_req {
	int argc;
	char **argv;
	size_t *lens;
	int cap;		/* entries argv and lens can hold */
};

/*
 * Parse one request from buf[0, len). RESP_OK: req filled, *used bytes consumed. RESP_NEED_MORE:
 * incomplete (*need, when known, is how many bytes the whole request takes). RESP_EMPTY: an empty
 * line or array, *used consumed. RESP_ERROR: *err says what ("Protocol error: ..."); the
 * connection is then closed after the error reply, as Redis does. Arguments are NUL-terminated in
 * place (the byte after each is its CR).
 */
enum resp_result resp_parse(char *buf, size_t len, struct resp_req *req, size_t *used, size_t *need,
			    const char **err);
void resp_req_free(struct resp_req *req);

/* Replies, appended to a growable output buffer. */
struct resp_out {
	char *buf;
	size_t len, cap, off;	/* off: bytes already sent */
	bool failed;		/* out of memory: the connection is closed */
};

void resp_simple(struct resp_out *o, const char *s);	/* +s */
void resp_error(struct resp_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void resp_int(struct resp_out *o, long long v);
void resp_bulk(struct resp_out *o, const void *p, size_t len);
void resp_null(struct resp_out *o);			/* $-1 */
void resp_array(struct resp_out *o, long long n);	/* *n, then n replies */
void resp_raw(struct resp_out *o, const void *p, size_t len);

#endif
