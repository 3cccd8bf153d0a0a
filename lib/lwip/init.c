// SPDX-License-Identifier: MIT
/*
 * The network stack's start, before main() (a constructor ahead of the app's): lwIP and its
 * tcpip thread, the loopback interface (127.0.0.1, ::1). The platform's NICs come in netif.c.
 */
#define pr_tag "net"
#include <skiff/mutex.h>
#include <skiff/printk.h>
#include "lwip/init.h"
#include "lwip/tcpip.h"
#include "lwip.h"

static struct sk_sem started;

static void tcpip_started(void *arg)
{
	(void)arg;
	sk_sem_up(&started);
}

__attribute__((constructor(101))) static void lwip_start(void)
{
	sk_sem_init(&started, 0);
	tcpip_init(tcpip_started, NULL);
	sk_sem_down(&started);
	sk_lwip_sockets_init();
	sk_lwip_netifs_init();
	pr_debug("lwIP %s up: loopback 127.0.0.1\n", LWIP_VERSION_STRING);
}
