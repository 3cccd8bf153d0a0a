# SPDX-License-Identifier: MIT
# plat/kvm: x86_64 guest for QEMU (PVH entry) and skiff-hv.
platforms-$(CONFIG_PLAT_KVM) += kvm
plat-kvm-y += plat/kvm/entry.S plat/kvm/traps.S plat/kvm/pvh.c plat/kvm/setup.c
plat-kvm-y += plat/kvm/gdt.c plat/kvm/idt.c plat/kvm/paging.c plat/kvm/console.c
plat-kvm-y += plat/kvm/tsc.c plat/kvm/pit.c plat/kvm/kvmclock.c plat/kvm/rtc.c
plat-kvm-y += plat/kvm/lapic.c plat/kvm/acpi.c plat/kvm/shutdown.c plat/kvm/plat.c
plat-kvm-y += plat/kvm/hv.c plat/common/bootmem.c plat/common/x86_trap.c
# Devices of the QEMU world: PCI, interrupts, virtio over PCI and MMIO, virtio-net, virtio-blk.
plat-kvm-y += plat/kvm/pci.c plat/kvm/irq.c plat/kvm/ioapic.c plat/kvm/virtio.c plat/kvm/virtio_pci.c
plat-kvm-y += plat/kvm/virtio_mmio.c plat/kvm/virtio_net.c plat/kvm/net.c plat/kvm/virtio_blk.c plat/kvm/blk.c
plat-kvm-y += plat/kvm/devices.c
# The skiff-hv world's NICs: rings shared with the monitor.
plat-kvm-y += plat/kvm/hv_net.c
