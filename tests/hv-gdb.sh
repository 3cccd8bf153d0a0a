# SPDX-License-Identifier: MIT
# skiff-hv's gdb stub (--gdb=PORT) against the real gdb, on each backend: a breakpoint at main,
# backtrace, stepi and on to the guest's end; breakpoints hit again and again; detach; kill; ^C
# of a running guest. Each skiff-hv and gdb runs under a hard timeout; the port is a random free
# one.

GDB_SKIP=""
if ! make -s hv >"$TEST_LOGS/hv-gdb-build.log" 2>&1; then
	fail hv-gdb/build "skiff-hv does not build" "$TEST_LOGS/hv-gdb-build.log"
	GDB_SKIP="skiff-hv did not build"
elif ! make -s APP=apps/hello >>"$TEST_LOGS/hv-gdb-build.log" 2>&1 ||
     ! make -s APP=apps/crash >>"$TEST_LOGS/hv-gdb-build.log" 2>&1; then
	fail hv-gdb/build "the hello or crash app does not build" "$TEST_LOGS/hv-gdb-build.log"
	GDB_SKIP="the apps did not build"
elif ! command -v gdb >/dev/null; then
	GDB_SKIP="gdb is not installed"
fi

# gdb_hv NAME SKIFF-HV-ARGS...: start skiff-hv --gdb in the background and wait until it listens.
# Sets gdb_port, gdb_pid and gdb_hvlog; retries with another port if the first one is taken.
gdb_hv() {
	local name=$1 try i
	shift
	gdb_hvlog="$TEST_LOGS/hv-gdb-$BE-$name.hv.log"
	for try in 1 2 3; do
		gdb_port=$((20000 + RANDOM % 10000))
		timeout -k 5 60 build/hv/skiff-hv --backend=$BE --gdb=$gdb_port "$@" >"$gdb_hvlog" 2>&1 </dev/null &
		gdb_pid=$!
		for i in $(seq 100); do
			grep -q "waiting for gdb" "$gdb_hvlog" && return 0
			kill -0 $gdb_pid 2>/dev/null || break
			sleep 0.1
		done
		wait $gdb_pid
		grep -q "cannot listen" "$gdb_hvlog" || return 1
	done
	return 1
}

# gdb_expect NAME LOG "A|B|!C": A and B must be in LOG and C must not, else fail NAME (status 1).
gdb_expect() {
	local p why pats
	IFS='|' read -ra pats <<<"$3"
	for p in "${pats[@]}"; do
		if [ "${p:0:1}" = "!" ]; then
			grep -qF -- "${p:1}" "$2" || continue
			fail "hv-gdb/$BE/$1" "unexpected '${p:1}'" "$2"
			return 1
		elif ! why=$(expect_log "$2" "$p"); then
			fail "hv-gdb/$BE/$1" "$why" "$2"
			return 1
		fi
	done
}

# gdb_check NAME WANT-STATUS GDB-PATTERNS HV-PATTERNS: wait for skiff-hv, then judge its exit
# status, gdb's log and its own. A KVM that cannot debug guests at all is a skip. Leaves
# gdb_passed set when the test passed.
gdb_check() {
	local name=$1 want=$2 rc
	wait $gdb_pid
	rc=$?
	gdb_passed=""
	if grep -q "cannot debug guests" "$gdb_hvlog"; then
		skip "hv-gdb/$BE/$name" "$(grep -m1 "cannot debug guests" "$gdb_hvlog")"
	elif grep -q "CRASH: breakpoint (#BP)" "$gdb_hvlog"; then
		fail "hv-gdb/$BE/$name" "the guest got gdb's int3: the stub missed the breakpoint" "$gdb_hvlog"
	elif [ "$rc" != "$want" ]; then
		fail "hv-gdb/$BE/$name" "skiff-hv exit status $rc, expected $want" "$gdb_hvlog"
	elif gdb_expect "$name" "$gdb_log" "$3" && gdb_expect "$name" "$gdb_hvlog" "$4"; then
		pass "hv-gdb/$BE/$name"
		gdb_passed=1
	fi
}

# gdb_batch NAME IMAGE GDB-COMMANDS...: gdb -batch, connected to the running skiff-hv.
gdb_batch() {
	local name=$1 image=$2 args=() c
	shift 2
	for c in "$@"; do
		args+=(-ex "$c")
	done
	gdb_log="$TEST_LOGS/hv-gdb-$BE-$name.gdb.log"
	timeout -k 5 60 gdb -nx -batch -ex 'set confirm off' -ex "target remote 127.0.0.1:$gdb_port" \
		"${args[@]}" "$image" >"$gdb_log" 2>&1 </dev/null
}

HELLO=build/hello/hello.kvm
HELLO_RAN="Hello from Skiff|token passed 1000 times"

# gdb_suite BACKEND: every gdb test on that backend.
gdb_suite() {
	BE=$1
	local why=${GDB_SKIP:-$(hv_backend_skip "$BE")}
	if [ -n "$why" ]; then
		for t in break-main stepi breakpoint-hits detach kill interrupt; do
			skip "hv-gdb/$BE/$t" "$why"
		done
		return
	fi
	# A first session: stop at main, look around, one instruction, then on to the end.
	if gdb_hv break-main $HELLO; then
		# past main, the backtrace reads the thread's stack (an alias of RAM: a page-table walk)
		gdb_batch break-main $HELLO 'break main' 'continue' 'set backtrace past-main on' 'bt' \
			'info registers rip' 'x/4i $pc' 'stepi' 'info registers rip' 'continue'
		gdb_check break-main 0 "Breakpoint 1, main (|#0  main (|in sk_app_run (|=> 0x|exited normally" \
			"$HELLO_RAN|!CRASH"
		rips=$(grep -o '^rip  *0x[0-9a-f]*' "$gdb_log" | awk '{print $2}' | sort -u | wc -l)
		if [ -z "$gdb_passed" ]; then
			skip hv-gdb/$BE/stepi "needs hv-gdb/$BE/break-main"
		elif [ "$rips" = 2 ]; then
			pass hv-gdb/$BE/stepi
		else
			fail hv-gdb/$BE/stepi "stepi did not move rip" "$gdb_log"
		fi
	else
		fail hv-gdb/$BE/break-main "skiff-hv did not listen" "$gdb_hvlog"
	fi

	# A breakpoint hit again and again: each continue steps over it and puts it back.
	if gdb_hv breakpoint-hits $HELLO; then
		gdb_batch breakpoint-hits $HELLO 'break pthread_cond_signal' 'continue' 'continue' 'continue' \
			'info breakpoints' 'delete' 'continue'
		gdb_check breakpoint-hits 0 "Breakpoint 1, pthread_cond_signal (|already hit 3 times|exited normally" \
			"$HELLO_RAN"
	else
		fail hv-gdb/$BE/breakpoint-hits "skiff-hv did not listen" "$gdb_hvlog"
	fi

	if gdb_hv detach $HELLO; then
		gdb_batch detach $HELLO 'break main' 'continue' 'detach'
		gdb_check detach 0 "Breakpoint 1, main (|Remote target) detached" "$HELLO_RAN"
	else
		fail hv-gdb/$BE/detach "skiff-hv did not listen" "$gdb_hvlog"
	fi

	if gdb_hv kill $HELLO; then
		gdb_batch kill $HELLO 'break main' 'continue' 'kill'
		gdb_check kill 137 "Breakpoint 1, main (" "killed by the debugger|!Hello from Skiff"
	else
		fail hv-gdb/$BE/kill "skiff-hv did not listen" "$gdb_hvlog"
	fi

	# ^C: gdb reads its commands from a pipe, so that it takes the stop while it waits for more.
	# The guest sleeps 30 s; a stop and a kill well within that prove the interrupt.
	if gdb_hv interrupt build/crash/crash.kvm -- sleep 30; then
		gdb_log="$TEST_LOGS/hv-gdb-$BE-interrupt.gdb.log"
		{ printf 'set confirm off\ntarget remote 127.0.0.1:%s\ncontinue &\n' "$gdb_port"
		  sleep 1; echo interrupt; sleep 2; printf 'bt\nkill\nquit\n'; } |
			timeout -k 5 20 gdb -nx -q build/crash/crash.kvm >"$gdb_log" 2>&1
		gdb_check interrupt 137 "Program received signal SIGINT" "killed by the debugger"
	else
		fail hv-gdb/$BE/interrupt "skiff-hv did not listen" "$gdb_hvlog"
	fi
}

for be in $HV_BACKENDS; do
	gdb_suite "$be"
done
