# SPDX-License-Identifier: MIT
# hv/: skiff-hv, the host-side monitor (a Linux program, built for the host).
hv-srcs += hv/main.c hv/args.c hv/util.c hv/guest.c hv/elf.c hv/layout.c hv/cpuid.c hv/io.c
hv-srcs += hv/calls.c hv/blk.c hv/seccomp.c hv/gdb.c
# NICs: taps, the rings' checks, the I/O thread.
hv-srcs += hv/tap.c hv/net.c hv/netio.c
# The two backends: KVM, and the guest in this process where there is no KVM.
hv-srcs += hv/kvm.c hv/proc.c hv/proc_mem.c hv/proc_trap.c hv/proc_insn.c

# libFuzzer targets (clang): each is hv/fuzz/<name>.c plus the monitor sources it drives.
fuzzers += fuzz_elf fuzz_calls fuzz_net
fuzz_elf-srcs := hv/elf.c
fuzz_calls-srcs := hv/calls.c hv/blk.c hv/net.c hv/netio.c hv/guest.c hv/util.c
fuzz_net-srcs := hv/net.c hv/netio.c hv/guest.c hv/util.c
