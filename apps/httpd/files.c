// SPDX-License-Identifier: MIT
/*
 * Files to serve, read whole on first request and kept (the initrd never changes; for a writable
 * root a changed file is served as first read until restart). Content-Type from the extension.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include "http.h"

#define MAX_FILE (64u << 20)

struct cached {
	struct file f;
	char *path;
	struct cached *next;
};

static struct cached *cache;

static const char *type_of(const char *path)
{
	static const char *const types[][2] = {
		{ "html", "text/html; charset=utf-8" }, { "htm", "text/html; charset=utf-8" },
		{ "txt", "text/plain; charset=utf-8" }, { "css", "text/css" },
		{ "js", "text/javascript" }, { "json", "application/json" }, { "xml", "application/xml" },
		{ "png", "image/png" }, { "jpg", "image/jpeg" }, { "jpeg", "image/jpeg" },
		{ "gif", "image/gif" }, { "svg", "image/svg+xml" }, { "ico", "image/x-icon" },
		{ "webp", "image/webp" }, { "pdf", "application/pdf" }, { "wasm", "application/wasm" },
		{ "lua", "text/plain; charset=utf-8" },
	};
	const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');

	if (dot && (!slash || dot > slash))
		for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
			if (!strcasecmp(dot + 1, types[i][0]))
				return types[i][1];
	return "application/octet-stream";
}

static struct cached *load(const char *full)
{
	struct stat st;
	struct cached *c;
	int fd = open(full, O_RDONLY);
	size_t got = 0;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > MAX_FILE) {
		errno = S_ISDIR(st.st_mode) ? EISDIR : EFBIG;
		close(fd);
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (c) {
		c->f.len = (size_t)st.st_size;
		c->f.data = malloc(c->f.len ? c->f.len : 1);
		c->path = strdup(full);
	}
	while (c && c->f.data && c->path && got < c->f.len) {
		ssize_t n = read(fd, (char *)c->f.data + got, c->f.len - got);

		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	if (!c || !c->f.data || !c->path || got != c->f.len) {
		if (c) {
			free((void *)c->f.data);
			free(c->path);
		}
		free(c);
		errno = ENOMEM;
		return NULL;
	}
	c->f.mtime = st.st_mtime;
	c->f.type = type_of(full);
	return c;
}

const struct file *file_get(const char *root, const char *path)
{
	char full[1024];
	struct cached *c;
	struct stat st;

	if ((size_t)snprintf(full, sizeof(full), "%s%s", root, path) >= sizeof(full)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	/* A directory serves its index.html. */
	if (full[strlen(full) - 1] == '/' || (!stat(full, &st) && S_ISDIR(st.st_mode))) {
		size_t len = strlen(full);

		if ((size_t)snprintf(full + len, sizeof(full) - len, "%sindex.html",
				     full[len - 1] == '/' ? "" : "/") >= sizeof(full) - len) {
			errno = ENAMETOOLONG;
			return NULL;
		}
	}
	for (c = cache; c; c = c->next)
		if (!strcmp(c->path, full))
			return &c->f;
	if (!(c = load(full)))
		return NULL;
	c->next = cache;
	cache = c;
	return &c->f;
}
