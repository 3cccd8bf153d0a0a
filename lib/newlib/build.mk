# SPDX-License-Identifier: MIT
# lib/newlib: newlib built from Debian's newlib-source (lib/newlib/build.sh), and its glue to the
# kernel: locks, per-thread state, malloc, start-up.
# HAVE_FCNTL: lib/posix has fcntl(), so newlib may ask whether stdout is a terminal (isatty)
# and buffer it fully when it is not, instead of always line by line; fdopen checks modes too.
NEWLIB_CFLAGS := -O2 -g -mno-red-zone -fno-pic -fno-pie -ffunction-sections -fdata-sections \
	-fno-stack-protector -fno-omit-frame-pointer -fcf-protection=none -nostdinc \
	-isystem $(GCC_INCLUDE) -Wa,--noexecstack -fstack-clash-protection -DHAVE_FCNTL
NEWLIB_DIR := build/deps/newlib-$(shell echo '$(NEWLIB_CFLAGS)' | cksum | cut -d' ' -f1)
NEWLIB_LIBC := $(NEWLIB_DIR)/x86_64-elf/lib/libc.a

libc-includes-$(CONFIG_LIBNEWLIB) += lib/posix/include $(NEWLIB_DIR)/x86_64-elf/include
libc-archives-$(CONFIG_LIBNEWLIB) += $(NEWLIB_LIBC) $(NEWLIB_DIR)/x86_64-elf/lib/libm.a
lib-$(CONFIG_LIBNEWLIB) += lib/newlib/locks.c lib/newlib/reent.c lib/newlib/malloc.c
lib-$(CONFIG_LIBNEWLIB) += lib/newlib/start.c lib/newlib/filelock.c
# sqrt and sqrtf: the SSE instructions instead of newlib's bit-by-bit libm (sqrt.S)
lib-$(CONFIG_LIBNEWLIB) += lib/newlib/sqrt.S lib/newlib/math.c
# memcpy, memmove, memset, memcmp in place of newlib's (string.S says why): linked as objects,
# they keep newlib's archive members out
lib-$(CONFIG_LIBNEWLIB) += lib/newlib/string.S
# strspn, strcspn, strpbrk with a byte set (strspn.c says why)
lib-$(CONFIG_LIBNEWLIB) += lib/newlib/strspn.c
