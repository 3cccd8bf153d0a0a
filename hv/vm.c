// SPDX-License-Identifier: MIT
/* KVM set-up: the VM, guest memory, one vCPU with the host's CPUID, and the guest TSC rate. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <hv/hv.h>

static int open_kvm(struct hv *hv)
{
	int version;

	hv->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (hv->kvm_fd < 0) {
		hv_err("cannot open /dev/kvm: %s%s", strerror(errno),
		       errno == EACCES ? " (add yourself to group kvm, or run as root)" :
		       errno == ENOENT ? " (no KVM on this machine: enable virtualization or load kvm)" : "");
		return -1;
	}
	version = ioctl(hv->kvm_fd, KVM_GET_API_VERSION, 0);
	if (version != KVM_API_VERSION) {
		hv_err("/dev/kvm speaks KVM API %d, skiff-hv needs %d", version, KVM_API_VERSION);
		return -1;
	}
	return 0;
}

static int map_memory(struct hv *hv)
{
	struct kvm_userspace_memory_region region;

	/* MAP_NORESERVE: untouched guest pages cost nothing, so a large --mem is cheap. */
	hv->guest.mem = mmap(NULL, hv->opt.mem, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (hv->guest.mem == MAP_FAILED) {
		hv_err("cannot allocate %llu MiB of guest memory: %s",
		       (unsigned long long)(hv->opt.mem >> 20), strerror(errno));
		return -1;
	}
	hv->guest.size = hv->opt.mem;
	region = (struct kvm_userspace_memory_region){
		.slot = 0,
		.guest_phys_addr = 0,
		.memory_size = hv->opt.mem,
		.userspace_addr = (uintptr_t)hv->guest.mem,
	};
	if (ioctl(hv->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0) {
		hv_err("KVM_SET_USER_MEMORY_REGION: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * The guest's CPUID: only the baseline x86-64 features the image relies on (FPU, TSC, PAE, FXSR,
 * SSE/SSE2 and up to SSE4.2/POPCNT, SYSCALL, NX, long mode), as the host CPU reports them. KVM needs
 * LM and NX there before it accepts long mode and NX pages; the image never asks for more. Asking
 * KVM for its full supported list instead costs about 0.35 ms a start, a fifth of a whole run.
 */
#define L1_EDX (1u << 0 | 1u << 4 | 1u << 5 | 1u << 6 | 1u << 8 | 1u << 13 | 1u << 15 | 1u << 16 | \
		1u << 24 | 1u << 25 | 1u << 26) /* FPU TSC MSR PAE CX8 PGE CMOV PAT FXSR SSE SSE2 */
#define L1_ECX (1u << 0 | 1u << 9 | 1u << 13 | 1u << 19 | 1u << 20 | 1u << 23) /* SSE3 SSSE3 CX16 SSE4.1/2 POPCNT */
#define X1_EDX (1u << 11 | 1u << 20 | 1u << 29) /* SYSCALL NX LM */
#define X1_ECX (1u << 0) /* LAHF/SAHF */

static void host_cpuid(uint32_t leaf, struct kvm_cpuid_entry2 *e)
{
	uint32_t a, b, c, d;

	__asm__ __volatile__("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(leaf), "c"(0));
	*e = (struct kvm_cpuid_entry2){ .function = leaf, .eax = a, .ebx = b, .ecx = c, .edx = d };
}

static int set_cpuid(struct hv *hv)
{
	struct {
		struct kvm_cpuid2 head;
		struct kvm_cpuid_entry2 e[4];
	} c = { .head.nent = 4 };

	host_cpuid(0, &c.e[0]);
	c.e[0].eax = 1;
	host_cpuid(1, &c.e[1]);
	c.e[1].ecx &= L1_ECX;
	c.e[1].edx &= L1_EDX;
	c.e[1].ebx &= 0xffff; /* no APIC id or CPU count: one vCPU */
	host_cpuid(0x80000000, &c.e[2]);
	c.e[2].eax = 0x80000001;
	host_cpuid(0x80000001, &c.e[3]);
	c.e[3].ecx &= X1_ECX;
	c.e[3].edx &= X1_EDX;
	if (ioctl(hv->vcpu_fd, KVM_SET_CPUID2, &c.head) < 0) {
		hv_err("KVM_SET_CPUID2: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int create_vcpu(struct hv *hv)
{
	int size;
	long khz;

	hv->vcpu_fd = ioctl(hv->vm_fd, KVM_CREATE_VCPU, 0);
	if (hv->vcpu_fd < 0) {
		hv_err("KVM_CREATE_VCPU: %s", strerror(errno));
		return -1;
	}
	size = ioctl(hv->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size <= 0) {
		hv_err("KVM_GET_VCPU_MMAP_SIZE: %s", strerror(errno));
		return -1;
	}
	hv->run_size = (size_t)size;
	hv->run = mmap(NULL, hv->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, hv->vcpu_fd, 0);
	if (hv->run == MAP_FAILED) {
		hv_err("cannot map the vCPU's run area: %s", strerror(errno));
		return -1;
	}
	khz = ioctl(hv->vcpu_fd, KVM_GET_TSC_KHZ, 0);
	if (khz <= 0) {
		hv_err("KVM_GET_TSC_KHZ: %s (the guest needs its TSC rate)", strerror(errno));
		return -1;
	}
	hv->tsc_hz = (uint64_t)khz * 1000;
	return set_cpuid(hv);
}

int hv_vm_create(struct hv *hv)
{
	if (open_kvm(hv))
		return -1;
	hv->vm_fd = ioctl(hv->kvm_fd, KVM_CREATE_VM, 0);
	if (hv->vm_fd < 0) {
		hv_err("KVM_CREATE_VM: %s", strerror(errno));
		return -1;
	}
	/* Intel VMX wants a TSS area for real mode emulation; harmless elsewhere, so not fatal. */
	ioctl(hv->vm_fd, KVM_SET_TSS_ADDR, 0xfffbd000UL);
	if (map_memory(hv))
		return -1;
	return create_vcpu(hv);
}
