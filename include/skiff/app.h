/* SPDX-License-Identifier: MIT */
/* What the kernel offers an app: its entry point, exit, and the boot facts it may print. */
#ifndef SKIFF_APP_H
#define SKIFF_APP_H

#include <stdint.h>
#include <stdnoreturn.h>

/* The app's entry point, run in the thread "main"; its return value is the image's exit status. */
int main(int argc, char **argv);

/* End the image now with status, from any thread. */
noreturn void sk_exit(int status);

/* Monotonic time at which main() was called (ns since the platform's first instruction). */
extern uint64_t sk_main_start_ns;

/*
 * Exit statuses the kernel itself uses (apps use 0..125):
 *   126 the image could not start: bad command line, too little memory
 *   127 crash: panic or CPU exception (SK_EXIT_CRASH)
 */
#define SK_EXIT_BOOT_ERROR 126

#endif
