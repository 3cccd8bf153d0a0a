// SPDX-License-Identifier: MIT
/*
 * hvhostile: a guest that breaks the skiff-hv ABI on purpose, one way per run (first argument),
 * so the tests can check that the monitor ends it with a clear message and never crashes or
 * hangs. It talks to the monitor with raw port I/O, as a hostile image would. Runs only under
 * skiff-hv. Addresses "far" are beyond any guest memory the tests give (they use 64 MiB).
 *
 * The net-* cases need skiff-hv --net (the image asks for networking, so the kernel's driver
 * sets up NIC 0's rings at boot); they break the setup call or the rings the driver made.
 */
#include <string.h>
#include <skiff/hv_abi.h>
#include <skiff/skiff.h>

#define FAR 0xf0000000ULL
#define BOOT_INFO ((const struct hv_boot_info *)(uintptr_t)0x10000)

static void out32(uint16_t port, uint32_t v)
{
	__asm__ __volatile__("outl %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static void call(enum hv_call nr, const void *arg)
{
	out32((uint16_t)(SKIFF_HV_PORT_BASE + nr), (uint32_t)(uintptr_t)arg);
}

/* Static, not on the stack: hypercalls take guest-physical addresses, stacks run in an alias. */
static struct hv_console con;
static struct hv_blk_req req[2];
static struct hv_blk_batch batch;
static struct hv_exit ex = { .status = 300 };
static struct hv_abort ab = { 0, 15, 42, 0 };
static uint8_t raw[64] __sk_aligned(16);

/*
 * Unmap the monitor's trap stack (its 32 KiB below the image, up to the boot info's trap_stack;
 * the boot info at 0x10000 also names the page tables) and fault: the CPU cannot push the
 * exception frame, the double fault cannot either, and the vCPU triple-faults.
 */
static void triple_fault(void)
{
	const struct hv_boot_info *bi = BOOT_INFO;
	uint64_t *t = (uint64_t *)(uintptr_t)bi->page_table;

	for (int level = 0; level < 3; level++) /* PML4, PDPT, PD entries for the first 2 MiB */
		t = (uint64_t *)(uintptr_t)(t[0] & 0x000ffffffffff000ULL);
	for (uint64_t page = (bi->trap_stack - 0x8000) >> 12; page < bi->trap_stack >> 12; page++)
		t[page] &= ~1ULL;
	__asm__ __volatile__("ud2");
}

/*
 * plat/kvm's way to flush a page from CPL 3: its #UD stub runs invlpg (plat/kvm/traps.S). Weak:
 * the Xen image of this app (which never runs) has no such function.
 */
void hv_invlpg_request(uintptr_t va) __attribute__((weak));

/*
 * Take a page of our own bss out of the page tables, flush it, and write to it: the write must
 * fault. The bss lies in the first 2 MiB, which the monitor maps with 4 KiB pages.
 */
static void unmap_page(void)
{
	static volatile uint8_t victim[2 * 4096] __sk_aligned(4096);
	uint64_t *t = (uint64_t *)(uintptr_t)BOOT_INFO->page_table;
	uintptr_t va = (uintptr_t)victim;

	victim[0] = 1; /* in the TLB now */
	for (int level = 0; level < 3; level++)
		t = (uint64_t *)(uintptr_t)(t[0] & 0x000ffffffffff000ULL);
	t[(va >> 12) & 511] &= ~1ULL;
	if (hv_invlpg_request)
		hv_invlpg_request(va);
	sk_printf("hvhostile: unmapped %p\n", (void *)va);
	victim[1] = 2;
}

static void blk_case(const char *how)
{
	batch = (struct hv_blk_batch){ (uintptr_t)req, 1, 0 };
	req[0] = (struct hv_blk_req){ .op = HV_BLK_READ, .sector = 0, .buf = FAR, .len = 512 };
	if (!strcmp(how, "blk-many"))
		batch.nreqs = 1000;
	else if (!strcmp(how, "blk-reqs"))
		batch.reqs = 0xfffffffffffffff0ULL;
	call(HV_CALL_BLK, &batch);
}

/*
 * Cases aimed at the process backend, where the guest shares skiff-hv's address space; under
 * KVM each ends the same way (a fault the guest reports), and so must it there.
 */
static void run_more(const char *how)
{
	static const char msg[] = "hvhostile: %fs changed and the monitor still serves\n";

	if (!strcmp(how, "syscall")) /* KVM: EFER.SCE is off (#UD); process: seccomp traps it */
		__asm__ __volatile__("movl $39, %%eax\n\tsyscall" : : : "rax", "rcx", "r11", "memory");
	else if (!strcmp(how, "int80"))
		__asm__ __volatile__("movl $20, %%eax\n\tint $0x80" : : : "rax", "memory");
	else if (!strcmp(how, "jump-far")) /* where a process's libraries would be */
		((void (*)(void))0x7f0000001000ULL)();
	else if (!strcmp(how, "jump-monitor")) /* %fs:0: skiff-hv's own TLS in the process backend */
		__asm__ __volatile__("movq %%fs:0, %%rax\n\tjmp *%%rax" : : : "rax", "memory");
	else if (!strcmp(how, "write-text"))
		*(volatile uint8_t *)(uintptr_t)&sk_printf = 0xcc;
	else if (!strcmp(how, "unmap-page"))
		unmap_page();
	else if (!strcmp(how, "spin")) /* only a signal ends it */
		for (;;)
			__asm__ __volatile__("" : : : "memory");
	else if (!strcmp(how, "fs")) { /* a data selector with base 0 into %fs, then a hypercall */
		__asm__ __volatile__("movw $0x2b, %%ax\n\tmovw %%ax, %%fs" : : : "rax", "memory");
		con = (struct hv_console){ (uintptr_t)msg, sizeof(msg) - 1 };
		call(HV_CALL_CONSOLE, &con);
		ex.status = 0;
		call(HV_CALL_EXIT, &ex);
	}
}

static void run(const char *how)
{
	static const char text[] = "text";

	con = (struct hv_console){ (uintptr_t)text, 4 };
	if (!strcmp(how, "console-ptr"))
		con.data = FAR;
	else if (!strcmp(how, "console-wrap"))
		con = (struct hv_console){ 0xfffffffffffff000ULL, 0x2000 };
	else if (!strcmp(how, "console-huge"))
		con.len = 1ULL << 40;
	if (!strncmp(how, "console-", 8))
		call(HV_CALL_CONSOLE, &con);
	else if (!strcmp(how, "call-ptr"))
		out32(SKIFF_HV_PORT_BASE + HV_CALL_CONSOLE, 0xfffffff0u);
	else if (!strcmp(how, "misaligned"))
		call(HV_CALL_CONSOLE, raw + 1);
	else if (!strcmp(how, "not-call-port")) /* a 16-bit OUT the I/O bitmap lets through */
		__asm__ __volatile__("outw %0, %1" : : "a"((uint16_t)0),
				     "Nd"((uint16_t)(SKIFF_HV_PORT_BASE + HV_CALL_MAX)));
	else if (!strcmp(how, "in-port")) {
		uint32_t v;

		__asm__ __volatile__("inl %1, %0" : "=a"(v) : "Nd"((uint16_t)SKIFF_HV_PORT_BASE));
		sk_printf("read %u\n", v);
	} else if (!strcmp(how, "byte-out"))
		__asm__ __volatile__("outb %0, %1" : : "a"((uint8_t)0), "Nd"((uint16_t)SKIFF_HV_PORT_BASE));
	else if (!strcmp(how, "other-port"))
		__asm__ __volatile__("outb %0, $0x80" : : "a"((uint8_t)0));
	else if (!strcmp(how, "exit-range"))
		call(HV_CALL_EXIT, &ex);
	else if (!strcmp(how, "abort")) {
		ab.message = (uintptr_t)"bad\x1b[2Jmessage";
		call(HV_CALL_ABORT, &ab);
	} else if (!strncmp(how, "blk-", 4))
		blk_case(how);
	else if (!strcmp(how, "poll-ptr"))
		out32(SKIFF_HV_PORT_BASE + HV_CALL_POLL, (uint32_t)FAR);
	else if (!strcmp(how, "mem-beyond"))
		sk_printf("%d\n", *(volatile int *)(uintptr_t)FAR);
	else if (!strcmp(how, "hlt"))
		__asm__ __volatile__("hlt");
	else if (!strcmp(how, "triple-fault"))
		triple_fault();
	else
		run_more(how);
}

/*
 * The kernel driver's rings of a NIC (plat/kvm/hv_net.c exports this for this app only). Weak:
 * the Xen image has no such function.
 */
bool hv_net_rings(unsigned nic, struct hv_net_shared **shared, struct hv_net_slot **tx,
		  struct hv_net_slot **rx, uint32_t *slots) __attribute__((weak));

/* Rings of our own for the setup cases: one slot each, 64-byte aligned as the ABI asks. */
static struct {
	struct hv_net_shared shared;
	struct hv_net_slot tx[1], rx[1];
} own __sk_aligned(64);
static struct hv_net_setup setup;
static struct hv_poll poll_req;

/* NIC 0's rings as the driver set them up: the ring cases break these. */
static struct hv_net_shared *sh;
static struct hv_net_slot *tx_ring;
static uint32_t nslots;

/* One poll call: the monitor sends what the TX ring holds (it kicks its I/O thread) and waits. */
static void poll_once(void)
{
	poll_req = (struct hv_poll){ .timeout_ns = 10 * 1000 * 1000 };
	call(HV_CALL_POLL, &poll_req);
}

/* Poll for two seconds: the I/O thread finds a bad index on its own, so the end comes later. */
static void poll_for_a_while(void)
{
	uint64_t until = sk_now_ns() + 2000000000ULL;

	while (sk_now_ns() < until)
		poll_once();
}

/*
 * Poll until the I/O thread has consumed the TX ring up to prod (it counts a dropped frame
 * before it moves tx.cons past it), at most two seconds.
 */
static bool tx_consumed(uint32_t prod)
{
	uint64_t until = sk_now_ns() + 2000000000ULL;

	do {
		poll_once();
		if (__atomic_load_n(&sh->tx.cons, __ATOMIC_ACQUIRE) == prod)
			return true;
	} while (sk_now_ns() < until);
	return false;
}

/* A broadcast frame from src in TX slot index, its length field set to len (what is checked). */
static void tx_put(uint32_t index, uint32_t len, const uint8_t *src)
{
	struct hv_net_slot *s = &tx_ring[index & (nslots - 1)];

	memset(s->data, 0, 60);
	memset(s->data, 0xff, 6);
	memcpy(s->data + 6, src, 6);
	s->data[12] = 0x88, s->data[13] = 0xb5; /* the IEEE's EtherType for local experiments */
	s->len = len;
}

/* The next TX slot to fill: the driver's producer index, as nothing in this app sends frames. */
static uint32_t tx_prod(void)
{
	return __atomic_load_n(&sh->tx.prod, __ATOMIC_RELAXED);
}

/*
 * Frames the monitor drops and counts (--stats), the guest going on: two slots whose lengths no
 * frame has, or one frame from a MAC that is not the NIC's. True once the I/O thread took them.
 */
static bool net_drop_case(const char *how)
{
	uint8_t mac[6];
	uint32_t prod = tx_prod();

	memcpy(mac, BOOT_INFO->net_mac[0], 6);
	if (!strcmp(how, "net-tx-len")) {
		tx_put(prod++, 5000, mac);
		tx_put(prod++, 3, mac);
	} else {
		mac[5] ^= 1; /* a neighbour's address */
		tx_put(prod++, 60, mac);
	}
	__atomic_store_n(&sh->tx.prod, prod, __ATOMIC_RELEASE);
	if (!tx_consumed(prod)) {
		sk_printf("hvhostile: the monitor did not consume the TX ring\n");
		return false;
	}
	sk_printf("hvhostile: %s: the monitor took the frames and goes on\n", how);
	return true;
}

/* Setup calls for NIC 0 (or none) that break one rule each: each ends the guest at the call. */
static void net_setup_case(const char *how)
{
	setup = (struct hv_net_setup){ .nic = 0, .slots = 1, .shared = (uintptr_t)&own.shared,
				       .tx_slots = (uintptr_t)own.tx, .rx_slots = (uintptr_t)own.rx };
	if (!strcmp(how, "net-no-nic"))
		setup.nic = BOOT_INFO->net_count; /* one past the last NIC attached */
	else if (!strcmp(how, "net-slots"))
		setup.slots = 3;
	else if (!strcmp(how, "net-ring-outside"))
		setup.tx_slots = FAR;
	else if (!strcmp(how, "net-ring-monitor")) /* the boot info's page, below the image */
		setup.shared = 0x10000;
	else if (!strcmp(how, "net-ring-overlap"))
		setup.rx_slots = setup.tx_slots;
	else if (strcmp(how, "net-ring-moved")) /* valid rings, but NIC 0 runs on the driver's */
		return;
	call(HV_CALL_NET_SETUP, &setup);
}

/*
 * The net-* cases. True when the monitor went on as it should (a dropped frame); a violation
 * never comes back here.
 */
static bool net_run(const char *how)
{
	struct hv_net_slot *rx;

	if (strcmp(how, "net-no-nic") && !(hv_net_rings && hv_net_rings(0, &sh, &tx_ring, &rx, &nslots))) {
		sk_printf("hvhostile: %s needs NIC 0's rings: run it with skiff-hv --net=TAP\n", how);
		return false;
	}
	if (!strcmp(how, "net-tx-len") || !strcmp(how, "net-spoof"))
		return net_drop_case(how);
	if (!strcmp(how, "net-tx-index")) {
		__atomic_store_n(&sh->tx.prod, __atomic_load_n(&sh->tx.cons, __ATOMIC_ACQUIRE) + 1000,
				 __ATOMIC_RELEASE);
	} else if (!strcmp(how, "net-rx-index")) {
		uint32_t prod = tx_prod();

		/* The I/O thread reads rx.cons when it runs: a good TX frame wakes it. */
		__atomic_store_n(&sh->rx.cons, __atomic_load_n(&sh->rx.prod, __ATOMIC_ACQUIRE) + 1000,
				 __ATOMIC_RELEASE);
		tx_put(prod, 60, BOOT_INFO->net_mac[0]);
		__atomic_store_n(&sh->tx.prod, prod + 1, __ATOMIC_RELEASE);
	} else {
		net_setup_case(how);
	}
	poll_for_a_while();
	return false;
}

int main(int argc, char **argv)
{
	const char *how = argc > 1 ? argv[1] : "";

	sk_printf("hvhostile: %s\n", how);
	if (!strncmp(how, "net-", 4)) {
		if (net_run(how))
			return 0;
	} else {
		run(how);
	}
	sk_printf("hvhostile: '%s' was not stopped\n", how);
	return 1;
}
