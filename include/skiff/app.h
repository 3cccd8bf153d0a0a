/* SPDX-License-Identifier: MIT */
/* What the kernel offers an app: its entry point, exit, and the boot facts it may print. */
#ifndef SKIFF_APP_H
#define SKIFF_APP_H

#include <stdint.h>
#include <stdnoreturn.h>

struct plat_boot_info;
struct sk_cmdline;

/* The app's entry point, run in the thread "main"; its return value is the image's exit status. */
int main(int argc, char **argv);

/* End the image now with status, from any thread. */
noreturn void sk_exit(int status);

/*
 * Hooks a C library provides (weak defaults in the kernel): sk_libc_init runs once memory and
 * the scheduler exist, before the main thread; sk_app_run runs in the main thread and returns
 * main()'s status (newlib's never returns: it calls exit()); sk_libc_crash_flush runs when the
 * image crashes, before the report, to write out buffered output if that cannot block.
 */
void sk_libc_init(void);
int sk_app_run(int argc, char **argv);
void sk_libc_crash_flush(void);

/* What the platform handed over and the parsed command line, for the C library's set-up. */
extern const struct plat_boot_info *sk_boot_info;
const struct sk_cmdline *sk_boot_cmdline(void);

/* Monotonic time at which main() was called (ns since the platform's first instruction). */
extern uint64_t sk_main_start_ns;

/*
 * Exit statuses the kernel itself uses (apps use 0..125):
 *   126 the image could not start: bad command line, too little memory
 *   127 crash: panic or CPU exception (SK_EXIT_CRASH)
 */
#define SK_EXIT_BOOT_ERROR 126

#endif
