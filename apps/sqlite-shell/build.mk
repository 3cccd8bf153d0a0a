# SPDX-License-Identifier: MIT
# The sqlite3 command-line shell (shell.c, generated from SQLite's tree by support/deps.sh sqlite)
# on the same SQLite as apps/sqlite:
# skiff-hv --initrd=build/sqlite-shell/sqlite-shell.initrd build/sqlite-shell/sqlite-shell.kvm \
#	-- /tmp/test.db ".read /initrd/test.sql"
include apps/sqlite/sqlite.mk
app-y += $(SQLITE_SRC)/bld/shell.c
app-initrd := apps/sqlite-shell/rootfs
# The shell's own option: no popen (.once/.output to a pipe, .system's siblings), as there is no
# process to run.
sqlite-src-cflags += -DSQLITE_OMIT_POPEN
