// SPDX-License-Identifier: MIT
/*
 * The instructions the process backend emulates, after the CPU refused them to this CPL-3
 * process: port I/O the guest's TSS bitmap allows (hypercalls: served, as KVM would have
 * exited), CPUID where the host makes it trap, and in the image's CPL-0 trap stubs, which run
 * here at CPL 3, the privileged ones they use: reading CR2 (and CR0, CR3, CR4), invlpg, hlt, and
 * iretq, which does not trap but must not run (it would load a 32-bit code segment here).
 * Anything else gets the #GP the guest would get.
 */
#include <string.h>
#include <hv/hv.h>

#define RFLAGS_DF 0x400ULL

struct insn {
	const uint8_t *b;	/* the bytes */
	unsigned n;		/* how many were readable */
	unsigned op;		/* index of the opcode, after the prefixes */
	bool o16, rep;
	uint8_t rex;
};

unsigned hv_proc_fetch(struct hv *hv, uint64_t rip, uint8_t insn[16])
{
	unsigned n = 0;

	while (n < 15) {
		unsigned chunk = 4096 - (unsigned)((rip + n) & 4095);

		if (chunk > 15 - n)
			chunk = 15 - n;
		if (!hv_proc_read(hv, rip + n, insn + n, chunk))
			break;
		n += chunk;
	}
	return n;
}

/* Prefixes: operand size, rep, REX (last); segment, address size and lock mean nothing here. */
static bool decode_prefixes(struct insn *in)
{
	for (in->op = 0; in->op < in->n; in->op++) {
		uint8_t c = in->b[in->op];

		if (c == 0x66)
			in->o16 = true;
		else if (c == 0xf2 || c == 0xf3)
			in->rep = true;
		else if (c >= 0x40 && c <= 0x4f)
			in->rex = c;
		else if (!(c == 0x26 || c == 0x2e || c == 0x36 || c == 0x3e || c == 0x64 || c == 0x65 ||
			   c == 0x67 || c == 0xf0))
			return true;
	}
	return false;
}

/* General register n in the x86 encoding (rax rcx rdx rbx rsp rbp rsi rdi r8 ... r15). */
static uint64_t *gpr(struct hv_regs *r, unsigned n)
{
	uint64_t *const map[16] = { &r->rax, &r->rcx, &r->rdx, &r->rbx, &r->rsp, &r->rbp, &r->rsi,
				    &r->rdi, &r->r8, &r->r9, &r->r10, &r->r11, &r->r12, &r->r13,
				    &r->r14, &r->r15 };

	return map[n & 15];
}

/* An I/O instruction at in->op: to hv_io_exit, if the bitmap lets it through. */
static bool port_io(struct hv *hv, struct insn *in)
{
	struct hv_regs *r = &hv->proc.regs;
	uint8_t opc = in->b[in->op];
	bool imm = (opc & 0xfc) == 0xe4, str = (opc & 0xfc) == 0x6c, out = (opc & 2) != 0;
	unsigned size = (opc & 1) ? (in->o16 ? 2 : 4) : 1, len = in->op + 1 + imm, count = 1;
	uint16_t port = imm ? (in->op + 1 < in->n ? in->b[in->op + 1] : 0) : (uint16_t)r->rdx;
	uint32_t value = (uint32_t)r->rax & (size == 4 ? 0xffffffffu : (1u << (8 * size)) - 1);

	if (imm && in->op + 1 >= in->n)
		return false;
	if (!hv_io_port_open(hv, port, size))
		return false; /* the CPU's #GP */
	if (str) {
		if (in->rep && r->rcx == 0) {
			r->rip += len; /* nothing to repeat */
			return true;
		}
		count = in->rep ? (r->rcx > 0xffffffffu ? 0xffffffffu : (unsigned)r->rcx) : 1;
		value = 0;
		if (out && count == 1 && !hv_proc_read(hv, r->rsi, &value, size))
			return false;
	}
	hv_io_exit(hv, !out, port, size, count, value);
	if (!hv->stop) {
		r->rip += len;
		if (str)
			r->rsi += (r->rflags & RFLAGS_DF) ? -(uint64_t)size : size;
	}
	return true;
}

/* The memory operand of a ModRM byte at b[0] (with its SIB and displacement), 64-bit addressing. */
static bool modrm_address(const struct insn *in, unsigned at, struct hv_regs *r, uint64_t *ea,
			  unsigned *len)
{
	uint8_t modrm = in->b[at], mod = modrm >> 6, rm = modrm & 7;
	unsigned i = at + 1, disp = mod == 1 ? 1 : mod == 2 ? 4 : 0;
	uint64_t base = 0;

	if (mod == 3 || i >= in->n)
		return false;
	if (rm == 4) { /* SIB */
		uint8_t sib = in->b[i++], idx = (uint8_t)((sib >> 3 & 7) | ((in->rex & 2) << 2));

		if ((sib & 7) == 5 && mod == 0)
			disp = 4;
		else
			base = *gpr(r, (sib & 7) | ((in->rex & 1) << 3));
		if (idx != 4)
			base += *gpr(r, idx) << (sib >> 6);
	} else if (rm == 5 && mod == 0) {
		disp = 4;
		base = r->rip; /* rip-relative: from the end of the instruction, added below */
	} else {
		base = *gpr(r, rm | ((in->rex & 1) << 3));
	}
	if (i + disp > in->n)
		return false;
	if (disp == 1)
		base += (uint64_t)(int64_t)(int8_t)in->b[i];
	else if (disp == 4)
		base += (uint64_t)(int64_t)(int32_t)(in->b[i] | in->b[i + 1] << 8 | in->b[i + 2] << 16 |
						     (uint32_t)in->b[i + 3] << 24);
	*len = i + disp;
	if (rm == 5 && mod == 0)
		base += *len;
	*ea = base;
	return true;
}

static uint64_t cr_value(const struct hv *hv, unsigned n)
{
	switch (n) {
	case 0: return 0x80010033;	/* as the KVM backend sets them */
	case 2: return hv->proc.regs.cr2;
	case 3: return hv->proc.cr3;
	case 4: return 0x620;
	default: return 0;
	}
}

/* 0f 20 /r (mov from CR), 0f 01 /7 (invlpg), f4 (hlt): only in a CPL-0 stub. */
static bool privileged(struct hv *hv, struct insn *in)
{
	struct hv_regs *r = &hv->proc.regs;
	const uint8_t *b = in->b + in->op;
	unsigned left = in->n - in->op, len;
	uint64_t ea;

	if (hv->proc.vcpl != 0)
		return false;
	if (b[0] == 0xf4) {
		hv_stop(hv, SKIFF_HV_EXIT_GUEST_FAULT,
			"guest fault: HLT with interrupts off: the guest stopped for good; registers:");
		hv_dump_regs(hv);
		return true;
	}
	if (left < 3 || b[0] != 0x0f)
		return false;
	if (b[1] == 0x20 && (b[2] >> 6) == 3 && ((b[2] >> 3 & 7) == 0 || (b[2] >> 3 & 7) >= 2) &&
	    (b[2] >> 3 & 7) <= 4) {
		*gpr(r, (b[2] & 7) | ((in->rex & 1) << 3)) = cr_value(hv, b[2] >> 3 & 7);
		r->rip += in->op + 3;
		return true;
	}
	if (b[1] == 0x01 && (b[2] >> 3 & 7) == 7 && modrm_address(in, in->op + 2, r, &ea, &len)) {
		hv_proc_invlpg(hv, ea);
		r->rip += len;
		return true;
	}
	return false;
}

bool hv_proc_emulate(struct hv *hv)
{
	struct hv_regs *r = &hv->proc.regs;
	uint8_t bytes[16];
	struct insn in = { .b = bytes };
	uint8_t opc;

	in.n = hv_proc_fetch(hv, r->rip, bytes);
	if (!decode_prefixes(&in))
		return false;
	opc = bytes[in.op];
	if ((opc & 0xf4) == 0xe4 || (opc & 0xfc) == 0x6c)
		return port_io(hv, &in);
	if (opc == 0x0f && in.op + 1 < in.n && bytes[in.op + 1] == 0xa2) { /* cpuid, where it traps */
		uint32_t v[4];

		hv_cpuid((uint32_t)r->rax, (uint32_t)r->rcx, v);
		r->rax = v[0];
		r->rbx = v[1];
		r->rcx = v[2];
		r->rdx = v[3];
		r->rip += in.op + 2;
		return true;
	}
	return privileged(hv, &in);
}

/*
 * iretq from a CPL-0 stub: pop rip, cs, rflags, rsp, ss as the CPU would (the frame through the
 * guest's page tables). A frame that cannot be read is a fault with no way out: a triple fault.
 */
void hv_proc_step_stub(struct hv *hv)
{
	struct hv_regs *r = &hv->proc.regs;
	uint8_t b[16];
	uint64_t f[5];

	if (!hv->proc.in_stub || hv_proc_fetch(hv, r->rip, b) < 2 || b[0] != 0x48 || b[1] != 0xcf)
		return;
	if (!hv_proc_read(hv, r->rsp, f, sizeof(f))) {
		hv_stop(hv, SKIFF_HV_EXIT_GUEST_FAULT,
			"guest fault: triple fault (an exception the guest could not handle); registers:");
		hv_dump_regs(hv);
		return;
	}
	r->rip = f[0];
	r->cs = (uint16_t)f[1];
	r->rflags = (f[2] & 0x254dd5ULL) | 0x2; /* the flags user code may hold; IF stays ours */
	r->rsp = f[3];
	r->ss = (uint16_t)f[4];
	hv->proc.vcpl = f[1] & 3;
	hv->proc.in_stub = hv->proc.vcpl == 0;
}
