/* SPDX-License-Identifier: MIT */
/* ioctl on files and sockets: FIONREAD and FIONBIO, with Linux's numbers. */
#ifndef _SYS_IOCTL_H
#define _SYS_IOCTL_H

#ifdef __cplusplus
extern "C" {
#endif

#define FIONREAD 0x541b
#define FIONBIO 0x5421
#define TIOCGWINSZ 0x5413

struct winsize {
	unsigned short ws_row, ws_col, ws_xpixel, ws_ypixel;
};

int ioctl(int fd, unsigned long request, ...);

#ifdef __cplusplus
}
#endif
#endif
