/* SPDX-License-Identifier: MIT */
/* lwIP's compiler and C library glue for Skiff: newlib's headers, the kernel's log and panic. */
#ifndef SKIFF_LWIP_ARCH_CC_H
#define SKIFF_LWIP_ARCH_CC_H

/* lwIP's arch.h defines these before it includes us; newlib's headers define them the same. */
#undef LITTLE_ENDIAN
#undef BIG_ENDIAN
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/types.h>		/* newlib's endianness macros, before lwIP defines its own */

#ifndef SSIZE_MAX		/* newlib has ssize_t (long) but not its limit; lwIP needs both */
#define SSIZE_MAX LONG_MAX
#endif


/* A pseudo-random number (TCP initial sequence numbers, DNS ids, ports): lib/lwip/sys_arch.c. */
uint32_t sk_lwip_rand(void);
#define LWIP_RAND() sk_lwip_rand()

void sk_lwip_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void sk_lwip_assert(const char *msg, const char *file, int line) __attribute__((__noreturn__));
#define LWIP_PLATFORM_DIAG(x) do { sk_lwip_diag x; } while (0)
#define LWIP_PLATFORM_ASSERT(x) sk_lwip_assert((x), __FILE__, __LINE__)

/*
 * Debian's lwIP sources ask the port how to set and read a socket address's length field;
 * lwIP's own struct sockaddr (lwip/sockets.h, used inside lib/lwip only) has one.
 */
#define IP4ADDR_SOCKADDR_SET_LEN(sin) ((sin)->sin_len = sizeof(struct sockaddr_in))
#define IP6ADDR_SOCKADDR_SET_LEN(sin6) ((sin6)->sin6_len = sizeof(struct sockaddr_in6))
#define IPADDR_SOCKADDR_GET_LEN(addr) ((socklen_t)(addr)->sa.sa_len)

#endif
