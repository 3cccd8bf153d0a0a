# SPDX-License-Identifier: MIT
app-y += apps/hello/main.c
