#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Benchmarks (figures, never pass/fail): image size, the smallest guest memory that boots hello,
# QEMU boot-to-exit time and the guest's own entry-to-main time. Results also go to
# build/bench/results.txt. Usage: support/bench.sh [RUNS] (default 20 runs per timing).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20}
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "bench: RUNS must be a positive number" >&2; exit 2; }
support/deps.sh all
make -s APP=apps/hello
img=build/hello/hello.kvm
out=build/bench
mkdir -p "$out"
results="$out/results.txt"
: >"$results"
say() { echo "$*" | tee -a "$results"; }

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

strip --strip-all -o "$out/hello.stripped" "$img"
say "hello.kvm: $(stat -c %s "$img") bytes, $(stat -c %s "$out/hello.stripped") bytes stripped"
say "  text+rodata+data: $(size -A "$img" | awk '$1 ~ /^\.(text|rodata|data|ksyms|note)$/ { s += $2 } END { print s }') bytes, bss: $(size -A "$img" | awk '$1 == ".bss" { print $2 }') bytes"

# Smallest -m (in KiB, 4 KiB steps) with which hello still runs to completion.
boots() { support/qemu-run.sh --mem "${1}K" --timeout 30 "$img" >"$out/mem.log" 2>&1 && grep -q "token passed" "$out/mem.log"; }
lo=1024 hi=65536
boots $hi || { say "hello does not boot with ${hi}K"; exit 1; }
while [ $((hi - lo)) -gt 4 ]; do
	mid=$(( (lo + hi) / 2 / 4 * 4 ))
	if boots "$mid"; then hi=$mid; else lo=$mid; fi
done
say "smallest guest memory for hello: ${hi} KiB (support/qemu-run.sh --mem ${hi}K)"

# Whole-process time of QEMU running hello to its exit, and the guest's entry-to-main time.
for machine in microvm pc; do
	: >"$out/$machine.ms"; : >"$out/$machine.main"
	for _ in $(seq "$runs"); do
		t0=$(date +%s%N)
		support/qemu-run.sh --machine "$machine" --opts bootstats "$img" >"$out/run.log" 2>&1
		t1=$(date +%s%N)
		echo "scale=2; ($t1 - $t0) / 1000000" | bc >>"$out/$machine.ms"
		sed -n 's/^bootstats: main() at \([0-9]*\) us.*/\1/p' "$out/run.log" >>"$out/$machine.main"
	done
	say "QEMU -M $machine (TCG), hello boot to exit: median $(median <"$out/$machine.ms") ms over $runs runs; guest entry to main(): median $(median <"$out/$machine.main") us"
done
say "(commands: support/bench.sh $runs; each run is support/qemu-run.sh --machine M --opts bootstats $img)"
