# SPDX-License-Identifier: MIT
app-y += apps/blktest/main.c
