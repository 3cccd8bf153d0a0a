// SPDX-License-Identifier: MIT
/*
 * Port I/O from the guest, the same for both backends: the TSS I/O bitmap decides which ports
 * the guest may touch at all (the CPU's check, which the process backend repeats), and what
 * gets through is a hypercall or a violation.
 */
#include <hv/hv.h>

bool hv_io_port_open(const struct hv *hv, uint16_t port, unsigned size)
{
	/* The bitmap the guest's TSS names: the CPU reads it from guest memory, so do we. */
	const uint8_t *map = guest_ptr(&hv->guest, HV_TSS + 104, 8192 + 1, 1);

	if (!map || size == 0 || size > 4 || port + size > 65536)
		return false;
	for (unsigned p = port; p < port + size; p++)
		if (map[p / 8] & (1u << (p % 8)))
			return false;
	return true;
}

void hv_io_exit(struct hv *hv, bool in, uint16_t port, unsigned size, unsigned count, uint32_t value)
{
	if (in) {
		hv_stop(hv, SKIFF_HV_EXIT_VIOLATION, "guest violation: read from I/O port 0x%x", port);
		return;
	}
	if (port < SKIFF_HV_PORT_BASE || port >= SKIFF_HV_PORT_BASE + HV_CALL_MAX) {
		hv_stop(hv, SKIFF_HV_EXIT_VIOLATION,
			"guest violation: write to I/O port 0x%x, which is not a hypercall port", port);
		return;
	}
	if (size != 4 || count != 1) {
		hv_stop(hv, SKIFF_HV_EXIT_VIOLATION,
			"guest violation: hypercall with a %u-byte x%u write (needs one 32-bit OUT)",
			size, count);
		return;
	}
	hv_hypercall(hv, port, value);
}
