# SPDX-License-Identifier: MIT
# Boot tests: real images in real QEMU (TCG; KVM where it can run them), checked by their console
# output and exit status. Every run has a hard timeout (support/qemu-run.sh --timeout).

build_app() { # APP -> builds build/<name>/<name>.kvm
	local log="$TEST_LOGS/build-${1##*/}.log"
	if ! make -s APP="$1" >"$log" 2>&1; then
		fail "build/${1##*/}" "does not build" "$log"
		return 1
	fi
}

# boot NAME EXPECTED-STATUS "PATTERN|PATTERN..." QEMU-RUN-ARGS...
# Passes when the run exits with EXPECTED-STATUS and its output (stdout and stderr) holds every
# pattern. A pattern starting with '!' must NOT appear.
boot() {
	local name=$1 want=$2 patterns=$3 log="$TEST_LOGS/boot-$1.log"
	shift 3
	support/qemu-run.sh --timeout 60 "$@" >"$log" 2>&1
	check_run "boot/$name" "$log" "$want" $? "$patterns"
}

HELLO_OK="Hello from Skiff|argv[0] = \"hello\"|slept |token passed 1000 times"

if build_app apps/hello; then
	img=build/hello/hello.kvm
	boot hello-microvm 0 "$HELLO_OK" --machine microvm $img
	boot hello-pc 0 "$HELLO_OK" --machine pc $img
	boot hello-args 0 "argv[1] = \"one\"|argv[2] = \"two words\"|argv[3] = \"it's\"|argv[4] = \"\"" \
		$img -- one "two words" "it's" ""
	# Without isa-debug-exit the image powers off through ACPI S5 (or resets): QEMU exits 0.
	boot hello-acpi-off-pc 0 "$HELLO_OK" --machine pc --no-debug-exit $img
	boot hello-acpi-off-microvm 0 "$HELLO_OK" --machine microvm --no-debug-exit $img
	boot hello-debugcon 0 "$HELLO_OK" --debugcon $img
	boot hello-cpu-max 0 "$HELLO_OK|timer: LAPIC" --cpu max $img
	# Memory that holds the image but leaves the kernel too little to start: a clear error.
	boot low-memory 126 "not enough memory|give the machine more memory" --mem $(( $(image_end_kib $img) + 40 ))K $img
	boot memory-cannot-hold-image 125 "cannot hold" --mem 1M $img
	boot bad-cmdline 126 "bad command line at byte" --opts "key='unterminated" $img
	boot unknown-option 0 "unknown or malformed boot option 'frobnicate=1'|Hello from Skiff" \
		--opts "frobnicate=1" $img
	boot loglevel-quiet 0 "Hello from Skiff|!Skiff on kvm-qemu" --opts "loglevel=3" $img
	boot runner-bad-option 125 "unknown option '--frob'" --frob $img
	boot runner-not-elf 125 "not an ELF image" tests/lib.sh

	# KVM: /dev/kvm served by PVM runs CPL-0 guest code in an instruction emulator that lacks
	# SSE instructions (DESIGN.md section 5); such a host cannot run this path at all.
	if [ ! -e /dev/kvm ]; then
		skip boot/hello-kvm "no /dev/kvm on this machine"
	elif [ -d /sys/module/kvm_pvm ]; then
		skip boot/hello-kvm "/dev/kvm is PVM (software nested KVM): CPL-0 guests run in KVM's emulator, which cannot run stmxcsr/ldmxcsr"
	else
		boot hello-kvm 0 "$HELLO_OK" --accel kvm --machine microvm $img
	fi
fi

# virtio-blk (PCI on pc, MMIO on microvm): blktest's batched writes checked from the host, a
# read-only disk refusing writes and left unchanged, no disk, a request past the end.
if build_app apps/blktest; then
	img=build/blktest/blktest.kvm disk="$TEST_LOGS/qemu-disk.img"
	for m in pc microvm; do
		rm -f "$disk"; truncate -s 1M "$disk"; printf 'SKIFFDISK for blktest\n' | dd of="$disk" conv=notrunc 2>/dev/null
		boot blk-rw-$m 0 "virtio-blk ($([ $m = pc ] && echo PCI || echo MMIO)): 2048 sectors|sector 0 says \"SKIFFDISK for blktest\"|16 x 4096 bytes written and read back in two batches" \
			--machine $m --disk "$disk" $img
		blktest_disk_ok "$disk" && pass "boot/blk-host-check-$m" ||
			fail "boot/blk-host-check-$m" "the disk file does not hold what the guest wrote"
		cp "$disk" "$disk.before"
		boot blk-ro-$m 0 "read-only|write to a read-only disk: EROFS" --machine $m --disk "$disk" --ro $img -- ro
		cmp -s "$disk" "$disk.before" && pass "boot/blk-ro-unchanged-$m" ||
			fail "boot/blk-ro-unchanged-$m" "a read-only disk changed"
		boot blk-range-$m 0 "read past the end: EINVAL" --machine $m --disk "$disk" $img -- range
	done
	boot blk-none 0 "no disk: ENODEV" $img -- nodisk
	boot blk-runner-missing-disk 125 "disk '/nonexistent' not found" --disk /nonexistent $img
	boot blk-runner-ro-alone 125 "--ro needs a --disk" --ro $img
	rm -f "$disk" "$disk.before"
fi

if build_app apps/crash; then
	img=build/crash/crash.kvm
	CRASH="Backtrace:|<main+|Halting with status 127"
	boot crash-null 127 "CRASH: page fault (#PF)|a NULL pointer|<crash_null+|Backtrace:" $img -- null
	boot crash-ud 127 "CRASH: invalid opcode (#UD)|$CRASH|Registers:" $img -- ud
	boot crash-div 127 "CRASH: divide error (#DE)|<crash_div+|$CRASH" $img -- div
	boot crash-exec 127 "CRASH: page fault (#PF)|instruction fetch from a protected page|Backtrace:" $img -- exec
	boot crash-rodata 127 "CRASH: page fault (#PF)|write to a protected page|$CRASH" $img -- rodata
	boot crash-panic 127 "PANIC: crash app asked for a panic|rbx |$CRASH" $img -- panic
	boot crash-bug 127 "PANIC: BUG at apps/crash/main.c|$CRASH" $img -- bug
	boot crash-stack 127 "STACK OVERFLOW: thread 2 \"overflow\"|the same frame|<overflow+" $img -- stack
	boot crash-stack-main 127 "STACK OVERFLOW: thread 1 \"main\" ran past the end of its 64 KiB|<main+" \
		$img -- stack-main
	boot crash-deadlock 127 "PANIC: deadlock: all 1 threads are blocked" $img -- deadlock
	boot crash-pc 127 "CRASH: page fault (#PF)|a NULL pointer" --machine pc $img -- null
	boot exit-status 42 "crash: exit" $img -- exit 42
fi
