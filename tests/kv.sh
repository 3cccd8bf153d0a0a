# SPDX-License-Identifier: MIT
# apps/kv, the Redis-protocol key-value appliance, under skiff-hv (each backend this machine has)
# and QEMU (virtio-net and virtio-blk), with a NIC in a network namespace (support/netns.sh) and a
# disk file: every command through
# redis-cli with its reply checked, a bounded redis-benchmark load, malformed requests (the
# server answers or closes, and serves the next client), the memory limit, persistence across a
# restart, and crash consistency: SIGKILL at random moments while a client records each
# acknowledged SET; after a restart on the same disk every acknowledged key is there.
# Needs root (namespaces): otherwise each case is skipped with the reason.

KV_SKIP=$(netns_skip kprobe)
KV_NS=()
kv_cleanup() {
	netns_destroy "${KV_NS[@]}"
	KV_NS=()
}
trap kv_cleanup EXIT INT TERM

{ make -s APP=apps/kv && make -s hv; } >"$TEST_LOGS/build-kv.log" 2>&1 || fail build/kv "does not build" "$TEST_LOGS/build-kv.log"
KV_IP=10.0.0.2 KV_MAC=02:53:4b:00:00:02

kv_in() { # NS CMD...: inside the namespace, bounded
	local ns=$1
	shift
	timeout -k 5 120 support/netns.sh exec "$ns" "$@"
}

# kv_start NS RUNNER DISK LOG [KV-ARGS...]: kv in the background, under skiff-hv (RUNNER process
# or kvm: the backend) or QEMU (qemu: microvm, virtio-net on the tap, virtio-blk on DISK), until
# it is ready (0), or it ended or KV_BOOT_S seconds passed (1). DISK may be "" (no disk). KV_PID
# is the background job.
kv_start() {
	local ns=$1 runner=$2 disk=$3 log=$4 d=()
	shift 4
	if [ "$runner" = qemu ]; then
		[ -n "$disk" ] && d=(--disk "$disk")
		support/netns.sh exec "$ns" support/qemu-run.sh --timeout 0 --mem 128M --nic tap=tap0,mac=$KV_MAC \
			"${d[@]}" --opts "net.ip=$KV_IP/24" build/kv/kv.kvm -- "$@" >"$log" 2>&1 &
	else
		[ -n "$disk" ] && d=(--disk="$disk")
		support/netns.sh exec "$ns" build/hv/skiff-hv --backend="$runner" --net=tap0 --net-mac=$KV_MAC "${d[@]}" \
			build/kv/kv.kvm net.ip=$KV_IP/24 -- "$@" >"$log" 2>&1 &
	fi
	KV_PID=$!
	for _ in $(seq $((KV_BOOT_S * 10))); do
		grep -q "ready on port" "$log" 2>/dev/null && return 0
		kill -0 $KV_PID 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}
KV_BOOT_S=20
# What runs the image: skiff-hv or QEMU (the monitor a crash test kills).
KV_MONITOR="(skiff-hv|qemu-system-x86_64) .*build/kv/kv.kvm"

kv_stop() { # SIGNAL: the monitor of the last kv_start
	pkill -"${1:-TERM}" -f "$KV_MONITOR" 2>/dev/null
	kill -"${1:-TERM}" $KV_PID 2>/dev/null
	wait $KV_PID 2>/dev/null
	# The next start needs the tap: wait until the killed monitor is gone (and its tap free).
	for _ in $(seq 50); do
		pgrep -f "$KV_MONITOR" >/dev/null || break
		sleep 0.1
	done
}

# kv_expect TEST NS EXPECTED REDIS-CLI-ARGS...: redis-cli's output (not a terminal: raw replies,
# one per line, nil as an empty line) must be EXPECTED exactly ("\n" between lines).
kv_expect() {
	local t=$1 ns=$2 want=$3 got
	shift 3
	got=$(kv_in "$ns" redis-cli -h $KV_IP "$@" 2>&1)
	if [ "$got" = "$(printf '%b' "$want")" ]; then
		pass "$t"
	else
		fail "$t" "redis-cli $* gave '$got', expected '$(printf '%b' "$want")'"
	fi
}

kv_commands() { # TEST-PREFIX NS
	local t=$1 ns=$2 ttl keys
	kv_expect "$t/ping" "$ns" 'PONG' PING
	kv_expect "$t/ping-message" "$ns" 'hello' PING hello
	kv_expect "$t/echo" "$ns" 'a b' ECHO 'a b'
	kv_expect "$t/select" "$ns" 'OK' SELECT 0
	kv_expect "$t/select-other" "$ns" 'ERR DB index is out of range' SELECT 1
	kv_expect "$t/set" "$ns" 'OK' SET k1 v1
	kv_expect "$t/get" "$ns" 'v1' GET k1
	kv_expect "$t/get-missing" "$ns" '' GET nokey
	kv_expect "$t/set-nx-exists" "$ns" '' SET k1 v2 NX
	kv_expect "$t/set-xx" "$ns" 'OK' SET k1 v2 XX
	kv_expect "$t/set-xx-missing" "$ns" '' SET nokey v XX
	kv_expect "$t/set-get" "$ns" 'v2' SET k1 v3 GET
	kv_expect "$t/set-nx" "$ns" 'OK' SET nx1 a NX
	kv_expect "$t/getset" "$ns" 'v3' GETSET k1 v4
	kv_expect "$t/set-ex" "$ns" 'OK' SET ex1 v EX 100
	kv_expect "$t/set-px" "$ns" 'OK' SET px1 v PX 100000
	kv_expect "$t/set-bad-expire" "$ns" "ERR invalid expire time in 'set' command" SET bad v EX 0
	kv_expect "$t/set-not-integer" "$ns" 'ERR value is not an integer or out of range' SET bad v EX abc
	kv_expect "$t/set-syntax" "$ns" 'ERR syntax error' SET bad v BOGUS
	kv_expect "$t/ttl" "$ns" '100' TTL ex1
	ttl=$(kv_in "$ns" redis-cli -h $KV_IP PTTL px1)
	[ "$ttl" -gt 90000 ] 2>/dev/null && [ "$ttl" -le 100000 ] && pass "$t/pttl" || fail "$t/pttl" "PTTL px1 gave '$ttl'"
	kv_expect "$t/del" "$ns" '2' DEL k1 nx1 nokey
	kv_expect "$t/exists" "$ns" '2' EXISTS ex1 px1 nokey
	kv_expect "$t/incr" "$ns" '1' INCR cnt
	kv_expect "$t/decr" "$ns" '0' DECR cnt
	kv_expect "$t/incrby" "$ns" '10' INCRBY cnt 10
	kv_expect "$t/decrby" "$ns" '5' DECRBY cnt 5
	kv_expect "$t/incr-not-integer" "$ns" 'ERR value is not an integer or out of range' INCR ex1
	kv_in "$ns" redis-cli -h $KV_IP SET big 9223372036854775807 >/dev/null
	kv_expect "$t/incr-overflow" "$ns" 'ERR increment or decrement would overflow' INCR big
	kv_expect "$t/append" "$ns" '5' APPEND ap hello
	kv_expect "$t/append-more" "$ns" '11' APPEND ap ' world'
	kv_expect "$t/strlen" "$ns" '11' STRLEN ap
	kv_expect "$t/mset" "$ns" 'OK' MSET m1 a m2 b
	kv_expect "$t/mget" "$ns" 'a\nb\n' MGET m1 m2 nokey
	kv_expect "$t/expire" "$ns" '1' EXPIRE m1 100
	kv_expect "$t/expire-missing" "$ns" '0' EXPIRE nokey 100
	kv_expect "$t/persist" "$ns" '1' PERSIST m1
	kv_expect "$t/ttl-none" "$ns" '-1' TTL m1
	kv_expect "$t/ttl-missing" "$ns" '-2' TTL nokey
	kv_expect "$t/pexpire" "$ns" '1' PEXPIRE m2 1
	sleep 0.1
	kv_expect "$t/expired" "$ns" '' GET m2
	keys=$(kv_in "$ns" redis-cli -h $KV_IP KEYS 'm*' | sort | tr '\n' ' ')
	[ "$keys" = "m1 " ] && pass "$t/keys" || fail "$t/keys" "KEYS m* gave '$keys'"
	keys=$(kv_in "$ns" redis-cli -h $KV_IP KEYS '[ae]?1' | sort | tr '\n' ' ')
	[ "$keys" = "ex1 " ] && pass "$t/keys-glob" || fail "$t/keys-glob" "KEYS [ae]?1 gave '$keys'"
	kv_expect "$t/scan" "$ns" '0\nm1' SCAN 0 MATCH 'm*' COUNT 1000
	kv_expect "$t/dbsize" "$ns" '6' DBSIZE
	kv_expect "$t/config-get" "$ns" 'appendfsync\nalways' CONFIG GET appendfsync
	kv_expect "$t/config-set" "$ns" 'OK' CONFIG SET appendfsync everysec
	kv_expect "$t/config-set-bad" "$ns" "ERR Invalid argument 'sometimes' for CONFIG SET 'appendfsync'" \
		CONFIG SET appendfsync sometimes
	kv_in "$ns" redis-cli -h $KV_IP CONFIG SET appendfsync always >/dev/null
	kv_in "$ns" redis-cli -h $KV_IP INFO >"$TEST_LOGS/kv-info.txt" 2>&1
	grep -q '^aof_enabled:1' "$TEST_LOGS/kv-info.txt" && grep -q '^used_memory:' "$TEST_LOGS/kv-info.txt" &&
		grep -q '^db0:keys=6' "$TEST_LOGS/kv-info.txt" && grep -q '^total_commands_processed:' "$TEST_LOGS/kv-info.txt" &&
		pass "$t/info" || fail "$t/info" "sections missing" "$TEST_LOGS/kv-info.txt"
	kv_expect "$t/unknown" "$ns" "ERR unknown command 'FOO', with args beginning with: 'x' " FOO x
	kv_expect "$t/arity" "$ns" "ERR wrong number of arguments for 'get' command" GET
	printf 'PING\r\nECHO "two words"\r\n' | kv_in "$ns" python3 -c '
import socket, sys, time
s = socket.create_connection((sys.argv[1], 6379), timeout=5); s.sendall(sys.stdin.buffer.read()); time.sleep(0.3)
print(s.recv(100))' $KV_IP >"$TEST_LOGS/kv-inline.txt" 2>&1
	grep -qF "+PONG\\r\\n\$9\\r\\ntwo words\\r\\n" "$TEST_LOGS/kv-inline.txt" && pass "$t/inline" ||
		fail "$t/inline" "inline commands" "$TEST_LOGS/kv-inline.txt"
	printf 'SET p1 a\nSET p2 b\nEXISTS p1 p2\n' | kv_in "$ns" redis-cli -h $KV_IP >"$TEST_LOGS/kv-pipe.txt" 2>&1
	[ "$(tr '\n' ' ' <"$TEST_LOGS/kv-pipe.txt")" = "OK OK 2 " ] && pass "$t/many-commands" ||
		fail "$t/many-commands" "three commands on one connection" "$TEST_LOGS/kv-pipe.txt"
	kv_expect "$t/flushdb" "$ns" 'OK' FLUSHDB
	kv_expect "$t/flushed" "$ns" '0' DBSIZE
	kv_expect "$t/flushall" "$ns" 'OK' FLUSHALL
	kv_expect "$t/quit" "$ns" 'OK' QUIT
}

kv_malformed() { # TEST-PREFIX NS
	local t=$1 ns=$2 c out="$TEST_LOGS/kv-bad"
	for c in huge-bulk negative-bulk negative-count bad-count unterminated-array garbage hundred-mb no-crlf; do
		kv_in "$ns" python3 tests/kv_client.py malformed $KV_IP $c >"$out-$c.txt" 2>&1
		if ! grep -qE '^-ERR|^closed$|\+PONG' "$out-$c.txt"; then
			fail "$t/bad-$c" "neither an error reply nor a close" "$out-$c.txt"
		elif [ "$(kv_in "$ns" python3 tests/kv_client.py ping $KV_IP 2>&1)" != "+PONG" ]; then
			fail "$t/bad-$c" "the server does not answer the next client" "$out-$c.txt"
		else
			pass "$t/bad-$c"
		fi
	done
}

# A log whose last record is torn (its last bytes never written) and one with a byte flipped in
# the middle: each boots with one line about the damage and keeps the records before it.
kv_damaged() { # TEST-PREFIX NS BACKEND DISK LOG
	local t=$1 ns=$2 be=$3 disk=$4 log=$5 i how
	for how in torn flipped; do
		rm -f "$disk"
		truncate -s 8M "$disk"
		if ! kv_start "$ns" "$be" "$disk" "$log" -f always; then
			fail "$t/damaged-$how" "kv did not come up" "$log"
			continue
		fi
		for i in 1 2 3 4; do
			kv_in "$ns" redis-cli -h $KV_IP SET key$i value$i >/dev/null
		done
		kv_stop TERM
		# The log starts at byte 4096 (after the two header copies); it ends where the zeros begin.
		python3 - "$disk" "$how" <<'PY'
import sys
path, how = sys.argv[1], sys.argv[2]
d = bytearray(open(path, "rb").read())
end = len(d[:4 << 20].rstrip(b"\0"))
if how == "torn":  # the last record's last bytes never reached the disk
    d[end - 7:end] = bytes(7)
else:  # one bit pattern changed in the middle of the log
    d[4096 + (end - 4096) // 2] ^= 0xFF
open(path, "wb").write(d)
PY
		if ! kv_start "$ns" "$be" "$disk" "$log" -f always; then
			fail "$t/damaged-$how" "kv did not boot on the damaged log" "$log"
			continue
		fi
		if grep -q "kv: log: record at byte .* is damaged .* cut off" "$log" &&
		   [ "$(kv_in "$ns" redis-cli -h $KV_IP GET key1)" = value1 ] &&
		   { [ $how = flipped ] || [ "$(kv_in "$ns" redis-cli -h $KV_IP GET key3)" = value3 ]; } &&
		   [ -z "$(kv_in "$ns" redis-cli -h $KV_IP GET key4)" ]; then
			pass "$t/damaged-$how"
		else
			fail "$t/damaged-$how" "no line about the damage, or the records before it are not all there" "$log"
		fi
		kv_stop TERM
	done
}

kv_suite() { # RUNNER: process or kvm (skiff-hv's backends), or qemu
	local be=$1 t=kv/hv-$1 ns=k$1 disk="$TEST_LOGS/kv-$1.disk" log="$TEST_LOGS/kv-$1.log" why="$KV_SKIP" i
	[ "$be" = qemu ] && t=kv/qemu
	[ -z "$why" ] && [ "$be" != qemu ] && why=$(hv_backend_skip "$be")
	if [ -n "$why" ]; then
		for c in commands benchmark malformed oom no-disk restart damaged-torn damaged-flipped crash; do
			skip "$t/$c" "$why"
		done
		return
	fi
	support/netns.sh create "$ns" 1 || { fail "$t/setup" "cannot create the namespace"; return; }
	KV_NS+=("$ns")
	# A fixed neighbour entry: a killed image answers no ARP, and the host's entry going FAILED
	# meanwhile would make the first connection after a restart fail with "no route to host".
	kv_in "$ns" ip neigh replace $KV_IP lladdr $KV_MAC dev tap0 nud permanent
	rm -f "$disk"
	truncate -s 64M "$disk"
	if ! kv_start "$ns" "$be" "$disk" "$log" -f always; then
		fail "$t/boot" "kv did not come up" "$log"
		kv_cleanup
		return
	fi
	kv_commands "$t" "$ns"
	kv_in "$ns" redis-benchmark -h $KV_IP -n 20000 -c 50 -P 16 -t set,get,incr,mset -q >"$TEST_LOGS/kv-bench.txt" 2>&1
	if [ "$(grep -c 'requests per second' "$TEST_LOGS/kv-bench.txt")" = 4 ] && ! grep -qi 'error' "$TEST_LOGS/kv-bench.txt"; then
		pass "$t/benchmark"
	else
		fail "$t/benchmark" "redis-benchmark -n 20000 -c 50 -P 16 did not finish cleanly" "$TEST_LOGS/kv-bench.txt"
	fi
	kv_malformed "$t" "$ns"
	# Persistence across a clean restart.
	kv_in "$ns" redis-cli -h $KV_IP SET durable 'it stays' >/dev/null
	kv_stop TERM
	if kv_start "$ns" "$be" "$disk" "$log.2" -f always; then
		kv_expect "$t/restart" "$ns" 'it stays' GET durable
	else
		fail "$t/restart" "kv did not come back on the same disk" "$log.2"
	fi
	kv_stop TERM
	kv_damaged "$t" "$ns" "$be" "$TEST_LOGS/kv-$be-damaged.disk" "$log.damaged"
	# The memory limit: a value past it is refused with -OOM, and the server goes on.
	if kv_start "$ns" "$be" "" "$log.oom" -m 1; then
		grep -q "kv: no disk" "$log.oom" && pass "$t/no-disk" || fail "$t/no-disk" "no line about running without a disk" "$log.oom"
		head -c 2000000 /dev/zero | tr '\0' x >"$TEST_LOGS/kv-2mb"
		kv_in "$ns" redis-cli -h $KV_IP -x SET big <"$TEST_LOGS/kv-2mb" >"$TEST_LOGS/kv-oom.txt" 2>&1
		if grep -q "^OOM command not allowed when used memory > 'maxmemory'" "$TEST_LOGS/kv-oom.txt" &&
		   [ "$(kv_in "$ns" redis-cli -h $KV_IP SET small 1)" = OK ]; then
			pass "$t/oom"
		else
			fail "$t/oom" "no -OOM reply, or no service after it" "$TEST_LOGS/kv-oom.txt"
		fi
	else
		fail "$t/oom" "kv -m 1 did not come up" "$log.oom"
		skip "$t/no-disk" "needs the image of $t/oom"
	fi
	kv_stop TERM
	# Crash consistency: SIGKILL at a random moment while acknowledged SETs are recorded.
	rm -f "$disk" "$TEST_LOGS/kv-acked"
	truncate -s 64M "$disk"
	local ok=0 n=20 why_fail="" writer
	for i in $(seq $n); do
		if ! kv_start "$ns" "$be" "$disk" "$log.crash" -f always; then
			why_fail="kv did not come up after kill $((i - 1))"
			break
		fi
		if ! kv_in "$ns" python3 tests/kv_client.py check $KV_IP "$TEST_LOGS/kv-acked" >"$TEST_LOGS/kv-check.txt" 2>&1 &&
		   [ -s "$TEST_LOGS/kv-acked" ]; then
			why_fail="after kill $((i - 1)): $(cat "$TEST_LOGS/kv-check.txt")"
			break
		fi
		rm -f "$TEST_LOGS/kv-acked.connected"
		kv_in "$ns" python3 tests/kv_client.py writer $KV_IP "$TEST_LOGS/kv-acked" 1000000 &
		writer=$!
		disown $writer # its end by our pkill below is no news: no "Terminated" line from the shell
		# The random moment counts from the writer's connection: a kill before it tests nothing.
		for _ in $(seq 100); do
			[ -e "$TEST_LOGS/kv-acked.connected" ] && break
			sleep 0.1
		done
		sleep "0.$((RANDOM % 9 + 1))"
		kv_stop KILL
		# The writer would wait out its 10 s socket timeout: a killed server sends no reset. A
		# reply it had not yet read goes unrecorded, which only makes the check ask for less.
		pkill -f "kv_client.py writer $KV_IP" 2>/dev/null
		while kill -0 $writer 2>/dev/null; do sleep 0.05; done
		ok=$((ok + 1))
	done
	if [ -z "$why_fail" ] && kv_start "$ns" "$be" "$disk" "$log.crash" -f always &&
	   kv_in "$ns" python3 tests/kv_client.py check $KV_IP "$TEST_LOGS/kv-acked" >"$TEST_LOGS/kv-check.txt" 2>&1; then
		pass "$t/crash"
		echo "  ($ok kills; $(cat "$TEST_LOGS/kv-check.txt"))"
	else
		fail "$t/crash" "${why_fail:-the last check failed}" "$TEST_LOGS/kv-check.txt"
	fi
	kv_stop TERM
	kv_cleanup
}

for be in process kvm qemu; do
	kv_suite $be
done
trap - EXIT INT TERM
