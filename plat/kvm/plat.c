// SPDX-License-Identifier: MIT
/* The plat.h calls whose implementation depends on the world the image booted into. */
#include <kvm/setup.h>
#include <kvm/world.h>

/* QEMU until an entry point says otherwise: its code runs before any world is known. */
const struct kvm_world *kvm_world = &kvm_world_qemu;

void plat_late_init(void)
{
	if (kvm_world->late_init)
		kvm_world->late_init();
}

void plat_console_write(const char *buf, size_t len)
{
	kvm_world->console_write(buf, len);
}

void plat_idle(uint64_t deadline_ns)
{
	kvm_world->idle(deadline_ns);
}

noreturn void plat_halt(int status)
{
	kvm_world->halt(status);
	__builtin_unreachable();
}

noreturn void plat_abort(const char *msg)
{
	kvm_world->abort(msg);
	__builtin_unreachable();
}

void *plat_stack_map(void *addr, unsigned order)
{
	return paging_stack_map(addr, order);
}

/* The alias entries stay (see paging.c): nothing to undo. */
void plat_stack_release(void *stack, void *addr, unsigned order)
{
	(void)stack;
	(void)addr;
	(void)order;
}

int plat_blk_info(struct plat_blk_info *info)
{
	return kvm_world->blk_info ? kvm_world->blk_info(info) : PLAT_ENODEV;
}

int plat_blk_submit(struct plat_blk_req *reqs, unsigned n)
{
	return kvm_world->blk_submit ? kvm_world->blk_submit(reqs, n) : PLAT_ENODEV;
}

unsigned plat_net_count(void)
{
	return kvm_world->net_count ? kvm_world->net_count() : 0;
}

int plat_net_info(unsigned nic, struct plat_net_info *info)
{
	return kvm_world->net_info ? kvm_world->net_info(nic, info) : PLAT_ENODEV;
}

int plat_net_send(unsigned nic, const struct plat_net_frame *f, unsigned n)
{
	return kvm_world->net_send ? kvm_world->net_send(nic, f, n) : -PLAT_ENODEV;
}

int plat_net_recv(unsigned nic, struct plat_net_frame *f, unsigned n)
{
	return kvm_world->net_recv ? kvm_world->net_recv(nic, f, n) : -PLAT_ENODEV;
}

int plat_net_stats(unsigned nic, struct plat_net_stats *st)
{
	return kvm_world->net_stats ? kvm_world->net_stats(nic, st) : PLAT_ENODEV;
}
