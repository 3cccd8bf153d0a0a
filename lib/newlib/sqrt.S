/* SPDX-License-Identifier: MIT */
/*
 * sqrt and sqrtf with the SSE instructions. newlib's portable libm computes a square root bit by
 * bit (e_sqrt.c), tens of times slower: half of a Lua benchmark's time went there. IEEE 754 asks
 * for a correctly rounded square root, which sqrtsd and sqrtss are, so the results are the same;
 * a negative argument (not a NaN) still sets errno to EDOM, as newlib's wrapper does. Assembly:
 * Skiff's own C is built without SSE registers.
 */
	.text
	.globl sqrt
	.type sqrt, @function
sqrt:
	xorpd %xmm1, %xmm1
	ucomisd %xmm1, %xmm0		/* CF: x < 0 or unordered; PF: unordered */
	sqrtsd %xmm0, %xmm0
	jp 1f
	jb 2f
1:	ret
2:	subq $8, %rsp
	movsd %xmm0, (%rsp)
	call sk_newlib_math_edom
	movsd (%rsp), %xmm0
	addq $8, %rsp
	ret
	.size sqrt, . - sqrt

	.globl sqrtf
	.type sqrtf, @function
sqrtf:
	xorps %xmm1, %xmm1
	ucomiss %xmm1, %xmm0
	sqrtss %xmm0, %xmm0
	jp 1f
	jb 2f
1:	ret
2:	subq $8, %rsp
	movss %xmm0, (%rsp)
	call sk_newlib_math_edom
	movss (%rsp), %xmm0
	addq $8, %rsp
	ret
	.size sqrtf, . - sqrtf

	.section .note.GNU-stack, "", @progbits
