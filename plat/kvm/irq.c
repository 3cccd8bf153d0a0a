// SPDX-License-Identifier: MIT
/* Device interrupt vectors (see kvm/irq.h): handed out once, dispatched from kvm_trap. */
#include <kvm/irq.h>
#include <kvm/setup.h>

#define FIRST_VEC 0x30
#define LAST_VEC 0xdf	/* below the timer's and the spurious vector */

static struct {
	irq_handler_fn fn;
	void *arg;
} handlers[256];
static unsigned next_vec = FIRST_VEC;

uint8_t irq_alloc(irq_handler_fn fn, void *arg)
{
	if (next_vec > LAST_VEC)
		return 0;
	handlers[next_vec].fn = fn;
	handlers[next_vec].arg = arg;
	return (uint8_t)next_vec++;
}

bool irq_dispatch(uint8_t vector)
{
	if (!handlers[vector].fn)
		return false;
	handlers[vector].fn(handlers[vector].arg);
	return true;
}
