# SPDX-License-Identifier: MIT
# skiff-hv tests: real images under the monitor, on each backend (KVM where /dev/kvm is usable,
# the process backend everywhere): output and exit status of hello, the crash app, the block
# device, hostile guests, signals, seccomp. Then what never starts a guest and so runs on every
# machine: malformed images, bad command lines, a bounded run of each fuzzer. Every run has a
# hard timeout. Cases that need a tap run skiff-hv inside a network namespace of this suite's
# own (support/netns.sh); they need root and are skipped, saying why, where it cannot be made.

HV=build/hv/skiff-hv
BUILD_SKIP=""
if ! make -s hv >"$TEST_LOGS/hv-build.log" 2>&1; then
	fail hv/build "skiff-hv does not build" "$TEST_LOGS/hv-build.log"
	BUILD_SKIP="skiff-hv did not build"
fi

# hv_boot NAME EXPECTED-STATUS "PATTERN|PATTERN|!ABSENT" SKIFF-HV-ARGS...: a run that starts the
# guest, on backend $BE (set by hv_suite): test hv/$BE/NAME, log hv-$BE-NAME.log. $HV_IN, when
# set, is the command skiff-hv runs under (hv_net_boot: inside the namespace).
HV_IN=""
hv_boot() {
	local name=$1 want=$2 patterns=$3 log="$TEST_LOGS/hv-$BE-$1.log"
	shift 3
	if [ -n "$SKIP_WHY" ]; then
		skip "hv/$BE/$name" "$SKIP_WHY"
		return
	fi
	timeout -k 5 60 $HV_IN "$HV" --backend=$BE "$@" >"$log" 2>&1 </dev/null
	check_run "hv/$BE/$name" "$log" "$want" $? "$patterns"
}

# hv_once NAME EXPECTED-STATUS PATTERNS SKIFF-HV-ARGS...: a run on no backend in particular, on
# every machine: most end before any vCPU exists (the command line, the image and the files it
# opens are checked first); the auto tests run whichever backend this machine has.
hv_once() {
	local name=$1 want=$2 patterns=$3 log="$TEST_LOGS/hv-$1.log"
	shift 3
	if [ ! -x "$HV" ]; then
		fail "hv/$name" "skiff-hv did not build"
		return
	fi
	timeout -k 5 60 $HV_IN "$HV" "$@" >"$log" 2>&1 </dev/null
	check_run "hv/$name" "$log" "$want" $? "$patterns"
}

# Networking: tap0 in namespace sk-hvnet, made once for every case that needs a tap and removed
# after the last of them, or when the run ends or is interrupted before that.
HV_NETNS=hvnet
hv_net_cleanup() { support/netns.sh destroy $HV_NETNS >/dev/null 2>&1; }
HV_NET_SKIP=""
if [ "$(id -u)" != 0 ]; then
	HV_NET_SKIP="a tap needs a network namespace, which needs root"
elif ! support/netns.sh create $HV_NETNS 1 >"$TEST_LOGS/hv-netns.log" 2>&1; then
	HV_NET_SKIP="cannot make a network namespace with a tap here (see $TEST_LOGS/hv-netns.log)"
	hv_net_cleanup
else
	trap hv_net_cleanup EXIT
	trap 'hv_net_cleanup; exit 130' INT
	trap 'hv_net_cleanup; exit 143' TERM
fi

# hv_net_boot / hv_net_once, with hv_boot's / hv_once's arguments: the run inside the namespace,
# where tap0 exists; skipped where there is none.
hv_net_boot() {
	local SKIP_WHY=${SKIP_WHY:-$HV_NET_SKIP} HV_IN="support/netns.sh exec $HV_NETNS"
	hv_boot "$@"
}
hv_net_once() {
	local HV_IN="support/netns.sh exec $HV_NETNS"
	if [ -n "$HV_NET_SKIP" ]; then
		skip "hv/$1" "$HV_NET_SKIP"
		return
	fi
	hv_once "$@"
}

for app in hello crash blktest hvhostile; do
	make -s APP=apps/$app >"$TEST_LOGS/build-$app.log" 2>&1 || fail "build/$app" "does not build" "$TEST_LOGS/build-$app.log"
done
HELLO=build/hello/hello.kvm CRASH=build/crash/crash.kvm H=build/hvhostile/hvhostile.kvm
HELLO_OK="Hello from Skiff|argv[0] = \"hello\"|token passed 1000 times|Skiff on kvm-hv"
CRASH_OK="Backtrace:|<main+|Halting with status 127"
V="guest violation:"
disk="$TEST_LOGS/disk.img"


# hv_signal_test SIG SKIFF-HV-ARGS...: a guest that runs on (sleeping, or spinning without a
# single exit) ends with 128 + SIG once the signal comes.
hv_signal_test() {
	local sig=$1 name=$2 log="$TEST_LOGS/hv-$BE-$2.log" pid rc want
	shift 2
	if [ -n "$SKIP_WHY" ]; then
		skip "hv/$BE/$name" "$SKIP_WHY"
		return
	fi
	timeout -k 5 60 "$HV" --backend=$BE "$@" >"$log" 2>&1 </dev/null &
	pid=$!
	# Signal it once the guest is running (its first line is out), not at a guessed moment.
	for _ in $(seq 100); do
		grep -qE "crash: sleep|hvhostile: spin" "$log" 2>/dev/null && break
		sleep 0.05
	done
	sleep 0.2
	pkill -"$sig" -f "skiff-hv --backend=$BE $*"
	wait $pid
	rc=$?
	want=$((128 + $(kill -l "$sig")))
	if [ $rc -eq $want ] && grep -q "stopped by signal" "$log"; then
		pass "hv/$BE/$name"
	else
		fail "hv/$BE/$name" "exit status $rc, expected $want" "$log"
	fi
}

# hv_suite BACKEND: every test that runs a guest, on that backend.
hv_suite() {
	BE=$1
	SKIP_WHY=${BUILD_SKIP:-$(hv_backend_skip "$BE")}
	hv_boot hello 0 "$HELLO_OK" $HELLO
	hv_boot hello-args 0 "argv[1] = \"one\"|argv[2] = \"two words\"|argv[3] = \"it's\"" $HELLO -- one "two words" "it's"
	hv_boot hello-kernel-option 0 "Hello from Skiff|!Skiff on kvm-hv" $HELLO loglevel=3
	hv_boot hello-quiet 0 "!Hello from Skiff" --quiet $HELLO
	hv_boot hello-2m 0 "token passed 1000 times" --mem=2M $HELLO
	[ "$BE" = kvm ] || hv_boot hello-4g 0 "token passed 1000 times" --mem=4G $HELLO
	hv_boot exit-status 42 "crash: exit" $CRASH -- exit 42

	hv_boot crash-null 127 "CRASH: page fault (#PF)|a NULL pointer|<crash_null+|Backtrace:" $CRASH -- null
	hv_boot crash-ud 127 "CRASH: invalid opcode (#UD)|$CRASH_OK" $CRASH -- ud
	hv_boot crash-div 127 "CRASH: divide error (#DE)|<crash_div+|$CRASH_OK" $CRASH -- div
	hv_boot crash-exec 127 "instruction fetch from a protected page|Backtrace:" $CRASH -- exec
	hv_boot crash-rodata 127 "write to a protected page|$CRASH_OK" $CRASH -- rodata
	hv_boot crash-panic 127 "PANIC: crash app asked for a panic|$CRASH_OK" $CRASH -- panic
	hv_boot crash-bug 127 "PANIC: BUG at apps/crash/main.c|$CRASH_OK" $CRASH -- bug
	hv_boot crash-stack 127 "STACK OVERFLOW: thread 2 \"overflow\" ran past the end" $CRASH -- stack
	hv_boot crash-stack-main 127 "STACK OVERFLOW: thread 1 \"main\" ran past the end of its 64 KiB" $CRASH -- stack-main
	hv_boot crash-deadlock 127 "PANIC: deadlock" $CRASH -- deadlock

	# Block device: batched writes checked from the host afterwards.
	rm -f "$disk"; truncate -s 1M "$disk"; printf 'SKIFFDISK for blktest\n' | dd of="$disk" conv=notrunc 2>/dev/null
	hv_boot blk-rw 0 "sector 0 says \"SKIFFDISK for blktest\"|16 x 4096 bytes written and read back in two batches" \
		--disk="$disk" build/blktest/blktest.kvm
	if [ -n "$SKIP_WHY" ]; then
		skip "hv/$BE/blk-host-check" "$SKIP_WHY"
	elif blktest_disk_ok "$disk"; then
		pass "hv/$BE/blk-host-check"
	else
		fail "hv/$BE/blk-host-check" "the disk file does not hold what the guest wrote"
	fi
	cp "$disk" "$disk.before"
	hv_boot blk-ro 0 "write to a read-only disk: EROFS" --disk-ro="$disk" build/blktest/blktest.kvm -- ro
	if [ -n "$SKIP_WHY" ]; then
		skip "hv/$BE/blk-ro-unchanged" "$SKIP_WHY"
	elif cmp -s "$disk" "$disk.before"; then
		pass "hv/$BE/blk-ro-unchanged"
	else
		fail "hv/$BE/blk-ro-unchanged" "a read-only disk changed"
	fi
	hv_boot blk-none 0 "no disk: ENODEV" build/blktest/blktest.kvm -- nodisk
	hv_boot blk-range 0 "read past the end: EINVAL" --disk="$disk" build/blktest/blktest.kvm -- range

	# Hostile guests: each ends with a clear message; the monitor never crashes or hangs.
	hv_boot hostile-console-ptr 252 "$V console data [0xf0000000, +4) is outside guest memory" $H -- console-ptr
	hv_boot hostile-console-wrap 252 "$V console data [0xfffffffffffff000" $H -- console-wrap
	hv_boot hostile-console-huge 252 "$V console write of 1099511627776 bytes" $H -- console-huge
	hv_boot hostile-call-ptr 252 "$V console call at bad address 0xfffffff0" $H -- call-ptr
	hv_boot hostile-misaligned 252 "$V console call at bad address" $H -- misaligned
	hv_boot hostile-net-unattached 252 "$V net setup for NIC 0, but 0 attached" $H -- net-no-nic
	hv_boot hostile-not-call-port 252 "$V write to I/O port 0x506" $H -- not-call-port
	hv_boot hostile-in-port 252 "$V read from I/O port 0x500" $H -- in-port
	hv_boot hostile-byte-out 252 "$V hypercall with a 1-byte" $H -- byte-out
	hv_boot hostile-exit-range 252 "$V exit status 300 is outside 0-127" $H -- exit-range
	hv_boot hostile-abort 42 "guest aborted: bad?[2Jmessage" $H -- abort
	hv_boot hostile-blk-many 252 "$V block batch of 1000 requests" --disk="$disk" $H -- blk-many
	hv_boot hostile-blk-reqs 252 "$V block requests at bad address" --disk="$disk" $H -- blk-reqs
	hv_boot hostile-blk-buf 252 "$V block buffer [0xf0000000, +512)" --disk="$disk" $H -- blk-buf
	hv_boot hostile-poll-ptr 252 "$V poll call at bad address" $H -- poll-ptr
	# Ports the I/O bitmap does not open, memory beyond the guest's, privileged instructions,
	# system calls and jumps out of guest memory fault inside the guest (#GP, #PF, #UD), which
	# reports and exits like any crash.
	hv_boot hostile-other-port 127 "CRASH: general protection (#GP)" $H -- other-port
	hv_boot hostile-mem-beyond 127 "CRASH: page fault (#PF)|0x00000000f0000000" $H -- mem-beyond
	hv_boot hostile-hlt 127 "CRASH: general protection (#GP)" $H -- hlt
	hv_boot hostile-syscall 127 "CRASH: invalid opcode (#UD)|<main+" $H -- syscall
	hv_boot hostile-int80 127 "CRASH: general protection (#GP)|<main+" $H -- int80
	hv_boot hostile-jump-far 127 "CRASH: page fault (#PF) at 0x7f0000001000|instruction fetch" $H -- jump-far
	hv_boot hostile-jump-monitor 127 "CRASH: page fault (#PF)|instruction fetch" $H -- jump-monitor
	hv_boot hostile-write-text 127 "CRASH: page fault (#PF)|write to a protected page (permission)" $H -- write-text
	hv_boot hostile-unmap-page 127 "hvhostile: unmapped|CRASH: page fault (#PF)|write to an unmapped page" $H -- unmap-page
	hv_boot hostile-triple-fault 253 "guest fault: triple fault|rip " $H -- triple-fault
	# NICs: a setup call or ring indices that break the ABI end the guest with one line (252);
	# frames no NIC may send are dropped and counted (--stats), and the guest goes on.
	local N="--net=tap0 --stats" T="$V NIC 0: net setup:" S="skiff-hv: net0 (tap0): tx 0 frames"
	local G="the monitor took the frames and goes on"
	hv_net_boot hostile-net-no-nic 252 "$V net setup for NIC 1, but 1 attached" $N $H -- net-no-nic
	hv_net_boot hostile-net-slots 252 "$T slots must be a power of two from 1 to 256" $N $H -- net-slots
	hv_net_boot hostile-net-ring-outside 252 "$T a ring is outside guest memory" $N $H -- net-ring-outside
	hv_net_boot hostile-net-ring-monitor 252 "$T a ring lies over the monitor's own pages" $N $H -- net-ring-monitor
	hv_net_boot hostile-net-ring-overlap 252 "$T the rings overlap" $N $H -- net-ring-overlap
	hv_net_boot hostile-net-ring-moved 252 "$T the rings' addresses changed while the NIC runs" \
		$N $H -- net-ring-moved
	hv_net_boot hostile-net-tx-index 252 "$V NIC 0 (tap0): TX ring indices prod 1000, cons 0 with" $N $H -- net-tx-index
	hv_net_boot hostile-net-rx-index 252 "$V NIC 0 (tap0): RX ring indices prod" $N $H -- net-rx-index
	hv_net_boot hostile-net-tx-len 0 "$G|$S, dropped 2 bad length, 0 spoofed|!$V" $N $H -- net-tx-len
	hv_net_boot hostile-net-spoof 0 "$G|$S, dropped 0 bad length, 1 spoofed|!$V" $N $H -- net-spoof
	# How long both sides watch the rings: --net-spin, else 200 us with 4 CPUs or more, else none.
	hv_net_boot net-spin-auto 0 "$G|rings watched for $([ "$(nproc)" -ge 4 ] && echo 200 || echo 0) us" \
		$N $H -- net-tx-len
	hv_net_boot net-spin-given 0 "$G|rings watched for 50 us" --net-spin=50 $N $H -- net-tx-len
	if [ "$BE" = process ]; then
		# The guest loads a data selector into %fs (base 0): skiff-hv's own TLS must survive it.
		hv_boot hostile-fs 0 "hvhostile: %fs changed and the monitor still serves" $H -- fs
	else
		skip "hv/$BE/hostile-fs" "only the process backend shares its %fs with the guest"
	fi

	# SIGTERM and SIGINT end a running guest cleanly with 128 + the signal, sleeping or spinning.
	hv_signal_test TERM signal-TERM $CRASH -- sleep 30
	hv_signal_test INT signal-INT $CRASH -- sleep 30
	hv_signal_test TERM signal-TERM-spin $H -- spin

	# seccomp: a system call outside the allow-list kills the monitor (SIGSYS: 128 + 31).
	hv_boot seccomp-kills 159 "" --seccomp-selftest $HELLO
}

for be in $HV_BACKENDS; do
	hv_suite "$be"
done

# ---- what never starts a guest: every machine --------------------------------------------------

hv_once bad-kernel-option 250 "may not contain quotes or spaces" $HELLO "key='x"
hv_once blk-not-wanted 250 "does not use a block device" --disk="$disk" $HELLO
hv_once blk-missing-file 250 "--disk /nonexistent" --disk=/nonexistent build/blktest/blktest.kvm

# Malformed images: one line saying what is wrong, status 251.
bad="$TEST_LOGS/bad-images"
mkdir -p "$bad"
if tests/mkbad.py $HELLO "$bad" >"$bad/list" 2>"$bad/err"; then
	declare -A why=(
		[truncated]="file truncated" [empty]="not an ELF file" [not-elf]="not an ELF file"
		[class32]="ELF class 1 (32-bit)" [bigendian]="big endian" [machine]="machine 3 is not x86-64"
		[outside-memory]="beyond guest memory" [overlap]="overlaps segment" [huge-memsz]="beyond guest memory"
		[entry-outside]="entry point 0x5000000 is not in an executable segment"
		[filesz-past-end]="smaller than filesz" [abi-version]="built for skiff-hv ABI 99"
		[no-manifest]="no Skiff manifest note" [bad-trap-entry]="trap stubs at 0x12345"
		[vaddr-differs]="segment 0 is linked at 0xffffffff80000000 but loads at 0x100000"
		[unknown-device]="asks for devices 0x40 (unknown) that this skiff-hv cannot give (it has 0x1 (block), 0x2 (net))")
	while read -r n; do
		hv_once "image-$n" 251 "${why[$n]:-unexpected variant $n}" "$bad/$n.kvm"
		[ "$(wc -l <"$TEST_LOGS/hv-image-$n.log")" -le 1 ] || fail "hv/image-$n-one-line" "more than one line"
	done <"$bad/list"
else
	fail hv/mkbad "could not make the malformed images" "$bad/err"
fi

# The monitor's own command line.
hv_once usage-no-image 250 "no image given" --mem=8M
hv_once usage-bad-mem 250 "--mem: '12Q' is not a size" --mem=12Q $HELLO
hv_once usage-too-much-mem 250 "--mem: '8G' is not a size from 2M to 4G" --mem=8G $HELLO
hv_once usage-unknown-option 250 "unknown or incomplete option '--frobnicate'" --frobnicate $HELLO
hv_once usage-missing-image 250 "cannot read image /no/such.kvm" /no/such.kvm
hv_once usage-bad-gdb-port 250 "--gdb: '99999' is not a TCP port" --gdb=99999 $HELLO
hv_once help 0 "usage: skiff-hv" --help
hv_once version 0 "skiff-hv 0.1 (ABI 2; backends: kvm, process)" --version
hv_once usage-bad-backend 250 "--backend: 'xen' is not kvm, process or auto" --backend=xen $HELLO
if [ -z "$(hv_backend_skip kvm)" ]; then
	skip hv/usage-kvm-missing "this machine has /dev/kvm"
else
	hv_once usage-kvm-missing 254 "cannot open /dev/kvm" --backend=kvm $HELLO
fi
# --net: the command line, then the taps, each checked before any guest runs (250, one line).
hv_once usage-net-empty 250 "--net: needs a tap device's name" --net= $H
hv_once usage-net-mac-first 250 "--net-mac=02:00:00:00:00:01: give it after the --net it belongs to" \
	--net-mac=02:00:00:00:00:01 --net=tap0 $H
hv_once usage-net-mac-multicast 250 "--net-mac: '01:00:00:00:00:01' is not a unicast MAC address" \
	--net=tap0 --net-mac=01:00:00:00:00:01 $H
hv_once usage-net-mac-bad 250 "--net-mac: 'zz' is not a unicast MAC address" --net=tap0 --net-mac=zz $H
hv_once usage-net-spin-bad 250 "--net-spin: 'soon' is not a number of microseconds from 0 to 1000" --net-spin=soon $H
hv_once usage-net-spin-big 250 "--net-spin: '1001' is not a number of microseconds from 0 to 1000" --net-spin=1001 $H
hv_once usage-net-five 250 "--net=tap4: at most 4 NICs" --net=tap0 --net=tap1 --net=tap2 --net=tap3 --net=tap4 $H
hv_once usage-net-no-such-tap 250 "--net=nosuchtap0: no such interface" --net=nosuchtap0 $H
hv_net_once usage-net-not-tap 250 "--net=lo: not a tap device" --net=lo $H
hv_net_once usage-net-twice 250 "--net=tap0: given twice" --net=tap0 --net=tap0 $H
hv_net_once net-not-wanted 0 "does not use networking (its manifest asks for no NIC): --net ignored|$HELLO_OK" \
	--net=tap0 $HELLO
# A tap that another skiff-hv holds: a guest that spins holds tap0 while a second one asks for it.
if [ -n "$HV_NET_SKIP" ]; then
	skip hv/usage-net-in-use "$HV_NET_SKIP"
else
	holder="$TEST_LOGS/hv-net-in-use-holder.log"
	timeout -k 5 60 support/netns.sh exec $HV_NETNS "$HV" --net=tap0 $H -- spin >"$holder" 2>&1 </dev/null &
	holder_pid=$!
	for _ in $(seq 100); do
		grep -q "hvhostile: spin" "$holder" 2>/dev/null && break
		sleep 0.05
	done
	hv_net_once usage-net-in-use 250 "--net=tap0: the tap is in use by another program" --net=tap0 $H
	kill -TERM $holder_pid 2>/dev/null
	wait $holder_pid
fi
hv_net_cleanup
trap - EXIT INT TERM

# auto: KVM when /dev/kvm opens, else the process backend, saying so unless --quiet.
if [ -z "$(hv_backend_skip kvm)" ]; then
	hv_once auto-kvm 0 "Hello from Skiff|!sandboxed process" $HELLO
else
	hv_once auto-process 0 "running the guest as a sandboxed process|Hello from Skiff" $HELLO
	hv_once auto-process-quiet 0 "!sandboxed process" --quiet $HELLO
fi

# Fuzzers, bounded (make fuzz runs them longer).
if ! command -v clang >/dev/null; then
	skip hv/fuzz "clang is not installed"
elif ! make -s fuzz-build >"$TEST_LOGS/fuzz-build.log" 2>&1; then
	fail hv/fuzz-build "fuzzers do not build" "$TEST_LOGS/fuzz-build.log"
else
	# The ELF fuzzer starts from a good image and every malformed one (a second, read-only dir).
	rm -rf "$TEST_LOGS/fuzz_elf.seeds" "$TEST_LOGS"/fuzz_*.corpus
	support/fuzz-seeds.sh $HELLO "$TEST_LOGS/fuzz_elf.seeds" || fail hv/fuzz-seeds "cannot write the seeds"
	mkdir -p "$TEST_LOGS"/fuzz_{elf,calls,net}.corpus "$TEST_LOGS"/fuzz_{calls,net}.seeds
	# The ring fuzzer starts from a NIC that passes setup, with a good, a spoofed, a too long and a
	# too short TX frame (its input: hv/fuzz/fuzz_net.c's struct net_input, then the slots).
	python3 - "$TEST_LOGS/fuzz_net.seeds/rings" <<'EOF' || fail hv/fuzz-seeds "cannot write the ring seed"
import struct, sys
mac = bytes([2, 0x53, 0x4b, 0, 0, 1])
setup = struct.pack("<IIQQQ", 0, 4, 0x100000, 0x100100, 0x102100)
head = setup + setup + struct.pack("<IIII", 4, 0, 2, 0) + mac + bytes([0x0c, 0])
def slot(n, src):
    return struct.pack("<II", n, 0) + (b"\xff" * 6 + src + b"\x88\xb5").ljust(2040, b"\0")
frames = slot(60, mac) + slot(60, bytes([2, 0, 0, 0, 0, 9])) + slot(5000, mac) + slot(3, mac)
open(sys.argv[1], "wb").write(head + frames)
EOF
	for f in fuzz_elf fuzz_calls fuzz_net; do
		if build/fuzz/$f -max_total_time=5 -max_len=65536 "$TEST_LOGS/$f.corpus" "$TEST_LOGS/$f.seeds" \
			>"$TEST_LOGS/$f.log" 2>&1; then
			pass "hv/$f"
		else
			fail "hv/$f" "the fuzzer found a crash" "$TEST_LOGS/$f.log"
		fi
	done
fi

# The gdb stub against the real gdb (its own file: it is long).
. tests/hv-gdb.sh
