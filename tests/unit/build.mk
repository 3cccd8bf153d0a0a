# SPDX-License-Identifier: MIT
# Host unit tests: tests/unit/test_<name>.c plus the kernel sources it tests, built for the host
# against plat/stub with AddressSanitizer and UBSan. Each appends its name and its sources.
unit-tests += pmem heap format cmdline bootmem timer sched elf guest xs

unit-pmem-srcs := kernel/pmem.c
unit-heap-srcs := kernel/pmem.c kernel/heap.c
unit-format-srcs := kernel/format.c
unit-cmdline-srcs := kernel/cmdline.c
unit-bootmem-srcs := plat/common/bootmem.c
unit-timer-srcs := kernel/timer.c
unit-elf-srcs := hv/elf.c
unit-guest-srcs := hv/guest.c
unit-xs-srcs := plat/xen/xs_proto.c
unit-tests += netfront
unit-netfront-srcs := plat/xen/netif_ring.c
unit-tests += blkfront
unit-blkfront-srcs := plat/xen/blkif_ring.c
unit-sched-srcs := tests/unit/kernel_ram.c kernel/sched.c kernel/thread.c kernel/wait.c kernel/mutex.c kernel/sem.c \
	kernel/timer.c kernel/pmem.c kernel/heap.c kernel/format.c kernel/printk.c \
	kernel/arch/x86_64/switch.S kernel/arch/x86_64/stack.c
unit-tests += vfs
unit-vfs-srcs := tests/unit/kernel_ram.c kernel/vfs/file.c kernel/vfs/vfs.c kernel/vfs/ramfs.c kernel/vfs/cpio.c \
	kernel/vfs/fdtable.c kernel/vfs/devfs.c kernel/vfs/lock.c kernel/vfs/pipe.c kernel/vfs/pollwait.c \
	kernel/random.c kernel/arch/x86_64/random.c kernel/pmem.c kernel/heap.c kernel/format.c kernel/time.c \
	kernel/sched.c kernel/thread.c kernel/wait.c kernel/timer.c kernel/printk.c \
	kernel/arch/x86_64/switch.S kernel/arch/x86_64/stack.c
unit-tests += flock
unit-flock-srcs := $(unit-vfs-srcs)
unit-tests += virtq
unit-virtq-srcs := tests/unit/kernel_ram.c plat/kvm/virtio.c kernel/pmem.c kernel/heap.c kernel/format.c \
	kernel/printk.c
unit-tests += vblk
unit-vblk-srcs := tests/unit/kernel_ram.c plat/kvm/virtio.c plat/kvm/virtio_blk.c kernel/pmem.c kernel/heap.c \
	kernel/format.c kernel/printk.c
unit-tests += netdev
unit-netdev-srcs := kernel/netdev.c kernel/format.c kernel/printk.c
unit-tests += csum
unit-csum-srcs := lib/lwip/csum.c
unit-tests += aof
unit-aof-srcs := apps/kv/aof.c
unit-tests += resp
unit-resp-srcs := apps/kv/resp.c apps/kv/store.c
unit-tests += string
unit-string-srcs := lib/newlib/string.S
unit-string-cflags := -DSK_STRING_TEST
unit-tests += efi
unit-efi-srcs := plat/efi/cmdline.c plat/efi/elf.c plat/efi/memmap.c
unit-efi-cflags := -Iplat/efi/include
unit-tests += strspn
unit-strspn-srcs := lib/newlib/strspn.c
unit-strspn-cflags := -DSK_STRING_TEST
