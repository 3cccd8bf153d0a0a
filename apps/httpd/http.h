/* SPDX-License-Identifier: MIT */
/* httpd's pieces: connections (main.c), requests and responses (http.c), files (files.c). */
#ifndef HTTPD_HTTP_H
#define HTTPD_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IN_MAX (16 * 1024)	/* request line and headers: at most this (431 beyond) */
#define LINE_MAX_LEN 8192	/* the request line alone (414 beyond) */
#define HEAD_MAX 512

struct options {
	int port;
	const char *root;
	unsigned idle_s;
	unsigned max_conns;
};

struct conn {
	int fd;
	uint32_t events;
	uint64_t last_ms;
	bool closing;		/* close once the output is sent */
	bool linger;		/* ... reading and dropping what the client still sends (an error) */
	bool lingering;		/* output sent, write side shut: draining the client until it stops */
	bool has_line;		/* a whole request line is in the buffer */
	bool dead;
	struct conn *prev, *next;
	size_t inlen;
	char in[IN_MAX];
	/* output: a header, then a body (a cached file's bytes) */
	char head[HEAD_MAX];
	size_t hlen, hoff;
	const void *body;
	size_t blen, boff;
};

void conn_link(struct conn *c);
void conn_unlink(struct conn *c);
struct conn *conn_first(void);
static inline bool conn_alive(const struct conn *c)
{
	return !c->dead;
}

int parse_options(int argc, char **argv, struct options *o);

#define HTTP_NEED_MORE 0
#define HTTP_DONE 1
/* Parse one request from c->in and queue its response: HTTP_NEED_MORE, or HTTP_DONE with *used. */
int http_respond(struct conn *c, const struct options *o, size_t *used);
/* Queue an error response and mark the connection to close after it. */
void http_error(struct conn *c, int status);

/* A file under root, read once and kept: NULL with errno (ENOENT, EISDIR, ...) when it is not. */
struct file {
	const char *data;
	size_t len;
	int64_t mtime;
	const char *type;
};
const struct file *file_get(const char *root, const char *path);

#endif
