// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for hypercall argument checking: the input becomes guest memory plus one
 * hypercall (number and 32-bit argument), run through the monitor's real handlers against a
 * 1 MiB guest and a 64 KiB memfd disk. Build and run: make fuzz (or FUZZ_TIME=seconds).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <hv/hv.h>

#define MEM (1u << 20)

volatile sig_atomic_t hv_signal;
static struct hv hv;

static void setup(void)
{
	int fd = memfd_create("disk", 0);

	hv.guest.mem = aligned_alloc(4096, MEM);
	hv.guest.size = MEM;
	hv.opt.quiet = true;
	if (fd >= 0 && ftruncate(fd, 64 * 1024) == 0) {
		hv.disk_fd = fd;
		hv.disk_sectors = 64 * 1024 / HV_BLK_SECTOR;
	} else {
		hv.disk_fd = -1;
	}
}

/* Input: [call number][4-byte argument][guest memory from 0x1000 on]. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t arg;
	unsigned nr;
	struct hv_poll *p;

	if (!hv.guest.mem)
		setup();
	if (size < 5)
		return 0;
	nr = data[0] % (HV_CALL_MAX + 1);
	memcpy(&arg, data + 1, 4);
	memset(hv.guest.mem, 0, MEM);
	memcpy(hv.guest.mem + 0x1000, data + 5, size - 5 < MEM - 0x1000 ? size - 5 : MEM - 0x1000);
	hv.opt.disk_ro = data[0] & 0x80;
	hv.stop = false;
	/* A poll sleeps for the guest's timeout: keep the fuzzer fast. */
	if (nr == HV_CALL_POLL && (p = GUEST_STRUCT(&hv.guest, arg, struct hv_poll)))
		p->timeout_ns = 0;
	hv_hypercall(&hv, (uint16_t)(SKIFF_HV_PORT_BASE + nr), arg);
	return 0;
}
