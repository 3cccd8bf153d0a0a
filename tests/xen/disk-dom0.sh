#!/bin/sh
# SPDX-License-Identifier: MIT
# dom0's half of tests/xen.sh's blktest guests (busybox sh, run by support/xen-test.sh in dom0):
# once the guest is gone (`disk-dom0.sh after`), what it left on its disk ($DISK0), as KEY=VALUE
# lines in $OUT/results for tests/xen.sh to judge: the marker line at sector 8, the md5 of the
# 64 KiB blktest wrote at sector 64, and the md5 of the whole disk (a read-only disk must be as it
# was given). SOURCE0 (put in front of this file by tests/xen.sh) is where the disk came from.

res() { echo "$1=$2" >>"$OUT/results"; }

case "$1" in
after)
	res marker "$(dd if="$DISK0" bs=512 skip=8 count=1 2>/dev/null | head -n 1 | tr ' ' '_')"
	res batch_md5 "$(dd if="$DISK0" bs=512 skip=64 count=128 2>/dev/null | md5sum | cut -d' ' -f1)"
	res disk_md5 "$(md5sum <"$DISK0" | cut -d' ' -f1)"
	res source_md5 "$(md5sum <"$SOURCE0" | cut -d' ' -f1)" ;;
esac
exit 0
