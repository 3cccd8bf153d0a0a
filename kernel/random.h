/* SPDX-License-Identifier: MIT */
/* What kernel/random.c needs from the architecture (kernel/arch/<arch>/random.c). */
#ifndef SKIFF_KERNEL_RANDOM_H
#define SKIFF_KERNEL_RANDOM_H

#include <stdbool.h>
#include <stdint.h>

bool sk_arch_has_rdrand(void);
bool sk_arch_rdrand(uint64_t *v);
uint64_t sk_arch_cycles(void);

#endif
