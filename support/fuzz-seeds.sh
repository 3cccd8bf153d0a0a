#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The ELF fuzzer's seed corpus: a good image (stripped) and every malformed variant of it that
# tests/mkbad.py writes, so the fuzzer starts from each check the loader makes.
# Usage: support/fuzz-seeds.sh IMAGE DIR
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 IMAGE DIR" >&2; exit 2; }
mkdir -p "$2"
strip -o "$2/seed-good" "$1"
"$(dirname "$0")/../tests/mkbad.py" "$2/seed-good" "$2" >/dev/null
