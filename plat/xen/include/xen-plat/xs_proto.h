/* SPDX-License-Identifier: MIT */
/*
 * The xenstore wire format and ring copying, free of hypercalls so host unit tests can run them.
 * A message is struct xsd_sockmsg (type, req_id, tx_id, len) and len payload bytes; requests put
 * NUL-terminated strings one after another, replies too ("OK", a value, an error name).
 */
#ifndef XEN_PLAT_XS_PROTO_H
#define XEN_PLAT_XS_PROTO_H

#include <stddef.h>
#include <stdint.h>
#include <xen/io/xs_wire.h>

/* Copy up to len bytes into a ring of size bytes (a power of two) at *prod, limited by the free
 * space before cons. Returns the bytes copied and advances *prod. */
size_t xs_ring_put(char *ring, size_t size, uint32_t *prod, uint32_t cons, const void *data,
		   size_t len);
/* Copy up to len bytes out of the ring from *cons, limited by what prod has. */
size_t xs_ring_get(const char *ring, size_t size, uint32_t prod, uint32_t *cons, void *data,
		   size_t len);
/* Bytes waiting in a ring. */
static inline uint32_t xs_ring_used(uint32_t prod, uint32_t cons)
{
	return prod - cons;
}

/*
 * Build a request in out (out_len bytes): header plus each of the n strings with its NUL, except
 * that the last string's NUL is left out when raw_last is set (XS_WRITE's value). Returns the
 * total length, or -E2BIG when it exceeds out_len or XENSTORE_PAYLOAD_MAX.
 */
int xs_msg_build(void *out, size_t out_len, uint32_t type, uint32_t req_id, uint32_t tx_id,
		 const char *const *parts, unsigned n, int raw_last);

/* An error reply's payload ("ENOENT") as a negative errno; -EIO for a name we do not know. */
int xs_error_errno(const char *payload, size_t len);

/* A watch event's payload "path\0token\0": 0 with pointers into payload, -EINVAL if malformed. */
int xs_parse_watch(const char *payload, size_t len, const char **path, const char **token);

/*
 * Values as the toolstack and backends write them. A decimal number with no sign, no spaces and
 * at most max: 0 with *v set, else -EINVAL.
 */
int xs_parse_uint(const char *s, uint64_t max, uint64_t *v);
/* A MAC address "xx:xx:xx:xx:xx:xx" (hex digits of either case): 0, else -EINVAL. */
int xs_parse_mac(const char *s, uint8_t mac[6]);

#endif
