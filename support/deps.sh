#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs the Debian packages that building and testing Skiff need; idempotent.
#
# Usage: support/deps.sh [--check] [GROUP...]
#   GROUP: build (default), test, bench, all. --check only reports what is missing (exit 1 if anything is).
# Without root it prints the exact apt-get line to run instead of running it.
set -euo pipefail

build_pkgs=(gcc make binutils kconfig-frontends-nox python3)
test_pkgs=(qemu-system-x86 clang bc gdb)
bench_pkgs=(hyperfine)

want=()
check_only=0
groups=()
for a in "$@"; do
	case "$a" in
	--check) check_only=1 ;;
	build|test|bench|all) groups+=("$a") ;;
	*) echo "deps.sh: unknown argument '$a' (use --check, build, test, bench or all)" >&2; exit 2 ;;
	esac
done
[ ${#groups[@]} -gt 0 ] || groups=(build)
for g in "${groups[@]}"; do
	case "$g" in
	build) want+=("${build_pkgs[@]}") ;;
	test) want+=("${test_pkgs[@]}") ;;
	bench) want+=("${bench_pkgs[@]}") ;;
	all) want+=("${build_pkgs[@]}" "${test_pkgs[@]}" "${bench_pkgs[@]}") ;;
	esac
done

missing=()
for p in "${want[@]}"; do
	st=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
	case "$st" in ii*) ;; *) missing+=("$p") ;; esac
done
# De-duplicate while keeping order.
if [ ${#missing[@]} -gt 0 ]; then
	mapfile -t missing < <(printf '%s\n' "${missing[@]}" | awk '!seen[$0]++')
fi
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$check_only" = 1 ]; then
	echo "deps.sh: missing packages: ${missing[*]}" >&2
	exit 1
fi
line="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" != 0 ]; then
	echo "deps.sh: missing packages; run as root: apt-get update && $line" >&2
	exit 1
fi
echo "deps.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# A fresh machine has no package lists yet; refresh them once if the install cannot find a package.
if ! apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null 2>&1; then
	apt-get update -q >/dev/null
	apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi
