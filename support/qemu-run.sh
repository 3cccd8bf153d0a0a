#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Boots a plat/kvm image in QEMU (direct kernel boot, PVH), or an <app>.efi or a disk image
# under UEFI firmware (OVMF), and exits with the image's status.
#
# Usage: support/qemu-run.sh [options] IMAGE [-- ARG...]
#        support/qemu-run.sh --efi [options] APP.efi [-- ARG...]
#        support/qemu-run.sh --efi-disk DISK [options]      (or --esp DIR)
#   --machine pc|q35|microvm   machine type (default microvm; pc under --efi)
#   --accel tcg|kvm        accelerator (default tcg: /dev/kvm on these machines is PVM, see README)
#   --cpu MODEL            QEMU -cpu model (default: QEMU's own, qemu64 under TCG)
#   --mem SIZE             guest RAM, QEMU -m syntax (default 64M; 128M under --efi)
#   --timeout SECONDS      hard limit for the whole run (default 60; 0: none)
#   --initrd FILE          pass FILE as the initrd
#   --opts "K=V ..."       kernel options, placed before "--" on the command line
#   --no-debug-exit        leave out isa-debug-exit (the image powers off through ACPI instead)
#   --debugcon             also route port 0xe9 to stdout
#   --nic SPEC             a virtio-net NIC (repeatable: the first is NIC 0), SPEC one of
#                            tap=IFNAME[,mac=MAC]   an existing tap device (ip tuntap add ... mode tap)
#                            user[,mac=MAC][,hostfwd=tcp::HOSTPORT-:GUESTPORT]   QEMU's user networking
#                          virtio-net-pci on pc, virtio-net-device (virtio-mmio) on microvm
#   --disk FILE            a raw disk image as a virtio-blk device (virtio-blk-pci on pc,
#                          virtio-blk-device on microvm), written in place
#   --ro                   the --disk is read-only (the guest sees VIRTIO_BLK_F_RO)
# UEFI (OVMF from Debian's ovmf: OVMF_CODE_4M.fd read-only, a fresh copy of OVMF_VARS_4M.fd for
# each run; -M pc or q35, not microvm; the firmware's own messages share the serial console):
#   --efi                  IMAGE is an <app>.efi: it boots from a directory ESP made for this run
#                          (\EFI\BOOT\BOOTX64.EFI, a cmdline file of --opts and the arguments,
#                          the --initrd as \EFI\BOOT\initrd), seen by the firmware as a FAT disk
#                          (QEMU's -drive fat:rw:DIR, on IDE/AHCI, not virtio)
#   --no-cmdline           under --efi, leave the cmdline file out (no --opts or arguments then)
#   --esp DIR              boot DIR as the ESP, as it is (implies --efi; no IMAGE)
#   --efi-disk DISK        boot a disk image from make image, raw or .qcow2, on IDE/AHCI
#                          (implies --efi; no IMAGE; the file is not changed: QEMU's snapshot)
#   --efi-virtio           the boot disk (--efi, --esp or --efi-disk) on virtio-blk-pci, as
#                          cloud hosts attach it; the image leaves that disk alone (a --disk
#                          is still its disk)
# The app's arguments after "--" are quoted for the kernel's command-line parser.
#
# Exit status: the image's status (0-127; QEMU's isa-debug-exit carries 7 bits), 124 when the
# timeout ends the run, 125 when QEMU itself fails. Without isa-debug-exit a clean power-off is 0.
# Under UEFI the same holds: the kernel writes isa-debug-exit, then powers off through ACPI; the
# stub's own failures (before the kernel runs) are status 126, as the kernel's boot errors.
set -euo pipefail

cpu="" machine="" accel=tcg mem="" timeout_s=60 initrd="" opts="" debug_exit=1 debugcon=0
nics=() disk="" disk_ro=0 efi=0 esp_dir="" efi_disk="" efi_cmdline=1 opts_given=0 efi_virtio=0
die() { echo "qemu-run: $*" >&2; exit 125; }
need_arg() { [ $# -ge 2 ] || die "option $1 needs a value"; }

while [ $# -gt 0 ]; do
	case "$1" in
	--machine) need_arg "$@"; machine=$2; shift 2 ;;
	--accel) need_arg "$@"; accel=$2; shift 2 ;;
	--cpu) need_arg "$@"; cpu=$2; shift 2 ;;
	--mem) need_arg "$@"; mem=$2; shift 2 ;;
	--timeout) need_arg "$@"; timeout_s=$2; shift 2 ;;
	--initrd) need_arg "$@"; initrd=$2; shift 2 ;;
	--opts) need_arg "$@"; opts=$2; opts_given=1; shift 2 ;;
	--no-debug-exit) debug_exit=0; shift ;;
	--debugcon) debugcon=1; shift ;;
	--nic) need_arg "$@"; nics+=("$2"); shift 2 ;;
	--disk) need_arg "$@"; disk=$2; shift 2 ;;
	--ro) disk_ro=1; shift ;;
	--efi) efi=1; shift ;;
	--no-cmdline) efi_cmdline=0; shift ;;
	--esp) need_arg "$@"; efi=1; esp_dir=$2; shift 2 ;;
	--efi-disk) need_arg "$@"; efi=1; efi_disk=$2; shift 2 ;;
	--efi-virtio) efi_virtio=1; shift ;;
	-h|--help) awk 'NR > 2 && /^#/ { sub(/^# ?/, ""); print; next } NR > 2 { exit }' "$0"; exit 0 ;;
	--) die "no image given before --" ;;
	-*) die "unknown option '$1' (see --help)" ;;
	*) break ;;
	esac
done
if [ -n "$esp_dir" ] || [ -n "$efi_disk" ]; then
	[ -z "$esp_dir" ] || [ -z "$efi_disk" ] || die "--esp and --efi-disk exclude each other"
	image=""
	if [ $# -gt 0 ] && [ "$1" != "--" ]; then die "--esp and --efi-disk boot what they name: no IMAGE"; fi
	[ $# -eq 0 ] && [ "$opts_given" = 0 ] && [ -z "$initrd" ] ||
		die "--esp and --efi-disk boot the command line and initrd they hold: no --opts, --initrd or arguments"
	[ -z "$esp_dir" ] || [ -d "$esp_dir" ] || die "ESP directory '$esp_dir' not found"
	[ -z "$efi_disk" ] || [ -f "$efi_disk" ] || die "disk image '$efi_disk' not found"
else
	[ $# -ge 1 ] || die "no image given (see --help)"
	image=$1; shift
	[ -f "$image" ] || die "image '$image' not found"
fi
if [ "$efi" = 1 ]; then
	machine=${machine:-pc} mem=${mem:-128M}
else
	machine=${machine:-microvm} mem=${mem:-64M}
	[ "$efi_cmdline" = 1 ] || die "--no-cmdline is for --efi"
	[ "$efi_virtio" = 0 ] || die "--efi-virtio is for --efi"
fi
case "$machine" in pc|q35|microvm) ;; *) die "unknown machine '$machine' (pc, q35 or microvm)" ;; esac
[ "$efi" = 0 ] || [ "$machine" != microvm ] || die "--efi needs -M pc or q35 (Debian's OVMF does not run on microvm)"
case "$accel" in tcg|kvm) ;; *) die "unknown accelerator '$accel' (tcg or kvm)" ;; esac
[[ "$timeout_s" =~ ^[0-9]+$ ]] || die "bad timeout '$timeout_s'"
if [ -n "$disk" ]; then
	[ -f "$disk" ] || die "disk '$disk' not found"
	[ "$disk_ro" = 1 ] || [ -w "$disk" ] || die "disk '$disk' is not writable (use --ro)"
elif [ "$disk_ro" = 1 ]; then
	die "--ro needs a --disk"
fi
if [ $# -gt 0 ]; then
	[ "$1" = "--" ] || die "unexpected argument '$1' (app arguments go after --)"
	shift
fi

# QEMU's -m: a number with an optional K/M/G suffix, megabytes without one.
mem_bytes() {
	local v=$1 n unit
	[[ "$v" =~ ^([0-9]+)([KkMmGg]?)[Bb]?$ ]] || die "bad memory size '$v' (e.g. 64M, 2048K, 1G)"
	n=${BASH_REMATCH[1]} unit=${BASH_REMATCH[2]:-M}
	case "$unit" in K|k) echo $((n << 10)) ;; M|m) echo $((n << 20)) ;; G|g) echo $((n << 30)) ;; esac
}

# The image loads at its physical addresses: RAM that ends below its last segment cannot even
# hold it, and the guest would run garbage. Say so here; the kernel reports the subtler cases.
check_image_fits() {
	local image_end=0 type paddr memsz
	while read -r type _ _ paddr _ memsz _; do
		[ "$type" = LOAD ] && [ $((paddr + memsz)) -gt "$image_end" ] && image_end=$((paddr + memsz))
	done < <(readelf -lW "$image" 2>/dev/null)
	[ "$image_end" -gt 0 ] || die "'$image' is not an ELF image with loadable segments"
	if [ "$(mem_bytes "$mem")" -le "$image_end" ]; then
		die "--mem $mem cannot hold $image: it loads up to $((image_end >> 10)) KiB; give at least $(( (image_end >> 20) + 1 ))M"
	fi
}
# OVMF itself needs memory: below about 48 MiB (QEMU 7.2, Debian 12's OVMF) it finds no boot
# device and waits in its boot menu, or crashes; that is not the image's failure to report.
EFI_MIN_MIB=48
if [ "$efi" = 1 ]; then
	[ -z "$image" ] || [ "$(head -c 2 "$image")" = MZ ] || die "'$image' is not an EFI application (PE/COFF)"
	[ "$(mem_bytes "$mem")" -ge $((EFI_MIN_MIB << 20)) ] ||
		die "--mem $mem is too little for the UEFI firmware (OVMF) itself; give at least ${EFI_MIN_MIB}M"
	[ "$efi_cmdline" = 1 ] || { [ $# -eq 0 ] && [ "$opts_given" = 0 ]; } ||
		die "--no-cmdline leaves no place for --opts or arguments"
else
	check_image_fits
fi

# Quote each app argument in single quotes; a ' inside becomes '\''.
cmdline="$opts --"
for a in "$@"; do
	cmdline+=" '${a//\'/\'\\\'\'}'"
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
errlog=$tmp/qemu.err
args=(-M "$machine" -accel "$accel" -m "$mem" -display none -monitor none -serial stdio
      -no-reboot -nodefaults)
if [ "$efi" = 0 ]; then
	args+=(-kernel "$image" -append "$cmdline")
	[ -n "$initrd" ] && args+=(-initrd "$initrd")
else
	code=${OVMF_CODE:-/usr/share/OVMF/OVMF_CODE_4M.fd} vars=${OVMF_VARS:-/usr/share/OVMF/OVMF_VARS_4M.fd}
	[ -f "$code" ] && [ -f "$vars" ] || die "OVMF not found ($code, $vars): run support/deps.sh test"
	cp "$vars" "$tmp/vars.fd"
	args+=(-drive "if=pflash,format=raw,unit=0,readonly=on,file=$code"
	       -drive "if=pflash,format=raw,unit=1,file=$tmp/vars.fd")
	if [ -n "$image" ]; then
		# A directory ESP for this run: the stub, its command line and the initrd.
		esp_dir=$tmp/esp
		mkdir -p "$esp_dir/EFI/BOOT"
		cp "$image" "$esp_dir/EFI/BOOT/BOOTX64.EFI"
		[ "$efi_cmdline" = 0 ] || printf '%s\n' "$cmdline" >"$esp_dir/EFI/BOOT/cmdline"
		[ -z "$initrd" ] || cp "$initrd" "$esp_dir/EFI/BOOT/initrd"
	fi
	if [ -n "$esp_dir" ]; then
		# vvfat: read-only would do, but IDE and AHCI cannot attach a read-only drive.
		args+=(-drive "if=none,id=esp,file=fat:rw:$esp_dir,format=raw")
	else
		fmt=raw; [ "${efi_disk##*.}" = qcow2 ] && fmt=qcow2
		args+=(-drive "if=none,id=esp,file=$efi_disk,format=$fmt,snapshot=on")
	fi
	# The boot disk first (QEMU's boot order reaches OVMF through fw_cfg), so the firmware does
	# not try a --disk without an ESP before it.
	if [ "$efi_virtio" = 1 ]; then
		args+=(-device "virtio-blk-pci,drive=esp,bootindex=0")
	else
		args+=(-device "ide-hd,drive=esp,bootindex=0")
	fi
fi
# auto-kernel-cmdline=off: with it, QEMU appends virtio_mmio.device= options after the app's
# arguments; the image finds its virtio-mmio devices in the ACPI tables instead.
[ "$machine" = microvm ] && args[1]="microvm,isa-serial=on,auto-kernel-cmdline=off"
[ "$debug_exit" = 1 ] && args+=(-device isa-debug-exit,iobase=0xf4,iosize=0x04)
[ "$debugcon" = 1 ] && args+=(-debugcon file:/dev/stdout)
[ -n "$cpu" ] && args+=(-cpu "$cpu")

# NICs: a netdev each, and its virtio-net device on the machine's bus.
nic_args() {
	local i=$1 spec=$2 kind rest mac="" netdev dev
	kind=${spec%%,*}
	rest=""; [ "$kind" != "$spec" ] && rest=${spec#*,}
	if [[ "$rest" =~ (^|,)mac=([0-9a-fA-F:]{17})(,|$) ]]; then
		mac=${BASH_REMATCH[2]}
		rest=$(echo "$rest" | sed -E 's/(^|,)mac=[0-9a-fA-F:]{17}//; s/^,//')
	fi
	case "$kind" in
	tap=*) netdev="tap,id=n$i,ifname=${kind#tap=},script=no,downscript=no" ;;
	user) netdev="user,id=n$i${rest:+,$rest}"; rest="" ;;
	*) die "--nic: '$spec' is not tap=IFNAME[,mac=MAC] or user[,...]" ;;
	esac
	[ -z "$rest" ] || die "--nic: unknown part '$rest' of '$spec'"
	dev=$([ "$machine" = microvm ] && echo virtio-net-device || echo virtio-net-pci)
	# Under UEFI no iPXE option ROM: OVMF has its own virtio-net driver, and nothing boots from it.
	[ "$efi" = 0 ] || dev+=",romfile="
	args+=(-netdev "$netdev" -device "$dev,netdev=n$i${mac:+,mac=$mac}")
}
for i in "${!nics[@]}"; do
	nic_args "$i" "${nics[$i]}"
done
if [ -n "$disk" ]; then
	ro=""; [ "$disk_ro" = 1 ] && ro=",readonly=on"
	dev=virtio-blk-pci; [ "$machine" = microvm ] && dev=virtio-blk-device
	args+=(-drive "file=$disk,format=raw,if=none,id=d0$ro" -device "$dev,drive=d0")
fi
# microvm's virtio-mmio devices speak virtio 1.0 (version 2) only when asked; Skiff needs that.
[ "$machine" = microvm ] && { [ ${#nics[@]} -gt 0 ] || [ -n "$disk" ]; } && args+=(-global virtio-mmio.force-legacy=false)

set +e
# QEMU runs under timeout, which puts itself in a process group of its own: a signal that ends
# this script is passed on to it (timeout hands it to QEMU), so QEMU never outlives the script.
timeout -k 5 "$timeout_s" qemu-system-x86_64 "${args[@]}" </dev/null 2>"$errlog" &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid"; exit 143' TERM INT HUP
if [ "$accel" = kvm ]; then
	# On a KVM internal error QEMU pauses the guest instead of exiting: watch for it.
	while kill -0 "$pid" 2>/dev/null; do
		if grep -q "KVM internal error" "$errlog"; then
			kill "$pid" 2>/dev/null
			break
		fi
		sleep 0.05
	done
fi
wait "$pid"
rc=$?
set -e
if grep -q "KVM internal error" "$errlog"; then
	echo "qemu-run: KVM could not run the guest: $(grep -m1 -iE 'emulation failure|Suberror' "$errlog")" >&2
	exit 125
fi
if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
	echo "qemu-run: timed out after ${timeout_s}s" >&2
	exit 124
fi
# QEMU's own failures (bad option, missing file) exit 1, which is also what a guest status of 0
# gives; they differ in an error line on stderr ("qemu-system-x86_64: ...", not a warning).
if grep -q . "$errlog"; then
	if [ $rc -eq 1 ] && grep -v ': warning: ' "$errlog" | grep -q '^qemu-system-x86_64: '; then
		echo "qemu-run: QEMU failed: $(head -c 500 "$errlog" | tr '\n' ' ')" >&2
		exit 125
	fi
	cat "$errlog" >&2
fi
if [ "$debug_exit" = 1 ]; then
	if [ $((rc & 1)) -eq 1 ]; then
		exit $((rc >> 1))
	fi
	echo "qemu-run: the image stopped without reporting a status (reset or triple fault?)" >&2
	exit 125
fi
exit $rc
