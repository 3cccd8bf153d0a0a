# SPDX-License-Identifier: MIT
# Lua 5.4 from Debian's source package (support/deps.sh lua unpacks it): only this file and
# Config.in are ours. The sources are listed as upstream's src/Makefile lists them (CORE_O,
# LIB_O, LUA_O), without luac.
LUA_SRC := build/deps/lua-src/src
app-sources += lua
app-y += $(addprefix $(LUA_SRC)/,lapi.c lcode.c lctype.c ldebug.c ldo.c ldump.c lfunc.c lgc.c \
	llex.c lmem.c lobject.c lopcodes.c lparser.c lstate.c lstring.c ltable.c ltm.c lundump.c \
	lvm.c lzio.c lauxlib.c lbaselib.c lcorolib.c ldblib.c liolib.c lmathlib.c loadlib.c \
	loslib.c lstrlib.c ltablib.c lutf8lib.c linit.c lua.c)
# Upstream's own flags (LUA_COMPAT_5_3, C99 with GNU extensions); plain C, no POSIX extras such as
# popen, which a unikernel does not have.
lua-src-cflags += -std=gnu99 -DLUA_COMPAT_5_3
app-initrd := apps/lua/rootfs
