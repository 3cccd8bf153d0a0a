// SPDX-License-Identifier: MIT
/*
 * kv's commands, with Redis's replies and error words. Every write logs its effect (aof.h), not
 * the command: INCR logs the new value, SET ... EX logs an absolute expiry, so a replay gives the
 * same data at any time.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "aof.h"
#include "kv.h"
#include "store.h"

#define E_INT "ERR value is not an integer or out of range"
#define E_SYNTAX "ERR syntax error"
#define E_OOM "OOM command not allowed when used memory > 'maxmemory'."
#define E_LOG "ERR the append-only log is full or failed: write refused"

struct server_stats kv_stats;

struct cmd {
	const char *name;
	int arity;		/* as Redis: n exactly, -n at least n (the name included) */
	void (*fn)(struct client *c, int argc, char **argv, const size_t *lens);
};

/* A whole decimal long long, as Redis's string2ll: no spaces, no "+", no leading zeros. */
static bool to_ll(const char *s, size_t len, long long *v)
{
	char buf[24], *end;

	if (!len || len > 20 || (len > 1 && s[0] == '0') || (s[0] == '-' && (len == 1 || s[1] == '0')))
		return len == 1 && s[0] == '0' ? (*v = 0, true) : false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	*v = strtoll(buf, &end, 10);
	return !errno && *end == '\0' && (isdigit((unsigned char)buf[0]) || buf[0] == '-');
}

static void log_rec(struct client *c, int argc, char **argv, const size_t *lens)
{
	if (!aof_enabled())
		return;
	if (aof_append(argc, argv, lens)) {
		resp_error(&c->out, E_LOG);
		return;
	}
	c->pending_commit = true;
}

/* SET key value [PXAT ms]: the record that recreates e (for the log and for its rewrite). */
struct set_rec {
	int argc;
	char *argv[5];
	size_t lens[5];
	char at[24];
};

static void set_record(const struct entry *e, struct set_rec *r)
{
	*r = (struct set_rec){ e->expire_ms ? 5 : 3, { "SET", (char *)e->key, e->val, "PXAT", r->at },
			       { 3, e->klen, e->vlen, 4, 0 }, "" };
	r->lens[4] = (size_t)snprintf(r->at, sizeof(r->at), "%lld", (long long)e->expire_ms);
}

static void log_set(struct client *c, const struct entry *e)
{
	struct set_rec r;

	set_record(e, &r);
	log_rec(c, r.argc, r.argv, r.lens);
}

static void log_del(struct client *c, const char *key, size_t klen)
{
	char *argv[2] = { "DEL", (char *)key };
	size_t lens[2] = { 3, klen };

	log_rec(c, 2, argv, lens);
}

static void cmd_ping(struct client *c, int argc, char **argv, const size_t *lens)
{
	if (argc > 2)
		resp_error(&c->out, "ERR wrong number of arguments for 'ping' command");
	else if (argc == 2)
		resp_bulk(&c->out, argv[1], lens[1]);
	else
		resp_simple(&c->out, "PONG");
}

static void cmd_echo(struct client *c, int argc, char **argv, const size_t *lens)
{
	(void)argc;
	resp_bulk(&c->out, argv[1], lens[1]);
}

static void cmd_quit(struct client *c, int argc, char **argv, const size_t *lens)
{
	(void)argc, (void)argv, (void)lens;
	resp_simple(&c->out, "OK");
	c->closing = true;
}

static void cmd_select(struct client *c, int argc, char **argv, const size_t *lens)
{
	long long db;

	(void)argc;
	if (!to_ll(argv[1], lens[1], &db))
		resp_error(&c->out, E_INT);
	else if (db != 0)
		resp_error(&c->out, "ERR DB index is out of range");
	else
		resp_simple(&c->out, "OK");
}

static void cmd_get(struct client *c, int argc, char **argv, const size_t *lens)
{
	struct entry *e = store_get(argv[1], lens[1]);

	(void)argc;
	if (e)
		resp_bulk(&c->out, e->val, e->vlen);
	else
		resp_null(&c->out);
}

/* SET's options: EX s, PX ms, EXAT s, PXAT ms, NX, XX, KEEPTTL, GET. */
struct set_opts {
	int64_t expire_ms;	/* absolute; 0 none */
	bool nx, xx, keepttl, get;
};

static bool set_options(struct client *c, int argc, char **argv, const size_t *lens, struct set_opts *o)
{
	bool have_exp = false;

	for (int i = 3; i < argc; i++) {
		const char *a = argv[i];
		long long v;

		if (!strcasecmp(a, "NX") && !o->xx)
			o->nx = true;
		else if (!strcasecmp(a, "XX") && !o->nx)
			o->xx = true;
		else if (!strcasecmp(a, "GET"))
			o->get = true;
		else if (!strcasecmp(a, "KEEPTTL") && !have_exp)
			o->keepttl = true;
		else if ((!strcasecmp(a, "EX") || !strcasecmp(a, "PX") || !strcasecmp(a, "EXAT") ||
			  !strcasecmp(a, "PXAT")) && !have_exp && !o->keepttl && i + 1 < argc) {
			bool secs = toupper((unsigned char)a[0]) == 'E', at = lens[i] == 4;

			if (!to_ll(argv[i + 1], lens[i + 1], &v)) {
				resp_error(&c->out, E_INT);
				return false;
			}
			if (v <= 0 || (secs && v > LLONG_MAX / 1000)) {
				resp_error(&c->out, "ERR invalid expire time in 'set' command");
				return false;
			}
			v = secs ? v * 1000 : v;
			if (!at && v > LLONG_MAX - store_now_ms()) {
				resp_error(&c->out, "ERR invalid expire time in 'set' command");
				return false;
			}
			o->expire_ms = at ? v : store_now_ms() + v;
			have_exp = true;
			i++;
		} else {
			resp_error(&c->out, E_SYNTAX);
			return false;
		}
	}
	return true;
}

static void cmd_set(struct client *c, int argc, char **argv, const size_t *lens)
{
	struct set_opts o = { 0 };
	struct entry *e;
	char *old = NULL;
	size_t oldlen = 0;
	bool had;

	if (!set_options(c, argc, argv, lens, &o))
		return;
	e = store_get(argv[1], lens[1]);
	had = e != NULL;
	if (o.get && e && !(old = malloc(e->vlen + 1))) {
		resp_error(&c->out, E_OOM);
		return;
	}
	if (old) {
		memcpy(old, e->val, e->vlen);
		oldlen = e->vlen;
	}
	if ((o.nx && had) || (o.xx && !had)) {
		if (!o.get)
			resp_null(&c->out);
		else if (old)
			resp_bulk(&c->out, old, oldlen);
		else
			resp_null(&c->out);
		free(old);
		return;
	}
	if (o.keepttl && e)
		o.expire_ms = e->expire_ms;
	if (o.expire_ms && o.expire_ms <= store_now_ms()) { /* an EXAT/PXAT in the past: gone at once */
		if (store_del(argv[1], lens[1]))
			log_del(c, argv[1], lens[1]);
		e = NULL;
	} else if (!(e = store_set(argv[1], lens[1], argv[2], lens[2], o.expire_ms))) {
		resp_error(&c->out, E_OOM);
		free(old);
		return;
	} else {
		log_set(c, e);
	}
	if (o.get && old)
		resp_bulk(&c->out, old, oldlen);
	else if (o.get)
		resp_null(&c->out);
	else
		resp_simple(&c->out, "OK");
	free(old);
}

static void cmd_getset(struct client *c, int argc, char **argv, const size_t *lens)
{
	char *a[4] = { argv[0], argv[1], argv[2], "GET" };
	size_t l[4] = { lens[0], lens[1], lens[2], 3 };

	(void)argc;
	cmd_set(c, 4, a, l);
}

static void cmd_del(struct client *c, int argc, char **argv, const size_t *lens)
{
	long long n = 0;

	for (int i = 1; i < argc; i++)
		if (store_del(argv[i], lens[i])) {
			log_del(c, argv[i], lens[i]);
			n++;
		}
	resp_int(&c->out, n);
}

static void cmd_exists(struct client *c, int argc, char **argv, const size_t *lens)
{
	long long n = 0;

	for (int i = 1; i < argc; i++)
		n += store_get(argv[i], lens[i]) != NULL;
	resp_int(&c->out, n);
}

static void incr_by(struct client *c, const char *key, size_t klen, long long by)
{
	struct entry *e = store_get(key, klen);
	long long v = 0;
	char s[24];
	int n;

	if (e && !to_ll(e->val, e->vlen, &v)) {
		resp_error(&c->out, E_INT);
		return;
	}
	if ((by > 0 && v > LLONG_MAX - by) || (by < 0 && v < LLONG_MIN - by)) {
		resp_error(&c->out, "ERR increment or decrement would overflow");
		return;
	}
	v += by;
	n = snprintf(s, sizeof(s), "%lld", v);
	if (!(e = store_set(key, klen, s, (size_t)n, e ? e->expire_ms : 0))) {
		resp_error(&c->out, E_OOM);
		return;
	}
	log_set(c, e);
	resp_int(&c->out, v);
}

static void cmd_incr(struct client *c, int argc, char **argv, const size_t *lens)
{
	(void)argc;
	incr_by(c, argv[1], lens[1], toupper((unsigned char)argv[0][0]) == 'I' ? 1 : -1);
}

static void cmd_incrby(struct client *c, int argc, char **argv, const size_t *lens)
{
	long long by;

	(void)argc;
	if (!to_ll(argv[2], lens[2], &by) ||
	    (toupper((unsigned char)argv[0][0]) == 'D' && by == LLONG_MIN)) {
		resp_error(&c->out, E_INT);
		return;
	}
	incr_by(c, argv[1], lens[1], toupper((unsigned char)argv[0][0]) == 'I' ? by : -by);
}

static void cmd_append(struct client *c, int argc, char **argv, const size_t *lens)
{
	struct entry *e = store_get(argv[1], lens[1]);

	(void)argc;
	if (e ? !store_append(e, argv[2], lens[2]) : !(e = store_set(argv[1], lens[1], argv[2], lens[2], 0))) {
		resp_error(&c->out, E_OOM);
		return;
	}
	log_set(c, e);
	resp_int(&c->out, (long long)e->vlen);
}

static void cmd_strlen(struct client *c, int argc, char **argv, const size_t *lens)
{
	struct entry *e = store_get(argv[1], lens[1]);

	(void)argc;
	resp_int(&c->out, e ? (long long)e->vlen : 0);
}

static void cmd_mget(struct client *c, int argc, char **argv, const size_t *lens)
{
	resp_array(&c->out, argc - 1);
	for (int i = 1; i < argc; i++)
		cmd_get(c, 2, argv + i - 1, lens + i - 1);
}

static void cmd_mset(struct client *c, int argc, char **argv, const size_t *lens)
{
	if (argc % 2 == 0) {
		resp_error(&c->out, "ERR wrong number of arguments for 'mset' command");
		return;
	}
	for (int i = 1; i < argc; i += 2) {
		struct entry *e = store_set(argv[i], lens[i], argv[i + 1], lens[i + 1], 0);

		if (!e) { /* the keys before stay set, as a crash between them would leave them */
			resp_error(&c->out, E_OOM);
			return;
		}
		log_set(c, e);
	}
	resp_simple(&c->out, "OK");
}

/* EXPIRE/PEXPIRE key n: 1 when set, 0 without the key. */
static void cmd_expire(struct client *c, int argc, char **argv, const size_t *lens)
{
	bool secs = toupper((unsigned char)argv[0][0]) == 'E';
	struct entry *e;
	long long v;

	(void)argc;
	if (!to_ll(argv[2], lens[2], &v) || (secs && (v > LLONG_MAX / 1000 || v < LLONG_MIN / 1000))) {
		resp_error(&c->out, E_INT);
		return;
	}
	v = secs ? v * 1000 : v;
	if (v > LLONG_MAX - store_now_ms()) {
		resp_error(&c->out, "ERR invalid expire time in '%s' command", secs ? "expire" : "pexpire");
		return;
	}
	if (!(e = store_get(argv[1], lens[1]))) {
		resp_int(&c->out, 0);
		return;
	}
	if (v <= 0) { /* an expiry in the past deletes */
		store_del(argv[1], lens[1]);
		log_del(c, argv[1], lens[1]);
	} else {
		store_set_expire(e, store_now_ms() + v);
		log_set(c, e);
	}
	resp_int(&c->out, 1);
}

static void cmd_ttl(struct client *c, int argc, char **argv, const size_t *lens)
{
	struct entry *e = store_get(argv[1], lens[1]);
	long long left;

	(void)argc;
	if (!e)
		resp_int(&c->out, -2);
	else if (!e->expire_ms)
		resp_int(&c->out, -1);
	else {
		left = e->expire_ms - store_now_ms();
		left = left < 0 ? 0 : left;
		resp_int(&c->out, toupper((unsigned char)argv[0][0]) == 'P' ? left : (left + 500) / 1000);
	}
}

static void cmd_persist(struct client *c, int argc, char **argv, const size_t *lens)
{
	struct entry *e = store_get(argv[1], lens[1]);

	(void)argc;
	if (!e || !e->expire_ms) {
		resp_int(&c->out, 0);
		return;
	}
	store_set_expire(e, 0);
	log_set(c, e);
	resp_int(&c->out, 1);
}

struct match { struct client *c; const char *pat; size_t plen; long long n; };

static void key_if_match(struct entry *e, void *ctx)
{
	struct match *m = ctx;

	if (!m->pat || store_glob(m->pat, m->plen, e->key, e->klen)) {
		resp_bulk(&m->c->out, e->key, e->klen);
		m->n++;
	}
}

static uint64_t scan_cursor, scan_count;

/*
 * The number of replies is known only at the end: build them apart, then the array header
 * (for SCAN, after the two-element array and the cursor the walk left in scan_cursor).
 */
static void reply_keys(struct client *c, struct match *m, void (*walk)(struct match *m), bool scan)
{
	struct resp_out saved = c->out;
	char s[24];

	c->out = (struct resp_out){ 0 };
	walk(m);
	if (c->out.failed) {
		free(c->out.buf);
		c->out = saved;
		resp_error(&c->out, E_OOM);
		return;
	}
	{
		struct resp_out keys = c->out;

		c->out = saved;
		if (scan) {
			resp_array(&c->out, 2);
			resp_bulk(&c->out, s, (size_t)snprintf(s, sizeof(s), "%llu", (unsigned long long)scan_cursor));
		}
		resp_array(&c->out, m->n);
		resp_raw(&c->out, keys.buf, keys.len);
		free(keys.buf);
	}
}

static void walk_all(struct match *m)
{
	store_each(key_if_match, m);
}

static void cmd_keys(struct client *c, int argc, char **argv, const size_t *lens)
{
	struct match m = { c, argv[1], lens[1], 0 };

	(void)argc;
	reply_keys(c, &m, walk_all, false);
}

static void walk_scan(struct match *m)
{
	scan_cursor = store_scan(scan_cursor, (unsigned)scan_count, key_if_match, m);
}

static void cmd_scan(struct client *c, int argc, char **argv, const size_t *lens)
{
	struct match m = { c, NULL, 0, 0 };
	unsigned long long cur;
	char *end;
	long long count = 10;

	errno = 0;
	cur = strtoull(argv[1], &end, 10);
	if (errno || *end || !lens[1] || argv[1][0] == '-') {
		resp_error(&c->out, "ERR invalid cursor");
		return;
	}
	for (int i = 2; i < argc; i += 2) {
		if (i + 1 >= argc) {
			resp_error(&c->out, E_SYNTAX);
			return;
		}
		if (!strcasecmp(argv[i], "MATCH")) {
			m.pat = argv[i + 1];
			m.plen = lens[i + 1];
		} else if (!strcasecmp(argv[i], "COUNT")) {
			if (!to_ll(argv[i + 1], lens[i + 1], &count)) {
				resp_error(&c->out, E_INT);
				return;
			}
			if (count < 1) {
				resp_error(&c->out, E_SYNTAX);
				return;
			}
		} else {
			resp_error(&c->out, E_SYNTAX);
			return;
		}
	}
	scan_cursor = cur;
	scan_count = count > 100000 ? 100000 : (uint64_t)count;
	reply_keys(c, &m, walk_scan, true);
}

static void cmd_dbsize(struct client *c, int argc, char **argv, const size_t *lens)
{
	(void)argc, (void)argv, (void)lens;
	resp_int(&c->out, (long long)store_size());
}

static void cmd_flushall(struct client *c, int argc, char **argv, const size_t *lens)
{
	char *rec[1] = { "FLUSHALL" };
	size_t rl[1] = { 8 };

	if (argc > 2 || (argc == 2 && strcasecmp(argv[1], "SYNC") && strcasecmp(argv[1], "ASYNC"))) {
		resp_error(&c->out, E_SYNTAX);
		return;
	}
	(void)lens;
	store_flush();
	log_rec(c, 1, rec, rl);
	resp_simple(&c->out, "OK");
}

static const char *fsync_name(void)
{
	static const char *const n[] = { "always", "everysec", "no" };

	return n[aof_get_fsync()];
}

static void info_section(struct resp_out *o, const char *want, const char *name, const char *body)
{
	if (!want || !strcasecmp(want, name) || !strcasecmp(want, "all") || !strcasecmp(want, "default") ||
	    !strcasecmp(want, "everything")) {
		resp_raw(o, body, strlen(body));
		resp_raw(o, "\r\n", 2);
	}
}

static void cmd_info(struct client *c, int argc, char **argv, const size_t *lens)
{
	const char *want = argc > 1 ? argv[1] : NULL;
	struct store_stats s;
	struct aof_stats a;
	struct resp_out body = { 0 };
	char buf[1024];

	(void)lens;
	store_get_stats(&s);
	aof_stats(&a);
	snprintf(buf, sizeof(buf),
		 "# Server\r\nredis_version:7.0.0\r\nkv_version:skiff-kv 0.1\r\nredis_mode:standalone\r\n"
		 "os:Skiff\r\narch_bits:64\r\ntcp_port:%u\r\nuptime_in_seconds:%lld\r\n",
		 kv_stats.port, (long long)(store_now_ms() - kv_stats.start_ms) / 1000);
	info_section(&body, want, "server", buf);
	snprintf(buf, sizeof(buf), "# Clients\r\nconnected_clients:%u\r\n", kv_stats.clients);
	info_section(&body, want, "clients", buf);
	snprintf(buf, sizeof(buf),
		 "# Memory\r\nused_memory:%llu\r\nmaxmemory:%llu\r\nmaxmemory_policy:noeviction\r\n",
		 (unsigned long long)s.used_bytes, (unsigned long long)s.max_bytes);
	info_section(&body, want, "memory", buf);
	snprintf(buf, sizeof(buf),
		 "# Persistence\r\nloading:0\r\naof_enabled:%d\r\nappendfsync:%s\r\naof_current_size:%llu\r\n"
		 "aof_disk_size:%llu\r\naof_records:%llu\r\naof_replayed_records:%llu\r\naof_rewrites:%llu\r\n"
		 "aof_flushes:%llu\r\naof_last_write_status:%s\r\naof_torn_tail_cut:%d\r\n",
		 aof_enabled(), fsync_name(), (unsigned long long)a.log_bytes, (unsigned long long)a.disk_bytes,
		 (unsigned long long)a.records, (unsigned long long)a.replayed, (unsigned long long)a.rewrites,
		 (unsigned long long)a.flushes, a.errors ? "err" : "ok", a.torn_tail);
	info_section(&body, want, "persistence", buf);
	snprintf(buf, sizeof(buf),
		 "# Stats\r\ntotal_connections_received:%llu\r\ntotal_commands_processed:%llu\r\n"
		 "rejected_connections:%llu\r\nexpired_keys:%llu\r\noom_refusals:%llu\r\n",
		 (unsigned long long)kv_stats.connections, (unsigned long long)kv_stats.commands,
		 (unsigned long long)kv_stats.rejected_conns, (unsigned long long)s.expired_keys,
		 (unsigned long long)s.evictions_refused);
	info_section(&body, want, "stats", buf);
	snprintf(buf, sizeof(buf), "# Keyspace\r\ndb0:keys=%llu,expires=%llu,avg_ttl=0\r\n",
		 (unsigned long long)s.keys, (unsigned long long)s.expires);
	if (s.keys)
		info_section(&body, want, "keyspace", buf);
	if (body.failed)
		resp_error(&c->out, E_OOM);
	else
		resp_bulk(&c->out, body.buf ? body.buf : "", body.len);
	free(body.buf);
}

/* CONFIG GET for what clients ask (redis-benchmark: save, appendonly); CONFIG SET appendfsync. */
static void cmd_config(struct client *c, int argc, char **argv, const size_t *lens)
{
	struct store_stats s;
	char mem[24];
	const char *params[][2] = { { "save", "" }, { "appendonly", aof_enabled() ? "yes" : "no" },
				    { "appendfsync", fsync_name() }, { "maxmemory", mem },
				    { "databases", "1" }, { "maxmemory-policy", "noeviction" } };
	int n = 0;

	(void)lens;
	store_get_stats(&s);
	snprintf(mem, sizeof(mem), "%llu", (unsigned long long)s.max_bytes);
	if (!strcasecmp(argv[1], "GET") && argc == 3) {
		for (unsigned i = 0; i < sizeof(params) / sizeof(params[0]); i++)
			n += store_glob(argv[2], strlen(argv[2]), params[i][0], strlen(params[i][0])) ? 1 : 0;
		resp_array(&c->out, 2 * n);
		for (unsigned i = 0; i < sizeof(params) / sizeof(params[0]); i++)
			if (store_glob(argv[2], strlen(argv[2]), params[i][0], strlen(params[i][0]))) {
				resp_bulk(&c->out, params[i][0], strlen(params[i][0]));
				resp_bulk(&c->out, params[i][1], strlen(params[i][1]));
			}
	} else if (!strcasecmp(argv[1], "SET") && argc == 4 && !strcasecmp(argv[2], "appendfsync")) {
		if (!strcasecmp(argv[3], "always"))
			aof_set_fsync(AOF_FSYNC_ALWAYS);
		else if (!strcasecmp(argv[3], "everysec"))
			aof_set_fsync(AOF_FSYNC_EVERYSEC);
		else if (!strcasecmp(argv[3], "no"))
			aof_set_fsync(AOF_FSYNC_NO);
		else {
			resp_error(&c->out, "ERR Invalid argument '%s' for CONFIG SET 'appendfsync'", argv[3]);
			return;
		}
		resp_simple(&c->out, "OK");
	} else if (!strcasecmp(argv[1], "SET") && argc == 4) {
		resp_error(&c->out, "ERR Unknown option or number of arguments for CONFIG SET - '%s'", argv[2]);
	} else {
		resp_error(&c->out, "ERR unknown subcommand or wrong number of arguments for '%s'", argv[1]);
	}
}

/* redis-cli asks COMMAND DOCS for its hints: an empty answer says there are none. */
static void cmd_command(struct client *c, int argc, char **argv, const size_t *lens)
{
	(void)argc, (void)argv, (void)lens;
	resp_array(&c->out, 0);
}

static const struct cmd cmds[] = {
	{ "ping", -1, cmd_ping },	  { "echo", 2, cmd_echo },	  { "quit", -1, cmd_quit },
	{ "select", 2, cmd_select },	  { "get", 2, cmd_get },	  { "set", -3, cmd_set },
	{ "getset", 3, cmd_getset },	  { "del", -2, cmd_del },	  { "exists", -2, cmd_exists },
	{ "incr", 2, cmd_incr },	  { "decr", 2, cmd_incr },	  { "incrby", 3, cmd_incrby },
	{ "decrby", 3, cmd_incrby },	  { "append", 3, cmd_append },	  { "strlen", 2, cmd_strlen },
	{ "mget", -2, cmd_mget },	  { "mset", -3, cmd_mset },	  { "expire", 3, cmd_expire },
	{ "pexpire", 3, cmd_expire },	  { "ttl", 2, cmd_ttl },	  { "pttl", 2, cmd_ttl },
	{ "persist", 2, cmd_persist },	  { "keys", 2, cmd_keys },	  { "scan", -2, cmd_scan },
	{ "dbsize", 1, cmd_dbsize },	  { "flushdb", -1, cmd_flushall }, { "flushall", -1, cmd_flushall },
	{ "info", -1, cmd_info },	  { "config", -2, cmd_config },	  { "command", -1, cmd_command },
};

static void unknown(struct client *c, int argc, char **argv, const size_t *lens)
{
	char args[256] = "";
	size_t n = 0;

	for (int i = 1; i < argc && n < sizeof(args) - 1; i++) {
		int w = snprintf(args + n, sizeof(args) - n, "'%.*s' ", (int)(lens[i] > 64 ? 64 : lens[i]), argv[i]);

		n += w > 0 ? (size_t)w : 0;
	}
	if (n >= sizeof(args))
		args[sizeof(args) - 1] = '\0';
	resp_error(&c->out, "ERR unknown command '%.*s', with args beginning with: %s",
		   (int)(lens[0] > 128 ? 128 : lens[0]), argv[0], args);
}

void kv_exec(struct client *c, int argc, char **argv, const size_t *lens)
{
	kv_stats.commands++;
	for (unsigned i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		const struct cmd *k = &cmds[i];

		if (strcasecmp(argv[0], k->name) || lens[0] != strlen(k->name))
			continue;
		if ((k->arity > 0 && argc != k->arity) || (k->arity < 0 && argc < -k->arity)) {
			resp_error(&c->out, "ERR wrong number of arguments for '%s' command", k->name);
			return;
		}
		k->fn(c, argc, argv, lens);
		return;
	}
	unknown(c, argc, argv, lens);
}

/* Records (aof.h): SET key value [PXAT ms], DEL key, FLUSHALL. Anything else is skipped. */
void kv_replay(int argc, char **argv, const size_t *lens, void *ctx)
{
	long long at = 0;

	(void)ctx;
	if (argc >= 3 && !strcasecmp(argv[0], "SET")) {
		if (argc == 5 && !to_ll(argv[4], lens[4], &at))
			return;
		if (at && at <= store_now_ms())
			store_del(argv[1], lens[1]); /* expired while we were down */
		else
			store_set(argv[1], lens[1], argv[2], lens[2], at);
	} else if (argc == 2 && !strcasecmp(argv[0], "DEL")) {
		store_del(argv[1], lens[1]);
	} else if (argc == 1 && !strcasecmp(argv[0], "FLUSHALL")) {
		store_flush();
	}
}

struct walk_ctx {
	void (*emit)(int argc, char **argv, const size_t *lens, void *ectx);
	void *ectx;
};

static void emit_entry(struct entry *e, void *ctx)
{
	struct walk_ctx *w = ctx;
	struct set_rec r;

	set_record(e, &r);
	w->emit(r.argc, r.argv, r.lens, w->ectx);
}

void kv_walk(void (*emit)(int argc, char **argv, const size_t *lens, void *ectx), void *ectx, void *ctx)
{
	struct walk_ctx w = { emit, ectx };

	(void)ctx;
	store_each(emit_entry, &w);
}
