#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds newlib (the newlib/ subtree of Debian's newlib-source, unpacked by support/deps.sh) for
# Skiff images and installs it under PREFIX. Runs once per set of flags; every app reuses it.
# Usage: lib/newlib/build.sh SRC PREFIX "CFLAGS"
set -euo pipefail
src=$(realpath "$1") prefix=$(realpath -m "$2") cflags=$3
work="$prefix.build"

rm -rf "$work" "$prefix"
mkdir -p "$work"
cd "$work"
# Options (see ../shared/newlib-notes.md): retargetable locks onto kernel mutexes; one stdin/
# stdout/stderr for all threads; %lld and C99 formats in printf.
"$src/newlib/configure" --host=x86_64-elf --target=x86_64-elf --build=x86_64-pc-linux-gnu \
	--prefix="$prefix" --disable-multilib --enable-newlib-retargetable-locking \
	--enable-newlib-io-long-long --enable-newlib-io-c99-formats \
	--disable-newlib-fvwrite-in-streamio --enable-newlib-global-stdio-streams \
	CC=gcc AR=ar RANLIB=ranlib AS=as LD=ld NM=nm OBJDUMP=objdump CFLAGS="$cflags" \
	>configure.log 2>&1 || { tail -20 configure.log; exit 1; }
make -j"$(nproc)" >make.log 2>&1 || { grep -m5 -i error make.log; tail -20 make.log; exit 1; }
make install >install.log 2>&1 || { tail -20 install.log; exit 1; }
cd / && rm -rf "$work"
