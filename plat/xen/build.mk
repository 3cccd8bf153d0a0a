# SPDX-License-Identifier: MIT
# plat/xen: x86_64 Xen PV guest. Xen's public headers come from Debian's libxen-dev, seen only by
# plat/xen objects (support/deps.sh links them under build/deps/xen-include).
platforms-$(CONFIG_PLAT_XEN) += xen
plat-xen-y += plat/xen/entry.S plat/xen/setup.c plat/xen/mm.c plat/xen/console.c
plat-xen-y += plat/xen/time.c plat/xen/events.c plat/xen/traps.c plat/xen/shutdown.c
plat-xen-y += plat/xen/xenstore.c plat/xen/xs_proto.c plat/xen/gnttab.c plat/xen/pvh.c
plat-xen-y += plat/common/bootmem.c plat/common/x86_trap.c
# Devices: xenbus (the frontend side of the handshake), netfront with networking, blkfront with
# the block device.
plat-xen-y += plat/xen/devices.c plat/xen/xenbus.c
plat-xen-$(CONFIG_SK_NET) += plat/xen/net.c plat/xen/netfront.c plat/xen/netif_ring.c
plat-xen-$(CONFIG_SK_BLK) += plat/xen/blkfront.c plat/xen/blkif_ring.c
plat-xen-cflags := -isystem build/deps/xen-include -D__XEN_INTERFACE_VERSION__=0x00040d00
