# SPDX-License-Identifier: MIT
# The config matrix: every tests/configs/<plat>.{defconfig,allyes,allno} must build hello, and the
# image must boot; plus the build's answers to bad input (unknown app, no platform, bad .config).

config_build() { # NAME KIND FILE
	local name=$1 kind=$2 file=$3 o="build/cfg-$1" log="$TEST_LOGS/config-$1.log"
	rm -rf "$o"
	case "$kind" in
	defconfig) make -s O="$o" APP=apps/hello defconfig DEFCONFIG="$file" >"$log" 2>&1 ;;
	allyes) KCONFIG_ALLCONFIG="$file" make -s O="$o" APP=apps/hello allyesconfig >"$log" 2>&1 ;;
	allno) KCONFIG_ALLCONFIG="$file" make -s O="$o" APP=apps/hello allnoconfig >"$log" 2>&1 ;;
	esac || { fail "config/$name" "configuration step failed" "$log"; return; }
	if ! make -s O="$o" APP=apps/hello >>"$log" 2>&1; then
		fail "config/$name" "does not build" "$log"
		return
	fi
	support/qemu-run.sh --timeout 60 "$o/hello.kvm" >"$log.boot" 2>&1
	local rc=$? why
	if [ $rc -ne 0 ]; then
		fail "config/$name" "image exits with $rc" "$log.boot"
	elif ! why=$(expect_log "$log.boot" "Hello from Skiff" "token passed 1000 times"); then
		fail "config/$name" "$why" "$log.boot"
	else
		pass "config/$name"
	fi
}

for f in tests/configs/*.defconfig tests/configs/*.allyes tests/configs/*.allno; do
	[ -f "$f" ] || continue
	base=${f##*/}
	config_build "${base%.*}-${base##*.}" "${base##*.}" "$f"
done

# expect_make_error NAME PATTERN MAKE-ARGS...: make must fail and say PATTERN.
expect_make_error() {
	local name=$1 pattern=$2 log="$TEST_LOGS/config-$1.log"
	shift 2
	if make "$@" >"$log" 2>&1; then
		fail "config/$name" "make succeeded" "$log"
	elif ! grep -qF -- "$pattern" "$log"; then
		fail "config/$name" "no '$pattern' in the error" "$log"
	else
		pass "config/$name"
	fi
}

expect_make_error unknown-app "no such app" APP=apps/no-such-app
o=build/cfg-noplat
rm -rf "$o" && mkdir -p "$o"
printf '# CONFIG_PLAT_KVM is not set\n# CONFIG_PLAT_XEN is not set\n' >"$o/.config"
expect_make_error no-platform "enables no platform" O="$o" APP=apps/hello
o=build/cfg-badvalue
rm -rf "$o" && mkdir -p "$o"
printf 'CONFIG_PLAT_KVM=y\nCONFIG_SK_THREAD_STACK_KIB=lots\n' >"$o/.config"
expect_make_error bad-value "SK_THREAD_STACK_KIB" O="$o" APP=apps/hello

# The platform boundary: only objects under plat/ may see a platform's include directory.
if [ -f build/cfg-kvm-defconfig/compile_commands.json ]; then
	leaks=$(python3 - build/cfg-kvm-defconfig/compile_commands.json <<'PY'
import json, sys
for e in json.load(open(sys.argv[1])):
    if ("-Iplat" in e["command"]) != e["file"].startswith("plat/"):
        print(e["file"])
PY
)
	if [ -n "$leaks" ]; then
		fail config/plat-boundary "compiled with the wrong -Iplat flags: $leaks"
	else
		pass config/plat-boundary
	fi
fi

# Incremental builds: a changed Kconfig value rebuilds the objects that use it, and only those.
o=build/cfg-kvm-defconfig
if [ -f "$o/hello.kvm" ]; then
	sed -i 's/^CONFIG_APP_HELLO_ROUNDS=.*/CONFIG_APP_HELLO_ROUNDS=998/' "$o/.config"
	rebuilt=$(make O="$o" APP=apps/hello 2>&1 | awk '$1 == "CC" || $1 == "AS" { print $2 }' | tr '\n' ' ')
	if [ "$rebuilt" = "apps/hello/main.c " ]; then
		pass config/incremental-rebuild
	else
		fail config/incremental-rebuild "changing APP_HELLO_ROUNDS rebuilt: '${rebuilt}' (expected apps/hello/main.c)"
	fi
fi
