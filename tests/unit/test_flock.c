// SPDX-License-Identifier: MIT
/*
 * Host tests of record locks (kernel/vfs/lock.c), pipes (kernel/vfs/pipe.c), attributes
 * (sk_vfs_setattr) and the paths the *at calls rely on. Every case must give back all memory.
 */
#include <errno.h>
#include <string.h>
#include <skiff/heap.h>
#include <skiff/vfs.h>
#include "unit.h"

static void setup(void)
{
	unit_kernel_ram();
	sk_vfs_reset();
	CHECK_EQ(sk_heap_kernel.bytes_in_use, 0);
	CHECK_EQ(sk_vfs_mount_ramfs("/"), 0);
}

static void teardown(void)
{
	sk_vfs_reset();
	CHECK_EQ(sk_heap_kernel.bytes_in_use, 0);
}

static struct sk_file *open_rw(const char *path)
{
	struct sk_file *f = NULL;

	CHECK_EQ(sk_vfs_open(path, SK_O_RDWR | SK_O_CREAT, 0644, &f), 0);
	return f;
}

static int take(struct sk_file *f, bool ofd, int type, uint64_t start, uint64_t end)
{
	struct sk_lock l = { .type = type, .start = start, .end = end, .ofd = ofd };

	return sk_file_lock(f, &l, false);
}

/* What an OFD write-lock probe on [start, end] through f meets. */
static struct sk_lock probe(struct sk_file *f, uint64_t start, uint64_t end)
{
	struct sk_lock l = { .type = SK_LOCK_WR, .start = start, .end = end, .ofd = true };

	CHECK_EQ(sk_file_getlk(f, &l), 0);
	return l;
}

static void test_lock_split_and_merge(void)
{
	struct sk_file *a, *b;
	struct sk_lock l;

	setup();
	a = open_rw("/f");
	b = open_rw("/f");
	CHECK_EQ(take(a, false, SK_LOCK_WR, 0, 99), 0);
	CHECK_EQ(take(a, false, SK_LOCK_UN, 10, 19), 0); /* a hole: two locks now */
	CHECK_EQ(probe(b, 10, 19).type, SK_LOCK_UN);
	l = probe(b, 0, 9);
	CHECK(l.type == SK_LOCK_WR && l.start == 0 && l.end == 9 && !l.ofd);
	l = probe(b, 15, 30);
	CHECK(l.start == 20 && l.end == 99);
	CHECK_EQ(take(a, false, SK_LOCK_WR, 10, 19), 0); /* filled: one lock again */
	l = probe(b, 50, 50);
	CHECK(l.start == 0 && l.end == 99);
	/* A read lock inside a write lock of the same owner replaces that part of it. */
	CHECK_EQ(take(a, false, SK_LOCK_RD, 40, 59), 0);
	l = probe(b, 45, 45);
	CHECK(l.type == SK_LOCK_RD && l.start == 40 && l.end == 59);
	CHECK_EQ(take(b, true, SK_LOCK_RD, 45, 45), 0); /* readers share */
	CHECK_EQ(take(b, true, SK_LOCK_RD, 30, 30), -EAGAIN);
	/* To the end of the file, however far. */
	CHECK_EQ(take(a, false, SK_LOCK_WR, 1000, SK_LOCK_EOF), 0);
	l = probe(b, UINT64_MAX - 1, UINT64_MAX - 1);
	CHECK(l.start == 1000 && l.end == SK_LOCK_EOF);
	CHECK_EQ(take(a, false, SK_LOCK_UN, 0, SK_LOCK_EOF), 0);
	CHECK_EQ(probe(b, 0, SK_LOCK_EOF).type, SK_LOCK_UN); /* b's own lock is all that is left */
	l = probe(a, 0, SK_LOCK_EOF);
	CHECK(l.type == SK_LOCK_RD && l.start == 45 && l.end == 45 && l.ofd);
	sk_file_close(a);
	sk_file_close(b);
	teardown();
}

static void test_lock_release_rules(void)
{
	struct sk_file *a, *b;
	int fa, fa2, fb;

	setup();
	a = open_rw("/f");
	b = open_rw("/f");
	fa = sk_fd_install(a, 0);
	sk_file_ref(a);
	fa2 = sk_fd_install(a, 0);
	fb = sk_fd_install(b, 0);
	CHECK(fa >= 0 && fa2 >= 0 && fb >= 0);
	CHECK_EQ(take(a, false, SK_LOCK_WR, 0, 9), 0);
	CHECK_EQ(take(b, true, SK_LOCK_WR, 20, 29), 0);
	/* Closing any descriptor of the file drops the process's locks, not the OFD ones. */
	CHECK_EQ(sk_fd_close(fa2), 0);
	CHECK_EQ(probe(b, 0, 9).type, SK_LOCK_UN);
	CHECK_EQ(probe(a, 20, 29).type, SK_LOCK_WR);
	/* dup2 over a descriptor closes it: the same rule. */
	CHECK_EQ(take(a, false, SK_LOCK_WR, 0, 9), 0);
	CHECK_EQ(sk_fd_dup2(fb, 7), 7);
	CHECK_EQ(sk_fd_dup2(fa, 7), 7);
	CHECK_EQ(probe(b, 0, 9).type, SK_LOCK_UN);
	/* The OFD lock lives while any reference to b's description does. */
	CHECK_EQ(sk_fd_close(fb), 0);
	CHECK_EQ(probe(a, 20, 29).type, SK_LOCK_UN);
	CHECK_EQ(sk_fd_close(7), 0);
	CHECK_EQ(sk_fd_close(fa), 0);
	teardown();
}

static void test_lock_bad_requests(void)
{
	struct sk_file *rw, *ro = NULL, *ends[2];

	setup();
	rw = open_rw("/f");
	CHECK_EQ(sk_vfs_open("/f", SK_O_RDONLY, 0, &ro), 0);
	CHECK_EQ(take(ro, false, SK_LOCK_WR, 0, 1), -EBADF);
	CHECK_EQ(take(ro, false, SK_LOCK_RD, 0, 1), 0);
	CHECK_EQ(take(ro, false, SK_LOCK_UN, 0, 1), 0);
	CHECK_EQ(take(rw, false, 7, 0, 1), -EINVAL);
	CHECK_EQ(take(rw, false, SK_LOCK_WR, 5, 4), -EINVAL);
	CHECK_EQ(sk_pipe_new(ends, 0), 0);
	CHECK_EQ(take(ends[0], false, SK_LOCK_RD, 0, 1), -EINVAL);
	sk_file_close(ends[0]);
	sk_file_close(ends[1]);
	sk_file_close(ro);
	sk_file_close(rw);
	teardown();
}

static void test_pipe(void)
{
	struct sk_file *e[2];
	static char buf[SK_PIPE_SIZE + 10];
	struct sk_stat st;
	long n;

	setup();
	CHECK_EQ(sk_pipe_new(e, SK_O_NONBLOCK), 0);
	CHECK_EQ(sk_file_read(e[0], buf, 10), -EAGAIN);
	CHECK_EQ(sk_file_poll(e[0]), 0);
	CHECK_EQ(sk_file_poll(e[1]), SK_POLL_OUT);
	memset(buf, 'x', sizeof(buf));
	CHECK_EQ(sk_file_write(e[1], buf, sizeof(buf)), SK_PIPE_SIZE); /* as much as fits */
	CHECK_EQ(sk_file_write(e[1], buf, 1), -EAGAIN);
	CHECK_EQ(sk_file_poll(e[1]), 0);
	CHECK_EQ(sk_file_nread(e[0]), SK_PIPE_SIZE);
	CHECK_EQ(sk_file_read(e[0], buf, 100), 100);
	/* A small write is all or nothing: 100 bytes free, 200 asked. */
	CHECK_EQ(sk_file_write(e[1], buf, 200), -EAGAIN);
	CHECK_EQ(sk_file_write(e[1], "abc", 3), 3);
	n = sk_file_read(e[0], buf, sizeof(buf));
	CHECK_EQ(n, SK_PIPE_SIZE - 100 + 3);
	CHECK(!memcmp(buf + n - 3, "abc", 3));
	CHECK_EQ(sk_file_stat(e[0], &st), 0);
	CHECK_EQ(st.type, SK_FT_FIFO);
	CHECK_EQ(sk_file_pread(e[0], buf, 1, 0), -ESPIPE);
	CHECK_EQ(sk_file_write(e[0], buf, 1), -EBADF);
	CHECK_EQ(sk_file_setattr(e[0], &(struct sk_setattr){ .mask = SK_ATTR_PERM }), -EINVAL);
	sk_file_close(e[1]); /* no writer: end of file, and the read end hangs up */
	CHECK_EQ(sk_file_read(e[0], buf, 10), 0);
	CHECK(sk_file_poll(e[0]) & SK_POLL_HUP);
	sk_file_close(e[0]);
	CHECK_EQ(sk_pipe_new(e, 0), 0);
	sk_file_close(e[0]); /* no reader: writes fail */
	CHECK_EQ(sk_file_write(e[1], "x", 1), -EPIPE);
	CHECK(sk_file_poll(e[1]) & SK_POLL_ERR);
	sk_file_close(e[1]);
	teardown();
}

static void test_setattr_and_paths(void)
{
	struct sk_setattr a = { .mask = SK_ATTR_PERM | SK_ATTR_UID | SK_ATTR_ATIME | SK_ATTR_MTIME,
				.perm = 0600, .uid = 42, .atime_ns = 5, .mtime_ns = 7 };
	struct sk_file *f, *d = NULL;
	struct sk_stat st;
	char buf[SK_PATH_MAX];

	setup();
	f = open_rw("/f");
	CHECK_EQ(sk_vfs_mkdir("/dir", 0755), 0);
	CHECK_EQ(sk_vfs_setattr("/f", &a), 0);
	CHECK_EQ(sk_vfs_stat("/f", &st), 0);
	CHECK(st.perm == 0600 && st.uid == 42 && st.gid == 0 && st.atime_ns == 5 && st.mtime_ns == 7);
	CHECK(st.ctime_ns > 7 && !st.readonly);
	a = (struct sk_setattr){ .mask = SK_ATTR_GID, .gid = 9 };
	CHECK_EQ(sk_file_setattr(f, &a), 0);
	CHECK_EQ(sk_file_stat(f, &st), 0);
	CHECK(st.uid == 42 && st.gid == 9 && st.perm == 0600);
	CHECK_EQ(sk_vfs_setattr("/none", &a), -ENOENT);
	CHECK_EQ(sk_vfs_mount_devfs("/dir"), 0);
	CHECK_EQ(sk_vfs_setattr("/dir/null", &a), -EROFS);
	CHECK_EQ(sk_vfs_stat("/dir/null", &st), 0);
	CHECK(st.readonly);
	CHECK_EQ(sk_vfs_realpath("/dir/../dir/./null", buf), 0);
	CHECK_STR(buf, "/dir/null");
	CHECK_EQ(sk_vfs_realpath("/dir/none", buf), -ENOENT);
	CHECK_EQ(sk_vfs_open("//dir/", SK_O_RDONLY, 0, &d), 0);
	CHECK_EQ(sk_file_dir_path(d, buf, sizeof(buf)), 0);
	CHECK_STR(buf, "/dir");
	CHECK_EQ(sk_file_dir_path(d, buf, 4), -ENAMETOOLONG);
	CHECK_EQ(sk_file_dir_path(f, buf, sizeof(buf)), -ENOTDIR);
	sk_file_close(d);
	sk_file_close(f);
	teardown();
}

UNIT_MAIN("flock",
	  UNIT_TEST(test_lock_split_and_merge),
	  UNIT_TEST(test_lock_release_rules),
	  UNIT_TEST(test_lock_bad_requests),
	  UNIT_TEST(test_pipe),
	  UNIT_TEST(test_setattr_and_paths))
