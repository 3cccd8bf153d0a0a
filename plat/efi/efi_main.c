// SPDX-License-Identifier: MIT
/*
 * The UEFI stub: a GNU-EFI application that carries an app's plat/kvm image (<app>.kvm, built
 * into blob.S) and starts it as QEMU's PVH loader would, from firmware instead of -kernel:
 *   1. the image inside checked, and placed at its link address first, before anything else
 *      can take that memory;
 *   2. the command line: the load options when they are text, else the file "cmdline" beside
 *      the stub on its volume, else none;
 *   3. the initrd: the file an initrd=PATH option names (taken out of the line), else a file
 *      "initrd" beside the stub, if there is one; it and the hand-off go below 1 GiB, with the
 *      ACPI RSDP from the configuration table;
 *   4. ExitBootServices, the memory map, and the image's 64-bit entry (include/skiff/entry64.h).
 * Anything wrong before step 4 is said on the firmware console and stops the machine.
 */
#include <skiff/cmdline.h>
#include <skiff/entry64.h>
#include <efistub/cmdline.h>
#include <efistub/stub.h>

#define CMDLINE_FILE "cmdline"
#define INITRD_FILE "initrd"
#define WORK_MAX 65536 /* a longer command line is refused before it is even looked at */

extern const UINT8 skiff_image[], skiff_image_end[];

/* The line as it is read and edited (allocated: GNU-EFI images carry their .bss in the file). */
static char *work;

static UINT64 rdtsc(void)
{
	UINT32 lo, hi;

	__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
	return ((UINT64)hi << 32) | lo;
}

static const CHAR16 *path_for(const struct stub_esp *esp, const char *name, CHAR16 *buf, UINTN max)
{
	if (efi_path_beside(esp->path, name, buf, max) < 0)
		stub_fail(L"the path '%a' is too long or not printable ASCII", name);
	return buf;
}

static noreturn void too_long(UINTN len, const CHAR16 *from)
{
	stub_fail(L"the command line (%s) is %ld bytes long; at most %d fit", from, len,
		  SK_CMDLINE_MAX - 1);
}

/* The command-line file beside the stub, into work; false when there is none. */
static BOOLEAN cmdline_from_file(const struct stub_esp *esp, CHAR16 *from, UINTN from_max)
{
	CHAR16 path[512];
	void *text = NULL;
	UINTN size = 0, needed = 0;
	EFI_STATUS st;
	long n;

	path_for(esp, CMDLINE_FILE, path, 512);
	st = stub_file_read(esp, path, WORK_MAX, EfiLoaderData, &text, &size);
	if (st == EFI_NOT_FOUND)
		return FALSE;
	StrnCpy(from, path, from_max - 1);
	if (st == EFI_BAD_BUFFER_SIZE)
		too_long(size, from);
	if (st != EFI_SUCCESS)
		stub_fail(L"cannot read %s: %r", path, st);
	n = efi_cmdline_from_file(text, size, work, WORK_MAX, &needed);
	uefi_call_wrapper(BS->FreePages, 2, (EFI_PHYSICAL_ADDRESS)(UINTN)text, EFI_SIZE_TO_PAGES(size ? size : 1));
	if (n == -1)
		stub_fail(L"%s holds a character that is not printable ASCII", path);
	if (n == -2)
		too_long(needed, from);
	return TRUE;
}

/* The command line into work; from says where it came from, for messages. */
static void get_cmdline(EFI_LOADED_IMAGE *li, const struct stub_esp *esp, CHAR16 *from, UINTN max)
{
	UINTN needed = 0;
	long n;

	n = efi_cmdline_from_ucs2(li->LoadOptions, li->LoadOptionsSize, work, WORK_MAX, &needed);
	if (n == -2) {
		StrnCpy(from, L"load options", max - 1);
		too_long(needed, from);
	}
	if (n > 0) {
		StrnCpy(from, L"load options", max - 1);
		return;
	}
	if (!cmdline_from_file(esp, from, max)) {
		work[0] = '\0';
		StrnCpy(from, L"none", max - 1);
	}
}

/* The initrd the line names, or the one beside the stub: into h->mod; none is fine. */
static void load_initrd(const struct stub_esp *esp, struct stub_handoff *h)
{
	char name[256];
	CHAR16 path[512];
	void *data = NULL;
	UINTN size = 0;
	EFI_STATUS st;
	int named = efi_cmdline_take_initrd(work, name, sizeof(name));

	if (named < 0)
		stub_fail(L"bad initrd= option: give an ESP path without quotes, e.g. initrd=\\EFI\\BOOT\\initrd");
	if (!named)
		CopyMem(name, INITRD_FILE, sizeof(INITRD_FILE));
	path_for(esp, name, path, 512);
	st = stub_file_read(esp, path, STUB_BELOW, EfiLoaderData, &data, &size);
	if (st == EFI_NOT_FOUND && !named)
		return;
	if (st == EFI_BAD_BUFFER_SIZE || st == EFI_OUT_OF_RESOURCES || st == EFI_NOT_FOUND) {
		if (st == EFI_NOT_FOUND)
			stub_fail(L"the initrd %s is not on the volume the stub was loaded from", path);
		stub_fail(L"no room below 1 GiB for the initrd %s (%ld KiB): give the machine more"
			  L" memory", path, size >> 10);
	}
	if (st != EFI_SUCCESS)
		stub_fail(L"cannot read the initrd %s: %r", path, st);
	h->mod->paddr = (UINTN)data;
	h->mod->size = size;
	h->si->nr_modules = 1;
	h->si->modlist_paddr = (UINTN)h->mod;
}

static UINT64 find_rsdp(void)
{
	EFI_GUID acpi20 = ACPI_20_TABLE_GUID, acpi10 = ACPI_TABLE_GUID;
	UINT64 v1 = 0;

	for (UINTN i = 0; i < ST->NumberOfTableEntries; i++) {
		EFI_CONFIGURATION_TABLE *t = &ST->ConfigurationTable[i];

		if (!CompareGuid(&t->VendorGuid, &acpi20))
			return (UINTN)t->VendorTable;
		if (!CompareGuid(&t->VendorGuid, &acpi10))
			v1 = (UINTN)t->VendorTable;
	}
	return v1;
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab);

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	UINT64 tsc = rdtsc(), top;
	EFI_LOADED_IMAGE *li;
	struct stub_esp esp;
	struct stub_handoff h;
	struct efi_elf elf;
	CHAR16 from[512];
	const char *err;
	UINTN len, entries;

	InitializeLib(image, systab);
	err = efi_elf_parse(skiff_image, (UINTN)(skiff_image_end - skiff_image), SKIFF_ENTRY64_LIMIT, &elf);
	if (err)
		stub_fail(L"the image inside this stub is unusable: %a", err);
	if (uefi_call_wrapper(BS->HandleProtocol, 3, image, &LoadedImageProtocol, (void **)&li) != EFI_SUCCESS)
		stub_fail(L"no loaded-image protocol for the stub");
	/* The image's fixed address first, before other allocations can land there. */
	stub_memmap_estimate(&entries, &top);
	stub_load_image(skiff_image, &elf, SKIFF_ENTRY64_PT_PAGES(entries + 16, top));

	stub_esp_open(li, &esp);
	work = AllocatePool(WORK_MAX);
	if (!work)
		stub_fail(L"out of memory");
	get_cmdline(li, &esp, from, 512);
	stub_handoff_alloc(&h);
	load_initrd(&esp, &h);
	len = strlena((CHAR8 *)work);
	if (len >= SK_CMDLINE_MAX)
		too_long(len, from);
	CopyMem(h.cmdline, work, len + 1);

	h.si->magic = HVM_START_MAGIC;
	h.si->version = 1;
	h.si->cmdline_paddr = (UINTN)h.cmdline;
	h.si->rsdp_paddr = find_rsdp();
	h.si->memmap_paddr = (UINTN)h.map;
	h.info->magic = SKIFF_ENTRY64_MAGIC;
	h.info->boot_disk_pci = stub_boot_disk_pci(li);
	if (efi_cmdline_has_option(h.cmdline, "bootstats"))
		stub_say(L"bootstats: stub entered at TSC %ld, leaving the firmware at TSC %ld", tsc, rdtsc());
	stub_exit_and_enter(image, &h, elf.entry64, tsc);
}
