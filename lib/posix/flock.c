// SPDX-License-Identifier: MIT
/*
 * fcntl's record locks, from struct flock to the kernel's (kernel/vfs/lock.c has the rules):
 * F_GETLK, F_SETLK and F_SETLKW for the process's locks, and the F_OFD_* forms for locks of one
 * open file description, which must say l_pid 0 as on Linux. A conflicting lock is reported with
 * l_pid of this process for a POSIX lock and -1 for an OFD lock.
 */
#include <fcntl.h>
#include <unistd.h>
#include "posix.h"

static int to_kernel_type(short type)
{
	switch (type) {
	case F_RDLCK: return SK_LOCK_RD;
	case F_WRLCK: return SK_LOCK_WR;
	case F_UNLCK: return SK_LOCK_UN;
	default: return -1;
	}
}

/* [start, end] from l_whence, l_start and l_len (negative: the bytes before l_start). */
static int to_range(struct sk_file *f, const struct flock *fl, struct sk_lock *l)
{
	struct sk_stat st;
	int64_t base, start, len = fl->l_len;

	switch (fl->l_whence) {
	case SEEK_SET: base = 0; break;
	case SEEK_CUR: base = (int64_t)f->pos; break;
	case SEEK_END:
		if (sk_file_stat(f, &st) < 0)
			return -EBADF;
		base = (int64_t)st.size;
		break;
	default: return -EINVAL;
	}
	if (__builtin_add_overflow(base, (int64_t)fl->l_start, &start))
		return -EOVERFLOW;
	if (len < 0) {
		if (start + len < 0)
			return -EINVAL;
		start += len;
		len = -len;
	}
	if (start < 0)
		return -EINVAL;
	l->start = (uint64_t)start;
	if (len == 0)
		l->end = SK_LOCK_EOF;
	else if ((uint64_t)len - 1 > SK_LOCK_EOF - 1 - l->start)
		return -EOVERFLOW;
	else
		l->end = l->start + (uint64_t)len - 1;
	return 0;
}

static void to_flock(const struct sk_lock *l, struct flock *fl)
{
	static const short types[] = { [SK_LOCK_UN] = F_UNLCK, [SK_LOCK_RD] = F_RDLCK, [SK_LOCK_WR] = F_WRLCK };

	fl->l_type = types[l->type];
	if (l->type == SK_LOCK_UN)
		return;
	fl->l_whence = SEEK_SET;
	fl->l_start = (off_t)l->start;
	fl->l_len = l->end == SK_LOCK_EOF ? 0 : (off_t)(l->end - l->start + 1);
	fl->l_pid = l->ofd ? -1 : (short)getpid();
}

int posix_fcntl_lock(struct sk_file *f, int cmd, struct flock *fl)
{
	bool ofd = cmd == F_OFD_GETLK || cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW;
	struct sk_lock l = { .ofd = ofd };
	int err;

	if (!fl)
		return -EFAULT;
	if ((l.type = to_kernel_type(fl->l_type)) < 0 || (ofd && fl->l_pid != 0))
		return -EINVAL;
	if (!f->node)
		return -EINVAL; /* sockets, pipes and the console have no record locks */
	if ((err = to_range(f, fl, &l)))
		return err;
	if (cmd == F_GETLK || cmd == F_OFD_GETLK) {
		if ((err = sk_file_getlk(f, &l)))
			return err;
		to_flock(&l, fl);
		return 0;
	}
	return sk_file_lock(f, &l, cmd == F_SETLKW || cmd == F_OFD_SETLKW);
}
