// SPDX-License-Identifier: MIT
/*
 * The trap table: Xen delivers a PV guest's CPU exceptions to these stubs (entry.S), which end
 * the image with the same crash report as on KVM. The fault address of a page fault is in
 * vcpu_info, since a PV guest cannot read CR2.
 */
#include <skiff/panic.h>
#include <plat-common/x86_trap.h>
#include <xen-plat/hypercall.h>
#include <xen-plat/xen.h>

#define STUB(n) extern char xen_trap_##n[];
STUB(0) STUB(1) STUB(2) STUB(3) STUB(4) STUB(5) STUB(6) STUB(7) STUB(8) STUB(9)
STUB(10) STUB(11) STUB(12) STUB(13) STUB(14) STUB(15) STUB(16) STUB(17) STUB(18) STUB(19)
#undef STUB

/* flags 0: DPL 0 and event delivery left as it is (masked). */
#define GATE(n) { n, 0, FLAT_KERNEL_CS, (unsigned long)xen_trap_##n }

static const struct trap_info table[] = {
	GATE(0), GATE(1), GATE(2), GATE(3), GATE(4), GATE(5), GATE(6), GATE(7), GATE(8), GATE(9),
	GATE(10), GATE(11), GATE(12), GATE(13), GATE(14), GATE(15), GATE(16), GATE(17), GATE(18),
	GATE(19), { 0, 0, 0, 0 },
};

void xen_traps_init(void)
{
	if (hyp_set_trap_table(table) < 0)
		sk_panic("xen: set_trap_table failed");
}

void xen_trap(struct x86_trapframe *f);

void xen_trap(struct x86_trapframe *f)
{
	if (f->vector == 14 && !xen_pvh) /* a PVH stub read CR2 itself */
		f->cr2 = xen_shared->vcpu_info[0].arch.cr2;
	f->cs &= 0xffff; /* Xen keeps the saved event mask in the bits above the selector */
	x86_exception(f);
}
