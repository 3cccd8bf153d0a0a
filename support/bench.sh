#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Benchmarks (figures, never pass/fail), all in one run. Results also go to build/bench/results.txt.
#   - hello.kvm's size and the smallest memory it runs in (QEMU -m, skiff-hv --mem)
#   - whole-process start-up: the KVM floor (create a VM, one HLT), skiff-hv, QEMU microvm;
#     hyperfine medians over RUNS runs, with hello built without its 10 ms sleep
#   - the guest's own first-instruction-to-main() time (TSC stamps, kernel option bootstats)
#   - skiff-hv's size in lines of C and its seccomp allow-list
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
hv_mem() { "$hv" --mem="$1" "$img"; }
say "smallest QEMU -m for hello: $(smallest 1024 qemu_mem) KiB (support/qemu-run.sh --mem SIZE $img)"
[ $have_kvm = 1 ] && say "smallest skiff-hv --mem for hello: $(smallest 2044 hv_mem) KiB (skiff-hv --mem=SIZE $img; it accepts 2M at least)"

median_ms() { python3 -c "import json,sys; print('%.2f' % (json.load(open(sys.argv[1]))['results'][0]['median'] * 1000))" "$1"; }
bench() { # NAME COMMAND
	hyperfine -N --warmup 3 --runs "$runs" --export-json "$out/$1.json" "$2" >/dev/null 2>&1 || { echo "n/a"; return; }
	median_ms "$out/$1.json"
}
if [ $have_kvm = 1 ]; then
	floor=$(bench floor "$out/kvm-floor")
	hvt=$(bench hv "$hv --quiet $fast")
	say "start-up, whole process, median of $runs (hyperfine -N):"
	say "  KVM floor (VM + one HLT):          $floor ms   ($out/kvm-floor)"
	say "  skiff-hv hello (no sleep):         $hvt ms   ($hv --quiet $fast)"
	say "  skiff-hv / floor:                  $(python3 -c "print('%.2f' % ($hvt / $floor))")x"
else
	say "no usable /dev/kvm: skiff-hv and the floor were not timed"
fi
qt=$(bench qemu "support/qemu-run.sh --machine microvm $fast")
say "  QEMU -M microvm TCG, same image:   $qt ms   (support/qemu-run.sh --machine microvm $fast)"
[ $have_kvm = 1 ] && say "  QEMU / skiff-hv:                   $(python3 -c "print('%.1f' % ($qt / $hvt))")x"
qpc=$(bench qemu-pc "support/qemu-run.sh --machine pc $fast")
say "  QEMU -M pc TCG, same image:        $qpc ms"
say "  (QEMU -accel kvm cannot run a CPL-0 guest on this machine's PVM /dev/kvm; see README)"

# The guest's own view: first instruction to main(), from its TSC.
entry() { for _ in $(seq 20); do "$@" 2>/dev/null | sed -n 's/^bootstats: main() at \([0-9]*\) us.*/\1/p'; done | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
[ $have_kvm = 1 ] && say "guest entry to main(), median of 20: skiff-hv $(entry $hv "$fast" bootstats) us"
say "guest entry to main(), median of 20: QEMU microvm TCG $(entry support/qemu-run.sh --opts bootstats "$fast") us"

say "skiff-hv: $(cat hv/*.c hv/include/hv/*.h | wc -l) lines of C (hv/*.c, hv/include), $(stat -c %s $hv) bytes"
say "skiff-hv seccomp allow-list: $(grep -o 'allow_nr(&b, __NR_[a-z0-9_]*' hv/seccomp.c | sed 's/.*__NR_//' | tr '\n' ' ')+ ioctl(KVM_RUN, KVM_GET_REGS, KVM_GET_SREGS)"
say "(command: support/bench.sh $runs)"
