// SPDX-License-Identifier: MIT
/*
 * Grant tables (version 1): NR_FRAMES frames of 512 entries (fewer if Xen allows fewer), set up
 * with GNTTABOP_setup_table (PV) or mapped onto pages of the image (PVH). Netfront keeps about 400
 * grants per NIC and blkfront about 350, all for the life of the image, so one frame is not
 * enough. Free references sit on a stack, so granting costs the same however full the table is.
 * Granting fills an entry (frame, domain) and sets its flags last; ending it clears the flags
 * only while the other side has the page mapped neither for reading nor for writing, which Xen
 * tells by bits in the same flags word.
 */
#define pr_tag "gnttab"
#include <errno.h>
#include <skiff/compiler.h>
#include <skiff/printk.h>
#include <xen-plat/hypercall.h>
#include <xen-plat/xen.h>

#define NR_FRAMES 8
#define PER_FRAME (XEN_PAGE / sizeof(grant_entry_v1_t))
#define ENTRIES (NR_FRAMES * PER_FRAME)
#define FIRST_FREE GNTTAB_NR_RESERVED_ENTRIES /* 0-7 belong to the toolstack (console, xenstore) */

static grant_entry_v1_t table[ENTRIES] __sk_aligned(4096);
int xen_pvh_map_grant_table(void *page, unsigned nr_frames);
static uint16_t free_refs[ENTRIES];
static unsigned nr_free, nr_entries;
static bool in_use[ENTRIES];

/* How many frames Xen lets this domain have (max_grant_frames in the xl config). */
static unsigned max_frames(void)
{
	struct gnttab_query_size q = { .dom = DOMID_SELF };

	if (hyp_grant_table_op(GNTTABOP_query_size, &q, 1) < 0 || q.status != GNTST_okay || !q.max_nr_frames)
		return 1;
	return SK_MIN(q.max_nr_frames, (uint32_t)NR_FRAMES);
}

static int map_frames(unsigned n)
{
	xen_pfn_t frames[NR_FRAMES];
	struct gnttab_setup_table s = { .dom = DOMID_SELF, .nr_frames = n };
	long r;

	if (xen_pvh)
		return xen_pvh_map_grant_table(table, n);
	set_xen_guest_handle(s.frame_list, frames);
	r = hyp_grant_table_op(GNTTABOP_setup_table, &s, 1);
	if (r < 0 || s.status != GNTST_okay) {
		pr_err("GNTTABOP_setup_table of %u frames failed (%ld, status %d)\n", n, r, s.status);
		return -EIO;
	}
	for (unsigned i = 0; i < n; i++)
		if (xen_map_mfn((char *)table + i * XEN_PAGE, frames[i]))
			return -EFAULT;
	return 0;
}

int gnttab_init(void)
{
	unsigned n = max_frames();
	int r = map_frames(n);

	if (r)
		return r;
	nr_entries = n * PER_FRAME;
	/* Lowest references on top: they are handed out first, as before. */
	for (unsigned ref = nr_entries; ref-- > FIRST_FREE;)
		free_refs[nr_free++] = (uint16_t)ref;
	return 0;
}

unsigned gnttab_free_count(void)
{
	return nr_free;
}

int gnttab_grant_access(uint16_t domid, const void *va, bool readonly)
{
	unsigned ref;

	if (!nr_entries)
		return -ENODEV;
	if (!nr_free)
		return -ENOSPC;
	ref = free_refs[--nr_free];
	in_use[ref] = true;
	table[ref].frame = (uint32_t)virt_to_mfn(va);
	table[ref].domid = domid;
	/* Xen may use the entry as soon as the flags say so: they go last. */
	__atomic_store_n(&table[ref].flags, (uint16_t)(GTF_permit_access | (readonly ? GTF_readonly : 0)),
			 __ATOMIC_RELEASE);
	return (int)ref;
}

int gnttab_end_access(int ref)
{
	uint16_t flags;

	if (ref < (int)FIRST_FREE || ref >= (int)nr_entries || !in_use[ref])
		return -EINVAL;
	flags = __atomic_load_n(&table[ref].flags, __ATOMIC_ACQUIRE);
	do {
		if (flags & (GTF_reading | GTF_writing))
			return -EBUSY;
	} while (!__atomic_compare_exchange_n(&table[ref].flags, &flags, 0, false, __ATOMIC_ACQ_REL,
					      __ATOMIC_ACQUIRE));
	in_use[ref] = false;
	free_refs[nr_free++] = (uint16_t)ref;
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
	pr_info("grant table self-test %s (ref %d, frame 0x%lx, %u entries, %u free)\n", ok ? "ok" : "FAILED",
		ref, (unsigned long)virt_to_mfn(page), nr_entries, nr_free);
}
