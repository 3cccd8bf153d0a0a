#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Network namespaces for network tests: every address a test uses lives inside a namespace this
# script makes (and removes), so nothing ever leaves the machine.
#
# Usage: support/netns.sh create NAME [NICS]   namespace sk-NAME with taps tap0 .. tap(NICS-1)
#                                              (default 1); tapN has 10.0.N.1/24 and fd00:N::1/64
#        support/netns.sh exec NAME CMD...     run CMD inside it
#        support/netns.sh destroy NAME         kill what runs inside it, then delete it
# The image attached to tapN is expected at 10.0.N.2 (net.ip=10.0.0.2/24 net.gw=10.0.0.1 for
# NIC 0). Needs root (ip netns). Exit status: 0, 1 when ip fails, 2 on bad usage.
set -euo pipefail

usage() { echo "usage: $0 create NAME [NICS] | exec NAME CMD... | destroy NAME" >&2; exit 2; }
[ $# -ge 2 ] || usage
cmd=$1 name=$2
[[ "$name" =~ ^[a-zA-Z0-9_-]{1,40}$ ]] || { echo "netns: bad name '$name'" >&2; exit 2; }
ns=sk-$name
shift 2

case "$cmd" in
create)
	nics=${1:-1}
	[[ "$nics" =~ ^[1-4]$ ]] || { echo "netns: NICS must be 1 to 4" >&2; exit 2; }
	ip netns del "$ns" 2>/dev/null || true
	ip netns add "$ns"
	ip -n "$ns" link set lo up
	for ((i = 0; i < nics; i++)); do
		ip -n "$ns" tuntap add dev "tap$i" mode tap
		ip -n "$ns" addr add "10.0.$i.1/24" dev "tap$i"
		ip -n "$ns" addr add "fd00:$i::1/64" dev "tap$i" nodad
		ip -n "$ns" link set "tap$i" up
	done
	;;
exec)
	[ $# -ge 1 ] || usage
	exec ip netns exec "$ns" "$@"
	;;
destroy)
	if ip netns list | grep -qw "$ns"; then
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill -TERM "$pid" 2>/dev/null || true
		done
		sleep 0.2
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill -KILL "$pid" 2>/dev/null || true
		done
		ip netns del "$ns"
	fi
	;;
*)
	usage
	;;
esac
