// SPDX-License-Identifier: MIT
/*
 * Names: getaddrinfo, getnameinfo, gethostbyname, gai_strerror, and interface names. Numeric addresses and
 * "localhost" are answered here; other names go to DNS (lwIP's resolver, lsock_resolve), which
 * asks the server from net.dns= or DHCP. Services: numbers, and the names in the table below.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "lwip.h"

int h_errno;

static const struct {
	const char *name;
	uint16_t port;
} services[] = {
	{ "echo", 7 }, { "ftp", 21 }, { "ssh", 22 }, { "telnet", 23 }, { "smtp", 25 },
	{ "domain", 53 }, { "http", 80 }, { "pop3", 110 }, { "ntp", 123 }, { "imap", 143 },
	{ "https", 443 }, { "redis", 6379 }, { "http-alt", 8080 },
};

/* The port (host order) a service names, or -1. */
static int service_port(const char *serv, int flags)
{
	char *end;
	long v;

	if (!serv)
		return 0;
	v = strtol(serv, &end, 10);
	if (*serv && !*end)
		return v >= 0 && v <= 65535 ? (int)v : -1;
	if (flags & AI_NUMERICSERV)
		return -1;
	for (size_t i = 0; i < sizeof(services) / sizeof(services[0]); i++)
		if (!strcmp(serv, services[i].name))
			return services[i].port;
	return -1;
}

/* One result: its sockaddr in the same allocation, freed with it. */
static struct addrinfo *entry(int family, const void *addr, int port, int socktype)
{
	struct addrinfo *ai = calloc(1, sizeof(*ai) + sizeof(struct sockaddr_storage));

	if (!ai)
		return NULL;
	ai->ai_family = family;
	ai->ai_socktype = socktype;
	ai->ai_protocol = socktype == SOCK_DGRAM ? IPPROTO_UDP : IPPROTO_TCP;
	ai->ai_addr = (struct sockaddr *)(ai + 1);
	if (family == AF_INET6) {
		struct sockaddr_in6 *in6 = (void *)ai->ai_addr;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		memcpy(&in6->sin6_addr, addr, 16);
		ai->ai_addrlen = sizeof(*in6);
	} else {
		struct sockaddr_in *in = (void *)ai->ai_addr;

		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)port);
		memcpy(&in->sin_addr, addr, 4);
		ai->ai_addrlen = sizeof(*in);
	}
	return ai;
}

/* The address(es) node stands for, at most one per family: 0 or an EAI_* error. */
static int lookup(const char *node, const struct addrinfo *h, uint8_t v4[4], bool *has4,
		  uint8_t v6[16], bool *has6)
{
	int fam = h->ai_family;
	struct lsock_addr a;

	*has4 = *has6 = false;
	if (!node) { /* passive: the wildcard address; else loopback */
		bool passive = h->ai_flags & AI_PASSIVE;

		memset(v4, 0, 4);
		memset(v6, 0, 16);
		if (!passive)
			v4[0] = 127, v4[3] = 1, v6[15] = 1;
		*has4 = fam != AF_INET6;
		*has6 = fam == AF_INET6;
		return 0;
	}
	if (inet_pton(AF_INET, node, v4) == 1)
		return fam == AF_INET6 ? EAI_FAMILY : (*has4 = true, 0);
	if (inet_pton(AF_INET6, node, v6) == 1)
		return fam == AF_INET ? EAI_FAMILY : (*has6 = true, 0);
	if (h->ai_flags & AI_NUMERICHOST)
		return EAI_NONAME;
	if (!strcasecmp(node, "localhost") || !strcasecmp(node, "localhost.localdomain")) {
		memcpy(v4, (uint8_t[]){ 127, 0, 0, 1 }, 4);
		memset(v6, 0, 16);
		v6[15] = 1;
		*has4 = fam != AF_INET6;
		*has6 = fam == AF_INET6;
		return 0;
	}
	if (lsock_resolve(node, fam == AF_INET6 ? LSOCK_AF_INET6 : fam == AF_INET ? LSOCK_AF_INET : 0, &a) < 0)
		return EAI_NONAME;
	if (a.family == LSOCK_AF_INET6)
		memcpy(v6, a.addr, 16), *has6 = true;
	else
		memcpy(v4, a.addr, 4), *has4 = true;
	return 0;
}

/* Append entries for each socket type asked (both when none is). */
static int add(struct addrinfo ***tail, int family, const void *addr, int port, int socktype)
{
	static const int types[] = { SOCK_STREAM, SOCK_DGRAM };

	for (int i = 0; i < 2; i++) {
		if (socktype && socktype != types[i])
			continue;
		if (!(**tail = entry(family, addr, port, types[i])))
			return EAI_MEMORY;
		*tail = &(**tail)->ai_next;
	}
	return 0;
}

int getaddrinfo(const char *node, const char *service, const struct addrinfo *hints, struct addrinfo **res)
{
	struct addrinfo h = hints ? *hints : (struct addrinfo){ .ai_family = AF_UNSPEC }, *list = NULL,
			**tail = &list;
	uint8_t v4[4], v6[16];
	bool has4, has6;
	int port, r;

	if (!res || (!node && !service))
		return EAI_NONAME;
	if (h.ai_family != AF_UNSPEC && h.ai_family != AF_INET && h.ai_family != AF_INET6)
		return EAI_FAMILY;
	if (h.ai_socktype && h.ai_socktype != SOCK_STREAM && h.ai_socktype != SOCK_DGRAM)
		return EAI_SOCKTYPE;
	if ((port = service_port(service, h.ai_flags)) < 0)
		return EAI_SERVICE;
	if ((r = lookup(node, &h, v4, &has4, v6, &has6)))
		return r;
	if ((has6 && (r = add(&tail, AF_INET6, v6, port, h.ai_socktype))) ||
	    (has4 && (r = add(&tail, AF_INET, v4, port, h.ai_socktype)))) {
		freeaddrinfo(list);
		return r;
	}
	if (list && node && (h.ai_flags & AI_CANONNAME) && !(list->ai_canonname = strdup(node))) {
		freeaddrinfo(list);
		return EAI_MEMORY;
	}
	*res = list;
	return 0;
}

void freeaddrinfo(struct addrinfo *res)
{
	while (res) {
		struct addrinfo *next = res->ai_next;

		free(res->ai_canonname);
		free(res);
		res = next;
	}
}

const char *gai_strerror(int err)
{
	switch (err) {
	case 0: return "Success";
	case EAI_BADFLAGS: return "Bad value for ai_flags";
	case EAI_NONAME: return "Name or service not known";
	case EAI_AGAIN: return "Temporary failure in name resolution";
	case EAI_FAIL: return "Non-recoverable failure in name resolution";
	case EAI_FAMILY: return "ai_family not supported";
	case EAI_SOCKTYPE: return "ai_socktype not supported";
	case EAI_SERVICE: return "Servname not supported for ai_socktype";
	case EAI_MEMORY: return "Memory allocation failure";
	case EAI_SYSTEM: return "System error";
	case EAI_OVERFLOW: return "Argument buffer overflow";
	default: return "Unknown error";
	}
}

/* Numeric only (no reverse DNS): NI_NAMEREQD therefore fails. */
int getnameinfo(const struct sockaddr *sa, socklen_t salen, char *host, socklen_t hostlen, char *serv,
		socklen_t servlen, int flags)
{
	const void *addr;
	int family, port;

	if (!sa || salen < sizeof(sa_family_t))
		return EAI_FAMILY;
	if (sa->sa_family == AF_INET && salen >= sizeof(struct sockaddr_in)) {
		addr = &((const struct sockaddr_in *)sa)->sin_addr;
		port = ntohs(((const struct sockaddr_in *)sa)->sin_port);
	} else if (sa->sa_family == AF_INET6 && salen >= sizeof(struct sockaddr_in6)) {
		addr = &((const struct sockaddr_in6 *)sa)->sin6_addr;
		port = ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
	} else {
		return EAI_FAMILY;
	}
	family = sa->sa_family;
	if (host && hostlen) {
		if (flags & NI_NAMEREQD)
			return EAI_NONAME;
		if (!inet_ntop(family, addr, host, hostlen))
			return EAI_OVERFLOW;
	}
	if (serv && servlen && snprintf(serv, servlen, "%d", port) >= (int)servlen)
		return EAI_OVERFLOW;
	return 0;
}

struct hostent *gethostbyname(const char *name)
{
	static struct hostent he;
	static char host[NI_MAXHOST];
	static struct in_addr addr;
	static char *addrs[2], *aliases[1];
	struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM }, *res;

	if (!name || getaddrinfo(name, NULL, &hints, &res)) {
		h_errno = HOST_NOT_FOUND;
		return NULL;
	}
	addr = ((struct sockaddr_in *)res->ai_addr)->sin_addr;
	freeaddrinfo(res);
	snprintf(host, sizeof(host), "%s", name);
	addrs[0] = (char *)&addr;
	addrs[1] = NULL;
	aliases[0] = NULL;
	he = (struct hostent){ host, aliases, AF_INET, 4, addrs };
	return &he;
}

unsigned int if_nametoindex(const char *name)
{
	unsigned i = name ? lsock_if_index(name) : 0;

	if (!i)
		errno = ENODEV;
	return i;
}

char *if_indextoname(unsigned int index, char *name)
{
	char *r = name ? lsock_if_name(index, name) : NULL;

	if (!r)
		errno = ENXIO;
	return r;
}
