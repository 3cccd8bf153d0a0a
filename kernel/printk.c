// SPDX-License-Identifier: MIT
/* Console output and levelled log lines with timestamps. */
#include <skiff/config.h>
#include <skiff/plat.h>
#include <skiff/printk.h>

int sk_log_level = CONFIG_SK_LOG_LEVEL;

void sk_console_write(const char *s, size_t len)
{
	plat_console_write(s, len);
}

int sk_vprintf(const char *fmt, va_list ap)
{
	char buf[SK_PRINTF_BUF];
	int n = sk_vsnprintf(buf, sizeof(buf), fmt, ap);

	if (n > 0)
		sk_console_write(buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
	return n;
}

int sk_printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = sk_vprintf(fmt, ap);
	va_end(ap);
	return n;
}

void sk_log(int level, const char *tag, const char *fmt, ...)
{
	char buf[SK_PRINTF_BUF];
	size_t len = 0;
	va_list ap;
	int n;

	if (level > sk_log_level)
		return;
	if (SK_ENABLED(CONFIG_SK_LOG_TIMESTAMPS)) {
		uint64_t us = plat_time_monotonic_ns() / 1000;

		len = (size_t)sk_snprintf(buf, sizeof(buf), "[%5llu.%06llu] ",
					  (unsigned long long)(us / 1000000),
					  (unsigned long long)(us % 1000000));
	}
	len += (size_t)sk_snprintf(buf + len, sizeof(buf) - len, "%s: ", tag);
	va_start(ap, fmt);
	n = sk_vsnprintf(buf + len, sizeof(buf) - len, fmt, ap);
	va_end(ap);
	len = SK_MIN(len + (size_t)(n > 0 ? n : 0), sizeof(buf) - 1);
	sk_console_write(buf, len);
}
