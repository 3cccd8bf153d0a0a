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

/* The guest sees what KVM supports; without a CPUID KVM may refuse long mode (EFER.LME). */
static int set_cpuid(struct hv *hv)
{
	enum { MAX_ENTRIES = 100 };
	struct kvm_cpuid2 *cpuid = calloc(1, sizeof(*cpuid) + MAX_ENTRIES * sizeof(cpuid->entries[0]));
	int r = -1;

	if (!cpuid) {
		hv_err("out of memory");
		return -1;
	}
	cpuid->nent = MAX_ENTRIES;
	if (ioctl(hv->kvm_fd, KVM_GET_SUPPORTED_CPUID, cpuid) < 0)
		hv_err("KVM_GET_SUPPORTED_CPUID: %s", strerror(errno));
	else if (ioctl(hv->vcpu_fd, KVM_SET_CPUID2, cpuid) < 0)
		hv_err("KVM_SET_CPUID2: %s", strerror(errno));
	else
		r = 0;
	free(cpuid);
	return r;
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
