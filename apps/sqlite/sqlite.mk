# SPDX-License-Identifier: MIT
# SQLite 3.40 from Debian 12's sqlite3 source package, shared by apps/sqlite (speedtest1) and
# apps/sqlite-shell (the sqlite3 shell). support/deps.sh sqlite unpacks it and generates the
# amalgamation (bld/sqlite3.c, sqlite3.h) and the shell (bld/shell.c) with upstream's own make
# targets; only this fragment and the apps' Config.in and build.mk are ours.
SQLITE_SRC := build/deps/sqlite-src
app-sources += sqlite
app-y += $(SQLITE_SRC)/bld/sqlite3.c
# SQLite's own compile-time options, nothing else: no loadable extensions (a unikernel has no
# dlopen); no mremap (SQLite assumes it on __linux__, which the host's gcc defines for the image
# too; mmap and munmap serve instead). The default unix VFS, with its POSIX locks, is kept.
# support/sqlite-bench.sh builds the Linux program with these same defines (make -p prints them).
SQLITE_DEFINES := -DSQLITE_OMIT_LOAD_EXTENSION -DHAVE_MREMAP=0
sqlite-src-cflags += -I$(SQLITE_SRC)/bld $(SQLITE_DEFINES)
