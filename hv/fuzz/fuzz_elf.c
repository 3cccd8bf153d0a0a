// SPDX-License-Identifier: MIT
/* libFuzzer target for the image loader: parse untrusted bytes, check the manifest, load what passes. */
/* Build: clang -std=c11 -D_DEFAULT_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude -Ihv/include hv/fuzz/fuzz_elf.c hv/elf.c -o /tmp/fuzz_elf
 * Run:   /tmp/fuzz_elf -max_total_time=60 -max_len=4096 [corpus-dir] */
#include <stdint.h>
#include <stdlib.h>
#include <hv/elf.h>

#define FUZZ_MEM (64ULL << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Allocated once: a fresh 64 MiB per input would make the fuzzer crawl. */
	static uint8_t *mem;
	struct hv_image img;
	char err[256];

	if (!mem && !(mem = calloc(1, FUZZ_MEM))) /* zero-filled, as hv_elf_load wants */
		abort();
	if (hv_elf_parse(data, size, FUZZ_MEM, &img, err, sizeof(err)) == 0 &&
	    hv_elf_check_manifest(&img, HV_DEV_BLK, err, sizeof(err)) == 0)
		hv_elf_load(data, &img, mem);
	return 0;
}
