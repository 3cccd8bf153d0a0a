# SPDX-License-Identifier: MIT
# SQLite, unmodified from Debian's source package, on the default unix VFS: apps/sqlite
# (speedtest1) in memory and on a file in /tmp, and apps/sqlite-shell (the sqlite3 shell) running
# a script from the initrd against a file database, then SQL that must fail with SQLite's own
# error. Each under skiff-hv (each backend) and QEMU (TCG). Sourced by tests/run.sh.

# sqlite_run NAME RUNNER IMAGE INITRD ARGS...: the image's output in $TEST_LOGS/sqlite-NAME-RUNNER.log,
# its exit status in $sqlite_rc; returns 1 (after a skip) when RUNNER cannot run here.
sqlite_run() {
	local name=$1 runner=$2 img=$3 initrd=$4 why
	shift 4
	sqlite_log="$TEST_LOGS/sqlite-$name-$runner.log"
	case "$runner" in
	hv-*)
		why=$(hv_backend_skip "${runner#hv-}")
		[ -z "$why" ] || { skip "sqlite/$name-$runner" "$why"; return 1; }
		timeout -k 5 120 build/hv/skiff-hv --backend="${runner#hv-}" ${initrd:+--initrd="$initrd"} "$img" \
			-- "$@" >"$sqlite_log" 2>&1 </dev/null ;;
	qemu)
		support/qemu-run.sh --timeout 120 ${initrd:+--initrd "$initrd"} "$img" -- "$@" >"$sqlite_log" 2>&1 ;;
	esac
	sqlite_rc=$?
	return 0
}

# What the app printed, without the kernel's log lines, skiff-hv's notes and QEMU's CRs.
app_output() { tr -d '\r' <"$1" | grep -vE '^\[ *[0-9]+\.[0-9]+\] |^skiff-hv: |^-- warning: cannot find home'; }

# speedtest1 SIZE ARGS...: every test of the run, its total, no SQL error, exit status 0.
speedtest1_check() {
	local name=$1 runner=$2
	shift 2
	sqlite_run "$name" "$runner" build/sqlite/sqlite.kvm "" "$@" || return
	check_run "sqlite/$name-$runner" "$sqlite_log" 0 "$sqlite_rc" \
		"-- Speedtest1 for SQLite 3.|100 - |990 - ANALYZE|TOTAL....|!SQL error|!disk I/O error"
}

shell_img=build/sqlite-shell/sqlite-shell.kvm shell_initrd=build/sqlite-shell/sqlite-shell.initrd
# apps/sqlite-shell/rootfs/test.sql's output, computed by hand (and equal to the Linux shell's).
shell_expected='count|103|5105
apple|3
banana|24
cherry|40
after|53|1342
journal|delete
ok'

shell_script_check() { # RUNNER
	sqlite_run shell-script "$1" "$shell_img" "$shell_initrd" -bail /tmp/test.db ".read /initrd/test.sql" || return
	if [ "$sqlite_rc" != 0 ]; then
		fail "sqlite/shell-script-$1" "exit status $sqlite_rc, expected 0" "$sqlite_log"
	elif ! diff <(echo "$shell_expected") <(app_output "$sqlite_log") >"$sqlite_log.diff"; then
		fail "sqlite/shell-script-$1" "output differs (expected < > got)" "$sqlite_log.diff"
	else
		pass "sqlite/shell-script-$1"
	fi
}

# Malformed SQL on the command line: SQLite's parser error, exit status 1. A UNIQUE violation in
# a script under .bail: SQLite's constraint error, exit status 1, and nothing after it runs.
shell_errors_check() { # RUNNER
	if sqlite_run shell-syntax-error "$1" "$shell_img" "" /tmp/test.db "SELEC 1;"; then
		check_run "sqlite/shell-syntax-error-$1" "$sqlite_log" 1 "$sqlite_rc" \
			'Error: in prepare, near "SELEC": syntax error'
	fi
	if sqlite_run shell-constraint "$1" "$shell_img" "$shell_initrd" -bail /tmp/test.db \
		".read /initrd/unique.sql"; then
		check_run "sqlite/shell-constraint-$1" "$sqlite_log" 1 "$sqlite_rc" \
			"first insert done|Runtime error near line 8: UNIQUE constraint failed: t.k|!not reached"
	fi
}

make -s hv >"$TEST_LOGS/sqlite-hv-build.log" 2>&1 ||
	fail sqlite/hv-build "skiff-hv does not build" "$TEST_LOGS/sqlite-hv-build.log"
built=()
for app in sqlite sqlite-shell; do
	if make -s APP=apps/$app >"$TEST_LOGS/build-$app.log" 2>&1; then
		pass "sqlite/build-$app"
		built+=("$app")
	else
		fail "sqlite/build-$app" "does not build (missing POSIX calls show as undefined references)" \
			"$TEST_LOGS/build-$app.log"
	fi
done
for runner in hv-kvm hv-process qemu; do
	if [[ " ${built[*]} " == *" sqlite "* ]]; then
		speedtest1_check speedtest1-memdb "$runner" --memdb --size 5
		speedtest1_check speedtest1-file "$runner" --size 5 /tmp/test.db
	fi
	if [[ " ${built[*]} " == *" sqlite-shell "* ]]; then
		shell_script_check "$runner"
		shell_errors_check "$runner"
	fi
done
