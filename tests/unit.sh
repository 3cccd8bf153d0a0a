# SPDX-License-Identifier: MIT
# Host unit tests under ASan/UBSan: one PASS/FAIL per test case, read from each binary's output.

if ! make -s unit-build >"$TEST_LOGS/unit-build.log" 2>&1; then
	fail unit-build "host unit tests do not compile" "$TEST_LOGS/unit-build.log"
else
	for bin in build/unit/test_*; do
		[ -x "$bin" ] || continue
		suite=${bin##*/test_}
		log="$TEST_LOGS/unit-$suite.log"
		# A test that hangs is a failure, not a stuck run.
		timeout -k 5 300 "$bin" >"$log" 2>&1
		rc=$?
		while read -r verdict name; do
			case "$verdict" in
			ok) pass "unit/$name" ;;
			FAIL) fail "unit/$name" "see $log" "$log" ;;
			esac
		done < <(grep -E '^(ok|FAIL) ' "$log")
		# A crash (sanitizer report, abort) ends the binary early with no FAIL line.
		if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
			fail "unit/$suite" "test binary did not finish in 300 s" "$log"
		elif [ $rc -ne 0 ] && ! grep -q '^FAIL ' "$log"; then
			fail "unit/$suite" "test binary exited with status $rc" "$log"
		fi
	done
fi
