#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs what building and testing Skiff needs, from Debian only; idempotent and quiet when
# everything is there.
#
# Usage: support/deps.sh [--check] [GROUP...]
#   build (default)  compilers and kconfig
#   test, bench      QEMU, clang, gdb / hyperfine
#   net              network tests: iproute2 (namespaces, taps), curl, ab, wrk, ping, dnsmasq,
#                    redis-cli and redis-benchmark, and nginx for the benchmark (never started as
#                    a service; redis-server for the benchmark is redis-tools' redis-check-aof,
#                    the same binary, run under the name redis-server)
#   newlib           Debian's newlib-source, unpacked under build/deps/newlib-src
#   lua              Debian's lua5.4 source package (apt-get source), under build/deps/lua-src
#   lwip             Debian's lwip source package (lwIP 2.1), under build/deps/lwip-src
#   xen              what support/xen-test.sh runs on the host (QEMU, busybox, xl, grub-mkimage);
#                    the hypervisor and dom0 kernel are only downloaded, by xen-test.sh itself
#   all              everything above
# --check only reports what is missing (exit 1 if anything is). Without root it prints the
# apt-get line to run instead of running it. Upstream sources are unpacked under build/deps and
# never copied into the repository; scripts patch them there if they need to.
set -euo pipefail
cd "$(dirname "$0")/.."

build_pkgs=(gcc make binutils kconfig-frontends-nox python3 libxen-dev)
test_pkgs=(qemu-system-x86 clang bc gdb)
bench_pkgs=(hyperfine)
net_pkgs=(iproute2 curl apache2-utils wrk iputils-ping dnsmasq-base nginx-light python3 redis-tools)
newlib_pkgs=(newlib-source xz-utils)
lua_pkgs=(dpkg-dev)
lwip_pkgs=(dpkg-dev)
# grub-xen-bin (modules only, no maintainer scripts) lets grub-mkimage build the GRUB test domUs.
# xen-utils-4.17's postinst says "Can't find hypervisor information in sysfs": harmless here.
xen_pkgs=(qemu-system-x86 busybox-static cpio xz-utils xen-utils-4.17 xenstore-utils grub-common grub-xen-bin
	gcc make binutils)
DEPS=build/deps

check_only=0
groups=()
for a in "$@"; do
	case "$a" in
	--check) check_only=1 ;;
	build|test|bench|net|newlib|lua|lwip|xen) groups+=("$a") ;;
	all) groups+=(build test bench net newlib lua lwip xen) ;;
	*) echo "deps.sh: unknown argument '$a' (use --check, build, test, bench, net, newlib, lua, lwip, xen or all)" >&2; exit 2 ;;
	esac
done
[ ${#groups[@]} -gt 0 ] || groups=(build)

want=()
for g in "${groups[@]}"; do
	case "$g" in
	build) want+=("${build_pkgs[@]}") ;;
	test) want+=("${test_pkgs[@]}") ;;
	bench) want+=("${bench_pkgs[@]}") ;;
	net) want+=("${net_pkgs[@]}") ;;
	newlib) want+=("${newlib_pkgs[@]}") ;;
	lua) want+=("${lua_pkgs[@]}") ;;
	lwip) want+=("${lwip_pkgs[@]}") ;;
	xen) want+=("${xen_pkgs[@]}") ;;
	esac
done

is_root() { [ "$(id -u)" = 0 ]; }

apt_install() {
	export DEBIAN_FRONTEND=noninteractive
	# A fresh machine has no package lists yet: refresh once if the install cannot find a package.
	if ! apt-get install -y -q --no-install-recommends "$@" >/dev/null 2>&1; then
		apt-get update -q >/dev/null
		apt-get install -y -q --no-install-recommends "$@" >/dev/null
	fi
}

install_missing() {
	local missing=() p st line
	for p in "$@"; do
		st=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null || true)
		case "$st" in ii*) ;; *) missing+=("$p") ;; esac
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	mapfile -t missing < <(printf '%s\n' "${missing[@]}" | awk '!seen[$0]++')
	if [ "$check_only" = 1 ]; then
		echo "deps.sh: missing packages: ${missing[*]}" >&2
		return 1
	fi
	line="apt-get install -y --no-install-recommends ${missing[*]}"
	if ! is_root; then
		echo "deps.sh: missing packages; run as root: apt-get update && $line" >&2
		return 1
	fi
	echo "deps.sh: installing ${missing[*]}" >&2
	apt_install "${missing[@]}"
}

# apt-get source needs deb-src entries: mirror the machine's own deb entries, whatever they are.
enable_deb_src() {
	local f out=/etc/apt/sources.list.d/skiff-deb-src.sources
	if grep -rqsE '^(Types:.*deb-src|deb-src )' /etc/apt/sources.list /etc/apt/sources.list.d/; then
		return 0
	fi
	is_root || { echo "deps.sh: apt-get source needs deb-src entries; run as root: support/deps.sh $1" >&2; return 1; }
	: >"$out"
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] && [ "$f" != "$out" ] && sed 's/^Types:.*/Types: deb-src/' "$f" >>"$out" && echo >>"$out"
	done
	if [ -f /etc/apt/sources.list ]; then
		sed -n 's/^deb \(.*\)/deb-src \1/p' /etc/apt/sources.list >/etc/apt/sources.list.d/skiff-deb-src.list
	fi
	apt-get update -q >/dev/null
}

# build/deps/newlib-src: the upstream tarball that Debian's newlib-source ships.
unpack_newlib() {
	local stamp=$DEPS/newlib-src/.unpacked tarball
	[ -f "$stamp" ] && return 0
	tarball=$(ls /usr/src/newlib/newlib-*.tar.* 2>/dev/null | head -1)
	[ -n "$tarball" ] || { echo "deps.sh: newlib-source is installed but has no tarball in /usr/src/newlib" >&2; return 1; }
	rm -rf "$DEPS/newlib-src" && mkdir -p "$DEPS/newlib-src"
	tar -xf "$tarball" --strip-components=1 -C "$DEPS/newlib-src"
	echo "$tarball" >"$stamp"
}

# unpack_source NAME PACKAGE: build/deps/NAME-src is Debian's source package PACKAGE, unpacked
# with its Debian patches applied (apt-get source verified the files against the signed index).
unpack_source() {
	local name=$1 pkg=$2 stamp=$DEPS/$1-src/.unpacked dl=$DEPS/$1-dl
	[ -f "$stamp" ] && return 0
	enable_deb_src "$name"
	rm -rf "$dl" "$DEPS/$name-src" && mkdir -p "$dl"
	(cd "$dl" && apt-get source -q --download-only "$pkg" >/dev/null 2>&1) ||
		(apt-get update -q >/dev/null && cd "$dl" && apt-get source -q --download-only "$pkg" >/dev/null)
	(cd "$dl" && dpkg-source -q --no-check -x ./*.dsc src >/dev/null)
	mv "$dl/src" "$DEPS/$name-src"
	ls "$dl"/*.dsc >"$stamp"
}

# Lua 5.4: Debian's patched luaconf.h includes a header its debian/rules generates; so do we. The
# multiarch path only names where C modules would live, which a unikernel never loads.
unpack_lua() {
	unpack_source lua lua5.4 || return 1
	echo '#define DEB_HOST_MULTIARCH "x86_64-skiff"' >"$DEPS/lua-src/src/lua5.4-deb-multiarch.h"
}

# plat/xen sees Xen's public headers (libxen-dev) through this directory only, never all of
# /usr/include, so no host libc header can reach an image.
link_xen_headers() {
	[ -L "$DEPS/xen-include/xen" ] && return 0
	mkdir -p "$DEPS/xen-include"
	ln -sfn /usr/include/xen "$DEPS/xen-include/xen"
}

install_missing "${want[@]}" || exit 1
[ "$check_only" = 1 ] && exit 0
for g in "${groups[@]}"; do
	case "$g" in
	build) link_xen_headers ;;
	newlib) unpack_newlib ;;
	lua) unpack_lua ;;
	lwip) unpack_source lwip lwip ;;
	esac
done
