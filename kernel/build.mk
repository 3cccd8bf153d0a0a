# SPDX-License-Identifier: MIT
# kernel/: platform-independent core. Compiled without any -Iplat/... flag.
kernel-y += kernel/main.c kernel/format.c kernel/printk.c kernel/panic.c kernel/ksyms.c
kernel-y += kernel/pmem.c kernel/heap.c kernel/cmdline.c kernel/memsetup.c
kernel-y += kernel/sched.c kernel/thread.c kernel/timer.c kernel/wait.c kernel/mutex.c
kernel-y += kernel/sem.c kernel/time.c kernel/random.c kernel/arch/x86_64/random.c
kernel-y += kernel/arch/x86_64/switch.S kernel/arch/x86_64/stack.c
kernel-$(CONFIG_SK_BLK) += kernel/blk.c
kernel-$(CONFIG_SK_NET) += kernel/netdev.c
kernel-$(CONFIG_SK_VFS) += kernel/vfs/file.c kernel/vfs/vfs.c kernel/vfs/ramfs.c kernel/vfs/cpio.c kernel/vfs/fdtable.c
kernel-$(CONFIG_SK_VFS) += kernel/vfs/pollwait.c kernel/vfs/devfs.c
kernel-$(CONFIG_SK_VFS) += kernel/vfs/lock.c kernel/vfs/pipe.c
