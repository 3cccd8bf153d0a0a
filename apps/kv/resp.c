// SPDX-License-Identifier: MIT
/*
 * RESP2 parsing and replies. Requests are arrays of bulk strings ("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n")
 * or inline lines ("GET k\r\n", as telnet sends). Every length is checked before it is used: a
 * count or a length that is negative, not a number or over the limits is a protocol error, and
 * nothing is allocated for what a client only claims it will send.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "resp.h"

/* The line starting at p (up to the CRLF), or NULL when the CRLF has not come yet. */
static char *line_end(char *p, size_t len)
{
	char *cr = memchr(p, '\r', len);

	while (cr && (size_t)(cr - p) + 1 < len && cr[1] != '\n')
		cr = memchr(cr + 1, '\r', len - (size_t)(cr + 1 - p));
	return cr && (size_t)(cr - p) + 1 < len ? cr : NULL;
}

/* A decimal in [p, end): -1 when it is not one, or over max. */
static long long number(const char *p, const char *end, long long max)
{
	long long v = 0;

	if (p == end || end - p > 19)
		return -1;
	for (; p < end; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (*p - '0');
		if (v > max)
			return -1;
	}
	return v;
}

static bool grow(struct resp_req *r, int n)
{
	int cap = r->cap ? r->cap : 8;
	char **argv;
	size_t *lens;

	if (n <= r->cap)
		return true;
	while (cap < n)
		cap *= 2;
	argv = realloc(r->argv, (size_t)cap * sizeof(*argv));
	if (argv)
		r->argv = argv;
	lens = argv ? realloc(r->lens, (size_t)cap * sizeof(*lens)) : NULL;
	if (!lens)
		return false;
	r->lens = lens;
	r->cap = cap;
	return true;
}

void resp_req_free(struct resp_req *r)
{
	free(r->argv);
	free(r->lens);
	*r = (struct resp_req){ 0 };
}

/* Inline: words split on spaces; "quoted words" keep their spaces. */
static enum resp_result parse_inline(char *buf, size_t len, struct resp_req *req, size_t *used,
				     const char **err)
{
	char *end = line_end(buf, len), *p = buf, *nl = memchr(buf, '\n', len);

	if (!end && nl)
		end = nl; /* a bare LF ends an inline line too */
	if (!end) {
		if (len > RESP_MAX_INLINE)
			return *err = "Protocol error: too big inline request", RESP_ERROR;
		return RESP_NEED_MORE;
	}
	*used = (size_t)(end - buf) + (*end == '\r' ? 2 : 1);
	*end = '\0';
	req->argc = 0;
	while (*p) {
		char *w;

		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		if (!grow(req, req->argc + 1))
			return *err = "OOM command not allowed when used memory > 'maxmemory'.", RESP_ERROR;
		if (*p == '"') {
			w = ++p;
			while (*p && *p != '"')
				p++;
			if (!*p)
				return *err = "Protocol error: unbalanced quotes in request", RESP_ERROR;
		} else {
			w = p;
			while (*p && *p != ' ' && *p != '\t')
				p++;
		}
		req->argv[req->argc] = w;
		req->lens[req->argc++] = (size_t)(p - w);
		if (*p)
			*p++ = '\0';
	}
	return req->argc ? RESP_OK : RESP_EMPTY;
}

enum resp_result resp_parse(char *buf, size_t len, struct resp_req *req, size_t *used, size_t *need,
			    const char **err)
{
	char *p = buf, *end;
	long long n;

	*need = 0;
	if (len == 0)
		return RESP_NEED_MORE;
	if (buf[0] != '*')
		return parse_inline(buf, len, req, used, err);
	if (!(end = line_end(p, len)))
		return len > 32 ? (*err = "Protocol error: invalid multibulk length", RESP_ERROR) : RESP_NEED_MORE;
	if (end == p + 2 && p[1] == '0') {
		*used = 4;
		return RESP_EMPTY;
	}
	if (end - p >= 2 && p[1] == '-') { /* *-1: a null array, which Redis ignores */
		*used = (size_t)(end - p) + 2;
		return RESP_EMPTY;
	}
	if ((n = number(p + 1, end, RESP_MAX_ARGS)) <= 0)
		return *err = "Protocol error: invalid multibulk length", RESP_ERROR;
	p = end + 2;
	for (int i = 0; i < n; i++) {
		size_t left = len - (size_t)(p - buf);
		long long l;

		if (!grow(req, i + 1)) /* as arguments arrive, never for what a count only claims */
			return *err = "OOM command not allowed when used memory > 'maxmemory'.", RESP_ERROR;
		if (!left)
			return RESP_NEED_MORE;
		if (*p != '$')
			return *err = "Protocol error: expected '$'", RESP_ERROR;
		if (!(end = line_end(p, left)))
			return left > 32 ? (*err = "Protocol error: invalid bulk length", RESP_ERROR) : RESP_NEED_MORE;
		if ((l = number(p + 1, end, RESP_MAX_BULK)) < 0)
			return *err = "Protocol error: invalid bulk length", RESP_ERROR;
		p = end + 2;
		left = len - (size_t)(p - buf);
		if (left < (size_t)l + 2) {
			*need = (size_t)(p - buf) + (size_t)l + 2; /* at least: the rest may follow */
			return RESP_NEED_MORE;
		}
		if (p[l] != '\r' || p[l + 1] != '\n')
			return *err = "Protocol error: bulk string not terminated by CRLF", RESP_ERROR;
		req->argv[i] = p;
		req->lens[i] = (size_t)l;
		p += l + 2;
	}
	/* Whole: now the CRs may become NULs (not before: an incomplete request is parsed again). */
	for (int i = 0; i < n; i++)
		req->argv[i][req->lens[i]] = '\0';
	req->argc = (int)n;
	*used = (size_t)(p - buf);
	return RESP_OK;
}

void resp_raw(struct resp_out *o, const void *p, size_t len)
{
	if (o->failed)
		return;
	if (o->len + len > o->cap) {
		size_t cap = o->cap ? o->cap : 256;
		char *b;

		while (cap < o->len + len)
			cap *= 2;
		if (!(b = realloc(o->buf, cap))) {
			o->failed = true;
			return;
		}
		o->buf = b;
		o->cap = cap;
	}
	memcpy(o->buf + o->len, p, len);
	o->len += len;
}

static void line(struct resp_out *o, char type, const char *s, size_t len)
{
	resp_raw(o, &type, 1);
	resp_raw(o, s, len);
	resp_raw(o, "\r\n", 2);
}

void resp_simple(struct resp_out *o, const char *s)
{
	line(o, '+', s, strlen(s));
}

void resp_error(struct resp_out *o, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	for (int i = 0; i < n && i < (int)sizeof(msg); i++)
		if (msg[i] == '\r' || msg[i] == '\n')
			msg[i] = ' '; /* an error is one line, whatever the client sent */
	line(o, '-', msg, n < (int)sizeof(msg) ? (size_t)n : sizeof(msg) - 1);
}

void resp_int(struct resp_out *o, long long v)
{
	char s[24];

	line(o, ':', s, (size_t)snprintf(s, sizeof(s), "%lld", v));
}

void resp_bulk(struct resp_out *o, const void *p, size_t len)
{
	char s[24];

	line(o, '$', s, (size_t)snprintf(s, sizeof(s), "%zu", len));
	resp_raw(o, p, len);
	resp_raw(o, "\r\n", 2);
}

void resp_null(struct resp_out *o)
{
	resp_raw(o, "$-1\r\n", 5);
}

void resp_array(struct resp_out *o, long long n)
{
	char s[24];

	line(o, '*', s, (size_t)snprintf(s, sizeof(s), "%lld", n));
}
