// SPDX-License-Identifier: MIT
/* Messages and small parsers shared by the monitor's files. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <hv/hv.h>

void hv_err(const char *fmt, ...)
{
	va_list ap;

	fputs("skiff-hv: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void hv_stop(struct hv *hv, int status, const char *fmt, ...)
{
	va_list ap;

	if (hv->stop)
		return; /* the first reason is the one that counts */
	if (fmt) {
		fputs("skiff-hv: ", stderr);
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
	hv->status = status;
	hv->stop = true;
}

int hv_parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	unsigned shift = 0;

	if (!s || *s < '0' || *s > '9')
		return -1;
	v = strtoull(s, &end, 10);
	switch (*end) {
	case 'K': case 'k': shift = 10; end++; break;
	case 'M': case 'm': shift = 20; end++; break;
	case 'G': case 'g': shift = 30; end++; break;
	case '\0': break;
	default: return -1;
	}
	if (*end || v > (UINT64_MAX >> shift))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

void hv_dump_regs(struct hv *hv)
{
	struct hv_regs r;

	if (hv->be->get_regs(hv, &r))
		return;
	fprintf(stderr,
		"skiff-hv:   rip %016llx  rsp %016llx  rbp %016llx  rflags %08llx\n"
		"skiff-hv:   rax %016llx  rbx %016llx  rcx %016llx  rdx %016llx\n"
		"skiff-hv:   rsi %016llx  rdi %016llx  cr2 %016llx  cr3 %016llx\n"
		"skiff-hv:   cs %04x (CPL %d)  ss %04x  efer %llx\n",
		(unsigned long long)r.rip, (unsigned long long)r.rsp, (unsigned long long)r.rbp,
		(unsigned long long)r.rflags, (unsigned long long)r.rax, (unsigned long long)r.rbx,
		(unsigned long long)r.rcx, (unsigned long long)r.rdx, (unsigned long long)r.rsi,
		(unsigned long long)r.rdi, (unsigned long long)r.cr2, (unsigned long long)r.cr3,
		r.cs, r.cs & 3, r.ss, (unsigned long long)r.efer);
}

const sigset_t *hv_wait_mask(void)
{
	static sigset_t mask;
	static bool made;

	if (!made) {
		sigprocmask(SIG_BLOCK, NULL, &mask);
		sigdelset(&mask, SIGINT);
		sigdelset(&mask, SIGTERM);
		sigdelset(&mask, SIGIO);
		made = true;
	}
	return &mask;
}
