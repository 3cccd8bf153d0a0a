# SPDX-License-Identifier: MIT
# lib/nolibc: string functions and errno values for images without newlib.
lib-$(CONFIG_LIBNOLIBC) += lib/nolibc/string.c
libc-includes-$(CONFIG_LIBNOLIBC) += lib/nolibc/include
