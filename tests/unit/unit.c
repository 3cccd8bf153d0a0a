// SPDX-License-Identifier: MIT
/* The host unit-test runner behind unit.h. */
#include <string.h>
#include "unit.h"

int unit_failed_checks;

int unit_run(const char *suite, const struct unit_test *tests, size_t n)
{
	int failed = 0;

	for (size_t i = 0; i < n; i++) {
		int before = unit_failed_checks;

		tests[i].fn();
		if (unit_failed_checks != before) {
			printf("FAIL %s.%s\n", suite, tests[i].name);
			failed++;
		} else {
			printf("ok   %s.%s\n", suite, tests[i].name);
		}
	}
	return failed ? 1 : 0;
}
