# SPDX-License-Identifier: MIT
# Shared helpers of the test scripts: result bookkeeping and log handling. Sourced, not run.

TEST_LOGS=${TEST_LOGS:-build/tests}
mkdir -p "$TEST_LOGS"
n_pass=0 n_fail=0 n_skip=0
failed_names=()

pass() { n_pass=$((n_pass + 1)); printf 'PASS %s\n' "$1"; }
skip() { n_skip=$((n_skip + 1)); printf 'SKIP %s: %s\n' "$1" "$2"; }
fail() {
	n_fail=$((n_fail + 1)); failed_names+=("$1")
	printf 'FAIL %s: %s\n' "$1" "$2"
	if [ -n "${3:-}" ] && [ -f "$3" ]; then
		echo "  --- last lines of $3:"
		tail -n 25 "$3" | sed 's/^/  | /'
	fi
}

# expect_log NAME LOG PATTERN...: every fixed-string pattern must appear in LOG.
# Prints the first missing pattern and returns 1 if one does not.
expect_log() {
	local log=$1 p
	shift
	for p in "$@"; do
		if ! grep -qF -- "$p" "$log"; then
			echo "missing '$p'"
			return 1
		fi
	done
	return 0
}

# check_run TEST LOG WANTED-STATUS STATUS "PATTERN|!ABSENT|...": pass when the run exited with
# WANTED-STATUS and LOG holds every pattern (fixed strings) and none of the '!' ones.
check_run() {
	local test=$1 log=$2 want=$3 rc=$4 patterns=$5 p why pats
	if [ "$rc" != "$want" ]; then
		fail "$test" "exit status $rc, expected $want" "$log"
		return
	fi
	IFS='|' read -ra pats <<<"$patterns"
	for p in "${pats[@]}"; do
		[ -n "$p" ] || continue
		if [ "${p:0:1}" = "!" ]; then
			if grep -qF -- "${p:1}" "$log"; then
				fail "$test" "unexpected '${p:1}'" "$log"
				return
			fi
		elif ! why=$(expect_log "$log" "$p"); then
			fail "$test" "$why" "$log"
			return
		fi
	done
	pass "$test"
}

# image_end_kib IMAGE: where the ELF image's loaded segments end, in KiB.
image_end_kib() {
	local type paddr memsz end=0
	while read -r type _ _ paddr _ memsz _; do
		[ "$type" = LOAD ] && [ $((paddr + memsz)) -gt $end ] && end=$((paddr + memsz))
	done < <(readelf -lW "$1" 2>/dev/null)
	echo $((end / 1024))
}

summary() {
	echo
	[ ${#failed_names[@]} -gt 0 ] && echo "failed: ${failed_names[*]}"
	echo "$n_pass passed, $n_fail failed, $n_skip skipped"
	[ "$n_fail" -eq 0 ]
}

# skiff-hv's two backends: kvm needs a usable /dev/kvm, process runs everywhere. Tests that
# start the guest run once per backend, with the backend in their name (hv/kvm/hello,
# hv/process/hello); hv_backend_skip says why a backend cannot run here (nothing if it can).
HV_BACKENDS="kvm process"
hv_backend_skip() {
	[ "$1" = kvm ] || return 0
	if [ ! -c /dev/kvm ]; then
		echo "no /dev/kvm on this machine"
	elif ! [ -r /dev/kvm ] || ! [ -w /dev/kvm ]; then
		echo "no access to /dev/kvm (add the user to group kvm)"
	fi
}

# Why network namespaces cannot be made here ("" when they can), from a probe namespace NAME made
# and removed again. The network suites skip their cases with this reason.
netns_skip() {
	if [ "$(id -u)" != 0 ]; then
		echo "network namespaces need root"
	elif ! support/netns.sh create "$1" >/dev/null 2>&1; then
		echo "cannot create a network namespace here"
	fi
	support/netns.sh destroy "$1" >/dev/null 2>&1
}

# Remove the namespaces NAME... and everything running in them.
netns_destroy() {
	local n
	for n in "$@"; do
		support/netns.sh destroy "$n" >/dev/null 2>&1
	done
}

# blktest_disk_ok DISK: the disk file holds what apps/blktest wrote (sector 8's text, 16 patterned
# 4 KiB blocks from sector 64).
blktest_disk_ok() {
	[ "$(dd if="$1" bs=512 skip=8 count=1 2>/dev/null | head -c 18)" = "written by blktest" ] &&
	python3 -c "
import sys
d = open(sys.argv[1], 'rb').read()
for i in range(16):
    chunk = d[(64 * 512) + i * 4096:(64 * 512) + (i + 1) * 4096]
    if chunk != bytes((i * 31 + j * 7) & 255 for j in range(4096)): sys.exit(1)
" "$1"
}
