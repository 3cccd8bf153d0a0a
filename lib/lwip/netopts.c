// SPDX-License-Identifier: MIT
/*
 * The per-NIC kernel options: net.KEY=VALUE for NIC 0, netN.KEY=VALUE (N 1-9) for NIC N, KEY
 * one of ip (a.b.c.d/len), gw, dns (IPv4 or IPv6) and dhcp_timeout (seconds, 0-3600). The kernel
 * leaves every option with those prefixes to this file, so it checks them all before any NIC
 * starts: a mistyped address would otherwise leave an appliance silently unreachable, so it
 * ends the boot like a bad command line does (status 126, one line saying which option). An
 * option for a NIC the image does not have is only reported: the same command line may serve
 * machines with fewer NICs.
 */
#define pr_tag "net"
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <skiff/app.h>
#include <skiff/cmdline.h>
#include <skiff/printk.h>
#include "netopts.h"

#define DHCP_WAIT_S 10
#define DHCP_WAIT_MAX_S 3600

const char *netopts_get(unsigned nic, const char *key)
{
	char name[32];

	if (nic == 0)
		snprintf(name, sizeof(name), "net.%s", key);
	else
		snprintf(name, sizeof(name), "net%u.%s", nic, key);
	return sk_cmdline_get(sk_boot_cmdline(), name);
}

/* A decimal number of at most max; -1 when it is not. */
static long decimal(const char *s, long max)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9')
		return -1;
	v = strtol(s, &end, 10);
	return *end || v > max ? -1 : v;
}

unsigned netopts_dhcp_timeout_s(unsigned nic)
{
	const char *t = netopts_get(nic, "dhcp_timeout");

	return t ? (unsigned)decimal(t, DHCP_WAIT_MAX_S) : DHCP_WAIT_S; /* checked at boot */
}

#if LWIP_IPV4
bool netopts_parse_cidr(const char *s, ip4_addr_t *ip, ip4_addr_t *mask)
{
	char buf[32];
	char *slash;
	long len = 24;

	if (strlen(s) >= sizeof(buf))
		return false;
	strcpy(buf, s);
	if ((slash = strchr(buf, '/'))) {
		*slash = '\0';
		if ((len = decimal(slash + 1, 32)) < 0)
			return false;
	}
	if (inet_pton(AF_INET, buf, &ip->addr) != 1) /* strict dotted quad: lwIP's parser is lax */
		return false;
	ip4_addr_set_u32(mask, len ? lwip_htonl(0xffffffffu << (32 - len)) : 0);
	return true;
}
#endif

/* Whether VALUE suits KEY; *what says what was expected. */
static bool valid(const char *key, const char *value, const char **what)
{
	uint8_t any[16];

	if (!strcmp(key, "dhcp_timeout")) {
		*what = "a number of seconds, 0 to 3600";
		return decimal(value, DHCP_WAIT_MAX_S) >= 0;
	}
	if (!strcmp(key, "dns")) {
		*what = "an IPv4 or IPv6 address";
		return inet_pton(AF_INET, value, any) == 1 || inet_pton(AF_INET6, value, any) == 1;
	}
#if LWIP_IPV4
	ip4_addr_t a, m;

	if (!strcmp(key, "ip")) {
		*what = "an IPv4 address and prefix length, e.g. 10.0.0.2/24";
		return netopts_parse_cidr(value, &a, &m);
	}
	if (!strcmp(key, "gw")) {
		*what = "an IPv4 address";
		return inet_pton(AF_INET, value, any) == 1;
	}
#endif
	*what = NULL; /* not an option of ours */
	return false;
}

/* The NIC an option names: 0 for "net.", N for "netN."; -1 for another option. */
static int nic_of(const char *key, const char **rest)
{
	if (!strncmp(key, "net.", 4)) {
		*rest = key + 4;
		return 0;
	}
	if (!strncmp(key, "net", 3) && key[3] >= '1' && key[3] <= '9' && key[4] == '.') {
		*rest = key + 5;
		return key[3] - '0';
	}
	return -1;
}

static noreturn void bad(const struct sk_cmdline_opt *o, const char *why)
{
	pr_err("boot option '%s%s%s': %s\n", o->key, o->value ? "=" : "", o->value ? o->value : "", why);
	sk_exit(SK_EXIT_BOOT_ERROR);
}

void netopts_check(unsigned nr_nics)
{
	const struct sk_cmdline *c = sk_boot_cmdline();
	char why[96];

	for (int i = 0; i < c->nr_opts; i++) {
		const struct sk_cmdline_opt *o = &c->opt[i];
		const char *key, *what;
		int nic = nic_of(o->key, &key);

		if (nic < 0)
			continue;
		if (!o->value) {
			bad(o, "needs a value");
		} else if (!valid(key, o->value, &what)) {
			if (!what)
				bad(o, "unknown (net options: ip, gw, dns, dhcp_timeout)");
			snprintf(why, sizeof(why), "expected %s", what);
			bad(o, why);
		}
		if ((unsigned)nic >= nr_nics)
			pr_warn("boot option '%s': this image has no NIC en%d; ignored\n", o->key, nic);
	}
}
