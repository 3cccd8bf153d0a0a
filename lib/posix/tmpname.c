// SPDX-License-Identifier: MIT
/*
 * Unique temporary names: mkstemp, mkostemp(s), mkstemps, mkdtemp and mktemp. The X's become
 * random letters and digits from the kernel's random source, tried until a name is free (newlib's
 * versions count up from the pid, and its mkdtemp is ENOSYS on this target, so all of its
 * mktemp.o is replaced: every symbol that object defines is here, so it is never linked).
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <skiff/random.h>
#include "posix.h"

#define ATTEMPTS 100

enum kind { FILE_FD, DIRECTORY, NAME_ONLY };

/* Fill the six or more X's before the suffix with random characters; -EINVAL if missing. */
static int randomize(char *tmpl, int suffixlen)
{
	static const char chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	size_t len = strlen(tmpl), n = 0;
	uint64_t r;
	char *end;

	if (suffixlen < 0 || (size_t)suffixlen > len)
		return -EINVAL;
	end = tmpl + len - suffixlen;
	while (end - n > tmpl && end[-(ptrdiff_t)n - 1] == 'X')
		n++;
	if (n < 6)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		sk_random_fill(&r, sizeof(r));
		end[-(ptrdiff_t)i - 1] = chars[r % (sizeof(chars) - 1)];
	}
	return 0;
}

/* Make a fresh name from tmpl and create it: an fd, 0 for a directory or a free name, or -1. */
static int make_temp(char *tmpl, int suffixlen, int flags, enum kind kind)
{
	size_t len = strlen(tmpl);
	char *saved = strdup(tmpl);
	int r = -1;

	if (!saved)
		return (int)posix_ret(-ENOMEM);
	for (int i = 0; i < ATTEMPTS; i++) {
		memcpy(tmpl, saved, len + 1);
		if ((r = randomize(tmpl, suffixlen)) < 0) {
			r = (int)posix_ret(r);
			break;
		}
		if (kind == FILE_FD)
			r = open(tmpl, O_RDWR | O_CREAT | O_EXCL | (flags & ~O_ACCMODE), 0600);
		else if (kind == DIRECTORY)
			r = mkdir(tmpl, 0700);
		else
			r = access(tmpl, F_OK) == 0 ? (errno = EEXIST, -1) : errno == ENOENT ? 0 : -1;
		if (r >= 0 || errno != EEXIST)
			break;
	}
	if (r < 0) /* as glibc: the template comes back unchanged when nothing was made */
		memcpy(tmpl, saved, len + 1);
	free(saved);
	return r;
}

int mkostemps(char *tmpl, int suffixlen, int flags) { return make_temp(tmpl, suffixlen, flags, FILE_FD); }
int mkostemp(char *tmpl, int flags) { return mkostemps(tmpl, 0, flags); }
int mkstemps(char *tmpl, int suffixlen) { return mkostemps(tmpl, suffixlen, 0); }
int mkstemp(char *tmpl) { return mkostemps(tmpl, 0, 0); }

char *mkdtemp(char *tmpl)
{
	return make_temp(tmpl, 0, 0, DIRECTORY) < 0 ? NULL : tmpl;
}

/* A free name only (racy by nature: mkstemp is the safe form). An empty string on failure. */
static char *free_name(char *tmpl)
{
	if (make_temp(tmpl, 0, 0, NAME_ONLY) < 0)
		tmpl[0] = '\0';
	return tmpl;
}

char *mktemp(char *tmpl)
{
	return free_name(tmpl);
}

/* newlib's reentrant names for the same calls. */
int _mkostemps_r(struct _reent *r, char *t, int s, int f) { (void)r; return mkostemps(t, s, f); }
int _mkostemp_r(struct _reent *r, char *t, int f) { (void)r; return mkostemp(t, f); }
int _mkstemps_r(struct _reent *r, char *t, int s) { (void)r; return mkstemps(t, s); }
int _mkstemp_r(struct _reent *r, char *t) { (void)r; return mkstemp(t); }
char *_mkdtemp_r(struct _reent *r, char *t) { (void)r; return mkdtemp(t); }
char *_mktemp_r(struct _reent *r, char *t) { (void)r; return free_name(t); }
