#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Key-value benchmark (support/bench.sh runs it; figures, never pass/fail), in one run, inside
# network namespaces of its own (nothing leaves the machine): the same redis-benchmark commands
# (-t set,get -n 100000 -c 50, with and without -P 16) against apps/kv under skiff-hv (each
# backend this machine has; its NIC on a tap, a disk file) and Debian's redis-server, native, in a
# namespace of its own behind a veth pair (redis-tools' redis-check-aof binary run under the name
# redis-server: the same program), each with persistence off and with appendfsync always, in
# interleaved rounds (KV_BENCH_ROUNDS, default 3), reported as medians with kv's ratio.
# KV_BENCH_FSYNC ("off always") and KV_BENCH_PIPELINE ("1 16") pick fewer configurations.
# Usage: support/kv-bench.sh OUTDIR (needs root for the namespaces)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-build/bench}
mkdir -p "$out"
results="$out/results.txt"
say() { echo "$*" | tee -a "$results"; }
ns=kvb
kvip=10.0.0.2 rip=10.0.9.2
kpid="" rpid=""

cleanup() {
	[ -n "$kpid" ] && kill "$kpid" 2>/dev/null || true
	[ -n "$rpid" ] && kill "$rpid" 2>/dev/null || true
	support/netns.sh destroy kvbr >/dev/null 2>&1 || true
	support/netns.sh destroy "$ns" >/dev/null 2>&1 || true
}
trap cleanup EXIT INT TERM

if [ "$(id -u)" != 0 ]; then
	say "key-value: skipped (network namespaces need root)"
	exit 0
fi
support/deps.sh net >/dev/null
{ make -s APP=apps/kv && make -s hv; } >"$out/kv-build.log" 2>&1 || { cat "$out/kv-build.log"; exit 1; }
in_ns() { support/netns.sh exec "$ns" "$@"; }

support/netns.sh create "$ns" 1 >/dev/null
support/netns.sh create kvbr 1 >/dev/null
ip -n "sk-$ns" link add vk0 type veth peer name vk1 netns sk-kvbr
ip -n "sk-$ns" addr add 10.0.9.1/24 dev vk0
ip -n "sk-$ns" link set vk0 up
ip -n sk-kvbr addr add $rip/24 dev vk1
ip -n sk-kvbr link set vk1 up
ln -sf /usr/bin/redis-check-aof "$out/redis-server"

backends=(process)
[ -c /dev/kvm ] && backends+=(kvm)

start_kv() { # BACKEND FSYNC: kv in the background (persistence off: no disk)
	local d=()
	if [ "$2" != off ]; then
		rm -f "$out/kv.disk"
		truncate -s 256M "$out/kv.disk"
		d=(--disk="$out/kv.disk")
	fi
	# Not through in_ns: a function in the background is a subshell, and kpid must be skiff-hv.
	support/netns.sh exec "$ns" build/hv/skiff-hv --backend="$1" --quiet --net=tap0 "${d[@]}" build/kv/kv.kvm \
		net.ip=$kvip/24 -- -m 512 -f "${2/off/no}" >"$out/kv.log" 2>&1 &
	kpid=$!
	for _ in $(seq 100); do
		[ "$(in_ns redis-cli -h $kvip PING 2>/dev/null)" = PONG ] && return 0
		sleep 0.1
	done
	return 1
}

start_redis() { # FSYNC
	local aof=(--appendonly no)
	[ "$1" = always ] && aof=(--appendonly yes --appendfsync always)
	rm -rf "$out/redis-dir"
	mkdir -p "$out/redis-dir"
	support/netns.sh exec kvbr "$out/redis-server" --bind $rip --port 6379 --save '' --dir "$PWD/$out/redis-dir" \
		--protected-mode no "${aof[@]}" >"$out/redis.log" 2>&1 &
	rpid=$!
	for _ in $(seq 100); do
		[ "$(in_ns redis-cli -h $rip PING 2>/dev/null)" = PONG ] && return 0
		sleep 0.1
	done
	return 1
}

stop() { # PID variable name
	local p=${!1}
	if [ -n "$p" ]; then
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	fi
	printf -v "$1" '%s' ""
}

bench() { # HOST PIPELINE: "SET GET" requests per second
	local p=() r
	[ "$2" != 1 ] && p=(-P "$2")
	r=$(in_ns redis-benchmark -h "$1" -t set,get -n 100000 -c 50 "${p[@]}" -q 2>&1 | tr '\r' '\n' |
		grep -E '^(SET|GET): [0-9]' | sed 's/ requests per second.*//; s/^[A-Z]*: //' | tr '\n' ' ')
	echo "${r:-- -}"
}

# Rounds outermost: every server sees each stretch of a host whose speed drifts (this one is a
# VM on shared CPUs, where two runs of the same command differ by up to a third).
rounds=${KV_BENCH_ROUNDS:-3}
declare -A got # "server fsync pipeline" -> "SET GET" lines, one a round
fsyncs=(${KV_BENCH_FSYNC:-off always}) pipes=(${KV_BENCH_PIPELINE:-1 16})
for r in $(seq "$rounds"); do
	for fs in "${fsyncs[@]}"; do
		for pl in "${pipes[@]}"; do
			for be in "${backends[@]}"; do
				if start_kv "$be" "$fs"; then
					got["kv-$be $fs $pl"]+="$(bench $kvip $pl)"$'\n'
				fi
				stop kpid
			done
			if start_redis "$fs"; then
				got["redis $fs $pl"]+="$(bench $rip $pl)"$'\n'
			fi
			stop rpid
		done
	done
done

# median COLUMN LINES: the median of that column's numbers ("-" when there are none).
median() {
	awk -v c="$1" '$c ~ /^[0-9.]+$/ { v[n++] = $c } END {
		if (!n) { print "-"; exit }
		for (i = 0; i < n; i++) for (j = i + 1; j < n; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
		printf "%.0f\n", n % 2 ? v[(n - 1) / 2] : (v[n / 2 - 1] + v[n / 2]) / 2 }' <<<"$2"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2fx", a / b; else print "-" }'; }

say "redis-benchmark -t set,get -n 100000 -c 50 [-P 16] from inside a namespace; requests/s, medians of $rounds interleaved rounds:"
say "| persistence, pipeline | server | SET | GET | SET vs redis-server | GET vs redis-server |"
say "| --- | --- | --- | --- | --- | --- |"
for fs in "${fsyncs[@]}"; do
	for pl in "${pipes[@]}"; do
		rs=$(median 1 "${got["redis $fs $pl"]:-}") rg=$(median 2 "${got["redis $fs $pl"]:-}")
		for be in "${backends[@]}"; do
			ks=$(median 1 "${got["kv-$be $fs $pl"]:-}") kg=$(median 2 "${got["kv-$be $fs $pl"]:-}")
			say "| $fs, -P $pl | kv (skiff-hv $be) | $ks | $kg | $(ratio "$ks" "$rs") | $(ratio "$kg" "$rg") |"
		done
		say "| $fs, -P $pl | redis-server | $rs | $rg | | |"
	done
done
say "(kv: apps/kv under skiff-hv, its NIC on a tap$( [ ${#backends[@]} = 1 ] && echo "; --backend=kvm not measured: no /dev/kvm"); redis-server: Debian's 7.0, native, behind a veth; each round's figures in $out/kv-rounds.txt)"
for k in "${!got[@]}"; do
	printf '%s\n%s' "$k" "${got[$k]}"
done >"$out/kv-rounds.txt"
