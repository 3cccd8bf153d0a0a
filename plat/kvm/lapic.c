// SPDX-License-Identifier: MIT
/*
 * The local APIC timer: the only interrupt a plat/kvm image takes, and only to end plat_idle's
 * HLT. TSC-deadline mode where the CPU has it, otherwise one-shot mode calibrated against the TSC.
 * The legacy PIC is remapped away from the exception vectors and masked.
 */
#define pr_tag "kvm"
#include <skiff/config.h>
#include <skiff/printk.h>
#include <kvm/setup.h>
#include <kvm/x86.h>

#define APIC_TPR 0x080
#define APIC_EOI 0x0b0
#define APIC_SVR 0x0f0
#define APIC_LVT_TIMER 0x320
#define APIC_TIMER_INIT 0x380
#define APIC_TIMER_CUR 0x390
#define APIC_TIMER_DIV 0x3e0
#define LVT_MASKED (1u << 16)
#define LVT_TSC_DEADLINE (2u << 17)
#define APIC_BASE_ENABLE (1ULL << 11)
#define CPUID1_ECX_TSC_DEADLINE (1u << 24)

static uintptr_t apic;
static bool use_deadline;
static uint64_t count_mult; /* APIC ticks per ns, << 32 (one-shot mode) */

static void apic_write(unsigned reg, uint32_t v)
{
	mmio_write32(apic + reg, v);
}

static uint32_t apic_read(unsigned reg)
{
	return mmio_read32(apic + reg);
}

/* ICW1-4: vectors 0x20-0x2f instead of 0x08-0x0f (exceptions), then mask every line. */
static void pic_disable(void)
{
	outb(0x20, 0x11);
	outb(0xa0, 0x11);
	outb(0x21, 0x20);
	outb(0xa1, 0x28);
	outb(0x21, 0x04);
	outb(0xa1, 0x02);
	outb(0x21, 0x01);
	outb(0xa1, 0x01);
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
}

/* Ticks of the one-shot counter (divide by 16) in about 1 ms of TSC. */
static void calibrate_oneshot(void)
{
	uint64_t t0, wait = tsc_hz() / 1000;
	uint32_t ticks;

	apic_write(APIC_TIMER_DIV, 0x3);
	apic_write(APIC_LVT_TIMER, LVT_MASKED | KVM_VEC_TIMER);
	apic_write(APIC_TIMER_INIT, 0xffffffffu);
	t0 = rdtsc();
	while (rdtsc() - t0 < wait)
		cpu_relax();
	ticks = 0xffffffffu - apic_read(APIC_TIMER_CUR);
	apic_write(APIC_TIMER_INIT, 0);
	/* ticks per ns << 32 = ticks * 2^32 / 1e6 ns */
	count_mult = ((uint64_t)ticks << 32) / 1000000ULL;
	if (!count_mult)
		count_mult = 1;
}

void lapic_init(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);

	pic_disable();
	wrmsr(MSR_APIC_BASE, base | APIC_BASE_ENABLE);
	apic = (uintptr_t)(base & ~0xfffULL);
	if (apic != 0xfee00000)
		pr_warn("LAPIC at 0x%lx, not at its default address: timer may not work\n",
			(unsigned long)apic);
	apic_write(APIC_TPR, 0);
	apic_write(APIC_SVR, 0x100 | KVM_VEC_SPURIOUS);
	use_deadline = SK_ENABLED(CONFIG_KVM_TSC_DEADLINE) &&
		       (cpuid(1, 0).ecx & CPUID1_ECX_TSC_DEADLINE);
	if (use_deadline)
		apic_write(APIC_LVT_TIMER, LVT_TSC_DEADLINE | KVM_VEC_TIMER);
	else
		calibrate_oneshot();
}

const char *lapic_timer_mode(void)
{
	return use_deadline ? "LAPIC TSC-deadline" : "LAPIC one-shot";
}

void lapic_arm(uint64_t deadline_ns)
{
	uint64_t now, ticks;

	if (use_deadline) {
		wrmsr(MSR_TSC_DEADLINE, tsc_from_ns(deadline_ns));
		return;
	}
	now = plat_time_monotonic_ns();
	ticks = deadline_ns > now ? (uint64_t)(((unsigned __int128)(deadline_ns - now) * count_mult) >> 32) : 1;
	/* A far deadline wakes early at the counter's limit; the caller just idles again. */
	if (ticks > 0xffffffffu)
		ticks = 0xffffffffu;
	apic_write(APIC_LVT_TIMER, KVM_VEC_TIMER);
	apic_write(APIC_TIMER_INIT, ticks ? (uint32_t)ticks : 1);
}

void lapic_eoi(void)
{
	apic_write(APIC_EOI, 0);
}

/* Interrupts stay off everywhere but inside this HLT, so no kernel code is ever interrupted. */
void lapic_idle(uint64_t deadline_ns)
{
	if (deadline_ns <= plat_time_monotonic_ns())
		return;
	if (deadline_ns != PLAT_DEADLINE_NONE)
		lapic_arm(deadline_ns);
	__asm__ __volatile__("sti; hlt; cli" ::: "memory");
}
