#!/bin/sh
# SPDX-License-Identifier: MIT
# dom0's half of tests/xen.sh's echo guests (busybox sh, run by support/xen-test.sh in dom0).
# tests/xen.sh puts MODE=... in front of this file:
#   MODE=two-vifs  the guest is the echo server on 10.0.0.3 (vif 0, bridge xenbr0) and 10.0.1.3
#                  (vif 1, xenbr1): both addresses must answer pings and echo a line back
#   MODE=outbound  the guest connects out to 10.0.0.1 port 9000: an nc in dom0 echoes its
#                  message back (started before the guest, stopped after it)
# Results go to $OUT/results as KEY=VALUE lines.

res() { echo "$1=$2" >>"$OUT/results"; }

# Wait (up to 30 s) until ADDR answers a ping.
wait_ping() {
	local i=0
	while [ $i -lt 30 ]; do
		ping -c 1 -W 1 "$1" >/dev/null 2>&1 && return 0
		i=$((i + 1))
	done
	return 1
}

# ping and echo through one address: results NAME_ping and NAME_echo.
check_addr() {
	local name=$1 ip=$2
	wait_ping "$ip"
	ping -c 3 -i 0.2 -W 2 "$ip" >"$OUT/ping-$name.txt" 2>&1
	res "${name}_ping" "$(sed -n 's/.* \([0-9]*\) packets received.*/\1/p' "$OUT/ping-$name.txt")"
	echo "line for $name" | timeout 10 nc "$ip" 7 >"$OUT/echo-$name.txt" 2>&1
	res "${name}_echo" "$(tr ' ' '_' <"$OUT/echo-$name.txt")"
}

case "$MODE-$1" in
two-vifs-run)
	check_addr vif0 10.0.0.3
	check_addr vif1 10.0.1.3
	res done yes ;;
outbound-before)
	nc -l -p 9000 -e /bin/cat >/dev/null 2>&1 </dev/null &
	echo $! >/run/xentest/nc.pid ;;
outbound-after)
	kill "$(cat /run/xentest/nc.pid)" 2>/dev/null
	rm -f /run/xentest/nc.pid ;;
esac
exit 0
