// SPDX-License-Identifier: MIT
/*
 * The environment comes from the command line: each kernel option "env.NAME=value" becomes
 * NAME=value in environ (before main). getenv/setenv/unsetenv are newlib's and work on it.
 */
#include <stdlib.h>
#include <string.h>
#include <skiff/app.h>
#include <skiff/cmdline.h>
#include "posix.h"

void posix_env_init(void)
{
	const struct sk_cmdline *cl = sk_boot_cmdline();

	for (int i = 0; i < cl->nr_opts; i++) {
		const struct sk_cmdline_opt *o = &cl->opt[i];

		if (!strncmp(o->key, "env.", 4) && o->key[4] && o->value)
			setenv(o->key + 4, o->value, 1);
	}
}
