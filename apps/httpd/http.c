// SPDX-License-Identifier: MIT
/*
 * HTTP/1.0 and 1.1 requests: parse one from a connection's buffer, check it against the limits
 * and the root, and queue the response (headers in c->head, the file's bytes as c->body).
 * Nothing from the client is trusted: lengths, the path and every header are checked, and any
 * error closes the connection after its response.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include "http.h"

static struct conn *conns;

void conn_link(struct conn *c)
{
	c->prev = NULL;
	c->next = conns;
	if (conns)
		conns->prev = c;
	conns = c;
}

void conn_unlink(struct conn *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else
		conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
}

struct conn *conn_first(void)
{
	return conns;
}

int parse_options(int argc, char **argv, struct options *o)
{
	for (int i = 1; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		char *end = NULL;
		long n = v ? strtol(v, &end, 10) : 0;

		if (!strcmp(argv[i], "-r") && v) {
			o->root = v;
		} else if (!strcmp(argv[i], "-p") && v && !*end && n >= 1 && n <= 65535) {
			o->port = (int)n;
		} else if (!strcmp(argv[i], "-t") && v && !*end && n >= 1 && n <= 3600) {
			o->idle_s = (unsigned)n;
		} else if (!strcmp(argv[i], "-c") && v && !*end && n >= 1 && n <= 100000) {
			o->max_conns = (unsigned)n;
		} else {
			fprintf(stderr, "httpd: bad option '%s'; usage: httpd [-p PORT] [-r ROOT] "
				"[-t IDLE_SECONDS] [-c MAX_CONNECTIONS]\n", argv[i]);
			return -1;
		}
		i++;
	}
	return 0;
}

static const char *reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 505: return "HTTP Version Not Supported";
	default: return "Error";
	}
}

/* An IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"). */
static void http_date(time_t t, char *out, size_t n)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, n, "%a, %d %b %Y %H:%M:%S GMT", &tm);
}

static void queue_head(struct conn *c, int status, const char *type, size_t len, const char *extra,
		       bool keep)
{
	char date[64];

	http_date(time(NULL), date, sizeof(date));
	c->hlen = (size_t)snprintf(c->head, sizeof(c->head),
				   "HTTP/1.1 %d %s\r\nServer: skiff-httpd\r\nDate: %s\r\n"
				   "Content-Type: %s\r\nContent-Length: %zu\r\n%sConnection: %s\r\n\r\n",
				   status, reason(status), date, type, len, extra ? extra : "",
				   keep ? "keep-alive" : "close");
	c->hoff = 0;
}

void http_error(struct conn *c, int status)
{
	static char bodies[8][96];
	static int statuses[8];
	int slot = status % 8;

	/* The short HTML body stays valid while it is being sent: one per status, made once. */
	if (statuses[slot] != status) {
		snprintf(bodies[slot], sizeof(bodies[slot]), "<html><body><h1>%d %s</h1></body></html>\n",
			 status, reason(status));
		statuses[slot] = status;
	}
	queue_head(c, status, "text/html; charset=utf-8", strlen(bodies[slot]),
		   status == 405 ? "Allow: GET, HEAD\r\n" : NULL, false);
	c->body = bodies[slot];
	c->blen = strlen(bodies[slot]);
	c->boff = 0;
	c->closing = true;
	c->linger = true; /* the client may still be sending: a close now would reset the answer */
}

static int hexval(int ch)
{
	return ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 :
	       ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
}

/*
 * The request target to a path under the root: percent-decoded, the query cut off, "." and ".."
 * resolved. 0, or 400 (malformed, a NUL) or 403 (it climbs above the root).
 */
static int clean_path(const char *target, size_t len, char *out, size_t outlen)
{
	char dec[LINE_MAX_LEN + 1];
	size_t n = 0, o = 0;

	if (!len || target[0] != '/')
		return 400;
	for (size_t i = 0; i < len && target[i] != '?' && target[i] != '#'; i++) {
		int ch = (unsigned char)target[i];

		if (ch == '%') {
			int hi = i + 2 < len ? hexval(target[i + 1]) : -1, lo = hi >= 0 ? hexval(target[i + 2]) : -1;

			if (lo < 0)
				return 400;
			ch = hi << 4 | lo;
			i += 2;
		}
		if (ch == 0 || n >= sizeof(dec) - 1)
			return 400;
		dec[n++] = (char)ch;
	}
	dec[n] = '\0';
	/* Segment by segment into out, which always starts with '/'. */
	for (char *seg = dec, *end; *seg; seg = end) {
		while (*seg == '/')
			seg++;
		end = seg + strcspn(seg, "/");
		if (end - seg == 1 && seg[0] == '.')
			continue;
		if (end - seg == 2 && seg[0] == '.' && seg[1] == '.') {
			if (o == 0)
				return 403; /* above the root */
			while (o > 0 && out[--o] != '/')
				;
			continue;
		}
		if (end == seg)
			continue;
		if (o + 1 + (size_t)(end - seg) + 1 >= outlen)
			return 400;
		out[o++] = '/';
		memcpy(out + o, seg, (size_t)(end - seg));
		o += (size_t)(end - seg);
	}
	if (o == 0 || (n > 0 && dec[n - 1] == '/'))
		out[o++] = '/'; /* a directory: its index */
	out[o] = '\0';
	return 0;
}

struct request {
	const char *method, *target, *version;
	size_t mlen, tlen, vlen;
	bool keep_alive, head;
};

/* The request line: METHOD SP TARGET SP HTTP/x.y. 0 or a status. */
static int parse_line(const char *p, size_t len, struct request *r)
{
	const char *sp1 = memchr(p, ' ', len), *sp2;

	if (!sp1 || sp1 == p)
		return 400;
	sp2 = memchr(sp1 + 1, ' ', len - (size_t)(sp1 + 1 - p));
	if (!sp2 || sp2 == sp1 + 1 || memchr(sp2 + 1, ' ', len - (size_t)(sp2 + 1 - p)))
		return 400;
	r->method = p;
	r->mlen = (size_t)(sp1 - p);
	r->target = sp1 + 1;
	r->tlen = (size_t)(sp2 - sp1 - 1);
	r->version = sp2 + 1;
	r->vlen = len - (size_t)(sp2 + 1 - p);
	for (size_t i = 0; i < r->mlen; i++)
		if (p[i] < 'A' || p[i] > 'Z')
			return 400;
	if (r->vlen == 8 && !memcmp(r->version, "HTTP/1.1", 8))
		r->keep_alive = true;
	else if (r->vlen == 8 && !memcmp(r->version, "HTTP/1.0", 8))
		r->keep_alive = false;
	else if (r->vlen >= 5 && !memcmp(r->version, "HTTP/", 5))
		return 505;
	else
		return 400;
	if (r->mlen == 4 && !memcmp(p, "HEAD", 4))
		r->head = true;
	else if (!(r->mlen == 3 && !memcmp(p, "GET", 3)))
		return 405;
	return 0;
}

/* One header line "Name: value". 0 or a status. */
static int parse_header(const char *p, size_t len, struct request *r, bool *host)
{
	const char *colon = memchr(p, ':', len), *v;
	size_t nlen, vlen;

	if (!colon || colon == p)
		return 400;
	nlen = (size_t)(colon - p);
	for (size_t i = 0; i < nlen; i++)
		if (p[i] <= ' ' || p[i] >= 127)
			return 400;
	v = colon + 1;
	vlen = len - nlen - 1;
	while (vlen && (*v == ' ' || *v == '\t'))
		v++, vlen--;
	while (vlen && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
		vlen--;
	if (nlen == 4 && !strncasecmp(p, "Host", 4)) {
		*host = true;
	} else if (nlen == 10 && !strncasecmp(p, "Connection", 10)) {
		if (vlen == 5 && !strncasecmp(v, "close", 5))
			r->keep_alive = false;
		else if (vlen == 10 && !strncasecmp(v, "keep-alive", 10))
			r->keep_alive = true;
	} else if (nlen == 14 && !strncasecmp(p, "Content-Length", 14)) {
		if (!vlen || vlen > 18)
			return 400;
		for (size_t i = 0; i < vlen; i++)
			if (v[i] < '0' || v[i] > '9')
				return 400;
		if (strtoull(v, NULL, 10) > 0)
			return 413; /* GET and HEAD take no body */
	} else if (nlen == 17 && !strncasecmp(p, "Transfer-Encoding", 17)) {
		return 413;
	}
	return 0;
}

/* The end of the header block (just past its empty line), or NULL when it is not all here. */
static const char *headers_end(const char *p, size_t len)
{
	for (size_t i = 0; i + 1 < len; i++) {
		if (p[i] == '\n' && p[i + 1] == '\n')
			return p + i + 2;
		if (i + 3 < len && p[i] == '\r' && p[i + 1] == '\n' && p[i + 2] == '\r' && p[i + 3] == '\n')
			return p + i + 4;
	}
	return NULL;
}

static int parse(const char *p, size_t len, struct request *r)
{
	const char *line = p, *end = p + len;
	bool host = false, first = true;
	int st;

	while (line < end) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		size_t n = (size_t)((nl ? nl : end) - line);

		if (n && line[n - 1] == '\r')
			n--;
		if (!n)
			break;
		if ((st = first ? parse_line(line, n, r) : parse_header(line, n, r, &host)))
			return st;
		first = false;
		line = nl ? nl + 1 : end;
	}
	if (first)
		return 400;
	if (r->vlen == 8 && r->version[7] == '1' && !host)
		return 400; /* HTTP/1.1 requires Host */
	return 0;
}

static void serve_file(struct conn *c, const struct options *o, const struct request *r)
{
	char path[LINE_MAX_LEN + 16], lm[64], extra[96];
	const struct file *f;
	int st = clean_path(r->target, r->tlen, path, sizeof(path));

	if (st) {
		http_error(c, st);
		return;
	}
	if (!(f = file_get(o->root, path))) {
		http_error(c, errno == ENOENT || errno == ENOTDIR || errno == EISDIR ? 404 : 500);
		return;
	}
	http_date((time_t)f->mtime, lm, sizeof(lm));
	snprintf(extra, sizeof(extra), "Last-Modified: %s\r\n", lm);
	queue_head(c, 200, f->type, f->len, extra, r->keep_alive);
	c->body = f->data;
	c->blen = r->head ? 0 : f->len;
	c->boff = 0;
	c->closing = !r->keep_alive;
}

int http_respond(struct conn *c, const struct options *o, size_t *used)
{
	const char *nl = memchr(c->in, '\n', c->inlen), *end;
	struct request r = { 0 };
	int st;

	c->has_line = nl != NULL;
	if ((nl ? (size_t)(nl - c->in) : c->inlen) > LINE_MAX_LEN) {
		http_error(c, 414);
		*used = c->inlen;
		return HTTP_DONE;
	}
	if (!(end = headers_end(c->in, c->inlen)))
		return HTTP_NEED_MORE;
	*used = (size_t)(end - c->in);
	if ((st = parse(c->in, *used, &r)))
		http_error(c, st);
	else
		serve_file(c, o, &r);
	return HTTP_DONE;
}
