/* SPDX-License-Identifier: MIT */
/*
 * The two worlds a plat/kvm image runs in, chosen by its entry point: QEMU (PVH entry, CPL 0,
 * real devices) or skiff-hv (ELF entry, CPL 3, hypercalls). plat.c routes each plat_* call to the
 * world's function; everything else in plat/kvm is shared.
 */
#ifndef KVM_WORLD_H
#define KVM_WORLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdnoreturn.h>
#include <skiff/plat.h>

struct kvm_world {
	const char *name;
	void (*console_write)(const char *buf, size_t len);
	void (*idle)(uint64_t deadline_ns);
	void (*halt)(int status);	/* must not return (C11 cannot say so of a pointer) */
	void (*abort)(const char *msg);	/* must not return */
	void (*tlb_flush_page)(uintptr_t va);	/* after a page-table change */
	int (*blk_info)(struct plat_blk_info *info);
	int (*blk_submit)(struct plat_blk_req *reqs, unsigned n);
	void (*late_init)(void);	/* services that need the kernel's allocator (NULL: none) */
	/* NICs (NULL: none in this world) */
	unsigned (*net_count)(void);
	int (*net_info)(unsigned nic, struct plat_net_info *info);
	int (*net_send)(unsigned nic, const struct plat_net_frame *f, unsigned n);
	int (*net_recv)(unsigned nic, struct plat_net_frame *f, unsigned n);
	int (*net_stats)(unsigned nic, struct plat_net_stats *st);
};

extern const struct kvm_world *kvm_world;
extern const struct kvm_world kvm_world_qemu, kvm_world_hv;

#endif
