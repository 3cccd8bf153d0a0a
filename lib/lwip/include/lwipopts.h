/* SPDX-License-Identifier: MIT */
/*
 * lwIP's configuration for Skiff, from Kconfig (lib/lwip/Config.in). The model: NO_SYS=0 with a
 * tcpip thread on a kernel thread, but LWIP_TCPIP_CORE_LOCKING, so socket calls and received
 * frames run lwIP directly under its core lock instead of queueing to that thread. Skiff's
 * threads are cooperative and lwIP never runs in an interrupt handler, so the lightweight
 * protection is empty. lwIP's own select/poll are off: lib/lwip/socket.c tracks readiness itself
 * and serves poll, select and epoll over every kind of file.
 */
#ifndef SKIFF_LWIPOPTS_H
#define SKIFF_LWIPOPTS_H

#include <skiff/config.h>

#define NO_SYS 0
#define LWIP_TCPIP_CORE_LOCKING 1
#define LWIP_TCPIP_CORE_LOCKING_INPUT 1
#define SYS_LIGHTWEIGHT_PROT 0
#define LWIP_NETCONN_SEM_PER_THREAD 0
#define LWIP_NETCONN_FULLDUPLEX 0

/* Memory: lwIP's heap and pools, allocated once (static arrays in the bss). */
#define MEM_ALIGNMENT 8
#define MEM_SIZE (CONFIG_LWIP_MEM_KIB * 1024)
#define MEMP_NUM_NETCONN CONFIG_LWIP_SOCKETS_MAX
#define MEMP_NUM_NETBUF 64
#define MEMP_NUM_TCPIP_MSG_API 64
#define MEMP_NUM_TCPIP_MSG_INPKT 256
#define MEMP_NUM_PBUF 256
#define MEMP_NUM_UDP_PCB 32
#define PBUF_POOL_SIZE CONFIG_LWIP_PBUF_POOL
#define PBUF_POOL_BUFSIZE 1536
#define MEMP_NUM_SYS_TIMEOUT (LWIP_NUM_SYS_TIMEOUT_INTERNAL + 8)

/* Protocols. */
#define LWIP_IPV4 SK_ENABLED(CONFIG_LWIP_IPV4)
#define LWIP_IPV6 SK_ENABLED(CONFIG_LWIP_IPV6)
#define LWIP_ARP LWIP_IPV4
#define LWIP_ICMP LWIP_IPV4
#define LWIP_RAW SK_ENABLED(CONFIG_LWIP_RAW)	/* ICMP sockets for ping clients */
#define MEMP_NUM_RAW_PCB 4
#define LWIP_IGMP 0
#define IP_REASSEMBLY 1
#define IP_FRAG 1
#define IPV6_FRAG_COPYHEADER 1	/* 64-bit pointers do not fit lwIP's in-place fragment bookkeeping */
#define LWIP_UDP SK_ENABLED(CONFIG_LWIP_UDP)
#define LWIP_TCP SK_ENABLED(CONFIG_LWIP_TCP)
#define LWIP_DHCP SK_ENABLED(CONFIG_LWIP_DHCP)
#define DHCP_DOES_ARP_CHECK 0
#define LWIP_DNS SK_ENABLED(CONFIG_LWIP_DNS)
#define DNS_MAX_SERVERS 2
#define LWIP_ICMP6 LWIP_IPV6
/*
 * No MLD: its timer runs every 100 ms for the life of the image and would wake an idle one ten
 * times a second. Without it lwIP still takes all-nodes and solicited-node multicast for its own
 * addresses (neighbour discovery, SLAAC); only reports to MLD-snooping switches are missing,
 * and those flood groups nobody reported, as Linux bridges do by default.
 */
#define LWIP_IPV6_MLD 0
#define LWIP_IPV6_AUTOCONFIG LWIP_IPV6
#define LWIP_IPV6_SEND_ROUTER_SOLICIT LWIP_IPV6
#define LWIP_IPV6_DHCP6 0
#define LWIP_IPV6_NUM_ADDRESSES 3
#define LWIP_ND6_NUM_NEIGHBORS 16

/* TCP: windows from Kconfig, scaled past 64 KiB. */
#define TCP_MSS 1460
#define LWIP_WND_SCALE 1
#define TCP_RCV_SCALE 2
#define TCP_WND (CONFIG_LWIP_TCP_WND_KIB * 1024)
#define TCP_SND_BUF (CONFIG_LWIP_TCP_SND_BUF_KIB * 1024)
#define TCP_SND_QUEUELEN ((4 * TCP_SND_BUF + TCP_MSS - 1) / TCP_MSS)
#define MEMP_NUM_TCP_SEG (2 * TCP_SND_QUEUELEN > 512 ? 2 * TCP_SND_QUEUELEN : 512)
#define MEMP_NUM_TCP_PCB CONFIG_LWIP_TCP_PCBS
#define MEMP_NUM_TCP_PCB_LISTEN 32
#define TCP_LISTEN_BACKLOG 1
#define TCP_DEFAULT_LISTEN_BACKLOG 255
#define TCP_OVERSIZE TCP_MSS
#define LWIP_TCP_KEEPALIVE 1
#define TCP_QUEUE_OOSEQ 1
#define LWIP_TCP_SACK_OUT 1

/* Interfaces: loopback always, the platform's NICs (lib/lwip/netif.c). */
#define LWIP_HAVE_LOOPIF 1
#define LWIP_NETIF_LOOPBACK 1
#define LWIP_LOOPBACK_MAX_PBUFS 0
#define LWIP_NETIF_STATUS_CALLBACK 1
#define LWIP_NETIF_LINK_CALLBACK 1
#define LWIP_NETIF_HOSTNAME 1
#define LWIP_NETIF_API 1
#define LWIP_SINGLE_NETIF 0
#define ETH_PAD_SIZE 0
#define LWIP_ETHERNET 1

/* The sequential API and sockets (wrapped by lib/lwip/socket.c into POSIX files). */
#define LWIP_NETCONN 1
#define LWIP_SOCKET 1
#define LWIP_COMPAT_SOCKETS 0
#define LWIP_POSIX_SOCKETS_IO_NAMES 0
#define LWIP_SOCKET_OFFSET 0
#define LWIP_SOCKET_SELECT 0
#define LWIP_SOCKET_POLL 0
#define LWIP_SO_RCVTIMEO 1
#define LWIP_SO_SNDTIMEO 1
#define LWIP_SO_RCVBUF 1
#define LWIP_SO_LINGER 1
#define SO_REUSE 1
#define LWIP_FIONREAD_LINUXMODE 1
#define RECV_BUFSIZE_DEFAULT (4 * 1024 * 1024)
#define LWIP_TIMEVAL_PRIVATE 0
#define LWIP_ERRNO_STDINCLUDE 1
#define LWIP_DNS_API_DECLARE_H_ERRNO 1
#define in6addr_any lwip_in6addr_any	/* lwIP's, apart from the POSIX one (lib/posix/inet.c) */
#define h_errno lwip_h_errno	/* lwIP's own, apart from the one netdb.h gives apps */
#define LWIP_DNS_API_DECLARE_STRUCTS 1

/* The tcpip thread and its mailboxes. */
#define TCPIP_THREAD_NAME "tcpip"
#define TCPIP_THREAD_STACKSIZE 0	/* the kernel's default */
#define TCPIP_THREAD_PRIO 0
#define TCPIP_MBOX_SIZE 256
#define DEFAULT_THREAD_STACKSIZE 0
#define DEFAULT_RAW_RECVMBOX_SIZE 64
#define DEFAULT_UDP_RECVMBOX_SIZE 256
#define DEFAULT_TCP_RECVMBOX_SIZE 256
#define DEFAULT_ACCEPTMBOX_SIZE 256

/* Checksums in software, except outgoing TCP on a NIC that finishes them (netif.c, csum.c). */
#define LWIP_CHECKSUM_CTRL_PER_NETIF 1
#define LWIP_CHKSUM_ALGORITHM 3

/* A new connection's SYN may end an old one's TIME_WAIT on the same ports (timewait.c). */
#define LWIP_HOOK_FILENAME "lwip_hooks.h"
#if LWIP_TCP
#define LWIP_HOOK_IP4_INPUT(p, inp) sk_lwip_ip4_input_hook(p, inp)
#define LWIP_HOOK_IP6_INPUT(p, inp) sk_lwip_ip6_input_hook(p, inp)
#endif

#define LWIP_STATS 0
#define LWIP_STATS_DISPLAY 0

#endif
