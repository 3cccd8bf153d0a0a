// SPDX-License-Identifier: MIT
/*
 * The process backend's set-up and operations (see hv/proc.h). Guest RAM is a memfd: the monitor
 * reads and writes it through its own mapping (hv->guest.mem, as under KVM), and the guest sees
 * it at its guest-physical addresses, mapped as its page tables say. skiff-hv is a static PIE,
 * so nothing of its own sits where the guest's addresses are.
 */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <asm/prctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <hv/hv.h>

#define LARGE (2ULL << 20)
#define RFLAGS_TF 0x100ULL

/*
 * The guest's addresses: [HV_PROC_LOW, RAM) and the alias of RAM above it, where Skiff runs its
 * thread stacks (ALIGN_UP(RAM, 2 MiB) + guest-physical). Reserved, inaccessible, before anything
 * else can land there; the guest's view is mapped into this reservation page by page.
 */
static int reserve_span(struct hv *hv)
{
	uint64_t span = 2 * ((hv->guest.size + LARGE - 1) & ~(LARGE - 1));
	void *p = mmap((void *)HV_PROC_LOW, span - HV_PROC_LOW, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);

	if (p == MAP_FAILED || p != (void *)HV_PROC_LOW) {
		hv_err("cannot reserve the guest's addresses [0x%llx, 0x%llx) in this process: %s%s",
		       HV_PROC_LOW, (unsigned long long)span, strerror(p == MAP_FAILED ? errno : EEXIST),
		       p == MAP_FAILED && errno == EPERM ? " (vm.mmap_min_addr is above 0x10000)" : "");
		return -1;
	}
	hv->proc.span = span;
	return 0;
}

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC_RAW, &t);
	return (uint64_t)t.tv_sec * 1000000000ULL + (uint64_t)t.tv_nsec;
}

/*
 * The TSC's rate, which KVM would report and Linux keeps to itself: counted against the clock
 * from the backend's creation to the guest's first instruction, so the monitor's own set-up
 * fills the time it takes (at least CALIBRATE_NS). Each end reads the clock between two TSC
 * reads and takes their middle: an error of tens of nanoseconds in a millisecond (tens of ppm).
 * Rounded to kHz, as KVM_GET_TSC_KHZ is.
 */
#define CALIBRATE_NS 1000000ULL

static void tsc_sample(uint64_t *tsc, uint64_t *ns)
{
	uint64_t a = rdtsc(), t = now_ns(), b = rdtsc();

	*tsc = a / 2 + b / 2;
	*ns = t;
}

void hv_proc_tsc_rate(struct hv *hv)
{
	struct hv_boot_info *bi = GUEST_STRUCT(&hv->guest, HV_BOOT_INFO, struct hv_boot_info);
	uint64_t tsc, ns;

	do
		tsc_sample(&tsc, &ns);
	while (ns - hv->proc.cal_ns < CALIBRATE_NS);
	hv->tsc_hz = (tsc - hv->proc.cal_tsc) * 1000000ULL / (ns - hv->proc.cal_ns) * 1000ULL;
	bi->tsc_hz = hv->tsc_hz;
}

/*
 * A poll's timeout, which the guest reckoned with the rate above (measured over a millisecond or
 * so, with an error of up to a few hundred ppm where the clock is a slow system call), in host
 * nanoseconds: by the rate over the whole run so far, once that is long enough to be better.
 * Otherwise a 500 ms sleep ends a fraction of a millisecond before the guest's clock says, and
 * an idle guest exits a second time for the rest.
 */
#define RATE_BASELINE_NS 100000000ULL

uint64_t hv_proc_host_ns(struct hv *hv, uint64_t guest_ns)
{
	uint64_t tsc, ns;
	unsigned __int128 host;

	tsc_sample(&tsc, &ns);
	if (ns - hv->proc.cal_ns < RATE_BASELINE_NS || tsc <= hv->proc.cal_tsc || guest_ns == UINT64_MAX)
		return guest_ns;
	/* guest_ns * tsc_hz / true_hz, true_hz = (tsc - cal_tsc) / (ns - cal_ns) */
	host = (unsigned __int128)guest_ns * hv->tsc_hz / 1000000000ULL * (ns - hv->proc.cal_ns) /
	       (tsc - hv->proc.cal_tsc);
	return host > UINT64_MAX ? UINT64_MAX : (uint64_t)host;
}

static int proc_create(struct hv *hv)
{
	hv->guest.size = hv->opt.mem;
	if (reserve_span(hv))
		return -1;
	hv->proc.memfd = memfd_create("skiff-guest-ram", MFD_CLOEXEC);
	if (hv->proc.memfd < 0 || ftruncate(hv->proc.memfd, (off_t)hv->guest.size) < 0) {
		hv_err("cannot make %llu MiB of guest memory: %s",
		       (unsigned long long)(hv->guest.size >> 20), strerror(errno));
		return -1;
	}
	hv->guest.mem = mmap(NULL, hv->guest.size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE,
			     hv->proc.memfd, 0);
	if (hv->guest.mem == MAP_FAILED) {
		hv_err("cannot map guest memory: %s", strerror(errno));
		return -1;
	}
	tsc_sample(&hv->proc.cal_tsc, &hv->proc.cal_ns);
	hv->tsc_hz = 1; /* for now: the guest gets the measured rate (hv_proc_tsc_rate) */
	return 0;
}

/* The registers as KVM's vCPU starts (hv/kvm.c), and the guest's view of its memory. */
static int proc_start(struct hv *hv, uint64_t entry, uint64_t root)
{
	hv->proc.regs = (struct hv_regs){ .rip = entry, .rdi = HV_BOOT_INFO, .rflags = 0x2, .cr3 = root,
					  .efer = 0xd00, .cs = HV_SEL_UCODE, .ss = HV_SEL_UDATA };
	hv->proc.cr3 = root;
	hv->proc.vcpl = 3;
	if (syscall(SYS_arch_prctl, ARCH_GET_FS, &hv->proc.monitor_fs) < 0) {
		hv_err("arch_prctl(ARCH_GET_FS): %s", strerror(errno));
		return -1;
	}
	return hv_proc_map_guest(hv);
}

static int proc_get_regs(struct hv *hv, struct hv_regs *r)
{
	*r = hv->proc.regs;
	r->rflags &= ~RFLAGS_TF; /* ours while stepping, not the guest's */
	return 0;
}

static int proc_set_regs(struct hv *hv, const struct hv_regs *r)
{
	struct hv_regs *g = &hv->proc.regs;

	memcpy(g, r, __builtin_offsetof(struct hv_regs, rflags));
	g->rflags = (g->rflags & RFLAGS_TF) | (r->rflags & ~RFLAGS_TF);
	return 0;
}

/* Breakpoints are int3s gdb.c writes into guest memory; a step is the trap flag. */
static int proc_set_debug(struct hv *hv, bool on, bool step)
{
	hv->proc.debug = on;
	hv->proc.step = on && step;
	return 0;
}

const struct hv_backend hv_backend_proc = {
	.name = "process",
	.create = proc_create,
	.start = proc_start,
	.seal = hv_proc_seal,
	.run = hv_proc_run,
	.get_regs = proc_get_regs,
	.set_regs = proc_set_regs,
	.set_debug = proc_set_debug,
	.host_ns = hv_proc_host_ns,
};
