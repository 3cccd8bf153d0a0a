# SPDX-License-Identifier: MIT
# hv/: skiff-hv, the host-side monitor (a Linux program, built for the host).
hv-srcs += hv/main.c hv/args.c hv/util.c hv/guest.c hv/elf.c hv/vm.c hv/layout.c hv/run.c
hv-srcs += hv/calls.c hv/blk.c hv/seccomp.c hv/gdb.c

# libFuzzer targets (clang): each is hv/fuzz/<name>.c plus the monitor sources it drives.
fuzzers += fuzz_elf fuzz_calls
fuzz_elf-srcs := hv/elf.c
fuzz_calls-srcs := hv/calls.c hv/blk.c hv/guest.c hv/util.c
