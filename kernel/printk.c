// SPDX-License-Identifier: MIT
/* Console output and levelled log lines with timestamps. */
#include <string.h>
#include <skiff/config.h>
#include <skiff/plat.h>
#include <skiff/printk.h>

int sk_log_level = CONFIG_SK_LOG_LEVEL;

/*
 * Boot messages wait here and leave in the same write as the app's first output: under a monitor
 * each console write is an exit to the host, the dearest thing a booting guest does. Every point
 * where the image may stop or wait (idle, exit, crash) flushes first, so nothing is ever lost.
 */
static char held[1024];
static size_t held_len;
static bool holding = true, release_pending;

void sk_console_flush(void)
{
	if (held_len)
		plat_console_write(held, held_len);
	held_len = 0;
	holding = false;
}

void sk_console_release(void)
{
	release_pending = true;
}

void sk_console_write(const char *s, size_t len)
{
	if (holding && held_len + len <= sizeof(held)) {
		memcpy(held + held_len, s, len);
		held_len += len;
		if (release_pending)
			sk_console_flush();
		return;
	}
	sk_console_flush();
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
