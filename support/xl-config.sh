#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Writes the xl config for a Skiff .xen image.
# Usage: support/xl-config.sh [OPTIONS] IMAGE NAME [INITRD] > FILE, then `xl create -c FILE`.
#   --type pv|pvh     the domain type (default pv; the same image boots both)
#   --mem MB          memory (default 64)
#   --extra TEXT      the Skiff command line: kernel options, then "--" and the app's arguments
#                     (e.g. "net.ip=10.0.0.2/24 net.gw=10.0.0.1 -- 8080")
#   --vif SPEC        a network interface (repeat for more: NIC 0, 1, ... in order): xl's vif
#                     keys, e.g. "bridge=xenbr0" or "mac=00:16:3e:00:00:01,bridge=xenbr0"; "" for
#                     xl's defaults (a random MAC, the host's default bridge and vif script)
#   --disk FILE[:ro]  the disk (a raw image; :ro makes it read-only): blkfront uses the first one
#   -h, --help        this text
# The image keeps the domain after it ends (on_poweroff="preserve"), so its exit status can be
# read from xenstore: xenstore-read /local/domain/<domid>/data/skiff/exit-status; then xl destroy.
set -euo pipefail

usage() { echo "xl-config.sh: $*" >&2; echo "usage: xl-config.sh [--type pv|pvh] [--mem MB] [--extra TEXT] [--vif SPEC]... [--disk FILE[:ro]]... IMAGE NAME [INITRD] (see --help)" >&2; exit 2; }
quote() { local s=${1//\\/\\\\}; printf '"%s"' "${s//\"/\\\"}"; }

type=pv mem=64 extra="" vifs=() disks=() args=()
while [ $# -gt 0 ]; do
	case "$1" in
	--type) [ $# -ge 2 ] || usage "--type needs pv or pvh"; type=$2; shift 2 ;;
	--mem) [ $# -ge 2 ] || usage "--mem needs a number of MB"; mem=$2; shift 2 ;;
	--extra) [ $# -ge 2 ] || usage "--extra needs a command line"; extra=$2; shift 2 ;;
	--vif) [ $# -ge 2 ] || usage "--vif needs a spec (\"\" for xl's defaults)"; vifs+=("$2"); shift 2 ;;
	--disk) [ $# -ge 2 ] || usage "--disk needs FILE[:ro]"; disks+=("$2"); shift 2 ;;
	-h|--help) awk 'NR > 2 && /^#/ { sub(/^# ?/, ""); print; next } NR > 2 { exit }' "$0"; exit 0 ;;
	--) shift; args+=("$@"); break ;;
	-*) usage "unknown option '$1'" ;;
	*) args+=("$1"); shift ;;
	esac
done
[ ${#args[@]} -ge 2 ] && [ ${#args[@]} -le 3 ] || usage "expected IMAGE NAME [INITRD]"
case "$type" in pv|pvh) ;; *) usage "--type: '$type' is not pv or pvh" ;; esac
[[ "$mem" =~ ^[0-9]+$ ]] && [ "$mem" -ge 8 ] || usage "--mem: '$mem' is not a number of MB (8 or more)"
image=$(realpath "${args[0]}") name=${args[1]} initrd=${args[2]:-}
for v in "${vifs[@]}"; do
	[[ "$v" != *[\'\"]* ]] || usage "--vif: no quotes in '$v'"
done

cat <<CFG
# xl config for $name, written by support/xl-config.sh: xl create -c this-file
name = $(quote "$name")
type = "$type"
kernel = $(quote "$image")
memory = $mem
vcpus = 1
# The Skiff command line: kernel options, then "--" and the app's arguments.
extra = $(quote "$extra")
# Keep the domain after it ends, so its exit status can be read from xenstore:
#   xenstore-read /local/domain/<domid>/data/skiff/exit-status; then xl destroy $name
on_poweroff = "preserve"
on_crash = "preserve"
on_reboot = "destroy"
CFG
[ -z "$initrd" ] || echo "ramdisk = $(quote "$(realpath "$initrd")")"
if [ ${#vifs[@]} -gt 0 ]; then
	line="" sep=""
	for v in "${vifs[@]}"; do
		line+="$sep'$v'"
		sep=", "
	done
	echo "# NIC 0, 1, ... in this order (netfront; the image's net.ip=, net1.ip=, ... apply to them)"
	echo "vif = [ $line ]"
fi
if [ ${#disks[@]} -gt 0 ]; then
	line="" sep="" letters=(a b c d e f g h) k=0
	[ ${#disks[@]} -le ${#letters[@]} ] || usage "at most ${#letters[@]} disks"
	for d in "${disks[@]}"; do
		access=rw f=$d
		if [ "${d%:ro}" != "$d" ]; then access=ro f=${d%:ro}; fi
		[ -f "$f" ] || usage "--disk: '$f' not found"
		line+="${sep}'format=raw,vdev=xvd${letters[k]},access=$access,target=$(realpath "$f")'"
		sep=", " k=$((k + 1))
	done
	echo "# blkfront uses the first disk (xvda); access=ro makes it read-only"
	echo "disk = [ $line ]"
fi
