/* SPDX-License-Identifier: MIT */
/* The boot command line: kernel options ("key=value", before "--") and the app's argv after it. */
#ifndef SKIFF_CMDLINE_H
#define SKIFF_CMDLINE_H

#include <stddef.h>

#define SK_CMDLINE_MAX 4096 /* bytes, including the terminating NUL */
#define SK_CMDLINE_MAX_ARGS 64
#define SK_CMDLINE_MAX_OPTS 32

struct sk_cmdline_opt {
	const char *key;
	const char *value; /* NULL for a bare word without '=' */
};

struct sk_cmdline {
	char buf[SK_CMDLINE_MAX]; /* the split words live here */
	struct sk_cmdline_opt opt[SK_CMDLINE_MAX_OPTS];
	int nr_opts;
	/* argv[0] is the app name passed to sk_cmdline_parse; argv[argc] is NULL. */
	char *argv[SK_CMDLINE_MAX_ARGS + 1];
	int argc;
};

/*
 * Split line into words. Words are separated by spaces/tabs/newlines; a word may contain
 * "double" or 'single' quoted parts (quotes removed; no expansion inside single quotes), and a
 * backslash outside single quotes escapes the next character. Words before the first bare "--"
 * are kernel options ("key=value" or "key"); words after it are app arguments. A line without
 * "--" has only options.
 * Returns 0, or -E2BIG (line too long, too many options or arguments) or -EINVAL (unterminated
 * quote, trailing backslash, an option with an empty key such as "=x"). On error *cl holds no
 * partial result that callers may use; err_pos (if not NULL) gets the byte offset of the problem.
 */
int sk_cmdline_parse(struct sk_cmdline *cl, const char *line, const char *app_name, size_t *err_pos);

/* The value of the last option called key, "" for a bare key, NULL if absent. */
const char *sk_cmdline_get(const struct sk_cmdline *cl, const char *key);

#endif
