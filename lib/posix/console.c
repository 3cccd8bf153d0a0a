// SPDX-License-Identifier: MIT
/*
 * The console as a file: writes go to the kernel console; reads see end-of-file, since no
 * platform has console input yet. fds 0, 1 and 2 are opened on it at start-up. It is a terminal
 * (isatty) unless the platform says the host shows it in a file or a pipe; then, as for a Linux
 * program whose output is redirected, newlib buffers stdout fully, and a screenful of output
 * costs one console write (one exit to the monitor) instead of one a line.
 */
#include <skiff/app.h>
#include <skiff/plat.h>
#include <skiff/printk.h>
#include "posix.h"

static long console_read(struct sk_file *f, void *buf, size_t len, uint64_t off)
{
	(void)f, (void)buf, (void)len, (void)off;
	return 0;
}

static long console_write(struct sk_file *f, const void *buf, size_t len, uint64_t off)
{
	(void)f, (void)off;
	sk_console_write(buf, len);
	return (long)len;
}

static const struct sk_file_ops console_ops;

static int console_stat(struct sk_file *f, struct sk_stat *st)
{
	*st = (struct sk_stat){ .type = SK_FT_CHR, .perm = 0620, .ino = 1, .nlink = 1,
				.blksize = posix_file_is_terminal(f) ? 1024 : 4096 }; /* stdio's buffer */
	return 0;
}

static const struct sk_file_ops console_ops = {
	.read = console_read,
	.write = console_write,
	.stat = console_stat,
	.seekable = false,
};

bool posix_file_is_terminal(struct sk_file *f)
{
	return f->ops == &console_ops && !sk_boot_info->console_not_terminal;
}

struct sk_file *posix_console_open(int flags)
{
	return sk_file_new(&console_ops, NULL, flags);
}
