// SPDX-License-Identifier: MIT
/* Host tests of the file layer: open files, ramfs, cpio archives, paths, mounts, the fd table. */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <skiff/heap.h>
#include <skiff/page.h>
#include <skiff/vfs.h>
#include "unit.h"


#define RD SK_O_RDONLY
#define WR SK_O_WRONLY
#define RW SK_O_RDWR
#define CREAT SK_O_CREAT

/* The kernel heap on host memory (once), then an empty VFS with a ramfs at "/". */
static void setup(void)
{
	unit_kernel_ram();
	sk_vfs_reset();
	CHECK_EQ(sk_heap_kernel.bytes_in_use, 0);
	CHECK_EQ(sk_vfs_mount_ramfs("/"), 0);
}

/* Everything closed and torn down must give every byte back to the heap. */
static void teardown(void)
{
	sk_vfs_reset();
	CHECK_EQ(sk_heap_kernel.bytes_in_use, 0);
}

static struct sk_file *open_ok(const char *path, int flags)
{
	struct sk_file *f = NULL;
	int err = sk_vfs_open(path, flags, 0644, &f);

	if (err)
		fprintf(stderr, "  open %s: %d\n", path, err);
	CHECK_EQ(err, 0);
	return f;
}

static int open_err(const char *path, int flags)
{
	struct sk_file *f = NULL;
	int err = sk_vfs_open(path, flags, 0644, &f);

	if (!err)
		sk_file_close(f);
	return err;
}

static void put(const char *path, const char *s)
{
	struct sk_file *f = open_ok(path, WR | CREAT | SK_O_TRUNC);

	if (!f)
		return;
	CHECK_EQ(sk_file_write(f, s, strlen(s)), strlen(s));
	sk_file_close(f);
}

/* The whole file as a string ("<err N>" when it cannot be opened). */
static const char *get(const char *path)
{
	static char buf[4096];
	struct sk_file *f = NULL;
	int err = sk_vfs_open(path, RD, 0, &f);
	long n;

	if (err) {
		snprintf(buf, sizeof(buf), "<err %d>", err);
		return buf;
	}
	n = sk_file_read(f, buf, sizeof(buf) - 1);
	buf[n < 0 ? 0 : n] = '\0';
	sk_file_close(f);
	return buf;
}

/* The names readdir gives, in order, separated by spaces. */
static const char *list(const char *path)
{
	static char buf[4096];
	struct sk_file *f = NULL;
	struct sk_dirent d;
	int r;

	buf[0] = '\0';
	if (sk_vfs_open(path, RD | SK_O_DIRECTORY, 0, &f))
		return "<err>";
	while ((r = sk_file_readdir(f, &d)) == 1) {
		if (buf[0])
			strcat(buf, " ");
		strcat(buf, d.name);
	}
	CHECK_EQ(r, 0);
	sk_file_close(f);
	return buf;
}

static struct sk_stat st_of(const char *path)
{
	struct sk_stat st;

	memset(&st, 0xff, sizeof(st));
	CHECK_EQ(sk_vfs_stat(path, &st), 0);
	return st;
}

static uint64_t size_of(const char *path)
{
	return st_of(path).size;
}

/* --- ramfs files ------------------------------------------------------------------------- */

static void test_file_rw(void)
{
	struct sk_file *f;
	struct sk_stat st;
	char buf[32];

	setup();
	f = open_ok("/a", RW | CREAT);
	CHECK_EQ(sk_file_write(f, "hello world", 11), 11);
	CHECK_EQ(f->pos, 11);
	CHECK_EQ(sk_file_read(f, buf, sizeof(buf)), 0);
	CHECK_EQ(sk_file_seek(f, 6, SK_SEEK_SET), 6);
	CHECK_EQ(sk_file_read(f, buf, 5), 5);
	CHECK(!memcmp(buf, "world", 5));
	CHECK_EQ(sk_file_seek(f, -5, SK_SEEK_CUR), 6);
	CHECK_EQ(sk_file_seek(f, -1, SK_SEEK_END), 10);
	CHECK_EQ(sk_file_seek(f, 0, SK_SEEK_END), 11);
	CHECK_EQ(sk_file_seek(f, -12, SK_SEEK_END), -EINVAL);
	CHECK_EQ(sk_file_seek(f, -1, SK_SEEK_SET), -EINVAL);
	CHECK_EQ(sk_file_seek(f, INT64_MAX, SK_SEEK_END), -EINVAL);
	CHECK_EQ(sk_file_seek(f, 0, 7), -EINVAL);
	CHECK_EQ(f->pos, 11);
	/* Writing past the end leaves a hole of zeros. */
	CHECK_EQ(sk_file_seek(f, 20, SK_SEEK_SET), 20);
	CHECK_EQ(sk_file_write(f, "!", 1), 1);
	CHECK_EQ(sk_file_stat(f, &st), 0);
	CHECK_EQ(st.size, 21);
	CHECK_EQ(st.type, SK_FT_REG);
	CHECK_EQ(st.perm, 0644);
	CHECK_EQ(st.nlink, 1);
	CHECK(st.mtime_ns != 0);
	CHECK_EQ(sk_file_pread(f, buf, sizeof(buf), 9), 12);
	CHECK(!memcmp(buf, "ld\0\0\0\0\0\0\0\0\0!", 12));
	CHECK_EQ(sk_file_pwrite(f, "HE", 2, 0), 2);
	CHECK_EQ(f->pos, 21);	/* pread/pwrite leave the position alone */
	CHECK_EQ(sk_file_pread(f, buf, 100, 21), 0);
	CHECK_EQ(sk_file_pread(f, buf, 100, 1000), 0);
	CHECK_EQ(sk_file_pread(f, buf, 1, (uint64_t)INT64_MAX + 1), -EINVAL);
	CHECK_EQ(sk_file_poll(f), SK_POLL_IN | SK_POLL_OUT);
	sk_file_close(f);
	CHECK_STR(get("/a"), "HEllo world");
	CHECK_EQ(size_of("/a"), 21);
	/* Sizes across truncation: shrink, grow (zeros), and O_TRUNC on open. */
	f = open_ok("/a", WR);
	CHECK_EQ(sk_file_truncate(f, 5), 0);
	CHECK_EQ(size_of("/a"), 5);
	CHECK_EQ(sk_file_truncate(f, 8), 0);
	CHECK_EQ(size_of("/a"), 8);
	sk_file_close(f);
	f = open_ok("/a", RD);
	CHECK_EQ(sk_file_read(f, buf, sizeof(buf)), 8);
	CHECK(!memcmp(buf, "HEllo\0\0\0", 8));
	sk_file_close(f);
	f = open_ok("/a", WR | SK_O_TRUNC);
	CHECK_EQ(size_of("/a"), 0);
	sk_file_close(f);
	teardown();
}

static void test_file_create_flags(void)
{
	struct sk_file *f;

	setup();
	CHECK_EQ(open_err("/nope", RD), -ENOENT);
	CHECK_EQ(open_err("/nope", RD | SK_O_ACCMODE), -EINVAL);
	put("/a", "data");
	CHECK_EQ(open_err("/a", RD | CREAT | SK_O_EXCL), -EEXIST);
	CHECK_EQ(open_err("/b", RD | CREAT | SK_O_EXCL), 0);
	CHECK_EQ(size_of("/b"), 0);
	/* O_CREAT without O_EXCL opens what is there without truncating. */
	f = open_ok("/a", RD | CREAT);
	sk_file_close(f);
	CHECK_STR(get("/a"), "data");
	CHECK_EQ(st_of("/b").perm, 0644);
	CHECK(st_of("/a").ino != st_of("/b").ino);
	CHECK(st_of("/a").ino != st_of("/").ino);
	teardown();
}

static void test_file_access_modes(void)
{
	struct sk_file *r, *w;
	char c;

	setup();
	put("/a", "xyz");
	r = open_ok("/a", RD);
	w = open_ok("/a", WR);
	CHECK_EQ(sk_file_write(r, "q", 1), -EBADF);
	CHECK_EQ(sk_file_pwrite(r, "q", 1, 0), -EBADF);
	CHECK_EQ(sk_file_truncate(r, 0), -EINVAL);
	CHECK_EQ(sk_file_read(w, &c, 1), -EBADF);
	CHECK_EQ(sk_file_pread(w, &c, 1, 0), -EBADF);
	CHECK_EQ(sk_file_readdir(r, &(struct sk_dirent){ 0 }), -EINVAL);
	CHECK_EQ(sk_file_read(r, &c, 1), 1);
	CHECK_EQ(c, 'x');
	sk_file_close(r);
	sk_file_close(w);
	teardown();
}

static void test_file_append(void)
{
	struct sk_file *a, *b;
	char buf[16];

	setup();
	put("/log", "one");
	a = open_ok("/log", WR | SK_O_APPEND);
	b = open_ok("/log", RW);
	/* Each append lands at the end as it is at that moment, whatever the position. */
	CHECK_EQ(sk_file_seek(a, 0, SK_SEEK_SET), 0);
	CHECK_EQ(sk_file_write(a, "-two", 4), 4);
	CHECK_EQ(a->pos, 7);
	CHECK_EQ(sk_file_pwrite(b, "ONE-TWO-three", 13, 0), 13);
	CHECK_EQ(sk_file_write(a, "!", 1), 1);
	CHECK_EQ(a->pos, 14);
	CHECK_EQ(sk_file_read(b, buf, sizeof(buf)), 14);
	CHECK(!memcmp(buf, "ONE-TWO-three!", 14));
	/* pwrite honours its offset even with O_APPEND (POSIX). */
	CHECK_EQ(sk_file_pwrite(a, "o", 1, 0), 1);
	CHECK_STR(get("/log"), "oNE-TWO-three!");
	CHECK_EQ(a->flags, WR | SK_O_APPEND);
	sk_file_close(a);
	sk_file_close(b);
	teardown();
}

static void test_file_enospc(void)
{
	struct sk_file *f;

	setup();
	f = open_ok("/big", RW | CREAT);
	CHECK_EQ(sk_file_write(f, "abc", 3), 3);
	CHECK_EQ(sk_file_pwrite(f, "x", 1, 1ULL << 30), -ENOSPC);
	CHECK_EQ(sk_file_truncate(f, 1ULL << 30), -ENOSPC);
	CHECK_EQ(size_of("/big"), 3);
	CHECK_EQ(sk_file_truncate(f, (uint64_t)INT64_MAX + 1), -EINVAL);
	/* A file grown in many small writes, then read back whole. */
	for (int i = 0; i < 10000; i++)
		CHECK_EQ(sk_file_write(f, "0123456789", 10), 10);
	CHECK_EQ(size_of("/big"), 100003);
	char *buf = malloc(100003);
	CHECK_EQ(sk_file_pread(f, buf, 100003, 0), 100003);
	CHECK(!memcmp(buf + 3 + 99990, "0123456789", 10));
	free(buf);
	sk_file_close(f);
	teardown();
}

/* --- ramfs directories ------------------------------------------------------------------- */

static void test_dirs(void)
{
	struct sk_file *f;
	struct sk_dirent d;
	char c;

	setup();
	CHECK_STR(list("/"), ". ..");
	CHECK_EQ(sk_vfs_mkdir("/d", 0700), 0);
	CHECK_EQ(sk_vfs_mkdir("/d", 0700), -EEXIST);
	CHECK_EQ(sk_vfs_mkdir("/", 0700), -EEXIST);
	CHECK_EQ(sk_vfs_mkdir("/d/.", 0700), -EEXIST);
	CHECK_EQ(sk_vfs_mkdir("/x/y", 0700), -ENOENT);
	CHECK_EQ(sk_vfs_mkdir("/d/e/", 0755), 0);
	put("/d/f", "1");
	put("/d/g", "22");
	CHECK_EQ(sk_vfs_mkdir("/d/f/h", 0755), -ENOTDIR);
	CHECK_STR(list("/d"), ". .. e f g");
	CHECK_STR(list("/"), ". .. d");
	CHECK_EQ(st_of("/d").type, SK_FT_DIR);
	CHECK_EQ(st_of("/d").perm, 0700);
	CHECK_EQ(st_of("/d").size, 0);
	CHECK_EQ(st_of("/d").nlink, 3);
	CHECK_EQ(st_of("/").nlink, 3);
	/* "." and ".." carry the right inode numbers; seeking to 0 starts over. */
	f = open_ok("/d/e", RD);
	CHECK_EQ(sk_file_readdir(f, &d), 1);
	CHECK_STR(d.name, ".");
	CHECK_EQ(d.ino, st_of("/d/e").ino);
	CHECK_EQ(sk_file_readdir(f, &d), 1);
	CHECK_STR(d.name, "..");
	CHECK_EQ(d.ino, st_of("/d").ino);
	CHECK_EQ(d.type, SK_FT_DIR);
	CHECK_EQ(sk_file_readdir(f, &d), 0);
	CHECK_EQ(sk_file_seek(f, 0, SK_SEEK_SET), 0);
	CHECK_EQ(sk_file_readdir(f, &d), 1);
	CHECK_STR(d.name, ".");
	CHECK_EQ(sk_file_read(f, &c, 1), -EISDIR);
	CHECK_EQ(sk_file_pread(f, &c, 1, 0), -EISDIR);
	sk_file_close(f);
	f = open_ok("/d", RD);
	for (int i = 0; i < 4; i++)
		CHECK_EQ(sk_file_readdir(f, &d), 1);
	CHECK_STR(d.name, "f");
	CHECK_EQ(d.type, SK_FT_REG);
	CHECK_EQ(d.ino, st_of("/d/f").ino);
	sk_file_close(f);
	/* Opening: directories only read-only, O_DIRECTORY only on directories. */
	CHECK_EQ(open_err("/d", WR), -EISDIR);
	CHECK_EQ(open_err("/d", RW), -EISDIR);
	CHECK_EQ(open_err("/d", RD | SK_O_TRUNC), -EISDIR);
	CHECK_EQ(open_err("/d", RD | CREAT), -EISDIR);
	CHECK_EQ(open_err("/d/f", RD | SK_O_DIRECTORY), -ENOTDIR);
	CHECK_EQ(open_err("/d/new", RD | CREAT | SK_O_DIRECTORY), -EINVAL);
	CHECK_EQ(open_err("/d", RD | SK_O_DIRECTORY), 0);
	/* Removing. */
	CHECK_EQ(sk_vfs_rmdir("/d"), -ENOTEMPTY);
	CHECK_EQ(sk_vfs_rmdir("/d/f"), -ENOTDIR);
	CHECK_EQ(sk_vfs_rmdir("/d/zz"), -ENOENT);
	CHECK_EQ(sk_vfs_rmdir("/"), -EBUSY);
	CHECK_EQ(sk_vfs_rmdir("/d/e/."), -EINVAL);
	CHECK_EQ(sk_vfs_rmdir("/d/e/.."), -ENOTEMPTY);
	CHECK_EQ(sk_vfs_unlink("/d/e"), -EISDIR);
	CHECK_EQ(sk_vfs_unlink("/d/zz"), -ENOENT);
	CHECK_EQ(sk_vfs_unlink("/d/f/"), -ENOTDIR);
	CHECK_EQ(sk_vfs_unlink("/d/f"), 0);
	CHECK_EQ(sk_vfs_unlink("/d/g"), 0);
	CHECK_EQ(sk_vfs_rmdir("/d/e/"), 0);
	CHECK_EQ(st_of("/d").nlink, 2);
	CHECK_STR(list("/d"), ". ..");
	CHECK_EQ(sk_vfs_rmdir("/d"), 0);
	CHECK_EQ(sk_vfs_stat("/d", &(struct sk_stat){ 0 }), -ENOENT);
	CHECK_EQ(st_of("/").nlink, 2);
	teardown();
}

/* An open directory outlives its removal and lists nothing. */
static void test_dir_removed_while_open(void)
{
	struct sk_file *f;
	struct sk_dirent d;

	setup();
	CHECK_EQ(sk_vfs_mkdir("/a", 0755), 0);
	CHECK_EQ(sk_vfs_mkdir("/a/b", 0755), 0);
	f = open_ok("/a/b", RD);
	CHECK_EQ(sk_vfs_rmdir("/a/b"), 0);
	CHECK_EQ(sk_vfs_rmdir("/a"), 0);
	CHECK_EQ(sk_file_readdir(f, &d), 1);
	CHECK_EQ(sk_file_readdir(f, &d), 1);
	CHECK_STR(d.name, "..");
	CHECK_EQ(sk_file_readdir(f, &d), 0);
	CHECK_EQ(sk_file_stat(f, &(struct sk_stat){ 0 }), 0);
	sk_file_close(f);
	teardown();
}

static void test_unlink_open_file(void)
{
	struct sk_file *f;
	struct sk_stat st;
	char buf[16];

	setup();
	put("/tmp", "still here");
	f = open_ok("/tmp", RW);
	CHECK_EQ(sk_vfs_unlink("/tmp"), 0);
	CHECK_EQ(sk_vfs_stat("/tmp", &st), -ENOENT);
	CHECK_STR(list("/"), ". ..");
	CHECK_EQ(sk_file_read(f, buf, sizeof(buf)), 10);
	CHECK(!memcmp(buf, "still here", 10));
	CHECK_EQ(sk_file_write(f, "!", 1), 1);
	CHECK_EQ(sk_file_stat(f, &st), 0);
	CHECK_EQ(st.nlink, 0);
	CHECK_EQ(st.size, 11);
	/* A new file of the same name is another file. */
	put("/tmp", "new");
	CHECK_EQ(sk_file_pread(f, buf, sizeof(buf), 0), 11);
	sk_file_close(f);	/* the data goes now: teardown checks the heap */
	CHECK_STR(get("/tmp"), "new");
	CHECK_EQ(sk_vfs_unlink("/tmp"), 0);
	teardown();
}

static void test_hard_links(void)
{
	struct sk_file *f;

	setup();
	CHECK_EQ(sk_vfs_mkdir("/d", 0755), 0);
	put("/a", "shared");
	CHECK_EQ(sk_vfs_link("/a", "/d/b"), 0);
	CHECK_EQ(st_of("/a").nlink, 2);
	CHECK_EQ(st_of("/a").ino, st_of("/d/b").ino);
	CHECK_EQ(sk_vfs_link("/a", "/d/b"), -EEXIST);
	CHECK_EQ(sk_vfs_link("/a", "/d"), -EEXIST);
	CHECK_EQ(sk_vfs_link("/d", "/e"), -EPERM);
	CHECK_EQ(sk_vfs_link("/zz", "/e"), -ENOENT);
	CHECK_EQ(sk_vfs_link("/a", "/zz/e"), -ENOENT);
	CHECK_EQ(sk_vfs_link("/a/", "/e"), -ENOTDIR);
	f = open_ok("/d/b", WR | SK_O_APPEND);
	CHECK_EQ(sk_file_write(f, "!", 1), 1);
	sk_file_close(f);
	CHECK_STR(get("/a"), "shared!");
	CHECK_EQ(sk_vfs_unlink("/a"), 0);
	CHECK_EQ(st_of("/d/b").nlink, 1);
	CHECK_STR(get("/d/b"), "shared!");
	CHECK_EQ(sk_vfs_link("/d/b", "/d/c"), 0);
	CHECK_EQ(sk_vfs_unlink("/d/b"), 0);
	CHECK_EQ(sk_vfs_unlink("/d/c"), 0);
	CHECK_STR(list("/d"), ". ..");
	teardown();
}

static void test_rename(void)
{
	struct sk_file *f;
	uint64_t ino;

	setup();
	put("/a", "A");
	put("/b", "B");
	ino = st_of("/a").ino;
	/* File over file: the old target lives on only in files that had it open. */
	f = open_ok("/b", RD);
	CHECK_EQ(sk_vfs_rename("/a", "/b"), 0);
	CHECK_STR(get("/b"), "A");
	CHECK_EQ(st_of("/b").ino, ino);
	CHECK_EQ(sk_vfs_stat("/a", &(struct sk_stat){ 0 }), -ENOENT);
	CHECK_STR(list("/"), ". .. b");
	char c;
	CHECK_EQ(sk_file_read(f, &c, 1), 1);
	CHECK_EQ(c, 'B');
	sk_file_close(f);
	/* Same file, two names: nothing happens. */
	CHECK_EQ(sk_vfs_link("/b", "/b2"), 0);
	CHECK_EQ(sk_vfs_rename("/b", "/b2"), 0);
	CHECK_EQ(st_of("/b").nlink, 2);
	CHECK_EQ(sk_vfs_rename("/b", "/b"), 0);
	CHECK_EQ(sk_vfs_rename("/nope", "/x"), -ENOENT);
	/* Directories: over an empty one fine, over a non-empty one not, never into itself. */
	CHECK_EQ(sk_vfs_mkdir("/d", 0755), 0);
	CHECK_EQ(sk_vfs_mkdir("/d/sub", 0755), 0);
	put("/d/sub/f", "F");
	CHECK_EQ(sk_vfs_mkdir("/empty", 0755), 0);
	CHECK_EQ(sk_vfs_mkdir("/full", 0755), 0);
	put("/full/x", "x");
	CHECK_EQ(sk_vfs_rename("/d", "/full"), -ENOTEMPTY);
	CHECK_EQ(sk_vfs_rename("/d", "/b"), -ENOTDIR);
	CHECK_EQ(sk_vfs_rename("/b", "/empty"), -EISDIR);
	CHECK_EQ(sk_vfs_rename("/b/", "/c"), -ENOTDIR);
	CHECK_EQ(sk_vfs_rename("/d", "/d/sub/d"), -EINVAL);
	CHECK_EQ(sk_vfs_rename("/d", "/d/x"), -EINVAL);
	CHECK_EQ(sk_vfs_rename("/d/sub", "/d/sub/x/y"), -ENOENT);
	CHECK_EQ(sk_vfs_rename("/d/.", "/q"), -EINVAL);
	CHECK_EQ(sk_vfs_rename("/", "/q"), -EBUSY);
	CHECK_EQ(st_of("/").nlink, 5);
	CHECK_EQ(sk_vfs_rename("/d/", "/empty/"), 0);
	CHECK_EQ(st_of("/").nlink, 4);
	CHECK_STR(get("/empty/sub/f"), "F");
	CHECK_STR(list("/"), ". .. b b2 empty full");
	/* A directory moved to another parent: link counts and ".." follow. */
	CHECK_EQ(sk_vfs_rename("/empty/sub", "/full/sub"), 0);
	CHECK_EQ(st_of("/empty").nlink, 2);
	CHECK_EQ(st_of("/full").nlink, 3);
	CHECK_EQ(st_of("/full/sub/..").ino, st_of("/full").ino);
	CHECK_STR(get("/full/sub/../x"), "x");
	CHECK_EQ(sk_vfs_rename("/full/sub", "/empty"), 0);
	CHECK_EQ(st_of("/").nlink, 4);
	CHECK_EQ(st_of("/full").nlink, 2);
	CHECK_STR(get("/empty/f"), "F");
	/* Across mounts. */
	CHECK_EQ(sk_vfs_mount_ramfs("/mnt"), 0);
	CHECK_EQ(sk_vfs_rename("/b", "/mnt/b"), -EXDEV);
	CHECK_EQ(sk_vfs_rename("/nope", "/mnt/b"), -EXDEV);
	CHECK_EQ(sk_vfs_link("/b", "/mnt/b"), -EXDEV);
	put("/mnt/m", "m");
	CHECK_EQ(sk_vfs_rename("/mnt/m", "/m"), -EXDEV);
	CHECK_EQ(sk_vfs_rename("/mnt/m", "/mnt/n"), 0);
	CHECK_STR(get("/mnt/n"), "m");
	teardown();
}

/* --- Paths, the current directory, mounts ------------------------------------------------ */

static void test_paths(void)
{
	char path[SK_PATH_MAX + 8], name[SK_NAME_MAX + 2], expect[SK_NAME_MAX + 16];
	struct sk_stat st;

	setup();
	CHECK_EQ(sk_vfs_mkdir("/a", 0755), 0);
	CHECK_EQ(sk_vfs_mkdir("/a/b", 0755), 0);
	put("/a/b/f", "f");
	CHECK_STR(get("//a///b//f"), "f");
	CHECK_STR(get("/a/./b/./f"), "f");
	CHECK_STR(get("/a/b/../b/f"), "f");
	CHECK_STR(get("/../../a/../../a/b/f"), "f");
	CHECK_STR(get("/a/b/f/"), "<err -20>");
	CHECK_STR(get("/a/b/f/."), "<err -20>");
	CHECK_STR(get("/a/b/f/../f"), "<err -20>");
	CHECK_STR(get("/a/zz/../b/f"), "<err -2>");
	CHECK_EQ(sk_vfs_stat("", &st), -ENOENT);
	CHECK_EQ(sk_vfs_stat("/a/b/", &st), 0);
	CHECK_EQ(st_of("/..").ino, st_of("/").ino);
	CHECK_EQ(st_of("/a/b/..").ino, st_of("/a").ino);
	CHECK_EQ(open_err("/a/new/", WR | CREAT), -EISDIR);
	CHECK_EQ(open_err("/a/b/f/g", WR | CREAT), -ENOTDIR);
	/* Lengths: components up to SK_NAME_MAX, paths below SK_PATH_MAX with the NUL. */
	memset(name, 'n', SK_NAME_MAX);
	name[SK_NAME_MAX] = '\0';
	snprintf(path, sizeof(path), "/%s", name);
	put(path, "long");
	CHECK_STR(get(path), "long");
	snprintf(expect, sizeof(expect), ". .. a %s", name);
	CHECK_STR(list("/"), expect);
	strcat(path, "n");
	CHECK_EQ(sk_vfs_stat(path, &st), -ENAMETOOLONG);
	CHECK_EQ(sk_vfs_mkdir(path, 0755), -ENAMETOOLONG);
	memset(path, '/', SK_PATH_MAX - 1);
	path[SK_PATH_MAX - 1] = '\0';
	CHECK_EQ(sk_vfs_stat(path, &st), 0);
	path[SK_PATH_MAX - 1] = '/';
	path[SK_PATH_MAX] = '\0';
	CHECK_EQ(sk_vfs_stat(path, &st), -ENAMETOOLONG);
	CHECK_EQ(sk_vfs_stat(NULL, &st), -EFAULT);
	teardown();
}

static void test_cwd(void)
{
	char buf[SK_PATH_MAX], name[200];

	setup();
	CHECK_EQ(sk_vfs_getcwd(buf, sizeof(buf)), 0);
	CHECK_STR(buf, "/");
	CHECK_EQ(sk_vfs_mkdir("a", 0755), 0);
	CHECK_EQ(sk_vfs_mkdir("a/b", 0755), 0);
	put("a/b/f", "f");
	CHECK_EQ(sk_vfs_chdir("a//b/"), 0);
	CHECK_EQ(sk_vfs_getcwd(buf, sizeof(buf)), 0);
	CHECK_STR(buf, "/a/b");
	CHECK_STR(get("f"), "f");
	CHECK_STR(get("./f"), "f");
	CHECK_STR(get("../b/f"), "f");
	put("../g", "g");
	CHECK_STR(get("/a/g"), "g");
	CHECK_EQ(sk_vfs_chdir("f"), -ENOTDIR);
	CHECK_EQ(sk_vfs_chdir("nope"), -ENOENT);
	CHECK_EQ(sk_vfs_chdir("../../.././a/./b/.."), 0);
	CHECK_EQ(sk_vfs_getcwd(buf, sizeof(buf)), 0);
	CHECK_STR(buf, "/a");
	/* -ERANGE unless the path and its NUL fit. */
	CHECK_EQ(sk_vfs_getcwd(buf, 2), -ERANGE);
	CHECK_EQ(sk_vfs_getcwd(buf, 0), -ERANGE);
	CHECK_EQ(sk_vfs_getcwd(buf, 3), 0);
	CHECK_STR(buf, "/a");
	CHECK_EQ(sk_vfs_chdir(".."), 0);
	CHECK_EQ(sk_vfs_chdir(".."), 0);
	CHECK_EQ(sk_vfs_getcwd(buf, sizeof(buf)), 0);
	CHECK_STR(buf, "/");
	/* A removed current directory makes relative paths fail, absolute ones still work. */
	CHECK_EQ(sk_vfs_mkdir("/gone", 0755), 0);
	CHECK_EQ(sk_vfs_chdir("/gone"), 0);
	CHECK_EQ(sk_vfs_rmdir("/gone"), 0);
	CHECK_EQ(sk_vfs_stat(".", &(struct sk_stat){ 0 }), -ENOENT);
	CHECK_EQ(sk_vfs_chdir("/a/b"), 0);
	CHECK_STR(get("f"), "f");
	/* A current directory that would not fit in SK_PATH_MAX is refused. */
	memset(name, 'd', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	CHECK_EQ(sk_vfs_chdir("/"), 0);
	int i, err = 0;
	for (i = 0; i < 10 && !err; i++) {
		CHECK_EQ(sk_vfs_mkdir(name, 0755), 0);
		err = sk_vfs_chdir(name);
	}
	CHECK_EQ(err, -ENAMETOOLONG);
	CHECK_EQ(i, 6);
	CHECK_EQ(sk_vfs_getcwd(buf, sizeof(buf)), 0);
	CHECK_EQ(strlen(buf), 5 * 200);
	CHECK_EQ(sk_vfs_getcwd(buf, 1000), -ERANGE);
	teardown();
}

static void test_mounts(void)
{
	struct sk_stat st;
	char path[32], buf[64];

	sk_vfs_reset();
	CHECK_EQ(sk_vfs_stat("/", &st), -ENOENT);
	CHECK_EQ(sk_vfs_mount_ramfs("/mnt"), -EINVAL);
	CHECK_EQ(sk_vfs_mount_ramfs("//"), 0);
	CHECK_EQ(sk_vfs_mount_ramfs("/"), -EBUSY);
	put("/file", "x");
	CHECK_EQ(sk_vfs_mount_ramfs("/file"), -ENOTDIR);
	CHECK_EQ(sk_vfs_mount_ramfs("/no/such"), -ENOENT);
	/* The mount point is created when missing. */
	CHECK_EQ(sk_vfs_mount_ramfs("/mnt"), 0);
	CHECK_EQ(sk_vfs_mount_ramfs("/mnt"), -EBUSY);
	CHECK_EQ(sk_vfs_mount_ramfs("/mnt/"), -EBUSY);
	CHECK_STR(list("/"), ". .. file mnt");
	CHECK_STR(list("/mnt"), ". ..");
	CHECK(st_of("/mnt").dev != st_of("/").dev);
	CHECK_EQ(st_of("/mnt/..").ino, st_of("/").ino);
	CHECK_EQ(st_of("/mnt/..").dev, st_of("/").dev);
	put("/mnt/inner", "in");
	CHECK_STR(get("/mnt/../mnt/./inner"), "in");
	CHECK_STR(get("/mnt/../file"), "x");
	/* Nested: /mnt/sub on the second filesystem, then back up through both. */
	CHECK_EQ(sk_vfs_mount_ramfs("/mnt/sub"), 0);
	put("/mnt/sub/deep", "deep");
	CHECK_EQ(sk_vfs_chdir("/mnt/sub"), 0);
	CHECK_STR(get("../inner"), "in");
	CHECK_STR(get("../../file"), "x");
	CHECK_STR(get("../../mnt/sub/deep"), "deep");
	CHECK_EQ(sk_vfs_chdir("../.."), 0);
	CHECK_EQ(sk_vfs_getcwd(buf, sizeof(buf)), 0);
	CHECK_STR(buf, "/");
	/* Mount points cannot be removed or renamed, nor replaced by a rename. */
	CHECK_EQ(sk_vfs_rmdir("/mnt"), -EBUSY);
	CHECK_EQ(sk_vfs_rmdir("/mnt/sub/"), -EBUSY);
	CHECK_EQ(sk_vfs_rename("/mnt", "/mnt2"), -EBUSY);
	CHECK_EQ(sk_vfs_mkdir("/empty", 0755), 0);
	CHECK_EQ(sk_vfs_rename("/empty", "/mnt"), -EBUSY);
	CHECK_EQ(sk_vfs_rename("/mnt/sub", "/mnt/x"), -EBUSY);
	/* At most 16 mounts. */
	for (int i = 3; i < 16; i++) {
		snprintf(path, sizeof(path), "/m%d", i);
		CHECK_EQ(sk_vfs_mount_ramfs(path), 0);
	}
	CHECK_EQ(sk_vfs_mount_ramfs("/one-too-many"), -ENOSPC);
	CHECK_EQ(sk_vfs_stat("/one-too-many", &st), -ENOENT);
	CHECK_EQ(st_of("/m15").dev, 15);
	teardown();
}

/* --- cpio -------------------------------------------------------------------------------- */

struct cpio {
	unsigned char buf[8192];
	size_t len;
	unsigned ino;
};

static void cpio_bytes(struct cpio *c, const void *p, size_t n)
{
	if (c->len + n > sizeof(c->buf))
		abort();
	memcpy(c->buf + c->len, p, n);
	c->len += n;
}

static void cpio_pad(struct cpio *c)
{
	while (c->len % 4)
		cpio_bytes(c, "", 1);
}

/* One newc entry: header, name with its NUL, data, each padded to 4 bytes. */
static void cpio_entry(struct cpio *c, const char *name, unsigned mode, const char *data)
{
	char hdr[111];
	unsigned size = data ? (unsigned)strlen(data) : 0;

	snprintf(hdr, sizeof(hdr), "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		 ++c->ino, mode, 0, 0, 1, 1700000000, size, 0, 0, 0, 0,
		 (unsigned)strlen(name) + 1, 0);
	cpio_bytes(c, hdr, 110);
	cpio_bytes(c, name, strlen(name) + 1);
	cpio_pad(c);
	cpio_bytes(c, data ? data : "", size);
	cpio_pad(c);
}

static void cpio_end(struct cpio *c)
{
	cpio_entry(c, "TRAILER!!!", 0, NULL);
}

/* A small initrd: explicit and implied directories, "./" names, a skipped symlink. */
static size_t sample(struct cpio *c)
{
	memset(c, 0, sizeof(*c));
	cpio_entry(c, ".", 040755, NULL);
	cpio_entry(c, "./etc", 040700, NULL);
	cpio_entry(c, "./etc/motd", 0100644, "welcome\n");
	cpio_entry(c, "bin/sh", 0100755, "#!sh");
	cpio_entry(c, "usr/share/doc/readme", 0100444, "read me");
	cpio_entry(c, "link", 0120777, "etc/motd");
	cpio_entry(c, "empty", 0100600, NULL);
	cpio_entry(c, "usr//share/./x", 0100644, "x");
	cpio_end(c);
	return c->len;
}

static void test_cpio_read(void)
{
	static struct cpio c;
	struct sk_file *f;
	struct sk_stat st;
	char buf[16];

	setup();
	sample(&c);
	CHECK_EQ(sk_vfs_mount_cpio("/initrd", c.buf, c.len), 0);
	CHECK_STR(get("/initrd/etc/motd"), "welcome\n");
	CHECK_STR(get("/initrd/bin/sh"), "#!sh");
	CHECK_STR(get("/initrd/usr/share/doc/readme"), "read me");
	CHECK_STR(get("/initrd/usr/share/x"), "x");
	CHECK_STR(get("/initrd/empty"), "");
	CHECK_STR(get("/initrd/link"), "<err -2>");
	CHECK_STR(list("/initrd"), ". .. etc bin usr empty");
	CHECK_STR(list("/initrd/usr/share"), ". .. doc x");
	st = st_of("/initrd/etc/motd");
	CHECK_EQ(st.type, SK_FT_REG);
	CHECK_EQ(st.size, 8);
	CHECK_EQ(st.perm, 0644);
	CHECK_EQ(st.mtime_ns, 1700000000ULL * 1000000000ULL);
	CHECK_EQ(st.dev, 1);
	CHECK_EQ(st_of("/initrd/etc").perm, 0700);
	CHECK_EQ(st_of("/initrd/usr").type, SK_FT_DIR);
	CHECK_EQ(st_of("/initrd/usr").nlink, 3);
	CHECK_EQ(st_of("/initrd").nlink, 5);
	CHECK_EQ(st_of("/initrd/usr/share/doc/../..").ino, st_of("/initrd/usr").ino);
	CHECK_EQ(st_of("/initrd/..").ino, st_of("/").ino);
	CHECK(st_of("/initrd/bin").ino != st_of("/initrd/usr").ino);
	f = open_ok("/initrd/etc/motd", RD);
	CHECK_EQ(sk_file_seek(f, -3, SK_SEEK_END), 5);
	CHECK_EQ(sk_file_read(f, buf, sizeof(buf)), 3);
	CHECK(!memcmp(buf, "me\n", 3));
	CHECK_EQ(sk_file_pread(f, buf, 4, 1), 4);
	CHECK(!memcmp(buf, "elco", 4));
	sk_file_close(f);
	/* File data is read in place from the archive, not copied. */
	for (size_t i = 0; i + 7 <= c.len; i++)
		if (!memcmp(c.buf + i, "welcome", 7))
			c.buf[i] = 'W';
	CHECK_STR(get("/initrd/etc/motd"), "Welcome\n");
	teardown();
}

static void test_cpio_readonly(void)
{
	static struct cpio c;
	struct sk_file *f;

	setup();
	sample(&c);
	CHECK_EQ(sk_vfs_mount_cpio("/initrd", c.buf, c.len), 0);
	CHECK_EQ(open_err("/initrd/etc/motd", WR), -EROFS);
	CHECK_EQ(open_err("/initrd/etc/motd", RW), -EROFS);
	CHECK_EQ(open_err("/initrd/etc/motd", RD | SK_O_TRUNC), -EROFS);
	CHECK_EQ(open_err("/initrd/new", WR | CREAT), -EROFS);
	CHECK_EQ(open_err("/initrd/new", RD | CREAT), -EROFS);
	CHECK_EQ(open_err("/initrd/etc/motd", RD | CREAT), 0);
	CHECK_EQ(sk_vfs_mkdir("/initrd/newdir", 0755), -EROFS);
	CHECK_EQ(sk_vfs_mkdir("/initrd/etc", 0755), -EEXIST);
	CHECK_EQ(sk_vfs_rmdir("/initrd/etc"), -EROFS);
	CHECK_EQ(sk_vfs_unlink("/initrd/etc/motd"), -EROFS);
	CHECK_EQ(sk_vfs_rename("/initrd/etc/motd", "/initrd/motd"), -EROFS);
	CHECK_EQ(sk_vfs_rename("/initrd/etc/motd", "/motd"), -EXDEV);
	CHECK_EQ(sk_vfs_link("/initrd/etc/motd", "/initrd/motd2"), -EROFS);
	CHECK_EQ(sk_vfs_link("/initrd/etc/motd", "/motd2"), -EXDEV);
	CHECK_EQ(sk_vfs_mount_ramfs("/initrd/tmp"), -EROFS);
	f = open_ok("/initrd/etc/motd", RD);
	CHECK_EQ(sk_file_write(f, "x", 1), -EBADF);
	CHECK_EQ(sk_file_truncate(f, 0), -EINVAL);
	sk_file_close(f);
	/* Mounting on an existing directory of a read-only filesystem is fine. */
	CHECK_EQ(sk_vfs_mount_ramfs("/initrd/etc"), 0);
	put("/initrd/etc/scratch", "s");
	CHECK_STR(get("/initrd/etc/scratch"), "s");
	CHECK_STR(list("/initrd/etc"), ". .. scratch");
	teardown();
}

/* The initrd as the root filesystem. */
static void test_cpio_root(void)
{
	static struct cpio c;

	sk_vfs_reset();
	sample(&c);
	CHECK_EQ(sk_vfs_mount_cpio("/", c.buf, c.len), 0);
	CHECK_STR(get("/etc/motd"), "welcome\n");
	CHECK_EQ(sk_vfs_mount_ramfs("/tmp"), -EROFS);
	CHECK_EQ(sk_vfs_mount_ramfs("/etc"), 0);
	CHECK_STR(get("/etc/motd"), "<err -2>");
	teardown();
}

/* Mount a copy of exactly len bytes, so that ASan sees any read past the end. */
static int mount_copy(const void *data, size_t len)
{
	void *copy = malloc(len ? len : 1);
	int err;

	memcpy(copy, data, len);
	err = sk_vfs_mount_cpio("/initrd", copy, len);
	if (!err)
		sk_vfs_reset();	/* before the archive goes */
	free(copy);
	return err;
}

/* A bad archive leaves nothing behind: no mount, no mount point, no memory. */
static void check_rejected(const void *data, size_t len)
{
	struct sk_stat st;

	CHECK_EQ(mount_copy(data, len), -EINVAL);
	CHECK_EQ(sk_vfs_stat("/initrd", &st), -ENOENT);
	sk_vfs_reset();
	CHECK_EQ(sk_heap_kernel.bytes_in_use, 0);
	CHECK_EQ(sk_vfs_mount_ramfs("/"), 0);
}

static void test_cpio_malformed(void)
{
	static struct cpio c, d;
	size_t n;

	setup();
	n = sample(&c);
	CHECK_EQ(mount_copy(c.buf, n), 0);
	CHECK_EQ(sk_vfs_mount_ramfs("/"), 0);
	check_rejected(c.buf, 0);
	/* Damage in each of the first header's fields. */
	for (int field = 0; field < 14; field++) {
		d = c;
		d.buf[field ? 6 + 8 * (field - 1) + 3 : 0] = field ? 'g' : '1';
		check_rejected(d.buf, n);
	}
	/* No trailer; a name without its NUL; a name or data running past the end. */
	memset(&d, 0, sizeof(d));
	cpio_entry(&d, "a", 0100644, "data");
	check_rejected(d.buf, d.len);
	d.buf[110 + 1] = 'x';
	cpio_end(&d);
	check_rejected(d.buf, d.len);
	memset(&d, 0, sizeof(d));
	cpio_entry(&d, "a", 0100644, "data");
	cpio_end(&d);
	memcpy(d.buf + 6 + 8 * 6, "FFFFFFF0", 8);	/* filesize */
	check_rejected(d.buf, d.len);
	memcpy(d.buf + 6 + 8 * 6, "00000004", 8);
	memcpy(d.buf + 6 + 8 * 11, "FFFFFFFF", 8);	/* namesize */
	check_rejected(d.buf, d.len);
	memcpy(d.buf + 6 + 8 * 11, "00000000", 8);
	check_rejected(d.buf, d.len);
	memcpy(d.buf + 6 + 8 * 11, "00000001", 8);	/* "a" without room for the NUL */
	check_rejected(d.buf, d.len);
	/* Names the tree cannot take: "..", a file used as a directory, a file then a dir. */
	const char *bad[][2] = { { "../x", "a/x" }, { "a/../b", "a/x" }, { "f", "f/g" } };
	for (size_t i = 0; i < 3; i++) {
		memset(&d, 0, sizeof(d));
		cpio_entry(&d, bad[i][0], 0100644, "1");
		cpio_entry(&d, bad[i][1], 0100644, "2");
		cpio_end(&d);
		check_rejected(d.buf, d.len);
	}
	memset(&d, 0, sizeof(d));
	cpio_entry(&d, "f", 0100644, "1");
	cpio_entry(&d, "f", 040755, NULL);
	cpio_end(&d);
	check_rejected(d.buf, d.len);
	/* A later entry for the same file wins; an explicit directory after implied is fine. */
	memset(&d, 0, sizeof(d));
	cpio_entry(&d, "a/f", 0100644, "old");
	cpio_entry(&d, "a", 040711, NULL);
	cpio_entry(&d, "a/f", 0100644, "new");
	cpio_end(&d);
	CHECK_EQ(sk_vfs_mount_cpio("/initrd", d.buf, d.len), 0);
	CHECK_STR(get("/initrd/a/f"), "new");
	CHECK_EQ(st_of("/initrd/a").perm, 0711);
	CHECK_STR(list("/initrd/a"), ". .. f");
	sk_vfs_reset();
	/* Lowercase hex digits parse as well as uppercase ones. */
	memset(&d, 0, sizeof(d));
	cpio_entry(&d, "hex", 0100644, "0123456789abcdef");
	cpio_end(&d);
	for (size_t i = 6; i < 110; i++)
		d.buf[i] = tolower(d.buf[i]);
	CHECK_EQ(sk_vfs_mount_ramfs("/"), 0);
	CHECK_EQ(sk_vfs_mount_cpio("/initrd", d.buf, d.len), 0);
	CHECK_EQ(size_of("/initrd/hex"), 16);
	teardown();
}

/* Every prefix of a valid archive is either rejected cleanly or (past the trailer) accepted. */
static void test_cpio_truncated(void)
{
	static struct cpio c;
	size_t n, trailer_name_end;

	setup();
	n = sample(&c);
	for (size_t i = 0; i < 512; i++)
		cpio_bytes(&c, "", 1);	/* the block padding archivers add */
	trailer_name_end = n - 3;	/* 110 + 11 bytes, padded to 124 */
	for (size_t len = 0; len <= c.len; len++) {
		int err = mount_copy(c.buf, len);

		CHECK(err == (len >= trailer_name_end ? 0 : -EINVAL));
		sk_vfs_reset();
		CHECK_EQ(sk_heap_kernel.bytes_in_use, 0);
		CHECK_EQ(sk_vfs_mount_ramfs("/"), 0);
	}
	teardown();
}

/* Every byte replaced by a few values: accepted or -EINVAL, never out of bounds. */
static void test_cpio_corrupted(void)
{
	static struct cpio c, d;
	static const unsigned char vals[] = { 0, '0', '9', 'f', 'F', 0xff, '/', '.' };
	size_t n;

	setup();
	n = sample(&c);
	for (size_t i = 0; i < n; i++) {
		for (size_t v = 0; v < sizeof(vals); v++) {
			int err;

			d = c;
			d.buf[i] = vals[v];
			err = mount_copy(d.buf, n);
			CHECK(err == 0 || err == -EINVAL);
			sk_vfs_reset();
			CHECK_EQ(sk_heap_kernel.bytes_in_use, 0);
			CHECK_EQ(sk_vfs_mount_ramfs("/"), 0);
		}
	}
	teardown();
}

/* --- The fd table and devices ------------------------------------------------------------ */

static void test_fd_table(void)
{
	struct sk_file *f, *g;
	char c;

	setup();
	put("/a", "abcdef");
	f = open_ok("/a", RD);
	CHECK_EQ(sk_fd_install(f, 0), 0);
	CHECK(sk_fd_get(0) == f);
	for (int i = 1; i < 5; i++) {
		sk_file_ref(f);
		CHECK_EQ(sk_fd_install(f, 0), i);
	}
	CHECK_EQ(f->refs, 5);
	CHECK_EQ(sk_fd_close(2), 0);
	CHECK_EQ(sk_fd_close(2), -EBADF);
	CHECK(sk_fd_get(2) == NULL);
	sk_file_ref(f);
	CHECK_EQ(sk_fd_install(f, 0), 2);	/* the lowest free */
	sk_file_ref(f);
	CHECK_EQ(sk_fd_install(f, 3), 5);	/* the lowest free at or above min */
	sk_file_ref(f);
	CHECK_EQ(sk_fd_install(f, 100), 100);
	CHECK_EQ(sk_fd_install(f, SK_FD_MAX), -EINVAL);
	CHECK_EQ(sk_fd_install(f, -1), -EINVAL);
	CHECK(sk_fd_get(-1) == NULL);
	CHECK(sk_fd_get(SK_FD_MAX) == NULL);
	CHECK(sk_fd_get(99) == NULL);
	CHECK_EQ(sk_fd_close(-1), -EBADF);
	CHECK_EQ(sk_fd_close(SK_FD_MAX), -EBADF);
	/* Full: -EMFILE, and the caller keeps its reference. */
	for (int fd = 6; fd < SK_FD_MAX; fd++) {
		if (fd == 100)
			continue;
		sk_file_ref(f);
		CHECK_EQ(sk_fd_install(f, 0), fd);
	}
	CHECK_EQ(f->refs, SK_FD_MAX);
	g = open_ok("/a", RD);
	CHECK_EQ(sk_fd_install(g, 0), -EMFILE);
	CHECK_EQ(sk_fd_install(g, SK_FD_MAX - 1), -EMFILE);
	CHECK_EQ(sk_fd_close(SK_FD_MAX - 1), 0);
	CHECK_EQ(sk_fd_install(g, 0), SK_FD_MAX - 1);
	/* dup2: the same fd is a no-op; an open newfd is closed first; offsets are shared. */
	CHECK_EQ(sk_fd_dup2(SK_FD_MAX - 1, SK_FD_MAX - 1), SK_FD_MAX - 1);
	CHECK_EQ(g->refs, 1);
	CHECK_EQ(sk_fd_dup2(SK_FD_MAX - 1, 7), 7);
	CHECK(sk_fd_get(7) == g);
	CHECK_EQ(g->refs, 2);
	CHECK_EQ(f->refs, SK_FD_MAX - 2);
	CHECK_EQ(sk_file_read(sk_fd_get(7), &c, 1), 1);
	CHECK_EQ(sk_file_read(sk_fd_get(SK_FD_MAX - 1), &c, 1), 1);
	CHECK_EQ(c, 'b');
	CHECK_EQ(sk_fd_dup2(300, 7), -EBADF);
	CHECK_EQ(sk_fd_dup2(-1, 7), -EBADF);
	CHECK_EQ(sk_fd_dup2(7, SK_FD_MAX), -EBADF);
	CHECK_EQ(sk_fd_dup2(7, -1), -EBADF);
	CHECK_EQ(sk_fd_close(99), 0);
	CHECK_EQ(sk_fd_dup2(99, 7), -EBADF);	/* a closed oldfd */
	CHECK(sk_fd_get(7) == g);
	CHECK_EQ(sk_fd_dup2(7, 99), 99);	/* into a free slot */
	CHECK_EQ(g->refs, 3);
	teardown();
}

static void test_fd_dup2_free_slot(void)
{
	struct sk_file *f;

	setup();
	put("/a", "xy");
	f = open_ok("/a", RD);
	CHECK_EQ(sk_fd_install(f, 0), 0);
	CHECK_EQ(sk_fd_dup2(0, 10), 10);
	CHECK(sk_fd_get(10) == f);
	CHECK_EQ(sk_fd_close(0), 0);
	CHECK_EQ(f->refs, 1);
	char c;
	CHECK_EQ(sk_file_read(sk_fd_get(10), &c, 1), 1);
	CHECK_EQ(sk_fd_close(10), 0);
	CHECK_EQ(sk_fd_close(10), -EBADF);
	CHECK_EQ(sk_fd_dup2(10, 0), -EBADF);
	teardown();
}

/* A console-like device: writes collect, reads drain a fixed input, no position. */
static char dev_out[64];
static size_t dev_out_len;
static int dev_releases;

static long dev_read(struct sk_file *f, void *buf, size_t len, uint64_t off)
{
	static const char input[] = "typed";
	size_t *left = f->priv;
	size_t n = len < *left ? len : *left;

	CHECK_EQ(off, 0);
	memcpy(buf, input + sizeof(input) - 1 - *left, n);
	*left -= n;
	return n ? (long)n : -EAGAIN;
}

static long dev_write(struct sk_file *f, const void *buf, size_t len, uint64_t off)
{
	(void)f;
	CHECK_EQ(off, 0);
	memcpy(dev_out + dev_out_len, buf, len);
	dev_out_len += len;
	return (long)len;
}

static unsigned dev_poll(struct sk_file *f)
{
	return *(size_t *)f->priv ? SK_POLL_IN | SK_POLL_OUT : SK_POLL_OUT;
}

static void dev_release(struct sk_file *f)
{
	(void)f;
	dev_releases++;
}

static const struct sk_file_ops dev_ops = {
	.read = dev_read,
	.write = dev_write,
	.poll = dev_poll,
	.release = dev_release,
};

static void test_device(void)
{
	size_t left = 5;
	struct sk_file *f;
	char buf[8];

	setup();
	dev_out_len = 0;
	dev_releases = 0;
	f = sk_file_new(&dev_ops, &left, RW | SK_O_NONBLOCK);
	CHECK(f != NULL);
	CHECK_EQ(f->refs, 1);
	CHECK_EQ(sk_file_write(f, "hi ", 3), 3);
	CHECK_EQ(sk_file_write(f, "there", 5), 5);
	CHECK_EQ(dev_out_len, 8);
	CHECK(!memcmp(dev_out, "hi there", 8));
	CHECK_EQ(f->pos, 0);
	CHECK_EQ(sk_file_poll(f), SK_POLL_IN | SK_POLL_OUT);
	CHECK_EQ(sk_file_read(f, buf, 3), 3);
	CHECK_EQ(sk_file_read(f, buf + 3, 8), 2);
	CHECK(!memcmp(buf, "typed", 5));
	CHECK_EQ(sk_file_read(f, buf, 8), -EAGAIN);
	CHECK_EQ(sk_file_poll(f), SK_POLL_OUT);
	CHECK_EQ(sk_file_seek(f, 0, SK_SEEK_SET), -ESPIPE);
	CHECK_EQ(sk_file_pread(f, buf, 1, 0), -ESPIPE);
	CHECK_EQ(sk_file_pwrite(f, buf, 1, 0), -ESPIPE);
	CHECK_EQ(sk_file_stat(f, &(struct sk_stat){ 0 }), -EINVAL);
	CHECK_EQ(sk_file_truncate(f, 0), -EINVAL);
	CHECK_EQ(sk_file_readdir(f, &(struct sk_dirent){ 0 }), -EINVAL);
	/* stdin, stdout and stderr all on it; the last close releases it once. */
	CHECK_EQ(sk_fd_install(f, 0), 0);
	CHECK_EQ(sk_fd_dup2(0, 1), 1);
	CHECK_EQ(sk_fd_dup2(1, 2), 2);
	CHECK_EQ(f->refs, 3);
	CHECK_EQ(sk_file_write(sk_fd_get(2), "!", 1), 1);
	CHECK_EQ(sk_fd_close(0), 0);
	CHECK_EQ(sk_fd_close(1), 0);
	CHECK_EQ(dev_releases, 0);
	CHECK_EQ(sk_fd_close(2), 0);
	CHECK_EQ(dev_releases, 1);
	/* A write-only device refuses reads; ops without read/write give -EBADF. */
	static const struct sk_file_ops null_ops = { .seekable = false };
	f = sk_file_new(&null_ops, NULL, WR);
	CHECK_EQ(sk_file_read(f, buf, 1), -EBADF);
	CHECK_EQ(sk_file_write(f, buf, 1), -EBADF);
	CHECK_EQ(sk_file_poll(f), SK_POLL_IN | SK_POLL_OUT);
	CHECK_EQ(sk_fd_install(f, 0), 0);
	teardown();	/* closes fd 0 */
}

/* /dev: devices that can be written on a read-only filesystem, and nothing else there. */
static void test_devfs(void)
{
	char buf[16] = "xxxxxxxxxxxxxxx";
	struct sk_file *f = NULL;
	struct sk_stat st;

	setup();
	CHECK_EQ(sk_vfs_mkdir("/dev", 0755), 0);
	CHECK_EQ(sk_vfs_mount_devfs("/dev"), 0);
	f = open_ok("/dev/null", RW | SK_O_TRUNC);
	if (f) {
		CHECK_EQ(sk_file_write(f, "gone", 4), 4);
		CHECK_EQ(sk_file_read(f, buf, sizeof(buf)), 0);
		CHECK_EQ(sk_file_stat(f, &st), 0);
		CHECK_EQ(st.type, SK_FT_CHR);
		sk_file_close(f);
	}
	if ((f = open_ok("/dev/zero", SK_O_RDONLY))) {
		CHECK_EQ(sk_file_read(f, buf, sizeof(buf)), (long)sizeof(buf));
		CHECK(buf[0] == 0 && buf[15] == 0);
		sk_file_close(f);
	}
	if ((f = open_ok("/dev/full", WR))) {
		CHECK_EQ(sk_file_write(f, "x", 1), -ENOSPC);
		sk_file_close(f);
	}
	CHECK_EQ(sk_vfs_open("/dev/new", WR | CREAT, 0644, &f), -EROFS);
	CHECK_EQ(sk_vfs_open("/dev/none", SK_O_RDONLY, 0, &f), -ENOENT);
	CHECK_EQ(sk_vfs_unlink("/dev/null"), -EROFS);
	teardown();
}

UNIT_MAIN("vfs",
	  UNIT_TEST(test_devfs),
	  UNIT_TEST(test_file_rw),
	  UNIT_TEST(test_file_create_flags),
	  UNIT_TEST(test_file_access_modes),
	  UNIT_TEST(test_file_append),
	  UNIT_TEST(test_file_enospc),
	  UNIT_TEST(test_dirs),
	  UNIT_TEST(test_dir_removed_while_open),
	  UNIT_TEST(test_unlink_open_file),
	  UNIT_TEST(test_hard_links),
	  UNIT_TEST(test_rename),
	  UNIT_TEST(test_paths),
	  UNIT_TEST(test_cwd),
	  UNIT_TEST(test_mounts),
	  UNIT_TEST(test_cpio_read),
	  UNIT_TEST(test_cpio_readonly),
	  UNIT_TEST(test_cpio_root),
	  UNIT_TEST(test_cpio_malformed),
	  UNIT_TEST(test_cpio_truncated),
	  UNIT_TEST(test_cpio_corrupted),
	  UNIT_TEST(test_fd_table),
	  UNIT_TEST(test_fd_dup2_free_slot),
	  UNIT_TEST(test_device))
