# SPDX-License-Identifier: MIT
app-y += apps/httpd/main.c apps/httpd/http.c apps/httpd/files.c
app-initrd := apps/httpd/rootfs
