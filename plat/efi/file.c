// SPDX-License-Identifier: MIT
/*
 * Files on the volume the stub was loaded from (the ESP): the command-line file and the initrd.
 * Through the Simple File System protocol of the loaded image's device; a stub loaded from
 * somewhere without one (a network boot) has no files, and boots with what its load options say.
 */
#include <efistub/stub.h>

/* The stub's path on its volume: the file-path nodes of its device path, joined. */
static void image_path(EFI_LOADED_IMAGE *li, CHAR16 *out, UINTN max)
{
	EFI_DEVICE_PATH *dp = li->FilePath;
	UINTN n = 0;

	out[0] = 0;
	for (; dp && !IsDevicePathEnd(dp); dp = NextDevicePathNode(dp)) {
		const FILEPATH_DEVICE_PATH *fp = (const void *)dp;
		UINTN len;

		if (DevicePathType(dp) != MEDIA_DEVICE_PATH || DevicePathSubType(dp) != MEDIA_FILEPATH_DP)
			continue;
		len = (DevicePathNodeLength(dp) - sizeof(EFI_DEVICE_PATH)) / sizeof(CHAR16);
		if (n > 0 && out[n - 1] != L'\\' && len > 0 && fp->PathName[0] != L'\\' && n + 1 < max)
			out[n++] = L'\\';
		for (UINTN i = 0; i < len && fp->PathName[i] && n + 1 < max; i++)
			out[n++] = fp->PathName[i];
	}
	out[n] = 0;
}

void stub_esp_open(EFI_LOADED_IMAGE *li, struct stub_esp *esp)
{
	EFI_FILE_IO_INTERFACE *fs;

	esp->root = NULL;
	image_path(li, esp->path, sizeof(esp->path) / sizeof(esp->path[0]));
	if (uefi_call_wrapper(BS->HandleProtocol, 3, li->DeviceHandle, &FileSystemProtocol,
			      (void **)&fs) != EFI_SUCCESS)
		return;
	if (uefi_call_wrapper(fs->OpenVolume, 2, fs, &esp->root) != EFI_SUCCESS)
		esp->root = NULL;
}

EFI_STATUS stub_file_read(const struct stub_esp *esp, const CHAR16 *path, UINT64 max,
			  EFI_MEMORY_TYPE type, void **data, UINTN *size)
{
	EFI_FILE_HANDLE f;
	EFI_FILE_INFO *info;
	EFI_PHYSICAL_ADDRESS addr = STUB_BELOW - 1;
	EFI_STATUS st;
	UINTN len, pages;

	if (!esp->root)
		return EFI_NOT_FOUND;
	st = uefi_call_wrapper(esp->root->Open, 5, esp->root, &f, (CHAR16 *)path, EFI_FILE_MODE_READ, 0);
	if (st != EFI_SUCCESS)
		return st;
	info = LibFileInfo(f);
	if (!info) {
		uefi_call_wrapper(f->Close, 1, f);
		return EFI_DEVICE_ERROR;
	}
	len = info->FileSize;
	*size = len; /* for the caller's messages, whatever happens next */
	st = (info->Attribute & EFI_FILE_DIRECTORY) ? EFI_NOT_FOUND : EFI_SUCCESS;
	FreePool(info);
	if (st == EFI_SUCCESS && len > max)
		st = EFI_BAD_BUFFER_SIZE;
	pages = EFI_SIZE_TO_PAGES(len ? len : 1);
	if (st == EFI_SUCCESS)
		st = uefi_call_wrapper(BS->AllocatePages, 4, AllocateMaxAddress, type, pages, &addr);
	if (st == EFI_SUCCESS) {
		*size = len;
		st = uefi_call_wrapper(f->Read, 3, f, size, (void *)(UINTN)addr);
		if (st == EFI_SUCCESS && *size != len)
			st = EFI_END_OF_FILE;
		if (st != EFI_SUCCESS)
			uefi_call_wrapper(BS->FreePages, 2, addr, pages);
		else
			*data = (void *)(UINTN)addr;
	}
	uefi_call_wrapper(f->Close, 1, f);
	return st;
}
