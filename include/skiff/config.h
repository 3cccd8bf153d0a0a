/* SPDX-License-Identifier: MIT */
/* The build's Kconfig choices as CONFIG_* macros, and SK_ENABLED() to test them in plain C. */
#ifndef SKIFF_CONFIG_H
#define SKIFF_CONFIG_H

#include <generated/autoconf.h>

/*
 * SK_ENABLED(CONFIG_FOO) is 1 when kconfig defined CONFIG_FOO to 1 and 0 otherwise, so options
 * can be tested with a normal if () that the compiler type-checks and then removes.
 */
#define SK__PLACEHOLDER_1 0,
#define SK__SECOND(ignored, val, ...) val
#define SK__IS_ONE(x) SK__IS_ONE_(SK__PLACEHOLDER_##x)
#define SK__IS_ONE_(junk_or_0comma) SK__SECOND(junk_or_0comma 1, 0, 0)
#define SK_ENABLED(option) SK__IS_ONE(option)

#endif
