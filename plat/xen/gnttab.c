// SPDX-License-Identifier: MIT
/*
 * Grant tables (version 1): one frame of 512 entries, set up with GNTTABOP_setup_table and mapped
 * into a page of the image. Granting fills an entry (frame, domain) and sets its flags last;
 * ending it clears the flags only while the other side has the page mapped neither for reading
 * nor for writing, which Xen tells by bits in the same flags word.
 */
#define pr_tag "gnttab"
#include <errno.h>
#include <skiff/compiler.h>
#include <skiff/printk.h>
#include <xen-plat/hypercall.h>
#include <xen-plat/xen.h>

#define ENTRIES (XEN_PAGE / sizeof(grant_entry_v1_t))
#define FIRST_FREE GNTTAB_NR_RESERVED_ENTRIES /* 0-7 belong to the toolstack (console, xenstore) */

static grant_entry_v1_t table[ENTRIES] __sk_aligned(4096);
int xen_pvh_map_grant_table(void *page);
static bool in_use[ENTRIES];
static bool ready;

int gnttab_init(void)
{
	xen_pfn_t frame;
	struct gnttab_setup_table s = { .dom = DOMID_SELF, .nr_frames = 1 };
	long r;

	if (xen_pvh) {
		ready = xen_pvh_map_grant_table(table) == 0;
		return ready ? 0 : -EIO;
	}
	set_xen_guest_handle(s.frame_list, &frame);
	r = hyp_grant_table_op(GNTTABOP_setup_table, &s, 1);
	if (r < 0 || s.status != GNTST_okay) {
		pr_err("GNTTABOP_setup_table failed (%ld, status %d)\n", r, s.status);
		return -EIO;
	}
	if (xen_map_mfn(table, frame))
		return -EFAULT;
	ready = true;
	return 0;
}

int gnttab_grant_access(uint16_t domid, const void *va, bool readonly)
{
	if (!ready)
		return -ENODEV;
	for (unsigned ref = FIRST_FREE; ref < ENTRIES; ref++) {
		if (in_use[ref])
			continue;
		in_use[ref] = true;
		table[ref].frame = (uint32_t)virt_to_mfn(va);
		table[ref].domid = domid;
		/* Xen may use the entry as soon as the flags say so: they go last. */
		__atomic_store_n(&table[ref].flags,
				 (uint16_t)(GTF_permit_access | (readonly ? GTF_readonly : 0)),
				 __ATOMIC_RELEASE);
		return (int)ref;
	}
	return -ENOSPC;
}

int gnttab_end_access(int ref)
{
	uint16_t flags;

	if (ref < (int)FIRST_FREE || ref >= (int)ENTRIES || !in_use[ref])
		return -EINVAL;
	flags = __atomic_load_n(&table[ref].flags, __ATOMIC_ACQUIRE);
	do {
		if (flags & (GTF_reading | GTF_writing))
			return -EBUSY;
	} while (!__atomic_compare_exchange_n(&table[ref].flags, &flags, 0, false, __ATOMIC_ACQ_REL,
					      __ATOMIC_ACQUIRE));
	in_use[ref] = false;
	return 0;
}

/* Kernel option xen.selftest: grant a page to dom0, check the entry, take the grant back. */
void gnttab_selftest(void);

void gnttab_selftest(void)
{
	static char page[XEN_PAGE] __sk_aligned(4096);
	int ref = gnttab_grant_access(0, page, true);
	bool ok = ref >= 0 && table[ref].domid == 0 && table[ref].frame == virt_to_mfn(page) &&
		  (table[ref].flags & (GTF_permit_access | GTF_readonly)) ==
			  (GTF_permit_access | GTF_readonly);

	ok = ok && gnttab_end_access(ref) == 0 && table[ref].flags == 0 && gnttab_end_access(ref) == -EINVAL;
	pr_info("grant table self-test %s (ref %d, frame 0x%lx)\n", ok ? "ok" : "FAILED", ref,
		(unsigned long)virt_to_mfn(page));
}
