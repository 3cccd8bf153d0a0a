/* SPDX-License-Identifier: MIT */
/* Compiler helpers shared by the kernel, libraries, platforms and host tests. */
#ifndef SKIFF_COMPILER_H
#define SKIFF_COMPILER_H

#include <stddef.h>
#include <stdint.h>

#define __sk_printf(fmt, args) __attribute__((format(printf, fmt, args)))
#define __sk_unused __attribute__((unused))
#define __sk_used __attribute__((used))
#define __sk_packed __attribute__((packed))
#define __sk_aligned(n) __attribute__((aligned(n)))
#define __sk_section(s) __attribute__((section(s)))
#define __sk_noinline __attribute__((noinline))
#define __sk_weak __attribute__((weak))

#define sk_likely(x) __builtin_expect(!!(x), 1)
#define sk_unlikely(x) __builtin_expect(!!(x), 0)

#define SK_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define SK_ALIGN_UP(x, a) (((x) + ((a) - 1)) & ~((__typeof__(x))(a) - 1))
#define SK_ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))
#define SK_IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a) - 1)) == 0)
#define SK_MIN(a, b) ((a) < (b) ? (a) : (b))
#define SK_MAX(a, b) ((a) > (b) ? (a) : (b))

#define sk_container_of(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))

/* Compiler barrier: stops the compiler from moving memory accesses across it. */
#define sk_barrier() __asm__ __volatile__("" ::: "memory")

#define SK_KiB(x) ((uint64_t)(x) << 10)
#define SK_MiB(x) ((uint64_t)(x) << 20)
#define SK_GiB(x) ((uint64_t)(x) << 30)

#define SK_NSEC_PER_USEC 1000ULL
#define SK_NSEC_PER_MSEC 1000000ULL
#define SK_NSEC_PER_SEC 1000000000ULL

#endif
