// SPDX-License-Identifier: MIT
/* The POSIX world before main(): a writable root, the initrd, fds 0-2 on the console, environ. */
#define pr_tag "posix"
#include <skiff/app.h>
#include <skiff/config.h>
#include <skiff/panic.h>
#include <skiff/plat.h>
#include <skiff/printk.h>
#include <skiff/random.h>
#include "posix.h"

static void open_console(int fd, int flags)
{
	struct sk_file *f = posix_console_open(flags);

	if (!f || sk_fd_install(f, fd) != fd)
		sk_panic("cannot open the console as fd %d", fd);
}

void posix_init(void);

void posix_init(void)
{
	const struct plat_boot_info *bi = sk_boot_info;
	int r;

	if ((r = sk_vfs_mount_ramfs("/")))
		sk_panic("cannot mount the root filesystem: %d", r);
	/* What programs expect to find: a writable /tmp (in memory, as the root) and /dev. */
	if ((r = sk_vfs_mkdir("/tmp", 01777)) || (r = sk_vfs_mkdir("/dev", 0755)) ||
	    (r = sk_vfs_mount_devfs("/dev")))
		sk_panic("cannot make /tmp and /dev: %d", r);
	pr_debug("random bytes from %s\n", sk_random_hardware() ? "the CPU's RDRAND" : "the cycle counter (no RDRAND)");
	if (bi && bi->initrd) {
		r = sk_vfs_mount_cpio(CONFIG_POSIX_INITRD_MOUNT, bi->initrd, bi->initrd_len);
		if (r)
			pr_err("the initrd (%zu bytes) is not a valid cpio newc archive; not mounted (%d)\n",
			       bi->initrd_len, r);
		else
			pr_info("initrd: %zu bytes at %s\n", bi->initrd_len, CONFIG_POSIX_INITRD_MOUNT);
	}
	open_console(0, SK_O_RDONLY);
	open_console(1, SK_O_WRONLY);
	open_console(2, SK_O_WRONLY);
	posix_env_init();
}
