// SPDX-License-Identifier: MIT
/* Directory streams on the kernel's directory reads. */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "posix.h"

struct __skiff_dir {
	int fd;
	struct dirent ent;
};

DIR *fdopendir(int fd)
{
	struct sk_file *f = sk_fd_get(fd);
	struct sk_stat st;
	DIR *d;

	if (!f) {
		errno = EBADF;
		return NULL;
	}
	if (sk_file_stat(f, &st) == 0 && st.type != SK_FT_DIR) {
		errno = ENOTDIR;
		return NULL;
	}
	d = malloc(sizeof(*d));
	if (d)
		d->fd = fd;
	return d;
}

DIR *opendir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY);
	DIR *d;

	if (fd < 0)
		return NULL;
	d = fdopendir(fd);
	if (!d)
		close(fd);
	return d;
}

static int next(DIR *d, struct dirent *out)
{
	static const unsigned char types[] = { [SK_FT_REG] = DT_REG, [SK_FT_DIR] = DT_DIR,
					       [SK_FT_CHR] = DT_CHR, [SK_FT_SOCK] = DT_SOCK };
	struct sk_file *f = sk_fd_get(d->fd);
	struct sk_dirent e;
	int r;

	if (!f)
		return -EBADF;
	r = sk_file_readdir(f, &e);
	if (r <= 0)
		return r;
	out->d_ino = (ino_t)e.ino;
	out->d_type = types[e.type];
	memcpy(out->d_name, e.name, sizeof(out->d_name));
	return 1;
}

/* NULL at the end with errno untouched, NULL with errno set on an error. */
struct dirent *readdir(DIR *d)
{
	int r = next(d, &d->ent);

	if (r < 0)
		errno = -r;
	return r > 0 ? &d->ent : NULL;
}

int readdir_r(DIR *d, struct dirent *entry, struct dirent **result)
{
	int r = next(d, entry);

	*result = r > 0 ? entry : NULL;
	return r < 0 ? -r : 0;
}

void rewinddir(DIR *d)
{
	lseek(d->fd, 0, SEEK_SET);
}

int dirfd(DIR *d)
{
	return d->fd;
}

int closedir(DIR *d)
{
	int r = close(d->fd);

	free(d);
	return r;
}
