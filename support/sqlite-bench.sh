#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# SQLite benchmark (support/bench.sh runs it; figures, never pass/fail), in one run:
#   - SQLite's speedtest1 "--memdb --size 25" as a Linux program built from the same sources
#     (build/deps/sqlite-src) with the same compiler, language level, optimization and SQLite
#     defines as apps/sqlite, and as apps/sqlite under skiff-hv (process backend; KVM backend
#     where /dev/kvm works, else skipped) and under QEMU (TCG: emulated, a different league);
#   - speedtest1 on a file with the default unix VFS: /tmp/test.db in the image (its in-memory
#     /tmp), and on Linux both on tmpfs (/dev/shm, like the image's) and on /tmp's disk;
#   - memory: the smallest guest memory in which the memdb run completes (skiff-hv --mem, QEMU
#     -m), next to SQLite's own peak (sqlite3_memory_highwater, speedtest1 --stats) and the
#     Linux program's max RSS; issue 15's target is at most 1.25 x the peak + 2 MiB.
# Times are speedtest1's own TOTAL (the SQL work, not boot), medians over RUNS interleaved
# rounds (the host's speed drifts), with the whole process's wall time beside them.
# Usage: support/sqlite-bench.sh [OUTDIR] [RUNS]   (build/bench, 5)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-build/bench} runs=${2:-5}
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "sqlite-bench: RUNS must be a positive number" >&2; exit 2; }
mkdir -p "$out"
results="$out/results.txt"
say() { echo "$*" | tee -a "$results"; }
hv=build/hv/skiff-hv img=build/sqlite/sqlite.kvm src=build/deps/sqlite-src
size=25
tmp=$(mktemp -d /tmp/sqlite-bench.XXXXXX) shm=""
[ -d /dev/shm ] && shm=$(mktemp -d /dev/shm/sqlite-bench.XXXXXX)
trap 'rm -rf "$tmp" ${shm:+"$shm"}' EXIT

support/deps.sh sqlite bench >/dev/null
{ make -s APP=apps/sqlite && make -s hv; } >"$out/sqlite-build.log" 2>&1 ||
	{ say "sqlite: apps/sqlite does not build (see $out/sqlite-build.log)"; tail -20 "$out/sqlite-build.log"; exit 1; }

# The Linux program: the image's -std and -O, and SQLite's defines, from the build itself.
make_var() { make -s -p -q APP=apps/sqlite 2>/dev/null | sed -n "s/^$1 := //p" | head -1 || true; }
defines=$(make_var SQLITE_DEFINES)
lang=$(make_var TARGET_CFLAGS | tr ' ' '\n' | grep -E '^-(std=|O)' | tr '\n' ' ')
native_cmd="gcc $lang-D_DEFAULT_SOURCE $defines -I$src/bld"
native=$out/speedtest1-linux
if ! [ -x "$native" ] || ! [ "$(cat "$native.cmd" 2>/dev/null)" = "$native_cmd" ] ||
	[ "$src/bld/sqlite3.c" -nt "$native" ]; then
	$native_cmd -o "$native" "$src/test/speedtest1.c" "$src/bld/sqlite3.c" -lm 2>"$out/speedtest1-linux.log" ||
		{ say "sqlite: the Linux build failed (see $out/speedtest1-linux.log)"; exit 1; }
	echo "$native_cmd" >"$native.cmd"
fi

kvm_why=""
if [ ! -c /dev/kvm ]; then
	kvm_why="no /dev/kvm on this machine"
elif ! "$hv" --backend=kvm --quiet "$img" -- --memdb --size 1 >/dev/null 2>&1; then
	kvm_why="skiff-hv --backend=kvm cannot run the image here"
fi

# run LABEL COMMAND...: one run; appends "LABEL TOTAL WALL" (seconds) to $out/sqlite-times.txt,
# or "LABEL failed" with the log kept in $out/sqlite-LABEL.log.
run() {
	local label=$1 t0 t1 total log="$out/sqlite-$1.log"
	shift
	t0=$(date +%s%N)
	"$@" >"$log" 2>&1 </dev/null || true
	t1=$(date +%s%N)
	total=$(tr -d '\r' <"$log" | sed -n 's/^ *TOTAL\.* *\([0-9.]*\)s$/\1/p')
	if [ -n "$total" ]; then
		echo "$label $total $(( (t1 - t0) / 1000000 ))" >>"$out/sqlite-times.txt"
	else
		echo "$label failed" >>"$out/sqlite-times.txt"
	fi
}
: >"$out/sqlite-times.txt"
st_args=(--size "$size")
# On a file: the same size (more sizes may be listed).
file_sizes=("$size")
for r in $(seq "$runs"); do
	run linux "$native" --memdb "${st_args[@]}"
	run hv-process "$hv" --backend=process "$img" -- --memdb "${st_args[@]}"
	[ -n "$kvm_why" ] || run hv-kvm "$hv" --backend=kvm "$img" -- --memdb "${st_args[@]}"
	for fs in "${file_sizes[@]}"; do
		run "linux-file-shm-$fs" "$native" --size "$fs" "${shm:-$tmp}/test.db"
		run "linux-file-disk-$fs" "$native" --size "$fs" "$tmp/test.db"
		run "hv-process-file-$fs" "$hv" --backend=process "$img" -- --size "$fs" /tmp/test.db
		[ -n "$kvm_why" ] || run "hv-kvm-file-$fs" "$hv" --backend=kvm "$img" -- --size "$fs" /tmp/test.db
	done
	# QEMU TCG takes about 10x as long: 3 rounds at most.
	if [ "$r" -le 3 ]; then
		run qemu support/qemu-run.sh --timeout 300 "$img" -- --memdb "${st_args[@]}"
		for fs in "${file_sizes[@]}"; do
			run "qemu-file-$fs" support/qemu-run.sh --timeout 300 "$img" -- --size "$fs" /tmp/test.db
		done
	fi
done

python3 - "$out" "$size" "$runs" "$native_cmd" "$hv" "$img" "$kvm_why" "$(df --output=fstype "$tmp" | tail -1)" \
	"${file_sizes[*]}" <<'PY' | tee -a "$results"
import re, statistics, sys
out, size, runs, native_cmd, hv, img, kvm_why, tmpfs_type, file_sizes = sys.argv[1:]
path = out + "/sqlite-times.txt"
times, failed = {}, {}
for line in open(path):
    f = line.split()
    if f[1] == "failed":
        failed[f[0]] = failed.get(f[0], 0) + 1
    else:
        times.setdefault(f[0], []).append((float(f[1]), int(f[2]) / 1000))
def fig(label):
    t = times.get(label)
    if not t:
        why = ""
        try:
            m = re.search(r"SQL error: .*|out of memory.*|PANIC.*", open("%s/sqlite-%s.log" % (out, label)).read())
            why = ": " + m.group(0).strip() if m else ""
        except OSError:
            pass
        return None, "failed (%d of %d runs%s; sqlite-%s.log)" % (failed.get(label, 0), failed.get(label, 0), why, label)
    total = statistics.median(x for x, _ in t)
    wall = statistics.median(w for _, w in t)
    bad = " (%d of %d runs failed)" % (failed[label], failed[label] + len(t)) if label in failed else ""
    return total, "%.3f s  [whole process %.3f s, median of %d]%s" % (total, wall, len(t), bad)
def line(name, label, base):
    total, text = fig(label)
    ratio = "  %.2fx Linux" % (total / base) if total and base else ""
    print("  %-44s %s%s" % (name, text, ratio))
print("SQLite speedtest1 --memdb --size %s: speedtest1's own TOTAL, medians over %s rounds" % (size, runs))
print("  Linux program: %s test/speedtest1.c bld/sqlite3.c -lm" % native_cmd)
base, text = fig("linux")
print("  %-44s %s" % ("Linux process", text))
line("skiff-hv --backend=process", "hv-process", base)
if kvm_why:
    print("  %-44s skipped: %s" % ("skiff-hv --backend=kvm", kvm_why))
else:
    line("skiff-hv --backend=kvm", "hv-kvm", base)
line("QEMU microvm, TCG (emulated)", "qemu", base)
print("    (%s --backend=B %s -- --memdb --size %s; support/qemu-run.sh %s -- --memdb --size %s)" % (hv, img, size, img, size))
for fs in file_sizes.split():
    print("speedtest1 --size %s on a file, default unix VFS (journal_mode=delete, synchronous=full):" % fs)
    base, text = fig("linux-file-shm-" + fs)
    print("  %-44s %s" % ("Linux, a file on /dev/shm (tmpfs)", text))
    line("Linux, a file on /tmp (%s)" % tmpfs_type, "linux-file-disk-" + fs, base)
    line("skiff-hv --backend=process, /tmp/test.db", "hv-process-file-" + fs, base)
    if kvm_why:
        print("  %-44s skipped: %s" % ("skiff-hv --backend=kvm, /tmp/test.db", kvm_why))
    else:
        line("skiff-hv --backend=kvm, /tmp/test.db", "hv-kvm-file-" + fs, base)
    line("QEMU microvm, TCG (emulated), /tmp/test.db", "qemu-file-" + fs, base)
print("    (ratios against Linux on tmpfs; the image's /tmp is in memory too)")
PY

# Memory. SQLite's own peak from the Linux program (the same code asks for the same blocks).
peak=$("$native" --memdb --size $size --stats | sed -n 's/^-- Memory Used (bytes): *[0-9]* (max \([0-9]*\)).*/\1/p')
rss=$(/usr/bin/time -f %M "$native" --memdb --size $size 2>&1 >/dev/null | tail -1)
peak_kib=$(( (peak + 1023) / 1024 ))
target_kib=$(( peak_kib * 5 / 4 + 2048 ))
say "memory, speedtest1 --memdb --size $size:"
say "  SQLite's own peak (sqlite3_memory_highwater, --stats): $peak bytes ($peak_kib KiB); Linux max RSS $rss KiB"
say "  target (issue 15): at most 1.25 x peak + 2 MiB = $target_kib KiB"
# smallest STEP RUNNER: the smallest memory (KiB, in STEP KiB steps, 2 MiB to 256 MiB) in which
# speedtest1 completes, by bisection; RUNNER SIZE runs it.
smallest() {
	local step=$1 lo=2044 hi=262144 mid
	shift
	fits() { "$@" >"$out/sqlite-mem.log" 2>&1 && grep -q "TOTAL" "$out/sqlite-mem.log"; }
	fits "$@" "${hi}K" || { echo "n/a"; return; }
	while [ $((hi - lo)) -gt "$step" ]; do
		mid=$(( (lo + hi) / 2 / step * step ))
		if fits "$@" "${mid}K"; then hi=$mid; else lo=$mid; fi
	done
	echo "$hi"
}
verdict() { # KIB
	[ "$1" = n/a ] && { echo "n/a"; return; }
	echo "$1 KiB: $(python3 -c "print('%.2f' % ($1 / $peak_kib))")x the peak, $( [ "$1" -le $target_kib ] && echo "target met" || echo "target missed by $(( $1 - target_kib )) KiB")"
}
hv_mem() { timeout -k 5 300 "$hv" --backend="$1" --mem="$2" "$img" -- --memdb --size $size; }
qemu_mem() { support/qemu-run.sh --timeout 300 --mem "$1" "$img" -- --memdb --size $size; }
say "  smallest skiff-hv --mem (process): $(verdict "$(smallest 4 hv_mem process)")"
if [ -n "$kvm_why" ]; then
	say "  smallest skiff-hv --mem (kvm): skipped: $kvm_why"
else
	say "  smallest skiff-hv --mem (kvm): $(verdict "$(smallest 4 hv_mem kvm)")"
fi
say "  smallest QEMU -m (TCG, 64 KiB steps): $(verdict "$(smallest 64 qemu_mem)")"
say "    ($hv --mem=SIZE $img -- --memdb --size $size; support/qemu-run.sh --mem SIZE $img -- ...)"
say "(command: support/sqlite-bench.sh $out $runs)"
