// SPDX-License-Identifier: MIT
/* What the assembly math functions (sqrt.S) need from C: errno. */
#include <errno.h>

void sk_newlib_math_edom(void);

void sk_newlib_math_edom(void)
{
	errno = EDOM;
}
