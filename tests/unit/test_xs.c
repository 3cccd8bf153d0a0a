// SPDX-License-Identifier: MIT
/* Unit tests of plat/xen's xenstore wire format and ring copying. */
#include <errno.h>
#include <string.h>
#include <xen-plat/xs_proto.h>
#include "unit.h"

static void test_ring_wraps(void)
{
	char ring[16], out[32];
	uint32_t prod = 12, cons = 12;

	CHECK_EQ(xs_ring_put(ring, sizeof(ring), &prod, cons, "abcdefghij", 10), 10);
	CHECK_EQ(prod, 22);
	CHECK_EQ(xs_ring_used(prod, cons), 10);
	CHECK_EQ(xs_ring_get(ring, sizeof(ring), prod, &cons, out, 4), 4);
	CHECK(!memcmp(out, "abcd", 4) && cons == 16);
	CHECK_EQ(xs_ring_get(ring, sizeof(ring), prod, &cons, out, 32), 6);
	CHECK(!memcmp(out, "efghij", 6) && cons == 22);
}

static void test_ring_full_and_indices_wrap(void)
{
	char ring[8], out[8];
	uint32_t prod = UINT32_MAX - 2, cons = UINT32_MAX - 2;

	CHECK_EQ(xs_ring_put(ring, sizeof(ring), &prod, cons, "0123456789", 10), 8);
	CHECK_EQ(xs_ring_put(ring, sizeof(ring), &prod, cons, "x", 1), 0);
	CHECK_EQ(xs_ring_get(ring, sizeof(ring), prod, &cons, out, 8), 8);
	CHECK(!memcmp(out, "01234567", 8) && prod == cons);
}

static void test_ring_corrupt_index(void)
{
	char ring[8] = "", out[8];
	uint32_t cons = 0;

	/* A producer index more than a ring ahead is the other side lying: take nothing. */
	CHECK_EQ(xs_ring_get(ring, sizeof(ring), 100, &cons, out, 8), 0);
	CHECK_EQ(cons, 0);
}

static void test_build(void)
{
	char buf[128];
	struct xsd_sockmsg hdr;
	int n = xs_msg_build(buf, sizeof(buf), XS_WRITE, 7, 3, (const char *const[]){ "a/b", "val" },
			     2, 1);

	CHECK_EQ(n, (int)sizeof(hdr) + 4 + 3);
	memcpy(&hdr, buf, sizeof(hdr));
	CHECK(hdr.type == XS_WRITE && hdr.req_id == 7 && hdr.tx_id == 3 && hdr.len == 7);
	CHECK(!memcmp(buf + sizeof(hdr), "a/b\0val", 7));
	n = xs_msg_build(buf, sizeof(buf), XS_WATCH, 1, 0, (const char *const[]){ "p", "t" }, 2, 0);
	CHECK_EQ(n, (int)sizeof(hdr) + 4);
	CHECK(!memcmp(buf + sizeof(hdr), "p\0t\0", 4));
}

static void test_build_too_big(void)
{
	static char big[XENSTORE_PAYLOAD_MAX + 10], buf[XENSTORE_PAYLOAD_MAX + 64];

	memset(big, 'x', sizeof(big) - 1);
	CHECK_EQ(xs_msg_build(buf, sizeof(buf), XS_READ, 1, 0, (const char *const[]){ big }, 1, 0), -E2BIG);
	CHECK_EQ(xs_msg_build(buf, 20, XS_READ, 1, 0, (const char *const[]){ "long-path" }, 1, 0), -E2BIG);
}

static void test_errors(void)
{
	CHECK_EQ(xs_error_errno("ENOENT", 7), -ENOENT);
	CHECK_EQ(xs_error_errno("EACCES", 6), -EACCES);
	CHECK_EQ(xs_error_errno("EAGAIN", 7), -EAGAIN);
	CHECK_EQ(xs_error_errno("EWHAT", 6), -EIO);
	CHECK_EQ(xs_error_errno("ENOEN", 5), -EIO);
	CHECK_EQ(xs_error_errno("", 0), -EIO);
}

static void test_watch_event(void)
{
	const char *path, *token;

	CHECK_EQ(xs_parse_watch("control/shutdown\0tok\0", 21, &path, &token), 0);
	CHECK_STR(path, "control/shutdown");
	CHECK_STR(token, "tok");
	CHECK_EQ(xs_parse_watch("no-token", 8, &path, &token), -EINVAL);
	CHECK_EQ(xs_parse_watch("p\0tok", 5, &path, &token), -EINVAL);
	CHECK_EQ(xs_parse_watch("p\0", 2, &path, &token), -EINVAL);
}

/* Numbers and MACs as the toolstack and backends write them: nothing lenient. */
static void test_parse_uint(void)
{
	uint64_t v = 7;

	CHECK_EQ(xs_parse_uint("0", 10, &v), 0);
	CHECK_EQ(v, 0);
	CHECK_EQ(xs_parse_uint("51712", 65535, &v), 0);
	CHECK_EQ(v, 51712);
	CHECK_EQ(xs_parse_uint("18446744073709551615", UINT64_MAX, &v), 0);
	CHECK(v == UINT64_MAX);
	v = 7;
	CHECK_EQ(xs_parse_uint("18446744073709551616", UINT64_MAX, &v), -EINVAL);
	CHECK_EQ(xs_parse_uint("65536", 65535, &v), -EINVAL);
	CHECK_EQ(xs_parse_uint("5", 4, &v), -EINVAL);
	CHECK_EQ(xs_parse_uint("1", 0, &v), -EINVAL);
	CHECK_EQ(xs_parse_uint("", 10, &v), -EINVAL);
	CHECK_EQ(xs_parse_uint("-1", 10, &v), -EINVAL);
	CHECK_EQ(xs_parse_uint(" 1", 10, &v), -EINVAL);
	CHECK_EQ(xs_parse_uint("1 ", 10, &v), -EINVAL);
	CHECK_EQ(xs_parse_uint("0x10", 100, &v), -EINVAL);
	CHECK_EQ(v, 7); /* untouched on failure */
}

static void test_parse_mac(void)
{
	uint8_t mac[6] = { 9, 9, 9, 9, 9, 9 };

	CHECK_EQ(xs_parse_mac("00:16:3e:5A:0f:ff", mac), 0);
	CHECK(!memcmp(mac, "\x00\x16\x3e\x5a\x0f\xff", 6));
	memset(mac, 9, sizeof(mac));
	CHECK_EQ(xs_parse_mac("00:16:3e:5a:0f", mac), -EINVAL);
	CHECK_EQ(xs_parse_mac("00:16:3e:5a:0f:ff:", mac), -EINVAL);
	CHECK_EQ(xs_parse_mac("00:16:3e:5a:0f:f", mac), -EINVAL);
	CHECK_EQ(xs_parse_mac("00-16-3e-5a-0f-ff", mac), -EINVAL);
	CHECK_EQ(xs_parse_mac("0:16:3e:5a:0f:ff", mac), -EINVAL);
	CHECK_EQ(xs_parse_mac("00:16:3g:5a:0f:ff", mac), -EINVAL);
	CHECK_EQ(xs_parse_mac("", mac), -EINVAL);
	CHECK_EQ(mac[0], 9); /* untouched on failure */
}

UNIT_MAIN("xs", UNIT_TEST(test_ring_wraps), UNIT_TEST(test_ring_full_and_indices_wrap),
	  UNIT_TEST(test_ring_corrupt_index), UNIT_TEST(test_build), UNIT_TEST(test_build_too_big),
	  UNIT_TEST(test_errors), UNIT_TEST(test_watch_event), UNIT_TEST(test_parse_uint),
	  UNIT_TEST(test_parse_mac))
