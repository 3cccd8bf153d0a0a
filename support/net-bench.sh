#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Networking benchmark (support/bench.sh runs it; figures, never pass/fail), in one run, inside
# network namespaces of its own (support/netns.sh; nothing leaves the machine):
#   - the same wrk commands (10 s, 1 and 50 connections, keep-alive, the 612-byte index.html),
#     alternating, against httpd under skiff-hv (each backend this machine has; its rings over a
#     tap), httpd in QEMU (TCG, -M microvm, virtio-net over a tap; and KVM where QEMU can use it)
#     and Debian's nginx serving the same file from a namespace behind a veth pair (the native
#     reference): requests/s, p50/p99 latency, skiff-hv's exits per request, the ratio to nginx
#   - skiff-hv's cold start (spawn to first response, median of 50) beside the floors, and an
#     idle skiff-hv's CPU time over 10 s
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
	support/netns.sh destroy benchn >/dev/null 2>&1 || true
	support/netns.sh destroy "$ns" >/dev/null 2>&1 || true
}
trap cleanup EXIT INT TERM

if [ "$(id -u)" != 0 ]; then
	say "networking: skipped (network namespaces need root)"
	exit 0
fi
{ make -s APP=apps/httpd && make -s hv; } >"$out/httpd-build.log" 2>&1 || { cat "$out/httpd-build.log"; exit 1; }
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

support/netns.sh create "$ns" 2
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

# skiff-hv on tap1 (10.0.1.2), each backend this machine has: started fresh with --stats for
# each measurement, so that its exit counts belong to that measurement alone.
hv=build/hv/skiff-hv
hvip=10.0.1.2 hvmac=02:53:4b:00:00:02
hv_backends=(process)
[ -c /dev/kvm ] && hv_backends+=(kvm)
# Below 4 CPUs skiff-hv watches no ring by default (--net-spin); BACKEND+watch, with 200 us of
# watching, shows what that trades there.
hv_variants=("${hv_backends[@]}")
if [ "$(nproc)" -lt 4 ]; then
	for be in "${hv_backends[@]}"; do
		hv_variants+=("$be+watch")
	done
fi
hvpid=""
hv_cmd() { # BACKEND[+watch]: the command line that serves the page
	local spin=""
	[ "${1%+watch}" = "$1" ] || spin=--net-spin=200
	echo "$hv --backend=${1%+watch} $spin --quiet --stats --net=tap1 --net-mac=$hvmac --initrd=build/httpd/httpd.initrd build/httpd/httpd.kvm net.ip=$hvip/24"
}
start_hv() { # BACKEND: in the background, until it serves the page (0) or 10 s pass (1)
	# shellcheck disable=SC2046
	in_ns $(hv_cmd "$1") 2>"$out/hv-$1.stats" &
	hvpid=$!
	for _ in $(seq 1000); do
		in_ns curl -s --connect-timeout 0.05 -m 2 -o /dev/null "http://$hvip/index.html" && return 0
		kill -0 "$hvpid" 2>/dev/null || return 1
		sleep 0.01
	done
	return 1
}
stop_hv() { # prints the monitor's total exits
	in_ns pkill -TERM -x skiff-hv 2>/dev/null || true
	wait "$hvpid" 2>/dev/null || true
	hvpid=""
	grep -o 'total [0-9]*' "$out/hv-$1.stats" | awk '{ print $2 }'
}
in_ns ip neigh replace "$hvip" lladdr "$hvmac" dev tap1 nud permanent

# nginx, native, in a namespace of its own behind a veth pair into this one (10.0.9.2): the same
# kind of path as the images' taps, through the host's own network stack.
support/netns.sh create benchn 1 >/dev/null
nns=sk-benchn
ip -n "sk-$ns" link add vb0 type veth peer name vb1 netns "$nns"
ip -n "sk-$ns" addr add 10.0.9.1/24 dev vb0
ip -n "sk-$ns" link set vb0 up
ip -n "$nns" addr add 10.0.9.2/24 dev vb1
ip -n "$nns" link set vb1 up
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
		listen 10.0.9.2:8080;
		root $PWD/apps/httpd/rootfs;
	}
}
EOF
support/netns.sh exec benchn nginx -c "$PWD/$out/nginx.conf" >"$out/nginx.log" 2>&1 &
npid=$!
sleep 1
# wrk_run NAME URL CONNECTIONS [EXITS]: one wrk run, one line; with EXITS, exits per request too.
wrk_run() {
	in_ns wrk -t "$([ "$3" = 1 ] && echo 1 || echo 2)" -c "$3" -d 10s --latency "$2" >"$out/wrk-$1-$3.txt" 2>&1
}
wrk_line() { # NAME CONNECTIONS [EXITS]
	python3 - "$out/wrk-$1-$2.txt" "$1" "$2" "${3:-}" "$out/wrk-nginx-$2.txt" <<'PY' | tee -a "$results"
import os, re, sys
def parse(path):
    t = open(path).read() if os.path.exists(path) else ""
    rps = re.search(r"Requests/sec:\s+([\d.]+)", t)
    n = re.search(r"(\d+) requests in", t)
    return t, float(rps.group(1)) if rps else None, int(n.group(1)) if n else None
t, rps, n = parse(sys.argv[1])
_, nginx, _ = parse(sys.argv[5])
lat = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", t, re.M))
err = re.search(r"Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)", t)
line = "  %-12s %2s conn: %9s req/s, p50 %s, p99 %s" % (sys.argv[2], sys.argv[3], "%.0f" % rps if rps else "n/a",
                                                     lat.get("50", "n/a"), lat.get("99", "n/a"))
if sys.argv[4] and n:
    line += ", %.4f exits/request" % (int(sys.argv[4]) / n)
if rps and nginx and sys.argv[2] != "nginx":
    line += ", %.2fx nginx" % (rps / nginx)
print(line + (", " + err.group(0) if err else ""))
PY
}
say "wrk -d 10s --latency, keep-alive, the 612-byte index.html, from inside the namespace; alternating:"
for c in 1 50; do
	for be in "${hv_variants[@]}"; do
		if start_hv "$be"; then
			wrk_run "hv-$be" "http://$hvip/index.html" $c
			echo "$(stop_hv "$be")" >"$out/hv-$be-$c.exits"
		else
			stop_hv "$be" >/dev/null
			say "  skiff-hv --backend=$be did not serve the page"
		fi
	done
	wrk_run qemu-tcg "$url" $c
	wrk_run nginx http://10.0.9.2:8080/index.html $c
	for be in "${hv_variants[@]}"; do
		wrk_line "hv-$be" $c "$(cat "$out/hv-$be-$c.exits" 2>/dev/null)"
	done
	wrk_line qemu-tcg $c
	wrk_line nginx $c
done
say "  (hv-B: httpd under skiff-hv --backend=B, its rings over a tap; hv-B+watch: the same with"
say "   --net-spin=200, which is the default only with 4 CPUs or more; qemu-tcg: httpd in QEMU TCG"
say "   -M microvm, virtio-net over a tap; nginx: Debian's, native, worker_processes 1, behind a veth)"
if [ ${#hv_backends[@]} = 1 ]; then
	say "  skiff-hv --backend=kvm: not measured (no /dev/kvm on this machine)"
fi

# skiff-hv's cold start: from spawning it to the first complete response, median of 50.
for be in "${hv_backends[@]}"; do
	# shellcheck disable=SC2046
	say "skiff-hv --backend=$be, spawn to first response: $(in_ns python3 support/first-response.py 50 \
		"http://$hvip/index.html" -- $(hv_cmd "$be"))"
done
gcc -O2 -static-pie -o "$out/proc-floor" -x c - <<<'int main(void) { return 0; }'
say "  floors (hyperfine, whole process): static PIE doing nothing $(hyperfine -N --runs 50 --export-json "$out/floor.json" "$out/proc-floor" >/dev/null 2>&1 &&
	python3 -c 'import json,sys; print("%.2f ms" % (json.load(open(sys.argv[1]))["results"][0]["median"] * 1000))' "$out/floor.json")"
if [ -c /dev/kvm ]; then
	gcc -std=c11 -D_GNU_SOURCE -O2 -o "$out/kvm-floor" support/kvm-floor.c
	say "  KVM floor (create a VM, one HLT): $(hyperfine -N --runs 50 --export-json "$out/kfloor.json" "$out/kvm-floor" >/dev/null 2>&1 &&
		python3 -c 'import json,sys; print("%.2f ms" % (json.load(open(sys.argv[1]))["results"][0]["median"] * 1000))' "$out/kfloor.json")"
else
	say "  KVM floor: not measured (no /dev/kvm on this machine)"
fi

# An idle skiff-hv: its CPU time over 10 s after serving the page once (all its threads, from
# the scheduler's nanosecond counts, and in clock ticks as the QEMU figure above).
ns_cpu() { cat /proc/"$1"/task/*/schedstat | awk '{ s += $1 } END { print s }'; }
for be in "${hv_backends[@]}"; do
	start_hv "$be" || continue
	pid=$(in_ns pgrep -x skiff-hv | head -1)
	c0=$(cpu "$pid") n0=$(ns_cpu "$pid")
	sleep 10
	c1=$(cpu "$pid") n1=$(ns_cpu "$pid")
	stop_hv "$be" >/dev/null
	say "idle httpd under skiff-hv --backend=$be: $(( (n1 - n0) / 1000 )) us of CPU in 10 s ($((c1 - c0)) ticks)"
done
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
		wrk_run qemu-kvm "$url" $c
		wrk_line qemu-kvm $c
	done
	stop_httpd
else
	say "httpd under QEMU KVM did not come up (see $out/httpd-qemu.log)"
	stop_httpd
fi
kill "$npid" 2>/dev/null || true
