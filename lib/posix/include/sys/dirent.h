/* SPDX-License-Identifier: MIT */
/* Directory streams (newlib's generic target has none): opendir, readdir and friends. */
#ifndef SKIFF_POSIX_SYS_DIRENT_H
#define SKIFF_POSIX_SYS_DIRENT_H

#include <sys/types.h>

#define MAXNAMLEN 255

#define DT_UNKNOWN 0
#define DT_CHR 2
#define DT_DIR 4
#define DT_REG 8
#define DT_SOCK 12

struct dirent {
	ino_t d_ino;
	unsigned char d_type;
	char d_name[MAXNAMLEN + 1];
};

typedef struct __skiff_dir DIR;

DIR *opendir(const char *path);
DIR *fdopendir(int fd);
struct dirent *readdir(DIR *dir);
int readdir_r(DIR *dir, struct dirent *entry, struct dirent **result);
void rewinddir(DIR *dir);
int closedir(DIR *dir);
int dirfd(DIR *dir);

#endif
