#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Networking benchmark (support/bench.sh runs it; figures, never pass/fail), in one run, inside a
# network namespace of its own (support/netns.sh; nothing leaves the machine):
#   - the same wrk commands (10 s, 1 and 50 connections, the 612-byte index.html) against httpd
#     in QEMU (TCG, -M microvm; and KVM where QEMU can use it) and against Debian's nginx serving the same file in the same
#     namespace (the native reference): requests/s and p50/p99 latency
#   - httpd.kvm's stripped size, the smallest -m that still serves the page, the time from
#     QEMU's start to the first successful response, and QEMU's CPU use while the image idles
#     (next to that of a QEMU with no guest at all)
# Usage: support/net-bench.sh OUTDIR (needs root for the namespace)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-build/bench}
mkdir -p "$out"
results="$out/results.txt"
say() { echo "$*" | tee -a "$results"; }
ns=bench
ip=10.0.0.2 mac=52:54:00:12:34:56
url=http://$ip/index.html
qpid="" npid=""

cleanup() {
	[ -n "$qpid" ] && pkill -s "$qpid" 2>/dev/null || true
	[ -n "$npid" ] && kill "$npid" 2>/dev/null || true
	support/netns.sh destroy "$ns" >/dev/null 2>&1 || true
}
trap cleanup EXIT INT TERM

if [ "$(id -u)" != 0 ]; then
	say "networking: skipped (network namespaces need root)"
	exit 0
fi
make -s APP=apps/httpd >"$out/httpd-build.log" 2>&1 || { cat "$out/httpd-build.log"; exit 1; }
strip --strip-all -o "$out/httpd.stripped" build/httpd/httpd.kvm
say "httpd.kvm stripped: $(stat -c %s "$out/httpd.stripped") bytes (target at most 850 KB: Unikraft's nginx image)"

in_ns() { support/netns.sh exec "$ns" "$@"; }

# boot_httpd MEM [ACCEL]: QEMU (TCG unless ACCEL says kvm) in the background, in a session of its own (so that stop_httpd
# frees the tap before the next boot); sets qpid; returns when the page is served (0) or
# when QEMU has ended or 20 s have passed (1).
boot_httpd() {
	local t0
	t0=$(date +%s%N)
	setsid support/netns.sh exec "$ns" support/qemu-run.sh --timeout 600 --accel "${2:-tcg}" \
		--machine microvm --mem "$1" --nic tap=tap0,mac=$mac \
		--opts "net.ip=$ip/24 net.gw=10.0.0.1" --initrd build/httpd/httpd.initrd \
		build/httpd/httpd.kvm >"$out/httpd-qemu.log" 2>&1 &
	qpid=$!
	while [ $(( $(date +%s%N) - t0 )) -lt 20000000000 ]; do # 20 s
		if in_ns curl -s --connect-timeout 0.05 -m 2 -o /dev/null "$url"; then
			first_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
			return 0
		fi
		kill -0 "$qpid" 2>/dev/null || return 1
		sleep 0.01
	done
	return 1
}

stop_httpd() {
	pkill -s "$qpid" 2>/dev/null || true
	wait "$qpid" 2>/dev/null || true
	while pgrep -s "$qpid" >/dev/null; do sleep 0.05; done
	qpid=""
}

support/netns.sh create "$ns" 1
# A fixed neighbour entry: without it the first SYNs wait on ARP, whose retries come a second
# apart, and the time to the first response would measure that instead of the boot.
in_ns ip neigh replace "$ip" lladdr "$mac" dev tap0 nud permanent

# The smallest memory that serves the page (KiB, 256 KiB steps).
lo=1024 hi=65536
while [ $((hi - lo)) -gt 256 ]; do
	mid=$(( (lo + hi) / 2 / 256 * 256 ))
	if boot_httpd "${mid}K"; then hi=$mid; else lo=$mid; fi
	stop_httpd
done
say "smallest QEMU -m that serves the page: $hi KiB (target at most 4 MiB)"

boot_httpd 64M || { say "httpd did not come up"; exit 1; }
say "QEMU start to the first successful response: $first_ms ms (microvm, TCG; curl with a 50 ms connect timeout, every 10 ms)"

# Idle: QEMU's CPU time over 10 s while nothing talks to the image.
qemu=$(pgrep -s "$qpid" -x qemu-system-x86)
cpu() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
c0=$(cpu "$qemu")
sleep 10
c1=$(cpu "$qemu")
# The floor: the same QEMU with no image at all (its firmware finds nothing to boot and halts).
qemu-system-x86_64 -M microvm -accel tcg -m 64M -display none -nodefaults -serial null 2>/dev/null &
bare=$!
sleep 2
b0=$(cpu "$bare")
sleep 10
b1=$(cpu "$bare")
kill "$bare"
wait "$bare" 2>/dev/null || true
tick=$(getconf CLK_TCK)
say "idle httpd: QEMU used $(( (c1 - c0) * 1000 / tick )) ms of CPU in 10 s; QEMU with no guest at all $(( (b1 - b0) * 1000 / tick )) ms"

# The same wrk commands against httpd and against nginx.
cat >"$out/nginx.conf" <<EOF
daemon off;
worker_processes 1;
pid $PWD/$out/nginx.pid;
error_log stderr;
events { worker_connections 1024; }
http {
	access_log off;
	sendfile on;
	server {
		listen 10.0.0.1:8080;
		root $PWD/apps/httpd/rootfs;
	}
}
EOF
in_ns nginx -c "$PWD/$out/nginx.conf" >"$out/nginx.log" 2>&1 &
npid=$!
sleep 1
wrk_run() { # NAME URL CONNECTIONS
	in_ns wrk -t "$([ "$3" = 1 ] && echo 1 || echo 2)" -c "$3" -d 10s --latency "$2" >"$out/wrk-$1-$3.txt" 2>&1
	python3 - "$out/wrk-$1-$3.txt" "$1" "$3" <<'PY' | tee -a "$results"
import re, sys
t = open(sys.argv[1]).read()
rps = re.search(r"Requests/sec:\s+([\d.]+)", t)
lat = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", t, re.M))
err = re.search(r"Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)", t)
print("  %-9s %2s connection(s): %8s requests/s, p50 %s, p99 %s%s" % (sys.argv[2], sys.argv[3],
      rps.group(1) if rps else "n/a", lat.get("50", "n/a"), lat.get("99", "n/a"),
      ", " + err.group(0) if err else ""))
PY
}
say "wrk -d 10s --latency, the 612-byte index.html, from inside the namespace:"
for c in 1 50; do
	wrk_run httpd "$url" $c
	wrk_run nginx http://10.0.0.1:8080/index.html $c
done
say "  (httpd: QEMU TCG -M microvm, virtio-net over a tap; nginx: Debian's, native, worker_processes 1)"
stop_httpd

# The same under KVM, where QEMU can use it (as tests/boot.sh decides: PVM's /dev/kvm cannot run
# the image's CPL-0 SSE code).
if [ ! -c /dev/kvm ]; then
	say "httpd under QEMU KVM: not measured (no /dev/kvm on this machine)"
elif [ -d /sys/module/kvm_pvm ]; then
	say "httpd under QEMU KVM: not measured (/dev/kvm is PVM, whose emulator cannot run the image's SSE code at CPL 0)"
elif boot_httpd 64M kvm; then
	say "QEMU KVM start to the first successful response: $first_ms ms"
	for c in 1 50; do
		wrk_run httpd-kvm "$url" $c
	done
	stop_httpd
else
	say "httpd under QEMU KVM did not come up (see $out/httpd-qemu.log)"
	stop_httpd
fi
kill "$npid" 2>/dev/null || true
