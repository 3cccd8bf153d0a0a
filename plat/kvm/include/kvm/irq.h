/* SPDX-License-Identifier: MIT */
/*
 * Device interrupts in the QEMU world. Interrupts are on only inside plat_idle's HLT, so a
 * handler never interrupts kernel code: it only quiets its device (a level-triggered line must
 * drop before the EOI) and notes that there is work; the work happens in a thread once the HLT
 * has returned.
 */
#ifndef KVM_IRQ_H
#define KVM_IRQ_H

#include <stdbool.h>
#include <stdint.h>

typedef void (*irq_handler_fn)(void *arg);

/* A free vector with handler fn(arg): 0 when none is left. */
uint8_t irq_alloc(irq_handler_fn fn, void *arg);
/* kvm_trap's part: run the handler of a device vector; false when the vector has none. */
bool irq_dispatch(uint8_t vector);

/* Route IOAPIC input gsi to vector: level-triggered active-high (virtio-mmio) or edge. */
bool ioapic_route(unsigned gsi, uint8_t vector, bool level);

#endif
