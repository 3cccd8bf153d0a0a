// SPDX-License-Identifier: MIT
/* Host tests for the boot command line parser: splitting, quoting, options, argv, errors, limits. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <skiff/cmdline.h>
#include <skiff/compiler.h>
#include "unit.h"

static struct sk_cmdline cl; /* too big for comfort on the stack */
static size_t err_pos;

static int parse(const char *line)
{
	err_pos = (size_t)-1;
	return sk_cmdline_parse(&cl, line, "app", &err_pos);
}

/* argv must be exactly "app" followed by want (a NULL-terminated list), then NULL. */
static void check_args(int line, const char *const *want)
{
	int n = 0;

	while (want[n])
		n++;
	if (cl.argc != n + 1 || strcmp(cl.argv[0], "app") != 0 || cl.argv[cl.argc] != NULL) {
		fprintf(stderr, "  line %d: argc %d, want %d\n", line, cl.argc, n + 1);
		unit_failed_checks++;
		return;
	}
	for (int i = 0; i < n; i++) {
		if (strcmp(cl.argv[i + 1], want[i]) != 0) {
			fprintf(stderr, "  line %d: argv[%d] \"%s\", want \"%s\"\n", line, i + 1,
				cl.argv[i + 1], want[i]);
			unit_failed_checks++;
		}
	}
}

#define ARGS(...) check_args(__LINE__, (const char *const[]){ __VA_ARGS__, NULL })
#define NO_ARGS() check_args(__LINE__, (const char *const[]){ NULL })

/* Option i must be key with value (NULL for a bare key). */
static void check_opt(int line, int i, const char *key, const char *value)
{
	const struct sk_cmdline_opt *o = &cl.opt[i];

	if (i >= cl.nr_opts || strcmp(o->key, key) != 0 || (value == NULL) != (o->value == NULL) ||
	    (value && strcmp(o->value, value) != 0)) {
		fprintf(stderr, "  line %d: opt[%d] of %d is not %s=%s\n", line, i, cl.nr_opts, key,
			value ? value : "(NULL)");
		unit_failed_checks++;
	}
}

#define OPT(i, key, value) check_opt(__LINE__, i, key, value)

static void test_empty(void)
{
	static const char *const lines[] = { "", " ", "\t\n  \t", NULL };

	for (size_t i = 0; i < SK_ARRAY_SIZE(lines); i++) {
		CHECK_EQ(parse(lines[i]), 0);
		CHECK_EQ(cl.nr_opts, 0);
		NO_ARGS();
	}
	CHECK(sk_cmdline_get(&cl, "x") == NULL);
}

static void test_options_only(void)
{
	CHECK_EQ(parse("loglevel=7 quiet  mem=64M"), 0);
	CHECK_EQ(cl.nr_opts, 3);
	OPT(0, "loglevel", "7");
	OPT(1, "quiet", NULL);
	OPT(2, "mem", "64M");
	NO_ARGS();
}

static void test_option_values(void)
{
	CHECK_EQ(parse("a=b=c empty= k=\"v w\" 'q=r s' x=="), 0);
	CHECK_EQ(cl.nr_opts, 5);
	OPT(0, "a", "b=c"); /* split at the first '=' only */
	OPT(1, "empty", "");
	OPT(2, "k", "v w");
	OPT(3, "q", "r s");
	OPT(4, "x", "=");
}

static void test_get(void)
{
	CHECK_EQ(parse("a=1 flag b= a=2 -- a=3"), 0);
	CHECK_STR(sk_cmdline_get(&cl, "a"), "2"); /* the last one wins; a=3 is an app argument */
	CHECK_STR(sk_cmdline_get(&cl, "flag"), "");
	CHECK(cl.opt[1].value == NULL);
	CHECK_STR(sk_cmdline_get(&cl, "b"), "");
	CHECK(sk_cmdline_get(&cl, "c") == NULL);
	CHECK(sk_cmdline_get(&cl, "fla") == NULL);
	CHECK(sk_cmdline_get(&cl, NULL) == NULL);
	/* A bare key after a valued one still counts as the last occurrence. */
	CHECK_EQ(parse("v=1 v"), 0);
	CHECK_STR(sk_cmdline_get(&cl, "v"), "");
}

static void test_separator(void)
{
	CHECK_EQ(parse("quiet -- hello world"), 0);
	CHECK_EQ(cl.nr_opts, 1);
	ARGS("hello", "world");

	CHECK_EQ(parse("--"), 0);
	CHECK_EQ(cl.nr_opts, 0);
	NO_ARGS();

	CHECK_EQ(parse("-- --"), 0);
	ARGS("--");

	/* After the separator nothing is an option, whatever it looks like. */
	CHECK_EQ(parse("-- k=v -- =x '' --"), 0);
	CHECK_EQ(cl.nr_opts, 0);
	ARGS("k=v", "--", "=x", "", "--");

	CHECK_EQ(parse("a\t--\nb"), 0);
	OPT(0, "a", NULL);
	ARGS("b");
}

static void test_quoted_separator_is_a_word(void)
{
	/* Quoted or escaped, "--" is an ordinary word: an option before the real separator. */
	CHECK_EQ(parse("'--' \"--\" \\-- -\\- -- x"), 0);
	CHECK_EQ(cl.nr_opts, 4);
	for (int i = 0; i < 4; i++)
		OPT(i, "--", NULL);
	ARGS("x");

	CHECK_EQ(parse("-- '--' a"), 0);
	ARGS("--", "a");
}

static void test_quotes(void)
{
	CHECK_EQ(parse("-- \"a b\" 'c d' e\\ f"), 0);
	ARGS("a b", "c d", "e f");

	/* Quotes may start, end or sit inside a word. */
	CHECK_EQ(parse("-- a\"b c\"d x'y'z \"\"q q''"), 0);
	ARGS("ab cd", "xyz", "q", "q");

	/* Single quotes are literal: backslashes and double quotes stay. */
	CHECK_EQ(parse("-- 'a\\b' 'say \"hi\"' '\\'"), 0);
	ARGS("a\\b", "say \"hi\"", "\\");
	CHECK_EQ(parse("-- 'a\\\\b' '\\\"'"), 0);
	ARGS("a\\\\b", "\\\"");

	/* In double quotes only \" and \\ are escapes; other backslashes stay. */
	CHECK_EQ(parse("-- \"\\\"x\\\"\" \"a\\\\b\" \"\\n\\t\" \"it's\""), 0);
	ARGS("\"x\"", "a\\b", "\\n\\t", "it's");

	/* Outside quotes a backslash escapes anything, quotes and whitespace included. */
	CHECK_EQ(parse("-- \\\" \\' \\\\ a\\\tb \\a"), 0);
	ARGS("\"", "'", "\\", "a\tb", "a");

	/* Whitespace inside quotes, newlines included, does not split. */
	CHECK_EQ(parse("-- \"a\tb\nc\""), 0);
	ARGS("a\tb\nc");
}

static void test_empty_args(void)
{
	CHECK_EQ(parse("-- \"\" '' a \"\""), 0);
	ARGS("", "", "a", "");
	CHECK_EQ(parse("--  ''"), 0);
	ARGS("");
}

static void test_whitespace(void)
{
	CHECK_EQ(parse("\t\n a=1\t\tb\n--\n\tx \t y\n"), 0);
	CHECK_EQ(cl.nr_opts, 2);
	OPT(0, "a", "1");
	OPT(1, "b", NULL);
	ARGS("x", "y");
}

static void test_app_name(void)
{
	CHECK_EQ(sk_cmdline_parse(&cl, "-- a", "myapp", NULL), 0);
	CHECK_EQ(cl.argc, 2);
	CHECK_STR(cl.argv[0], "myapp");
	CHECK_STR(cl.argv[1], "a");
	CHECK(cl.argv[2] == NULL);

	CHECK_EQ(sk_cmdline_parse(&cl, NULL, "solo", NULL), 0);
	CHECK_EQ(cl.argc, 1);
	CHECK_STR(cl.argv[0], "solo");
	CHECK(cl.argv[1] == NULL);
}

/* Words live inside cl.buf; the caller's line is left alone. */
static void test_storage(void)
{
	char line[] = "k=v -- arg";

	CHECK_EQ(sk_cmdline_parse(&cl, line, "app", NULL), 0);
	CHECK_STR(line, "k=v -- arg");
	CHECK(cl.opt[0].key >= cl.buf && cl.opt[0].key < cl.buf + sizeof(cl.buf));
	CHECK(cl.opt[0].value >= cl.buf && cl.opt[0].value < cl.buf + sizeof(cl.buf));
	CHECK(cl.argv[1] >= cl.buf && cl.argv[1] < cl.buf + sizeof(cl.buf));
}

static void check_error(int line, const char *text, int want_err, size_t want_pos)
{
	int err = parse(text);

	if (err != want_err || err_pos != want_pos) {
		fprintf(stderr, "  line %d: parse(\"%s\") = %d at %zu, want %d at %zu\n", line, text,
			err, err_pos, want_err, want_pos);
		unit_failed_checks++;
	}
	/* No half-parsed result survives an error. */
	if (cl.argc != 0 || cl.nr_opts != 0 || sk_cmdline_get(&cl, "a") != NULL) {
		fprintf(stderr, "  line %d: a partial result was left behind\n", line);
		unit_failed_checks++;
	}
}

#define ERR(text, err, pos) check_error(__LINE__, text, err, pos)

static void test_errors(void)
{
	ERR("a=1 \"abc", -EINVAL, 4);		/* unterminated double quote: at the quote */
	ERR("a=1 x'abc", -EINVAL, 5);		/* unterminated single quote */
	ERR("-- \"abc\\\"", -EINVAL, 3);	/* the escaped quote does not close it */
	ERR("a=1 b\\", -EINVAL, 5);		/* trailing backslash */
	ERR("a=1 =x", -EINVAL, 4);		/* empty key */
	ERR("a=1 =", -EINVAL, 4);
	ERR("a=1 '=x'", -EINVAL, 4);		/* quoting does not hide the empty key */
	ERR("a=1 ''", -EINVAL, 4);		/* an empty option word has an empty key */
	/* Good words before an error do not make a partial success. */
	ERR("\"x\" 'y", -EINVAL, 4);
}

/* Only a bare "--" word separates: "--=1" is the option "--" with value "1". */
static void test_dashes_as_key(void)
{
	CHECK_EQ(parse("--=1 --x"), 0);
	OPT(0, "--", "1");
	OPT(1, "--x", NULL);
	NO_ARGS();
}

static void test_err_pos_optional(void)
{
	CHECK_EQ(sk_cmdline_parse(&cl, "\"", "app", NULL), -EINVAL);
}

/* Build "-- w w w ..." with n words. */
static char *args_line(int n, const char *w)
{
	size_t len = 3 + (size_t)n * (strlen(w) + 1) + 1;
	char *s = malloc(len), *p = s;

	p += sprintf(p, "--");
	for (int i = 0; i < n; i++)
		p += sprintf(p, " %s", w);
	return s;
}

static void test_arg_limit(void)
{
	/* argv[0] is the app, so the line can carry SK_CMDLINE_MAX_ARGS - 1 arguments. */
	char *fits = args_line(SK_CMDLINE_MAX_ARGS - 1, "a");
	char *over = args_line(SK_CMDLINE_MAX_ARGS, "a");

	CHECK_EQ(parse(fits), 0);
	CHECK_EQ(cl.argc, SK_CMDLINE_MAX_ARGS);
	CHECK(cl.argv[SK_CMDLINE_MAX_ARGS] == NULL);
	CHECK_STR(cl.argv[SK_CMDLINE_MAX_ARGS - 1], "a");
	CHECK_EQ(parse(over), -E2BIG);
	CHECK_EQ(err_pos, strlen(over) - 1); /* the word that did not fit */
	CHECK_EQ(cl.argc, 0);
	free(fits);
	free(over);
}

static void test_opt_limit(void)
{
	char line[SK_CMDLINE_MAX_OPTS * 4 + 8], *p = line;

	for (int i = 0; i < SK_CMDLINE_MAX_OPTS; i++)
		p += sprintf(p, "k%c ", 'A' + i % 26);
	CHECK_EQ(parse(line), 0);
	CHECK_EQ(cl.nr_opts, SK_CMDLINE_MAX_OPTS);
	strcpy(p, "k=1");
	CHECK_EQ(parse(line), -E2BIG);
	CHECK_EQ(err_pos, (size_t)(p - line));
	CHECK_EQ(cl.nr_opts, 0);
	/* Words after "--" do not count against the option limit. */
	strcpy(p, "-- k=1");
	CHECK_EQ(parse(line), 0);
	ARGS("k=1");
}

static void test_long_lines(void)
{
	char *line = malloc(3 * SK_CMDLINE_MAX);

	/* One word filling buf exactly: SK_CMDLINE_MAX - 1 bytes and its NUL. */
	memset(line, 'x', SK_CMDLINE_MAX - 1);
	line[SK_CMDLINE_MAX - 1] = '\0';
	CHECK_EQ(parse(line), 0);
	CHECK_EQ(strlen(cl.opt[0].key), SK_CMDLINE_MAX - 1);

	/* One byte more does not fit. */
	memset(line, 'x', SK_CMDLINE_MAX);
	line[SK_CMDLINE_MAX] = '\0';
	CHECK_EQ(parse(line), -E2BIG);
	CHECK_EQ(err_pos, SK_CMDLINE_MAX);
	CHECK_EQ(cl.nr_opts, 0);

	/* Whitespace costs nothing, so a long but sparse line still fits. */
	memset(line, ' ', 3 * SK_CMDLINE_MAX - 1);
	line[3 * SK_CMDLINE_MAX - 1] = '\0';
	memcpy(line + 2 * SK_CMDLINE_MAX, "k=v -- a", 8);
	CHECK_EQ(parse(line), 0);
	CHECK_STR(sk_cmdline_get(&cl, "k"), "v");
	ARGS("a");

	/* Two arguments whose bytes and NULs fill buf exactly, then one byte more. */
	memset(line, 'y', 3 + 2 * (SK_CMDLINE_MAX / 2));
	memcpy(line, "-- ", 3);
	line[3 + SK_CMDLINE_MAX / 2 - 1] = ' ';
	line[3 + 2 * (SK_CMDLINE_MAX / 2) - 1] = '\0';
	CHECK_EQ(parse(line), 0);
	CHECK_EQ(cl.argc, 3);
	CHECK_EQ(strlen(cl.argv[1]) + strlen(cl.argv[2]) + 2, SK_CMDLINE_MAX);
	line[3 + 2 * (SK_CMDLINE_MAX / 2) - 1] = 'y';
	line[3 + 2 * (SK_CMDLINE_MAX / 2)] = '\0';
	CHECK_EQ(parse(line), -E2BIG);
	CHECK_EQ(err_pos, 3 + 2 * (SK_CMDLINE_MAX / 2)); /* the last word's NUL did not fit */

	/* A long unterminated quote reports where it opened. */
	memset(line, 'q', 2 * SK_CMDLINE_MAX);
	line[10] = '"';
	line[2 * SK_CMDLINE_MAX] = '\0';
	CHECK_EQ(parse(line), -E2BIG); /* it runs out of room before it runs out of line */
	line[SK_CMDLINE_MAX / 2] = '\0';
	CHECK_EQ(parse(line), -EINVAL);
	CHECK_EQ(err_pos, 10);
	free(line);
}

/* Reusing a struct after an error or a bigger line leaves nothing stale behind. */
static void test_reuse(void)
{
	CHECK_EQ(parse("a=1 b=2 c -- x y z"), 0);
	CHECK_EQ(parse("d=4"), 0);
	CHECK_EQ(cl.nr_opts, 1);
	CHECK(sk_cmdline_get(&cl, "a") == NULL);
	NO_ARGS();
	CHECK_EQ(parse("'"), -EINVAL);
	CHECK_EQ(parse("e -- w"), 0);
	OPT(0, "e", NULL);
	ARGS("w");
}

UNIT_MAIN("cmdline",
	  UNIT_TEST(test_empty),
	  UNIT_TEST(test_options_only),
	  UNIT_TEST(test_option_values),
	  UNIT_TEST(test_get),
	  UNIT_TEST(test_separator),
	  UNIT_TEST(test_quoted_separator_is_a_word),
	  UNIT_TEST(test_quotes),
	  UNIT_TEST(test_empty_args),
	  UNIT_TEST(test_whitespace),
	  UNIT_TEST(test_app_name),
	  UNIT_TEST(test_storage),
	  UNIT_TEST(test_errors),
	  UNIT_TEST(test_dashes_as_key),
	  UNIT_TEST(test_err_pos_optional),
	  UNIT_TEST(test_arg_limit),
	  UNIT_TEST(test_opt_limit),
	  UNIT_TEST(test_long_lines),
	  UNIT_TEST(test_reuse))
