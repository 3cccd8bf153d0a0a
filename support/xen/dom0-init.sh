#!/bin/sh
# SPDX-License-Identifier: MIT
# /init of the throw-away dom0 that support/xen-test.sh boots under Xen (busybox sh, PV dom0).
# Brings up the toolstack (xenstored, xen-init-dom0, xenconsoled), runs each guest listed in
# /xentest/guests.sh with `xl create`, one after another, and sends each guest's files to the host
# through the console as a base64 tar with its md5 sum, right after that guest ends (so a later
# hang loses nothing already done). Then powers the machine off. When a guest has vifs or disks,
# dom0 first loads netback and blkback and sets up two bridges and dnsmasq (start_backends); a
# guest's dom0 script runs beside it and once more after it (see xen-test.sh --help).
#
# Protocol on the console, one marker a line (the host ignores everything else):
#   XENTEST-INIT / XENTEST-DOM0-READY uptime_cs=... (init_cs: /init started; toolstack_cs: xenstored
#   and xenconsoled up; the rest is the backends) / XENTEST-DOM0-FAILED <why> /
#   XENTEST-BACKENDS-FAILED <why>
#   XENTEST-GUEST-START <name> / XENTEST-RESULT <name> reason=... status=...
#   XENTEST-FILE <name>.tar <size> <md5>, base64 lines, XENTEST-EOF (a tar of the guest's files)
#   XENTEST-DONE
# No `set -e`: every step is checked, and a failing guest must not stop the ones after it.

export PATH=/bin:/usr/bin:/usr/sbin:/usr/lib/xen-4.17/bin:/xentest/bin
say() { echo "XENTEST-$*"; }

# Dom0 uptime in centiseconds. Counting sleeps would be wrong: each xl call takes ~0.1 s here.
now_cs() {
	local up rest
	read -r up rest </proc/uptime
	# The leading 1 keeps a fraction such as "08" from being read as octal.
	echo $(( ${up%.*} * 100 + 1${up#*.} - 100 ))
}

fail_dom0() {
	say "DOM0-FAILED $*"
	poweroff -f
	sleep 10
}

mount_all() {
	mount -t proc proc /proc &&
	mount -t sysfs sysfs /sys &&
	mount -t devtmpfs devtmpfs /dev &&
	mkdir -p /dev/pts && mount -t devpts devpts /dev/pts &&
	mount -t tmpfs tmpfs /run &&
	mkdir -p /run/lock /run/xen /run/xenstored /var/log/xen/console /out
}

# The xen device modules are =m in Debian's kernel; xenfs needs xen-privcmd loaded first.
load_modules() {
	local m
	for m in xen-privcmd xenfs xen-evtchn xen-gntdev xen-gntalloc; do
		insmod /modules/$m.ko || return 1
	done
	mount -t xenfs xenfs /proc/xen
}

start_toolstack() {
	local i=0
	XENSTORED_ROOTDIR=/run/xenstored xenstored --pid-file=/run/xenstored.pid || return 1
	until xenstore-read -s / >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -le 100 ] || return 1
		sleep 0.1
	done
	xen-init-dom0 >/run/xen-init-dom0.log 2>&1 || return 1
	xenconsoled --log=guest --log-dir=/var/log/xen/console
}

# The backends (only when a guest has a vif or a disk): the recipe of xen-netback.md. libxl runs
# the hotplug scripts itself; the stock block script would also need /dev/stdin (devtmpfs has no
# /dev/std*), and ours writes to /run/xentest. Bridges: xenbr0 10.0.0.1/24 and xenbr1
# 10.0.1.1/24 (forward delay 0: a new port forwards at once; busybox brctl has no setfd). dnsmasq
# serves DHCP on xenbr0 (--no-ping: its check that an address is unused costs 3 s an offer);
# it logs to /run/xentest/dnsmasq.log.
start_backends() {
	local m
	ln -sf /proc/self/fd /dev/fd && ln -sf /proc/self/fd/0 /dev/stdin &&
	ln -sf /proc/self/fd/1 /dev/stdout && ln -sf /proc/self/fd/2 /dev/stderr || return 1
	mkdir -p /run/xentest/disk && : >/run/xentest/hotplug.log || return 1
	for m in llc stp bridge xen-netback loop xen-blkback; do
		insmod /modules/$m.ko || return 1
	done
	[ "$NETS" = 1 ] || return 0
	ip link set lo up || return 1
	for m in 0 1; do
		brctl addbr xenbr$m && echo 0 >/sys/class/net/xenbr$m/bridge/forward_delay &&
		ip addr add 10.0.$m.1/24 dev xenbr$m && ip link set xenbr$m up || return 1
	done
	dnsmasq --user=root --group=root --no-resolv --no-hosts --port=0 --interface=xenbr0 --bind-interfaces \
		--dhcp-range=10.0.0.100,10.0.0.199,1h --no-ping --dhcp-leasefile=/run/xentest/dnsmasq.leases \
		--pid-file=/run/xentest/dnsmasq.pid --log-dhcp --log-facility=/run/xentest/dnsmasq.log
}

# make_disks NAME: the guest's disk files where its xl config wants them (build_initrd's list).
make_disks() {
	local k src path
	unset DISK0 DISK1 DISK2 DISK3
	[ -f "/xentest/g/$1/disks" ] || return 0
	while read -r k src path; do
		case "$src" in
		keep:*) [ -f "$path" ] || truncate -s "${src#keep:}" "$path" || return 1 ;;
		*M) truncate -s "$src" "$path" || return 1 ;;
		*) cp "$src" "$path" || return 1 ;;
		esac
		export "DISK$k=$path"
	done <"/xentest/g/$1/disks"
}

# The guest's dom0 script before `xl create` (bounded): servers the guest will use start here.
run_dom0_before() {
	local name=$1 o=$2/dom0
	[ -f "/xentest/g/$name/dom0.sh" ] || return 0
	mkdir -p "$o"
	MAC0="" MAC1="" MAC2="" MAC3=""
	. "/xentest/g/$name/macs"
	GUEST=$name OUT=$o MAC0=$MAC0 MAC1=$MAC1 MAC2=$MAC2 MAC3=$MAC3 \
		timeout 30 sh "/xentest/g/$name/dom0.sh" before >"$o/before.log" 2>&1 </dev/null
}

# The guest's dom0 script, in the background: `dom0.sh run`, its output in OUT/run.log.
start_dom0_script() {
	local name=$1 o=$2/dom0
	[ -f "/xentest/g/$name/dom0.sh" ] || return 0
	GUEST=$name DOMID=$(xl domid "$name" 2>/dev/null) OUT=$o CREATE_CS=$create_cs \
		MAC0=$MAC0 MAC1=$MAC1 MAC2=$MAC2 MAC3=$MAC3 \
		sh "/xentest/g/$name/dom0.sh" run >"$o/run.log" 2>&1 </dev/null &
	dom0_pid=$!
}

# reap_dom0_script OUTDIR: the run phase's exit status, or "killed" if it outlived the guest.
reap_dom0_script() {
	local rc
	[ -n "$dom0_pid" ] || return 0
	if kill -0 "$dom0_pid" 2>/dev/null; then
		pkill -P "$dom0_pid" 2>/dev/null # its clients first (a ping, an ab) then the script
		kill "$dom0_pid" 2>/dev/null
		wait "$dom0_pid" 2>/dev/null
		echo "dom0_rc=killed" >>"$1/extra"
	else
		wait "$dom0_pid"
		rc=$?
		echo "dom0_rc=$rc" >>"$1/extra"
	fi
	dom0_pid=""
}

# The dom0 script's after phase, once the guest is gone (bounded).
run_dom0_after() {
	local name=$1 o=$2/dom0
	[ -f "/xentest/g/$name/dom0.sh" ] || return 0
	GUEST=$name DOMID=$domid OUT=$o MAC0=$MAC0 MAC1=$MAC1 MAC2=$MAC2 MAC3=$MAC3 \
		timeout 60 sh "/xentest/g/$name/dom0.sh" after >"$o/after.log" 2>&1 </dev/null
	echo "dom0_after_rc=$?" >>"$2/extra"
}

# backend_states OUTDIR: each of the guest's vif and vbd backends and its xenbus state, as the
# guest left them (6, Closed, after a clean disconnect).
backend_states() {
	local list
	[ -n "$domid" ] || return 0
	list=$(xenstore-ls -f /local/domain/0/backend 2>/dev/null | awk -v d="$domid" '
		$1 ~ "^/local/domain/0/backend/(vif|vbd)/" d "/[0-9]+/state$" {
			split($1, p, "/"); v = $3; gsub(/"/, "", v)
			printf "%s%s%s:%s", sep, p[6], p[8], v; sep = ","
		}')
	[ -z "$list" ] || echo "backends=$list" >>"$1/extra"
}
# stale_devices NAME OUTDIR: what the destroy left behind of the guest's backends.
stale_devices() {
	local name=$1 left="" f
	[ -n "$domid" ] || return 0
	# One xenstore-ls for both kinds: each xenstore tool costs about 0.1 s to start under TCG.
	xenstore-ls -f /local/domain/0/backend 2>/dev/null | grep -qE "^/local/domain/0/backend/(vif|vbd)/$domid/" &&
		left="backend/*/$domid"
	for f in /sys/class/net/vif$domid.*; do
		[ -e "$f" ] && left="$left${left:+,}${f##*/}"
	done
	# Any: guests run one at a time, and a kept disk is not named after its guest.
	losetup -a 2>/dev/null | grep -q "/run/xentest/disk/" && left="$left${left:+,}loop"
	echo "stale=${left:-none}" >>"$2/extra"
}
# xl's exit reasons, from the "reason code" the xl daemon logs (libxl_shutdown_reason).
reason_name() {
	case "$1" in
	0) echo poweroff ;; 1) echo reboot ;; 2) echo suspend ;; 3) echo crash ;;
	4) echo watchdog ;; 5) echo soft_reset ;; *) echo unknown ;;
	esac
}

# listed NAME OUTFILE: does `xl list NAME` show the domain? Its output goes to OUTFILE.
listed() {
	xl list "$1" >"$2" 2>&1 && grep -q "^$1 " "$2"
}

# The action (if any) while the guest runs: record `xl list` at N seconds, then maybe shut down.
run_action() {
	local name=$1 o=$2
	if listed "$name" "$o/xl-list.log"; then lwr=yes; else lwr=no; fi
	case "$action" in
	shutdown-after=*)
		# In the background: xl waits up to 60 s for the guest to acknowledge the request,
		# and the guest's own end and the timeout must still be seen meanwhile.
		xl shutdown "$name" >"$o/xl-shutdown.log" 2>&1 &
		shutdown_pid=$!
		;;
	esac
}

# reap_shutdown OUTDIR: the exit status of the background `xl shutdown`, or "killed" if it was
# still waiting for an acknowledgement when the guest had already ended.
reap_shutdown() {
	local rc
	[ -n "$shutdown_pid" ] || return 0
	if kill -0 "$shutdown_pid" 2>/dev/null; then
		kill "$shutdown_pid" 2>/dev/null
		wait "$shutdown_pid" 2>/dev/null
		echo "shutdown_rc=killed" >>"$1/extra"
	else
		wait "$shutdown_pid"
		rc=$?
		echo "shutdown_rc=$rc" >>"$1/extra"
	fi
	shutdown_pid=""
}

# wait_guest NAME OUTDIR START_CS: until the xl daemon has handled the guest's end (its log says
# "Done. Exiting now", or "has been destroyed": then it exits without the other), the per-guest
# timeout runs out, or the action is due. Sets timed_out.
wait_guest() {
	local name=$1 o=$2 t0=$3 log=/var/log/xen/xl-$1.log now act_at=-1 n
	case "$action" in *-after=*) n=${action#*-after=}; act_at=$((t0 + n * 100)) ;; esac
	timed_out=0
	while ! grep -qE "Done. Exiting now|has been destroyed" "$log" 2>/dev/null; do
		now=$(now_cs)
		# The dom0 script is done: shut the guest down, or cut its power at the script's moment.
		if [ "${action%-after-dom0}" != "$action" ] && [ -z "$dom0_end_cs" ] && ! kill -0 "$dom0_pid" 2>/dev/null; then
			dom0_end_cs=$now
			if [ "$action" = shutdown-after-dom0 ]; then
				xl shutdown "$name" >"$o/xl-shutdown.log" 2>&1 &
				shutdown_pid=$!
			else
				xl destroy "$name" >"$o/xl-destroy-early.log" 2>&1
			fi
		fi
		if [ $act_at -ge 0 ] && [ "$now" -ge $act_at ]; then
			run_action "$name" "$o"
			act_at=-1
			continue
		fi
		if [ "$now" -ge $((t0 + TIMEOUT * 100)) ]; then
			timed_out=1
			return
		fi
		sleep 0.1
	done
}

# The guest's final state, read before the domain goes: exit status from xenstore, xl list.
read_final() {
	local name=$1 o=$2 log=/var/log/xen/xl-$1.log code st
	domid=$(sed -n 's/.*(domid \([0-9][0-9]*\)).*/\1/p' "$log" 2>/dev/null | head -n 1)
	if [ $timed_out = 1 ]; then
		reason=timeout
	else
		code=$(sed -n 's/.*has shut down, reason code \([0-9][0-9]*\).*/\1/p' "$log" | head -n 1)
		if [ -n "$code" ]; then
			reason=$(reason_name "$code")
		else
			reason=destroyed # action=destroy-after-dom0, or somebody else destroyed it
		fi
	fi
	status=none
	if [ -n "$domid" ] && st=$(xenstore-read "/local/domain/$domid/data/skiff/exit-status" 2>/dev/null); then
		case "${st#-}" in
		''|*[!0-9]*) status=invalid; echo "status_raw=$st" >>"$o/extra" ;;
		*) status=$st ;;
		esac
	fi
	[ "$BACKENDS" = 1 ] && backend_states "$o"
	state=none
	if listed "$name" "$o/xl-list-end.log"; then
		lbd=yes
		state=$(awk -v n="$name" '$1 == n { print $5 }' "$o/xl-list-end.log")
	else
		lbd=no
	fi
}

# gone_now NAME OUTDIR: the domain is no longer there. By its xenstore directory when its id is
# known (what `xl list NAME` reads too, at half the cost), else by `xl list`.
gone_now() {
	if [ -n "$domid" ]; then
		! xenstore-exists "/local/domain/$domid/name" 2>/dev/null
	else
		! listed "$1" "$2/xl-list-after.log"
	fi
}

# destroy_and_check NAME OUTDIR: xl destroy if still there, then wait (bounded) until it is gone.
destroy_and_check() {
	local name=$1 o=$2 i=0
	if [ "$lbd" = yes ]; then
		timeout 30 xl destroy "$name" >"$o/xl-destroy.log" 2>&1
		echo "destroy_rc=$?" >>"$o/extra"
	fi
	gone=no
	while [ $i -lt 10 ]; do
		if gone_now "$name" "$o"; then
			gone=yes
			return
		fi
		i=$((i + 1))
		sleep 0.2
	done
}

write_result() {
	local o=$1
	{
		echo "reason=$reason"
		echo "status=$status"
		echo "listed_while_running=$lwr"
		echo "gone_after=$gone"
		echo "create_rc=$create_rc"
		echo "domid=${domid:-none}"
		echo "listed_before_destroy=$lbd"
		echo "state=$state"
		echo "elapsed=$elapsed"
		cat "$o/extra" 2>/dev/null
	} >"$o/result"
	rm -f "$o/extra"
}

# toolstack_failed OUT NAME: dom0's toolstack, not the guest, failed, so the guest's result says
# nothing about the guest: `xl create` itself died on a signal (status 128 + N, or glibc's
# "Aborted" / "Segmentation fault" / heap-corruption messages in its log), its monitoring daemon
# died ("died due to fatal signal"), or the daemon never logged. Seen now and then under TCG
# (see xen-test.sh). Sets retry_why. A create that fails with an ordinary status (a bad config,
# an image Xen refuses) is the guest's own failure and is not retried.
toolstack_failed() {
	local crash='Aborted|Segmentation fault|corrupted|double free|free\(\): |malloc\(\): |fatal signal'
	if [ "$reason" = create-failed ] && [ "$create_rc" -gt 128 ] && [ "$create_rc" -lt 160 ]; then
		retry_why="xl create died on signal $((create_rc - 128))"
	elif [ "$reason" = create-failed ] && grep -qE "$crash" "$1/xl-create.log" 2>/dev/null; then
		retry_why="xl create crashed: $(grep -m1 -oE "$crash" "$1/xl-create.log")"
	elif grep -q 'died due to fatal signal' "$1/xl-create.log" 2>/dev/null; then
		retry_why="xl's monitoring daemon died on a signal"
	elif [ "$reason" = timeout ] && [ ! -s "/var/log/xen/xl-$2.log" ]; then
		retry_why="xl's monitoring daemon never logged"
	else
		return 1
	fi
}

run_guest() {
	local name=$1 retry_why=""
	try_guest "$name"
	if toolstack_failed "/out/$name" "$name"; then
		say "RETRY $name: $retry_why (reason=$reason create_rc=$create_rc)"
		rm -rf "/out/$name" "/var/log/xen/console/guest-$name.log" "/var/log/xen/xl-$name.log"
		try_guest "$name"
		echo "retried=yes ($retry_why on the first try)" >>"/out/$name/result"
	fi
	say "RESULT $name reason=$reason status=$status"
	send_files "$name"
}

try_guest() {
	local name=$1 d=/xentest/g/$1 o=/out/$1 t0 t1
	mkdir -p "$o"
	action="" lwr=not-checked status=none domid="" lbd=no state=none gone=no timed_out=0 shutdown_pid=""
	dom0_pid="" dom0_end_cs="" tend=""
	[ -f "$d/action" ] && read -r action <"$d/action"
	if ! make_disks "$name"; then
		echo "disks=not-made" >>"$o/extra"
	fi
	run_dom0_before "$name" "$o"
	create_cs=$(now_cs)
	say "GUEST-START $name uptime_cs=$create_cs"
	# Bounded too: a create that hangs must not hold up the guests after it.
	if [ "$action" = toolstack-crash-once ] && [ ! -e "/run/crashed-$name" ]; then
		: >"/run/crashed-$name" # the harness's own test: xl dies on SIGABRT, once
		{ echo "Parsing config from $d/cfg"; sh -c 'kill -ABRT $$'; } >"$o/xl-create.log" 2>&1
	else
		timeout "$TIMEOUT" xl create "$d/cfg" >"$o/xl-create.log" 2>&1
	fi
	create_rc=$?
	t0=$(now_cs)
	if [ $create_rc -ne 0 ]; then
		reason=create-failed
		listed "$name" "$o/xl-list-end.log" && lbd=yes
	else
		start_dom0_script "$name" "$o"
		wait_guest "$name" "$o" "$t0"
		tend=$(now_cs)
		read_final "$name" "$o"
		reap_shutdown "$o"
		reap_dom0_script "$o"
	fi
	t1=$(now_cs)
	elapsed=$(( (t1 - t0) / 100 )).$(( (t1 - t0) % 100 / 10 ))$(( (t1 - t0) % 10 ))
	destroy_and_check "$name" "$o"
	t2=$(now_cs)
	if [ "$BACKENDS" = 1 ]; then
		stale_devices "$name" "$o"
		run_dom0_after "$name" "$o"
		mv /run/xentest/hotplug.log "$o/hotplug.log" 2>/dev/null
		rm -f /run/xentest/disk/"$name"-*
	fi
	# Where a guest's time in dom0 went (centiseconds): xl create, the guest's run, reading its
	# end, the destroy, the checks after it; and when the dom0 script ended, from the create.
	echo "phases_cs=create:$((t0 - create_cs)),run:$((${tend:-$t0} - t0)),final:$((t1 - ${tend:-$t0})),destroy:$((t2 - t1)),after:$(($(now_cs) - t2))${dom0_end_cs:+,dom0_script_end:$((dom0_end_cs - create_cs))}" >>"$o/extra"
	write_result "$o"
	cp "/var/log/xen/console/guest-$name.log" "$o/console.log" 2>/dev/null || : >"$o/console.log"
	cp "/var/log/xen/xl-$name.log" "$o/xl.log" 2>/dev/null
}

# send_files NAME: the guest's output directory as one tar, base64 on the console. One block a
# guest keeps the number of (slow, under TCG) process starts down.
# dom0's kernel messages stay off the console meanwhile: one in the middle of a base64 line would
# spoil the block (the host would see the md5 mismatch, but could not repair it).
send_files() {
	local t=/run/$1.tar
	tar -c -f "$t" -C /out "$1" || return
	dmesg -n 1
	say "FILE $1.tar $(wc -c <"$t") $(md5sum <"$t" | cut -d' ' -f1)"
	base64 "$t"
	say EOF
	dmesg -n 4
	rm -f "$t"
}

say INIT
mount_all || fail_dom0 "cannot mount the basic file systems"
load_modules || fail_dom0 "cannot load the xen modules or mount xenfs"
init_cs=$(now_cs)
start_toolstack || fail_dom0 "cannot start xenstored, xen-init-dom0 or xenconsoled"
toolstack_cs=$(now_cs)
. /xentest/guests.sh
# Not a reason to stop: the guests that need them fail (and say so), the others still run.
[ "$BACKENDS" != 1 ] || start_backends || say "BACKENDS-FAILED cannot set up netback, blkback, the bridges or dnsmasq"
say "DOM0-READY uptime_cs=$(now_cs) init_cs=$init_cs toolstack_cs=$toolstack_cs $(awk '/^MemAvailable/ { print "mem_available_kb=" $2 }' /proc/meminfo)"
for g in $GUESTS; do
	run_guest "$g"
done
say "DONE uptime_cs=$(now_cs)"
poweroff -f
sleep 10
