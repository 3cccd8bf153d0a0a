/* SPDX-License-Identifier: MIT */
/* Knobs of the stub platform that host unit tests read and set. */
#ifndef SKIFF_PLAT_STUB_H
#define SKIFF_PLAT_STUB_H

#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>
#include <skiff/plat.h>

#define STUB_CONSOLE_SIZE 65536

extern uint64_t stub_now_ns;	    /* the fake monotonic clock */
extern unsigned stub_idle_calls;    /* how often plat_idle ran */
extern char stub_console[STUB_CONSOLE_SIZE]; /* everything written to the console */
extern size_t stub_console_len;
extern int stub_halt_status;	    /* last plat_halt status, -1 if none */
extern jmp_buf *stub_halt_jmp;	    /* where plat_halt longjmps, if set */

void stub_console_reset(void);

/* The fake NICs: how many, their facts, and what receiving and sending do (NULL: nothing). */
extern unsigned stub_net_count;
extern struct plat_net_info stub_net_info;
extern int (*stub_net_recv)(unsigned nic, struct plat_net_frame *f, unsigned n);
extern int (*stub_net_send)(unsigned nic, const struct plat_net_frame *f, unsigned n);

#endif
