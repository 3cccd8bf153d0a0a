/* SPDX-License-Identifier: MIT */
/* Formatted output and tagged, levelled logging (pr_err ... pr_debug). */
#ifndef SKIFF_PRINTK_H
#define SKIFF_PRINTK_H

#include <stdarg.h>
#include <stddef.h>
#include <skiff/compiler.h>
#include <skiff/config.h>

/*
 * The kernel's own formatter; it never allocates and is safe in crash paths.
 * Supports: %d %i %u %x %X %o %c %s %p %% with flags '-', '0', '+', ' ', '#', width and precision
 * (also '*'), and the length modifiers hh h l ll z t j. %p prints 0x followed by 16 hex digits.
 * A NULL %s prints "(null)". Returns the length the full output would have (like C99 vsnprintf);
 * writes at most size-1 characters plus the terminating NUL when size > 0.
 */
int sk_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int sk_snprintf(char *buf, size_t size, const char *fmt, ...) __sk_printf(3, 4);

/* Write to the console. Output longer than SK_PRINTF_BUF bytes per call is truncated. */
#define SK_PRINTF_BUF 512
int sk_printf(const char *fmt, ...) __sk_printf(1, 2);
int sk_vprintf(const char *fmt, va_list ap);
void sk_console_write(const char *s, size_t len);
/* Write out held boot messages now (before waiting or stopping). */
void sk_console_flush(void);
/* Boot is over: the next write carries the held boot messages out with it. */
void sk_console_release(void);

enum sk_log_level {
	SK_LOG_ERR = 3,
	SK_LOG_WARN = 4,
	SK_LOG_INFO = 6,
	SK_LOG_DEBUG = 7,
};

/* The level in force: CONFIG_SK_LOG_LEVEL, changed at boot by the loglevel= option. */
extern int sk_log_level;

/* One log line: "[   0.001234] tag: message". The caller supplies the trailing newline. */
void sk_log(int level, const char *tag, const char *fmt, ...) __sk_printf(3, 4);

/* Each file may #define pr_tag "name" before its first #include. */
#ifndef pr_tag
#define pr_tag "skiff"
#endif

/* pr_debug is compiled in only with CONFIG_SK_LOG_DEBUG. */
#ifdef CONFIG_SK_LOG_DEBUG
#define SK_LOG_LEVEL_MAX SK_LOG_DEBUG
#else
#define SK_LOG_LEVEL_MAX SK_LOG_INFO
#endif

/* Messages above the compiled-in maximum vanish at compile time, the rest are checked at run time. */
#define sk_pr(level, ...)                                      \
	do {                                                   \
		if ((level) <= SK_LOG_LEVEL_MAX)               \
			sk_log((level), pr_tag, __VA_ARGS__); \
	} while (0)

#define pr_err(...) sk_pr(SK_LOG_ERR, __VA_ARGS__)
#define pr_warn(...) sk_pr(SK_LOG_WARN, __VA_ARGS__)
#define pr_info(...) sk_pr(SK_LOG_INFO, __VA_ARGS__)
#define pr_debug(...) sk_pr(SK_LOG_DEBUG, __VA_ARGS__)

#endif
