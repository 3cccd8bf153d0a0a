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
