// SPDX-License-Identifier: MIT
/*
 * The user and group databases: one user, root (uid 0, home "/", no shell to run), and one group,
 * root (gid 0). Programs that look themselves up (getpwuid(getuid())) find it; any other name or
 * id is "not found" (NULL with errno unchanged, or 0 with *result NULL for the _r forms), as POSIX
 * says for a missing entry.
 */
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <unistd.h>
#include "posix.h"

static char root_name[] = "root", no_password[] = "x", root_home[] = "/", no_shell[] = "/bin/false",
	    empty[] = "";
static struct passwd root_user = { .pw_name = root_name, .pw_passwd = no_password, .pw_uid = 0,
				   .pw_gid = 0, .pw_comment = empty, .pw_gecos = root_name,
				   .pw_dir = root_home, .pw_shell = no_shell };
static char *no_members[] = { NULL };
static struct group root_group = { .gr_name = root_name, .gr_passwd = no_password, .gr_gid = 0,
				   .gr_mem = no_members };
static unsigned pw_next, gr_next; /* getpwent/getgrent position: 0 before root, 1 after */

struct passwd *getpwuid(uid_t uid) { return uid == 0 ? &root_user : NULL; }
struct passwd *getpwnam(const char *name) { return name && !strcmp(name, root_name) ? &root_user : NULL; }
struct group *getgrgid(gid_t gid) { return gid == 0 ? &root_group : NULL; }
struct group *getgrnam(const char *name) { return name && !strcmp(name, root_name) ? &root_group : NULL; }

struct passwd *getpwent(void) { return pw_next++ ? NULL : &root_user; }
void setpwent(void) { pw_next = 0; }
void endpwent(void) { pw_next = 0; }
struct group *getgrent(void) { return gr_next++ ? NULL : &root_group; }
void setgrent(void) { gr_next = 0; }
void endgrent(void) { gr_next = 0; }

/* Copy s into the caller's buffer at *pos; NULL when it does not fit. */
static char *put(const char *s, char *buf, size_t len, size_t *pos)
{
	size_t n = strlen(s) + 1;
	char *p = buf + *pos;

	if (n > len - *pos)
		return NULL;
	memcpy(p, s, n);
	*pos += n;
	return p;
}

static int copy_user(const struct passwd *src, struct passwd *pw, char *buf, size_t len, struct passwd **res)
{
	size_t pos = 0;

	*res = NULL;
	if (!src)
		return 0;
	*pw = *src;
	if (!(pw->pw_name = put(src->pw_name, buf, len, &pos)) ||
	    !(pw->pw_passwd = put(src->pw_passwd, buf, len, &pos)) ||
	    !(pw->pw_comment = put(src->pw_comment, buf, len, &pos)) ||
	    !(pw->pw_gecos = put(src->pw_gecos, buf, len, &pos)) ||
	    !(pw->pw_dir = put(src->pw_dir, buf, len, &pos)) ||
	    !(pw->pw_shell = put(src->pw_shell, buf, len, &pos)))
		return ERANGE;
	*res = pw;
	return 0;
}

int getpwuid_r(uid_t uid, struct passwd *pw, char *buf, size_t len, struct passwd **res)
{
	return copy_user(getpwuid(uid), pw, buf, len, res);
}

int getpwnam_r(const char *name, struct passwd *pw, char *buf, size_t len, struct passwd **res)
{
	return copy_user(getpwnam(name), pw, buf, len, res);
}

/* The member list (one NULL) goes first in buf, aligned for a pointer. */
static int copy_group(const struct group *src, struct group *gr, char *buf, size_t len, struct group **res)
{
	size_t pos = (sizeof(char *) - (uintptr_t)buf % sizeof(char *)) % sizeof(char *) + sizeof(char *);

	*res = NULL;
	if (!src)
		return 0;
	if (pos > len)
		return ERANGE;
	*gr = *src;
	gr->gr_mem = (char **)(buf + pos - sizeof(char *));
	gr->gr_mem[0] = NULL;
	if (!(gr->gr_name = put(src->gr_name, buf, len, &pos)) ||
	    !(gr->gr_passwd = put(src->gr_passwd, buf, len, &pos)))
		return ERANGE;
	*res = gr;
	return 0;
}

int getgrgid_r(gid_t gid, struct group *gr, char *buf, size_t len, struct group **res)
{
	return copy_group(getgrgid(gid), gr, buf, len, res);
}

int getgrnam_r(const char *name, struct group *gr, char *buf, size_t len, struct group **res)
{
	return copy_group(getgrnam(name), gr, buf, len, res);
}

char *getlogin(void)
{
	return getuid() == 0 ? root_name : NULL;
}

int getlogin_r(char *buf, size_t len)
{
	if (len < sizeof(root_name))
		return ERANGE;
	memcpy(buf, root_name, sizeof(root_name));
	return 0;
}
