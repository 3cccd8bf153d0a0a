# SPDX-License-Identifier: MIT
# Networking under QEMU (TCG), on -M microvm (virtio-mmio) and -M pc (virtio-net-pci), and under
# skiff-hv (its rings over taps; each backend this machine has): each case
# makes its own network namespace with taps (support/netns.sh), boots the image attached to them,
# talks to it with real clients (ping, curl, ab, python sockets, dnsmasq) from inside the
# namespace, and removes everything afterwards, also when a case fails or the run is interrupted.
# Every address is inside a namespace. Needs root (namespaces): otherwise each case is skipped.

NET_SKIP=$(netns_skip probe)
NET_ACTIVE=()
net_cleanup() {
	netns_destroy "${NET_ACTIVE[@]}"
	NET_ACTIVE=()
}
trap net_cleanup EXIT INT TERM

for app in httpd echo; do
	make -s APP=apps/$app >"$TEST_LOGS/build-$app.log" 2>&1 || fail "build/$app" "does not build" "$TEST_LOGS/build-$app.log"
done
make -s hv >"$TEST_LOGS/build-hv-net.log" 2>&1 || fail build/hv-net "skiff-hv does not build" "$TEST_LOGS/build-hv-net.log"

# A site for httpd: the app's page, a small file, 1 MiB of random bytes, a nested directory.
SITE=$TEST_LOGS/net-site
rm -rf "$SITE"; mkdir -p "$SITE/sub"
cp apps/httpd/rootfs/index.html "$SITE/"
echo "small file" >"$SITE/small.txt"
head -c 1048576 /dev/urandom >"$SITE/big.bin"
echo "nested" >"$SITE/sub/index.html"
python3 support/mkinitrd.py "$SITE" "$TEST_LOGS/net-site.cpio"

# net_cmd MACHINE NICS IMAGE [--initrd FILE] [--opts "KERNEL-OPTIONS"] [--stats] [--hv-opt OPTION] [-- APP-ARGS...]:
# sets NET_CMD to the command that runs IMAGE with NICS taps (tap0..) on MACHINE: microvm or pc
# (QEMU TCG, support/qemu-run.sh) or hv-process, hv-kvm (skiff-hv with that backend).
net_cmd() {
	local machine=$1 nics=$2 image=$3 i opts=() o
	shift 3
	case $machine in
	hv-*)
		NET_CMD=(timeout -k 5 300 build/hv/skiff-hv --backend="${machine#hv-}")
		for ((i = 0; i < nics; i++)); do
			NET_CMD+=(--net="tap$i")
		done
		while [ $# -gt 0 ] && [ "$1" != -- ]; do
			case $1 in
			--initrd) NET_CMD+=(--initrd="$2"); shift ;;
			--opts) read -ra o <<<"$2"; opts+=("${o[@]}"); shift ;;
			--stats) NET_CMD+=(--stats) ;;
			--hv-opt) NET_CMD+=("$2"); shift ;;
			esac
			shift
		done
		NET_CMD+=("$image" "${opts[@]}" "$@")
		;;
	*)
		NET_CMD=(support/qemu-run.sh --timeout 300 --machine "$machine")
		for ((i = 0; i < nics; i++)); do
			NET_CMD+=(--nic "tap=tap$i")
		done
		while [ $# -gt 0 ] && [ "$1" != -- ]; do
			case $1 in
			--stats) ;;
			--hv-opt) shift ;; # skiff-hv's alone
			*) NET_CMD+=("$1") ;;
			esac
			shift
		done
		NET_CMD+=("$image" "$@")
		;;
	esac
}

# Why MACHINE cannot run here ("" when it can).
net_machine_skip() {
	case $1 in
	hv-*) hv_backend_skip "${1#hv-}" ;;
	esac
}

# The MAC prefix of NIC 0: QEMU's, or skiff-hv's (made from the tap's name).
net_mac_prefix() {
	case $1 in
	hv-*) echo "02:53:4b" ;;
	*) echo "52:54:00" ;;
	esac
}

# net_boot NAME MACHINE NICS IMAGE READY-PATTERN [NET_CMD-OPTIONS...] [-- APP-ARGS...]: namespace
# sk-NAME, the image booted in it (in the background), waited for until its log shows
# READY-PATTERN. Returns 1 when it does not come up; the caller fails the test.
net_boot() {
	support/netns.sh create "$1" "$3" || return 1
	NET_ACTIVE+=("$1")
	net_start "$@"
}

# net_start: net_boot's arguments, the namespace already made (and in NET_ACTIVE).
net_start() {
	local name=$1 machine=$2 nics=$3 image=$4 ready=$5 log="$TEST_LOGS/net-$1.log"
	shift 5
	net_cmd "$machine" "$nics" "$image" "$@"
	support/netns.sh exec "$name" "${NET_CMD[@]}" >"$log" 2>&1 &
	for _ in $(seq 300); do
		grep -q "$ready" "$log" 2>/dev/null && return 0
		kill -0 $! 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

net_in() { # NAME CMD...: run CMD in the namespace, bounded
	local name=$1
	shift
	timeout -k 5 120 support/netns.sh exec "$name" "$@"
}

# A raw HTTP exchange from inside the namespace: send DATA (a Python bytes expression), print the reply.
net_raw() { # NAME HOST DATA [IDLE-WAIT]
	net_in "$1" python3 - "$2" "$3" "${4:-5}" <<'PY'
import socket, sys
host, data, wait = sys.argv[1], eval(sys.argv[2]), float(sys.argv[3])  # the test's own expression
s = socket.create_connection((host, 80), timeout=wait + 10)
s.sendall(data)
out = b""
try:
    while True:
        b = s.recv(65536)
        if not b:
            break
        out += b
except socket.timeout:
    out += b"<timeout>"
sys.stdout.write(out.decode("latin-1"))
PY
}

# Five HTTP/1.0 requests in a row from one client port (argument: the server's address).
NET_PORT_REUSE_PY='
import errno, socket, sys, time
family, _, _, _, addr = socket.getaddrinfo(sys.argv[1], 80, type=socket.SOCK_STREAM)[0]
for i in range(5):
    for attempt in range(100):  # the last connection may still be closing on this side
        s = socket.socket(family)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.settimeout(5)
        try:
            s.bind(("", 40123))
            s.connect(addr)
            break
        except OSError as e:
            if e.errno not in (errno.EADDRINUSE, errno.EADDRNOTAVAIL):
                raise
            s.close()
            time.sleep(0.05)
    s.sendall(b"GET /small.txt HTTP/1.0\r\n\r\n")
    data = b""
    while True:
        b = s.recv(4096)
        if not b:
            break
        data += b
    s.close()
    assert b"small file" in data, data
print("port reuse ok")
'

expect_in() { # TEST LOG PATTERN...
	local t=$1 log=$2 p
	shift 2
	for p in "$@"; do
		if ! grep -qF -- "$p" "$log"; then
			fail "$t" "missing '$p'" "$log"
			return 1
		fi
	done
	pass "$t"
}

# ---- httpd: ping, files, keep-alive, pipelining, load, bad requests, idle limit -------------
httpd_suite() {
	local m=$1 ns=h$1 t=net/$1 out="$TEST_LOGS/net-$1-out" ip=10.0.0.2 why
	why=${NET_SKIP:-$(net_machine_skip "$m")}
	if [ -n "$why" ]; then
		for c in boot ping flood-ping small big head 404 keep-alive pipelining http10 concurrent port-reuse \
			 port-reuse-ipv6 bad-bytes \
			 long-line endless-headers bad-method traversal cut-off idle-close served-meanwhile; do
			skip "$t/httpd-$c" "$why"
		done
		return
	fi
	if ! net_boot "$ns" "$m" 1 build/httpd/httpd.kvm "httpd: serving" --initrd "$TEST_LOGS/net-site.cpio" \
		--opts "net.ip=$ip/24 net.gw=10.0.0.1" -- -t 3; then
		fail "$t/httpd-boot" "the image did not come up" "$TEST_LOGS/net-$ns.log"
		net_cleanup
		return
	fi
	expect_in "$t/httpd-boot" "$TEST_LOGS/net-$ns.log" "en0: $(net_mac_prefix "$m")" "$ip/24 gw 10.0.0.1 (static)" "(link-local)"

	net_in "$ns" ping -c 3 -W 2 $ip >"$out.ping" 2>&1 && pass "$t/httpd-ping" || fail "$t/httpd-ping" "no answer" "$out.ping"
	net_in "$ns" ping -f -c 2000 -W 1 $ip >"$out.flood" 2>&1
	if net_in "$ns" ping -c 2 -W 2 $ip >>"$out.flood" 2>&1; then
		pass "$t/httpd-flood-ping"
	else
		fail "$t/httpd-flood-ping" "no answer after a flood of 2000 pings" "$out.flood"
	fi

	net_in "$ns" curl -s -m 20 -o "$out.small" http://$ip/small.txt &&
		cmp -s "$out.small" "$SITE/small.txt" && pass "$t/httpd-small" ||
		fail "$t/httpd-small" "small.txt differs or did not come" "$out.small"
	net_in "$ns" curl -s -m 60 -o "$out.big" http://$ip/big.bin &&
		[ "$(sha256sum <"$out.big")" = "$(sha256sum <"$SITE/big.bin")" ] && pass "$t/httpd-big" ||
		fail "$t/httpd-big" "the 1 MiB file's checksum differs"
	net_in "$ns" curl -s -m 20 -I http://$ip/small.txt >"$out.head" 2>&1
	expect_in "$t/httpd-head" "$out.head" "HTTP/1.1 200 OK" "Content-Length: 11" "Content-Type: text/plain" \
		"Last-Modified: " "Date: "
	net_in "$ns" curl -s -m 20 -o /dev/null -w '%{http_code}\n' http://$ip/nothing/here >"$out.404" 2>&1
	expect_in "$t/httpd-404" "$out.404" "404"
	net_in "$ns" curl -sv -m 20 http://$ip/small.txt http://$ip/sub/ http://$ip/ >"$out.ka" 2>&1
	expect_in "$t/httpd-keep-alive" "$out.ka" "Re-using existing connection" "nested" "Welcome to Skiff httpd"
	net_raw "$ns" $ip 'b"GET /small.txt HTTP/1.1\r\nHost: x\r\n\r\nGET /sub/ HTTP/1.1\r\nHost: x\r\n\r\nHEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"' >"$out.pipe" 2>&1
	if [ "$(grep -c '^HTTP/1.1 200 OK' "$out.pipe")" = 3 ] && grep -q "small file" "$out.pipe" && grep -q nested "$out.pipe"; then
		pass "$t/httpd-pipelining"
	else
		fail "$t/httpd-pipelining" "expected three answers in order" "$out.pipe"
	fi
	net_in "$ns" curl -s -m 20 -0 -D - -o /dev/null http://$ip/small.txt >"$out.h10" 2>&1
	expect_in "$t/httpd-http10" "$out.h10" "HTTP/1.1 200 OK" "Connection: close"
	net_in "$ns" ab -q -c 200 -n 2000 -s 60 http://$ip/index.html >"$out.ab" 2>&1
	if grep -q "^Complete requests: *2000" "$out.ab" && grep -q "^Failed requests: *0" "$out.ab" &&
	   ! grep -q "^Non-2xx" "$out.ab"; then
		pass "$t/httpd-concurrent"
	else
		fail "$t/httpd-concurrent" "ab -c 200 -n 2000 did not complete cleanly" "$out.ab"
	fi

	# A client that comes back from the same port while the image still holds the old connection
	# in TIME_WAIT (HTTP/1.0: the server closes first), as busy clients do once their ports wrap.
	local ll
	ll=$(grep -o 'fe80::[0-9a-f:]*' "$TEST_LOGS/net-$ns.log" | head -1)
	net_in "$ns" python3 - $ip <<<"$NET_PORT_REUSE_PY" >"$out.reuse" 2>&1
	expect_in "$t/httpd-port-reuse" "$out.reuse" "port reuse ok"
	net_in "$ns" python3 - "$ll%tap0" <<<"$NET_PORT_REUSE_PY" >"$out.reuse6" 2>&1
	expect_in "$t/httpd-port-reuse-ipv6" "$out.reuse6" "port reuse ok"

	# Bad requests: each gets its status (or a close); the server goes on serving others.
	net_raw "$ns" $ip "b'\\x16\\x03\\x01\\x02\\x00\\x01\\x00\\x01\\xfc\\x03\\x03' + bytes(range(256)) + b'\\r\\n\\r\\n'" >"$out.bytes" 2>&1
	expect_in "$t/httpd-bad-bytes" "$out.bytes" "HTTP/1.1 400 Bad Request"
	net_raw "$ns" $ip "b'GET /' + b'a' * 65536 + b' HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n'" >"$out.long" 2>&1
	expect_in "$t/httpd-long-line" "$out.long" "HTTP/1.1 414 URI Too Long"
	net_raw "$ns" $ip "b'GET / HTTP/1.1\\r\\nHost: x\\r\\n' + b''.join(b'X-H%d: v\\r\\n' % i for i in range(5000)) + b'\\r\\n'" >"$out.hdrs" 2>&1
	expect_in "$t/httpd-endless-headers" "$out.hdrs" "HTTP/1.1 431 Request Header Fields Too Large"
	net_raw "$ns" $ip 'b"DELETE / HTTP/1.1\r\nHost: x\r\n\r\n"' >"$out.method" 2>&1
	expect_in "$t/httpd-bad-method" "$out.method" "HTTP/1.1 405 Method Not Allowed" "Allow: GET, HEAD"
	net_raw "$ns" $ip 'b"GET /sub/../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n"' >"$out.trav" 2>&1
	expect_in "$t/httpd-traversal" "$out.trav" "HTTP/1.1 403 Forbidden"
	# Half a request, then silence: a 408 at the idle limit (3 s here); others are served meanwhile.
	net_raw "$ns" $ip 'b"GET /small.txt HTT"' 8 >"$out.cut" 2>&1 &
	local cut=$!
	sleep 1
	net_in "$ns" curl -s -m 10 -o /dev/null -w '%{http_code}\n' http://$ip/small.txt >"$out.meanwhile" 2>&1
	wait $cut
	expect_in "$t/httpd-cut-off" "$out.cut" "HTTP/1.1 408 Request Timeout"
	grep -q "<timeout>" "$out.cut" && fail "$t/httpd-idle-close" "not closed after the idle limit" "$out.cut" ||
		pass "$t/httpd-idle-close"
	expect_in "$t/httpd-served-meanwhile" "$out.meanwhile" "200"
	net_cleanup
}

# ---- skiff-hv with an I/O thread: a busy server exits rarely --------------------------------
# With the rings watched for 200 us (--net-spin=200; the default only on hosts with 4 CPUs or
# more) an I/O thread moves the frames: the 1 MiB file arrives whole through it, then a bounded
# wrk load with 50 connections, then the monitor's --stats (printed when the namespace's teardown
# stops it): fewer than one exit per 10 requests. A count, not a time.
exits_test() {
	local m=$1 t=net/$1/httpd-exits-per-request ns=x$1 out="$TEST_LOGS/net-$1-out" log why requests exits
	log="$TEST_LOGS/net-x$1.log"
	why=${NET_SKIP:-$(net_machine_skip "$m")}
	if [ -n "$why" ]; then
		skip "net/$1/io-thread-big" "$why"
		skip "$t" "$why"
		return
	fi
	if ! net_boot "$ns" "$m" 1 build/httpd/httpd.kvm "httpd: serving" --stats --hv-opt --net-spin=200 \
		--initrd "$TEST_LOGS/net-site.cpio" --opts "net.ip=10.0.0.2/24"; then
		fail "$t" "the image did not come up" "$log"
		net_cleanup
		return
	fi
	net_in "$ns" curl -s -m 60 -o "$out.thread-big" http://10.0.0.2/big.bin
	if cmp -s "$out.thread-big" "$SITE/big.bin"; then
		pass "net/$1/io-thread-big"
	else
		fail "net/$1/io-thread-big" "the 1 MiB file did not arrive whole through the I/O thread" "$log"
	fi
	net_in "$ns" wrk -t 2 -c 50 -d 3s http://10.0.0.2/index.html >"$out.exits" 2>&1
	net_cleanup
	for _ in $(seq 50); do
		grep -q "exits:.*total" "$log" && break
		sleep 0.1
	done
	requests=$(awk '/requests in/ { print $1 }' "$out.exits")
	exits=$(grep -o 'total [0-9]*' "$log" | awk '{ print $2 }')
	if [ -z "$requests" ] || [ -z "$exits" ]; then
		fail "$t" "no request count from wrk or no --stats line" "$out.exits"
	elif [ "$requests" -gt 1000 ] && [ $((exits * 10)) -lt "$requests" ]; then
		pass "$t"
	else
		fail "$t" "$exits exits for $requests requests (at most one per 10 wanted)" "$log"
	fi
}

# ---- skiff-hv on a tap that QEMU had ------------------------------------------------------------
# QEMU turns the tap's offloads on (checksums, TSO) and leaves them so: the host would then send
# TCP segments with checksums left undone. skiff-hv turns them off; the 1 MiB file must arrive.
offload_test() {
	local m=$1 t=net/$1/tap-offloads-left-on ns=o$1 out="$TEST_LOGS/net-$1-out.offload" why
	why=${NET_SKIP:-$(net_machine_skip "$m")}
	if [ -n "$why" ]; then
		skip "$t" "$why"
		return
	fi
	support/netns.sh create "$ns" 1 || { fail "$t" "cannot create the namespace"; return; }
	NET_ACTIVE+=("$ns")
	# What QEMU does to a tap: a virtio-net header, then TUNSETOFFLOAD with TUN_F_CSUM|TSO4|TSO6.
	net_in "$ns" python3 -c '
import fcntl, os, struct
fd = os.open("/dev/net/tun", os.O_RDWR)
fcntl.ioctl(fd, 0x400454ca, struct.pack("16sH", b"tap0", 0x0002 | 0x1000 | 0x4000))
fcntl.ioctl(fd, 0x400454d0, 0x1 | 0x2 | 0x4)
print("offloads on")' >"$out" 2>&1
	if ! grep -q "^offloads on" "$out"; then
		fail "$t" "could not turn the tap's offloads on first" "$out"
		net_cleanup
		return
	fi
	if ! net_start "$ns" "$m" 1 build/httpd/httpd.kvm "httpd: serving" --initrd "$TEST_LOGS/net-site.cpio" \
		--opts "net.ip=10.0.0.2/24"; then
		fail "$t" "the image did not come up" "$TEST_LOGS/net-$ns.log"
		net_cleanup
		return
	fi
	net_in "$ns" curl -s -m 20 -o "$out.big" http://10.0.0.2/big.bin >>"$out" 2>&1
	if cmp -s "$out.big" "$SITE/big.bin"; then
		pass "$t"
	else
		fail "$t" "the 1 MiB file did not arrive whole" "$out"
	fi
	net_cleanup
}

# ---- echo: UDP, outbound TCP, DNS and DHCP from dnsmasq, two NICs -----------------------------
echo_suite() {
	local m=$1 t=net/$1 out="$TEST_LOGS/net-$1-out" why
	why=${NET_SKIP:-$(net_machine_skip "$m")}
	if [ -n "$why" ]; then
		for c in udp two-nics slaac-ipv6 dhcp dns-outbound; do
			skip "$t/echo-$c" "$why"
		done
		return
	fi
	# UDP echo, two NICs on two subnets, and IPv6 by SLAAC from dnsmasq's router advertisements
	# on the first (fd00::/64; the address from the MAC, as the link-local one).
	local ll6 g6
	if net_boot "e$m" "$m" 2 build/echo/echo.kvm "echo: listening" \
		--opts "net.ip=10.0.0.2/24 net1.ip=10.0.1.2/24"; then
		net_in "e$m" dnsmasq --no-daemon --no-resolv --no-hosts --port=0 --interface=tap0 \
			--bind-interfaces --enable-ra --dhcp-range=::,constructor:tap0,ra-only --pid-file= \
			--log-facility=- >"$out.ra" 2>&1 &
		net_in "e$m" python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(5)
for i in range(20):
    s.sendto(b"datagram %d" % i, ("10.0.0.2", 7)); assert s.recvfrom(100)[0] == b"datagram %d" % i
print("udp ok")' >"$out.udp" 2>&1
		expect_in "$t/echo-udp" "$out.udp" "udp ok"
		net_in "e$m" ping -c 2 -W 2 10.0.1.2 >"$out.nic1" 2>&1 && net_in "e$m" ping -c 2 -W 2 10.0.0.2 >>"$out.nic1" 2>&1 &&
			grep -q "en1: " "$TEST_LOGS/net-e$m.log" && pass "$t/echo-two-nics" ||
			fail "$t/echo-two-nics" "both subnets must answer" "$TEST_LOGS/net-e$m.log"
		ll6=$(grep -m1 -o 'en0: .*fe80::[0-9a-f:]*' "$TEST_LOGS/net-e$m.log" | grep -o 'fe80::[0-9a-f:]*')
		g6=fd00::${ll6#fe80::}
		for _ in $(seq 30); do # router advertisement, then duplicate address detection
			net_in "e$m" ping -6 -c 1 -W 1 "$g6" >"$out.slaac" 2>&1 && break
		done
		net_in "e$m" python3 -c '
import socket, sys
s = socket.create_connection((sys.argv[1], 7), timeout=10); s.sendall(b"over ipv6")
print("got", s.recv(100))' "$g6" >>"$out.slaac" 2>&1
		expect_in "$t/echo-slaac-ipv6" "$out.slaac" "got b'over ipv6'"
	else
		fail "$t/echo-udp" "the image did not come up" "$TEST_LOGS/net-e$m.log"
		skip "$t/echo-two-nics" "needs the image of echo-udp"
		skip "$t/echo-slaac-ipv6" "needs the image of echo-udp"
	fi
	net_cleanup
	# DHCP and DNS from dnsmasq in the namespace; the image connects out to a server there.
	if ! support/netns.sh create "d$m" 1; then
		fail "$t/echo-dhcp" "cannot create the namespace"
		return
	fi
	NET_ACTIVE+=("d$m")
	net_in "d$m" dnsmasq --no-daemon --no-resolv --no-hosts --interface=tap0 --bind-interfaces \
		--dhcp-range=10.0.0.50,10.0.0.60,12h --address=/server.skiff.test/10.0.0.1 \
		--dhcp-option=option:dns-server,10.0.0.1 --pid-file= --log-facility=- \
		>"$out.dnsmasq" 2>&1 &
	net_in "d$m" python3 -c '
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.0.0.1", 9000)); s.listen(1); s.settimeout(100)
c, a = s.accept(); d = c.recv(100); c.sendall(d.upper()); c.close()
print("server saw", d)' >"$out.server" 2>&1 &
	sleep 0.5
	net_cmd "$m" 1 build/echo/echo.kvm -- connect server.skiff.test 9000 hello-from-skiff
	net_in "d$m" "${NET_CMD[@]}" >"$out.client" 2>&1
	expect_in "$t/echo-dhcp" "$out.client" "(DHCP)" "10.0.0.5"
	expect_in "$t/echo-dns-outbound" "$out.client" 'echo: server.skiff.test answered "HELLO-FROM-SKIFF"'
	net_cleanup
}

# ---- without root: malformed network options, and QEMU user networking on loopback ----------
# Each malformed option ends the boot with status 126 and one line naming it (no NIC needed:
# the options are checked before any NIC starts); an option for a NIC the image lacks is a warning.
options_suite() {
	local t=net/options out="$TEST_LOGS/net-opt" case opt want rc
	while IFS='|' read -r case opt want; do
		support/qemu-run.sh --timeout 60 --opts "$opt" build/echo/echo.kvm >"$out-$case.log" 2>&1
		rc=$?
		if [ $rc = 126 ] && grep -qF "boot option '$opt': $want" "$out-$case.log"; then
			pass "$t/$case"
		else
			fail "$t/$case" "expected status 126 and \"boot option '$opt': $want\", got $rc" "$out-$case.log"
		fi
	done <<'EOF_CASES'
bad-ip|net.ip=10.0.0.300/24|expected an IPv4 address and prefix length
bad-prefix|net.ip=10.0.0.2/33|expected an IPv4 address and prefix length
bad-gw|net1.gw=gateway|expected an IPv4 address
bad-dns|net.dns=::g|expected an IPv4 or IPv6 address
bad-dhcp-timeout|net.dhcp_timeout=5s|expected a number of seconds, 0 to 3600
unknown-key|net.mask=255.0.0.0|unknown (net options: ip, gw, dns, dhcp_timeout)
no-value|net.ip|needs a value
EOF_CASES
	if qemu_until "$out-missing-nic.log" "echo: listening" --opts "net3.ip=10.0.3.2/24" build/echo/echo.kvm; then
		expect_in "$t/missing-nic-warned" "$out-missing-nic.log" \
			"boot option 'net3.ip': this image has no NIC en3; ignored"
	else
		fail "$t/missing-nic-warned" "the image should run on after the warning" "$out-missing-nic.log"
	fi
}

# qemu_until LOG PATTERN QEMU-RUN-ARGS...: boot in the background until LOG shows PATTERN (0) or
# QEMU ends or 30 s pass (1); QEMU is stopped either way unless QEMU_KEEP is set, when its pid
# is left in QEMU_PID.
qemu_until() {
	local log=$1 pattern=$2 r=1
	shift 2
	support/qemu-run.sh --timeout 120 "$@" >"$log" 2>&1 &
	QEMU_PID=$!
	for _ in $(seq 300); do
		if grep -q "$pattern" "$log"; then
			r=0
			break
		fi
		kill -0 $QEMU_PID 2>/dev/null || break
		sleep 0.1
	done
	if [ -z "${QEMU_KEEP:-}" ] || [ $r != 0 ]; then
		kill $QEMU_PID 2>/dev/null
		wait $QEMU_PID 2>/dev/null
	fi
	return $r
}

# QEMU's user networking, restricted (the guest reaches nothing outside QEMU; QEMU's DHCP server
# then offers no gateway): a lease, and a page through a forwarded port on 127.0.0.1.
user_net_test() {
	local t=net/microvm/httpd-user-net log="$TEST_LOGS/net-user.log" port
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	if ! QEMU_KEEP=1 qemu_until "$log" "httpd: serving" --nic "user,restrict=on,hostfwd=tcp:127.0.0.1:$port-:80" \
		--initrd build/httpd/httpd.initrd build/httpd/httpd.kvm; then
		fail "$t" "the image did not come up" "$log"
		return
	fi
	if curl -s -m 20 -o "$log.page" "http://127.0.0.1:$port/" && cmp -s "$log.page" apps/httpd/rootfs/index.html; then
		expect_in "$t" "$log" "10.0.2.15/24 gw 0.0.0.0 (DHCP)"
	else
		fail "$t" "no page through the forwarded port $port" "$log"
	fi
	kill $QEMU_PID 2>/dev/null
	wait $QEMU_PID 2>/dev/null
}

options_suite
user_net_test
for machine in microvm pc hv-process hv-kvm; do
	httpd_suite $machine
	echo_suite $machine
	case $machine in hv-*) exits_test $machine; offload_test $machine ;; esac
done
trap - EXIT INT TERM
