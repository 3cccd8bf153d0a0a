/* SPDX-License-Identifier: MIT */
/*
 * The frontend half of xenbus: a device the toolstack put under device/<type>/<id> in our
 * xenstore home, the backend it names, and the state handshake (xen/io/xenbus.h) between them.
 * Everything read from xenstore is written by the toolstack or the backend: it is parsed
 * strictly, and a value that does not parse is treated as absent.
 */
#ifndef XEN_PLAT_XENBUS_H
#define XEN_PLAT_XENBUS_H

#include <stdbool.h>
#include <stdint.h>
#include <xen/xen.h>
#include <xen/io/xenbus.h>

#define XENBUS_MAX_DEVS 8

struct xenbus_dev {
	char node[32];		/* "device/vif/0", relative to our home */
	char backend[96];	/* the backend's directory, absolute */
	domid_t backend_id;	/* whom grants and event channels are for */
};

/* The ids under device/<type> in increasing order: how many (at most max), or a negative errno. */
int xenbus_list(const char *type, unsigned *ids, unsigned max);
/* Fill d for device/<type>/<id>: 0, or a negative errno when its backend is not named properly. */
int xenbus_dev_init(struct xenbus_dev *d, const char *type, unsigned id);

/* "<dir>/<key>" into buf (sizeof buf bytes); -ENAMETOOLONG when it does not fit. */
int xenbus_path(char *buf, size_t len, const char *dir, const char *key);
/* A decimal value of at most max at <dir>/<key>: 0, -ENOENT when absent, -EINVAL when malformed. */
int xenbus_read_uint(const char *dir, const char *key, uint64_t max, uint64_t *v);
/* A boolean feature flag: true only for "1" (absent or anything else is false). */
bool xenbus_feature(const char *dir, const char *key);
int xenbus_write_uint(uint32_t tx, const char *dir, const char *key, uint64_t v);

/* Our state (node/state), and the backend's (XenbusStateUnknown when absent or malformed). */
int xenbus_switch(struct xenbus_dev *d, enum xenbus_state s);
enum xenbus_state xenbus_backend_state(const struct xenbus_dev *d);
/*
 * Wait until the backend's state is one in the mask (1u << state): that state, or -ETIMEDOUT at
 * deadline_ns (monotonic).
 */
int xenbus_wait_backend(const struct xenbus_dev *d, unsigned mask, uint64_t deadline_ns);
/*
 * Close the device: Closing, wait for the backend to follow (it then lets go of our pages), then
 * Closed. 0, or -ETIMEDOUT when the backend did not follow in time.
 */
int xenbus_close(struct xenbus_dev *d);

#endif
