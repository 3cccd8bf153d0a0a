// SPDX-License-Identifier: MIT
/* The block API over plat_blk_*: argument checks and platform results as errno values. */
#include <errno.h>
#include <skiff/blk.h>
#include <skiff/compiler.h>

static int to_errno(int r)
{
	switch (r) {
	case PLAT_OK: return 0;
	case PLAT_EINVAL: return -EINVAL;
	case PLAT_ENODEV: return -ENODEV;
	case PLAT_EROFS: return -EROFS;
	default: return -EIO;
	}
}

int sk_blk_info(uint64_t *sectors, bool *read_only)
{
	struct plat_blk_info info;
	int r = plat_blk_info(&info);

	if (r != PLAT_OK)
		return to_errno(r);
	*sectors = info.sectors;
	*read_only = info.read_only;
	return 0;
}

static bool req_ok(const struct sk_blk_req *q, uint64_t sectors)
{
	if (q->op == PLAT_BLK_FLUSH)
		return q->len == 0;
	if (q->op != PLAT_BLK_READ && q->op != PLAT_BLK_WRITE)
		return false;
	return q->len && q->len <= SK_BLK_MAX_BYTES && SK_IS_ALIGNED(q->len, SK_BLK_SECTOR) && q->buf &&
	       q->sector <= sectors && q->len / SK_BLK_SECTOR <= sectors - q->sector;
}

int sk_blk_io(struct sk_blk_req *reqs, unsigned n)
{
	struct plat_blk_req p[SK_BLK_MAX_REQS];
	uint64_t sectors = 0;
	bool ro = false;
	int r = sk_blk_info(&sectors, &ro);

	if (r)
		return r;
	if (n == 0 || n > SK_BLK_MAX_REQS)
		return -EINVAL;
	for (unsigned i = 0; i < n; i++) {
		if (!req_ok(&reqs[i], sectors))
			return -EINVAL;
		p[i] = (struct plat_blk_req){ .op = reqs[i].op, .sector = reqs[i].sector,
					      .buf = reqs[i].buf, .len = reqs[i].len };
	}
	r = plat_blk_submit(p, n);
	if (r != PLAT_OK)
		return to_errno(r);
	for (unsigned i = 0; i < n; i++)
		reqs[i].status = to_errno(p[i].status);
	return 0;
}
