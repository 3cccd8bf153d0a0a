// SPDX-License-Identifier: MIT
/*
 * mmap and friends in one address space without demand paging. A mapping is page-aligned memory
 * from the heap, zeroed, or filled from the file for MAP_PRIVATE (later changes to either side
 * are not seen by the other, as POSIX allows for private mappings). MAP_SHARED works for anonymous
 * memory (all threads share it anyway); for a file it fails with ENODEV, because no filesystem
 * here can lend its pages, and a copy would silently go stale. MAP_FIXED fails with EINVAL.
 * Protections are checked but not enforced (one set of page tables for everything), and
 * mprotect says so once in the log.
 *
 * munmap may cut any page range out of a mapping; the memory goes back when every page of the
 * allocation has been unmapped.
 */
#define pr_tag "posix"
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <skiff/compiler.h>
#include <skiff/page.h>
#include <skiff/printk.h>
#include "posix.h"

/* The memory behind one or more mappings (munmap can split one into two). */
struct backing {
	void *mem;
	size_t pieces;
};

struct mapping {
	struct mapping *next;
	uintptr_t start, end;	/* page-aligned, end exclusive */
	struct backing *b;
	bool anon_private;	/* MADV_DONTNEED zeroes it */
};

static struct mapping *maps;

static size_t round_up(size_t len)
{
	return (len + SK_PAGE_SIZE - 1) & ~(SK_PAGE_SIZE - 1);
}

static void warn_once(bool *said, const char *what)
{
	if (!*said)
		pr_warn("%s\n", what);
	*said = true;
}

static int check_args(size_t len, int prot, int flags, off_t off)
{
	static bool said_fixed;
	int type = flags & MAP_TYPE;

	if (!len || len > SIZE_MAX - SK_PAGE_SIZE || off < 0 || off % SK_PAGE_SIZE)
		return -EINVAL;
	if (type != MAP_PRIVATE && type != MAP_SHARED && type != MAP_SHARED_VALIDATE)
		return -EINVAL;
	if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC))
		return -EINVAL;
	if (flags & MAP_FIXED) {
		warn_once(&said_fixed, "mmap(MAP_FIXED) is not supported in one address space (EINVAL)");
		return -EINVAL;
	}
	return 0;
}

/* Fill mem from the file at off; what lies past its end stays zero. */
static int fill_from(int fd, void *mem, size_t len, off_t off)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = pread(fd, (char *)mem + done, len - done, off + (off_t)done);
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		done += (size_t)n;
	}
	return 0;
}

static int file_source(int fd, int flags)
{
	static bool said_shared;
	int acc = fcntl(fd, F_GETFL);
	struct stat st;

	if (acc < 0)
		return -EBADF;
	if ((acc & O_ACCMODE) == O_WRONLY)
		return -EACCES;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode))
		return -ENODEV;
	if ((flags & MAP_TYPE) != MAP_PRIVATE) {
		warn_once(&said_shared, "mmap(MAP_SHARED) of a file is not supported: no filesystem here "
					"can share its pages (ENODEV)");
		return -ENODEV;
	}
	return 0;
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off)
{
	struct mapping *m = NULL;
	struct backing *b = NULL;
	void *mem = NULL;
	int err;

	(void)addr; /* a hint only, as Linux takes it without MAP_FIXED */
	if ((err = check_args(len, prot, flags, off)) ||
	    (!(flags & MAP_ANONYMOUS) && (err = file_source(fd, flags))))
		return posix_ret(err), MAP_FAILED;
	len = round_up(len);
	if (!(m = malloc(sizeof(*m))) || !(b = malloc(sizeof(*b))) || !(mem = aligned_alloc(SK_PAGE_SIZE, len))) {
		free(m), free(b), free(mem);
		return posix_ret(-ENOMEM), MAP_FAILED;
	}
	memset(mem, 0, len);
	if (!(flags & MAP_ANONYMOUS) && (err = fill_from(fd, mem, len, off))) {
		free(m), free(b), free(mem);
		return posix_ret(err), MAP_FAILED;
	}
	*b = (struct backing){ .mem = mem, .pieces = 1 };
	*m = (struct mapping){ .next = maps, .start = (uintptr_t)mem, .end = (uintptr_t)mem + len, .b = b,
			       .anon_private = (flags & MAP_ANONYMOUS) && (flags & MAP_TYPE) == MAP_PRIVATE };
	maps = m;
	return mem;
}

static void drop_piece(struct mapping *m)
{
	if (--m->b->pieces == 0) {
		free(m->b->mem);
		free(m->b);
	}
	free(m);
}

/* Cut [start, end) out of m: shrink it, split it (needs spare), or remove it (true). */
static bool cut(struct mapping *m, uintptr_t start, uintptr_t end, struct mapping **spare)
{
	if (start <= m->start && end >= m->end)
		return true;
	if (start > m->start && end < m->end) {
		struct mapping *tail = *spare;

		*spare = NULL;
		*tail = *m;
		tail->start = end;
		m->end = start;
		m->next = tail;
		m->b->pieces++;
	} else if (start > m->start) {
		m->end = start;
	} else {
		m->start = end;
	}
	return false;
}

static int check_range(const void *addr, size_t len, uintptr_t *start, uintptr_t *end)
{
	*start = (uintptr_t)addr;
	if (*start % SK_PAGE_SIZE || !len || len > UINTPTR_MAX - *start - SK_PAGE_SIZE)
		return -EINVAL;
	*end = *start + round_up(len);
	return 0;
}

int munmap(void *addr, size_t len)
{
	struct mapping *spare = malloc(sizeof(*spare));
	uintptr_t start, end;
	int err = check_range(addr, len, &start, &end);

	if (!err && !spare)
		err = -ENOMEM;
	for (struct mapping **pp = &maps, *m; !err && (m = *pp);) {
		if (m->end <= start || m->start >= end) {
			pp = &m->next;
		} else if (cut(m, start, end, &spare)) {
			*pp = m->next;
			drop_piece(m);
		} else {
			pp = &m->next;
		}
	}
	free(spare);
	return (int)posix_ret(err);
}

/* Whether [start, end) is all mapped, as mprotect, msync and madvise require (else ENOMEM). */
static bool all_mapped(uintptr_t start, uintptr_t end)
{
	bool progress = true;

	while (start < end && progress) {
		progress = false;
		for (const struct mapping *m = maps; m; m = m->next)
			if (m->start <= start && start < m->end) {
				start = m->end;
				progress = true;
			}
	}
	return start >= end;
}

static int mapped_range(const void *addr, size_t len, uintptr_t *start, uintptr_t *end)
{
	int err = check_range(addr, len, start, end);

	return err ? err : all_mapped(*start, *end) ? 0 : -ENOMEM;
}

int mprotect(void *addr, size_t len, int prot)
{
	static bool said;
	uintptr_t start, end;
	int err = mapped_range(addr, len, &start, &end);

	if (!err && (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)))
		err = -EINVAL;
	if (!err)
		warn_once(&said, "mprotect: protections are recorded nowhere and not enforced (one address space)");
	return (int)posix_ret(err);
}

/* Private mappings have nothing to write back; the flags and the range are still checked. */
int msync(void *addr, size_t len, int flags)
{
	uintptr_t start, end;

	if ((flags & ~(MS_ASYNC | MS_SYNC | MS_INVALIDATE)) || ((flags & MS_ASYNC) && (flags & MS_SYNC)))
		return (int)posix_ret(-EINVAL);
	return (int)posix_ret(mapped_range(addr, len, &start, &end));
}

/* MADV_DONTNEED on anonymous private memory reads back as zeros afterwards, as on Linux. */
static void zero_range(uintptr_t start, uintptr_t end)
{
	for (struct mapping *m = maps; m; m = m->next) {
		uintptr_t s = SK_MAX(start, m->start), e = SK_MIN(end, m->end);

		if (m->anon_private && s < e)
			memset((void *)s, 0, e - s);
	}
}

int madvise(void *addr, size_t len, int advice)
{
	uintptr_t start, end;
	int err = mapped_range(addr, len, &start, &end);

	if (!err && advice != MADV_NORMAL && advice != MADV_RANDOM && advice != MADV_SEQUENTIAL &&
	    advice != MADV_WILLNEED && advice != MADV_DONTNEED && advice != MADV_FREE)
		err = -EINVAL;
	if (!err && advice == MADV_DONTNEED)
		zero_range(start, end);
	return (int)posix_ret(err);
}

int posix_madvise(void *addr, size_t len, int advice)
{
	if (advice == MADV_FREE)
		return EINVAL; /* not a POSIX advice */
	return madvise(addr, len, advice) ? errno : 0;
}

/* All memory is resident and never swapped: locking has nothing to do. */
int mlock(const void *addr, size_t len) { (void)addr, (void)len; return 0; }
int munlock(const void *addr, size_t len) { (void)addr, (void)len; return 0; }
int mlockall(int flags) { return flags & ~(MCL_CURRENT | MCL_FUTURE) || !flags ? (int)posix_ret(-EINVAL) : 0; }
int munlockall(void) { return 0; }
