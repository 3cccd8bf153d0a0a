/* SPDX-License-Identifier: MIT */
/*
 * The command line, from the image's load options or a file beside it on the ESP: text checks,
 * the initrd= option the stub itself takes, and ESP paths. Pure functions, unit-tested on the host.
 */
#ifndef EFISTUB_CMDLINE_H
#define EFISTUB_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Load options (UCS-2, bytes long) as an ASCII line in out (outsz bytes, NUL-terminated). They
 * are a command line when every character up to the first NUL or the end is printable ASCII,
 * a tab or a line break; then returns the line's length. Returns -1 when they are not text (the
 * firmware's boot manager passes binary data, e.g. the GUID of an option it created itself),
 * -2 when the line does not fit in out (*needed: its length). The UEFI shell passes the command
 * that started the image as the first word: a first word ending in ".efi" is dropped.
 */
long efi_cmdline_from_ucs2(const uint16_t *opts, size_t bytes, char *out, size_t outsz,
			   size_t *needed);

/*
 * The contents of the command-line file (len bytes) as one line in out (outsz bytes): line
 * breaks and tabs become spaces, trailing spaces go. Returns the length, -1 when the file holds a
 * character that is not printable ASCII (or a NUL), -2 when it does not fit (*needed: its length).
 */
long efi_cmdline_from_file(const char *text, size_t len, char *out, size_t outsz, size_t *needed);

/*
 * Take an "initrd=PATH" option (a word before any bare "--") out of line, in place, with the
 * space before it. PATH is taken as written up to the next space ('\' is an ESP path separator
 * there, not an escape). Returns 1 with PATH in path (pathsz bytes), 0 when line has none, -1
 * when PATH is empty, holds a quote or is longer than pathsz - 1.
 */
int efi_cmdline_take_initrd(char *line, char *path, size_t pathsz);

/* True when line holds the kernel option word (before "--") exactly. */
bool efi_cmdline_has_option(const char *line, const char *word);

/*
 * An ESP path (UCS-2, NUL-terminated, in out of outsz characters) for name: name as it is when it
 * starts with '\' or '/' (from the volume's root), else name in the directory of image_path (the
 * image's own path on the volume, e.g. \EFI\BOOT\BOOTX64.EFI). '/' becomes '\'. Returns 0, -1 when
 * it does not fit or name is not printable ASCII.
 */
int efi_path_beside(const uint16_t *image_path, const char *name, uint16_t *out, size_t outsz);

#endif
