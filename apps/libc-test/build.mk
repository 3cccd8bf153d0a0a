# SPDX-License-Identifier: MIT
app-y += apps/libc-test/main.c apps/libc-test/t_stdio.c apps/libc-test/t_files.c
app-y += apps/libc-test/t_threads.c apps/libc-test/t_misc.c apps/libc-test/t_gnu.c
app-y += apps/libc-test/t_posix.c apps/libc-test/t_ipc.c
app-initrd := apps/libc-test/rootfs
# Sockets over loopback, when the image has the network stack (support/libc-test-net.defconfig).
app-$(CONFIG_LIBLWIP) += apps/libc-test/t_net.c
