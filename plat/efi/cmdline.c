// SPDX-License-Identifier: MIT
/*
 * The stub's side of the command line: getting it as ASCII from the load options or the
 * command-line file, taking out the initrd= option (the stub's, not the kernel's), and ESP paths.
 * Quoting follows the kernel's parser (kernel/cmdline.c) closely enough to find word boundaries:
 * an initrd= inside quotes is an argument, not the option. The initrd= word itself is an ESP
 * path, where '\' is the separator: it is taken as written, up to the next space.
 */
#include <efistub/cmdline.h>

static bool is_text(unsigned c)
{
	return (c >= 0x20 && c < 0x7f) || c == '\t' || c == '\n' || c == '\r';
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Line breaks and tabs to spaces, trailing spaces cut; returns the new length. */
static size_t flatten(char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (is_space(s[i]))
			s[i] = ' ';
	while (n > 0 && s[n - 1] == ' ')
		n--;
	s[n] = '\0';
	return n;
}

/* The first word of s, if it names an EFI program: how many bytes to skip (with the spaces after). */
static size_t program_word(const char *s, size_t n)
{
	size_t i = 0, end;

	while (i < n && s[i] == ' ')
		i++;
	end = i;
	while (end < n && s[end] != ' ')
		end++;
	if (end - i < 4 || lower(s[end - 4]) != '.' || lower(s[end - 3]) != 'e' ||
	    lower(s[end - 2]) != 'f' || lower(s[end - 1]) != 'i')
		return 0;
	while (end < n && s[end] == ' ')
		end++;
	return end;
}

long efi_cmdline_from_ucs2(const uint16_t *opts, size_t bytes, char *out, size_t outsz,
			   size_t *needed)
{
	size_t n = 0, skip;

	if (!opts)
		return -1;
	while (n < bytes / 2 && opts[n]) {
		if (!is_text(opts[n]))
			return -1;
		n++;
	}
	if (n == 0)
		return -1;
	if (n >= outsz) {
		*needed = n;
		return -2;
	}
	for (size_t i = 0; i < n; i++)
		out[i] = (char)opts[i];
	n = flatten(out, n);
	skip = program_word(out, n);
	for (size_t i = skip; i <= n; i++)
		out[i - skip] = out[i];
	return (long)(n - skip);
}

long efi_cmdline_from_file(const char *text, size_t len, char *out, size_t outsz, size_t *needed)
{
	for (size_t i = 0; i < len; i++)
		if (!is_text((unsigned char)text[i]))
			return -1;
	if (len >= outsz) {
		/* Trailing line breaks do not count against the limit. */
		while (len > 0 && is_space(text[len - 1]))
			len--;
		if (len >= outsz) {
			*needed = len;
			return -2;
		}
	}
	for (size_t i = 0; i < len; i++)
		out[i] = text[i];
	return (long)flatten(out, len);
}

/*
 * The next word of s from *pos: its start in *start, its end in *end (exclusive), and whether it
 * holds quotes or escapes. Returns false at the end of the line.
 */
static bool next_word(const char *s, size_t *pos, size_t *start, size_t *end, bool *quoted)
{
	size_t i = *pos;
	char q = 0;

	while (s[i] == ' ')
		i++;
	if (!s[i])
		return false;
	*start = i;
	*quoted = false;
	for (; s[i] && (q || s[i] != ' '); i++) {
		if (q == '\'' && s[i] == '\'') {
			q = 0;
		} else if (q == '\'') {
			continue;
		} else if (s[i] == '\\' && s[i + 1]) {
			*quoted = true;
			i++;
		} else if (q == '"' && s[i] == '"') {
			q = 0;
		} else if (!q && (s[i] == '"' || s[i] == '\'')) {
			q = s[i];
			*quoted = true;
		}
	}
	*end = i;
	*pos = i;
	return true;
}

static bool word_is(const char *s, size_t start, size_t end, const char *w)
{
	size_t i = 0;

	for (; w[i]; i++)
		if (start + i >= end || s[start + i] != w[i])
			return false;
	return start + i == end;
}

static bool word_starts(const char *s, size_t start, size_t end, const char *w)
{
	for (size_t i = 0; w[i]; i++)
		if (start + i >= end || s[start + i] != w[i])
			return false;
	return true;
}

int efi_cmdline_take_initrd(char *line, char *path, size_t pathsz)
{
	static const char key[] = "initrd=";
	size_t pos = 0, start, end, n, cut;
	bool quoted;

	while (next_word(line, &pos, &start, &end, &quoted)) {
		if (word_is(line, start, end, "--"))
			return 0;
		if (!word_starts(line, start, end, key))
			continue;
		/* An ESP path: '\' separates, it escapes nothing; the word ends at the next space. */
		quoted = false;
		for (end = start; line[end] && line[end] != ' '; end++)
			if (line[end] == '"' || line[end] == '\'')
				quoted = true;
		n = end - start - (sizeof(key) - 1);
		if (quoted || n == 0 || n >= pathsz)
			return -1;
		for (size_t i = 0; i < n; i++)
			path[i] = line[start + sizeof(key) - 1 + i];
		path[n] = '\0';
		/* Remove the word and the spaces before it (or after it, when it comes first). */
		cut = start;
		while (cut > 0 && line[cut - 1] == ' ')
			cut--;
		if (cut == 0)
			while (line[end] == ' ')
				end++;
		for (size_t i = 0; ; i++) {
			line[cut + i] = line[end + i];
			if (!line[end + i])
				break;
		}
		return 1;
	}
	return 0;
}

bool efi_cmdline_has_option(const char *line, const char *word)
{
	size_t pos = 0, start, end;
	bool quoted;

	while (next_word(line, &pos, &start, &end, &quoted)) {
		if (word_is(line, start, end, "--"))
			return false;
		if (!quoted && word_is(line, start, end, word))
			return true;
	}
	return false;
}

int efi_path_beside(const uint16_t *image_path, const char *name, uint16_t *out, size_t outsz)
{
	size_t n = 0, dir = 0;

	if (name[0] != '\\' && name[0] != '/' && image_path) {
		/* The directory part of the image's path, with its last '\'. */
		for (size_t i = 0; image_path[i]; i++)
			if (image_path[i] == '\\' || image_path[i] == '/')
				dir = i + 1;
		if (dir == 0) {
			if (outsz < 2)
				return -1;
			out[n++] = '\\';
		}
		for (size_t i = 0; i < dir; i++) {
			if (n + 1 >= outsz)
				return -1;
			out[n++] = image_path[i] == '/' ? '\\' : image_path[i];
		}
	} else if (name[0] != '\\' && name[0] != '/') {
		if (outsz < 2)
			return -1;
		out[n++] = '\\';
	}
	for (size_t i = 0; name[i]; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c < 0x20 || c >= 0x7f || n + 1 >= outsz)
			return -1;
		out[n++] = c == '/' ? '\\' : c;
	}
	out[n] = 0;
	return 0;
}
