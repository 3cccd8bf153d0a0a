// SPDX-License-Identifier: MIT
/*
 * The frontend half of xenbus, shared by netfront and blkfront: finding devices under
 * device/<type>, reading and writing their keys, and the state handshake with the backend.
 * Waiting for the backend uses a watch on its state node, re-read after every event (watch
 * events carry no value, and the one queue holds everybody's events). Devices are connected at
 * boot and closed when the image ends, both while xenstore polls (xs_polled), so nothing here
 * needs the scheduler.
 */
#define pr_tag "xenbus"
#include <errno.h>
#include <string.h>
#include <skiff/printk.h>
#include <skiff/time.h>
#include <xen-plat/xen.h>
#include <xen-plat/xenbus.h>
#include <xen-plat/xs_proto.h>

#define CLOSE_WAIT_NS (2 * SK_NSEC_PER_SEC)

int xenbus_path(char *buf, size_t len, const char *dir, const char *key)
{
	int n = sk_snprintf(buf, len, "%s/%s", dir, key);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int xenbus_list(const char *type, unsigned *ids, unsigned max)
{
	char dir[32], names[512];
	unsigned n = 0;
	int len;

	if (xenbus_path(dir, sizeof(dir), "device", type))
		return -ENAMETOOLONG;
	len = xs_directory(dir, names, sizeof(names));
	if (len == -ENOENT)
		return 0;
	if (len < 0)
		return len;
	for (const char *p = names; p < names + len; p += strlen(p) + 1) {
		uint64_t id;
		unsigned i;

		if (xs_parse_uint(p, 65535, &id) || n == max)
			continue; /* not a device id, or one too many */
		for (i = n++; i > 0 && ids[i - 1] > id; i--) /* insertion: the list is short */
			ids[i] = ids[i - 1];
		ids[i] = (unsigned)id;
	}
	return (int)n;
}

int xenbus_read_uint(const char *dir, const char *key, uint64_t max, uint64_t *v)
{
	char path[128], val[24];
	int r;

	if (xenbus_path(path, sizeof(path), dir, key))
		return -ENAMETOOLONG;
	r = xs_read(path, val, sizeof(val));
	if (r < 0)
		return r;
	return (size_t)r < sizeof(val) && !xs_parse_uint(val, max, v) ? 0 : -EINVAL;
}

bool xenbus_feature(const char *dir, const char *key)
{
	uint64_t v;

	return !xenbus_read_uint(dir, key, 1, &v) && v == 1;
}

int xenbus_write_uint(uint32_t tx, const char *dir, const char *key, uint64_t v)
{
	char path[128], val[24];

	if (xenbus_path(path, sizeof(path), dir, key))
		return -ENAMETOOLONG;
	sk_snprintf(val, sizeof(val), "%llu", (unsigned long long)v);
	return xs_write_tx(tx, path, val);
}

int xenbus_dev_init(struct xenbus_dev *d, const char *type, unsigned id)
{
	char path[64];
	uint64_t backend_id;
	int r;

	memset(d, 0, sizeof(*d));
	sk_snprintf(d->node, sizeof(d->node), "device/%s/%u", type, id);
	if (xenbus_path(path, sizeof(path), d->node, "backend"))
		return -ENAMETOOLONG;
	r = xs_read(path, d->backend, sizeof(d->backend));
	if (r < 0)
		return r;
	/* An absolute path that fits: anything else is not a backend we can talk to. */
	if ((size_t)r >= sizeof(d->backend) - 16 || d->backend[0] != '/' || strlen(d->backend) != (size_t)r)
		return -EINVAL;
	r = xenbus_read_uint(d->node, "backend-id", DOMID_FIRST_RESERVED - 1, &backend_id);
	if (r)
		return r;
	d->backend_id = (domid_t)backend_id;
	return 0;
}

int xenbus_switch(struct xenbus_dev *d, enum xenbus_state s)
{
	return xenbus_write_uint(0, d->node, "state", s);
}

enum xenbus_state xenbus_backend_state(const struct xenbus_dev *d)
{
	uint64_t v;

	return xenbus_read_uint(d->backend, "state", XenbusStateReconfigured, &v) ? XenbusStateUnknown :
										  (enum xenbus_state)v;
}

int xenbus_wait_backend(const struct xenbus_dev *d, unsigned mask, uint64_t deadline_ns)
{
	char path[128], ev[128], token[16];
	enum xenbus_state s;
	int r = 0;

	if (xenbus_path(path, sizeof(path), d->backend, "state"))
		return -ENAMETOOLONG;
	/* Registering fires the watch once, so a state already reached is seen at once too. */
	if (xs_watch(path, "xenbus") < 0)
		pr_warn("%s: cannot watch %s\n", d->node, path);
	while (!((1u << (s = xenbus_backend_state(d))) & mask)) {
		r = xs_wait_watch(ev, sizeof(ev), token, sizeof(token), deadline_ns);
		if (r)
			break;
	}
	xs_unwatch(path, "xenbus");
	return r ? r : (int)s;
}

int xenbus_close(struct xenbus_dev *d)
{
	uint64_t deadline = sk_now_ns() + CLOSE_WAIT_NS;
	int r;

	xenbus_switch(d, XenbusStateClosing);
	r = xenbus_wait_backend(d, 1u << XenbusStateClosing | 1u << XenbusStateClosed | 1u << XenbusStateUnknown,
				deadline);
	xenbus_switch(d, XenbusStateClosed);
	if (r >= 0)
		r = xenbus_wait_backend(d, 1u << XenbusStateClosed | 1u << XenbusStateUnknown, deadline);
	return r < 0 ? r : 0;
}
