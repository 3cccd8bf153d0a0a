# SPDX-License-Identifier: MIT
# lib/posix: POSIX calls on the kernel (files, directories, time, environment, process, poll,
# pthreads). Its include/ comes before newlib's (lib/newlib/build.mk).
lib-$(CONFIG_LIBPOSIX) += lib/posix/init.c lib/posix/console.c lib/posix/env.c lib/posix/fd.c
lib-$(CONFIG_LIBPOSIX) += lib/posix/path.c lib/posix/dir.c lib/posix/time.c lib/posix/proc.c
lib-$(CONFIG_LIBPOSIX) += lib/posix/poll.c lib/posix/select.c lib/posix/epoll.c lib/posix/inet.c
lib-$(CONFIG_LIBPOSIX) += lib/posix/random.c lib/posix/attr.c lib/posix/flock.c lib/posix/signal.c
lib-$(CONFIG_LIBPOSIX) += lib/posix/pwd.c lib/posix/resource.c lib/posix/mman.c lib/posix/tmpname.c
# select()'s fd_set holds 1024 descriptors, as on Linux (newlib's default is 64).
libc-cppflags-$(CONFIG_LIBPOSIX) += -DFD_SETSIZE=1024
lib-$(CONFIG_LIBPOSIX) += lib/posix/pthread.c lib/posix/pthread_sync.c
