#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Writes the xl config for a Skiff .xen image: support/xl-config.sh IMAGE NAME [INITRD] > FILE.
# `xl create -c FILE` boots it as a PV domU (edit type = "pvh" for PVH; the same image boots both).
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: xl-config.sh IMAGE NAME [INITRD]" >&2; exit 2; }
image=$(realpath "$1") name=$2 initrd=${3:-}
cat <<CFG
# xl config for $name, written by support/xl-config.sh: xl create -c this-file
name = "$name"
type = "pv"
kernel = "$image"
memory = 64
vcpus = 1
# The Skiff command line: kernel options, then "--" and the app's arguments.
extra = ""
# Keep the domain after it ends, so its exit status can be read from xenstore:
#   xenstore-read /local/domain/<domid>/data/skiff/exit-status; then xl destroy $name
on_poweroff = "preserve"
on_crash = "preserve"
on_reboot = "destroy"
CFG
[ -z "$initrd" ] || echo "ramdisk = \"$(realpath "$initrd")\""
