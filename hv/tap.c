// SPDX-License-Identifier: MIT
/*
 * --net=TAP: each tap is opened before the sandbox, and checked to exist and to be a tap (never
 * created: TUNSETIFF would make a new one for a privileged caller, and a typo would then give the
 * guest a NIC wired to nothing). Each NIC's MAC is --net-mac's, else one derived from the tap's
 * name, so that an image keeps its address (and its DHCP lease) across runs.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>
#include <hv/hv.h>

unsigned int if_nametoindex(const char *ifname);

/* "02:53:4b" ("SK", locally administered, unicast) and 24 bits of FNV-1a over the name. */
static void mac_from_name(const char *name, uint8_t mac[6])
{
	uint32_t h = 2166136261u;

	for (const char *p = name; *p; p++)
		h = (h ^ (uint8_t)*p) * 16777619u;
	mac[0] = 0x02, mac[1] = 0x53, mac[2] = 0x4b;
	mac[3] = (uint8_t)(h >> 16), mac[4] = (uint8_t)(h >> 8), mac[5] = (uint8_t)h;
}

int hv_parse_mac(const char *s, uint8_t mac[6])
{
	unsigned v[6];
	char end;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &end) != 6 ||
	    strlen(s) != 17)
		return -1;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)v[i];
	if ((mac[0] & 1) || !(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]))
		return -1; /* multicast, broadcast or zero: no NIC can have it */
	return 0;
}

static int tap_open(struct hv_nic *n)
{
	struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI };
	int fd;

	if (strlen(n->tap) >= IFNAMSIZ) {
		hv_err("--net=%s: an interface name has at most %d characters", n->tap, IFNAMSIZ - 1);
		return -1;
	}
	if (!if_nametoindex(n->tap)) {
		hv_err("--net=%s: no such interface (create it first: ip tuntap add dev %s mode tap)",
		       n->tap, n->tap);
		return -1;
	}
	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		hv_err("--net=%s: cannot open /dev/net/tun: %s", n->tap, strerror(errno));
		return -1;
	}
	strcpy(ifr.ifr_name, n->tap);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		hv_err("--net=%s: %s", n->tap,
		       errno == EBUSY ? "the tap is in use by another program" :
		       errno == EINVAL ? "not a tap device" :
		       errno == EPERM ? "not allowed to attach to it (its owner, or CAP_NET_ADMIN)" :
		       strerror(errno));
		close(fd);
		return -1;
	}
	/*
	 * A tap that QEMU (or another user of the virtio-net header) had keeps the offloads it turned
	 * on: the host then hands over TCP segments whose checksums it left to the NIC, up to 64 KiB
	 * long, which a frame without that header cannot say. Ping still worked, TCP did not. A
	 * plain NIC offloads nothing.
	 */
	if (ioctl(fd, TUNSETOFFLOAD, 0UL) < 0) {
		hv_err("--net=%s: cannot turn the tap's offloads off: %s", n->tap, strerror(errno));
		close(fd);
		return -1;
	}
	n->fd = fd;
	return 0;
}

/*
 * --net-spin, else by the CPUs skiff-hv may run on. Watching pays where the guest, the I/O thread
 * and the peer each have a CPU (4: one more for the host's network stack). On 2 CPUs it cost kv
 * a fifth of its requests a second with redis-benchmark -P 1 and over a third with -P 16: the
 * watchers held the CPUs that the frames they waited for needed.
 */
static uint32_t spin_us(int opt)
{
	cpu_set_t cpus;

	if (opt >= 0)
		return (uint32_t)opt;
	if (sched_getaffinity(0, sizeof(cpus), &cpus) == 0 && CPU_COUNT(&cpus) >= 4)
		return 200;
	return 0;
}

int hv_net_open(struct hv *hv)
{
	bool wanted = hv->image.has_manifest && (hv->image.manifest.devices & HV_DEV_NET);

	hv->net.kick_fd = hv->net.wake_fd = -1;
	if (hv->opt.nnet && !wanted) {
		hv_err("%s does not use networking (its manifest asks for no NIC): --net ignored",
		       hv->opt.image);
		return 0;
	}
	hv->net.count = hv->opt.nnet;
	hv->net.spin_us = spin_us(hv->opt.net_spin_us);
	for (unsigned i = 0; i < hv->net.count; i++) {
		struct hv_nic *n = &hv->net.nic[i];

		n->tap = hv->opt.net[i].tap;
		n->index = i;
		n->fd = -1;
		n->mac_given = hv->opt.net[i].mac_given;
		memcpy(n->mac, hv->opt.net[i].mac, 6);

		for (unsigned j = 0; j < i; j++)
			if (!strcmp(hv->net.nic[j].tap, n->tap)) {
				hv_err("--net=%s: given twice", n->tap);
				return -1;
			}
		if (tap_open(n))
			return -1;
		if (!n->mac_given)
			mac_from_name(n->tap, n->mac);
	}
	return 0;
}
