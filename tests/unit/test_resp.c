// SPDX-License-Identifier: MIT
/*
 * Host unit tests of kv's RESP parser and the keyspace (apps/kv/resp.c, store.c): requests cut
 * at every byte parse the same once whole (an incomplete request is parsed again from its start,
 * so nothing may be changed in place before it is whole), hostile counts and lengths are errors
 * that allocate nothing, inline commands; the store's memory limit, expiry, SCAN over a table
 * that grows between calls, and Redis's glob.
 */
#include <string.h>
#include "../../apps/kv/resp.h"
#include "../../apps/kv/store.h"
#include "unit.h"

static enum resp_result parse(const char *text, size_t len, struct resp_req *req, size_t *used,
			      const char **err)
{
	static char buf[1 << 16];
	size_t need;

	memcpy(buf, text, len);
	return resp_parse(buf, len, req, used, &need, err);
}

static void array_whole_and_cut(void)
{
	static const char req[] = "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nva\r\nl\r\n";
	static char buf[sizeof(req)];
	struct resp_req r = { 0 };
	size_t used, need, len = sizeof(req) - 1;
	const char *err = NULL;

	/* The same buffer grows a byte at a time, as reads deliver it. */
	for (size_t n = 0; n < len; n++) {
		memcpy(buf + n, req + n, 1);
		CHECK_EQ(resp_parse(buf, n + 1 == len ? len : n + 1, &r, &used, &need, &err),
			 n + 1 == len ? RESP_OK : RESP_NEED_MORE);
	}
	CHECK_EQ(r.argc, 3);
	CHECK_STR(r.argv[0], "SET");
	CHECK_STR(r.argv[1], "key");
	CHECK_EQ(r.lens[2], 5);
	CHECK(!memcmp(r.argv[2], "va\r\nl", 5)); /* binary safe: a CRLF inside a value */
	CHECK_EQ(used, len);
	resp_req_free(&r);
}

static void hostile_lengths(void)
{
	static const struct {
		const char *text;
		enum resp_result want;
	} cases[] = {
		{ "*1\r\n$1099511627776\r\n", RESP_ERROR },	/* 2^40 */
		{ "*1\r\n$67108865\r\n", RESP_ERROR },		/* one byte past the limit */
		{ "*2\r\n$3\r\nGET\r\n$-5\r\n", RESP_ERROR },	/* negative */
		{ "*1\r\n$abc\r\n", RESP_ERROR },
		{ "*abc\r\n", RESP_ERROR },
		{ "*1048577\r\n", RESP_ERROR },			/* over Redis's element limit */
		{ "*1\r\n$4\r\nPINGxx", RESP_ERROR },		/* no CRLF after the bytes */
		{ "*1\r\n:4\r\n", RESP_ERROR },			/* not a bulk string */
		{ "*-1\r\n", RESP_EMPTY },			/* a null array: ignored, as Redis does */
		{ "*0\r\n", RESP_EMPTY },
		{ "*1048576\r\n", RESP_NEED_MORE },		/* a count claims; nothing is allocated for it */
		{ "*1\r\n$67108864\r\n", RESP_NEED_MORE },	/* at the limit: waits for the bytes */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct resp_req r = { 0 };
		size_t used;
		const char *err = NULL;

		CHECK_EQ(parse(cases[i].text, strlen(cases[i].text), &r, &used, &err), cases[i].want);
		if (cases[i].want == RESP_ERROR)
			CHECK(err && !strncmp(err, "Protocol error", 14));
		CHECK(r.cap <= 8); /* at most the first argument's room */
		resp_req_free(&r);
	}
}

static void inline_commands(void)
{
	struct resp_req r = { 0 };
	size_t used;
	const char *err = NULL;
	static const char text[] = "SET k \"two words\"\r\nGET k\n";

	CHECK_EQ(parse(text, sizeof(text) - 1, &r, &used, &err), RESP_OK);
	CHECK_EQ(r.argc, 3);
	CHECK_STR(r.argv[2], "two words");
	CHECK_EQ(used, 19);
	CHECK_EQ(parse("\r\n", 2, &r, &used, &err), RESP_EMPTY);
	CHECK_EQ(parse("GET \"k\r\n", 8, &r, &used, &err), RESP_ERROR); /* unbalanced quotes */
	resp_req_free(&r);
}

static void replies(void)
{
	struct resp_out o = { 0 };

	resp_simple(&o, "OK");
	resp_error(&o, "ERR bad %s", "line\r\nbreak"); /* an error reply is one line */
	resp_int(&o, -42);
	resp_bulk(&o, "a\0b", 3);
	resp_null(&o);
	resp_array(&o, 2);
	CHECK_EQ(o.len, 5 + 22 + 6 + 9 + 5 + 4);
	CHECK(!memcmp(o.buf, "+OK\r\n-ERR bad line  break\r\n:-42\r\n$3\r\na\0b\r\n$-1\r\n*2\r\n", o.len));
	free(o.buf);
}

static void store_limit_and_expiry(void)
{
	char big[4096];
	struct store_stats st;
	struct entry *e;

	memset(big, 'x', sizeof(big));
	store_init(64 << 10);
	CHECK(store_set("a", 1, "1", 1, 0) != NULL);
	for (int i = 0; i < 100; i++) { /* fills up to the limit, then refuses */
		char k[16];

		snprintf(k, sizeof(k), "k%d", i);
		store_set(k, strlen(k), big, sizeof(big), 0);
	}
	store_get_stats(&st);
	CHECK(st.used_bytes <= st.max_bytes);
	CHECK(st.evictions_refused > 0);
	CHECK((e = store_get("a", 1)) != NULL);
	store_set_expire(e, store_now_ms() - 1); /* already past */
	CHECK(store_get("a", 1) == NULL);
	store_flush();
	store_get_stats(&st);
	CHECK_EQ(st.keys, 0);
	CHECK_EQ(st.expires, 0);
}

struct seen {
	unsigned n;
	unsigned char hit[600];
};

static void mark(struct entry *e, void *ctx)
{
	struct seen *s = ctx;
	int i = atoi(e->key + 1);

	if (i >= 0 && i < 600) {
		s->hit[i]++;
		s->n++;
	}
}

/* A SCAN that runs while the table doubles visits every key that was there all along. */
static void scan_across_growth(void)
{
	struct seen s = { 0 };
	uint64_t cursor = 0;
	int next = 0;

	store_init(0);
	for (; next < 100; next++) {
		char k[16];

		snprintf(k, sizeof(k), "k%d", next);
		store_set(k, strlen(k), "v", 1, 0);
	}
	do {
		cursor = store_scan(cursor, 10, mark, &s);
		for (int j = 0; j < 50 && next < 600; j++, next++) { /* the table grows meanwhile */
			char k[16];

			snprintf(k, sizeof(k), "k%d", next);
			store_set(k, strlen(k), "v", 1, 0);
		}
	} while (cursor);
	for (int i = 0; i < 100; i++)
		CHECK(s.hit[i] >= 1);
	store_flush();
}

static void glob(void)
{
	CHECK(store_glob("h?llo", 5, "hello", 5));
	CHECK(store_glob("h*llo", 5, "heeeello", 8));
	CHECK(store_glob("h[ae]llo", 8, "hallo", 5));
	CHECK(!store_glob("h[^e]llo", 8, "hello", 5));
	CHECK(store_glob("h[a-b]llo", 9, "hbllo", 5));
	CHECK(store_glob("\\*", 2, "*", 1));
	CHECK(!store_glob("\\*", 2, "a", 1));
	CHECK(store_glob("*", 1, "", 0));
	CHECK(!store_glob("a[", 2, "ab", 2)); /* an unclosed class matches nothing */
}

UNIT_MAIN("resp", UNIT_TEST(array_whole_and_cut), UNIT_TEST(hostile_lengths), UNIT_TEST(inline_commands),
	  UNIT_TEST(replies), UNIT_TEST(store_limit_and_expiry), UNIT_TEST(scan_across_growth), UNIT_TEST(glob))
