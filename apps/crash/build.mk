# SPDX-License-Identifier: MIT
app-y += apps/crash/main.c
