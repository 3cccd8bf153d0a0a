#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Xen test host: boots Debian's Xen 4.17 with a Debian kernel as a throw-away PV dom0 inside QEMU
# (TCG) and runs the given guest images as domUs with `xl create`, one after another in a single
# Xen boot. Reports each guest's console, exit status and lifecycle.
#
# Usage: support/xen-test.sh [--workdir DIR] [--timeout SECONDS] GUEST...
#   GUEST is NAME=IMAGE[,type=pv|pvh][,mem=MB][,extra=KERNEL-CMDLINE][,action=ACTION][,initrd=FILE]
#            [,vifs=N][,disk=DISK]...[,dom0=SCRIPT][,bin=PROGRAM]...
#     ACTION: shutdown-after=N  after N s record `xl list` for the guest, then `xl shutdown` it
#             list-after=N      after N s record `xl list` for the guest, then let it run on
#             shutdown-after-dom0  `xl shutdown` the guest once its dom0 script's run phase ends
#             destroy-after-dom0   `xl destroy` it then instead (a power cut at a moment the
#                               script chose: reason=destroyed)
#             toolstack-crash-once  (tests of this harness) the first `xl create` dies on SIGABRT,
#                               as xl now and then does under TCG; the guest is then retried
#     vifs=N   N network interfaces (0-4; netback in dom0). vif K has the MAC 00:16:3e:5a:GG:0K (GG:
#              the guest's position on the command line, in hex) and joins bridge xenbr(K mod 2),
#              where dom0 is 10.0.0.1/24 (xenbr0) or 10.0.1.1/24 (xenbr1); dnsmasq in dom0 hands
#              out 10.0.0.100-199 by DHCP on xenbr0
#     disk=DISK  a disk (blkback in dom0; up to 4, xvda first): FILE (copied into dom0) or SIZEM
#              (SIZE MiB of zeros made in dom0), either followed by :ro for a read-only disk.
#              SIZEM@LABEL is a disk kept for the whole run: made by the first guest that names
#              LABEL, the same file for every later one (a restart on the same disk)
#     bin=PROGRAM  a (static) program copied into dom0's PATH for the dom0 scripts
#     dom0=SCRIPT  a busybox sh script run in dom0 as `SCRIPT before` just before `xl create` (to
#              start servers the guest will use), as `SCRIPT run` in the background once the
#              guest is created (see action=shutdown-after-dom0; a run phase still going when the
#              guest ends is stopped), and as `SCRIPT after` once the guest is gone. Its environment: GUEST, OUT (files
#              the script leaves there come back in DIR/NAME/dom0/), MAC0..MAC3, DISK0..DISK3 (the
#              disk files in dom0), and for run and after DOMID, for run CREATE_CS (dom0's uptime
#              in centiseconds when `xl create` started). Its output goes to OUT/before.log,
#              run.log and after.log. Clients in dom0: busybox (wget, nc, ping, md5sum, dd, ...),
#              ab (apache2-utils), dnsmasq. The scripts' dom0 logs: /run/xentest/*.log.
#     A comma inside extra= is kept unless what follows it starts with another option name=.
#   --workdir DIR      where results go (default build/xen-test)
#   --timeout SECONDS  per-guest limit inside dom0 (default 60); then dom0 runs `xl destroy`
#
# Output: DIR/serial.log is all of Xen's serial output (dom0's console included). DIR/NAME/ holds
# console.log (the guest's console), result, xl-create.log, xl.log (the xl daemon's log), xl.cfg,
# xl-list.log (the action's `xl list`) and the other xl outputs. result lines:
#   reason=poweroff|crash|reboot|timeout|create-failed  (rarer: suspend, watchdog, soft_reset,
#     destroyed (by something else), unknown)
#   status=N|none|invalid     the guest's /local/domain/<domid>/data/skiff/exit-status
#   listed_while_running=yes|no|not-checked  gone_after=yes|no  create_rc=N
#   domid=N  listed_before_destroy=yes|no  state=LETTERS|none (xl list, before the destroy)
#   elapsed=S.SS (from the end of xl create to the guest's end)  and when they apply: shutdown_rc=N|killed
#   (killed: xl still waited for the guest's acknowledgement), destroy_rc=N, status_raw=TEXT,
#   dom0_rc=N|killed and dom0_after_rc=N (the dom0 script; killed: still running when the guest
#   ended), backends=DEV:STATE... (each vif and vbd backend's xenbus state when the guest ended:
#   6 is Closed, what a frontend that disconnected cleanly leaves), stale=none|WHAT (backend
#   directories, vif interfaces or loop devices still there after the destroy),
#   retried=yes (WHY): dom0's toolstack died on a signal on the first try (xl create or its
#   monitoring daemon: not the guest's doing), so the guest ran a second time
# Prints "xen-test: NAME reason=... status=..." per guest.
# Exit status: 0 Xen booted and every guest ran (whatever their results), 1 dom0 stopped before
# every guest had run, 2 bad usage, 3 Xen could not be booted here (tests skip on 3).
#
# Downloads (apt-get download, Debian mirror only) and extracted files are cached under
# build/deps/xen; only the guests' part of the dom0 initramfs is built per run.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE=$ROOT/build/deps/xen
XENVER=4.17
XENBIN=/usr/lib/xen-$XENVER/bin
# Xen arguments: smap=0 because TCG's SMAP breaks Xen's accesses to the PV dom0's stack. dom0's
# memory (dom0_mem) is added per run: the less it has, the faster it boots.
XEN_ARGS="console=com1 com1=115200,8n1 dom0_max_vcpus=1 loglvl=all guest_loglvl=all console_timestamps=boot smap=0"
# dom0 boot under TCG: the crypto self-tests and the W+X check of rodata cost ~0.4 s and prove
# nothing about the guests; dom0 is thrown away after the run.
DOM0_ARGS="console=hvc0 earlyprintk=xen loglevel=4 panic=1 cryptomgr.notests rodata=off"
MODULES=(xen-privcmd xenfs xen-evtchn xen-gntdev xen-gntalloc)
# The backends, loaded in this order (the deb has no modules.dep): bridge needs llc and stp.
BACKEND_MODULES=(llc stp bridge xen-netback loop xen-blkback)
# Where they are under lib/modules/VERSION/kernel in the package.
MODULE_PATHS="drivers/xen/* net/llc/llc.ko* net/802/stp.ko* net/bridge/bridge.ko* drivers/net/xen-netback/* drivers/block/loop.ko* drivers/block/xen-blkback/*"
BOOT_BUDGET=120 # seconds for Xen + dom0 to come up, on top of the guests' own limits
# The CPU: max (TCG's SVM and NPT, which PVH guests need) without XSAVE. With XSAVE, dom0's
# programs now and then find their registers or heap corrupted: xl's forked monitoring daemon
# died of a #GP in glibc's malloc (unlink_chunk, on a pointer it had just loaded through %xmm0) in
# about 5% of `xl create`s. Measured with 40 creates per Xen boot, failed creates / creates:
# max 6/120; max,-avx,-avx2 2/40 (so not glibc's AVX2 string routines); max,-xsaveopt 3/120;
# max,-xsavec 1/80; max,-pcid,-invpcid 1/80; max,-fsgsbase 1/80; max,-pku 1/80; thread=single
# 1/80; qemu64 0/80 but twice as slow and no PVH; max,-xsave 0/160, and faster. So TCG's XSAVE
# emulation, under Xen and a PV dom0, is what goes wrong. -xsave also hides AVX: nothing needs it.
QEMU_CPU=max,-xsave

usage_error() { echo "xen-test: $*" >&2; exit 2; }
unavailable() { echo "xen-test: Xen unavailable: $*" >&2; exit 3; }
die() { echo "xen-test: $*" >&2; exit 1; }
log() { echo "xen-test: $*" >&2; }

# ---- command line ------------------------------------------------------------------------------

workdir=$ROOT/build/xen-test
timeout_s=60
guest_specs=()

parse_args() {
	while [ $# -gt 0 ]; do
		case "$1" in
		--workdir) [ $# -ge 2 ] || usage_error "--workdir needs a directory"; workdir=$2; shift 2 ;;
		--workdir=*) workdir=${1#*=}; shift ;;
		--timeout) [ $# -ge 2 ] || usage_error "--timeout needs a number of seconds"; timeout_s=$2; shift 2 ;;
		--timeout=*) timeout_s=${1#*=}; shift ;;
		-h|--help) awk 'NR > 2 && /^#/ { sub(/^# ?/, ""); print; next } NR > 2 { exit }' "$0"; exit 0 ;;
		--) shift; guest_specs+=("$@"); break ;;
		-*) usage_error "unknown option '$1' (see --help)" ;;
		*) guest_specs+=("$1"); shift ;;
		esac
	done
	[[ "$timeout_s" =~ ^[0-9]+$ ]] && [ "$timeout_s" -ge 1 ] && [ "$timeout_s" -le 3600 ] ||
		usage_error "--timeout: '$timeout_s' is not a number of seconds from 1 to 3600"
	[ -n "$workdir" ] || usage_error "--workdir: empty directory name"
	[ ${#guest_specs[@]} -gt 0 ] || usage_error "no guest given (NAME=IMAGE[,type=pv|pvh][,mem=MB][,extra=...][,action=...][,initrd=FILE])"
}

# Per guest, indexed like guest_specs. g_disks holds the guest's disk= values separated by '|'.
g_name=() g_image=() g_type=() g_mem=() g_extra=() g_action=() g_initrd=() g_vifs=() g_disks=() g_dom0=()
bins=()    # bin= programs, of every guest
declare -A shared_mb # a kept disk's size by its LABEL
max_mem=0
backends=0 # 1 when some guest has a vif or a disk: dom0 then loads netback and blkback
nets=0     # 1 when some guest has a vif: dom0 then has bridges, dnsmasq and the clients
disk_mb=0  # MiB of disks made in dom0 (SIZEM), for dom0's memory
dom0_mb=256 # raised by build_initrd: the guests' files live in dom0's RAM, and xl reads them

# parse_guest SPEC: fills the g_* arrays, or exits 2 saying what is wrong.
parse_guest() {
	local spec=$1 name image rest field key type=pv mem=64 extra="" action="" initrd="" last="" vifs=0 disks="" dom0="" d
	[[ "$spec" == *=* ]] || usage_error "guest '$spec': expected NAME=IMAGE[,option=value...]"
	name=${spec%%=*} rest=${spec#*=}
	[[ "$name" =~ ^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$ ]] ||
		usage_error "guest '$spec': name '$name' must be 1-63 letters, digits, '_', '.' or '-'"
	image=${rest%%,*}
	[ "$image" != "$rest" ] && rest=${rest#*,} || rest=""
	[ -n "$image" ] || usage_error "guest '$name': no image"
	[ -f "$image" ] || usage_error "guest '$name': image '$image' not found"
	while [ -n "$rest" ]; do
		field=${rest%%,*}
		[ "$field" != "$rest" ] && rest=${rest#*,} || rest=""
		key=${field%%=*}
		case "$key" in
		type|mem|extra|action|initrd|vifs|disk|dom0|bin) [[ "$field" == *=* ]] || usage_error "guest '$name': '$key' needs a value" ;;
		*)
			# Not an option: part of a kernel command line that contained a comma.
			[ "$last" = extra ] || usage_error "guest '$name': unknown option '$field' (type, mem, extra, action, initrd, vifs, disk, dom0, bin)"
			extra+=",$field"
			continue ;;
		esac
		last=$key
		case "$key" in
		type) type=${field#*=} ;;
		mem) mem=${field#*=} ;;
		extra) extra=${field#*=} ;;
		action) action=${field#*=} ;;
		initrd) initrd=${field#*=} ;;
		vifs) vifs=${field#*=} ;;
		disk) disks+="${disks:+|}${field#*=}" ;;
		dom0) dom0=${field#*=} ;;
		bin)
			[ -f "${field#*=}" ] && [ -x "${field#*=}" ] || usage_error "guest '$name': bin '${field#*=}' is not an executable file"
			bins+=("${field#*=}") ;;
		esac
	done
	case "$type" in pv|pvh) ;; *) usage_error "guest '$name': type '$type' is not pv or pvh" ;; esac
	[[ "$mem" =~ ^[0-9]+$ ]] && [ "$mem" -ge 8 ] && [ "$mem" -le 1024 ] ||
		usage_error "guest '$name': mem '$mem' is not a number of MB from 8 to 1024"
	[[ "$extra" != *[[:cntrl:]]* ]] || usage_error "guest '$name': extra= contains a control character"
	[ -z "$action" ] || [[ "$action" =~ ^((shutdown|list)-after=[0-9]{1,4}|(shutdown|destroy)-after-dom0|toolstack-crash-once)$ ]] ||
		usage_error "guest '$name': action '$action' is not shutdown-after=N, list-after=N, shutdown-after-dom0, destroy-after-dom0 or toolstack-crash-once"
	[[ "$action" != *-after-dom0 ]] || [ -n "$dom0" ] || usage_error "guest '$name': action $action needs a dom0 script"
	[ -z "$initrd" ] || [ -f "$initrd" ] || usage_error "guest '$name': initrd '$initrd' not found"
	[[ "$vifs" =~ ^[0-4]$ ]] || usage_error "guest '$name': vifs '$vifs' is not a number from 0 to 4"
	[ -z "$dom0" ] || [ -f "$dom0" ] || usage_error "guest '$name': dom0 script '$dom0' not found"
	local IFS='|' ndisks=0
	for d in $disks; do
		ndisks=$((ndisks + 1))
		[ $ndisks -le 4 ] || usage_error "guest '$name': more than 4 disks"
		d=${d%:ro}
		if [[ "$d" =~ ^[0-9]+M@ ]]; then
			[[ "${d#*@}" =~ ^[A-Za-z0-9_-]{1,32}$ ]] || usage_error "guest '$name': disk label '${d#*@}' must be 1-32 letters, digits, '_' or '-'"
			[ -z "${shared_mb[${d#*@}]:-}" ] || [ "${shared_mb[${d#*@}]}" = "${d%@*}" ] ||
				usage_error "guest '$name': disk '${d#*@}' was ${shared_mb[${d#*@}]} for an earlier guest, not ${d%@*}"
			[ -n "${shared_mb[${d#*@}]:-}" ] || disk_mb=$((disk_mb + ${d%%M*}))
			shared_mb[${d#*@}]=${d%@*}
			d=${d%@*}
			[ "${d%M}" -ge 1 ] && [ "${d%M}" -le 1024 ] || usage_error "guest '$name': disk size '$d' is not 1M to 1024M"
		elif [[ "$d" =~ ^[0-9]+M$ ]]; then
			[ "${d%M}" -ge 1 ] && [ "${d%M}" -le 1024 ] || usage_error "guest '$name': disk size '$d' is not 1M to 1024M"
			disk_mb=$((disk_mb + ${d%M}))
		else
			[ -f "$d" ] || usage_error "guest '$name': disk '$d' not found (FILE or SIZEM, then :ro if read-only)"
		fi
	done
	unset IFS
	[ "$vifs" = 0 ] && [ -z "$disks" ] || backends=1
	[ "$vifs" = 0 ] || nets=1
	local i
	for i in "${g_name[@]}"; do
		[ "$i" != "$name" ] || usage_error "guest name '$name' given twice"
	done
	g_name+=("$name") g_image+=("$image") g_type+=("$type") g_mem+=("$mem")
	g_extra+=("$extra") g_action+=("$action") g_initrd+=("$initrd")
	g_vifs+=("$vifs") g_disks+=("$disks") g_dom0+=("$dom0")
	[ "$mem" -le "$max_mem" ] || max_mem=$mem
}

# ---- host checks and the cache under build/deps/xen -------------------------------------------

check_host() {
	"$ROOT/support/deps.sh" xen >&2 || unavailable "cannot install the host packages (support/deps.sh xen)"
	command -v qemu-system-x86_64 >/dev/null || unavailable "qemu-system-x86_64 is not installed"
	# TCG only: /dev/kvm on these machines is PVM, which cannot run Xen (see the pitfalls note).
	grep -qx tcg <(qemu-system-x86_64 -accel help 2>/dev/null) || unavailable "this QEMU has no TCG accelerator"
	[ -x "$XENBIN/xl" ] || unavailable "$XENBIN/xl missing (xen-utils-$XENVER)"
	[ -x /bin/busybox ] || unavailable "/bin/busybox missing (busybox-static)"
}

pkg_version() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || true; }

# apt_download DIR PKG[=VERSION]...: into DIR; refreshes the package lists once if that fails
# (a fresh machine has none, and old kernel ABI names leave the mirror).
apt_download() {
	local dir=$1
	shift
	(cd "$dir" && apt-get download -q "$@") >"$dir/apt.log" 2>&1 && return 0
	[ "$(id -u)" = 0 ] || return 1
	apt-get update -q >>"$dir/apt.log" 2>&1 || true
	(cd "$dir" && apt-get download -q "$@") >>"$dir/apt.log" 2>&1
}

# xen.elf: the hypervisor of the same version as the installed xl (their domctl ABI must match),
# decompressed because QEMU's multiboot loader cannot load the .gz.
fetch_xen() {
	local ver pkg=xen-hypervisor-$XENVER-amd64 tmp deb
	ver=$(pkg_version "xen-utils-$XENVER")
	[ -n "$ver" ] || unavailable "xen-utils-$XENVER is not installed"
	[ -f "$CACHE/xen.elf" ] && [ "$(cat "$CACHE/xen.version" 2>/dev/null)" = "$ver" ] && return 0
	log "fetching $pkg $ver (cached under build/deps/xen)"
	mkdir -p "$CACHE/debs"
	apt_download "$CACHE/debs" "$pkg=$ver" || unavailable "cannot download $pkg=$ver (see $CACHE/debs/apt.log)"
	# apt-get download names the file PKG_VERSION_ARCH.deb, an epoch's colon written as %3a.
	deb=$CACHE/debs/${pkg}_${ver//:/%3a}_amd64.deb
	[ -f "$deb" ] || unavailable "downloaded $pkg but found no $(basename "$deb")"
	tmp=$(mktemp -d "$CACHE/xen.XXXXXX")
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" "./boot/xen-$XENVER-amd64.gz"
	zcat "$tmp/boot/xen-$XENVER-amd64.gz" >"$tmp/xen.elf"
	mv "$tmp/xen.elf" "$CACHE/xen.elf"
	rm -rf "$tmp"
	echo "$ver" >"$CACHE/xen.version"
}

# The kernel image package that linux-image-amd64 points at now (its ABI name changes with
# point releases). Asked only when nothing is cached yet.
kernel_package() {
	local p
	p=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ { print $2; exit }' || true)
	if [ -z "$p" ] && [ "$(id -u)" = 0 ]; then
		apt-get update -q >/dev/null 2>&1 || true
		p=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ { print $2; exit }' || true)
	fi
	echo "$p"
}

# vmlinux (uncompressed: Xen's own xz decompression under TCG costs ~3.5 s a boot) and the xen
# device and backend modules. Only these are taken out of the package, which saves unpacking
# ~400 MB. A cache from before the backends were added gets its modules from the cached package.
fetch_kernel() {
	local pkg tmp deb off vmlinuz m f p pats=()
	if [ -f "$CACHE/kernel/vmlinux" ] && [ -f "$CACHE/kernel/version" ]; then
		for m in "${MODULES[@]}" "${BACKEND_MODULES[@]}"; do
			[ -f "$CACHE/kernel/modules/$m.ko" ] || break
		done
		[ -f "$CACHE/kernel/modules/$m.ko" ] && return 0
		deb=$CACHE/debs/$(cat "$CACHE/kernel/version")
	else
		pkg=$(kernel_package)
		[ -n "$pkg" ] || unavailable "cannot resolve linux-image-amd64 to a kernel package (apt-cache depends)"
		log "fetching $pkg (cached under build/deps/xen)"
		mkdir -p "$CACHE/debs"
		apt_download "$CACHE/debs" "$pkg" || unavailable "cannot download $pkg (see $CACHE/debs/apt.log)"
		deb=$(ls -t "$CACHE/debs/${pkg}_"*.deb 2>/dev/null | head -n 1 || true)
	fi
	[ -n "$deb" ] && [ -f "$deb" ] || unavailable "no kernel package in $CACHE/debs (remove $CACHE/kernel to fetch it again)"
	tmp=$(mktemp -d "$CACHE/kernel.XXXXXX")
	for p in $MODULE_PATHS; do
		pats+=("./lib/modules/*/kernel/$p")
	done
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" --wildcards './boot/vmlinuz-*' "${pats[@]}"
	vmlinuz=$(ls "$tmp"/boot/vmlinuz-* | head -n 1)
	# The bzImage's payload is one XZ stream: find its magic, decompress only that stream.
	off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$vmlinuz" | head -n 1 | cut -d: -f1 || true)
	[ -n "$off" ] || unavailable "no XZ payload in $(basename "$vmlinuz")"
	mkdir -p "$tmp/out/modules"
	# xz stops reading at the end of the stream: tail's SIGPIPE is expected, not a failure.
	{ tail -c +$((off + 1)) "$vmlinuz" || true; } | xz -dc --single-stream >"$tmp/out/vmlinux"
	[ "$(head -c 4 "$tmp/out/vmlinux" | od -An -c | tr -d ' ')" = '177ELF' ] || unavailable "vmlinux from $(basename "$deb") is not an ELF file"
	for m in "${MODULES[@]}" "${BACKEND_MODULES[@]}"; do
		f=$(find "$tmp/lib/modules" -name "$m.ko" -o -name "$m.ko.xz" | head -n 1)
		[ -n "$f" ] || unavailable "$(basename "$deb") has no module $m"
		case "$f" in *.xz) xz -dc "$f" >"$tmp/out/modules/$m.ko" ;; *) cp "$f" "$tmp/out/modules/$m.ko" ;; esac
	done
	basename "$deb" >"$tmp/out/version"
	rm -rf "$CACHE/kernel"
	mv "$tmp/out" "$CACHE/kernel"
	rm -rf "$tmp"
}

# copy_with_libs DEST FILE...: each FILE at the same path under DEST, with the shared libraries
# ldd names (and the dynamic loader), dereferenced.
copy_with_libs() {
	local dest=$1 f lib
	shift
	for f in "$@"; do
		mkdir -p "$dest$(dirname "$f")"
		cp -L "$f" "$dest$f"
		while read -r lib; do
			[ -e "$dest$lib" ] && continue
			mkdir -p "$dest$(dirname "$lib")"
			cp -L "$lib" "$dest$lib"
		done < <(ldd "$f" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }')
	done
}

# base.cpio: everything in dom0's initramfs that does not depend on the guests (the backends'
# modules and hotplug scripts included). Rebuilt when the host's xl or busybox, the kernel, the
# hotplug scripts or this script change.
build_base() {
	local key tmp r a libgcc
	key="$(pkg_version "xen-utils-$XENVER") $(pkg_version busybox-static) $(cat "$CACHE/kernel/version") $(cat "$0" "$ROOT"/support/xen/*-skiff | md5sum | cut -d' ' -f1)"
	[ -f "$CACHE/base.cpio" ] && [ "$(cat "$CACHE/base.key" 2>/dev/null)" = "$key" ] && return 0
	log "building the dom0 base initramfs"
	tmp=$(mktemp -d "$CACHE/base.XXXXXX")
	r=$tmp/root
	mkdir -p "$r"/{bin,dev,proc,sys,run,tmp,modules,etc/xen,var/lib/xen,var/log/xen,usr/bin}
	ln -s ../run "$r/var/run"
	ln -s ../run/lock "$r/var/lock"
	: >"$r/etc/xen/xl.conf"
	# Users for programs that look them up (dnsmasq drops to a user it must find).
	printf 'root:x:0:0:root:/:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' >"$r/etc/passwd"
	printf 'root:x:0:\nnogroup:x:65534:\n' >"$r/etc/group"
	cp /bin/busybox "$r/bin/busybox"
	for a in $(/bin/busybox --list); do
		[ "$a" = busybox ] || ln -s busybox "$r/bin/$a"
	done
	copy_with_libs "$r" "$XENBIN"/{xl,xenstored,xenconsoled,xenconsole,xen-init-dom0} /usr/bin/xenstore
	# xenstore is one binary that acts by its name.
	for a in read write list ls exists rm chmod watch; do
		ln -s xenstore "$r/usr/bin/xenstore-$a"
	done
	# glibc dlopen()s libgcc_s for pthread_cancel; ldd does not list it and xl aborts without it.
	libgcc=$(ldconfig -p 2>/dev/null | awk '/libgcc_s\.so\.1 .*x86-64/ { print $NF; exit }' || true)
	[ -n "$libgcc" ] || libgcc=/usr/lib/x86_64-linux-gnu/libgcc_s.so.1
	[ -f "$libgcc" ] || unavailable "libgcc_s.so.1 not found on the host"
	mkdir -p "$r/lib/x86_64-linux-gnu"
	cp -L "$libgcc" "$r/lib/x86_64-linux-gnu/libgcc_s.so.1"
	cp "$CACHE/kernel/modules/"*.ko "$r/modules/"
	# libxl runs the hotplug scripts from here itself: no udev in this dom0.
	mkdir -p "$r/etc/xen/scripts"
	cp "$ROOT/support/xen/vif-skiff" "$ROOT/support/xen/block-skiff" "$r/etc/xen/scripts/"
	(cd "$r" && find . | cpio -o -H newc -R 0:0 --quiet) >"$tmp/base.cpio"
	mv "$tmp/base.cpio" "$CACHE/base.cpio"
	echo "$key" >"$CACHE/base.key"
	rm -rf "$tmp"
}

# net.cpio: the clients that tests run in dom0 against guests with vifs, beside busybox's: ab
# (apache2-utils) and dnsmasq, with their libraries. About 15 MB, so only runs with a vif carry it.
build_net() {
	local key tmp b
	key="$(pkg_version apache2-utils) $(pkg_version dnsmasq-base) $(md5sum <"$0" | cut -d' ' -f1)"
	[ -f "$CACHE/net.cpio" ] && [ "$(cat "$CACHE/net.key" 2>/dev/null)" = "$key" ] && return 0
	for b in ab dnsmasq; do
		command -v "$b" >/dev/null || unavailable "$b is not installed (support/deps.sh xen)"
	done
	log "building the dom0 network clients' initramfs"
	tmp=$(mktemp -d "$CACHE/net.XXXXXX")
	copy_with_libs "$tmp/root" "$(command -v ab)" "$(command -v dnsmasq)"
	(cd "$tmp/root" && find . | cpio -o -H newc -R 0:0 --quiet) >"$tmp/net.cpio"
	mv "$tmp/net.cpio" "$CACHE/net.cpio"
	echo "$key" >"$CACHE/net.key"
	rm -rf "$tmp"
}

# One writer at a time: parallel runs (each with its own --workdir) share the cache.
prepare_cache() {
	mkdir -p "$CACHE"
	exec 9>"$CACHE/.lock"
	flock -w 900 9 || unavailable "another xen-test has held $CACHE/.lock for 15 minutes"
	# Work directories of an earlier run that was interrupted.
	rm -rf "$CACHE"/xen.?????? "$CACHE"/kernel.?????? "$CACHE"/base.?????? "$CACHE"/net.??????
	fetch_xen
	fetch_kernel
	build_base
	[ "$nets" = 0 ] || build_net
	exec 9>&-
}

# ---- the per-run part of the initramfs ----------------------------------------------------------

# xl's config strings are double-quoted with backslash escapes.
xl_quote() {
	local s=${1//\\/\\\\}
	printf '"%s"' "${s//\"/\\\"}"
}

# guest_config I: the xl config of guest I. The primary PV console comes with every pv/pvh domain
# and is served by xenconsoled; "preserve" keeps an ended domain so dom0 can read its state.
guest_config() {
	local i=$1 n=${g_name[$1]}
	echo "name = $(xl_quote "$n")"
	echo "type = \"${g_type[$i]}\""
	echo "kernel = \"/xentest/g/$n/kernel\""
	[ -z "${g_initrd[$i]}" ] || echo "ramdisk = \"/xentest/g/$n/ramdisk\""
	echo "memory = ${g_mem[$i]}"
	echo "vcpus = 1"
	[ -z "${g_extra[$i]}" ] || echo "extra = $(xl_quote "${g_extra[$i]}")"
	echo 'on_poweroff = "preserve"'
	echo 'on_crash = "preserve"'
	echo 'on_reboot = "destroy"'
	vif_line "$i"
	disk_line "$i"
}

# The vif line of guest I (none without vifs): fixed MACs, the fast hotplug script.
vif_line() {
	local i=$1 k sep="" line=""
	[ "${g_vifs[$i]}" != 0 ] || return 0
	for ((k = 0; k < g_vifs[i]; k++)); do
		line+="$sep'mac=$(guest_mac "$i" "$k"),bridge=xenbr$((k % 2)),script=vif-skiff'"
		sep=", "
	done
	echo "vif = [ $line ]"
}

guest_mac() {
	printf '00:16:3e:5a:%02x:%02x' "$1" "$2"
}

DISK_LETTERS=(a b c d)

# The disk line of guest I: files in dom0 (see disk_path), xvda first, the fast hotplug script.
disk_line() {
	local i=$1 d k=0 sep="" line="" access IFS='|'
	[ -n "${g_disks[$i]}" ] || return 0
	for d in ${g_disks[$i]}; do
		access=rw
		[ "${d%:ro}" = "$d" ] || access=ro
		line+="$sep'format=raw,vdev=xvd${DISK_LETTERS[k]},access=$access,script=block-skiff,target=$(disk_path "$i" $k "${d%:ro}")'"
		sep=", "
		k=$((k + 1))
	done
	echo "disk = [ $line ]"
}

# disk_path I K DISK: where guest I's disk K (DISK as given, less :ro) lives in dom0. A kept
# disk is named by its label, so every guest that names it gets the same file.
disk_path() {
	case "$3" in
	*M@*) echo "/run/xentest/disk/kept-${3#*@}.img" ;;
	*) echo "/run/xentest/disk/${g_name[$1]}-$2.img" ;;
	esac
}

# stage_disks I DIR: DIR/disks lists guest I's disks for dom0, one a line "K SOURCE PATH": dom0
# puts SOURCE (a file copied into DIR as disk-K.img, or SIZEM: that many MiB of zeros) at PATH.
# DIR/macs: its vifs' MACs as MAC0=... lines, for the dom0 script.
stage_disks() {
	local i=$1 dir=$2 d k=0 src IFS='|'
	: >"$dir/disks"
	for d in ${g_disks[$i]}; do
		src=${d%:ro}
		if [[ "$src" =~ ^[0-9]+M@ ]]; then
			echo "$k keep:${src%@*} $(disk_path "$i" $k "$src")" >>"$dir/disks"
		elif [[ "$src" =~ ^[0-9]+M$ ]]; then
			echo "$k $src $(disk_path "$i" $k "$src")" >>"$dir/disks"
		else
			cp "$src" "$dir/disk-$k.img"
			echo "$k /xentest/g/${g_name[$i]}/disk-$k.img $(disk_path "$i" $k "$src")" >>"$dir/disks"
		fi
		k=$((k + 1))
	done
	unset IFS
	for ((k = 0; k < g_vifs[i]; k++)); do
		echo "MAC$k=$(guest_mac "$i" "$k")"
	done >"$dir/macs"
}

# build_initrd: WORKDIR/dom0-initrd.cpio = the cached base + a small archive with /init and the
# guests (the kernel unpacks concatenated newc archives one after another).
build_initrd() {
	local s=$workdir/.stage i n bytes=0
	rm -rf "$s"
	mkdir -p "$s/xentest/g" "$s/xentest/bin"
	cp "$ROOT/support/xen/dom0-init.sh" "$s/init"
	for i in "${bins[@]}"; do
		cp "$i" "$s/xentest/bin/"
	done
	chmod 755 "$s/init"
	{
		echo "TIMEOUT=$timeout_s"
		echo "GUESTS=\"${g_name[*]}\""
		echo "BACKENDS=$backends"
		echo "NETS=$nets"
	} >"$s/xentest/guests.sh"
	for i in "${!g_name[@]}"; do
		n=${g_name[$i]}
		mkdir -p "$s/xentest/g/$n"
		cp "${g_image[$i]}" "$s/xentest/g/$n/kernel"
		[ -z "${g_initrd[$i]}" ] || cp "${g_initrd[$i]}" "$s/xentest/g/$n/ramdisk"
		[ -z "${g_action[$i]}" ] || echo "${g_action[$i]}" >"$s/xentest/g/$n/action"
		[ -z "${g_dom0[$i]}" ] || cp "${g_dom0[$i]}" "$s/xentest/g/$n/dom0.sh"
		stage_disks "$i" "$s/xentest/g/$n"
		guest_config "$i" >"$s/xentest/g/$n/cfg"
	done
	bytes=$(du -sb "$s/xentest/g" | cut -f1)
	dom0_mb=$((256 + 2 * ((bytes >> 20) + 1) + disk_mb))
	(cd "$s" && find . -mindepth 1 | cpio -o -H newc -R 0:0 --quiet) >"$workdir/guests.cpio"
	if [ "$nets" = 1 ]; then
		dom0_mb=$((dom0_mb + 2 * ($(stat -c %s "$CACHE/net.cpio") >> 20)))
		cat "$CACHE/base.cpio" "$CACHE/net.cpio" "$workdir/guests.cpio" >"$workdir/dom0-initrd.cpio"
	else
		cat "$CACHE/base.cpio" "$workdir/guests.cpio" >"$workdir/dom0-initrd.cpio"
	fi
	rm -rf "$s" "$workdir/guests.cpio"
}

# ---- boot and collect ---------------------------------------------------------------------------

# boot_xen: QEMU with Xen as the multiboot kernel; the first module is dom0's kernel (the text
# after the space is its command line), the second its initramfs. Run from WORKDIR with relative
# names: QEMU splits the module list at commas and spaces. -no-reboot turns a Xen or dom0 panic
# into an exit.
boot_xen() {
	local limit=$((BOOT_BUDGET + ${#g_name[@]} * (timeout_s + 30))) mem=$((dom0_mb + max_mem + 256)) qpid
	# Xen's boot time grows with the machine's memory: no more than the run needs, at least 1 GiB.
	[ $mem -ge 1024 ] || mem=1024
	ln -sf "$CACHE/kernel/vmlinux" "$workdir/vmlinux"
	: >"$workdir/serial.log"
	(cd "$workdir" && exec timeout -k 5 "$limit" qemu-system-x86_64 \
		-accel tcg,thread=multi -cpu "$QEMU_CPU" -m $mem -smp 1 -machine pc -nodefaults \
		-display none -monitor none -serial file:serial.log -no-reboot -net none \
		-kernel "$CACHE/xen.elf" -append "$XEN_ARGS dom0_mem=${dom0_mb}M,max:${dom0_mb}M" \
		-initrd "vmlinux $DOM0_ARGS,dom0-initrd.cpio" </dev/null >qemu.log 2>&1) &
	qpid=$!
	qemu_pid=$qpid
	wait_for_dom0_end "$qpid"
	set +e
	wait "$qpid"
	qemu_rc=$?
	set -e
	qemu_pid=""
	qemu_limit=$limit
}

# wait_for_dom0_end PID: stop QEMU (through its `timeout`, PID) as soon as dom0 says it is done or
# failed. dom0 powers off by itself too, but Xen's ACPI S5 path waits for the emulated RTC's next
# second tick, which costs 0.5 s a run on average. The serial file holds every byte written.
wait_for_dom0_end() {
	while kill -0 "$1" 2>/dev/null; do
		if grep -qE '^XENTEST-(DONE|DOM0-FAILED)' "$workdir/serial.log" 2>/dev/null; then
			kill "$1" 2>/dev/null || true
			return
		fi
		sleep 0.1
	done
}

# collect: cut each XENTEST-FILE block (a tar of one guest's files) out of serial.log, check its
# md5 sum and unpack it into WORKDIR.
collect() {
	local blocks=$workdir/.blocks hdr name sum f
	rm -rf "$blocks"
	mkdir -p "$blocks"
	tr -d '\r' <"$workdir/serial.log" | awk -v dir="$blocks" '
		/^XENTEST-FILE / { n++; f = dir "/" n; print $2, $3, $4 > (f ".hdr"); close(f ".hdr"); inb = 1; printf "" > f; next }
		/^XENTEST-EOF$/ { if (inb) close(f); inb = 0; next }
		inb && /^[A-Za-z0-9+\/=]+$/ { print > f }
	'
	for hdr in "$blocks"/*.hdr; do
		[ -f "$hdr" ] || continue
		read -r name _ sum <"$hdr"
		f=${hdr%.hdr}
		if base64 -d <"$f" >"$f.tar" 2>/dev/null && [ "$(md5sum <"$f.tar" | cut -d' ' -f1)" = "$sum" ]; then
			tar -x -f "$f.tar" -C "$workdir"
		else
			log "the files of ${name%.tar} arrived damaged through the serial console (md5 mismatch)"
			corrupt=1
		fi
	done
	rm -rf "$blocks"
}

# xen_panic: the line after Xen's "Panic on CPU N:", without its prefix, if Xen panicked.
xen_panic() {
	tr -d '\r' <"$workdir/serial.log" 2>/dev/null |
		awk '/Panic on CPU/ { p = 1; next } p { sub(/^\(XEN\) (\[[^]]*\] )?/, ""); print; exit }' || true
}

# No pipe into grep -q here: under pipefail the writer's SIGPIPE would turn a match into a failure.
marker() { grep -q "^XENTEST-$1" "$workdir/serial.log" 2>/dev/null; }

# WORKDIR/NAME/xl.cfg: the config each guest ran with, for whoever reads the results.
save_configs() {
	local i
	for i in "${!g_name[@]}"; do
		[ -d "$workdir/${g_name[$i]}" ] && guest_config "$i" >"$workdir/${g_name[$i]}/xl.cfg"
	done
	return 0
}

report() {
	local i n r reason status missing=0
	for i in "${!g_name[@]}"; do
		n=${g_name[$i]} r=$workdir/${g_name[$i]}/result
		if [ -f "$r" ]; then
			reason=$(sed -n 's/^reason=//p' "$r" | head -n 1 || true)
			status=$(sed -n 's/^status=//p' "$r" | head -n 1 || true)
			echo "xen-test: $n reason=$reason status=$status"
		else
			echo "xen-test: $n not run"
			missing=1
		fi
	done
	return $missing
}

# An interrupted run must not leave QEMU behind (it would run on until its timeout).
qemu_pid=""
on_exit() {
	[ -z "$qemu_pid" ] || kill "$qemu_pid" 2>/dev/null || true
}

main() {
	local i why
	trap on_exit EXIT
	trap 'log "interrupted"; exit 130' INT
	trap 'log "terminated"; exit 143' TERM
	parse_args "$@"
	for i in "${guest_specs[@]}"; do
		parse_guest "$i"
	done
	check_host
	prepare_cache
	mkdir -p "$workdir"
	workdir=$(cd "$workdir" && pwd)
	for i in "${g_name[@]}"; do
		rm -rf "${workdir:?}/$i"
	done
	rm -f "$workdir/serial.log" "$workdir/qemu.log"
	build_initrd
	boot_xen
	if ! marker DOM0-READY; then
		why=$(tr -d '\r' <"$workdir/serial.log" 2>/dev/null | sed -n 's/^XENTEST-DOM0-FAILED //p' | head -n 1 || true)
		[ -n "$why" ] && unavailable "dom0 came up but: $why (see $workdir/serial.log)"
		why=$(xen_panic)
		[ -n "$why" ] && unavailable "Xen panicked: $why (see $workdir/serial.log)"
		[ "$qemu_rc" = 124 ] || [ "$qemu_rc" = 137 ] &&
			unavailable "Xen and dom0 did not come up within ${qemu_limit} s (see $workdir/serial.log)"
		unavailable "Xen and dom0 did not come up; QEMU exited with $qemu_rc (see $workdir/serial.log, $workdir/qemu.log)"
	fi
	why=$(tr -d '\r' <"$workdir/serial.log" | sed -n 's/^XENTEST-BACKENDS-FAILED //p' | head -n 1 || true)
	[ -z "$why" ] || log "dom0: $why (see $workdir/serial.log)"
	corrupt=0
	collect
	save_configs
	if ! report; then
		why=$(xen_panic)
		[ -z "$why" ] || die "Xen panicked while the guests ran: $why (see $workdir/serial.log)"
		why=$(tr -d '\r' <"$workdir/serial.log" | sed -n 's/^XENTEST-GUEST-START \([^ ]*\).*/\1/p' | tail -n 1 || true)
		[ "$qemu_rc" != 124 ] && [ "$qemu_rc" != 137 ] ||
			die "the run hit its overall limit of $qemu_limit s while guest '${why:-?}' ran (see $workdir/serial.log)"
		die "dom0 stopped while guest '${why:-?}' ran, QEMU status $qemu_rc (see $workdir/serial.log)"
	fi
	[ "$corrupt" = 0 ] || die "some results arrived damaged (see above)"
	rm -f "$workdir/dom0-initrd.cpio" "$workdir/vmlinux"
}

main "$@"
