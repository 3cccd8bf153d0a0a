# SPDX-License-Identifier: MIT
app-y += apps/echo/main.c
app-y += apps/echo/ping.c
