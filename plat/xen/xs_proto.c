// SPDX-License-Identifier: MIT
/*
 * The xenstore wire format, ring copying and value parsing (no hypercalls: host unit tests run
 * this file).
 */
#include <errno.h>
#include <string.h>
#include <xen-plat/xs_proto.h>

size_t xs_ring_put(char *ring, size_t size, uint32_t *prod, uint32_t cons, const void *data,
		   size_t len)
{
	size_t free = size - (size_t)(*prod - cons), n = len < free ? len : free;

	for (size_t i = 0; i < n; i++)
		ring[(*prod + i) & (size - 1)] = ((const char *)data)[i];
	*prod += (uint32_t)n;
	return n;
}

size_t xs_ring_get(const char *ring, size_t size, uint32_t prod, uint32_t *cons, void *data,
		   size_t len)
{
	size_t used = (size_t)(prod - *cons), n = len < used ? len : used;

	if (used > size) /* a corrupt index from the other side: take nothing */
		return 0;
	for (size_t i = 0; i < n; i++)
		((char *)data)[i] = ring[(*cons + i) & (size - 1)];
	*cons += (uint32_t)n;
	return n;
}

int xs_msg_build(void *out, size_t out_len, uint32_t type, uint32_t req_id, uint32_t tx_id,
		 const char *const *parts, unsigned n, int raw_last)
{
	struct xsd_sockmsg hdr = { type, req_id, tx_id, 0 };
	size_t len = 0;
	char *body = (char *)out + sizeof(hdr);

	for (unsigned i = 0; i < n; i++) {
		size_t l = strlen(parts[i]) + (raw_last && i == n - 1 ? 0 : 1);

		if (len + l > XENSTORE_PAYLOAD_MAX || sizeof(hdr) + len + l > out_len)
			return -E2BIG;
		memcpy(body + len, parts[i], l);
		len += l;
	}
	hdr.len = (uint32_t)len;
	memcpy(out, &hdr, sizeof(hdr));
	return (int)(sizeof(hdr) + len);
}

static const struct {
	const char *name;
	int err;
} errors[] = {
	{ "EINVAL", EINVAL }, { "EACCES", EACCES }, { "EEXIST", EEXIST }, { "EISDIR", EISDIR },
	{ "ENOENT", ENOENT }, { "ENOMEM", ENOMEM }, { "ENOSPC", ENOSPC }, { "EIO", EIO },
	{ "ENOTEMPTY", ENOTEMPTY }, { "ENOSYS", ENOSYS }, { "EROFS", EROFS }, { "EBUSY", EBUSY },
	{ "EAGAIN", EAGAIN }, { "EISCONN", EISCONN }, { "E2BIG", E2BIG }, { "EPERM", EPERM },
};

int xs_error_errno(const char *payload, size_t len)
{
	for (size_t i = 0; i < sizeof(errors) / sizeof(errors[0]); i++) {
		size_t l = strlen(errors[i].name);

		if ((len == l || (len == l + 1 && payload[l] == '\0')) && !memcmp(payload, errors[i].name, l))
			return -errors[i].err;
	}
	return -EIO;
}

int xs_parse_watch(const char *payload, size_t len, const char **path, const char **token)
{
	const char *end = payload + len, *nul = memchr(payload, '\0', len);

	if (!nul || nul + 1 >= end || !memchr(nul + 1, '\0', (size_t)(end - nul - 1)))
		return -EINVAL;
	*path = payload;
	*token = nul + 1;
	return 0;
}

int xs_parse_uint(const char *s, uint64_t max, uint64_t *v)
{
	uint64_t n = 0;

	if (!*s)
		return -EINVAL;
	for (; *s; s++) {
		unsigned d = (unsigned)(*s - '0');

		if (d > 9 || d > max || n > (max - d) / 10)
			return -EINVAL;
		n = n * 10 + d;
	}
	*v = n;
	return 0;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int xs_parse_mac(const char *s, uint8_t mac[6])
{
	uint8_t out[6];

	for (unsigned i = 0; i < 6; i++, s += 3) {
		int hi = hex_digit(s[0]), lo = hi < 0 ? -1 : hex_digit(s[1]);

		if (lo < 0 || s[2] != (i == 5 ? '\0' : ':'))
			return -EINVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	memcpy(mac, out, 6);
	return 0;
}
