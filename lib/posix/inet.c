// SPDX-License-Identifier: MIT
/* Internet addresses as text: inet_pton, inet_ntop and the older IPv4-only calls. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

const struct in6_addr in6addr_any = IN6ADDR_ANY_INIT;
const struct in6_addr in6addr_loopback = IN6ADDR_LOOPBACK_INIT;

/* Dotted quad, exactly four decimal parts 0-255 without leading zeros (as inet_pton wants). */
static int pton4(const char *s, uint8_t out[4])
{
	for (int i = 0; i < 4; i++) {
		unsigned v = 0, digits = 0;

		while (*s >= '0' && *s <= '9') {
			if (digits && v == 0)
				return 0; /* a leading zero */
			v = v * 10 + (unsigned)(*s++ - '0');
			if (++digits > 3 || v > 255)
				return 0;
		}
		if (!digits || *s != (i < 3 ? '.' : '\0'))
			return 0;
		out[i] = (uint8_t)v;
		s++;
	}
	return 1;
}

static int hexval(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/*
 * Colon-separated hex groups of s[0, len) into out (at most max bytes); a last group that is a
 * dotted quad counts as two when v4 allows. The number of bytes, or -1.
 */
static int groups(const char *s, size_t len, uint8_t *out, int max, bool v4)
{
	int n = 0;
	size_t i = 0;

	while (i < len) {
		size_t j = i;
		unsigned v = 0;

		while (j < len && s[j] != ':')
			j++;
		if (j == i || n + 2 > max)
			return -1;
		if (v4 && j == len && memchr(s + i, '.', j - i)) {
			char quad[INET_ADDRSTRLEN];

			if (j - i >= sizeof(quad) || n + 4 > max)
				return -1;
			memcpy(quad, s + i, j - i);
			quad[j - i] = '\0';
			return pton4(quad, out + n) ? n + 4 : -1;
		}
		if (j - i > 4)
			return -1;
		for (size_t k = i; k < j; k++) {
			if (hexval(s[k]) < 0)
				return -1;
			v = v << 4 | (unsigned)hexval(s[k]);
		}
		out[n++] = (uint8_t)(v >> 8);
		out[n++] = (uint8_t)v;
		i = j + 1;
		if (j + 1 == len) /* a trailing single colon */
			return -1;
	}
	return n;
}

/* RFC 4291 text: eight groups, or fewer around one "::", with an IPv4 tail allowed. */
static int pton6(const char *s, uint8_t out[16])
{
	const char *gap = strstr(s, "::");
	uint8_t head[16], tail[16];
	int h, t;

	if (!gap) {
		if (groups(s, strlen(s), head, 16, true) != 16)
			return 0;
		memcpy(out, head, 16);
		return 1;
	}
	if (strstr(gap + 2, "::") || gap[2] == ':')
		return 0;
	h = groups(s, (size_t)(gap - s), head, 14, false);
	t = groups(gap + 2, strlen(gap + 2), tail, 14, true);
	if (h < 0 || t < 0 || h + t > 14)
		return 0;
	memset(out, 0, 16);
	memcpy(out, head, (size_t)h);
	memcpy(out + 16 - t, tail, (size_t)t);
	return 1;
}

int inet_pton(int af, const char *src, void *dst)
{
	if (af == AF_INET)
		return pton4(src, dst);
	if (af == AF_INET6)
		return pton6(src, dst);
	errno = EAFNOSUPPORT;
	return -1;
}

static const char *ntop4(const uint8_t *a, char *dst, socklen_t size)
{
	char buf[INET_ADDRSTRLEN];

	snprintf(buf, sizeof(buf), "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
	if (strlen(buf) >= size) {
		errno = ENOSPC;
		return NULL;
	}
	return strcpy(dst, buf);
}

/* The longest run of two or more zero groups becomes "::" (RFC 5952). */
static const char *ntop6(const uint8_t *a, char *dst, socklen_t size)
{
	char buf[INET6_ADDRSTRLEN], *p = buf;
	int best = -1, best_len = 1;

	for (int i = 0; i < 8;) {
		int j = i;

		while (j < 8 && !a[2 * j] && !a[2 * j + 1])
			j++;
		if (j - i > best_len)
			best = i, best_len = j - i;
		i = j > i ? j : i + 1;
	}
	if (best == 0 && (best_len == 6 || (best_len == 5 && a[10] == 0xff && a[11] == 0xff))) {
		p += sprintf(p, "::%s", best_len == 5 ? "ffff:" : "");
		ntop4(a + 12, p, (socklen_t)(sizeof(buf) - (size_t)(p - buf)));
	} else {
		for (int i = 0; i < 8; i++) {
			if (i == best) {
				p += sprintf(p, "::");
				i += best_len - 1;
				continue;
			}
			p += sprintf(p, "%s%x", (i && i != best + best_len) ? ":" : "", a[2 * i] << 8 | a[2 * i + 1]);
		}
	}
	if (strlen(buf) >= size) {
		errno = ENOSPC;
		return NULL;
	}
	return strcpy(dst, buf);
}

const char *inet_ntop(int af, const void *src, char *dst, socklen_t size)
{
	if (af == AF_INET)
		return ntop4(src, dst, size);
	if (af == AF_INET6)
		return ntop6(src, dst, size);
	errno = EAFNOSUPPORT;
	return NULL;
}

int inet_aton(const char *cp, struct in_addr *inp)
{
	uint8_t a[4];

	if (!pton4(cp, a))
		return 0;
	memcpy(&inp->s_addr, a, 4);
	return 1;
}

in_addr_t inet_addr(const char *cp)
{
	struct in_addr a;

	return inet_aton(cp, &a) ? a.s_addr : INADDR_NONE;
}

char *inet_ntoa(struct in_addr in)
{
	static char buf[INET_ADDRSTRLEN];

	return (char *)ntop4((const uint8_t *)&in.s_addr, buf, sizeof(buf));
}
