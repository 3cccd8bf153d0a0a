// SPDX-License-Identifier: MIT
/*
 * Function names for backtraces, from the table that support/gen-ksyms.sh makes out of the first
 * link (sorted addresses, then NUL-separated names in the same order). Weak: an image built
 * without CONFIG_SK_KSYMS has no table and prints bare addresses.
 */
#include <errno.h>
#include <stdint.h>
#include <skiff/compiler.h>
#include <skiff/panic.h>

extern const uint64_t sk_ksyms_addr[] __sk_weak;
extern const uint32_t sk_ksyms_name_off[] __sk_weak;
extern const char sk_ksyms_names[] __sk_weak;
extern const uint64_t sk_ksyms_count __sk_weak;
extern char _etext[];

int sk_ksym_lookup(uintptr_t addr, const char **name, uintptr_t *offset)
{
	uint64_t lo = 0, hi;

	if (!&sk_ksyms_count || sk_ksyms_count == 0 || addr < sk_ksyms_addr[0] ||
	    addr >= (uintptr_t)_etext)
		return -ENOENT;
	/* The last symbol whose address is <= addr. */
	hi = sk_ksyms_count;
	while (hi - lo > 1) {
		uint64_t mid = lo + (hi - lo) / 2;

		if (sk_ksyms_addr[mid] <= addr)
			lo = mid;
		else
			hi = mid;
	}
	*name = sk_ksyms_names + sk_ksyms_name_off[lo];
	*offset = addr - sk_ksyms_addr[lo];
	return 0;
}
