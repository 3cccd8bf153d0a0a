# SPDX-License-Identifier: MIT
# speedtest1, SQLite's own benchmark program (test/speedtest1.c), linked with the amalgamation:
# skiff-hv build/sqlite/sqlite.kvm -- --memdb --size 25
include apps/sqlite/sqlite.mk
app-y += $(SQLITE_SRC)/test/speedtest1.c
