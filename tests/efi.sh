# SPDX-License-Identifier: MIT
# UEFI: <app>.efi under OVMF (QEMU TCG, -M q35 and -M pc), booted from a disk image made by
# make image and from a directory ESP (support/qemu-run.sh --efi-disk / --efi / --esp), checked by
# console output and exit status: hello, the crash report, libc-test with its initrd, blktest on a
# virtio-blk disk, httpd answering curl in a network namespace, and the bad cases (no cmdline
# file, a command line too long, a missing initrd, too little memory). OVMF takes about 4 s of
# TCG per boot here, so each case is one boot and the suite stays at about 20 boots.

efi_build() { # APP [MAKE-ARGS...]: the app's .efi (and initrd), or its disk image with "image"
	local app=$1 log="$TEST_LOGS/efi-build-${1##*/}.log"
	shift
	local targets=(build/${app##*/}/${app##*/}.efi)
	[ $# -gt 0 ] && targets=("$@")
	[ -d "$app/rootfs" ] && [ $# -eq 0 ] && targets+=(build/${app##*/}/${app##*/}.initrd)
	if ! make -s APP="$app" "${targets[@]}" >"$log" 2>&1; then
		fail "efi/build-${app##*/}" "does not build" "$log"
		return 1
	fi
}

# efi_boot NAME EXPECTED-STATUS "PATTERN|!ABSENT..." QEMU-RUN-ARGS...
efi_boot() {
	local name=$1 want=$2 patterns=$3 log="$TEST_LOGS/efi-$1.log"
	shift 3
	support/qemu-run.sh --timeout 90 "$@" >"$log" 2>&1
	check_run "efi/$name" "$log" "$want" $? "$patterns"
}

EFI_HELLO="Skiff on kvm-efi|Hello from Skiff|slept |token passed 1000 times"

# ---- hello: disk image and directory ESP, on both machines; the command line's two sources -----
if efi_build apps/hello && efi_build apps/hello image CMDLINE="-- from disk"; then
	# q35 with 3 GiB: RAM above 1 GiB (the firmware's stack lies above what the image's boot
	# tables map) and above 4 GiB (q35 puts 2 GiB below the PCI hole); q35 from the ESP without
	# isa-debug-exit: the kernel powers off through ACPI S5 (OVMF's FADT), QEMU exits 0.
	efi_boot hello-disk-q35 0 "$EFI_HELLO|argv[1] = \"from\"|argv[2] = \"disk\"" \
		--machine q35 --mem 3G --efi-disk build/hello/hello.img
	efi_boot hello-disk-pc 0 "$EFI_HELLO|argv[1] = \"from\"|argv[2] = \"disk\"" \
		--machine pc --efi-disk build/hello/hello.img
	efi_boot hello-esp-q35-acpi-off 0 "$EFI_HELLO|argv[1] = \"one\"|argv[2] = \"two words\"" \
		--machine q35 --no-debug-exit --efi build/hello/hello.efi -- one "two words"
	efi_boot hello-esp-pc 0 "$EFI_HELLO|argv[1] = \"one\"|argv[2] = \"two words\"" \
		--machine pc --efi build/hello/hello.efi -- one "two words"
	# An ESP without the command-line file boots with the defaults: no options, no arguments.
	disk=$TEST_LOGS/efi-nocmdline.img
	if support/efi-image.sh --no-cmdline build/hello/hello.efi "$disk" >"$TEST_LOGS/efi-nocmdline.mk" 2>&1; then
		efi_boot no-cmdline-file 0 "$EFI_HELLO|argv[0] = \"hello\"|!argv[1]" --machine q35 --efi-disk "$disk"
	else
		fail efi/no-cmdline-file "support/efi-image.sh --no-cmdline failed" "$TEST_LOGS/efi-nocmdline.mk"
	fi
	rm -f "$disk"
	# Load options win over the cmdline file: OVMF's UEFI shell runs startup.nsh (after its 5 s
	# countdown) when no BOOTX64.EFI is there, and passes the command as the load options, the
	# program's own path first.
	esp=$TEST_LOGS/efi-shell-esp
	rm -rf "$esp" && mkdir -p "$esp"
	cp build/hello/hello.efi "$esp/hello.efi"
	echo "-- from file" >"$esp/cmdline"
	printf 'fs0:\r\n\\hello.efi loglevel=6 -- from shell\r\n' >"$esp/startup.nsh"
	efi_boot load-options-shell 0 "$EFI_HELLO|argv[1] = \"from\"|argv[2] = \"shell\"|!unknown or malformed" \
		--machine q35 --esp "$esp"
	rm -rf "$esp"
	# make image FORMAT=qcow2 holds the same disk as the raw image that booted above (a boot would
	# add 4 s and test QEMU's qcow2 driver, not ours).
	if make -s APP=apps/hello image FORMAT=qcow2 CMDLINE="-- from disk" >"$TEST_LOGS/efi-qcow2.mk" 2>&1 &&
		qemu-img compare -f raw -F qcow2 build/hello/hello.img build/hello/hello.qcow2 >>"$TEST_LOGS/efi-qcow2.mk" 2>&1; then
		pass efi/hello-qcow2
	else
		fail efi/hello-qcow2 "make image FORMAT=qcow2 failed or differs from the raw image" "$TEST_LOGS/efi-qcow2.mk"
	fi

	# Bad cases: each is a clear message and status 126 (the runner's own refusal: 125).
	long="env.LONG=$(head -c 5000 /dev/zero | tr '\0' x)"
	efi_boot cmdline-too-long 126 "skiff-efi: the command line (\\EFI\\BOOT\\cmdline) is 5012 bytes long; at most 4095 fit|!Hello from Skiff" \
		--machine q35 --efi --opts "$long" build/hello/hello.efi
	efi_boot initrd-missing 126 "skiff-efi: the initrd \\EFI\\BOOT\\nope is not on the volume|!Hello from Skiff" \
		--machine pc --efi --opts "initrd=nope" build/hello/hello.efi
	# 48 MiB: OVMF still boots, but keeps the low memory the image is linked for.
	efi_boot low-memory 126 "skiff-efi: cannot have memory at 0x100000|too little memory|!Hello from Skiff" \
		--machine q35 --mem 48M --efi-disk build/hello/hello.img
	efi_boot runner-low-memory 125 "too little for the UEFI firmware (OVMF) itself; give at least 48M" \
		--mem 32M --efi build/hello/hello.efi
	efi_boot runner-not-efi 125 "is not an EFI application" --efi build/hello/hello.kvm
	efi_boot runner-microvm 125 "--efi needs -M pc or q35" --machine microvm --efi build/hello/hello.efi
fi

# ---- crash: the report on the serial console, status 127 ----------------------------------------
CRASH_OK="Skiff on kvm-efi|CRASH: page fault (#PF)|a NULL pointer|Backtrace:|<crash_null+|Halting with status 127."
if efi_build apps/crash && efi_build apps/crash image; then
	efi_boot crash-disk-q35 127 "$CRASH_OK" --machine q35 --efi-disk build/crash/crash.img
	efi_boot crash-esp-pc 127 "$CRASH_OK" --machine pc --efi build/crash/crash.efi
fi

# ---- libc-test with its initrd: beside the stub (disk image), and named by initrd= (an ESP of ours)
LIBC_OK="Skiff on kvm-efi|libc-test: atexit handler ran|!FAIL"
if efi_build apps/libc-test && efi_build apps/libc-test image CMDLINE="env.SKIFF_TEST=yes env.SKIFF_TERMINAL=yes"; then
	efi_boot libc-disk-q35 0 "$LIBC_OK" --machine q35 --efi-disk build/libc-test/libc-test.img
	esp=$TEST_LOGS/efi-libc-esp
	rm -rf "$esp" && mkdir -p "$esp/EFI/BOOT" "$esp/skiff"
	cp build/libc-test/libc-test.efi "$esp/EFI/BOOT/BOOTX64.EFI"
	cp build/libc-test/libc-test.initrd "$esp/skiff/rootfs.cpio"
	echo "initrd=/skiff/rootfs.cpio env.SKIFF_TEST=yes env.SKIFF_TERMINAL=yes" >"$esp/EFI/BOOT/cmdline"
	efi_boot libc-esp-pc 0 "$LIBC_OK|!unknown or malformed boot option" --machine pc --esp "$esp"
	rm -rf "$esp"
fi

# ---- blktest on a virtio-blk disk beside the boot disk: written and checked from the host; the
# boot disk itself on virtio-blk too (as cloud hosts attach it), which the image must leave alone;
# a read-only disk.
if efi_build apps/blktest && efi_build apps/blktest image; then
	disk=$TEST_LOGS/efi-disk.img
	rm -f "$disk"; truncate -s 1M "$disk"; printf 'SKIFFDISK for blktest\n' | dd of="$disk" conv=notrunc 2>/dev/null
	efi_boot blk-rw-q35 0 "the disk the firmware booted from, left alone|virtio-blk (PCI): 2048 sectors|sector 0 says \"SKIFFDISK for blktest\"|16 x 4096 bytes written and read back in two batches" \
		--machine q35 --efi-virtio --efi-disk build/blktest/blktest.img --disk "$disk"
	blktest_disk_ok "$disk" && pass efi/blk-host-check ||
		fail efi/blk-host-check "the disk file does not hold what the guest wrote"
	cp "$disk" "$disk.before"
	efi_boot blk-ro-pc 0 "read-only|write to a read-only disk: EROFS" --machine pc --disk "$disk" --ro \
		--efi build/blktest/blktest.efi -- ro
	cmp -s "$disk" "$disk.before" && pass efi/blk-ro-unchanged || fail efi/blk-ro-unchanged "a read-only disk changed"
	efi_boot blk-boot-disk-only-pc 0 "the disk the firmware booted from, left alone|no disk: ENODEV" \
		--machine pc --efi-virtio --efi build/blktest/blktest.efi -- nodisk
	rm -f "$disk" "$disk.before"
fi

# ---- httpd from its disk image, answering curl inside a network namespace ----------------------
EFI_NS=efins
efi_net_cleanup() { netns_destroy "$EFI_NS"; }
if efi_build apps/httpd && efi_build apps/httpd image CMDLINE="net.ip=10.0.0.2/24 net.gw=10.0.0.1"; then
	why=$(netns_skip "$EFI_NS")
	if [ -n "$why" ]; then
		skip efi/httpd-disk-q35 "$why"
	else
		trap efi_net_cleanup EXIT INT TERM
		log=$TEST_LOGS/efi-httpd.log out=$TEST_LOGS/efi-httpd.out
		support/netns.sh create "$EFI_NS" 1
		support/netns.sh exec "$EFI_NS" support/qemu-run.sh --timeout 120 --machine q35 --nic tap=tap0 \
			--efi-disk build/httpd/httpd.img >"$log" 2>&1 &
		up=0
		for _ in $(seq 600); do
			grep -q "httpd: serving" "$log" 2>/dev/null && { up=1; break; }
			kill -0 $! 2>/dev/null || break
			sleep 0.1
		done
		if [ $up = 0 ]; then
			fail efi/httpd-disk-q35 "httpd did not come up" "$log"
		elif timeout -k 5 60 support/netns.sh exec "$EFI_NS" curl -s -m 30 http://10.0.0.2/ >"$out" 2>&1 &&
			grep -q "Welcome to Skiff httpd" "$out"; then
			pass efi/httpd-disk-q35
		else
			fail efi/httpd-disk-q35 "curl did not get the page" "$out"
		fi
		efi_net_cleanup
		wait 2>/dev/null
		trap - EXIT INT TERM
	fi
fi
