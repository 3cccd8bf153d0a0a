# SPDX-License-Identifier: MIT
# The benchmark driver's own tests (support/virtbench.sh; its figures are never checked): a quick
# run of two microbenchmarks on the fast platforms this machine has parses, tabulates and plots;
# a platform that is missing is reported absent, not failed; a workload that crashes is reported
# failed and the run goes on; bad options are refused. Each run writes under $TEST_LOGS/virtbench.
# Sourced by tests/run.sh.

VB_LOG=$TEST_LOGS/virtbench
rm -rf "$VB_LOG"
mkdir -p "$VB_LOG"

# vb_run NAME ARGS...: the driver with ARGS into $VB_LOG/NAME/; its status in vb_rc, its output
# in $VB_LOG/NAME.log.
vb_run() {
	local name=$1
	shift
	vb_dir=$VB_LOG/$name
	vb_rc=0
	timeout -k 5 300 support/virtbench.sh --out "$vb_dir" --quick "$@" >"$VB_LOG/$name.log" 2>&1 </dev/null || vb_rc=$?
}

# vb_rows DIR PLATFORM METRIC STATUS: how many rows of results.csv have them.
vb_rows() {
	awk -F, -v p="$2" -v m="$3" -v s="$4" '$1 == p && $3 == m && $7 == s { n++ } END { print n + 0 }' \
		"$1/results.csv" 2>/dev/null
}

vb_state() { # DIR PLATFORM: present or absent, from platforms.tsv
	awk -F'\t' -v p="$2" '$1 == p { print $2 }' "$1/platforms.tsv" 2>/dev/null
}

# A quick run: two microbenchmarks, two runs each, on the platforms that start fast (Xen's nested
# host and QEMU pc take tens of seconds to boot; make virtbench runs them).
vb_quick() {
	local t=virtbench/quick-run p m why="" present=()
	vb_run quick --platforms native,hv-process,hv-kvm,qemu-kvm-microvm,qemu-tcg-microvm \
		--workloads clock,null-call --reps 2 --emulated-reps 2
	if [ "$vb_rc" != 0 ]; then
		fail "$t" "exit status $vb_rc" "$VB_LOG/quick.log"
		return
	fi
	for p in native hv-process hv-kvm qemu-kvm-microvm qemu-tcg-microvm; do
		[ "$(vb_state "$vb_dir" "$p")" = present ] && present+=("$p")
	done
	[ ${#present[@]} -ge 2 ] || why="fewer than two platforms present (${present[*]})"
	for p in "${present[@]}"; do
		for m in clock null-call; do
			[ -n "$why" ] || [ "$(vb_rows "$vb_dir" "$p" "$m" ok)" = 2 ] ||
				why="$p: $m does not have 2 results in results.csv"
		done
	done
	[ -n "$why" ] || /usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
ok = [e for e in d["summary"] if e["status"] == "ok" and e["metric"] in ("clock", "null-call")]
assert len(ok) >= 4 and all(e["median"] > 0 for e in ok), ok
assert any("cost_vs_native" in e for e in ok if e["platform"] != "native")
' "$vb_dir/results.json" 2>"$VB_LOG/quick.json.err" || why=${why:-"results.json lacks the summary (see $VB_LOG/quick.json.err)"}
	[ -n "$why" ] || why=$(expect_log "$vb_dir/results.md" "## Microbenchmarks" "| clock read:" "| null call:" \
		"how the figures were obtained" "![Microbenchmarks](micro.png)") || true
	[ -n "$why" ] || [ "$(head -c 4 "$vb_dir/micro.png" 2>/dev/null | od -An -c | tr -d ' ')" = 211PNG ] ||
		why="micro.png is missing or not a PNG"
	[ -n "$why" ] || [ "$(stat -c %s "$vb_dir/micro.png")" -gt 2000 ] || why="micro.png is almost empty"
	if [ -n "$why" ]; then
		fail "$t" "$why" "$VB_LOG/quick.log"
	else
		pass "$t"
	fi
	# A platform this machine lacks (hv-kvm without /dev/kvm) is absent with its reason; where it
	# is present, it ran.
	t=virtbench/absent-platform-kvm
	if [ "$(vb_state "$vb_dir" hv-kvm)" = present ]; then
		[ "$(vb_rows "$vb_dir" hv-kvm clock ok)" = 2 ] && pass "$t" ||
			fail "$t" "hv-kvm is present but has no clock results" "$VB_LOG/quick.log"
	else
		check_run "$t" "$vb_dir/results.md" 0 0 "Absent here: |hv-kvm (|!skiff-hv KVM"
	fi
}

# A platform forced onto the run that is not there: a skiff-hv that does not exist.
vb_absent() {
	local t=virtbench/absent-platform
	vb_run absent --hv /nonexistent/skiff-hv --platforms native,hv-process --workloads clock --reps 1
	if [ "$vb_rc" != 0 ]; then
		fail "$t" "exit status $vb_rc" "$VB_LOG/absent.log"
	elif [ "$(vb_state "$vb_dir" hv-process)" != absent ]; then
		fail "$t" "hv-process is not reported absent" "$vb_dir/platforms.tsv"
	elif [ "$(vb_rows "$vb_dir" hv-process clock failed)" != 0 ] || [ "$(vb_rows "$vb_dir" native clock ok)" != 1 ]; then
		fail "$t" "expected native's clock and nothing from hv-process" "$vb_dir/results.csv"
	else
		check_run "$t" "$vb_dir/results.md" 0 0 "Absent here: hv-process (no skiff-hv at /nonexistent/skiff-hv)|!failed"
	fi
}

# The crash workload fails on both platforms; the clock runs on each, the second platform's after
# the first one's crash.
vb_crash() {
	local t=virtbench/crash-reported-failed
	vb_run crash --platforms native,hv-process --workloads crash,clock --reps 1
	if [ "$vb_rc" != 0 ]; then
		fail "$t" "exit status $vb_rc" "$VB_LOG/crash.log"
	elif [ "$(vb_state "$vb_dir" hv-process)" != present ]; then
		skip "$t" "skiff-hv's process backend is absent here"
	elif [ "$(vb_rows "$vb_dir" native crash failed)" != 1 ] || [ "$(vb_rows "$vb_dir" hv-process crash failed)" != 1 ]; then
		fail "$t" "the crash is not reported failed on both platforms" "$vb_dir/results.csv"
	elif [ "$(vb_rows "$vb_dir" native clock ok)" != 1 ] || [ "$(vb_rows "$vb_dir" hv-process clock ok)" != 1 ]; then
		fail "$t" "the run did not go on after the crash" "$vb_dir/results.csv"
	else
		check_run "$t" "$vb_dir/results.md" 0 0 "**failed** (1 run)|killed by signal 11|crashed (status 127|clock read:"
	fi
}

vb_usage() {
	local t=virtbench/usage
	vb_run usage --platforms native,nosuch
	check_run "$t" "$VB_LOG/usage.log" 2 "$vb_rc" "unknown platform 'nosuch'"
	vb_run usage-reps --reps 0
	check_run "$t-reps" "$VB_LOG/usage-reps.log" 2 "$vb_rc" "--reps: '0' is not a positive whole number"
}

vb_usage
vb_quick
vb_absent
vb_crash
