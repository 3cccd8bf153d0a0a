/* SPDX-License-Identifier: MIT */
/* Network interface names and indexes. */
#ifndef _NET_IF_H
#define _NET_IF_H

#define IF_NAMESIZE 16
#define IFNAMSIZ IF_NAMESIZE

#ifdef __cplusplus
extern "C" {
#endif

unsigned int if_nametoindex(const char *name);
char *if_indextoname(unsigned int index, char *name);

#ifdef __cplusplus
}
#endif
#endif
