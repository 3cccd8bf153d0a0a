// SPDX-License-Identifier: MIT
/* The kernel's clock calls: thin wrappers so apps and libraries never call plat_ directly. */
#include <skiff/plat.h>
#include <skiff/time.h>

uint64_t sk_now_ns(void)
{
	return plat_time_monotonic_ns();
}

uint64_t sk_wall_ns(void)
{
	return plat_time_wall_ns();
}
