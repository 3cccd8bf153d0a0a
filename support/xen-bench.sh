#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Xen figures from one boot of the test host (support/xen-test.sh: Xen 4.17 and a Debian dom0 in
# QEMU under TCG, so everything is emulated and nested: compare runs with each other, not with
# hardware). httpd as a PV and as a PVH domU, each with one vif (netfront) and a static address:
# dom0 measures the time from `xl create` to the first HTTP response, then runs ab (N requests,
# C at a time, new connections; then the same with keep-alive). blktest bench as a PV and as a
# PVH domU on a disk file in dom0's tmpfs (blkfront, blkback, a loop device): sequential write
# (then a flush) and read in 1 MiB batches of 16 x 64 KiB, and 4 KiB random reads.
#
# Usage: support/xen-bench.sh [--workdir DIR] [--requests N] [--concurrency C] [--disk-mib M]
#   defaults: build/xen-bench, 2000, 16, 32. The images are built first (make APP=apps/...).
# Prints one "xen-bench:" line per figure; the raw output stays under DIR.
set -euo pipefail
cd "$(dirname "$0")/.."

workdir=build/xen-bench requests=2000 conc=16 mib=32
usage() { echo "xen-bench: $*" >&2; exit 2; }
while [ $# -gt 0 ]; do
	case "$1" in
	--workdir) [ $# -ge 2 ] || usage "--workdir needs a directory"; workdir=$2; shift 2 ;;
	--requests) [ $# -ge 2 ] || usage "--requests needs a number"; requests=$2; shift 2 ;;
	--concurrency) [ $# -ge 2 ] || usage "--concurrency needs a number"; conc=$2; shift 2 ;;
	--disk-mib) [ $# -ge 2 ] || usage "--disk-mib needs a number"; mib=$2; shift 2 ;;
	-h|--help) awk 'NR > 2 && /^#/ { sub(/^# ?/, ""); print; next } NR > 2 { exit }' "$0"; exit 0 ;;
	*) usage "unknown argument '$1' (see --help)" ;;
	esac
done
for v in "$requests" "$conc" "$mib"; do
	[[ "$v" =~ ^[0-9]+$ ]] && [ "$v" -ge 1 ] || usage "'$v' is not a positive number"
done
[ "$mib" -le 512 ] || usage "--disk-mib: at most 512"

mkdir -p "$workdir"
for app in httpd blktest; do
	make -s APP=apps/$app >"$workdir/build-$app.log" 2>&1 || { echo "xen-bench: apps/$app does not build (see $workdir/build-$app.log)" >&2; exit 1; }
done

# dom0's client: the first response, then ab without and with keep-alive.
cat >"$workdir/http-dom0.sh" <<EOF
now_cs() { read -r up rest </proc/uptime; echo \$(( \${up%.*} * 100 + 1\${up#*.} - 100 )); }
[ "\$1" = run ] || exit 0
t0=\$(now_cs)
while [ \$((\$(now_cs) - t0)) -lt 6000 ]; do
	if timeout 5 wget -q -O /dev/null http://10.0.0.2/; then
		echo "first_response_cs=\$((\$(now_cs) - CREATE_CS))" >>"\$OUT/results"
		break
	fi
	sleep 0.05
done
timeout 300 ab -n $requests -c $conc http://10.0.0.2/ >"\$OUT/ab.txt" 2>&1
timeout 300 ab -k -n $requests -c $conc http://10.0.0.2/ >"\$OUT/ab-keepalive.txt" 2>&1
EOF

guests=()
for t in pv pvh; do
	guests+=("http$t=build/httpd/httpd.xen,type=$t,initrd=build/httpd/httpd.initrd,vifs=1,action=shutdown-after-dom0,dom0=$workdir/http-dom0.sh,extra=net.ip=10.0.0.2/24")
done
for t in pv pvh; do
	guests+=("blk$t=build/blktest/blktest.xen,type=$t,disk=$((mib * 2))M,extra=-- bench $mib")
done
start=$(date +%s%N)
support/xen-test.sh --workdir "$workdir" --timeout 300 "${guests[@]}" >"$workdir/run.out" 2>"$workdir/run.err" ||
	{ echo "xen-bench: support/xen-test.sh failed (see $workdir/run.err)" >&2; exit 1; }
wall=$(awk -v a="$start" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')

cs_to_s() { awk -v c="$1" 'BEGIN { if (c == "") print "?"; else printf "%.2f", c / 100 }'; }
for t in pv pvh; do
	d=$workdir/http$t/dom0
	first=$(sed -n 's/^first_response_cs=//p' "$d/results" 2>/dev/null || true)
	printf 'xen-bench: http %s: first response %s s after xl create; %s requests %s at a time: %s req/s, %s failed; keep-alive: %s req/s, %s failed\n' \
		"$t" "$(cs_to_s "$first")" "$requests" "$conc" \
		"$(awk '/^Requests per second:/ { print $4 }' "$d/ab.txt")" "$(awk '/^Failed requests:/ { print $3 }' "$d/ab.txt")" \
		"$(awk '/^Requests per second:/ { print $4 }' "$d/ab-keepalive.txt")" \
		"$(awk '/^Failed requests:/ { print $3 }' "$d/ab-keepalive.txt")"
done
for t in pv pvh; do
	c=$workdir/blk$t/console.log
	printf 'xen-bench: blk %s (%s MiB): sequential write %s MiB/s, read %s MiB/s; 4 KiB random reads %s IOPS one at a time, %s IOPS 32 per batch\n' \
		"$t" "$mib" "$(sed -n 's/.*sequential write.*, \([0-9]*\) MiB\/s/\1/p' "$c")" \
		"$(sed -n 's/.*sequential read.*, \([0-9]*\) MiB\/s/\1/p' "$c")" \
		"$(sed -n 's/.*random reads, 1 per batch.*, \([0-9]*\) IOPS/\1/p' "$c")" \
		"$(sed -n 's/.*random reads, 32 per batch.*, \([0-9]*\) IOPS/\1/p' "$c")"
done
ready=$(tr -d '\r' <"$workdir/serial.log" | sed -n 's/^XENTEST-DOM0-READY uptime_cs=\([0-9]*\).*/\1/p' | head -n 1)
printf 'xen-bench: the test host: dom0 ready %s s after it started; the whole run %s s\n' "$(cs_to_s "$ready")" "$wall"
