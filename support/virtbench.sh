#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Paravirtualization against full virtualization: the same workloads on every platform this host
# offers, N runs each, into build/virtbench/ (beside the virtbench image): results.csv (every
# run), results.json, results.md (per platform the median, the spread and the cost against
# native Linux) and plots as PNG (one per workload group and one for start-up time). Figures,
# never pass/fail: a platform the host lacks is reported absent with the reason, a workload that
# crashes, hangs or prints no result is reported failed, and the run goes on.
#
# Usage: support/virtbench.sh [options]      (make virtbench [QUICK=1])
#   --platforms LIST  comma-separated (default: all): native, hv-process, hv-kvm,
#                     qemu-kvm-microvm, qemu-kvm-pc, qemu-kvm-q35-ovmf, qemu-tcg-microvm,
#                     qemu-tcg-pc, qemu-tcg-q35-ovmf, xen-pv, xen-pvh
#   --workloads LIST  comma-separated (default: all but crash): the microbenchmarks null-call,
#                     clock, sleep, touch, bandwidth, switch, mutex (or "micro" for all seven);
#                     sqlite, lua (compute); http, echo (network: need root); blk (a disk);
#                     startup; crash (crashes on purpose: tests of this script)
#   --reps N          runs of each workload on each platform (default 5, quick 3)
#   --emulated-reps N runs on the emulated platforms (QEMU TCG, nested Xen; default: --reps,
#                     quick 1: their figures are the emulator's, not overheads, and slow to take)
#   --quick           smaller sizes, 3 runs (1 emulated): about 5 minutes on a 2-core machine
#   --sqlite-size N   speedtest1 --size (default 25, quick 5)
#   --net-seconds S   each wrk and echo throughput run (default 10, quick 2)
#   --blk-mib N       the block benchmark's sequential span (default 256, quick 32)
#   --micro-scale F   multiplies the microbenchmarks' iteration counts (default 1, quick 0.1)
#   --out DIR         where results go (default build/virtbench)
#   --hv PATH         the skiff-hv to run (default build/hv/skiff-hv, built first)
#   --list            probe the platforms, print which are present (and why not), and exit
# Platforms: native is each workload built as a Linux program from the same sources (the
# baseline); hv-* is skiff-hv with each backend; qemu-kvm-* need a /dev/kvm that QEMU can run the
# image on (not PVM's); *-q35-ovmf boot the UEFI image (<app>.efi) in OVMF through
# support/qemu-run.sh --efi; qemu-tcg-* emulate the CPU; xen-* use `xl` on a Xen dom0, else the
# nested test host (support/xen-test.sh: Xen in QEMU TCG, emulated). Every table and plot says
# how each platform's figures were obtained, and marks the emulated ones.
# Exit status: 0 the report was written (whatever failed inside it), 1 it could not be, 2 bad
# usage.
set -euo pipefail
cd "$(dirname "$0")/.."

ALL_PLATFORMS=(native hv-process hv-kvm qemu-kvm-microvm qemu-kvm-pc qemu-kvm-q35-ovmf qemu-tcg-microvm
	qemu-tcg-pc qemu-tcg-q35-ovmf xen-pv xen-pvh)
MICROS=(null-call clock touch bandwidth sleep switch mutex)
ALL_WORKLOADS=("${MICROS[@]}" sqlite lua http echo blk startup crash)

# Every metric: its workload, unit, which way is better, and what it is. The report reads this.
METRICS="metric	workload	unit	better	what
null-call	null-call	ns	lower	null call: a one-byte console write, the cheapest exit
clock	clock	ns	lower	clock read: clock_gettime(CLOCK_MONOTONIC)
sleep	sleep	us	lower	timer: how late a 1 ms sleep wakes (median)
touch-fresh	touch	ns	lower	first touch of fresh memory, per 4 KiB page
touch-mapped	touch	ns	lower	touch of mapped memory, per 4 KiB page
bandwidth	bandwidth	GB/s	higher	memory bandwidth: memcpy of 64 MiB
switch	switch	ns	lower	thread switch (sched_yield, two threads)
mutex	mutex	ns	lower	mutex hand-off (mutex and condition variable, two threads)
crash	crash	-	lower	a workload that crashes on purpose
sqlite	sqlite	s	lower	SQLite speedtest1 --memdb (its TOTAL)
lua	lua	s	lower	Lua running apps/lua/rootfs/bench.lua
http-1	http	req/s	higher	HTTP requests/s, 1 connection (wrk)
http-50	http	req/s	higher	HTTP requests/s, 50 connections (wrk)
http-lat	http	us	lower	HTTP latency, 1 connection (wrk p50)
echo-throughput	echo	MB/s	higher	TCP echo throughput, one connection
echo-latency	echo	us	lower	TCP echo round trip, 64 bytes (median)
blk-seq-write	blk	MB/s	higher	block sequential write, 1 MiB requests
blk-seq-read	blk	MB/s	higher	block sequential read, 1 MiB requests
blk-rand-read	blk	IOPS	higher	block 4 KiB random reads, one at a time
blk-rand-write	blk	IOPS	higher	block 4 KiB random writes, one at a time
start-to-exit	startup	ms	lower	start-up: launch to exit of a program that does nothing
boot-to-main	startup	us	lower	start-up: the guest's first instruction to main()"

usage_error() { echo "virtbench: $*" >&2; exit 2; }
say() { echo "virtbench: [${SECONDS} s] $*" >&2; }

# ---- options -----------------------------------------------------------------------------------

platforms=() workloads=() reps="" emu_reps="" quick=0 sqlite_size="" net_s="" blk_mib="" micro_scale="" list_only=0
out=build/virtbench hv=build/hv/skiff-hv hv_given=0

in_list() { local x=$1 y; shift; for y; do [ "$x" = "$y" ] && return 0; done; return 1; }
split_list() { tr ',' ' ' <<<"$1"; }

number() { # NAME VALUE: a positive integer or exit 2
	[[ "$2" =~ ^[1-9][0-9]*$ ]] || usage_error "$1: '$2' is not a positive whole number"
}

parse_args() {
	local w x
	while [ $# -gt 0 ]; do
		case "$1" in
		--platforms=*|--workloads=*|--reps=*|--emulated-reps=*|--sqlite-size=*|--net-seconds=*|--blk-mib=*|--micro-scale=*|--out=*|--hv=*)
			set -- "${1%%=*}" "${1#*=}" "${@:2}"; continue ;;
		--platforms) [ $# -ge 2 ] || usage_error "$1 needs a list"
			for w in $(split_list "$2"); do
				in_list "$w" "${ALL_PLATFORMS[@]}" || usage_error "unknown platform '$w' (${ALL_PLATFORMS[*]})"
				platforms+=("$w")
			done; shift 2 ;;
		--workloads) [ $# -ge 2 ] || usage_error "$1 needs a list"
			for w in $(split_list "$2"); do
				case "$w" in
				micro) workloads+=("${MICROS[@]}") ;;
				all) for x in "${ALL_WORKLOADS[@]}"; do [ "$x" = crash ] || workloads+=("$x"); done ;;
				*) in_list "$w" "${ALL_WORKLOADS[@]}" || usage_error "unknown workload '$w' (micro ${ALL_WORKLOADS[*]})"
				   workloads+=("$w") ;;
				esac
			done; shift 2 ;;
		--reps) [ $# -ge 2 ] || usage_error "$1 needs a number"; number "$1" "$2"; reps=$2; shift 2 ;;
		--emulated-reps) [ $# -ge 2 ] || usage_error "$1 needs a number"; number "$1" "$2"; emu_reps=$2; shift 2 ;;
		--sqlite-size) [ $# -ge 2 ] || usage_error "$1 needs a number"; number "$1" "$2"; sqlite_size=$2; shift 2 ;;
		--net-seconds) [ $# -ge 2 ] || usage_error "$1 needs a number"; number "$1" "$2"; net_s=$2; shift 2 ;;
		--blk-mib) [ $# -ge 2 ] || usage_error "$1 needs a number"; number "$1" "$2"; blk_mib=$2; shift 2 ;;
		--micro-scale) [ $# -ge 2 ] || usage_error "$1 needs a number"
			[[ "$2" =~ ^[0-9]*\.?[0-9]+$ ]] || usage_error "$1: '$2' is not a number"; micro_scale=$2; shift 2 ;;
		--out) [ $# -ge 2 ] && [ -n "$2" ] || usage_error "$1 needs a directory"; out=$2; shift 2 ;;
		--hv) [ $# -ge 2 ] && [ -n "$2" ] || usage_error "$1 needs a path"; hv=$2; hv_given=1; shift 2 ;;
		--quick) quick=1; shift ;;
		--list) list_only=1; shift ;;
		-h|--help) awk 'NR > 2 && /^#/ { sub(/^# ?/, ""); print; next } NR > 2 { exit }' "$0"; exit 0 ;;
		*) usage_error "unknown argument '$1' (see --help)" ;;
		esac
	done
	[ ${#platforms[@]} -gt 0 ] || platforms=("${ALL_PLATFORMS[@]}")
	if [ ${#workloads[@]} -eq 0 ]; then
		for w in "${ALL_WORKLOADS[@]}"; do [ "$w" = crash ] || workloads+=("$w"); done
	fi
	# Each once, in the canonical order.
	local keep=()
	for w in "${ALL_PLATFORMS[@]}"; do in_list "$w" "${platforms[@]}" && keep+=("$w"); done
	platforms=("${keep[@]}")
	keep=()
	for w in "${ALL_WORKLOADS[@]}"; do in_list "$w" "${workloads[@]}" && keep+=("$w"); done
	workloads=("${keep[@]}")
	if [ $quick = 1 ]; then
		: "${reps:=3}" "${emu_reps:=1}" "${sqlite_size:=5}" "${net_s:=2}" "${blk_mib:=32}" "${micro_scale:=0.1}"
	else
		: "${reps:=5}" "${sqlite_size:=25}" "${net_s:=10}" "${blk_mib:=256}" "${micro_scale:=1}"
	fi
	: "${emu_reps:=$reps}"
	[ "$emu_reps" -le "$reps" ] || emu_reps=$reps
}

wants() { in_list "$1" "${workloads[@]}"; }

reps_for() { # PLATFORM: how many runs it gets
	if [ "${p_emulated[$1]:-0}" = 1 ]; then echo "$emu_reps"; else echo "$reps"; fi
}

# ---- platforms ---------------------------------------------------------------------------------

declare -A p_state p_reason p_label p_emulated p_kind
qemu_ver=$(qemu-system-x86_64 --version 2>/dev/null | sed -n '1s/.*version \([0-9.]*\).*/\1/p' || true)
xen_mode=""   # xl (a real Xen dom0) or nested (support/xen-test.sh)

present() { p_state[$1]=present p_label[$1]=$2 p_emulated[$1]=${3:-0}; }
absent() { p_state[$1]=absent p_reason[$1]=$2; }

# What /dev/kvm is here: "" when there is none usable, else a label.
kvm_label() {
	[ -c /dev/kvm ] && [ -r /dev/kvm ] && [ -w /dev/kvm ] || return 0
	if [ -d /sys/module/kvm_pvm ]; then
		echo "PVM: software nested KVM (shadow paging, no VT-x/AMD-V underneath)"
	else
		echo "hardware KVM ($(grep -qw vmx /proc/cpuinfo && echo VT-x || echo AMD-V))"
	fi
}

probe_native() {
	local host
	host="Linux $(uname -r)"
	if [ -d /proc/xen ]; then
		host+=", the dom0 of a Xen host (itself a Xen PV or PVH guest)"
	elif grep -qw hypervisor /proc/cpuinfo; then
		host+=", itself inside a VM (so native figures include that VM's own costs)"
	fi
	present native "native: each workload as a Linux process ($host)"
}

probe_hv() { # BACKEND
	local p=hv-$1 k
	if [ ! -x "$hv" ]; then
		absent "$p" "no skiff-hv at $hv"
	elif ! "$hv" --version 2>/dev/null | grep -q "backends:.*$1"; then
		absent "$p" "$hv has no $1 backend"
	elif [ "$1" = process ]; then
		present "$p" "skiff-hv process backend: the guest in a sandboxed Linux process, no virtualization hardware"
	elif [ -z "$(kvm_label)" ]; then
		absent "$p" "no usable /dev/kvm on this machine"
	elif ! timeout 30 "$hv" --backend=kvm --quiet build/virtbench/virtbench.kvm -- nop >/dev/null 2>&1; then
		absent "$p" "skiff-hv --backend=kvm cannot run virtbench here"
	else
		k=$(kvm_label)
		present "$p" "skiff-hv on /dev/kvm: $k"
	fi
}

probe_qemu() { # ACCEL MACHINE
	local p=qemu-$1-$2 k err boot=(--machine "$2" build/virtbench/virtbench.kvm) what="-M $2"
	if ! command -v qemu-system-x86_64 >/dev/null; then
		absent "$p" "qemu-system-x86_64 is not installed"
		return
	fi
	if [ "$2" = q35-ovmf ]; then
		probe_ovmf "$p" || return 0
		boot=(--machine q35 --efi build/virtbench/virtbench.efi) what="-M q35 with OVMF (UEFI)"
	fi
	if [ "$1" = tcg ]; then
		present "$p" "QEMU $qemu_ver TCG $what: an emulated CPU (binary translation), slower by design: not a virtualization overhead" 1
		return
	fi
	k=$(kvm_label)
	if [ -z "$k" ]; then
		absent "$p" "no usable /dev/kvm on this machine"
	elif ! err=$(support/qemu-run.sh --timeout 60 --accel kvm "${boot[@]}" -- nop 2>&1 >/dev/null); then
		absent "$p" "QEMU cannot run the image on this /dev/kvm ($k): $(tail -n 1 <<<"$err" | cut -c1-160)"
	else
		present "$p" "QEMU $qemu_ver KVM $what on $k"
	fi
}

# q35 with OVMF boots the UEFI image: OVMF, support/qemu-run.sh --efi and <app>.efi must exist.
probe_ovmf() { # PLATFORM: 0 when they do, else 1 with PLATFORM absent
	if [ ! -f /usr/share/OVMF/OVMF_CODE_4M.fd ] && [ ! -f /usr/share/OVMF/OVMF_CODE.fd ]; then
		absent "$1" "no OVMF firmware (Debian's ovmf package)"
	elif ! support/qemu-run.sh --help 2>/dev/null | grep -q -- '--efi '; then
		absent "$1" "support/qemu-run.sh cannot boot a UEFI image"
	elif [ ! -f build/virtbench/virtbench.efi ]; then
		absent "$1" "no UEFI image (build/virtbench/virtbench.efi; CONFIG_PLAT_EFI)"
	else
		return 0
	fi
	return 1
}

probe_xen() { # pv|pvh
	local p=xen-$1 ver what=PV
	[ "$1" = pvh ] && what="PVH (hardware-assisted paging)"
	if [ -r /proc/xen/capabilities ] && grep -q control_d /proc/xen/capabilities && command -v xl >/dev/null; then
		xen_mode=xl
		ver=$(xl info 2>/dev/null | awk -F': *' '$1 ~ /^xen_(major|minor)/ { v = v (v ? "." : "") $2 } END { print v }')
		present "$p" "Xen $ver $what domU, xl on this host"
	elif [ ! -x support/xen-test.sh ]; then
		absent "$p" "not a Xen dom0, and no support/xen-test.sh"
	elif ! command -v qemu-system-x86_64 >/dev/null; then
		absent "$p" "not a Xen dom0, and no QEMU for the nested test host"
	else
		xen_mode=nested
		present "$p" "Xen 4.17 $what domU nested in QEMU $qemu_ver TCG (support/xen-test.sh): emulated, not a virtualization overhead" 1
	fi
}

probe_platforms() {
	local p
	for p in "${platforms[@]}"; do
		case "$p" in
		native) probe_native; p_kind[$p]=native ;;
		hv-*) probe_hv "${p#hv-}"; p_kind[$p]=hv ;;
		qemu-*) p=${p#qemu-}; probe_qemu "${p%%-*}" "${p#*-}"; p_kind[qemu-$p]=qemu ;;
		xen-*) probe_xen "${p#xen-}"; p_kind[$p]=xen ;;
		esac
	done
}

# ---- builds ------------------------------------------------------------------------------------

nat=""        # the native programs' folder
declare -A build_failed xen_build_failed   # app -> the log of its failed build
xen_virtbench=build/virtbench/virtbench.xen

make_app() { # APP: build/APP/APP.kvm, then the rest (.xen); records what failed
	local log=$out/logs/build-$1.log
	# Twice before giving up: others may build the same app in the same folder at the same time.
	make -s APP="apps/$1" "build/$1/$1.kvm" >"$log" 2>&1 || make -s APP="apps/$1" "build/$1/$1.kvm" >>"$log" 2>&1 ||
		build_failed[$1]=$log
	make -s APP="apps/$1" >>"$log" 2>&1 || xen_build_failed[$1]=$log
	return 0
}

# The image's -std and -O, so the Linux programs are compiled as the image is.
image_lang() {
	make -s -p -q APP=apps/virtbench 2>/dev/null | sed -n 's/^TARGET_CFLAGS := //p' | head -n 1 |
		tr ' ' '\n' | grep -E '^-(std=|O)' | tr '\n' ' ' || true
}

# An app's own C files, as its build.mk lists them (plain POSIX apps build for Linux unchanged).
app_sources() { # APP
	sed -n 's/^app-y += //p' "apps/$1/build.mk" | tr ' ' '\n' | grep '\.c$' || true
}

# native_build NAME SOURCES-AND-FLAGS...: $nat/NAME, rebuilt when its command or a source changes.
native_build() {
	local name=$1 f
	shift
	local cmd="gcc $* -o $nat/$name"
	if [ -x "$nat/$name" ] && [ "$(cat "$nat/$name.cmd" 2>/dev/null)" = "$cmd" ]; then
		for f in "$@"; do
			[ -f "$f" ] && [ "$f" -nt "$nat/$name" ] && break
			f=""
		done
		[ -z "${f:-}" ] && return 0
	fi
	# shellcheck disable=SC2086
	if $cmd >"$out/logs/build-$name-linux.log" 2>&1; then
		echo "$cmd" >"$nat/$name.cmd"
	else
		rm -f "$nat/$name"
	fi
}

# The Linux programs take the words of $lang and $defines apart on purpose.
# shellcheck disable=SC2086,SC2046
build_all() {
	local lang defines f src=build/deps/sqlite-src
	mkdir -p "$out/logs"
	nat=$out/native
	mkdir -p "$nat"
	if [ $hv_given = 0 ] && ! make -s hv >"$out/logs/build-hv.log" 2>&1; then
		say "skiff-hv does not build (see $out/logs/build-hv.log)"
	fi
	make_app virtbench
	# The Xen image without the block benchmark, where plat/xen has no block driver to link.
	if [ -n "${xen_build_failed[virtbench]:-}" ]; then
		xen_virtbench=build/virtbench/noblk/virtbench.xen
		{ make -s O=build/virtbench/noblk APP=apps/virtbench defconfig &&
		  sed -i 's/^CONFIG_APP_VIRTBENCH_BLK=y/# CONFIG_APP_VIRTBENCH_BLK is not set/' build/virtbench/noblk/.config &&
		  make -s O=build/virtbench/noblk APP=apps/virtbench olddefconfig &&
		  make -s O=build/virtbench/noblk APP=apps/virtbench; } >"$out/logs/build-virtbench-noblk.log" 2>&1 || true
	fi
	# --list needs only the image the probes boot.
	[ $list_only = 0 ] || return 0
	lang=$(image_lang)
	native_build virtbench-linux $lang -D_DEFAULT_SOURCE -Wall -Wextra -Werror -pthread \
		apps/virtbench/micro.c apps/virtbench/blkbench.c apps/virtbench/native.c
	if wants sqlite; then
		make_app sqlite
		# SQLite's defines, from the image's build.
		defines=$(make -s -p -q APP=apps/sqlite 2>/dev/null | sed -n 's/^SQLITE_DEFINES := //p' | head -n 1 || true)
		native_build speedtest1-linux $lang -D_DEFAULT_SOURCE $defines -I$src/bld $src/test/speedtest1.c \
			$src/bld/sqlite3.c -lm
	fi
	if wants lua; then
		make_app lua
		# Upstream's flags, as apps/lua/build.mk has them, and its POSIX build for Linux.
		local lua_srcs=()
		for f in build/deps/lua-src/src/*.c; do [ "$f" = build/deps/lua-src/src/luac.c ] || lua_srcs+=("$f"); done
		native_build lua-linux -O2 -std=gnu99 -DLUA_COMPAT_5_3 -DLUA_USE_POSIX "${lua_srcs[@]}" -lm
	fi
	if wants http; then
		make_app httpd
		native_build httpd-linux $lang -D_GNU_SOURCE $(app_sources httpd)
	fi
	if wants echo; then
		make_app echo
		native_build echo-linux $lang -D_GNU_SOURCE $(app_sources echo)
		native_build echo-client -std=c11 -O2 -Wall -Wextra -Werror support/echo-client.c
	fi
}

# ---- one run, and its rows -----------------------------------------------------------------------

csv=""
csv_row() { # PLATFORM WORKLOAD METRIC UNIT REP VALUE STATUS NOTE
	printf '%s,%s,%s,%s,%s,%s,%s,"%s"\n' "$1" "$2" "$3" "$4" "$5" "$6" "$7" "${8//\"/\'}" >>"$csv"
}

metric_unit() { awk -F'\t' -v m="$1" '$1 == m { print $3 }' <<<"$METRICS"; }
workload_metrics() { # WORKLOAD: its metrics
	awk -F'\t' -v w="$1" 'NR > 1 && $2 == w { print $1 }' <<<"$METRICS"
}

# Why a run left no result: from its exit status and its log.
why_failed() { # RC LOG
	local rc=$1 log=$2 line
	line=$(tr -d '\0\r' <"$log" 2>/dev/null | grep -m1 -E 'PANIC|panic|crash|fault|Segmentation|timed out|error|Error' | cut -c1-120 || true)
	case "$rc" in
	0) echo "no result line (exit status 0${line:+: $line}); see $log" ;;
	125) echo "did not run: $(head -n 1 "$log" | cut -c1-160)" ;;
	124) echo "timed out; see $log" ;;
	127) echo "crashed (status 127${line:+: $line}); see $log" ;;
	*) [ "$rc" -gt 128 ] 2>/dev/null && [ "$rc" -lt 160 ] &&
		{ echo "killed by signal $((rc - 128))${line:+: $line}; see $log"; return; }
	   echo "exit status $rc${line:+: $line}; see $log" ;;
	esac
}

# record PLATFORM WORKLOAD REP RC LOG METRIC...: each METRIC's value from the log's
# "virtbench: METRIC VALUE UNIT" line, or a failed row saying why.
record() {
	local p=$1 w=$2 rep=$3 rc=$4 log=$5 m line
	shift 5
	for m in "$@"; do
		line=$(tr -d '\0\r' <"$log" | awk -v m="$m" '$1 == "virtbench:" && $2 == m && $3 ~ /^[0-9.]+$/ { print $3, $4; exit }')
		if [ -n "$line" ]; then
			csv_row "$p" "$w" "$m" "${line#* }" "$rep" "${line%% *}" ok ""
		else
			csv_row "$p" "$w" "$m" "$(metric_unit "$m")" "$rep" "" failed "$(why_failed "$rc" "$log")"
		fi
	done
}

record_absent() { # PLATFORM WORKLOAD WHY
	local m w list=("$2")
	if [ "$2" = micro ]; then
		list=()
		for w in "${MICROS[@]}"; do wants "$w" && list+=("$w"); done
	fi
	for w in "${list[@]}"; do
		for m in $(workload_metrics "$w"); do
			csv_row "$1" "$w" "$m" "$(metric_unit "$m")" "" "" absent "$3"
		done
	done
}

# Workload-specific absences on a present platform ("" when it can run there).
cannot_run() { # PLATFORM WORKLOAD
	local p=$1 w=$2 app
	case "$w" in
	sqlite) app=sqlite ;; lua) app=lua ;; http) app=httpd ;; echo) app="echo" ;; *) app=virtbench ;;
	esac
	if [ "$p" != native ] && [ -n "${build_failed[$app]:-}" ]; then
		echo "apps/$app did not build (see ${build_failed[$app]})"
		return
	fi
	if [ "${p_kind[$p]}" = xen ] && [ "$app" != virtbench ] && [ -n "${xen_build_failed[$app]:-}" ]; then
		echo "apps/$app's Xen image did not build (see ${xen_build_failed[$app]})"
		return
	fi
	case "$w" in
	http|echo)
		[ -n "$net_why" ] && { echo "$net_why"; return; }
		if [ "${p_kind[$p]}" = xen ] && [ "$xen_mode" = nested ]; then
			echo "the nested Xen host's guests are reachable only from its emulated dom0 (support/xen-bench.sh measures httpd there, with ab)"
		elif [ "${p_kind[$p]}" = xen ]; then
			echo "not wired yet: the guest's vif needs a bridge this driver does not set up"
		fi ;;
	blk)
		if [ "${p_kind[$p]}" = xen ] && [ "$xen_virtbench" != build/virtbench/virtbench.xen ]; then
			echo "the Xen image has no block driver here (apps/virtbench's Xen build failed with it: ${xen_build_failed[virtbench]})"
		fi ;;
	esac
	return 0
}

# Sizes per platform: the nested Xen host is a hundred times slower at some things (a clock read
# under PVH in TCG costs 80 us), so its iteration counts are a tenth.
micro_list() { # PLATFORM: "name=N,..." for the chosen microbenchmarks
	local p=$1 m n spec="" scale=$micro_scale
	[ "${p_emulated[$p]}" = 1 ] && [ "${p_kind[$p]}" = xen ] && scale=$(awk -v s="$scale" 'BEGIN { print s / 10 }')
	for m in "${MICROS[@]}"; do
		wants "$m" || continue
		# Sizes (MiB, rounds, samples) stay; iteration counts scale.
		case "$m" in
		touch) n=$([ $quick = 1 ] && echo 16 || echo 64) ;;
		bandwidth) n=$([ $quick = 1 ] && echo 2 || echo 4) ;;
		sleep) n=$([ $quick = 1 ] && echo 20 || echo 100) ;;
		clock) n=$(awk -v s="$scale" 'BEGIN { n = int(1000000 * s); print n < 100 ? 100 : n }') ;;
		*) n=$(awk -v s="$scale" 'BEGIN { n = int(100000 * s); print n < 100 ? 100 : n }') ;;
		esac
		# The Xen console ring holds 2 KiB: more writes than that would time xenconsoled.
		[ "$m" = null-call ] && [ "${p_kind[$p]}" = xen ] && n=1000
		spec+="${spec:+,}$m=$n"
	done
	echo "$spec"
}

lua_args() { # PATH-OF-BENCH.LUA
	printf '%s\n' -e
	echo "local t0 = os.clock() dofile('$1') print('virtbench: lua ' .. (os.clock() - t0) .. ' s')"
}

# image_cmd PLATFORM APP MEM DISK ARGS...: cmd=(the command line of one run: native, skiff-hv or
# QEMU), with no shell in it (hyperfine runs it as it is).
cmd=()
image_cmd() {
	local p=$1 app=$2 mem=$3 disk=$4 initrd="" img
	shift 4
	img=build/$app/$app.kvm
	[ -f "build/$app/$app.initrd" ] && initrd=build/$app/$app.initrd
	case "${p_kind[$p]}" in
	native)
		case "$app" in
		virtbench) cmd=("$nat/virtbench-linux") ;;
		sqlite) cmd=("$nat/speedtest1-linux") ;;
		lua) cmd=("$nat/lua-linux") ;;
		esac
		[ -z "$disk" ] || cmd=(env "VIRTBENCH_DISK=$disk" "${cmd[@]}")
		cmd+=("$@") ;;
	hv)
		cmd=("$hv" --backend="${p#hv-}" --mem="$mem" ${initrd:+--initrd="$initrd"} ${disk:+--disk="$disk"}
		     "$img" bootstats -- "$@") ;;
	qemu)
		local m=${p#qemu-*-} a=${p#qemu-} efi=()
		# q35 with OVMF boots the UEFI image (support/qemu-run.sh --efi).
		[ "$m" = q35-ovmf ] && m=q35 efi=(--efi) img=build/$app/$app.efi
		cmd=(support/qemu-run.sh --timeout "$run_timeout" --accel "${a%%-*}" --machine "$m" "${efi[@]}" --mem "$mem"
		     ${initrd:+--initrd "$initrd"} ${disk:+--disk "$disk"} --opts bootstats "$img" -- "$@") ;;
	esac
}

# Start-up, launch to exit, timed by hyperfine: a shell's fork and timeout(1) would cost more
# than a skiff-hv start (5 to 20 ms on this kind of host). One warm-up, then the run whose
# output (bootstats) the log keeps.
time_startup() { # LOG: runs cmd; prints milliseconds, or nothing when it failed
	local json=$1.json
	timeout -k 5 "$run_timeout" hyperfine -N -i --warmup 1 --runs 1 --output="$1" --export-json "$json" \
		"${cmd[*]}" >/dev/null 2>"$1.err" || return 0
	python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
if r["exit_codes"][0] == 0: print("%.3f" % (r["times"][0] * 1000))' "$json" 2>/dev/null || true
}

# run_one PLATFORM WORKLOAD REP: runs the workload once (Xen: queues it) and records its rows.
run_one() {
	local p=$1 w=$2 rep=$3 log rc wall="" disk="" app=virtbench mem=64M args=()
	log=$out/logs/$p/$w-$rep.log
	mkdir -p "$out/logs/$p"
	case "$w" in
	micro) mem=256M; args=(micro "$(micro_list "$p")") ;;
	crash) args=(crash) ;;
	startup) args=(nop) ;;
	sqlite) app=sqlite; mem=128M; args=(--memdb --size "$sqlite_size") ;;
	lua)
		app=lua
		if [ "$p" = native ]; then mapfile -t args < <(lua_args apps/lua/rootfs/bench.lua)
		else mapfile -t args < <(lua_args /initrd/bench.lua); fi ;;
	blk)
		local mib=$blk_mib
		# The nested Xen host keeps its guests' disks in dom0's memory: 32 MiB at most there.
		[ "${p_kind[$p]}" != xen ] || [ "$xen_mode" != nested ] || [ "$mib" -le 32 ] || mib=32
		mem=64M disk=$out/disk.img
		rm -f "$disk"
		[ "${p_kind[$p]}" = xen ] || truncate -s $((mib + 1))M "$disk"
		args=(blk "$mib" "$([ $quick = 1 ] && echo 500 || echo 5000)") ;;
	esac
	if [ "${p_kind[$p]}" = xen ]; then
		xen_disk=""
		[ -z "$disk" ] || xen_disk=$((args[1] + 1))
		xen_queue "$p" "$w" "$rep" "$app" "${mem%M}" "${args[@]}"
		return
	fi
	rc=0
	image_cmd "$p" "$app" "$mem" "$disk" "${args[@]}"
	if [ "$p" = native ] && [ ! -x "${cmd[-1 - ${#args[@]}]}" ]; then
		echo "the Linux build failed (see $out/logs/build-${cmd[-1 - ${#args[@]}]##*/}-linux.log)" >"$log"
		rc=125
	elif [ "$w" = startup ]; then
		wall=$(time_startup "$log")
		[ -n "$wall" ] || rc=1
	else
		[ "${p_kind[$p]}" = qemu ] || cmd=(timeout -k 5 "$run_timeout" "${cmd[@]}")
		"${cmd[@]}" >"$log" 2>&1 </dev/null || rc=$?
	fi
	[ -z "$disk" ] || rm -f "$disk"
	record_run "$p" "$w" "$rep" "$rc" "$log" "$wall"
}

# The rows of one finished run. WALL_MS: start-up's launch to exit, empty when it failed; left out
# where the host cannot time it (the nested Xen host).
record_run() { # PLATFORM WORKLOAD REP RC LOG [WALL_MS]
	local p=$1 w=$2 rep=$3 rc=$4 log=$5 wall=${6-none} m metrics=() lines
	case "$w" in
	micro)
		for m in "${MICROS[@]}"; do
			wants "$m" || continue
			mapfile -t metrics < <(workload_metrics "$m")
			record "$p" "$m" "$rep" "$rc" "$log" "${metrics[@]}"
		done
		return 0 ;;
	sqlite)
		# speedtest1's own total, as a virtbench line.
		lines=$(tr -d '\r' <"$log" | sed -n 's/^ *TOTAL\.* *\([0-9.]*\)s$/virtbench: sqlite \1 s/p')
		[ -z "$lines" ] || echo "$lines" >>"$log" ;;
	startup)
		if [ -n "$wall" ] && [ "$wall" != none ]; then echo "virtbench: start-to-exit $wall ms" >>"$log"; fi
		lines=$(tr -d '\0\r' <"$log" | sed -n 's/^bootstats: main() at \([0-9]*\) us.*/virtbench: boot-to-main \1 us/p')
		[ -z "$lines" ] || echo "$lines" >>"$log"
		if [ "$p" = native ]; then
			record "$p" startup "$rep" "$rc" "$log" start-to-exit
			[ "$rep" = 1 ] && csv_row "$p" startup boot-to-main us "" "" absent "a Linux process has no boot"
			return 0
		fi
		if [ "$wall" = none ]; then
			record "$p" startup "$rep" "$rc" "$log" boot-to-main
			[ "$rep" = 1 ] && csv_row "$p" startup start-to-exit ms "" "" absent "the nested Xen host does not time xl create"
			return 0
		fi ;;
	esac
	mapfile -t metrics < <(workload_metrics "$w")
	record "$p" "$w" "$rep" "$rc" "$log" "${metrics[@]}"
}

# ---- Xen: every run queued, then one batch -------------------------------------------------------

xen_specs=() xen_runs=()
xen_disk=""   # MiB of disk the next queued guest gets (blkback), or none

xen_queue() { # PLATFORM WORKLOAD REP APP MEM_MB ARGS...
	local p=$1 w=$2 rep=$3 app=$4 mem=$5 name img extra="bootstats --" a initrd="" log
	shift 5
	name=${p#xen-}-$w-$rep
	img=build/$app/$app.xen
	[ "$app" = virtbench ] && img=$xen_virtbench
	[ -f "build/$app/$app.initrd" ] && initrd=build/$app/$app.initrd
	if [ ! -f "$img" ]; then
		log=$out/logs/$p/$w-$rep.log
		echo "no Xen image $img (see $out/logs/build-$app.log)" >"$log"
		record_run "$p" "$w" "$rep" 125 "$log" ""
		return
	fi
	for a in "$@"; do
		extra+=" '${a//\'/\'\\\'\'}'"
	done
	xen_runs+=("$p $w $rep $name")
	if [ "$xen_mode" = xl ]; then
		xl_run "$p" "$w" "$rep" "$name" "$img" "$mem" "$initrd" "$extra"
	else
		xen_specs+=("$name=$img,type=${p#xen-},mem=$mem${initrd:+,initrd=$initrd}${xen_disk:+,disk=${xen_disk}M},extra=$extra")
	fi
}

# A real Xen host: xl create with the console attached, which returns when the domain is gone.
xl_run() { # PLATFORM WORKLOAD REP NAME IMAGE MEM INITRD EXTRA
	local p=$1 w=$2 rep=$3 name=vb-$4 img=$5 mem=$6 initrd=$7 extra=$8 cfg log rc=0 t0 t1
	cfg=$out/logs/$p/$4.cfg log=$out/logs/$p/$w-$rep.log
	# xl's strings are double-quoted with backslash escapes.
	extra=${extra//\\/\\\\}
	extra=${extra//\"/\\\"}
	mkdir -p "$out/logs/$p"
	support/xl-config.sh "$img" "$name" $initrd | grep -v '^extra = ' | sed -e "s/^type = .*/type = \"${p#xen-}\"/" \
		-e "s/^memory = .*/memory = $mem/" -e 's/^on_poweroff = .*/on_poweroff = "destroy"/' \
		-e 's/^on_crash = .*/on_crash = "destroy"/' >"$cfg"
	printf 'extra = "%s"\n' "$extra" >>"$cfg"
	if [ -n "$xen_disk" ]; then
		rm -f "$out/disk.img"
		truncate -s "${xen_disk}M" "$out/disk.img"
		echo "disk = [ 'format=raw,vdev=xvda,access=rw,target=$(realpath "$out/disk.img")' ]" >>"$cfg"
	fi
	t0=$EPOCHREALTIME
	timeout -k 5 "$run_timeout" xl create -c "$cfg" >"$log" 2>&1 </dev/null || rc=$?
	t1=$EPOCHREALTIME
	xl destroy "$name" >/dev/null 2>&1 || true
	record_run "$p" "$w" "$rep" "$rc" "$log" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) * 1000 }')"
}

# The nested host: all queued guests in one Xen boot (one boot costs 20 s under TCG).
xen_batch() {
	local rc=0 r p w rep name log status reason why work=$out/logs/xen-test
	[ ${#xen_specs[@]} -gt 0 ] || return 0
	say "nested Xen: ${#xen_specs[@]} guests in one boot of the test host (QEMU TCG)"
	support/xen-test.sh --workdir "$work" --timeout "$xen_timeout" "${xen_specs[@]}" \
		>"$out/logs/xen-test.log" 2>&1 </dev/null || rc=$?
	if [ $rc = 3 ] || [ $rc = 2 ]; then
		why=$(grep -m1 'xen-test: ' "$out/logs/xen-test.log" | sed 's/^xen-test: //' | cut -c1-200)
		for p in xen-pv xen-pvh; do
			[ "${p_state[$p]:-}" = present ] && absent "$p" "the nested Xen test host could not run here: ${why:-exit $rc}"
		done
		return
	fi
	for r in "${xen_runs[@]}"; do
		read -r p w rep name <<<"$r"
		log=$out/logs/$p/$w-$rep.log
		if [ -f "$work/$name/result" ]; then
			cp "$work/$name/console.log" "$log"
			status=$(sed -n 's/^status=//p' "$work/$name/result")
			reason=$(sed -n 's/^reason=//p' "$work/$name/result")
			case "$reason:$status" in
			poweroff:[0-9]*) rc=$status ;;
			timeout:*) rc=124 ;;
			crash:*) rc=127 ;;
			*) rc=125; echo "xen-test: reason=$reason status=$status" >>"$log" ;;
			esac
		else
			echo "the nested Xen host stopped before this guest ran (see $out/logs/xen-test.log)" >"$log"
			rc=125
		fi
		record_run "$p" "$w" "$rep" "$rc" "$log"
	done
}

# ---- network: servers in namespaces, clients from the host's side of the taps --------------------

# skiff-hv's guests on tap0 (10.0.0.2), QEMU's on tap1 (10.0.1.2): QEMU leaves its offload
# settings on a tap it used (checksums left to the reader), which skiff-hv does not expect.
NS=vbns-img NSNAT=vbns-nat
NAT_IP=10.0.9.2 MAC=02:53:4b:00:00:02
net_why="" spid=""

# Made again when they are gone (something else on the host may remove namespaces mid-run).
net_ensure() {
	[ -z "$net_why" ] || return 0
	if ! ip netns list 2>/dev/null | grep -qE "^sk-$NS( |$)" || ! ip netns list 2>/dev/null | grep -qE "^sk-$NSNAT( |$)"; then
		say "the namespaces sk-$NS and sk-$NSNAT are gone: making them again"
		net_teardown
		net_setup
	fi
}

net_setup() {
	if ! in_list http "${workloads[@]}" && ! in_list echo "${workloads[@]}"; then return 0; fi
	if [ "$(id -u)" != 0 ]; then
		net_why="network namespaces need root"
		return 0
	fi
	support/deps.sh net >/dev/null || { net_why="the network tools are missing (support/deps.sh net)"; return 0; }
	if ! { support/netns.sh create "$NS" 2 && support/netns.sh create "$NSNAT" 1 &&
		ip -n "sk-$NS" link add vbv0 type veth peer name vbv1 netns "sk-$NSNAT" &&
		ip -n "sk-$NS" addr add 10.0.9.1/24 dev vbv0 && ip -n "sk-$NS" link set vbv0 up &&
		ip -n "sk-$NSNAT" addr add "$NAT_IP/24" dev vbv1 && ip -n "sk-$NSNAT" link set vbv1 up &&
		# Fixed neighbour entries: the first SYN does not wait on ARP.
		ip -n "sk-$NS" neigh replace 10.0.0.2 lladdr "$MAC" dev tap0 nud permanent &&
		ip -n "sk-$NS" neigh replace 10.0.1.2 lladdr "$MAC" dev tap1 nud permanent; } >"$out/logs/netns.log" 2>&1; then
		net_why="cannot set up network namespaces here (see $out/logs/netns.log)"
	fi
}

net_teardown() {
	support/netns.sh destroy "$NSNAT" >/dev/null 2>&1 || true
	support/netns.sh destroy "$NS" >/dev/null 2>&1 || true
}

in_ns() { support/netns.sh exec "$NS" "$@"; }

# serve PLATFORM APP LOG ARGS...: the server in the background, in a session of its own so that
# stop_server ends all of it; sets spid and returns 0 once it answers, 1 if it never does.
serve() {
	local p=$1 app=$2 log=$3 ip=10.0.0.2 initrd=""
	shift 3
	[ -f "build/$app/$app.initrd" ] && initrd=build/$app/$app.initrd
	case "${p_kind[$p]}" in
	native)
		ip=$NAT_IP
		setsid support/netns.sh exec "$NSNAT" "$nat/$app-linux" "$@" >"$log" 2>&1 </dev/null & ;;
	hv)
		setsid support/netns.sh exec "$NS" "$hv" --backend="${p#hv-}" --net=tap0 --net-mac="$MAC" \
			${initrd:+--initrd="$initrd"} "build/$app/$app.kvm" "net.ip=$ip/24" -- "$@" >"$log" 2>&1 </dev/null & ;;
	qemu)
		local m=${p#qemu-*-} a=${p#qemu-} img=build/$app/$app.kvm efi=()
		ip=10.0.1.2
		[ "$m" = q35-ovmf ] && m=q35 efi=(--efi) img=build/$app/$app.efi
		setsid support/netns.sh exec "$NS" support/qemu-run.sh --timeout 3600 --accel "${a%%-*}" --machine "$m" \
			"${efi[@]}" --nic "tap=tap1,mac=$MAC" --opts "net.ip=$ip/24 net.gw=10.0.1.1" ${initrd:+--initrd "$initrd"} \
			"$img" -- "$@" >"$log" 2>&1 </dev/null & ;;
	esac
	spid=$!
	server_ip=$ip
	local until=$((SECONDS + 60)) # a TCG boot of pc takes seconds
	while [ $SECONDS -lt $until ]; do
		case "$app" in
		httpd) in_ns curl -s --connect-timeout 0.1 -m 2 -o /dev/null "http://$ip/index.html" && return 0 ;;
		echo) in_ns timeout 2 "$nat/echo-client" "$ip" 7 probe 2>/dev/null && return 0 ;;
		esac
		kill -0 "$spid" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

stop_server() {
	[ -n "$spid" ] || return 0
	kill -TERM -- "-$spid" 2>/dev/null || true
	wait "$spid" 2>/dev/null || true
	local i
	for i in $(seq 50); do
		pgrep -g "$spid" >/dev/null 2>&1 || break
		[ "$i" = 30 ] && kill -KILL -- "-$spid" 2>/dev/null
		sleep 0.1
	done
	spid=""
}

# wrk's figures as virtbench lines.
wrk_lines() { # METRIC-SUFFIX (1 or 50) < wrk output
	awk -v c="$1" '
		/Requests\/sec:/ { print "virtbench: http-" c, $2, "req/s" }
		c == 1 && $1 == "50%" {
			v = $2; u = v; sub(/[a-z]+$/, "", v); sub(/^[0-9.]+/, "", u)
			f = u == "us" ? 1 : u == "ms" ? 1000 : u == "s" ? 1000000 : 0
			if (f) print "virtbench: http-lat", v * f, "us"
		}'
}

run_net() { # PLATFORM WORKLOAD: one server boot, then the client REPS times
	local p=$1 w=$2 rep log slog rc up=1 metrics=() args=(7)
	slog=$out/logs/$p/$w-server.log
	mkdir -p "$out/logs/$p"
	mapfile -t metrics < <(workload_metrics "$w")
	net_ensure
	if [ "$p" = native ] && [ ! -x "$nat/$([ "$w" = http ] && echo httpd || echo echo)-linux" ]; then
		echo "the Linux build failed (see $out/logs/build-$([ "$w" = http ] && echo httpd || echo echo)-linux-linux.log)" >"$slog"
		up=0
	elif [ "$w" = http ]; then
		args=()
		[ "$p" = native ] && args=(-p 80 -r apps/httpd/rootfs)
		serve "$p" httpd "$slog" "${args[@]}" || up=0
	else
		serve "$p" echo "$slog" "${args[@]}" || up=0
	fi
	for rep in $(seq "$(reps_for "$p")"); do
		log=$out/logs/$p/$w-$rep.log
		if [ $up = 0 ]; then
			{ echo "the server did not come up within 60 s: $(head -n 1 "$slog")"; tail -n 20 "$slog"; } >"$log" 2>&1
			record "$p" "$w" "$rep" 125 "$log" "${metrics[@]}"
			continue
		fi
		rc=0
		if [ "$w" = http ]; then
			{ in_ns timeout 60 wrk -t1 -c1 -d"${net_s}s" --latency "http://$server_ip/index.html" 2>&1 | tee -a "$log" | wrk_lines 1
			  in_ns timeout 60 wrk -t2 -c50 -d"${net_s}s" "http://$server_ip/index.html" 2>&1 | tee -a "$log" | wrk_lines 50
			} >"$log.lines" || rc=$?
		else
			{ in_ns timeout 60 "$nat/echo-client" "$server_ip" 7 throughput "$net_s" &&
			  in_ns timeout 60 "$nat/echo-client" "$server_ip" 7 latency "$([ $quick = 1 ] && echo 1000 || echo 10000)"
			} >"$log.lines" 2>>"$log" || rc=$?
		fi
		cat "$log.lines" >>"$log"
		rm -f "$log.lines"
		kill -0 "$spid" 2>/dev/null || { rc=127; echo "the server ended:" >>"$log"; tail -n 20 "$slog" >>"$log"; }
		record "$p" "$w" "$rep" "$rc" "$log" "${metrics[@]}"
	done
	stop_server
}

# ---- main ----------------------------------------------------------------------------------------

cleanup() {
	stop_server
	net_teardown
}

main() {
	local p w rep
	parse_args "$@"
	load_start=$(cut -d' ' -f1-3 /proc/loadavg)
	run_timeout=$([ $quick = 1 ] && echo 120 || echo 600)
	xen_timeout=$([ $quick = 1 ] && echo 120 || echo 600)
	mkdir -p "$out"
	out=$(cd "$out" && pwd)
	out=${out#"$PWD"/}
	support/deps.sh build bench >/dev/null || say "missing packages (support/deps.sh bench): plots may be missing"
	rm -rf "$out/logs" "$out"/*.png "$out"/results.*
	build_all
	probe_platforms
	if [ $list_only = 1 ]; then
		for p in "${platforms[@]}"; do
			printf '%-18s %-8s %s\n' "$p" "${p_state[$p]}" "${p_label[$p]:-${p_reason[$p]}}"
		done
		return 0
	fi
	csv=$out/results.csv
	echo "platform,workload,metric,unit,rep,value,status,note" >"$csv"
	trap cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	net_setup

	local batch=() mw=0
	for w in "${MICROS[@]}"; do wants "$w" && mw=1; done
	[ $mw = 1 ] && batch+=(micro)
	for w in crash sqlite lua blk startup; do wants "$w" && batch+=("$w"); done
	say "platforms: ${platforms[*]}; workloads: ${workloads[*]}; $reps runs each ($emu_reps on emulated ones)"
	# Rounds outermost: this host's speed drifts, so every platform sees each stretch of it.
	for rep in $(seq "$reps"); do
		for p in "${platforms[@]}"; do
			[ "${p_state[$p]}" = present ] && [ "$rep" -le "$(reps_for "$p")" ] || continue
			for w in "${batch[@]}"; do
				local why=""
				why=$(cannot_run "$p" "$w")
				if [ -n "$why" ]; then
					[ "$rep" = 1 ] && record_absent "$p" "$w" "$why"
					continue
				fi
				run_one "$p" "$w" "$rep"
			done
		done
		say "round $rep of $reps done"
	done
	for w in http echo; do
		wants "$w" || continue
		for p in "${platforms[@]}"; do
			[ "${p_state[$p]}" = present ] || continue
			why=$(cannot_run "$p" "$w")
			if [ -n "$why" ]; then record_absent "$p" "$w" "$why"; continue; fi
			run_net "$p" "$w"
		done
	done
	net_teardown
	xen_batch
	write_platforms
	report
}

write_platforms() {
	local p
	{
		printf 'platform\tstate\temulated\tlabel\treason\n'
		for p in "${platforms[@]}"; do
			printf '%s\t%s\t%s\t%s\t%s\n' "$p" "${p_state[$p]}" "${p_emulated[$p]:-0}" "${p_label[$p]:-}" "${p_reason[$p]:-}"
		done
	} >"$out/platforms.tsv"
	printf '%s\n' "$METRICS" >"$out/metrics.tsv"
	{
		printf 'key\tvalue\n'
		printf 'date\t%s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
		printf 'host\t%s, %s cores, Linux %s\n' "$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1)" "$(nproc)" "$(uname -r)"
		printf 'command\tsupport/virtbench.sh%s\n' "${orig_args[*]:+ ${orig_args[*]}}"
		printf 'reps\t%s\n' "$reps"
		printf 'emulated_reps\t%s\n' "$emu_reps"
		printf 'quick\t%s\n' "$quick"
		printf 'sizes\tspeedtest1 --memdb --size %s; network runs %s s; blk %s MiB; micro scale %s\n' \
			"$sqlite_size" "$net_s" "$blk_mib" "$micro_scale"
		printf 'xen\t%s\n' "${xen_mode:-none}"
		# Other work on the host moves every figure: say how busy it was.
		printf 'load\t%s at the start, %s at the end\n' "$load_start" "$(cut -d' ' -f1-3 /proc/loadavg)"
	} >"$out/meta.tsv"
}

report() {
	local py=python3
	# Debian's python3, whose matplotlib support/deps.sh installs (one first on PATH may lack it).
	[ -x /usr/bin/python3 ] && py=/usr/bin/python3
	if ! "$py" support/virtbench-report.py "$out"; then
		say "the report could not be written (see above)"
		exit 1
	fi
}

orig_args=("$@")
main "$@"
