# SPDX-License-Identifier: MIT
# lib/lwip: lwIP 2.1 from Debian's lwip source package (support/deps.sh lwip unpacks it under
# build/deps/lwip-src; nothing of it is in this repository), and our glue: lwipopts.h and the
# arch headers, sys_arch on kernel threads, the stack's start, the netif over plat.h, and POSIX
# sockets as files. lwIP's sources are listed as its src/Filelists.mk groups them.
LWIP_SRC := build/deps/lwip-src/src
lib-sources-$(CONFIG_LIBLWIP) += lwip
lib-lwip-cflags := -Ilib/lwip/include -I$(LWIP_SRC)/include
lwip-src-cflags = -Ilib/lwip/include -I$(LWIP_SRC)/include $(SYS_CFLAGS)

lwip-core := init.c def.c dns.c inet_chksum.c ip.c mem.c memp.c netif.c pbuf.c raw.c stats.c sys.c \
	tcp.c tcp_in.c tcp_out.c timeouts.c udp.c
lwip-core4 := autoip.c dhcp.c etharp.c icmp.c igmp.c ip4_frag.c ip4.c ip4_addr.c
lwip-core6 := dhcp6.c ethip6.c icmp6.c inet6.c ip6.c ip6_addr.c ip6_frag.c mld6.c nd6.c
lwip-api := api_lib.c api_msg.c err.c if_api.c netbuf.c netdb.c netifapi.c sockets.c tcpip.c

lib-$(CONFIG_LIBLWIP) += $(addprefix $(LWIP_SRC)/core/,$(lwip-core))
lib-$(CONFIG_LIBLWIP) += $(addprefix $(LWIP_SRC)/core/ipv4/,$(lwip-core4))
lib-$(CONFIG_LIBLWIP) += $(addprefix $(LWIP_SRC)/core/ipv6/,$(lwip-core6))
lib-$(CONFIG_LIBLWIP) += $(addprefix $(LWIP_SRC)/api/,$(lwip-api)) $(LWIP_SRC)/netif/ethernet.c

lib-$(CONFIG_LIBLWIP) += lib/lwip/sys_arch.c lib/lwip/init.c lib/lwip/lsock.c lib/lwip/netif.c
lib-$(CONFIG_LIBLWIP) += lib/lwip/netopts.c lib/lwip/csum.c lib/lwip/timewait.c
lib-$(CONFIG_LIBLWIP) += lib/lwip/socket.c lib/lwip/sockopt.c lib/lwip/netdb.c
