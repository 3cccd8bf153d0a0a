# SPDX-License-Identifier: MIT
app-y += apps/echo/main.c
