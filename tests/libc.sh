# SPDX-License-Identifier: MIT
# newlib and the POSIX layer on every platform: apps/libc-test (its own cases, one line each) and
# the unmodified Lua interpreter running a script from the initrd, under skiff-hv (each backend:
# runners hv-kvm, hv-process, and hv-tty-* with a terminal) and QEMU.

libc_run() { # NAME RUNNER EXPECTED-SUMMARY IMAGE INITRD [ARGS...]
	local name=$1 runner=$2 want=$3 img=$4 initrd=$5 log="$TEST_LOGS/libc-$1.log" rc
	shift 5
	local be=${runner##*-} why
	if [[ $runner == hv* ]] && why=$(hv_backend_skip "$be") && [ -n "$why" ]; then
		skip "libc/$name" "$why"
		return
	fi
	case "$runner" in
	hv-kvm|hv-process)
		timeout -k 5 120 build/hv/skiff-hv --backend=$be --initrd="$initrd" "$img" env.SKIFF_TEST=yes \
			env.SKIFF_TERMINAL=no "$@" >"$log" 2>&1 </dev/null ;;
	hv-tty-*) # the monitor's stdout is a terminal (script(1) gives it a pty)
		timeout -k 5 120 script -qefc "$(printf '%q ' build/hv/skiff-hv --backend=$be --initrd="$initrd" \
			"$img" env.SKIFF_TEST=yes env.SKIFF_TERMINAL=yes "$@")" /dev/null >"$log" 2>&1 </dev/null ;;
	qemu) # the guest's serial line counts as a terminal
		support/qemu-run.sh --timeout 120 --initrd "$initrd" \
			--opts "env.SKIFF_TEST=yes env.SKIFF_TERMINAL=yes" "$img" "$@" >"$log" 2>&1 ;;
	esac
	rc=$?
	if [ $rc -ne 0 ]; then
		fail "libc/$name" "exit status $rc" "$log"
	elif ! grep -qF -- "$want" "$log"; then
		fail "libc/$name" "no '$want'" "$log"
	else
		pass "libc/$name"
	fi
	# Each in-guest case counts as a test of its own.
	grep -E '^(ok|FAIL) ' "$log" | while read -r verdict case; do
		[ "$verdict" = FAIL ] && echo "  $name: FAIL $case"
	done
}

make -s hv >"$TEST_LOGS/libc-hv-build.log" 2>&1 || fail libc/hv-build "skiff-hv does not build" "$TEST_LOGS/libc-hv-build.log"
# libc-test-net: libc-test with lwIP, so its socket cases over loopback run as well.
build_libc_net() {
	make -s APP=apps/libc-test O=build/libc-test-net DEFCONFIG=support/libc-test-net.defconfig defconfig &&
		make -s APP=apps/libc-test O=build/libc-test-net
}
for app in libc-test libc-test-net lua; do
	if [ $app = libc-test-net ]; then
		build_libc_net >"$TEST_LOGS/build-$app.log" 2>&1
	else
		make -s APP=apps/$app >"$TEST_LOGS/build-$app.log" 2>&1
	fi || { fail "build/$app" "does not build" "$TEST_LOGS/build-$app.log"; continue; }
	runners="hv-kvm hv-process qemu"
	[ $app = libc-test ] && runners="hv-kvm hv-process hv-tty-kvm hv-tty-process qemu"
	for runner in $runners; do
		case $app in
		libc-test*) libc_run "$app-$runner" $runner "libc-test: atexit handler ran" \
			build/$app/libc-test.kvm build/$app/libc-test.initrd ;;
		lua) libc_run "$app-$runner" $runner "lua-test: 23 passed, 0 failed" \
			build/lua/lua.kvm build/lua/lua.initrd -- /initrd/test.lua ;;
		esac
	done
done
# abort(), a deadlock, a NULL write and SIGTERM's default action end the image with a report and
# the crash status, on both runners, and
# what the app printed just before is not lost (under skiff-hv to a file, stdout is fully buffered:
# the crash path flushes it with the report).
for how in abort deadlock segv sigterm; do
	case $how in
	sigterm) want="libc-test: raising SIGTERM|terminated by signal 15 (default action)" ;;
	abort) want="libc-test: calling abort()|PANIC: abort() called|Backtrace:" ;;
	segv) want="libc-test: writing through NULL|CRASH: page fault (#PF)|a NULL pointer" ;;
	deadlock) want="libc-test: waiting forever|PANIC: deadlock: all 1 threads are blocked" ;;
	esac
	for r in hv-kvm hv-process qemu; do
		log="$TEST_LOGS/libc-$how-$r.log"
		if [[ $r == hv-* ]]; then
			why=$(hv_backend_skip "${r#hv-}")
			[ -z "$why" ] || { skip "libc/$how-$r" "$why"; continue; }
			timeout -k 5 60 build/hv/skiff-hv --backend=${r#hv-} build/libc-test/libc-test.kvm -- $how \
				>"$log" 2>&1 </dev/null
		else
			support/qemu-run.sh build/libc-test/libc-test.kvm -- $how >"$log" 2>&1
		fi
		rc=$?
		missing=$(IFS='|'; for w in $want; do grep -qF -- "$w" "$log" || echo "'$w'"; done)
		if [ $rc -eq 127 ] && [ -z "$missing" ]; then
			pass "libc/$how-$r"
		else
			fail "libc/$how-$r" "exit status $rc (want 127), missing: $missing" "$log"
		fi
	done
done

# libc-test's own summary must show no failure (the exit status says so too; this names them).
for t in libc-test libc-test-net; do
	for r in hv-kvm hv-process qemu; do
		log="$TEST_LOGS/libc-$t-$r.log"
		[ -f "$log" ] && grep -q "libc-test: [0-9]* passed, 0 failed" "$log" && pass "libc/$t-$r-summary" ||
			{ [ -f "$log" ] && fail "libc/$t-$r-summary" "$(grep -m3 '^FAIL' "$log" | tr '\n' ' ')" "$log"; }
	done
done
# Every function lib/posix defines is declared by the standard headers (support/check-decls.sh).
if support/check-decls.sh build/libc-test >"$TEST_LOGS/libc-declarations.log" 2>&1; then
	pass libc/declarations
else
	fail libc/declarations "$(head -1 "$TEST_LOGS/libc-declarations.log")" "$TEST_LOGS/libc-declarations.log"
fi
# What a unikernel cannot do failed with one log line each, never silently.
log="$TEST_LOGS/libc-libc-test-hv-process.log"
if [ -f "$log" ]; then
	missing=$(for w in "fork() is not supported in a unikernel (ENOSYS)" "mmap(MAP_SHARED) of a file is not supported" \
		"mmap(MAP_FIXED) is not supported" "mprotect: protections are recorded nowhere and not enforced"; do
		grep -qF -- "$w" "$log" || echo "'$w'"; done)
	[ -z "$missing" ] && pass libc/unsupported-logged || fail libc/unsupported-logged "missing: $missing" "$log"
fi
# The socket cases really ran in libc-test-net (a build without lwIP would pass without them).
for r in hv-process qemu; do
	log="$TEST_LOGS/libc-libc-test-net-$r.log"
	if [ -f "$log" ]; then
		grep -q "^ok   tcp_echo" "$log" && grep -q "^ok   readiness" "$log" && pass "libc/libc-test-net-$r-sockets-ran" ||
			fail "libc/libc-test-net-$r-sockets-ran" "no socket cases in the output" "$log"
	fi
done
