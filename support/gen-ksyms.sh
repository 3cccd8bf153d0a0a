#!/bin/sh
# SPDX-License-Identifier: MIT
# Reads `nm -n --defined-only IMAGE` and writes the assembly of the kernel's symbol table:
# sorted function addresses, name offsets and NUL-terminated names (see kernel/ksyms.c).
awk 'BEGIN { n = 0 }
NF == 3 && $2 ~ /^[tTwW]$/ && $3 !~ /^\.L/ { addr[n] = $1; name[n] = $3; n++ }
END {
	print "\t.section .ksyms, \"a\""
	print "\t.balign 8"
	print "\t.globl sk_ksyms_count"
	print "sk_ksyms_count:\n\t.quad " n
	print "\t.globl sk_ksyms_addr"
	print "sk_ksyms_addr:"
	for (i = 0; i < n; i++) print "\t.quad 0x" addr[i]
	print "\t.globl sk_ksyms_name_off"
	print "sk_ksyms_name_off:"
	off = 0
	for (i = 0; i < n; i++) { print "\t.long " off; off += length(name[i]) + 1 }
	print "\t.globl sk_ksyms_names"
	print "sk_ksyms_names:"
	for (i = 0; i < n; i++) print "\t.asciz \"" name[i] "\""
}'
