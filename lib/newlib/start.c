// SPDX-License-Identifier: MIT
/*
 * Start-up and shut-down with newlib: per-thread state and the POSIX layer before the app, then
 * constructors, main() and exit(), so atexit handlers run and stdio is flushed.
 */
#include <stdlib.h>
#include <skiff/app.h>

void newlib_reent_init(void);
void posix_init(void);
void __libc_init_array(void);

void sk_libc_init(void)
{
	newlib_reent_init();
	posix_init();
}

int sk_app_run(int argc, char **argv)
{
	__libc_init_array();
	exit(main(argc, argv));
}

/* newlib calls these around the constructor arrays (HAVE_INIT_FINI); the linker script has the arrays. */
void _init(void);
void _fini(void);

void _init(void)
{
}

void _fini(void)
{
}
