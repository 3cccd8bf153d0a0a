// SPDX-License-Identifier: MIT
/* Splits the boot command line into kernel options and the app's argv, shell-style quoting included. */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include <skiff/cmdline.h>

/* Parser state: the input position and where the next word byte goes in cl->buf. */
struct parser {
	struct sk_cmdline *cl;
	const char *line;
	size_t pos;
	size_t out;
	size_t err_pos;
};

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

static int emit(struct parser *p, char c)
{
	if (p->out >= sizeof(p->cl->buf)) {
		p->err_pos = p->pos;
		return -E2BIG;
	}
	p->cl->buf[p->out++] = c;
	return 0;
}

/* Copy a quoted part, p->pos on the opening quote; only "..." knows escapes, and only \" and \\. */
static int quoted(struct parser *p)
{
	char q = p->line[p->pos];
	size_t open = p->pos++;
	int err;

	for (;;) {
		char c = p->line[p->pos];

		if (c == '\0') {
			p->err_pos = open;
			return -EINVAL;
		}
		p->pos++;
		if (c == q)
			return 0;
		if (q == '"' && c == '\\' && (p->line[p->pos] == '"' || p->line[p->pos] == '\\'))
			c = p->line[p->pos++];
		err = emit(p, c);
		if (err)
			return err;
	}
}

/*
 * Copy one word into cl->buf and NUL-terminate it. *bare tells whether it was written without any
 * quote or backslash: only a bare "--" separates options from arguments.
 */
static int word(struct parser *p, bool *bare)
{
	int err = 0;

	*bare = true;
	while (!err && p->line[p->pos] && !is_space(p->line[p->pos])) {
		char c = p->line[p->pos];

		if (c == '"' || c == '\'') {
			*bare = false;
			err = quoted(p);
		} else if (c == '\\') {
			*bare = false;
			if (!p->line[p->pos + 1]) {
				p->err_pos = p->pos;
				return -EINVAL;
			}
			err = emit(p, p->line[p->pos + 1]);
			p->pos += 2;
		} else {
			err = emit(p, c);
			p->pos++;
		}
	}
	return err ? err : emit(p, '\0');
}

/* "key=value" splits at the first '='; the '=' becomes the key's terminating NUL. */
static int add_opt(struct parser *p, char *w, size_t start)
{
	struct sk_cmdline *cl = p->cl;
	char *eq = strchr(w, '=');

	p->err_pos = start;
	if (eq == w || !*w)
		return -EINVAL;
	if (cl->nr_opts >= SK_CMDLINE_MAX_OPTS)
		return -E2BIG;
	if (eq)
		*eq++ = '\0';
	cl->opt[cl->nr_opts].key = w;
	cl->opt[cl->nr_opts].value = eq;
	cl->nr_opts++;
	return 0;
}

/* argv keeps one slot for the terminating NULL, so argc tops out at SK_CMDLINE_MAX_ARGS. */
static int add_arg(struct parser *p, char *w, size_t start)
{
	struct sk_cmdline *cl = p->cl;

	if (cl->argc >= SK_CMDLINE_MAX_ARGS) {
		p->err_pos = start;
		return -E2BIG;
	}
	cl->argv[cl->argc++] = w;
	return 0;
}

/* Run through the line; returns 0 or the first error, leaving p->err_pos on it. */
static int split(struct parser *p)
{
	bool in_args = false;

	for (;;) {
		size_t start, first;
		bool bare;
		int err;

		while (is_space(p->line[p->pos]))
			p->pos++;
		if (!p->line[p->pos])
			return 0;
		start = p->pos;
		first = p->out;
		err = word(p, &bare);
		if (err)
			return err;
		if (!in_args && bare && strcmp(p->cl->buf + first, "--") == 0) {
			/* The separator takes no room: forget its bytes. */
			in_args = true;
			p->out = first;
			continue;
		}
		if (in_args)
			err = add_arg(p, p->cl->buf + first, start);
		else
			err = add_opt(p, p->cl->buf + first, start);
		if (err)
			return err;
	}
}

int sk_cmdline_parse(struct sk_cmdline *cl, const char *line, const char *app_name, size_t *err_pos)
{
	struct parser p = { .cl = cl, .line = line ? line : "" };
	int err;

	cl->nr_opts = 0;
	cl->argc = 0;
	/*
	 * argv[0] is the caller's string itself, not a copy, so that the whole of buf is left for the
	 * line; argv is char * only by convention, nothing here writes through it.
	 */
	cl->argv[cl->argc++] = (char *)(app_name ? app_name : "");
	err = split(&p);
	if (err) {
		/* Callers must not mistake a half-parsed line for a result. */
		cl->nr_opts = 0;
		cl->argc = 0;
		cl->argv[0] = NULL;
		cl->buf[0] = '\0';
		if (err_pos)
			*err_pos = p.err_pos;
		return err;
	}
	cl->argv[cl->argc] = NULL;
	return 0;
}

const char *sk_cmdline_get(const struct sk_cmdline *cl, const char *key)
{
	if (!key)
		return NULL;
	/* Walk backwards: a later option overrides an earlier one. */
	for (int i = cl->nr_opts - 1; i >= 0; i--) {
		if (strcmp(cl->opt[i].key, key) == 0)
			return cl->opt[i].value ? cl->opt[i].value : "";
	}
	return NULL;
}
