#!/bin/sh
# SPDX-License-Identifier: MIT
# dom0's half of tests/xen.sh's httpd guests: run by support/xen-test.sh inside the test host's
# dom0 (busybox sh) as `httpd-dom0.sh run` while the guest runs. tests/xen.sh puts GUEST_IP=ADDR
# (or GUEST_IP=dhcp: the address dnsmasq leased to MAC0) in front of this file. Every client is
# bounded by a timeout; results go to $OUT/results as KEY=VALUE lines, each client's output to a
# file of its own in $OUT, and tests/xen.sh judges them on the host.
# The guest serves the site tests/xen.sh built: small.txt and big.bin (1 MiB of random bytes).

res() { echo "$1=$2" >>"$OUT/results"; }
now_cs() {
	local up rest
	read -r up rest </proc/uptime
	echo $(( ${up%.*} * 100 + 1${up#*.} - 100 ))
}

# The guest's address: fixed, or the lease dnsmasq gave MAC0 (waited for, up to 30 s).
find_ip() {
	local i=0 exp mac ip rest
	if [ "$GUEST_IP" != dhcp ]; then
		ip=$GUEST_IP
	else
		while [ $i -lt 300 ] && [ -z "$ip" ]; do
			while read -r exp mac ip rest; do
				[ "$mac" = "$MAC0" ] && break
				ip=""
			done </run/xentest/dnsmasq.leases 2>/dev/null
			[ -n "$ip" ] || sleep 0.1
			i=$((i + 1))
		done
		res dhcp_ip "${ip:-none}"
		cp /run/xentest/dnsmasq.log "$OUT/dnsmasq.log" 2>/dev/null
	fi
	IP=$ip
	[ -n "$IP" ]
}

# Poll until the first HTTP response (or 60 s): the time from `xl create` to it.
first_response() {
	local t0
	t0=$(now_cs)
	while [ $(($(now_cs) - t0)) -lt 6000 ]; do
		if timeout 5 wget -q -O /dev/null "http://$IP/small.txt" 2>/dev/null; then
			res first_response_cs $(($(now_cs) - CREATE_CS))
			return 0
		fi
		sleep 0.05
	done
	res first_response_cs none
	return 1
}

files() {
	timeout 30 wget -q -O /run/small.txt "http://$IP/small.txt"
	res small_md5 "$(md5sum </run/small.txt | cut -d' ' -f1)"
	timeout 60 wget -q -O /run/big.bin "http://$IP/big.bin"
	res big_md5 "$(md5sum </run/big.bin | cut -d' ' -f1)"
	res big_bytes "$(wc -c </run/big.bin)"
	rm -f /run/small.txt /run/big.bin
}

# ab's summary lines as results: NAME_complete, NAME_failed, NAME_rps, NAME_keepalive.
ab_run() {
	local name=$1
	shift
	timeout 120 ab -q "$@" "http://$IP/small.txt" >"$OUT/ab-$name.txt" 2>&1
	res "${name}_rc" $?
	# One awk for all of them: every process start costs tens of milliseconds under TCG.
	awk -v n="$name" '/^Complete requests:/ { c = $3 } /^Failed requests:/ { f = $3 }
		/^Non-2xx responses:/ { x = $3 } /^Keep-Alive requests:/ { k = $3 }
		/^Requests per second:/ { r = $4 }
		END { printf "%s_complete=%s\n%s_failed=%s\n%s_non2xx=%s\n%s_keepalive=%s\n%s_rps=%s\n",
			n, c, n, f, n, x, n, k, n, r }' "$OUT/ab-$name.txt" >>"$OUT/results"
}

# A request line that is not HTTP: the guest must answer 400 and close.
bad_request() {
	printf 'GARBAGE\r\n\r\n' | timeout 10 nc "$IP" 80 >"$OUT/bad-request.txt" 2>&1
	res bad_request "$(head -n 1 "$OUT/bad-request.txt" | tr -d '\r' | tr ' ' '_')"
}

case "$1" in
run)
	find_ip || { res dhcp failed; exit 1; }
	first_response || exit 1
	ping -c 5 -i 0.1 -W 2 "$IP" >"$OUT/ping.txt" 2>&1
	res ping_received "$(sed -n 's/.* \([0-9]*\) packets received.*/\1/p' "$OUT/ping.txt")"
	files
	ab_run keepalive -k -n 100 -c 1
	ab_run concurrent -n 200 -c 16
	bad_request
	res done yes ;;
after) ;;
esac
