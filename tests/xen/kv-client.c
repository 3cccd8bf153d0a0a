// SPDX-License-Identifier: MIT
/*
 * kv-client: the Redis client tests/xen.sh runs in the Xen test host's dom0, where there is no
 * Python and redis-cli would bring 15 MB of libraries. Built static on the host and carried in
 * with support/xen-test.sh's bin= option. The same jobs as tests/kv_client.py does on the host.
 *
 *   kv-client HOST cmd ARG...      one command; the reply as redis-cli prints it when its output
 *                                  is not a terminal (errors without the '-', nil as an empty
 *                                  line, an array one element a line)
 *   kv-client HOST wait SECONDS    until PING is answered (the server is up), or exit 1
 *   kv-client HOST writer FILE     SET key:i val:i, one at a time, i counting on from the
 *                                  largest number in FILE; after each acknowledgment i is
 *                                  appended to FILE (write(2) at once), until the connection
 *                                  breaks or no reply comes within 5 s
 *   kv-client HOST check FILE      every i in FILE must be there: GET key:i is val:i
 * Exit status: 0 done, 1 a failure (said on stderr), 2 bad usage. Port 6379.
 */
#define _DEFAULT_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define PORT 6379
#define CHECK_BATCH 200

struct conn {
	int fd;
	char buf[65536];
	size_t pos, len;
};

static int conn_open(struct conn *c, const char *host, int timeout_s)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(PORT) };
	struct timeval tv = { .tv_sec = timeout_s };
	int one = 1;

	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
		fprintf(stderr, "kv-client: '%s' is not an IPv4 address\n", host);
		exit(2);
	}
	c->pos = c->len = 0;
	c->fd = socket(AF_INET, SOCK_STREAM, 0);
	if (c->fd < 0)
		return -1;
	/* A destroyed guest never answers: a read or write gives up after timeout_s. */
	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(c->fd);
		return -1;
	}
	return 0;
}

static int send_all(struct conn *c, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(c->fd, p, n);

		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* One command as a RESP array of bulk strings. */
static int send_cmd(struct conn *c, int argc, char **argv)
{
	char hdr[32];

	snprintf(hdr, sizeof(hdr), "*%d\r\n", argc);
	if (send_all(c, hdr, strlen(hdr)))
		return -1;
	for (int i = 0; i < argc; i++) {
		snprintf(hdr, sizeof(hdr), "$%zu\r\n", strlen(argv[i]));
		if (send_all(c, hdr, strlen(hdr)) || send_all(c, argv[i], strlen(argv[i])) ||
		    send_all(c, "\r\n", 2))
			return -1;
	}
	return 0;
}

static int getbyte(struct conn *c)
{
	if (c->pos == c->len) {
		ssize_t r = read(c->fd, c->buf, sizeof(c->buf));

		if (r <= 0)
			return -1;
		c->pos = 0;
		c->len = (size_t)r;
	}
	return (unsigned char)c->buf[c->pos++];
}

/* A line without its CRLF into out (at most n - 1 bytes kept); -1 when the connection ends. */
static int read_line(struct conn *c, char *out, size_t n)
{
	size_t k = 0;
	int ch;

	while ((ch = getbyte(c)) >= 0 && ch != '\n')
		if (ch != '\r' && k + 1 < n)
			out[k++] = (char)ch;
	out[k] = 0;
	return ch < 0 ? -1 : 0;
}

/*
 * One reply into out (the raw form, array elements one a line), at most n - 1 bytes kept.
 * Returns the reply's type byte, or -1 when the connection ended or the reply is malformed.
 */
static int read_reply(struct conn *c, char *out, size_t n)
{
	char line[256];
	long len;
	size_t k;
	int ch;

	out[0] = 0;
	if (read_line(c, line, sizeof(line)) || !line[0])
		return -1;
	switch (line[0]) {
	case '+': case '-': case ':':
		snprintf(out, n, "%s", line + 1);
		return line[0];
	case '$':
		len = strtol(line + 1, NULL, 10);
		if (len < 0)
			return '$'; /* nil: an empty line */
		for (k = 0; len-- > 0; k++) {
			if ((ch = getbyte(c)) < 0)
				return -1;
			if (k + 1 < n)
				out[k] = (char)ch;
		}
		out[k + 1 < n ? k : n - 1] = 0;
		return getbyte(c) == '\r' && getbyte(c) == '\n' ? '$' : -1;
	case '*':
		len = strtol(line + 1, NULL, 10);
		for (k = 0; len-- > 0;) {
			size_t used = strlen(out);

			if (read_reply(c, out + used, n - used) < 0)
				return -1;
			used = strlen(out);
			if (len > 0 && used + 1 < n)
				strcpy(out + used, "\n");
			k++;
		}
		return '*';
	}
	return -1;
}

static int do_cmd(const char *host, int argc, char **argv)
{
	static char out[1 << 20];
	struct conn c;

	if (conn_open(&c, host, 10)) {
		fprintf(stderr, "kv-client: cannot connect to %s:%d: %s\n", host, PORT, strerror(errno));
		return 1;
	}
	if (send_cmd(&c, argc, argv) || read_reply(&c, out, sizeof(out)) < 0) {
		fprintf(stderr, "kv-client: no reply from %s\n", host);
		return 1;
	}
	printf("%s\n", out);
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int do_wait(const char *host, int seconds)
{
	double end = now_s() + seconds;
	char *ping[] = { "PING" };
	char out[64];
	struct conn c;

	while (now_s() < end) {
		if (!conn_open(&c, host, 2)) {
			int t = send_cmd(&c, 1, ping) ? -1 : read_reply(&c, out, sizeof(out));

			close(c.fd);
			if (t == '+' && !strcmp(out, "PONG"))
				return 0;
		}
		usleep(50000);
	}
	fprintf(stderr, "kv-client: %s answered no PING within %d s\n", host, seconds);
	return 1;
}

/* The acknowledged numbers in path (one a line), into a malloc'd array; *n of them. */
static long *read_acked(const char *path, size_t *n)
{
	FILE *f = fopen(path, "r");
	size_t cap = 1024;
	long *v = malloc(cap * sizeof(*v)), x;

	*n = 0;
	if (!v)
		return NULL;
	if (!f)
		return v; /* none yet */
	while (fscanf(f, "%ld", &x) == 1) {
		if (*n == cap) {
			long *nv = realloc(v, (cap *= 2) * sizeof(*v));

			if (!nv) {
				free(v);
				fclose(f);
				return NULL;
			}
			v = nv;
		}
		v[(*n)++] = x;
	}
	fclose(f);
	return v;
}

static int do_writer(const char *host, const char *path)
{
	char key[32], val[32], out[64], line[32];
	char *set[] = { "SET", key, val };
	size_t n;
	long *acked = read_acked(path, &n), next = 1;
	struct conn c;
	int fd;

	if (!acked)
		return 1;
	for (size_t i = 0; i < n; i++)
		if (acked[i] >= next)
			next = acked[i] + 1;
	free(acked);
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0644);
	if (fd < 0 || conn_open(&c, host, 5)) {
		fprintf(stderr, "kv-client: writer cannot start: %s\n", strerror(errno));
		return 1;
	}
	for (;; next++) {
		snprintf(key, sizeof(key), "key:%ld", next);
		snprintf(val, sizeof(val), "val:%ld", next);
		if (send_cmd(&c, 3, set) || read_reply(&c, out, sizeof(out)) < 0)
			return 0; /* the guest went away: what was acknowledged is in the file */
		if (strcmp(out, "OK")) {
			fprintf(stderr, "kv-client: SET %s answered '%s'\n", key, out);
			return 1;
		}
		snprintf(line, sizeof(line), "%ld\n", next);
		if (write(fd, line, strlen(line)) != (ssize_t)strlen(line))
			return 1;
	}
}

static int check_batch(struct conn *c, const long *keys, size_t n, size_t *lost, long *first_lost)
{
	static char names[CHECK_BATCH][32], out[CHECK_BATCH * 40];
	char *argv[CHECK_BATCH + 1] = { "MGET" }, *p = out, want[32];

	for (size_t i = 0; i < n; i++) {
		snprintf(names[i], sizeof(names[i]), "key:%ld", keys[i]);
		argv[i + 1] = names[i];
	}
	if (send_cmd(c, (int)n + 1, argv) || read_reply(c, out, sizeof(out)) != '*')
		return -1;
	for (size_t i = 0; i < n; i++) {
		char *nl = strchr(p, '\n');

		if (nl)
			*nl = 0;
		snprintf(want, sizeof(want), "val:%ld", keys[i]);
		if (strcmp(p, want)) {
			if (!*lost)
				*first_lost = keys[i];
			(*lost)++;
		}
		p = nl ? nl + 1 : p + strlen(p);
	}
	return 0;
}

static int do_check(const char *host, const char *path)
{
	size_t n, lost = 0;
	long *acked = read_acked(path, &n), first = 0;
	struct conn c;

	if (!acked)
		return 1;
	if (conn_open(&c, host, 10)) {
		fprintf(stderr, "kv-client: cannot connect to %s:%d: %s\n", host, PORT, strerror(errno));
		return 1;
	}
	for (size_t i = 0; i < n; i += CHECK_BATCH) {
		if (check_batch(&c, acked + i, n - i < CHECK_BATCH ? n - i : CHECK_BATCH, &lost, &first)) {
			fprintf(stderr, "kv-client: check: no reply to MGET\n");
			return 1;
		}
	}
	free(acked);
	if (lost) {
		printf("check: %zu acknowledged keys lost or wrong, e.g. key:%ld\n", lost, first);
		return 1;
	}
	printf("check: all %zu acknowledged keys there\n", n);
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: kv-client HOST cmd ARG... | wait SECONDS | writer FILE | check FILE\n");
	return 2;
}

int main(int argc, char **argv)
{
	if (argc < 4)
		return usage();
	if (!strcmp(argv[2], "cmd"))
		return do_cmd(argv[1], argc - 3, argv + 3);
	if (argc != 4)
		return usage();
	if (!strcmp(argv[2], "wait"))
		return do_wait(argv[1], atoi(argv[3]));
	if (!strcmp(argv[2], "writer"))
		return do_writer(argv[1], argv[3]);
	if (!strcmp(argv[2], "check"))
		return do_check(argv[1], argv[3]);
	return usage();
}
