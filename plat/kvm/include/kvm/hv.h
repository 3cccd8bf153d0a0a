/* SPDX-License-Identifier: MIT */
/* The skiff-hv world's pieces that more than one file of it uses (hv.c, hv_net.c). */
#ifndef KVM_HV_H
#define KVM_HV_H

#include <stdbool.h>
#include <stdint.h>
#include <skiff/hv_abi.h>
#include <skiff/plat.h>

/* One hypercall: arg's guest-physical address to the call's port (one OUT, one exit). */
void hv_call(enum hv_call nr, void *arg);
/* The monitor sees guest-physical addresses; a pointer may be in the stack alias. */
uint64_t hv_gpa(const void *p);

/* NICs (hv_net.c). hv_net_init sets up the rings the boot info's NICs need. */
void hv_net_init(const struct hv_boot_info *boot);
unsigned hv_net_count(void);
int hv_net_info(unsigned nic, struct plat_net_info *info);
int hv_net_send(unsigned nic, const struct plat_net_frame *f, unsigned n);
int hv_net_recv(unsigned nic, struct plat_net_frame *f, unsigned n);
int hv_net_stats(unsigned nic, struct plat_net_stats *st);
/*
 * Before an idle exit: true when a received frame is waiting, or came while watching the RX
 * rings (for up to CONFIG_KVM_HV_NET_SPIN_US, if frames moved lately, never past deadline_ns);
 * false when the poll call should be made.
 */
bool hv_net_idle(uint64_t deadline_ns);

#endif
