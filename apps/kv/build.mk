# SPDX-License-Identifier: MIT
app-y += apps/kv/main.c apps/kv/resp.c apps/kv/store.c apps/kv/cmd.c apps/kv/aof.c
