// SPDX-License-Identifier: MIT
/*
 * Which PCI function the stub was loaded from: on a cloud host the boot disk is often a
 * virtio-blk device, the same kind the image takes as the app's disk. Handed to the image
 * (struct skiff_entry64_info), which then leaves that device alone, so an app that writes its
 * block device cannot overwrite the ESP it booted from.
 */
#include <skiff/entry64.h>
#include <efistub/stub.h>

UINT32 stub_boot_disk_pci(EFI_LOADED_IMAGE *li)
{
	EFI_DEVICE_PATH *dp = DevicePathFromHandle(li->DeviceHandle);
	EFI_PCI_IO *pci;
	EFI_HANDLE h;
	UINTN seg, bus, dev, fn;

	/* The PCI function nearest the volume on its device path: the disk's controller or itself. */
	if (!dp || uefi_call_wrapper(BS->LocateDevicePath, 3, &PciIoProtocol, &dp, &h) != EFI_SUCCESS)
		return 0;
	if (uefi_call_wrapper(BS->HandleProtocol, 3, h, &PciIoProtocol, (void **)&pci) != EFI_SUCCESS)
		return 0;
	if (uefi_call_wrapper(pci->GetLocation, 5, pci, &seg, &bus, &dev, &fn) != EFI_SUCCESS || seg != 0 ||
	    bus > 255 || dev > 31 || fn > 7)
		return 0;
	return SKIFF_ENTRY64_PCI_VALID | (UINT32)(bus << 8 | dev << 3 | fn);
}
