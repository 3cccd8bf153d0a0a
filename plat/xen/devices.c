// SPDX-License-Identifier: MIT
/*
 * Xen devices (vifs, vbds), found in xenstore: connected at boot, before the kernel asks for its
 * NICs and disk, and closed when the image ends, so the backends let go of our pages and the
 * toolstack can tear them down. Both run while nothing else may (the boot context, the halt
 * path): xenstore then waits by polling. A build without networking or a block device has no
 * driver for them; these empty defaults stand in (and a disk that is not there).
 */
#include <skiff/compiler.h>
#include <xen-plat/xen.h>

void xen_net_probe(void);
void xen_net_close(void);
void xen_blk_probe(void);
void xen_blk_close(void);

__sk_weak void xen_net_probe(void)
{
}

__sk_weak void xen_net_close(void)
{
}

__sk_weak void xen_blk_probe(void)
{
}

__sk_weak void xen_blk_close(void)
{
}

__sk_weak int plat_blk_info(struct plat_blk_info *info)
{
	(void)info;
	return PLAT_ENODEV;
}

__sk_weak int plat_blk_submit(struct plat_blk_req *reqs, unsigned n)
{
	(void)reqs, (void)n;
	return PLAT_ENODEV;
}

void xen_devices_probe(void)
{
	xs_polled(true);
	xen_net_probe();
	xen_blk_probe();
	xs_polled(false);
}

void xen_devices_close(void)
{
	xs_polled(true);
	xen_net_close();
	xen_blk_close();
}
