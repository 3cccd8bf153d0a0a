# SPDX-License-Identifier: MIT
app-y += apps/hvhostile/main.c
