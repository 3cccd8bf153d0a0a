// SPDX-License-Identifier: MIT
/*
 * The block device: a host file, read and written with pread/pwrite. The guest sends up to
 * HV_BLK_MAX_REQS requests per exit (one HV_CALL_BLK), so a burst of I/O costs one exit, not one
 * per sector. A request that is merely wrong (outside the disk, write to a read-only disk) gets an
 * error status; a request the guest could not have meant (bad addresses, too many) is a violation.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <hv/hv.h>

#define VIOLATION(hv, ...) hv_stop((hv), SKIFF_HV_EXIT_VIOLATION, "guest violation: " __VA_ARGS__)

int hv_blk_open(struct hv *hv)
{
	struct stat st;

	hv->disk_fd = -1;
	if (!hv->opt.disk)
		return 0;
	if (!(hv->image.manifest.devices & HV_DEV_BLK)) {
		hv_err("%s does not use a block device; rebuild it with CONFIG_SK_BLK=y or drop --disk",
		       hv->opt.image);
		return -1;
	}
	hv->disk_fd = open(hv->opt.disk, (hv->opt.disk_ro ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (hv->disk_fd < 0 || fstat(hv->disk_fd, &st) < 0) {
		hv_err("--disk %s: %s", hv->opt.disk, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode) || st.st_size < HV_BLK_SECTOR) {
		hv_err("--disk %s: needs a regular file of at least %d bytes", hv->opt.disk, HV_BLK_SECTOR);
		return -1;
	}
	/* A partial last sector is not part of the disk. */
	hv->disk_sectors = (uint64_t)st.st_size / HV_BLK_SECTOR;
	return 0;
}

static ssize_t full_io(int fd, uint8_t *buf, size_t len, off_t off, bool write)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = write ? pwrite(fd, buf + done, len - done, off + (off_t)done)
				  : pread(fd, buf + done, len - done, off + (off_t)done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		done += (size_t)n;
	}
	return (ssize_t)done;
}

/* One request: its status, or -1 for a violation (already reported). */
static int do_req(struct hv *hv, struct hv_blk_req *q)
{
	uint8_t *buf;

	if (hv->disk_fd < 0)
		return HV_BLK_ENODEV;
	if (q->op == HV_BLK_FLUSH)
		return q->len ? HV_BLK_EINVAL : (fdatasync(hv->disk_fd) ? HV_BLK_EIO : HV_BLK_OK);
	if (q->op != HV_BLK_READ && q->op != HV_BLK_WRITE)
		return HV_BLK_EINVAL;
	if (q->len == 0 || q->len > HV_BLK_MAX_BYTES || q->len % HV_BLK_SECTOR ||
	    q->sector > hv->disk_sectors || q->len / HV_BLK_SECTOR > hv->disk_sectors - q->sector)
		return HV_BLK_EINVAL;
	buf = guest_ptr(&hv->guest, q->buf, q->len, 1);
	if (!buf) {
		VIOLATION(hv, "block buffer [0x%llx, +%u) is outside guest memory",
			  (unsigned long long)q->buf, q->len);
		return -1;
	}
	if (q->op == HV_BLK_WRITE && hv->opt.disk_ro)
		return HV_BLK_EROFS;
	if (full_io(hv->disk_fd, buf, q->len, (off_t)(q->sector * HV_BLK_SECTOR), q->op == HV_BLK_WRITE) < 0)
		return HV_BLK_EIO;
	return HV_BLK_OK;
}

void hv_blk_call(struct hv *hv, uint64_t gpa)
{
	struct hv_blk_batch *b = GUEST_STRUCT(&hv->guest, gpa, struct hv_blk_batch);
	struct hv_blk_req *reqs;
	uint32_t n;

	if (!b) {
		VIOLATION(hv, "block call at bad address 0x%llx", (unsigned long long)gpa);
		return;
	}
	n = b->nreqs;
	if (n > HV_BLK_MAX_REQS) {
		VIOLATION(hv, "block batch of %u requests (at most %d)", n, HV_BLK_MAX_REQS);
		return;
	}
	reqs = guest_ptr(&hv->guest, b->reqs, (uint64_t)n * sizeof(*reqs), 8);
	if (!reqs) {
		VIOLATION(hv, "block requests at bad address 0x%llx", (unsigned long long)b->reqs);
		return;
	}
	b->done = 0;
	for (uint32_t i = 0; i < n; i++) {
		int st = do_req(hv, &reqs[i]);

		if (st < 0)
			return;
		reqs[i].status = (uint32_t)st;
		b->done = i + 1;
	}
}
