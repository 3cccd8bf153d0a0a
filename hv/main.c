// SPDX-License-Identifier: MIT
/*
 * skiff-hv: runs a Skiff plat/kvm image on /dev/kvm, or without KVM as a sandboxed process. The
 * order is fixed: parse the command line, read and check the image, open every file and device,
 * pick the backend, lay out guest memory, install the seccomp filter, and only then run the guest.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <hv/hv.h>

#define MAX_IMAGE_BYTES (256u << 20)

volatile sig_atomic_t hv_signal;
static struct kvm_run *volatile signal_run;

/* KVM_RUN returns EINTR only if the signal comes while the vCPU runs; immediate_exit covers the
 * window just before it enters. */
void hv_on_signal(int sig)
{
	hv_signal = sig;
	if (signal_run)
		signal_run->immediate_exit = 1;
}

static void install_signals(struct hv *hv)
{
	struct sigaction sa = { .sa_handler = hv_on_signal }; /* no SA_RESTART: interrupt KVM_RUN, ppoll */

	signal_run = hv->be == &hv_backend_kvm ? hv->run : NULL;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	hv_wait_mask(); /* worked out now: the filter allows no sigprocmask later */
}

int hv_backend_select(struct hv *hv)
{
	int err;

	switch (hv->opt.backend) {
	case HV_BACKEND_KVM:
		hv->be = &hv_backend_kvm;
		return 0;
	case HV_BACKEND_PROCESS:
		hv->be = &hv_backend_proc;
		return 0;
	case HV_BACKEND_AUTO:
		break;
	}
	if (hv_kvm_open(hv, true) == 0) {
		hv->be = &hv_backend_kvm;
		return 0;
	}
	err = errno; /* no KVM here, or none we may use: the process backend runs the same image */
	hv->be = &hv_backend_proc;
	if (!hv->opt.quiet)
		hv_err("/dev/kvm: %s: running the guest as a sandboxed process (--backend=process)",
		       strerror(err));
	return 0;
}

/* The image, mapped read-only: the loader copies what it needs, so nothing is read twice. */
static int map_file(const char *path, uint8_t **buf, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	void *p;

	if (fd < 0 || fstat(fd, &st) < 0) {
		hv_err("cannot read image %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > MAX_IMAGE_BYTES) {
		hv_err("%s: not a regular file of at most %u MiB", path, MAX_IMAGE_BYTES >> 20);
		close(fd);
		return -1;
	}
	*len = (size_t)st.st_size;
	p = *len ? mmap(NULL, *len, PROT_READ, MAP_PRIVATE, fd, 0) : NULL;
	close(fd);
	if (p == MAP_FAILED) {
		hv_err("cannot map image %s: %s", path, strerror(errno));
		return -1;
	}
	*buf = p;
	return 0;
}

int hv_image_read(struct hv *hv)
{
	char err[320];

	if (map_file(hv->opt.image, &hv->image_buf, &hv->image_len))
		return -2;
	if (hv_elf_parse(hv->image_buf, hv->image_len, hv->opt.mem, &hv->image, err, sizeof(err)) ||
	    hv_elf_check_manifest(&hv->image, HV_DEVICES, err, sizeof(err))) {
		hv_err("%s: %s", hv->opt.image, err);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct hv hv = { .kvm_fd = -1, .vm_fd = -1, .vcpu_fd = -1, .disk_fd = -1, .gdb_fd = -1,
				.proc.memfd = -1 };
	int r = hv_args_parse(argc, argv, &hv.opt);

	if (r)
		return r > 0 ? 0 : SKIFF_HV_EXIT_USAGE;
	r = hv_image_read(&hv);
	if (r)
		return r == -2 ? SKIFF_HV_EXIT_USAGE : SKIFF_HV_EXIT_BAD_IMAGE;
	if (hv_blk_open(&hv) || hv_net_open(&hv))
		return SKIFF_HV_EXIT_USAGE;
	if (hv_backend_select(&hv) || hv.be->create(&hv))
		return SKIFF_HV_EXIT_INTERNAL;
	if (hv_layout_build(&hv))
		return SKIFF_HV_EXIT_USAGE;
	install_signals(&hv);
	if (hv_gdb_wait(&hv))
		return SKIFF_HV_EXIT_USAGE;
	if (hv.be->seal && hv.be->seal(&hv))
		return SKIFF_HV_EXIT_INTERNAL;
	if (hv_netio_start(&hv))
		return SKIFF_HV_EXIT_INTERNAL;
	if (hv.opt.stats)
		hv_stats_enable(&hv);
	if (hv.image_buf) /* no mapping changes after the filter is in */
		munmap(hv.image_buf, hv.image_len);
	hv.image_buf = NULL;
	if (hv_seccomp_install(&hv))
		return SKIFF_HV_EXIT_INTERNAL;
	if (hv.opt.seccomp_selftest)
		syscall(SYS_getppid); /* forbidden: the kernel kills us here with SIGSYS */
	return hv.be->run(&hv);
}
