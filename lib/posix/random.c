// SPDX-License-Identifier: MIT
/* getrandom() and getentropy(), on the kernel's random bytes (include/skiff/random.h). */
#include <errno.h>
#include <sys/random.h>
#include <skiff/random.h>

ssize_t getrandom(void *buf, size_t buflen, unsigned int flags)
{
	if (flags & ~(unsigned)(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE)) {
		errno = EINVAL;
		return -1;
	}
	if (buflen > 33554431) /* Linux returns at most 32 MiB - 1 per call */
		buflen = 33554431;
	sk_random_fill(buf, buflen); /* never blocks: the source is ready from the first instruction */
	return (ssize_t)buflen;
}

int getentropy(void *buf, size_t buflen)
{
	if (buflen > 256) {
		errno = EIO; /* as glibc and OpenBSD: at most 256 bytes */
		return -1;
	}
	sk_random_fill(buf, buflen);
	return 0;
}
