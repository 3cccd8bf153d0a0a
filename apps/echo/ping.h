/* SPDX-License-Identifier: MIT */
/* echo's ping client (ping.c). */
#ifndef ECHO_PING_H
#define ECHO_PING_H

/*
 * "echo ping HOST COUNT": COUNT ICMP echo requests to the IPv4 address HOST, each waited for up to
 * 1 s; one line per reply and a summary. 0 when every request was answered, 1 otherwise, 2 for
 * bad arguments.
 */
int echo_ping(const char *host, const char *count);

#endif
