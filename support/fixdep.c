// SPDX-License-Identifier: MIT
/*
 * fixdep: rewrites a gcc -MMD dependency file so that an object depends on the Kconfig symbols its
 * sources and headers mention instead of on autoconf.h as a whole. kconfig-conf
 * --silentoldconfig touches include/config/<symbol as a path>.h for each symbol whose value
 * changed, so a .config change rebuilds only the objects that use a changed symbol.
 *
 * Usage: fixdep DEPFILE CONFIG_DIR > NEWDEPFILE
 *   CONFIG_DIR is the build's include/config directory.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SYMS 4096

static char *syms[MAX_SYMS];
static int nsyms;

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return NULL;
	}
	buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	if (buf) {
		buf[n] = '\0';
		*len = (size_t)n;
	}
	return buf;
}

static void add_sym(const char *s, size_t len)
{
	for (int i = 0; i < nsyms; i++)
		if (strlen(syms[i]) == len && !memcmp(syms[i], s, len))
			return;
	if (nsyms == MAX_SYMS) {
		fprintf(stderr, "fixdep: more than %d config symbols\n", MAX_SYMS);
		exit(1);
	}
	syms[nsyms] = strndup(s, len);
	if (!syms[nsyms++]) {
		perror("fixdep");
		exit(1);
	}
}

/* Every CONFIG_<NAME> in the file, where NAME is [A-Za-z0-9_]+ and not preceded by an ident char. */
static void scan(const char *path)
{
	size_t len = 0;
	char *buf = read_file(path, &len);

	if (!buf)
		return; /* a header gcc listed but that is gone: make's -MP rule copes */
	for (char *p = buf; (p = strstr(p, "CONFIG_")); p += 7) {
		size_t n = 0;

		if (p > buf && (isalnum((unsigned char)p[-1]) || p[-1] == '_'))
			continue;
		while (isalnum((unsigned char)p[7 + n]) || p[7 + n] == '_')
			n++;
		if (n)
			add_sym(p + 7, n);
	}
	free(buf);
}

static void print_sym_dep(const char *dir, const char *sym)
{
	printf(" \\\n  $(wildcard %s/", dir);
	for (const char *c = sym; *c; c++)
		putchar(*c == '_' ? '/' : tolower((unsigned char)*c));
	printf(".h)");
}

int main(int argc, char **argv)
{
	size_t len;
	char *dep, *p, *colon;

	if (argc != 3) {
		fprintf(stderr, "usage: fixdep DEPFILE CONFIG_DIR\n");
		return 2;
	}
	dep = read_file(argv[1], &len);
	if (!dep) {
		fprintf(stderr, "fixdep: cannot read %s\n", argv[1]);
		return 1;
	}
	colon = strchr(dep, ':');
	if (!colon) {
		fprintf(stderr, "fixdep: %s is not a dependency file\n", argv[1]);
		return 1;
	}
	*colon = '\0';
	printf("%s:", dep);
	/* The first rule: prerequisites up to the first newline not escaped by a backslash. */
	for (p = colon + 1;;) {
		char *tok;
		size_t n;

		while (*p == ' ' || *p == '\t' || (*p == '\\' && p[1] == '\n'))
			p += (*p == '\\') ? 2 : 1;
		if (!*p || *p == '\n')
			break;
		tok = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\n' && !(*p == '\\' && p[1] == '\n'))
			p++;
		n = (size_t)(p - tok);
		{
			char *file = strndup(tok, n);

			if (!file)
				return 1;
			if (!strstr(file, "generated/autoconf.h")) {
				printf(" \\\n  %s", file);
				if (file[0] != '/') /* system headers hold no symbol of ours */
					scan(file);
			}
			free(file);
		}
	}
	for (int i = 0; i < nsyms; i++)
		print_sym_dep(argv[2], syms[i]);
	printf("\n");
	/* The -MP phony targets that follow, without the one for autoconf.h. */
	for (char *line = strtok(p, "\n"); line; line = strtok(NULL, "\n"))
		if (!strstr(line, "generated/autoconf.h"))
			printf("%s\n", line);
	return 0;
}
