#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs what building and testing Skiff needs, from Debian only; idempotent and quiet when
# everything is there.
#
# Usage: support/deps.sh [--check] [GROUP...]     (--help lists the groups, from the tables below)
#   build (default)  compilers and kconfig; GNU-EFI for <app>.efi; mtools, dosfstools, gdisk and
#                    qemu-utils for make image (FAT, GPT, qcow2 without root or loop devices)
#   test, bench      QEMU, OVMF (UEFI firmware), clang, gdb / hyperfine, GNU time, matplotlib
#                    (support/virtbench.sh's plots)
#   net              network tests: iproute2 (namespaces, taps), curl, ab, wrk, ping, dnsmasq,
#                    redis-cli and redis-benchmark, and nginx for the benchmark (never started as
#                    a service; redis-server for the benchmark is redis-tools' redis-check-aof,
#                    the same binary, run under the name redis-server)
#   xen              what support/xen-test.sh runs on the host (QEMU, busybox, xl, grub-mkimage)
#                    and copies into dom0 (ab, dnsmasq);
#                    the hypervisor and dom0 kernel are only downloaded, by xen-test.sh itself
#   NAME             an upstream source package of the source table below (newlib, lua, lwip,
#                    sqlite...), fetched and unpacked under build/deps/NAME-src
#   all              everything above
# --check only reports what is missing (exit 1 if anything is). Without root it prints the
# apt-get line to run instead of running it. Upstream sources are unpacked under build/deps and
# never copied into the repository; scripts patch them there if they need to.
set -euo pipefail
cd "$(dirname "$0")/.."

# The plain groups' Debian packages.
declare -A group_pkgs=(
	[build]="gcc make binutils kconfig-frontends-nox python3 libxen-dev gnu-efi mtools dosfstools gdisk
		qemu-utils"
	[test]="qemu-system-x86 ovmf clang bc gdb"
	[bench]="hyperfine time python3-matplotlib"
	[net]="iproute2 curl apache2-utils wrk iputils-ping dnsmasq-base nginx-light python3 redis-tools"
	# grub-xen-bin (modules only, no maintainer scripts) lets grub-mkimage build the GRUB test
	# domUs. xen-utils-4.17's postinst says "Can't find hypervisor information in sysfs": harmless.
	[xen]="qemu-system-x86 busybox-static cpio xz-utils xen-utils-4.17 xenstore-utils grub-common
		grub-xen-bin gcc make binutils apache2-utils dnsmasq-base"
)
DEPS=build/deps

# Upstream source packages, one line each: adding one is adding a line, nothing else here. NAME
# is what an app's build.mk puts in app-sources (a library's in lib-sources-y); the build then
# runs "support/deps.sh NAME" whenever build/deps/NAME-src/.unpacked is missing. HOW is
#   apt-source  "apt-get source PACKAGE" (deb-src entries are added if the machine has none),
#               unpacked by dpkg-source with Debian's patches applied;
#   tarball     PACKAGE is a "-source" binary package: installed, and the one tarball it ships
#               unpacked.
# NEEDS: the Debian packages (comma-separated, or -) that the fetch or POST needs. POST (the
# rest of the line, or -): a shell command run in build/deps/NAME-src after unpacking and before
# the stamp is written, so a failed one leaves no stamp and the next run unpacks afresh.
# - lua: Debian's patched luaconf.h includes a header its debian/rules generates; so do we. The
#   multiarch path only names where C modules would live, which a unikernel never loads.
# - sqlite: upstream's own make targets generate the amalgamation (bld/sqlite3.c, sqlite3.h) and
#   the shell (bld/shell.c) from the full tree: they build host tools and run tclsh.
declare -A src_how src_pkg src_needs src_post
source_names=()
while read -r name how pkg needs post; do
	if [ -z "$name" ] || [ "${name:0:1}" = "#" ]; then continue; fi
	source_names+=("$name")
	src_how[$name]=$how src_pkg[$name]=$pkg src_needs[$name]=$needs src_post[$name]=$post
done <<'EOF'
#NAME  HOW         PACKAGE        NEEDS         POST
newlib tarball     newlib-source  xz-utils      -
lua    apt-source  lua5.4         dpkg-dev      echo '#define DEB_HOST_MULTIARCH "x86_64-skiff"' >src/lua5.4-deb-multiarch.h
lwip   apt-source  lwip           dpkg-dev      -
sqlite apt-source  sqlite3        dpkg-dev,tcl  mkdir bld && cd bld && ../configure --disable-tcl --disable-readline >configure.log && make sqlite3.c shell.c >make.log
EOF

all_groups=(build test bench net "${source_names[@]}" xen)
in_list() { local x=$1; shift; local g; for g; do [ "$g" = "$x" ] && return 0; done; return 1; }

# --help: the comment at the top, its NAME entry replaced by one line per source package.
usage() {
	local n what list=""
	for n in "${source_names[@]}"; do
		case "${src_how[$n]}" in
		tarball) what="the tarball in Debian's ${src_pkg[$n]}" ;;
		*) what="Debian's ${src_pkg[$n]} source package (apt-get source)" ;;
		esac
		list+=$(printf '\n  %-15s  %s, under build/deps/%s-src' "$n" "$what" "$n")
	done
	sed -n '/^# Usage:/,/^# never copied/s/^# \{0,1\}//p' "$0" |
		awk -v list="${list#?}" '/^  NAME / { print list; skip = 1; next } skip && /^    / { next } { skip = 0; print }'
}

check_only=0
groups=()
for a in "$@"; do
	case "$a" in
	--check) check_only=1 ;;
	-h|--help) usage; exit 0 ;;
	all) groups+=("${all_groups[@]}") ;;
	*) in_list "$a" "${all_groups[@]}" ||
		{ echo "deps.sh: unknown argument '$a' (use --check, $(printf '%s, ' "${all_groups[@]}")or all)" >&2; exit 2; }
		groups+=("$a") ;;
	esac
done
[ ${#groups[@]} -gt 0 ] || groups=(build)

want=()
for g in "${groups[@]}"; do
	if in_list "$g" "${source_names[@]}"; then
		# A -source package is itself what to install; NEEDS adds the tools.
		if [ "${src_how[$g]}" = tarball ]; then want+=("${src_pkg[$g]}"); fi
		if [ "${src_needs[$g]}" != - ]; then
			IFS=, read -ra needs <<<"${src_needs[$g]}"
			want+=("${needs[@]}")
		fi
	else
		read -ra pkgs -d '' <<<"${group_pkgs[$g]}" || true
		want+=("${pkgs[@]}")
	fi
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

# unpack_tarball NAME PACKAGE: build/deps/NAME-src is the one upstream tarball that Debian's
# -source package PACKAGE ships (newlib-source: /usr/src/newlib/newlib-*.tar.xz).
unpack_tarball() {
	local name=$1 pkg=$2 tarball n
	tarball=$(dpkg-query -L "$pkg" | grep -E '\.tar(\.[a-z0-9]+)?$' || true)
	n=$(grep -c . <<<"$tarball" || true)
	[ "$n" = 1 ] || { echo "deps.sh: $pkg is installed but ships $n tarballs, not one: $tarball" >&2; return 1; }
	rm -rf "$DEPS/$name-src" && mkdir -p "$DEPS/$name-src"
	tar -xf "$tarball" --strip-components=1 -C "$DEPS/$name-src"
	echo "$tarball" >"$DEPS/$name-src/.origin"
}

# unpack_apt_source NAME PACKAGE: build/deps/NAME-src is Debian's source package PACKAGE, unpacked
# with its Debian patches applied (apt-get source verified the files against the signed index).
unpack_apt_source() {
	local name=$1 pkg=$2 dl=$DEPS/$1-dl
	enable_deb_src "$name"
	rm -rf "$dl" "$DEPS/$name-src" && mkdir -p "$dl"
	(cd "$dl" && apt-get source -q --download-only "$pkg" >/dev/null 2>&1) ||
		(apt-get update -q >/dev/null && cd "$dl" && apt-get source -q --download-only "$pkg" >/dev/null)
	(cd "$dl" && dpkg-source -q --no-check -x ./*.dsc src >/dev/null)
	mv "$dl/src" "$DEPS/$name-src"
	ls "$dl"/*.dsc >"$DEPS/$name-src/.origin"
}

# unpack NAME: the source table's entry NAME fetched, unpacked and its POST run, then the stamp
# (naming what it came from) that make and later runs look for. Once stamped, nothing is redone.
unpack() {
	local name=$1 stamp=$DEPS/$1-src/.unpacked
	[ -f "$stamp" ] && return 0
	case "${src_how[$name]}" in
	tarball) unpack_tarball "$name" "${src_pkg[$name]}" ;;
	apt-source) unpack_apt_source "$name" "${src_pkg[$name]}" ;;
	*) echo "deps.sh: $name: unknown way to fetch '${src_how[$name]}' (apt-source or tarball)" >&2; false ;;
	esac || return 1
	if [ "${src_post[$name]}" != - ] && ! (cd "$DEPS/$name-src" && sh -ec "${src_post[$name]}"); then
		echo "deps.sh: $name: its post-unpack command failed in $DEPS/$name-src: ${src_post[$name]}" >&2
		return 1
	fi
	mv "$DEPS/$name-src/.origin" "$stamp"
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
	if [ "$g" = build ]; then
		link_xen_headers
	elif in_list "$g" "${source_names[@]}"; then
		unpack "$g"
	fi
done
