# SPDX-License-Identifier: MIT
# Xen tests: support/xen-test.sh boots a real Xen host (Debian's Xen 4.17, a Debian dom0) in QEMU
# (TCG) and runs guests as domUs with xl. The harness is tested first, with GRUB guests that need
# nothing from Skiff (pv, pvh, a crash, a reboot, a bad image, and a guest that ignores
# `xl shutdown`), all in one Xen boot. When the harness says Xen cannot run here (exit 3), every
# Xen test is skipped with its reason. Skiff's own Xen guests go in the section at the end.

XEN_LOG=$TEST_LOGS/xen
XEN_WORK=$XEN_LOG/work
XEN_SKIP=""   # set when Xen cannot run here: every Xen test is skipped with this reason
XEN_BROKEN="" # set when the harness itself failed: every guest check fails with this reason
rm -rf "$XEN_LOG"
mkdir -p "$XEN_LOG"

# ---- helpers -----------------------------------------------------------------------------------

# grub_guest NAME FORMAT CONFIG: a GRUB core image (x86_64-xen is PV, i386-xen_pvh is PVH) with
# CONFIG embedded, so it runs that script and needs no disk. Built at $XEN_LOG/NAME.elf.
grub_guest() {
	printf '%s\n' "$3" >"$XEN_LOG/$1.cfg"
	grub-mkimage -O "$2" -c "$XEN_LOG/$1.cfg" -p /boot/grub -o "$XEN_LOG/$1.elf" \
		echo sleep halt reboot minicmd memrw >>"$XEN_LOG/grub.log" 2>&1
}

# xen_field GUEST KEY: a value from the guest's result file (empty if there is none).
xen_field() {
	sed -n "s/^$2=//p" "$XEN_WORK/$1/result" 2>/dev/null | head -n 1 || true
}

# xen_ran TEST: 0 when the harness run can be checked; otherwise TEST is recorded as a skip (Xen
# cannot run here) or a failure (the harness failed) and 1 is returned.
xen_ran() {
	if [ -n "$XEN_SKIP" ]; then
		skip "$1" "$XEN_SKIP"
		return 1
	fi
	if [ -n "$XEN_BROKEN" ]; then
		fail "$1" "$XEN_BROKEN" "$XEN_LOG/run.err"
		return 1
	fi
}

# xen_check TEST GUEST "KEY=VALUE|..." "CONSOLE-PATTERN|!ABSENT|...": every result field must
# have its value, and the guest's console must show (or, with '!', not show) each pattern.
xen_check() {
	local test=$1 guest=$2 fields=$3 patterns=$4 kv got p dir=$XEN_WORK/$2 kvs pats
	xen_ran "$test" || return
	if [ ! -f "$dir/result" ]; then
		fail "$test" "no result for guest $guest: the harness did not run it" "$XEN_LOG/run.err"
		return
	fi
	IFS='|' read -ra kvs <<<"$fields"
	for kv in "${kvs[@]}"; do
		got=$(xen_field "$guest" "${kv%%=*}")
		if [ "$got" != "${kv#*=}" ]; then
			fail "$test" "${kv%%=*} is '$got', expected '${kv#*=}'" "$dir/result"
			return
		fi
	done
	IFS='|' read -ra pats <<<"$patterns"
	for p in "${pats[@]}"; do
		if [ "${p:0:1}" = "!" ]; then
			if grep -qF -- "${p:1}" "$dir/console.log"; then
				fail "$test" "console shows '${p:1}'" "$dir/console.log"
				return
			fi
		elif ! grep -qF -- "$p" "$dir/console.log"; then
			fail "$test" "console lacks '$p'" "$dir/console.log"
			return
		fi
	done
	pass "$test"
}

# xen_usage TEST MESSAGE ARGS...: the harness must refuse ARGS with exit 2 and one line on stderr
# holding MESSAGE, before it boots anything.
xen_usage() {
	local test=$1 msg=$2 out=$XEN_LOG/$1.out err=$XEN_LOG/$1.err rc
	shift 2
	timeout -k 5 60 support/xen-test.sh --workdir "$XEN_LOG/usage" "$@" >"$out" 2>"$err" </dev/null
	rc=$?
	if [ "$rc" != 2 ]; then
		fail "xen/$test" "exit status $rc, expected 2" "$err"
	elif [ "$(wc -l <"$err")" != 1 ] || [ -s "$out" ]; then
		fail "xen/$test" "expected exactly one line on stderr and nothing on stdout" "$err"
	elif ! grep -qF -- "$msg" "$err"; then
		fail "xen/$test" "stderr lacks '$msg'" "$err"
	else
		pass "xen/$test"
	fi
}

# ---- the harness's command line (no Xen needed) ------------------------------------------------

ANY=tests/lib.sh # any existing file: the command line is checked before an image is looked at
xen_usage harness-usage-no-guest "no guest given"
xen_usage harness-usage-bad-option "unknown option '--frob'" --frob "a=$ANY"
xen_usage harness-usage-bad-timeout "--timeout: '0' is not a number of seconds" --timeout 0 "a=$ANY"
xen_usage harness-usage-missing-image "image '/no/such.elf' not found" a=/no/such.elf
xen_usage harness-usage-bad-name "name 'a b' must be" "a b=$ANY"
xen_usage harness-usage-no-image "expected NAME=IMAGE" justaname
xen_usage harness-usage-bad-type "type 'hvm' is not pv or pvh" "a=$ANY,type=hvm"
xen_usage harness-usage-bad-mem "mem '4' is not a number of MB" "a=$ANY,mem=4"
xen_usage harness-usage-bad-action "action 'reboot-after=1' is not shutdown-after=N, list-after=N, shutdown-after-dom0, destroy-after-dom0 or toolstack-crash-once" "a=$ANY,action=reboot-after=1"
xen_usage harness-usage-bad-vifs "vifs '5' is not a number from 0 to 4" "a=$ANY,vifs=5"
xen_usage harness-usage-bad-disk "disk '/no/such.img' not found" "a=$ANY,disk=/no/such.img:ro"
xen_usage harness-usage-bad-disk-size "disk size '0M' is not 1M to 1024M" "a=$ANY,disk=0M"
xen_usage harness-usage-missing-dom0 "dom0 script '/no/such.sh' not found" "a=$ANY,dom0=/no/such.sh"
xen_usage harness-usage-shutdown-no-dom0 "action shutdown-after-dom0 needs a dom0 script" "a=$ANY,action=shutdown-after-dom0"
xen_usage harness-usage-destroy-no-dom0 "action destroy-after-dom0 needs a dom0 script" "a=$ANY,action=destroy-after-dom0"
xen_usage harness-usage-bad-disk-label "disk label 'x/y' must be 1-32 letters" "a=$ANY,disk=8M@x/y"
xen_usage harness-usage-kept-disk-resized "disk 'k' was 8M for an earlier guest, not 16M" "a=$ANY,disk=8M@k" "b=$ANY,disk=16M@k"
xen_usage harness-usage-bad-bin "bin '/no/such' is not an executable file" "a=$ANY,bin=/no/such"
xen_usage harness-usage-unknown-field "unknown option 'colour=red'" "a=$ANY,colour=red"
xen_usage harness-usage-missing-initrd "initrd '/no/such.img' not found" "a=$ANY,initrd=/no/such.img"
xen_usage harness-usage-duplicate "guest name 'a' given twice" "a=$ANY" "a=$ANY"

# ---- the harness with GRUB guests, all in one Xen boot ----------------------------------------

if ! { grub_guest pv x86_64-xen 'echo "XENTEST-MARKER pv guest"
halt' &&
	grub_guest pvh i386-xen_pvh 'echo "XENTEST-MARKER pvh guest"
sleep 2
halt' &&
	grub_guest wait x86_64-xen 'echo "XENTEST-MARKER wait: sleeping"
sleep 30
echo "XENTEST-MARKER wait: slept"
halt' &&
	grub_guest crash x86_64-xen 'echo "XENTEST-MARKER crash: writing to an unmapped address"
write_dword 0x7ffffff0000 1
echo "XENTEST-MARKER crash: survived"
halt' &&
	grub_guest reboot x86_64-xen 'echo "XENTEST-MARKER reboot guest"
reboot'; }; then
	fail xen/harness-grub-guests "grub-mkimage cannot build the GRUB test guests" "$XEN_LOG/grub.log"
	XEN_BROKEN="no GRUB guests"
fi
echo "not a kernel" >"$XEN_LOG/notelf.img"

# The wait guest ignores `xl shutdown` (GRUB has no PV shutdown watch), so the per-guest timeout
# ends it; 10 s keeps that short. The whole run takes about 25 s warm.
XEN_GUESTS=(
	"pv=$XEN_LOG/pv.elf"
	"pvh=$XEN_LOG/pvh.elf,type=pvh,action=list-after=1"
	"wait=$XEN_LOG/wait.elf,action=shutdown-after=1"
	"crash=$XEN_LOG/crash.elf"
	"reboot=$XEN_LOG/reboot.elf,mem=32"
	"notelf=$XEN_LOG/notelf.img"
	"abortonce=$XEN_LOG/pv.elf,action=toolstack-crash-once"
)
if [ -z "$XEN_BROKEN" ]; then
	support/xen-test.sh --workdir "$XEN_WORK" --timeout 10 "${XEN_GUESTS[@]}" \
		>"$XEN_LOG/run.out" 2>"$XEN_LOG/run.err" </dev/null
	xen_rc=$?
	case "$xen_rc" in
	0)
		if [ "$(grep -c '^xen-test: [a-z]* reason=' "$XEN_LOG/run.out")" = ${#XEN_GUESTS[@]} ]; then
			pass xen/harness-run
		else
			fail xen/harness-run "expected one 'xen-test: NAME reason=...' line per guest" "$XEN_LOG/run.out"
		fi ;;
	3)
		XEN_SKIP=$(grep -m1 'Xen unavailable' "$XEN_LOG/run.err" || echo "Xen unavailable (exit 3)")
		skip xen/harness-run "$XEN_SKIP" ;;
	*)
		XEN_BROKEN="support/xen-test.sh exited with $xen_rc"
		fail xen/harness-run "$XEN_BROKEN" "$XEN_LOG/run.err" ;;
	esac
fi

xen_check xen/harness-pv pv "reason=poweroff|status=none|listed_while_running=not-checked|gone_after=yes|create_rc=0|listed_before_destroy=yes|state=---s--" \
	"XENTEST-MARKER pv guest"
xen_check xen/harness-pvh pvh "reason=poweroff|status=none|listed_while_running=yes|gone_after=yes|create_rc=0|state=---s--" \
	"XENTEST-MARKER pvh guest"
# What really happens to a guest that does not act on `xl shutdown`: the request is written, xl
# waits for an acknowledgement that never comes (the harness stops it when the guest ends), GRUB
# sleeps on, and at the per-guest timeout dom0 destroys the domain.
xen_check xen/harness-shutdown-ignored wait "reason=timeout|status=none|listed_while_running=yes|gone_after=yes|shutdown_rc=killed|listed_before_destroy=yes" \
	"XENTEST-MARKER wait: sleeping|!XENTEST-MARKER wait: slept"
if xen_ran xen/harness-list-while-running; then
	if grep -q '^wait  *[0-9]' "$XEN_WORK/wait/xl-list.log" 2>/dev/null; then
		pass xen/harness-list-while-running
	else
		fail xen/harness-list-while-running "the xl list taken at 1 s does not show the guest" "$XEN_WORK/wait/xl-list.log"
	fi
fi
# on_crash="preserve": the crashed domain stays until dom0 has looked at it (state letter c).
xen_check xen/harness-crash crash "reason=crash|gone_after=yes|listed_before_destroy=yes|state=---sc-" \
	"XENTEST-MARKER crash: writing|!XENTEST-MARKER crash: survived"
# on_reboot="destroy": xl destroys it itself, so it is already gone when dom0 looks.
xen_check xen/harness-reboot reboot "reason=reboot|gone_after=yes|listed_before_destroy=no" \
	"XENTEST-MARKER reboot guest"
xen_check xen/harness-create-failed notelf "reason=create-failed|status=none|gone_after=yes" ""
# dom0's toolstack dying on a signal is not the guest's failure: the guest is tried once more.
# (toolstack-crash-once makes the first `xl create` die on SIGABRT, as xl now and then does.)
xen_check xen/harness-retry-after-toolstack-crash abortonce \
	"reason=poweroff|create_rc=0|retried=yes (xl create died on signal 6 on the first try)" \
	"XENTEST-MARKER pv guest"
if xen_ran xen/harness-create-failed-not-retried; then
	if grep -q '^retried=' "$XEN_WORK/notelf/result" 2>/dev/null; then
		fail xen/harness-create-failed-not-retried "a create that failed for a real reason was retried" "$XEN_WORK/notelf/result"
	else
		pass xen/harness-create-failed-not-retried
	fi
fi
if xen_ran xen/harness-create-failed-log; then
	xen_crc=$(xen_field notelf create_rc)
	if [ -n "$xen_crc" ] && [ "$xen_crc" != 0 ] && grep -q 'no loader found' "$XEN_WORK/notelf/xl-create.log" 2>/dev/null; then
		pass xen/harness-create-failed-log
	else
		fail xen/harness-create-failed-log "create_rc '$xen_crc' and xl-create.log do not show the failed build" "$XEN_WORK/notelf/xl-create.log"
	fi
fi

# ==== Skiff guests on Xen ========================================================================
# The apps' <app>.xen images (PLAT_XEN is on by default) as PV domUs, all in one more Xen boot:
# output and exit status (read from xenstore), crash reports, libc-test with its initrd, the
# domain listed while it runs and ended cleanly by `xl shutdown`, and the grant-table self-test;
# then the same images as PVH domains; then, in the same boot, the guests with devices (their
# section below).

for app in hello crash libc-test httpd echo blktest kv; do
	if ! make -s APP=apps/$app >"$XEN_LOG/build-$app.log" 2>&1 || [ ! -f build/$app/$app.xen ]; then
		fail "xen/build-$app" "no build/$app/$app.xen" "$XEN_LOG/build-$app.log"
		XEN_BROKEN=${XEN_BROKEN:-"the Skiff images did not build"}
	fi
done
# xen_res GUEST KEY: a value from the guest's dom0 results (empty if none).
xen_res() {
	sed -n "s/^$2=//p" "$XEN_WORK/$1/dom0/results" 2>/dev/null | head -n 1 || true
}

# xen_expect TEST GUEST "KEY=VALUE|...": each dom0 result must have its value.
xen_expect() {
	local test=$1 guest=$2 kv kvs got
	xen_ran "$test" || return
	IFS='|' read -ra kvs <<<"$3"
	for kv in "${kvs[@]}"; do
		got=$(xen_res "$guest" "${kv%%=*}")
		if [ "$got" != "${kv#*=}" ]; then
			fail "$test" "dom0's ${kv%%=*} is '$got', expected '${kv#*=}'" "$XEN_WORK/$guest/dom0/results"
			return
		fi
	done
	pass "$test"
}

# xen_script NAME TEMPLATE VAR=VALUE: a dom0 script that is TEMPLATE with VAR set in front.
xen_script() {
	{ echo "$3"; cat "$2"; } >"$XEN_LOG/$1-dom0.sh"
	echo "$XEN_LOG/$1-dom0.sh"
}

XEN_SITE=$XEN_LOG/site
rm -rf "$XEN_SITE"
mkdir -p "$XEN_SITE"
cp apps/httpd/rootfs/index.html "$XEN_SITE/"
echo "small file from the Xen test" >"$XEN_SITE/small.txt"
head -c 1048576 /dev/urandom >"$XEN_SITE/big.bin"
python3 support/mkinitrd.py "$XEN_SITE" "$XEN_LOG/site.cpio"
# blktest's disk: a marker line in sector 0, zeros after it.
python3 -c 'import sys; open(sys.argv[1], "wb").write(b"Skiff disk for the Xen test\n".ljust(1 << 20, b"\0"))' "$XEN_LOG/disk.img"
WEB=build/httpd/httpd.xen,initrd=$XEN_LOG/site.cpio,vifs=1,action=shutdown-after-dom0
DEVICE_GUESTS=(
	"webpv=$WEB,dom0=$(xen_script webpv tests/xen/httpd-dom0.sh GUEST_IP=10.0.0.2),extra=net.ip=10.0.0.2/24"
	"webpvh=$WEB,type=pvh,dom0=$(xen_script webpvh tests/xen/httpd-dom0.sh GUEST_IP=dhcp)"
	"twovifs=build/echo/echo.xen,vifs=2,action=shutdown-after-dom0,dom0=$(xen_script twovifs tests/xen/echo-dom0.sh MODE=two-vifs),extra=net.ip=10.0.0.3/24 net1.ip=10.0.1.3/24"
	"outbound=build/echo/echo.xen,vifs=1,dom0=$(xen_script outbound tests/xen/echo-dom0.sh MODE=outbound),extra=net.ip=10.0.0.4/24 -- connect 10.0.0.1 9000 hello-from-xen"
	"pingout=build/echo/echo.xen,vifs=1,extra=net.ip=10.0.0.5/24 -- ping 10.0.0.1 3"
	"novif=build/httpd/httpd.xen,initrd=$XEN_LOG/site.cpio,action=shutdown-after=1"
	"blkpv=build/blktest/blktest.xen,disk=$XEN_LOG/disk.img,dom0=$(xen_script blkpv tests/xen/disk-dom0.sh SOURCE0=/xentest/g/blkpv/disk-0.img)"
	"blkpvh=build/blktest/blktest.xen,type=pvh,disk=$XEN_LOG/disk.img,dom0=$(xen_script blkpvh tests/xen/disk-dom0.sh SOURCE0=/xentest/g/blkpvh/disk-0.img)"
	"blkro=build/blktest/blktest.xen,disk=$XEN_LOG/disk.img:ro,dom0=$(xen_script blkro tests/xen/disk-dom0.sh SOURCE0=/xentest/g/blkro/disk-0.img),extra=-- ro"
)

# kv (apps/kv) on one kept disk (disk=8M@kv): commands over netfront, a clean restart (as PVH),
# 20 power cuts (`xl destroy` at a random moment while dom0's writer records each acknowledged
# SET; PV and PVH by turns), a last boot that must have every acknowledged key, and a torn and a
# flipped log on disks of their own. The dom0 client is tests/xen/kv-client.c, built static.
KV_CLIENT=$XEN_LOG/kv-client
if ! cc -static -O2 -std=c11 -Wall -Wextra -Werror -o "$KV_CLIENT" tests/xen/kv-client.c >"$XEN_LOG/build-kv-client.log" 2>&1; then
	fail xen/build-kv-client "tests/xen/kv-client.c did not build" "$XEN_LOG/build-kv-client.log"
	XEN_BROKEN=${XEN_BROKEN:-"the dom0 kv client did not build"}
fi
KV_KILLS=20
# kv_guest NAME TYPE LABEL MODE HOW ACTION HOST: one kv guest at 10.0.0.HOST (each its own address:
# dom0's ARP entry for a destroyed guest would otherwise point at the wrong MAC for the next).
kv_guest() {
	echo "$1=build/kv/kv.xen,type=$2,vifs=1,disk=8M@$3,action=$6,dom0=$(xen_script "$1" tests/xen/kv-dom0.sh "MODE=$4 HOW=$5 GUEST_IP=10.0.0.$7"),extra=net.ip=10.0.0.$7/24 -- -f always -m 8"
}
KV_GUESTS=(
	"$(kv_guest kvfirst pv kv first - shutdown-after-dom0 40),bin=$KV_CLIENT"
	"$(kv_guest kvrestart pvh kv restart - shutdown-after-dom0 41)"
)
for i in $(seq $KV_KILLS); do
	KV_GUESTS+=("$(kv_guest "kvkill$i" "$([ $((i % 2)) = 1 ] && echo pv || echo pvh)" kv kill - destroy-after-dom0 $((41 + i)))")
done
KV_GUESTS+=(
	"$(kv_guest kvfinal pv kv final - shutdown-after-dom0 70)"
	"$(kv_guest kvtornw pv kvtorn damage-write torn shutdown-after-dom0 71)"
	"$(kv_guest kvtornc pv kvtorn damage-check torn shutdown-after-dom0 72)"
	"$(kv_guest kvflipw pvh kvflip damage-write flipped shutdown-after-dom0 73)"
	"$(kv_guest kvflipc pvh kvflip damage-check flipped shutdown-after-dom0 74)"
)

XEN_WORK=$XEN_LOG/skiff
SKIFF_GUESTS=(
	"hello=build/hello/hello.xen,extra=-- one two"
	"exit42=build/crash/crash.xen,extra=-- exit 42"
	"null=build/crash/crash.xen,extra=-- null"
	"panic=build/crash/crash.xen,extra=-- panic"
	"libc=build/libc-test/libc-test.xen,initrd=build/libc-test/libc-test.initrd,extra=env.SKIFF_TEST=yes env.SKIFF_TERMINAL=yes"
	"sleeper=build/crash/crash.xen,extra=-- sleep 30,action=shutdown-after=2"
	"gnttab=build/crash/crash.xen,extra=xen.selftest -- sleep 1"
	"hellopvh=build/hello/hello.xen,type=pvh,extra=xen.selftest -- one"
	"nullpvh=build/crash/crash.xen,type=pvh,extra=-- null"
	"libcpvh=build/libc-test/libc-test.xen,type=pvh,initrd=build/libc-test/libc-test.initrd,extra=env.SKIFF_TEST=yes env.SKIFF_TERMINAL=yes"
)
if [ -z "$XEN_SKIP" ] && [ -z "$XEN_BROKEN" ]; then
	support/xen-test.sh --workdir "$XEN_WORK" --timeout 60 "${SKIFF_GUESTS[@]}" "${DEVICE_GUESTS[@]}" "${KV_GUESTS[@]}" \
		>"$XEN_LOG/skiff.out" 2>"$XEN_LOG/skiff.err" </dev/null
	case $? in
	0) ;;
	3) XEN_SKIP=$(grep -m1 'Xen unavailable' "$XEN_LOG/skiff.err" || echo "Xen unavailable (exit 3)") ;;
	*) XEN_BROKEN="support/xen-test.sh failed on the Skiff guests"; cp "$XEN_LOG/skiff.err" "$XEN_LOG/run.err" ;;
	esac
fi

xen_check xen/hello hello "reason=poweroff|status=0|gone_after=yes|create_rc=0" \
	"Skiff on xen-pv|Hello from Skiff|argv[1] = \"one\"|argv[2] = \"two\"|slept |token passed 1000 times"
xen_check xen/exit-status exit42 "reason=poweroff|status=42" "crash: exit"
xen_check xen/crash-report null "reason=crash|status=none|gone_after=yes" \
	"CRASH: page fault (#PF)|a NULL pointer|Registers:|Backtrace:|<crash_null+|Halting with status 127"
xen_check xen/panic panic "reason=crash" "PANIC: crash app asked for a panic|Backtrace:"
xen_check xen/libc-test libc "reason=poweroff|status=0" \
	"posix: initrd:|passed, 0 failed|libc-test: atexit handler ran|!FAIL "
xen_check xen/xl-shutdown sleeper "reason=poweroff|status=0|listed_while_running=yes|gone_after=yes" \
	"crash: sleep|shutdown requested by the host (poweroff): ending the app"
if xen_ran xen/xl-list-while-running; then
	if grep -q '^sleeper  *[0-9]' "$XEN_WORK/sleeper/xl-list.log" 2>/dev/null; then
		pass xen/xl-list-while-running
	else
		fail xen/xl-list-while-running "xl list did not show the running guest" "$XEN_WORK/sleeper/xl-list.log"
	fi
fi
xen_check xen/grant-table gnttab "reason=poweroff|status=0" "grant table self-test ok"
xen_check xen/xenstore-transaction gnttab "reason=poweroff|status=0" "xenstore transaction self-test ok"
# The same .xen image as a PVH domain.
xen_check xen/pvh-hello hellopvh "reason=poweroff|status=0|gone_after=yes" \
	"Skiff on xen-pvh|Hello from Skiff|argv[1] = \"one\"|token passed 1000 times|grant table self-test ok"
xen_check xen/pvh-crash-report nullpvh "reason=crash|status=none" \
	"CRASH: page fault (#PF)|a NULL pointer|Backtrace:|<crash_null+"
xen_check xen/pvh-libc-test libcpvh "reason=poweroff|status=0" "passed, 0 failed|!FAIL "

# ==== Skiff guests with networks and disks ======================================================
# netfront and blkfront against netback and blkback in the test host's dom0 (DEVICE_GUESTS, run
# in the boot above): dom0's clients (busybox wget, nc and ping, ab) run beside each guest from
# tests/xen/*-dom0.sh and report KEY=VALUE results, judged here; disks are checked from dom0
# once the guest is gone. Every guest with devices must leave its backends Closed (a clean
# disconnect) and nothing behind after `xl destroy`.

XEN_BIG_MD5=$(md5sum <"$XEN_SITE/big.bin" | cut -d' ' -f1)
XEN_SMALL_MD5=$(md5sum <"$XEN_SITE/small.txt" | cut -d' ' -f1)
for g in webpv webpvh; do
	t=xen/net-${g#web}
	xen_check "$t-boot" "$g" "reason=poweroff|status=0|create_rc=0|dom0_rc=0|backends=vif0:6|stale=none" \
		"netfront: vif 0: connected|Xen netfront (vif 0)|httpd: serving|shutdown requested by the host"
	if xen_ran "$t-first-response"; then
		case "$(xen_res "$g" first_response_cs)" in
		''|*[!0-9]*) fail "$t-first-response" "no HTTP response within 60 s" "$XEN_WORK/$g/dom0/results" ;;
		*) pass "$t-first-response" ;;
		esac
	fi
	xen_expect "$t-ping" "$g" "ping_received=5"
	xen_expect "$t-small-file" "$g" "small_md5=$XEN_SMALL_MD5"
	xen_expect "$t-1mib-file" "$g" "big_md5=$XEN_BIG_MD5|big_bytes=1048576"
	xen_expect "$t-keep-alive" "$g" "keepalive_rc=0|keepalive_complete=100|keepalive_failed=0|keepalive_keepalive=100"
	xen_expect "$t-concurrent" "$g" "concurrent_rc=0|concurrent_complete=200|concurrent_failed=0|concurrent_non2xx="
	xen_expect "$t-bad-request" "$g" "bad_request=HTTP/1.1_400_Bad_Request"
done
xen_check xen/net-pvh-dhcp webpvh "reason=poweroff" "(DHCP)"
if xen_ran xen/net-pvh-dhcp-lease; then
	case "$(xen_res webpvh dhcp_ip)" in
	10.0.0.1[0-9][0-9]) pass xen/net-pvh-dhcp-lease ;;
	*) fail xen/net-pvh-dhcp-lease "no lease from dnsmasq's range for the guest's MAC" "$XEN_WORK/webpvh/dom0/results" ;;
	esac
fi
# The second vif's MAC as xl got it from the harness: netfront must have taken it from xenstore.
XEN_MAC1=$(grep -o "mac=[0-9a-f:]*" "$XEN_WORK/twovifs/xl.cfg" 2>/dev/null | sed -n '2s/mac=//p')
xen_check xen/net-two-vifs twovifs "reason=poweroff|status=0|backends=vif0:6,vif1:6|stale=none" \
	"vif 0: connected|vif 1: connected|en1: ${XEN_MAC1:-no MAC in xl.cfg}"
xen_expect xen/net-two-vifs-traffic twovifs "vif0_ping=3|vif0_echo=line_for_vif0|vif1_ping=3|vif1_echo=line_for_vif1"
xen_check xen/net-outbound outbound "reason=poweroff|status=0|backends=vif0:6|stale=none" \
	'echo: 10.0.0.1 answered "hello-from-xen"'
# The other way round: the guest pings dom0 (an ICMP socket in the echo app).
xen_check xen/net-ping-from-guest pingout "reason=poweroff|status=0|backends=vif0:6|stale=none" \
	"echo: ping 10.0.0.1: 3 sent, 3 answered"
xen_check xen/net-no-vif novif "reason=poweroff|status=0" "httpd: serving|!netfront"

# blktest rw: 16 x 4 KiB of (i * 31 + j * 7) at sector 64 in one batch, read back in another, a
# marker line at sector 8, a flush; dom0 reads the disk once the domain is gone.
XEN_BATCH_MD5=$(python3 -c 'import hashlib; print(hashlib.md5(bytes((i * 31 + j * 7) & 255 for i in range(16) for j in range(4096))).hexdigest())')
for g in blkpv blkpvh; do
	t=xen/blk-${g#blk}
	xen_check "$t-rw" "$g" "reason=poweroff|status=0|create_rc=0|backends=vbd51712:6|stale=none|dom0_after_rc=0" \
		"blkfront: vbd 51712: connected|2048 sectors, 512-byte blocks, write cache (flushed on request)|sector 0 says \"Skiff disk for the Xen test\"|16 x 4096 bytes written and read back in two batches"
	xen_expect "$t-rw-from-dom0" "$g" "marker=written_by_blktest|batch_md5=$XEN_BATCH_MD5"
done
xen_check xen/blk-read-only blkro "reason=poweroff|status=0|backends=vbd51712:6|stale=none" \
	"read-only|write to a read-only disk: EROFS"
if xen_ran xen/blk-read-only-unchanged; then
	if [ -n "$(xen_res blkro disk_md5)" ] && [ "$(xen_res blkro disk_md5)" = "$(xen_res blkro source_md5)" ]; then
		pass xen/blk-read-only-unchanged
	else
		fail xen/blk-read-only-unchanged "the read-only disk changed (or dom0 could not read it)" "$XEN_WORK/blkro/dom0/results"
	fi
fi

# ==== kv on a blkfront disk ======================================================================
xen_check xen/kv-commands kvfirst "reason=poweroff|status=0|dom0_rc=0|backends=vbd51712:6,vif0:6|stale=none" \
	"kv: log: new log on a 8 MiB disk|appendfsync always; ready on port 6379|shutdown requested by the host"
xen_expect xen/kv-commands-replies kvfirst \
	"up=yes|ping=PONG|set=OK|get=it_stays|incr=1|wrongtype=ERR_value_is_not_an_integer_or_out_of_range|fsync=appendfsync_always|aof=1"
xen_check xen/kv-restart-pvh kvrestart "reason=poweroff|status=0|dom0_rc=0|stale=none" "Skiff on xen-pvh|kv: 2 keys"
xen_expect xen/kv-restart-pvh-data kvrestart "up=yes|get=it_stays|incr=2"
# Every power cut: the guest came up on the disk the last one left, every key acknowledged before
# was there, it was destroyed mid-write, and nothing of its backends was left behind.
if xen_ran xen/kv-crash; then
	kv_why=""
	for i in $(seq $KV_KILLS); do
		g=kvkill$i
		[ "$(xen_field $g reason)" = destroyed ] && [ "$(xen_field $g stale)" = none ] ||
			{ kv_why="kill $i: reason '$(xen_field $g reason)', stale '$(xen_field $g stale)'"; break; }
		[ "$(xen_res $g up)" = yes ] || { kv_why="kill $i: kv did not come up on the disk"; break; }
		case "$(xen_res $g check)" in
		ok) ;;
		nothing-yet) [ $i = 1 ] || { kv_why="kill $i: no acknowledged SET recorded before it"; break; } ;;
		*) kv_why="after kill $((i - 1)): $(xen_res $g check)"; break ;;
		esac
	done
	if [ -z "$kv_why" ] && [ "$(xen_res kvfinal check)" = ok ] && [ "$(xen_res kvfinal kills)" = $KV_KILLS ] &&
	   [ "$(xen_field kvfinal reason)" = poweroff ]; then
		pass xen/kv-crash
		echo "  ($KV_KILLS power cuts; all $(xen_res kvfinal acked) acknowledged keys there)"
	else
		fail xen/kv-crash "${kv_why:-the last boot: check '$(xen_res kvfinal check)', kills '$(xen_res kvfinal kills)'}" "$XEN_WORK/kvfinal/dom0/results"
	fi
fi
xen_expect xen/kv-damaged-torn-made kvtornw "up=yes|written=4|damaged=torn"
xen_check xen/kv-damaged-torn kvtornc "reason=poweroff|status=0" "is damaged|cut off|kv: 3 keys"
xen_expect xen/kv-damaged-torn-data kvtornc "up=yes|key1=value1|key3=value3|key4="
xen_expect xen/kv-damaged-flipped-made kvflipw "up=yes|written=4|damaged=flipped"
xen_check xen/kv-damaged-flipped kvflipc "reason=poweroff|status=0" "is damaged|cut off"
xen_expect xen/kv-damaged-flipped-data kvflipc "up=yes|key1=value1|key4="
