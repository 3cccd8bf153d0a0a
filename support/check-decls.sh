#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Checks that every function lib/posix defines is declared by the standard headers a program
# would include for it, so that no port needs a declaration of its own. The functions come from
# the objects of an app build (nm), less lib/posix's internal ones (declared in lib/posix/posix.h)
# and reserved names (leading underscore); each is referenced from one C file that includes the
# headers, compiled with the app's own command line from compile_commands.json, and with
# _GNU_SOURCE, as a program using the GNU extensions (pipe2, dup3) would.
# Usage: support/check-decls.sh BUILD_DIR   (e.g. build/libc-test). Exit 1 names what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:?usage: support/check-decls.sh BUILD_DIR}
[ -f "$dir/compile_commands.json" ] || { echo "check-decls: no $dir/compile_commands.json (build the app first)" >&2; exit 2; }
objs=("$dir"/lib/posix/*.o)
[ -e "${objs[0]}" ] || { echo "check-decls: no lib/posix objects under $dir" >&2; exit 2; }

headers=(dirent.h errno.h fcntl.h grp.h netdb.h poll.h pthread.h pwd.h sched.h signal.h stdio.h
	stdlib.h string.h sys/epoll.h sys/ioctl.h sys/mman.h sys/random.h sys/resource.h sys/select.h
	sys/socket.h sys/stat.h sys/time.h sys/times.h sys/uio.h sys/utsname.h sys/wait.h time.h
	unistd.h utime.h arpa/inet.h)
internal=$(sed -n 's/^[a-z].*[ *]\(posix_[a-z_]*\)(.*/\1/p' lib/posix/*.h | sort -u)
mapfile -t funcs < <(nm --defined-only -g "${objs[@]}" 2>/dev/null | awk '$2 == "T" { print $3 }' |
	grep -v '^_' | grep -vxF -f <(echo "$internal"; echo posix_init) | sort -u)

src=$(mktemp --suffix=.c)
trap 'rm -f "$src"' EXIT
{
	echo '#define _GNU_SOURCE'
	printf '#include <%s>\n' "${headers[@]}"
	echo 'void check_decls(void);'
	echo 'void check_decls(void) {'
	printf '\t(void)&%s;\n' "${funcs[@]}"
	echo '}'
} >"$src"
cmd=$(python3 -c '
import json, sys
for e in json.load(open(sys.argv[1])):
    if "/apps/" in "/" + e["file"] and e["file"].endswith(".c"):
        print(e["command"]); break
' "$dir/compile_commands.json")
[ -n "$cmd" ] || { echo "check-decls: no app file in $dir/compile_commands.json" >&2; exit 2; }
# The app's command, compiling the check file instead, to nothing, with every diagnostic an error.
read -r -a argv <<<"$cmd"
out=()
skip=0
for a in "${argv[@]}"; do
	if [ $skip = 1 ]; then skip=0; continue; fi
	case "$a" in
	-o|-MF|-MT) skip=1 ;;
	-c|-MMD|-MP|*.c) ;;
	*) out+=("$a") ;;
	esac
done
# mktemp is declared deprecated, and must still count as declared.
if ! log=$(LC_ALL=C "${out[@]}" -Werror -Wno-deprecated-declarations -fsyntax-only "$src" 2>&1); then
	missing=$(echo "$log" | sed -n "s/.*'\([a-z_0-9]*\)' undeclared.*/\1/p" | sort -u | tr '\n' ' ')
	echo "check-decls: ${#funcs[@]} functions; not declared by the standard headers: ${missing:-see below}"
	[ -n "$missing" ] || echo "$log" | head -20
	exit 1
fi
echo "check-decls: all ${#funcs[@]} functions lib/posix defines are declared"
