/* SPDX-License-Identifier: MIT */
/* The app's plat/kvm image (stripped), carried whole inside the stub; SKIFF_IMAGE names the file. */
	.section .rodata.skiff_image, "a"
	.balign 16
	.globl skiff_image
	.globl skiff_image_end
skiff_image:
	.incbin SKIFF_IMAGE
skiff_image_end:
	.section .note.GNU-stack, "", @progbits
