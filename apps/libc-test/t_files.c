// SPDX-License-Identifier: MIT
/* libc-test: files and directories in the root ramfs and the read-only initrd. */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>
#include "check.h"

static void stdio_files(void)
{
	char line[64];
	FILE *f = fopen("/notes.txt", "w");
	long pos;

	CHECK(f != NULL);
	if (!f)
		return;
	CHECK(fprintf(f, "first %d\nsecond %.1f\n", 1, 2.5) > 0);
	CHECK(fclose(f) == 0);
	f = fopen("/notes.txt", "a+");
	CHECK(f && fputs("third\n", f) >= 0);
	rewind(f);
	CHECK(fgets(line, sizeof(line), f) && !strcmp(line, "first 1\n"));
	CHECK(fgets(line, sizeof(line), f) && !strcmp(line, "second 2.5\n"));
	CHECK(fgets(line, sizeof(line), f) && !strcmp(line, "third\n"));
	CHECK(fgets(line, sizeof(line), f) == NULL && feof(f));
	CHECK(fseek(f, -6, SEEK_END) == 0 && (pos = ftell(f)) == 19);
	CHECK(fclose(f) == 0);
}

static void binary_io(void)
{
	double in[100], out[100];
	FILE *f = fopen("/data.bin", "wb+");
	struct stat st;

	for (int i = 0; i < 100; i++)
		in[i] = i * 1.5;
	CHECK(f && fwrite(in, sizeof(double), 100, f) == 100);
	if (!f)
		return;
	rewind(f);
	CHECK(fread(out, sizeof(double), 100, f) == 100 && !memcmp(in, out, sizeof(in)));
	fclose(f);
	CHECK(stat("/data.bin", &st) == 0 && st.st_size == 800 && S_ISREG(st.st_mode));
}

static void fd_io(void)
{
	char buf[16] = "";
	int fd = open("/fd.txt", O_RDWR | O_CREAT | O_TRUNC, 0644), fd2;

	CHECK(fd >= 3);
	CHECK(write(fd, "abcdefgh", 8) == 8);
	CHECK(pread(fd, buf, 3, 2) == 3 && !memcmp(buf, "cde", 3));
	CHECK(pwrite(fd, "XY", 2, 6) == 2);
	CHECK(lseek(fd, 0, SEEK_END) == 8 && lseek(fd, 0, SEEK_SET) == 0);
	CHECK(read(fd, buf, 16) == 8 && !memcmp(buf, "abcdefXY", 8));
	fd2 = dup(fd);
	CHECK(fd2 > fd && lseek(fd2, 1, SEEK_SET) == 1 && lseek(fd, 0, SEEK_CUR) == 1);
	CHECK(dup2(fd, 9) == 9 && close(9) == 0);
	CHECK(ftruncate(fd, 3) == 0 && lseek(fd, 0, SEEK_END) == 3);
	CHECK(close(fd2) == 0 && close(fd) == 0);
	CHECK(unlink("/fd.txt") == 0 && access("/fd.txt", F_OK) == -1);
}

static void initrd_files(void)
{
	char buf[64] = "";
	FILE *f = fopen("/initrd/hello.txt", "r");
	double d = 0;
	int a = 0, b = 0;

	CHECK(f && fgets(buf, sizeof(buf), f) && !strcmp(buf, "Hello from the initrd\n"));
	if (f)
		fclose(f);
	f = fopen("/initrd/docs/numbers.txt", "r");
	CHECK(f && fscanf(f, "%lf %d %d %63s", &d, &a, &b, buf) == 4 && d == 3.25 && a == 12 &&
	      b == -7 && !strcmp(buf, "word"));
	if (f)
		fclose(f);
	f = fopen("/initrd/docs/deeper/nested.txt", "r");
	CHECK(f && fgets(buf, sizeof(buf), f) && !strcmp(buf, "nested file\n"));
	if (f)
		fclose(f);
}

static void directories(void)
{
	DIR *d;
	struct dirent *e;
	int seen = 0;
	char cwd[64];
	FILE *f;

	CHECK(mkdir("/work", 0755) == 0 && mkdir("/work/sub", 0755) == 0);
	f = fopen("/work/a.txt", "w");
	CHECK(f && fclose(f) == 0);
	d = opendir("/work");
	CHECK(d != NULL);
	while (d && (e = readdir(d)))
		seen |= !strcmp(e->d_name, "sub") && e->d_type == DT_DIR ? 1 :
			!strcmp(e->d_name, "a.txt") && e->d_type == DT_REG ? 2 :
			!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ? 4 : 8;
	CHECK(seen == 7);
	if (d)
		closedir(d);
	CHECK(chdir("/work/sub") == 0 && getcwd(cwd, sizeof(cwd)) && !strcmp(cwd, "/work/sub"));
	CHECK(access("../a.txt", F_OK) == 0 && chdir("/") == 0);
	CHECK(rename("/work/a.txt", "/work/sub/b.txt") == 0 && access("/work/sub/b.txt", F_OK) == 0);
	CHECK_ERRNO(rmdir("/work"), ENOTEMPTY);
	CHECK(unlink("/work/sub/b.txt") == 0 && rmdir("/work/sub") == 0 && rmdir("/work") == 0);
}

static void initrd_listing(void)
{
	DIR *d = opendir("/initrd/docs");
	struct dirent *e;
	int n = 0;

	CHECK(d != NULL);
	while (d && (e = readdir(d)))
		n += !strcmp(e->d_name, "numbers.txt") || !strcmp(e->d_name, "deeper");
	CHECK(n == 2);
	if (d)
		closedir(d);
}

/* Every failure mode the layer promises, with its errno. */
static void file_errors(void)
{
	struct stat st;
	char small[4];

	CHECK_ERRNO(open("/no/such/file", O_RDONLY), ENOENT);
	CHECK_ERRNO(fopen("/missing.txt", "r"), ENOENT);
	CHECK(mkdir("/exists", 0755) == 0);
	CHECK_ERRNO(mkdir("/exists", 0755), EEXIST);
	CHECK_ERRNO(open("/exists", O_WRONLY), EISDIR);
	CHECK_ERRNO(open("/exists", O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST);
	CHECK(rmdir("/exists") == 0);
	CHECK_ERRNO(read(77, small, 1), EBADF);
	CHECK_ERRNO(close(77), EBADF);
	CHECK_ERRNO(lseek(1, 0, SEEK_SET), ESPIPE);
	CHECK_ERRNO(open("/initrd/new.txt", O_CREAT | O_WRONLY, 0644), EROFS);
	CHECK_ERRNO(open("/initrd/hello.txt", O_WRONLY), EROFS);
	CHECK_ERRNO(unlink("/initrd/hello.txt"), EROFS);
	CHECK_ERRNO(rename("/initrd/hello.txt", "/moved.txt"), EXDEV);
	CHECK_ERRNO(chdir("/initrd/hello.txt"), ENOTDIR);
	CHECK_ERRNO(stat("/initrd/hello.txt/x", &st), ENOTDIR);
	CHECK_ERRNO(rmdir("/initrd/docs"), EROFS); /* as Linux: a read-only mount refuses first */
	CHECK(close(open("/plain", O_CREAT | O_WRONLY, 0644)) == 0);
	CHECK_ERRNO(rmdir("/plain"), ENOTDIR);
	CHECK_ERRNO(unlink("/"), EISDIR);
	CHECK(unlink("/plain") == 0);
	CHECK(chdir("/initrd/docs") == 0);
	CHECK_ERRNO(getcwd(small, sizeof(small)), ERANGE);
	CHECK(chdir("/") == 0);
}

void gnu_source_headers(void); /* t_gnu.c, built with _GNU_SOURCE */

/* /dev's device files, /tmp, and random bytes (getrandom, getentropy, /dev/urandom). */
static void device_files(void)
{
	unsigned char a[64], b[64], zero[64] = { 0 };
	struct stat st;
	struct dirent *e;
	DIR *d;
	int fd, seen = 0;

	CHECK((fd = open("/dev/null", O_RDWR | O_TRUNC)) >= 0);
	CHECK(write(fd, "gone", 4) == 4 && read(fd, a, sizeof(a)) == 0);
	CHECK(fstat(fd, &st) == 0 && S_ISCHR(st.st_mode));
	close(fd);
	memset(a, 0xff, sizeof(a));
	CHECK((fd = open("/dev/zero", O_RDONLY)) >= 0);
	CHECK(read(fd, a, sizeof(a)) == (ssize_t)sizeof(a) && !memcmp(a, zero, sizeof(a)));
	close(fd);
	CHECK((fd = open("/dev/full", O_WRONLY)) >= 0);
	CHECK_ERRNO(write(fd, "x", 1), ENOSPC);
	close(fd);
	CHECK((fd = open("/dev/urandom", O_RDONLY)) >= 0);
	CHECK(read(fd, a, sizeof(a)) == (ssize_t)sizeof(a) && read(fd, b, sizeof(b)) == (ssize_t)sizeof(b));
	CHECK(memcmp(a, b, sizeof(a)) && memcmp(a, zero, sizeof(a))); /* 2^-512 odds of a false alarm */
	close(fd);
	CHECK(getrandom(a, sizeof(a), 0) == (ssize_t)sizeof(a) && memcmp(a, b, sizeof(a)));
	CHECK_ERRNO(getrandom(a, sizeof(a), 0x80), EINVAL);
	CHECK(getentropy(b, 256 > sizeof(b) ? sizeof(b) : 256) == 0 && memcmp(a, b, sizeof(a)));
	CHECK_ERRNO(getentropy(b, 257), EIO);
	CHECK_ERRNO(open("/dev/nothing", O_RDONLY), ENOENT);
	CHECK_ERRNO(open("/dev/newfile", O_WRONLY | O_CREAT, 0644), EROFS);
	CHECK((d = opendir("/dev")) != NULL);
	while (d && (e = readdir(d)))
		seen += !strcmp(e->d_name, "null") + !strcmp(e->d_name, "urandom");
	CHECK(seen == 2);
	if (d)
		closedir(d);
	CHECK(stat("/tmp", &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 01777) == 01777);
	CHECK((fd = open("/tmp/scratch", O_RDWR | O_CREAT | O_EXCL, 0600)) >= 0);
	CHECK(write(fd, "tmp", 3) == 3);
	close(fd);
	CHECK(unlink("/tmp/scratch") == 0);
}

const struct test file_tests[] = {
	TEST(stdio_files), TEST(binary_io), TEST(fd_io), TEST(initrd_files), TEST(directories),
	TEST(initrd_listing), TEST(file_errors), TEST(device_files), TEST(gnu_source_headers), { NULL, NULL },
};
