#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs every test: host unit tests, the config matrix, and boot tests of real images in QEMU.
# Usage: tests/run.sh [unit] [config] [boot] [efi] [hv] [libc] [sqlite] [net] [kv] [xen] [virtbench]   (default: all). Ends with "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."
. tests/lib.sh

suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(unit config boot efi hv libc sqlite net kv xen virtbench)
for s in "${suites[@]}"; do
	case "$s" in unit|config|boot|efi|hv|libc|sqlite|net|kv|xen|virtbench) ;; *) echo "run.sh: unknown suite '$s' (unit, config, boot, efi, hv, libc, sqlite, net, kv, xen, virtbench)" >&2; exit 2 ;; esac
done

# Everything the tests use is installed here, so a fresh machine needs no manual step.
if ! support/deps.sh all; then
	echo "run.sh: cannot install the test dependencies (see above)" >&2
	exit 1
fi

for run_suite in "${suites[@]}"; do
	echo "== $run_suite"
	run_suite_start=$SECONDS
	. "tests/$run_suite.sh"
	echo "-- $run_suite took $((SECONDS - run_suite_start)) s" # where `make test`'s time goes
done
summary
