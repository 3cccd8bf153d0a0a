// SPDX-License-Identifier: MIT
/*
 * The process backend's view of guest memory, kept in step with the guest's page tables as a
 * TLB would be: mapped from the tables at start (hv_proc_map_guest), pages the guest added later
 * mapped when first touched (hv_proc_fault_in: Skiff's thread stacks in the RAM alias), and a
 * page the guest flushed made to match its tables again (hv_proc_invlpg).
 *
 * Executable memory is made once, at start, from the image's code: the seccomp filter allows no
 * mapping with PROT_EXEC afterwards, so a page the guest later makes executable is not (its
 * instruction fetches fault as on a page without execute permission).
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <hv/hv.h>

#define PAGE 4096ULL
#define LARGE (2ULL << 20)
/* Pages mapped around a faulting one when the guest's tables map them alike: a stack's. */
#define FAULT_AROUND 16

/* What the host mapping of a guest page should allow: nothing when the guest cannot use it. */
static int page_prot(const struct hv *hv, const struct guest_map *m, bool exec_ok)
{
	if (!m->user || m->gpa >= hv->guest.size)
		return PROT_NONE;
	return PROT_READ | (m->write ? PROT_WRITE : 0) | (m->exec && exec_ok ? PROT_EXEC : 0);
}

/*
 * The pages of [va, va + len) the guest writes first (hv_boot_memory), in our page tables now
 * rather than a fault each later: a write to a shared mapping faults one page at a time. Only an
 * optimisation, for identity-mapped writable runs.
 */
static void prefault(const struct hv *hv, uint64_t va, uint64_t len)
{
	uint64_t lo, hi;

	hv_boot_memory(hv, &lo, &hi);
	lo = lo > va ? lo : va;
	hi = hi < va + len ? hi : va + len;
	if (lo < hi)
		madvise((void *)lo, hi - lo, MADV_POPULATE_WRITE);
}

static int map_run(struct hv *hv, uint64_t va, uint64_t gpa, uint64_t len, int prot)
{
	void *p;

	if (prot == PROT_NONE)
		p = mmap((void *)va, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED,
			 -1, 0);
	else
		p = mmap((void *)va, len, prot, MAP_SHARED | MAP_FIXED, hv->proc.memfd, (off_t)gpa);
	if (p == MAP_FAILED)
		return -1;
	if ((prot & PROT_WRITE) && va == gpa && !hv->proc.started)
		prefault(hv, va, len);
	return 0;
}

/*
 * The identity part of the guest's addresses, from its page tables (which layout.c built from
 * the image's segments): runs of pages alike mapped in one call each.
 */
int hv_proc_map_guest(struct hv *hv)
{
	uint64_t va = HV_PROC_LOW, run_va = 0, run_pa = 0, run_len = 0;
	int run_prot = PROT_NONE;

	while (va < hv->guest.size) {
		struct guest_map m;
		uint64_t step = PAGE;
		int prot = PROT_NONE;

		if (guest_walk(&hv->guest, hv->proc.cr3, va, &m) && m.gpa < hv->guest.size) {
			step = m.page - (va & (m.page - 1));
			prot = page_prot(hv, &m, true);
			if (step > hv->guest.size - m.gpa)
				step = PAGE;
		}
		if (run_len && (prot != run_prot || m.gpa != run_pa + run_len)) {
			if (run_prot != PROT_NONE && map_run(hv, run_va, run_pa, run_len, run_prot))
				goto fail;
			run_len = 0;
		}
		if (!run_len) {
			run_va = va;
			run_pa = prot == PROT_NONE ? 0 : m.gpa;
			run_prot = prot;
		}
		run_len += step;
		va += step;
	}
	if (run_len && run_prot != PROT_NONE && map_run(hv, run_va, run_pa, run_len, run_prot))
		goto fail;
	return 0;
fail:
	hv_err("cannot map guest memory at 0x%llx: %s", (unsigned long long)run_va, strerror(errno));
	return -1;
}

/* Was the page at va executable when the guest started (part of the image's code)? */
static bool loaded_exec(const struct hv *hv, uint64_t va)
{
	for (unsigned i = 0; i < hv->image.nseg; i++) {
		const struct hv_segment *s = &hv->image.seg[i];

		if ((s->flags & 1 /* PF_X */) && va + PAGE > (s->paddr & ~(PAGE - 1)) &&
		    va < s->paddr + s->memsz)
			return true;
	}
	return false;
}

/* Does the mapping m allow the access the CPU's error code err describes? */
static bool allows(const struct hv *hv, const struct guest_map *m, uint64_t err)
{
	if (!m->user && hv->proc.vcpl == 3)
		return false;
	if ((err & 0x2) && !m->write)
		return false;
	return !(err & 0x10); /* an instruction fetch from a page that was not code at start */
}

/* Extend [lo, hi) page by page while the neighbours map contiguously with the same rights. */
static void grow_run(struct hv *hv, uint64_t va, const struct guest_map *m, int prot,
		     uint64_t *lo, uint64_t *hi)
{
	uint64_t base = va & ~(LARGE - 1);
	struct guest_map n;

	*lo = va;
	*hi = va + PAGE;
	while (*hi - *lo < FAULT_AROUND * PAGE / 2 && *lo > base && *lo - PAGE >= HV_PROC_LOW &&
	       guest_walk(&hv->guest, hv->proc.cr3, *lo - PAGE, &n) && n.gpa == m->gpa - (va - *lo) - PAGE &&
	       !loaded_exec(hv, *lo - PAGE) && page_prot(hv, &n, false) == prot)
		*lo -= PAGE;
	while (*hi - *lo < FAULT_AROUND * PAGE && *hi < base + LARGE && *hi < hv->proc.span &&
	       guest_walk(&hv->guest, hv->proc.cr3, *hi, &n) && n.gpa == m->gpa + (*hi - va) &&
	       !loaded_exec(hv, *hi) && page_prot(hv, &n, false) == prot)
		*hi += PAGE;
}

bool hv_proc_fault_in(struct hv *hv, uint64_t va, uint64_t err)
{
	struct guest_map m;
	uint64_t lo, hi;
	int prot;

	va &= ~(PAGE - 1);
	if (va < HV_PROC_LOW || va >= hv->proc.span || loaded_exec(hv, va) ||
	    !guest_walk(&hv->guest, hv->proc.cr3, va, &m) || !allows(hv, &m, err))
		return false;
	if (m.gpa >= hv->guest.size) {
		hv_stop(hv, SKIFF_HV_EXIT_VIOLATION,
			"guest violation: access at 0x%llx, which its page tables map to 0x%llx, outside guest memory",
			(unsigned long long)va, (unsigned long long)m.gpa);
		return true;
	}
	prot = page_prot(hv, &m, false);
	if (!m.user) /* a CPL-0 stub touching a supervisor page: the process can only map it */
		prot = PROT_READ | (m.write ? PROT_WRITE : 0);
	m.gpa &= ~(PAGE - 1);
	grow_run(hv, va, &m, prot, &lo, &hi);
	if (map_run(hv, lo, m.gpa - (va - lo), hi - lo, prot)) {
		hv_stop(hv, SKIFF_HV_EXIT_INTERNAL, "cannot map guest page 0x%llx: %s",
			(unsigned long long)va, strerror(errno));
		return true;
	}
	hv->proc.last_fault = va + 1;
	return true;
}

void hv_proc_invlpg(struct hv *hv, uint64_t va)
{
	struct guest_map m;
	bool mapped;

	va &= ~(PAGE - 1);
	if (va < HV_PROC_LOW || va >= hv->proc.span)
		return;
	mapped = guest_walk(&hv->guest, hv->proc.cr3, va, &m);
	if (loaded_exec(hv, va)) {
		/* Code keeps its mapping (it cannot be made again); gone from the tables, it goes. */
		if (!mapped || !m.user)
			mprotect((void *)va, PAGE, PROT_NONE);
		return;
	}
	if (!mapped)
		map_run(hv, va, 0, PAGE, PROT_NONE);
	else
		map_run(hv, va, m.gpa & ~(PAGE - 1), PAGE, page_prot(hv, &m, false));
}

/* Guest virtual [va, va + len) a page at a time, as the CPU at CPL 0 reaches it. */
static bool cpl0_access(struct hv *hv, uint64_t va, uint8_t *buf, unsigned len, bool write)
{
	while (len) {
		struct guest_map m;
		unsigned n = (unsigned)(PAGE - (va & (PAGE - 1)));
		uint8_t *p;

		if (n > len)
			n = len;
		if (!guest_walk(&hv->guest, hv->proc.cr3, va, &m) || (write && !m.write) ||
		    !(p = guest_ptr(&hv->guest, m.gpa, n, 1)))
			return false;
		if (write)
			memcpy(p, buf, n);
		else
			memcpy(buf, p, n);
		va += n;
		buf += n;
		len -= n;
	}
	return true;
}

bool hv_proc_read(struct hv *hv, uint64_t va, void *buf, unsigned len)
{
	return cpl0_access(hv, va, buf, len, false);
}

bool hv_proc_write(struct hv *hv, uint64_t va, const void *buf, unsigned len)
{
	return cpl0_access(hv, va, (uint8_t *)buf, len, true);
}
