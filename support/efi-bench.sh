#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# UEFI benchmark (support/bench.sh runs it; figures, never pass/fail), each figure with its command:
#   - sizes: <app>.efi for hello and httpd (and the stub's own share: the .efi less the
#     stripped .kvm it carries), the disk image from make image (raw: apparent and allocated;
#     qcow2);
#   - OVMF start to the app's main(), QEMU TCG -M q35 from the disk image, median of RUNS boots:
#     the firmware's time (reset to the stub's first instruction: the stub's TSC, which QEMU
#     starts at 0 with the machine), the stub's (to ExitBootServices), and Skiff's own (kernel
#     entry to main()), from the stub's and the kernel's bootstats lines; the whole QEMU process
#     beside it, and PVH direct boot (-kernel, no firmware) of the same image for contrast;
#   - virtio-blk under QEMU TCG (the disk a raw file in the host's page cache, QEMU's default
#     cache): blktest's bench mode, sequential write (with its flush) and read in 1 MiB batches,
#     4 KiB random reads one and 32 per batch; under OVMF (-M q35) and PVH on -M microvm
#     (virtio-mmio), median of RUNS runs each.
# TCG emulates the guest: these are QEMU-on-this-host figures, not what KVM hardware gives.
# Usage: support/efi-bench.sh [OUTDIR] [RUNS]   (build/bench, 5)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-build/bench} runs=${2:-5}
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "efi-bench: RUNS must be a positive number" >&2; exit 2; }
mkdir -p "$out"
results="$out/results.txt"
say() { echo "$*" | tee -a "$results"; }
tmp=$(mktemp -d /tmp/efi-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

support/deps.sh build test >/dev/null
{
	make -s APP=apps/hello image CMDLINE="bootstats" &&
	make -s APP=apps/hello image FORMAT=qcow2 CMDLINE="bootstats" &&
	make -s APP=apps/hello build/hello/hello.kvm &&
	make -s APP=apps/httpd image && make -s APP=apps/blktest build/blktest/blktest.efi build/blktest/blktest.kvm
} >"$out/efi-build.log" 2>&1 || { say "efi: the images do not build (see $out/efi-build.log)"; exit 1; }

# ---- sizes --------------------------------------------------------------------------------------
size() { stat -c %s "$1"; }
for app in hello httpd; do
	efi=build/$app/$app.efi img=build/$app/$app.img kvm=build/$app/efi/$app.kvm.stripped
	say "$app.efi: $(size "$efi") bytes (the stub $(( $(size "$efi") - $(size "$kvm") )) bytes, the stripped $app.kvm inside it $(size "$kvm")); make APP=apps/$app"
	say "$app.img: $(size "$img") bytes apparent, $(( $(stat -c %b "$img") * $(stat -c %B "$img") )) allocated (sparse); make APP=apps/$app image"
done
say "hello.qcow2: $(size build/hello/hello.qcow2) bytes; make APP=apps/hello image FORMAT=qcow2"

# ---- OVMF start to main() -----------------------------------------------------------------------
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print "n/a" }'; }
: >"$tmp/boot"
for _ in $(seq "$runs"); do
	t0=$(date +%s%N)
	support/qemu-run.sh --machine q35 --efi-disk build/hello/hello.img >"$tmp/log" 2>&1 || true
	t1=$(date +%s%N)
	python3 - "$tmp/log" $(( (t1 - t0) / 1000 )) >>"$tmp/boot" <<'PY' || true
import re, sys
log = open(sys.argv[1], errors="replace").read()
stub = re.search(r"bootstats: stub entered at TSC (\d+), leaving the firmware at TSC (\d+)", log)
mhz = re.search(r"TSC (\d+) MHz", log)
main = re.search(r"bootstats: main\(\) at (\d+) us", log)
if stub and mhz and main:
    hz = int(mhz.group(1))  # cycles per us
    fw, leave = int(stub.group(1)) / hz, (int(stub.group(2)) - int(stub.group(1))) / hz
    print(int(fw), int(leave), int(main.group(1)) - int(leave), int(main.group(1)), sys.argv[2])
PY
done
col() { awk -v c="$1" '{ print $c }' "$tmp/boot" | median; }
n=$(wc -l <"$tmp/boot")
say "OVMF start to main(), QEMU TCG -M q35, hello from its disk image, median of $n boots:"
say "  firmware (machine start to the stub's first instruction): $(( $(col 1) / 1000 )) ms"
say "  stub (command line, image, initrd, ExitBootServices): $(col 2) us"
say "  Skiff (kernel entry to main()): $(col 3) us; stub + Skiff: $(col 4) us"
say "  whole QEMU process: $(( $(col 5) / 1000 )) ms"
say "  (make APP=apps/hello image CMDLINE=bootstats; support/qemu-run.sh --machine q35 --efi-disk build/hello/hello.img)"
pvh=$(for _ in $(seq "$runs"); do support/qemu-run.sh --machine q35 --opts bootstats build/hello/hello.kvm 2>/dev/null |
	sed -n 's/^bootstats: main() at \([0-9]*\) us.*/\1/p'; done | median)
say "  for contrast, PVH direct boot (no firmware), Skiff's entry to main(): $pvh us (support/qemu-run.sh --machine q35 --opts bootstats build/hello/hello.kvm)"

# ---- virtio-blk ---------------------------------------------------------------------------------
disk=$tmp/disk.img
blk_runs() { # LABEL COMMAND...: RUNS runs of blktest bench, the median of each figure
	local label=$1
	shift
	: >"$tmp/blk"
	for _ in $(seq "$runs"); do
		rm -f "$disk"; truncate -s 80M "$disk"
		"$@" >"$tmp/log" 2>&1 || true
		python3 - "$tmp/log" >>"$tmp/blk" <<'PY' || true
import re, sys
log = open(sys.argv[1], errors="replace").read()
w = re.search(r"sequential write.*: \d+ ms, (\d+) MiB/s", log)
r = re.search(r"sequential read.*: \d+ ms, (\d+) MiB/s", log)
q1 = re.search(r"random reads, 1 per batch: .* (\d+) IOPS", log)
q32 = re.search(r"random reads, 32 per batch: .* (\d+) IOPS", log)
if w and r and q1 and q32:
    print(w.group(1), r.group(1), q1.group(1), q32.group(1))
PY
	done
	n=$(wc -l <"$tmp/blk")
	say "  $label (median of $n): sequential write $(awk '{print $1}' "$tmp/blk" | median) MiB/s, read $(awk '{print $2}' "$tmp/blk" | median) MiB/s; 4 KiB random reads $(awk '{print $3}' "$tmp/blk" | median) IOPS one per batch, $(awk '{print $4}' "$tmp/blk" | median) IOPS 32 per batch"
}
say "virtio-blk, QEMU TCG, 64 MiB on an 80 MiB raw file (blktest bench 64: 1 MiB batches of 16 x 64 KiB, 4000 random 4 KiB reads):"
blk_runs "UEFI, -M q35 (PCI)" support/qemu-run.sh --timeout 120 --machine q35 --disk "$disk" --efi build/blktest/blktest.efi -- bench 64
blk_runs "PVH, -M microvm (MMIO)" support/qemu-run.sh --timeout 120 --machine microvm --disk "$disk" build/blktest/blktest.kvm -- bench 64
say "  (support/qemu-run.sh --machine q35 --disk DISK --efi build/blktest/blktest.efi -- bench 64; the same with --machine microvm and build/blktest/blktest.kvm)"
