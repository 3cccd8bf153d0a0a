#!/bin/sh
# SPDX-License-Identifier: MIT
# dom0's half of tests/xen.sh's kv guests (busybox sh, run by support/xen-test.sh in dom0). The
# guests run one after another on one kept disk (disk=SIZEM@LABEL), so each finds what the ones
# before it left. tests/xen.sh puts MODE=... and GUEST_IP=... in front of this file:
#   first    a few commands over netfront, and a key to find after a clean restart
#   restart  that key after `xl shutdown` and a new boot on the same disk
#   kill     every key acknowledged so far is there; then the writer (kv-client) runs and the
#            script ends at a random moment after its first acknowledgment, when the harness
#            destroys the domain
#            (action=destroy-after-dom0): a power cut in the middle of acknowledged SETs
#   final    every acknowledged key is there, after the last kill
#   damage-write HOW  four keys, a clean shutdown, then (after) the log damaged on the disk:
#            torn (its last 7 bytes zeroed) or flipped (a byte mid-log inverted)
#   damage-check HOW  what the guest kept of the damaged log
# Results go to $OUT/results as KEY=VALUE lines (spaces as '_'), judged by tests/xen.sh.

ACKS=/run/xentest/kv-acked
KILLS=/run/xentest/kv-kills

res() { echo "$1=$(printf "%s" "$2" | tr ' \n' '__')" >>"$OUT/results"; }
kv() { timeout 20 kv-client "$GUEST_IP" cmd "$@" 2>&1; }

# The server is up (PING answered), or a result saying it is not.
up() {
	if timeout 40 kv-client "$GUEST_IP" wait 30 >"$OUT/wait.log" 2>&1; then
		res up yes
	else
		res up no
		return 1
	fi
}

# Every key acknowledged so far: check=ok, or what was lost.
check() {
	local out
	res acked "$(cat "$ACKS" 2>/dev/null | wc -l)"
	[ -s "$ACKS" ] || { res check nothing-yet; return 0; }
	if out=$(timeout 60 kv-client "$GUEST_IP" check "$ACKS" 2>&1); then
		res check ok
	else
		res check "$out"
	fi
}

# A random pause of 0.2 to 1.9 s (busybox sh's $RANDOM).
pause() {
	local r=$((RANDOM % 18 + 2))
	res pause_ds "$r"
	sleep "$((r / 10)).$((r % 10))"
}

# The byte just past the log: the last non-zero byte of the 64 KiB after the two header copies
# (a few records; the rest of the new disk is zeros), plus one.
log_end() {
	dd if="$DISK0" bs=4096 skip=1 count=16 2>/dev/null | od -An -v -tu1 -w1 |
		awk '$1 != 0 { last = NR } END { print 4096 + last }'
}

damage() {
	local end at b
	end=$(log_end)
	res log_end "$end"
	case "$1" in
	torn) dd if=/dev/zero of="$DISK0" bs=1 seek=$((end - 7)) count=7 conv=notrunc 2>/dev/null ;;
	flipped)
		at=$((4096 + (end - 4096) / 2))
		b=$(dd if="$DISK0" bs=1 skip=$at count=1 2>/dev/null | od -An -tu1 | tr -d ' ')
		printf "\\$(printf '%03o' $((b ^ 255)))" | dd of="$DISK0" bs=1 seek=$at count=1 conv=notrunc 2>/dev/null ;;
	esac
	res damaged "$1"
}

case "$1:$MODE" in
before:*)
	pkill -f 'kv-client .* writer' 2>/dev/null # the last kill's writer, if still waiting
	: ;;
run:first)
	up || exit 1
	res ping "$(kv PING)"
	res set "$(kv SET durable 'it stays')"
	res get "$(kv GET durable)"
	res incr "$(kv INCR counter)"
	res wrongtype "$(kv INCR durable)"
	res fsync "$(kv CONFIG GET appendfsync)"
	kv INFO persistence >"$OUT/info.txt"
	res aof "$(sed -n 's/^aof_enabled:\([0-9]*\).*/\1/p' "$OUT/info.txt")" ;;
run:restart)
	up || exit 1
	res get "$(kv GET durable)"
	res incr "$(kv INCR counter)" ;;
run:kill)
	up || exit 1
	check
	echo x >>"$KILLS"
	n=$(cat "$ACKS" 2>/dev/null | wc -l)
	kv-client "$GUEST_IP" writer "$ACKS" >"$OUT/writer.log" 2>&1 &
	# The pause counts from the writer's first acknowledgment (10 s at most): a cut before it
	# would test nothing, and the next boot would find no new key to check.
	i=0
	while [ "$(cat "$ACKS" 2>/dev/null | wc -l)" -le "$n" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	pause ;; # then the harness destroys the domain, the writer still writing
run:final)
	up || exit 1
	check
	res kills "$(cat "$KILLS" 2>/dev/null | wc -l)" ;;
run:damage-write)
	up || exit 1
	for i in 1 2 3 4; do
		kv SET "key$i" "value$i" >/dev/null
	done
	res written "$(kv DBSIZE)" ;;
after:damage-write)
	damage "$HOW" ;;
run:damage-check)
	up || exit 1
	res key1 "$(kv GET key1)"
	res key3 "$(kv GET key3)"
	res key4 "$(kv GET key4)" ;;
esac
exit 0
