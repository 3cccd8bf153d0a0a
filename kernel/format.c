// SPDX-License-Identifier: MIT
/* The kernel's printf-style formatter: no allocation, no recursion, a few dozen bytes of stack. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <skiff/printk.h>

/* <limits.h> is not part of the freestanding set the kernel may include. */
#define FMT_INT_MAX ((int)(~0u >> 1))

/* Where output goes: bytes past size-1 are counted for the return value but never stored. */
struct out {
	char *buf;
	size_t size;
	size_t len;
};

/* One parsed conversion specification. */
struct spec {
	unsigned flags;
	int width;
	int prec;   /* -1 when none was given */
	char lmod;  /* 'H' for hh, 'L' for ll, else the modifier letter, 0 for none */
	char conv;
};

enum {
	F_LEFT = 1,
	F_ZERO = 2,
	F_PLUS = 4,
	F_SPACE = 8,
	F_ALT = 16,
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->len < o->size) {
		size_t room = o->size - 1 - o->len;

		memcpy(o->buf + o->len, s, n < room ? n : room);
	}
	o->len += n;
}

/* Padding is written in one go so that a huge width costs no more than the bytes it stores. */
static void fill(struct out *o, char c, long long n)
{
	if (n <= 0)
		return;
	if (o->len < o->size) {
		size_t room = o->size - 1 - o->len;

		memset(o->buf + o->len, c, (unsigned long long)n < room ? (size_t)n : room);
	}
	o->len += (size_t)n;
}

/* Saturates rather than overflows, so a silly width in a format string stays defined. */
static int num(const char **f)
{
	int n = 0;

	while (**f >= '0' && **f <= '9') {
		int d = *(*f)++ - '0';

		n = n > (FMT_INT_MAX - d) / 10 ? FMT_INT_MAX : n * 10 + d;
	}
	return n;
}

/* Parse flags, width, precision and length modifier; returns a pointer to the conversion char. */
static const char *parse(const char *f, struct spec *sp, va_list *ap)
{
	static const char flag_chars[] = "-0+ #";
	const char *p;

	sp->flags = 0;
	while (*f && (p = strchr(flag_chars, *f)) != NULL) {
		sp->flags |= 1u << (p - flag_chars);
		f++;
	}

	if (*f == '*') {
		int w = va_arg(*ap, int);

		f++;
		/* C says a negative '*' width is the '-' flag plus a positive width. */
		if (w < 0) {
			sp->flags |= F_LEFT;
			w = w < -FMT_INT_MAX ? FMT_INT_MAX : -w;
		}
		sp->width = w;
	} else {
		sp->width = num(&f);
	}

	sp->prec = -1;
	if (*f == '.') {
		f++;
		if (*f == '*') {
			int pr = va_arg(*ap, int);

			f++;
			/* A negative '*' precision counts as "no precision". */
			sp->prec = pr < 0 ? -1 : pr;
		} else {
			sp->prec = num(&f);
		}
	}

	sp->lmod = 0;
	if (*f == 'h' || *f == 'l') {
		sp->lmod = *f++;
		if (*f == sp->lmod) {
			sp->lmod = sp->lmod == 'h' ? 'H' : 'L';
			f++;
		}
	} else if (*f == 'z' || *f == 't' || *f == 'j') {
		sp->lmod = *f++;
	}
	sp->conv = *f;
	return f;
}

static intmax_t get_signed(va_list *ap, char lmod)
{
	switch (lmod) {
	case 'H': return (signed char)va_arg(*ap, int);
	case 'h': return (short)va_arg(*ap, int);
	case 'l': return va_arg(*ap, long);
	case 'L': return va_arg(*ap, long long);
	case 'z': return (ptrdiff_t)va_arg(*ap, size_t); /* the signed type of size_t's width */
	case 't': return va_arg(*ap, ptrdiff_t);
	case 'j': return va_arg(*ap, intmax_t);
	default: return va_arg(*ap, int);
	}
}

static uintmax_t get_unsigned(va_list *ap, char lmod)
{
	switch (lmod) {
	case 'H': return (unsigned char)va_arg(*ap, unsigned);
	case 'h': return (unsigned short)va_arg(*ap, unsigned);
	case 'l': return va_arg(*ap, unsigned long);
	case 'L': return va_arg(*ap, unsigned long long);
	case 'z': return va_arg(*ap, size_t);
	case 't': return (size_t)va_arg(*ap, ptrdiff_t);
	case 'j': return va_arg(*ap, uintmax_t);
	default: return va_arg(*ap, unsigned);
	}
}

/* An integer field: [spaces] [sign or 0x] [zeros] digits [spaces]. */
static void put_int(struct out *o, const struct spec *sp, uintmax_t v, char sign)
{
	const char *set = sp->conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
	unsigned base = sp->conv == 'o' ? 8 : 10;
	char dig[24]; /* 22 octal digits hold 64 bits */
	char pre[2];
	size_t nd = 0, np = 0;
	long long zeros, pad;

	if (sp->conv == 'x' || sp->conv == 'X' || sp->conv == 'p')
		base = 16;
	if (sign)
		pre[np++] = sign;
	if (base == 16 && (sp->conv == 'p' || ((sp->flags & F_ALT) && v))) {
		pre[np++] = '0';
		pre[np++] = sp->conv == 'X' ? 'X' : 'x';
	}
	for (; v; v /= base)
		dig[sizeof(dig) - ++nd] = set[v % base];

	/* Zero prints as "0" unless a precision of 0 asks for no digits at all. */
	zeros = sp->prec > (int)nd ? sp->prec - (long long)nd : 0;
	if (sp->prec < 0 && nd == 0)
		zeros = 1;
	/* %#o guarantees a leading 0, even for "%#.0o" of 0. */
	if (sp->conv == 'o' && (sp->flags & F_ALT) && !zeros)
		zeros = 1;

	pad = (long long)sp->width - (long long)(np + nd) - zeros;
	/* The 0 flag pads with zeros after the sign, but only without '-' and without a precision. */
	if ((sp->flags & (F_ZERO | F_LEFT)) == F_ZERO && sp->prec < 0 && pad > 0) {
		zeros += pad;
		pad = 0;
	}

	if (!(sp->flags & F_LEFT))
		fill(o, ' ', pad);
	put(o, pre, np);
	fill(o, '0', zeros);
	put(o, dig + sizeof(dig) - nd, nd);
	if (sp->flags & F_LEFT)
		fill(o, ' ', pad);
}

/* A %c or %s field: n bytes of s, space padded to the width. */
static void put_field(struct out *o, const struct spec *sp, const char *s, size_t n)
{
	long long pad = (long long)sp->width - (long long)n;

	if (!(sp->flags & F_LEFT))
		fill(o, ' ', pad);
	put(o, s, n);
	if (sp->flags & F_LEFT)
		fill(o, ' ', pad);
}

/* Format the conversion that starts at pct; returns where the literal text resumes. */
static const char *convert(struct out *o, const char *pct, va_list *ap)
{
	struct spec sp;
	const char *f = parse(pct + 1, &sp, ap);
	intmax_t s;
	char c;

	switch (sp.conv) {
	case 'd':
	case 'i':
		s = get_signed(ap, sp.lmod);
		/* Negate in uintmax_t so that INT64_MIN does not overflow. */
		put_int(o, &sp, s < 0 ? -(uintmax_t)s : (uintmax_t)s,
			s < 0 ? '-' : (sp.flags & F_PLUS) ? '+' : (sp.flags & F_SPACE) ? ' ' : 0);
		break;
	case 'u':
	case 'x':
	case 'X':
	case 'o':
		put_int(o, &sp, get_unsigned(ap, sp.lmod), 0);
		break;
	case 'p':
		/* Always the full 16 digits, so addresses line up in crash dumps. */
		sp.prec = 16;
		put_int(o, &sp, (uintptr_t)va_arg(*ap, void *), 0);
		break;
	case 'c':
		c = (char)va_arg(*ap, int);
		put_field(o, &sp, &c, 1);
		break;
	case 's': {
		const char *str = va_arg(*ap, const char *);

		if (!str)
			str = "(null)";
		/* With a precision the array need not be NUL-terminated: never look past it. */
		put_field(o, &sp, str, sp.prec < 0 ? strlen(str) : strnlen(str, (size_t)sp.prec));
		break;
	}
	case '%':
		put(o, "%", 1);
		break;
	case '\0':
		/* A format ending inside a conversion prints what there is and stops. */
		put(o, pct, (size_t)(f - pct));
		return f;
	default:
		/* Unknown conversions (%f, %n, ...) print themselves rather than guess. */
		put(o, pct, (size_t)(f + 1 - pct));
		break;
	}
	return f + 1;
}

int sk_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };
	va_list aq;

	if (!fmt)
		fmt = "";
	/* A copy, because va_list may be an array type and &ap would then have the wrong type. */
	va_copy(aq, ap);
	while (*fmt) {
		const char *pct = strchr(fmt, '%');

		if (!pct) {
			put(&o, fmt, strlen(fmt));
			break;
		}
		put(&o, fmt, (size_t)(pct - fmt));
		fmt = convert(&o, pct, &aq);
	}
	va_end(aq);

	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	/* Like C's vsnprintf, a length that does not fit an int is an error. */
	return o.len > (size_t)FMT_INT_MAX ? -1 : (int)o.len;
}

int sk_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = sk_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
