#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Makes a bootable UEFI disk image from an <app>.efi, without root and without loop mounts:
# a FAT EFI system partition (mkfs.fat, then mtools) placed in a GPT disk (sgdisk, then dd).
#
# Usage: support/efi-image.sh [options] EFI OUT
#   --initrd FILE       put FILE on the ESP as \EFI\BOOT\initrd (the stub loads it)
#   --cmdline TEXT      the command line, in \EFI\BOOT\cmdline (default: an empty file)
#   --no-cmdline        no command-line file at all (the image boots with defaults)
#   --format raw|qcow2  raw (default) or qcow2 (qemu-img convert; for clouds that take qcow2)
#   --esp-mib N         the ESP's size in MiB (default: what the files need plus 1 MiB, at
#                       least 8; FAT16 below 64 MiB, FAT32 from there)
#
# The disk: a protective MBR and GPT, one partition from sector 2048 (1 MiB), type EF00 (EFI
# system), and the backup GPT in the last 1 MiB. On the ESP: \EFI\BOOT\BOOTX64.EFI (the
# removable-media path that UEFI firmware boots without a boot entry), cmdline and initrd. The
# GUIDs and the FAT volume id are derived from the output's name (less its extension), so a
# rebuild of the same app gives the same identities.
set -euo pipefail

die() { echo "efi-image: $*" >&2; exit 1; }
need_arg() { [ $# -ge 2 ] || die "option $1 needs a value"; }

initrd="" cmdline="" write_cmdline=1 format=raw esp_mib=""
while [ $# -gt 0 ]; do
	case "$1" in
	--initrd) need_arg "$@"; initrd=$2; shift 2 ;;
	--cmdline) need_arg "$@"; cmdline=$2; shift 2 ;;
	--no-cmdline) write_cmdline=0; shift ;;
	--format) need_arg "$@"; format=$2; shift 2 ;;
	--esp-mib) need_arg "$@"; esp_mib=$2; shift 2 ;;
	-h|--help) awk 'NR > 2 && /^#/ { sub(/^# ?/, ""); print; next } NR > 2 { exit }' "$0"; exit 0 ;;
	-*) die "unknown option '$1' (see --help)" ;;
	*) break ;;
	esac
done
[ $# -eq 2 ] || die "give the .efi file and the output (see --help)"
efi=$1 out=$2
[ -f "$efi" ] || die "'$efi' not found"
[ -z "$initrd" ] || [ -f "$initrd" ] || die "initrd '$initrd' not found"
case "$format" in raw|qcow2) ;; *) die "unknown format '$format' (raw or qcow2)" ;; esac
for tool in mkfs.fat mmd mcopy sgdisk; do
	command -v "$tool" >/dev/null || die "$tool is missing: run support/deps.sh build"
done
[ "$format" = raw ] || command -v qemu-img >/dev/null || die "qemu-img is missing: run support/deps.sh build"

# Sizes in KiB: the files, FAT's overhead, rounded up to whole MiB.
kib() { echo $(( ($(stat -c %s "$1") + 1023) / 1024 )); }
files_kib=$(kib "$efi")
[ -z "$initrd" ] || files_kib=$((files_kib + $(kib "$initrd")))
if [ -z "$esp_mib" ]; then
	esp_mib=$(( (files_kib + 1024 + 1023) / 1024 + 1 ))
	[ "$esp_mib" -ge 8 ] || esp_mib=8
fi
[[ "$esp_mib" =~ ^[0-9]+$ ]] && [ "$esp_mib" -ge 2 ] || die "bad ESP size '$esp_mib' (MiB, at least 2)"
[ $((esp_mib * 1024)) -gt "$files_kib" ] || die "an ESP of $esp_mib MiB cannot hold $files_kib KiB"
# FAT16 needs at least 4085 clusters: one-sector clusters up to 32 MiB, mkfs.fat's choice above.
fat=(-F 16 -s 1); [ "$esp_mib" -gt 32 ] && fat=(-F 16); [ "$esp_mib" -ge 64 ] && fat=(-F 32)

# Stable identities from the output's name without its extension (sgdisk wants GUIDs; mkfs.fat
# a 32-bit id): app.img and app.qcow2 of one build are the same disk.
name=${out##*/}
hash=$(printf '%s' "${name%.*}" | sha256sum | cut -c1-32)
guid() { echo "${hash:0:8}-${hash:8:4}-4${hash:13:3}-8${hash:17:3}-$1${hash:21:11}"; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
esp=$work/esp.img disk=$work/disk.img
# One time for every FAT timestamp: SOURCE_DATE_EPOCH when set, else the .efi's own, so the same
# build gives the same bytes (raw and qcow2 alike); mtools and mkfs.fat read the variable too.
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(stat -c %Y "$efi")}
export MTOOLS_SKIP_CHECK=1
mkfs.fat "${fat[@]}" --invariant -n SKIFF-ESP -i "${hash:0:8}" -C "$esp" $((esp_mib * 1024)) >/dev/null
mmd -i "$esp" ::/EFI ::/EFI/BOOT
put() { # FILE NAME: FILE as \EFI\BOOT\NAME, with the fixed time
	cp "$1" "$work/$2"
	touch -d "@$SOURCE_DATE_EPOCH" "$work/$2"
	mcopy -m -i "$esp" "$work/$2" "::/EFI/BOOT/$2"
}
put "$efi" BOOTX64.EFI
if [ "$write_cmdline" = 1 ]; then
	printf '%s\n' "$cmdline" >"$work/cmdline.txt"
	put "$work/cmdline.txt" cmdline
fi
[ -z "$initrd" ] || put "$initrd" initrd

# 1 MiB before the partition (MBR, GPT, alignment), 1 MiB after it (the backup GPT).
truncate -s $(( (esp_mib + 2) << 20 )) "$disk"
sgdisk --clear --disk-guid="$(guid 0)" --new=1:2048:$((2048 + esp_mib * 2048 - 1)) --typecode=1:EF00 \
	--change-name=1:"EFI system partition" --partition-guid=1:"$(guid 1)" "$disk" >/dev/null
dd if="$esp" of="$disk" bs=1M seek=1 conv=notrunc,sparse status=none

mkdir -p "$(dirname "$out")"
if [ "$format" = qcow2 ]; then
	qemu-img convert -f raw -O qcow2 "$disk" "$out.tmp"
	mv "$out.tmp" "$out"
else
	mv "$disk" "$out"
fi
