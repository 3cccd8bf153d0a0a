# SPDX-License-Identifier: MIT
app-y += apps/virtbench/main.c
