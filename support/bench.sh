#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Benchmarks (figures, never pass/fail), all in one run. Results also go to build/bench/results.txt.
#   - hello.kvm's size and the smallest memory it runs in (QEMU -m, skiff-hv --mem)
#   - whole-process start-up: the KVM floor (create a VM, one HLT), skiff-hv, QEMU microvm;
#     hyperfine medians over RUNS runs, with hello built without its 10 ms sleep
#   - the guest's own first-instruction-to-main() time (TSC stamps, kernel option bootstats)
#   - skiff-hv's backends side by side: whole-process start (process backend, KVM backend, and
#     their floors), one console round trip (apps/virtbench null-call), and a compute workload
#     (Lua running apps/lua/rootfs/bench.lua) against the same Lua built as a Linux program
#   - skiff-hv's size in lines of C and its seccomp allow-list
#   - newlib: first build and a cached app build; the Lua app's size and smallest memory
#   - SQLite (support/sqlite-bench.sh): speedtest1 in the image under skiff-hv and QEMU against
#     the same sources built as a Linux program, in memory and on a file; its smallest memory
#   - key-value (support/kv-bench.sh): apps/kv under skiff-hv against redis-server, redis-benchmark
#   - networking (support/net-bench.sh): httpd under QEMU against nginx with the same wrk
#     commands, httpd's size, smallest memory, time to the first response and idle CPU
#   - UEFI (support/efi-bench.sh): .efi and disk-image sizes, OVMF start to main() (firmware,
#     stub and Skiff apart), virtio-blk sequential throughput and 4 KiB random-read IOPS
# Usage: support/bench.sh [RUNS] (default 50).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-50}
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "bench: RUNS must be a positive number" >&2; exit 2; }
support/deps.sh all
out=build/bench
mkdir -p "$out"
results="$out/results.txt"
: >"$results"
say() { echo "$*" | tee -a "$results"; }

make -s APP=apps/hello
make -s hv
make -s O=build/bench-hello APP=apps/hello DEFCONFIG=support/bench-hello.defconfig defconfig
make -s O=build/bench-hello APP=apps/hello
gcc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -o "$out/kvm-floor" support/kvm-floor.c
img=build/hello/hello.kvm fast=build/bench-hello/hello.kvm hv=build/hv/skiff-hv
have_kvm=0
[ -c /dev/kvm ] && "$out/kvm-floor" && have_kvm=1

strip --strip-all -o "$out/hello.stripped" "$img"
rm -f "$out"/startup-*.json
say "hello.kvm: $(stat -c %s "$img") bytes, $(stat -c %s "$out/hello.stripped") bytes stripped"

# Smallest memory (KiB, 4 KiB steps) in which hello still runs to completion: RUNNER SIZE.
smallest() {
	local lo=$1 hi=65536 mid
	shift
	while [ $((hi - lo)) -gt 4 ]; do
		mid=$(( (lo + hi) / 2 / 4 * 4 ))
		if "$@" "${mid}K" >"$out/mem.log" 2>&1 && grep -q "token passed" "$out/mem.log"; then hi=$mid; else lo=$mid; fi
	done
	echo "$hi"
}
qemu_mem() { support/qemu-run.sh --timeout 30 --mem "$1" "$img"; }
hv_mem() { "$hv" --backend=kvm --mem="$1" "$img"; }
say "smallest QEMU -m for hello: $(smallest 1024 qemu_mem) KiB (support/qemu-run.sh --mem SIZE $img)"
[ $have_kvm = 1 ] && say "smallest skiff-hv --mem for hello: $(smallest 2044 hv_mem) KiB (skiff-hv --mem=SIZE $img; it accepts 2M at least)"

median_ms() { python3 -c "import json,sys; print('%.2f' % (json.load(open(sys.argv[1]))['results'][0]['median'] * 1000))" "$1"; }
bench() { # NAME COMMAND
	hyperfine -N --warmup 3 --runs "$runs" --export-json "$out/$1.json" "$2" >/dev/null 2>&1 || { echo "n/a"; return; }
	median_ms "$out/$1.json"
}
# This host is shared and its speed drifts by tens of percent within minutes, so the floor,
# skiff-hv and QEMU microvm are timed together, in one hyperfine call per round, for 3 rounds;
# the ratios come from the same round and the report gives each round and the median.
if [ $have_kvm = 1 ]; then
	say "start-up, whole process, medians of $runs runs each (hyperfine -N), 3 rounds:"
	say "  floor: $out/kvm-floor (create a VM, one HLT); hv: $hv --quiet $fast"
	say "  qemu: support/qemu-run.sh --machine microvm $fast (TCG)"
	for round in 1 2 3; do
		hyperfine -N --warmup 3 --runs "$runs" --export-json "$out/startup-$round.json" \
			"$out/kvm-floor" "$hv --backend=kvm --quiet $fast" "support/qemu-run.sh --machine microvm $fast" \
			>/dev/null 2>&1 || { say "  round $round: hyperfine failed"; continue; }
		python3 - "$out/startup-$round.json" "$round" <<'PY' | tee -a "$results"
import json, sys
floor, hv, qemu = (r["median"] * 1000 for r in json.load(open(sys.argv[1]))["results"])
print("  round %s: floor %.2f ms, skiff-hv %.2f ms, QEMU %.1f ms: skiff-hv/floor %.2fx, QEMU/skiff-hv %.1fx"
      % (sys.argv[2], floor, hv, qemu, hv / floor, qemu / hv))
PY
	done
	python3 - "$out" <<'PY' | tee -a "$results"
import glob, json, statistics, sys
rounds = [[r["median"] for r in json.load(open(f))["results"]] for f in sorted(glob.glob(sys.argv[1] + "/startup-*.json"))]
if rounds:
    print("  median over rounds: skiff-hv/floor %.2fx, QEMU/skiff-hv %.1fx" %
          (statistics.median(h / f for f, h, q in rounds), statistics.median(q / h for f, h, q in rounds)))
PY
else
	say "no usable /dev/kvm: skiff-hv and the floor were not timed"
	say "  QEMU -M microvm TCG, same image:   $(bench qemu "support/qemu-run.sh --machine microvm $fast") ms"
fi
qpc=$(bench qemu-pc "support/qemu-run.sh --machine pc $fast")
say "  QEMU -M pc TCG, same image:        $qpc ms"
say "  (QEMU -accel kvm cannot run a CPL-0 guest on this machine's PVM /dev/kvm; see README)"

# skiff-hv's two backends, each figure for each backend in one hyperfine call (rounds as above).
backends_bench() {
	local bes="process" r
	[ $have_kvm = 1 ] && bes="kvm process"
	gcc -O2 -static-pie -o "$out/proc-floor" -x c - <<<'int main(void) { return 0; }'
	say "skiff-hv backends ($bes), start-up, whole process, medians of $runs runs, 3 rounds:"
	say "  proc-floor: a static PIE that returns at once; hv: $hv --backend=B --quiet $fast"
	for round in 1 2 3; do
		local cmds=("$out/proc-floor")
		for b in $bes; do cmds+=("$hv --backend=$b --quiet $fast"); done
		[ $have_kvm = 1 ] && cmds+=("$out/kvm-floor")
		hyperfine -N --warmup 3 --runs "$runs" --export-json "$out/backends-$round.json" "${cmds[@]}" \
			>/dev/null 2>&1 || { say "  round $round: hyperfine failed"; continue; }
		python3 - "$out/backends-$round.json" "$round" <<'PY' | tee -a "$results"
import json, sys
r = json.load(open(sys.argv[1]))["results"]
m = {x["command"].split()[1] if "--backend=" in x["command"] else x["command"].split("/")[-1]: x["median"] * 1000 for x in r}
line = "  round %s: proc-floor %.2f ms, process %.2f ms (%.2fx)" % (sys.argv[2], m["proc-floor"], m["--backend=process"], m["--backend=process"] / m["proc-floor"])
if "--backend=kvm" in m:
    line += ", kvm-floor %.2f ms, kvm %.2f ms (%.2fx)" % (m["kvm-floor"], m["--backend=kvm"], m["--backend=kvm"] / m["kvm-floor"])
print(line)
PY
	done
	make -s APP=apps/virtbench
	for b in $bes; do
		r=$(for _ in 1 2 3; do "$hv" --backend=$b build/virtbench/virtbench.kvm -- null-call 20000 2>/dev/null |
			tr -d '\0' | sed -n 's/^virtbench: null-call \([0-9]*\) ns.*/\1/p'; done | sort -n | sed -n 2p)
		say "  one console round trip (guest write(1 byte) to the monitor and back, median of 3 x 20000), $b: ${r:-n/a} ns"
	done
	say "    ($hv --backend=B build/virtbench/virtbench.kvm -- null-call 20000 >/dev/null)"
	make -s APP=apps/lua
	gcc -O2 -std=gnu99 -DLUA_COMPAT_5_3 -DLUA_USE_POSIX -o "$out/lua-native" \
		$(ls build/deps/lua-src/src/*.c | grep -v luac.c) -lm
	local cmds=("$out/lua-native apps/lua/rootfs/bench.lua")
	for b in $bes; do cmds+=("$hv --backend=$b --initrd=build/lua/lua.initrd build/lua/lua.kvm -- /initrd/bench.lua"); done
	hyperfine -N --warmup 1 --runs 5 --export-json "$out/lua-bench.json" "${cmds[@]}" >/dev/null 2>&1 ||
		{ say "  lua bench: hyperfine failed"; return; }
	python3 - "$out/lua-bench.json" <<'PY' | tee -a "$results"
import json, sys
r = json.load(open(sys.argv[1]))["results"]
native = r[0]["median"]
print("  compute, Lua running apps/lua/rootfs/bench.lua (median of 5): Linux build of the same Lua %.3f s" % native)
for x in r[1:]:
    b = x["command"].split()[1].split("=")[1]
    print("    skiff-hv %s backend %.3f s (%.2fx Linux)" % (b, x["median"], x["median"] / native))
PY
}

# The guest's own view: first instruction to main(), from its TSC.
entry() { for _ in $(seq 20); do "$@" 2>/dev/null | sed -n 's/^bootstats: main() at \([0-9]*\) us.*/\1/p'; done | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
[ $have_kvm = 1 ] && say "guest entry to main(), median of 20: skiff-hv (kvm) $(entry $hv --backend=kvm "$fast" bootstats) us"
say "guest entry to main(), median of 20: skiff-hv (process) $(entry $hv --backend=process "$fast" bootstats) us"
say "guest entry to main(), median of 20: QEMU microvm TCG $(entry support/qemu-run.sh --opts bootstats "$fast") us"

backends_bench

say "skiff-hv: $(cat hv/*.c hv/include/hv/*.h | wc -l) lines of C (hv/*.c, hv/include), $(stat -c %s $hv) bytes"
say "skiff-hv seccomp allow-list: $(grep -o 'allow_[a-z_]*(&b, __NR_[a-z0-9_]*' hv/seccomp.c | sed 's/.*__NR_//' | tr '\n' ' ')(fds pinned); kvm: ioctl(KVM_RUN, KVM_GET_REGS, KVM_GET_SREGS) on the vCPU; process: mmap and mprotect without PROT_EXEC, arch_prctl(ARCH_SET_FS, own TLS)"
# newlib: one full build from source (what the first build of any app pays), then how long an
# app build takes with newlib cached (it must not rebuild newlib).
newlib_cflags=$(make -s -p APP=apps/hello 2>/dev/null | sed -n 's/^NEWLIB_CFLAGS := //p' | head -1)
t0=$(date +%s.%N)
lib/newlib/build.sh build/deps/newlib-src "$out/newlib-timing" "$newlib_cflags"
t1=$(date +%s.%N)
rm -rf "$out/newlib-timing" build/bench-cached
t2=$(date +%s.%N)
make -s O=build/bench-cached APP=apps/hello >"$out/cached.log" 2>&1
t3=$(date +%s.%N)
grep -q NEWLIB "$out/cached.log" && say "WARNING: the cached build rebuilt newlib"
say "newlib build from source: $(python3 -c "print('%.1f' % ($t1 - $t0))") s; a fresh hello build with newlib cached: $(python3 -c "print('%.1f' % ($t3 - $t2))") s"

make -s APP=apps/lua
strip --strip-all -o "$out/lua.stripped" build/lua/lua.kvm
say "lua.kvm: $(stat -c %s build/lua/lua.kvm) bytes, $(stat -c %s "$out/lua.stripped") bytes stripped"
lua_ok() { grep -q "lua-test: 23 passed, 0 failed" "$out/mem.log"; }
lua_qemu() { support/qemu-run.sh --timeout 60 --mem "$1" --initrd build/lua/lua.initrd build/lua/lua.kvm -- /initrd/test.lua; }
lua_hv() { "$hv" --backend=kvm --mem="$1" --initrd=build/lua/lua.initrd build/lua/lua.kvm -- /initrd/test.lua; }
smallest_lua() { # like smallest(), checking Lua's own summary
	local lo=$1 hi=65536 mid
	shift
	while [ $((hi - lo)) -gt 4 ]; do
		mid=$(( (lo + hi) / 2 / 4 * 4 ))
		if "$@" "${mid}K" >"$out/mem.log" 2>&1 && lua_ok; then hi=$mid; else lo=$mid; fi
	done
	echo "$hi"
}
say "smallest memory for lua running apps/lua/rootfs/test.lua: QEMU -m $(smallest_lua 1024 lua_qemu) KiB$([ $have_kvm = 1 ] && echo ", skiff-hv --mem $(smallest_lua 2044 lua_hv) KiB")"
support/sqlite-bench.sh "$out"
support/net-bench.sh "$out"
support/kv-bench.sh "$out"
support/efi-bench.sh "$out"
say "(command: support/bench.sh $runs)"
