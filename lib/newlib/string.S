/* SPDX-License-Identifier: MIT */
/*
 * memcpy, memmove, memset and memcmp for x86-64, in place of newlib's. Its memcpy starts even a
 * 3-byte copy with `rep movsb` and copies 256 bytes or more with non-temporal stores (which push
 * the copy out of the cache the caller reads it from next); its memmove and memcmp are C that
 * goes word by word only when both pointers are 8-byte aligned, and byte by byte otherwise.
 *
 * Here, up to 32 bytes: a first and a last piece, overlapping, every load before any store, so
 * any overlap is right and nothing loops. Above: 32 bytes a step in four registers, with the last
 * (< 32) bytes done as above; forward copies of REP_MIN bytes or more that do not overlap use
 * `rep movsb` (fast on CPUs with ERMS, and never slow on others for such sizes). Backward moves
 * loop from the end. General-purpose registers only: the kernel, which calls these too, keeps
 * no SSE state (-mgeneral-regs-only), and CPL-0 code under PVM cannot execute SSE at all.
 *
 * The unit test (tests/unit/test_string.c) builds this file with SK_STRING_TEST, which names the
 * functions test_memcpy and so on, so they do not replace the host's.
 */
#ifdef SK_STRING_TEST
#define SYM(name) test_##name
#else
#define SYM(name) name
#endif

/*
 * From here on `rep movsb` beats the register loop: measured on an AMD EPYC (ERMS, FSRM), its
 * start-up costs about 17 ns, which the loop (about 35 bytes per ns) spends on 600-1000 bytes.
 */
#define REP_MIN 1024

#define FUNCTION(name)                          \
	.section .text.name, "ax", @progbits;   \
	.globl SYM(name);                       \
	.type SYM(name), @function;             \
	.p2align 4;                             \
SYM(name):

#define END(name) .size SYM(name), . - SYM(name)

/*
 * void *memmove(void *dst, const void *src, size_t n): rdi, rsi, rdx; returns dst in rax.
 * memcpy is the same function: checking for overlap costs two instructions, and a caller that
 * passes overlapping buffers to memcpy gets what it meant.
 */
	.section .text.memmove, "ax", @progbits
	.globl SYM(memmove), SYM(memcpy)
	.type SYM(memmove), @function
	.type SYM(memcpy), @function
	.p2align 4
SYM(memcpy):
SYM(memmove):
	movq %rdi, %rax
.Lmove:					/* rdi, rsi, rdx: what is left to copy */
	cmpq $16, %rdx
	ja .Lmove_over16
	cmpl $8, %edx
	jb .Lmove_under8
	movq (%rsi), %rcx		/* 8..16: first and last 8 */
	movq -8(%rsi,%rdx), %r8
	movq %rcx, (%rdi)
	movq %r8, -8(%rdi,%rdx)
	ret
.Lmove_under8:
	cmpl $4, %edx
	jb .Lmove_under4
	movl (%rsi), %ecx		/* 4..7: first and last 4 */
	movl -4(%rsi,%rdx), %r8d
	movl %ecx, (%rdi)
	movl %r8d, -4(%rdi,%rdx)
	ret
.Lmove_under4:
	testl %edx, %edx
	je .Lmove_done
	movzbl -1(%rsi,%rdx), %ecx	/* 1..3: the last byte, and for 2..3 the first two */
	cmpl $1, %edx
	je 1f
	movzwl (%rsi), %r8d
	movw %r8w, (%rdi)
1:	movb %cl, -1(%rdi,%rdx)
.Lmove_done:
	ret

.Lmove_over16:
	cmpq $32, %rdx
	ja .Lmove_over32
	movq (%rsi), %rcx		/* 17..32: first and last 16 */
	movq 8(%rsi), %r8
	movq -16(%rsi,%rdx), %r9
	movq -8(%rsi,%rdx), %r10
	movq %rcx, (%rdi)
	movq %r8, 8(%rdi)
	movq %r9, -16(%rdi,%rdx)
	movq %r10, -8(%rdi,%rdx)
	ret

.Lmove_over32:
	movq %rdi, %rcx			/* dst inside [src, src + n): copy from the end */
	subq %rsi, %rcx
	cmpq %rdx, %rcx
	jb .Lmove_backward
	cmpq $REP_MIN, %rdx
	jb .Lmove_forward
	movq %rsi, %rcx			/* src inside (dst, dst + n): overlapping, keep to the loop */
	subq %rdi, %rcx
	cmpq %rdx, %rcx
	jb .Lmove_forward
	movq %rdx, %rcx
	rep movsb
	ret

	/*
	 * Each step loads its 32 bytes before storing them, and stores only below what it has
	 * loaded, so a destination below the source overlapping it comes out right; the rest
	 * (1..32 bytes) lies past everything stored, and goes as a small copy.
	 */
	.p2align 4
.Lmove_forward:
	movq (%rsi), %rcx
	movq 8(%rsi), %r8
	movq 16(%rsi), %r9
	movq 24(%rsi), %r10
	movq %rcx, (%rdi)
	movq %r8, 8(%rdi)
	movq %r9, 16(%rdi)
	movq %r10, 24(%rdi)
	addq $32, %rsi
	addq $32, %rdi
	subq $32, %rdx
	cmpq $32, %rdx
	ja .Lmove_forward
	jmp .Lmove

	/* The mirror image: from the end down, then the first 1..32 bytes as a small copy. */
.Lmove_backward:
	addq %rdx, %rsi
	addq %rdx, %rdi
	.p2align 4
1:	movq -8(%rsi), %rcx
	movq -16(%rsi), %r8
	movq -24(%rsi), %r9
	movq -32(%rsi), %r10
	movq %rcx, -8(%rdi)
	movq %r8, -16(%rdi)
	movq %r9, -24(%rdi)
	movq %r10, -32(%rdi)
	subq $32, %rsi
	subq $32, %rdi
	subq $32, %rdx
	cmpq $32, %rdx
	ja 1b
	subq %rdx, %rsi
	subq %rdx, %rdi
	jmp .Lmove
	.size SYM(memmove), . - SYM(memmove)
	.size SYM(memcpy), . - SYM(memcpy)

/* void *memset(void *dst, int c, size_t n): the byte in all of rcx, stored as memmove copies. */
FUNCTION(memset)
	movq %rdi, %rax
	movzbl %sil, %ecx
	movabsq $0x0101010101010101, %r8
	imulq %r8, %rcx
	cmpq $16, %rdx
	ja .Lset_over16
	cmpl $8, %edx
	jb .Lset_under8
	movq %rcx, (%rdi)
	movq %rcx, -8(%rdi,%rdx)
	ret
.Lset_under8:
	cmpl $4, %edx
	jb .Lset_under4
	movl %ecx, (%rdi)
	movl %ecx, -4(%rdi,%rdx)
	ret
.Lset_under4:
	testl %edx, %edx
	je .Lset_done
	movb %cl, -1(%rdi,%rdx)		/* 1..3: the last byte, and for 2..3 the first two */
	cmpl $1, %edx
	je .Lset_done
	movw %cx, (%rdi)
.Lset_done:
	ret
.Lset_over16:
	cmpq $32, %rdx
	ja .Lset_over32
	movq %rcx, (%rdi)
	movq %rcx, 8(%rdi)
	movq %rcx, -16(%rdi,%rdx)
	movq %rcx, -8(%rdi,%rdx)
	ret
.Lset_over32:
	cmpq $REP_MIN, %rdx
	jae .Lset_rep
	movq %rcx, -32(%rdi,%rdx)	/* the last 32 first; then 32 a step from the start */
	movq %rcx, -24(%rdi,%rdx)
	movq %rcx, -16(%rdi,%rdx)
	movq %rcx, -8(%rdi,%rdx)
	.p2align 4
1:	movq %rcx, (%rdi)
	movq %rcx, 8(%rdi)
	movq %rcx, 16(%rdi)
	movq %rcx, 24(%rdi)
	addq $32, %rdi
	subq $32, %rdx
	cmpq $32, %rdx
	ja 1b
	ret
.Lset_rep:
	movq %rdi, %r9
	movl %esi, %eax
	movq %rdx, %rcx
	rep stosb
	movq %r9, %rax
	ret
END(memset)

/*
 * int memcmp(const void *a, const void *b, size_t n): 8 bytes a step, the last step ending at
 * the end (it may compare again up to 7 bytes already equal). The first words that differ,
 * byte-swapped, compare as the bytes do: the lower address is the more significant.
 */
FUNCTION(memcmp)
	cmpq $8, %rdx
	jb .Lcmp_small
	leaq -8(%rdi,%rdx), %r8
	leaq -8(%rsi,%rdx), %r9
	.p2align 4
1:	movq (%rdi), %rcx
	movq (%rsi), %r10
	cmpq %r10, %rcx
	jne .Lcmp_differ
	addq $8, %rdi
	addq $8, %rsi
	cmpq %r8, %rdi
	jb 1b
	movq (%r8), %rcx
	movq (%r9), %r10
	cmpq %r10, %rcx
	jne .Lcmp_differ
	xorl %eax, %eax
	ret
.Lcmp_differ:
	bswapq %rcx
	bswapq %r10
	cmpq %r10, %rcx
	sbbl %eax, %eax			/* -1 when a's word is below b's, else 0 */
	orl $1, %eax
	ret
.Lcmp_small:
	xorl %eax, %eax
	testq %rdx, %rdx
	je 2f
1:	movzbl (%rdi), %eax
	movzbl (%rsi), %ecx
	subl %ecx, %eax
	jne 2f
	incq %rdi
	incq %rsi
	decq %rdx
	jne 1b
2:	ret
END(memcmp)

	.section .note.GNU-stack, "", @progbits
