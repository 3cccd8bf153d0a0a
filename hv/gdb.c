// SPDX-License-Identifier: MIT
/* The gdb remote stub (--gdb=PORT): GDB's remote serial protocol on one TCP connection. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <hv/hv.h>

#define PKT_MAX 4096		/* our PacketSize */
#define MEM_MAX (PKT_MAX / 2)	/* an m reply fits in a packet */
#define MAX_BPS 64
#define INT3 0xcc
/* Registers without a target description: rax..r15, rip (8 bytes), eflags cs ss ds es fs gs (4). */
#define NREGS 24
#define REG_BYTES (17 * 8 + 7 * 4)
#define REG_OFF(n) ((n) < 17 ? 8 * (n) : 17 * 8 + 4 * ((n) - 17))
#define REG_SIZE(n) ((n) < 17 ? 8 : 4)
#define KILLED (128 + 9)	/* the exit status after gdb's kill, as for SIGKILL */

enum action { SERVE, RESUME, KILL };

struct bp {
	uint64_t addr;
	uint8_t saved;	/* the byte under the int3 */
	bool used;
};

static struct {
	struct bp bp[MAX_BPS];
	struct bp *over;	/* lifted to step over it: put back after the step */
	bool step;		/* gdb asked for one instruction */
	bool noack;
	volatile sig_atomic_t running;	 /* gdb waits for a stop reply */
	volatile sig_atomic_t interrupt; /* gdb sent ^C while the guest ran */
	uint8_t rx[512];
	size_t rx_len, rx_pos;
	char in[PKT_MAX + 1], out[PKT_MAX + 1];
} gdb;

static struct hv *the_hv;	/* for the SIGIO handler and the exit report */

static int get_byte(struct hv *hv)
{
	struct pollfd p = { .fd = hv->gdb_fd, .events = POLLIN };
	ssize_t n;

	if (gdb.rx_pos == gdb.rx_len) {
		/*
		 * Wait in ppoll with SIGINT and SIGTERM let through: the process backend serves gdb
		 * from a signal handler that holds them back everywhere else.
		 */
		do
			n = ppoll(&p, 1, NULL, hv_wait_mask()) < 0 ? -1 : read(hv->gdb_fd, gdb.rx, sizeof(gdb.rx));
		while (n < 0 && errno == EINTR && !hv_signal);
		if (n <= 0)
			return -1; /* closed, or SIGINT/SIGTERM: the run loop ends the guest */
		gdb.rx_len = (size_t)n;
		gdb.rx_pos = 0;
	}
	return gdb.rx[gdb.rx_pos++];
}

static bool put_bytes(struct hv *hv, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(hv->gdb_fd, p, n);

		if (w < 0 && errno == EINTR && !hv_signal)
			continue;
		if (w <= 0)
			return false;
		p += w;
		n -= (size_t)w;
	}
	return true;
}

static int hexval(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static uint64_t parse_hex(const char **p)
{
	uint64_t v = 0;

	for (int d; (d = hexval(**p)) >= 0; (*p)++)
		v = v << 4 | (uint64_t)d;
	return v;
}

static void hex_byte(char *out, uint8_t b)
{
	out[0] = "0123456789abcdef"[b >> 4];
	out[1] = "0123456789abcdef"[b & 0xf];
}

static void to_hex(char *out, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		hex_byte(out + 2 * i, b[i]);
	out[2 * n] = 0;
}

/* n bytes from hex digits; false when the digits run out first. */
static bool from_hex(uint8_t *b, const char *hex, size_t n)
{
	for (size_t i = 0; i < n; i++, hex += 2) {
		int hi = hexval(hex[0]), lo = hi < 0 ? -1 : hexval(hex[1]);

		if (lo < 0)
			return false;
		b[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

/* $data#checksum, sent again until gdb acks it with '+'. */
static bool put_packet(struct hv *hv, const char *data)
{
	static char frame[PKT_MAX + 8];
	uint8_t sum = 0;
	size_t n;
	int c;

	for (const char *p = data; *p; p++)
		sum += (uint8_t)*p;
	n = (size_t)snprintf(frame, sizeof(frame), "$%s#%02x", data, sum);
	do {
		if (!put_bytes(hv, frame, n))
			return false;
		if (gdb.noack)
			return true;
		while ((c = get_byte(hv)) >= 0 && c != '+' && c != '-')
			;
	} while (c == '-');
	return c == '+';
}

/* The next packet's payload into gdb.in, acked; false when the connection is gone. */
static bool get_packet(struct hv *hv)
{
	for (;;) {
		size_t n = 0;
		uint8_t sum = 0;
		int c, hi, lo;

		while ((c = get_byte(hv)) >= 0 && c != '$')
			; /* acks, and a ^C that came too late: the guest is stopped anyway */
		while ((c = get_byte(hv)) >= 0 && c != '#') {
			if (n < PKT_MAX)
				gdb.in[n++] = (char)c;
			sum += (uint8_t)c;
		}
		if (c < 0 || (hi = get_byte(hv)) < 0 || (lo = get_byte(hv)) < 0)
			return false;
		gdb.in[n] = 0;
		if (gdb.noack)
			return true;
		if (hexval(hi) == sum >> 4 && hexval(lo) == (sum & 0xf))
			return put_bytes(hv, "+", 1);
		if (!put_bytes(hv, "-", 1))
			return false;
	}
}

/* Where gdb's register n is in struct hv_regs as 18 u64s: gdb puts rbp before rsp. */
static const uint8_t reg_index[18] = { 0, 1, 2, 3, 4, 5, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17 };

static bool regs_read(struct hv *hv, uint8_t raw[REG_BYTES])
{
	struct hv_regs r;
	uint64_t v[18];
	uint32_t seg[6];

	if (hv->be->get_regs(hv, &r))
		return false;
	memcpy(v, &r, sizeof(v));
	for (unsigned i = 0; i < 18; i++)
		memcpy(raw + REG_OFF(i), &v[reg_index[i]], REG_SIZE(i));
	/* cs ss ds es fs gs: ds, es, fs and gs are the data segment, as the monitor set them. */
	seg[0] = r.cs;
	seg[1] = seg[2] = seg[3] = seg[4] = seg[5] = r.ss;
	for (unsigned i = 0; i < 6; i++)
		memcpy(raw + REG_OFF(18 + i), &seg[i], 4);
	return true;
}

/* The general registers, rip and eflags. The segments are the monitor's: gdb's are dropped. */
static bool regs_write(struct hv *hv, const uint8_t raw[REG_BYTES])
{
	struct hv_regs r;
	uint64_t v[18];

	if (hv->be->get_regs(hv, &r))
		return false;
	memcpy(v, &r, sizeof(v));
	for (unsigned i = 0; i < 18; i++)
		memcpy(&v[reg_index[i]], raw + REG_OFF(i), REG_SIZE(i));
	memcpy(&r, v, sizeof(v));
	return hv->be->set_regs(hv, &r) == 0;
}

/* g, G hex, p n, P n=hex */
static void regs_packet(struct hv *hv, const char *p)
{
	uint8_t raw[REG_BYTES];
	char kind = *p++;
	unsigned n = kind == 'p' || kind == 'P' ? (unsigned)parse_hex(&p) : 0;
	size_t len = strlen(p) / 2;
	bool ok;

	if (n >= NREGS || !regs_read(hv, raw)) {
		strcpy(gdb.out, "E01");
	} else if (kind == 'g' || kind == 'p') {
		to_hex(gdb.out, raw + REG_OFF(n), kind == 'g' ? REG_BYTES : REG_SIZE(n));
	} else {
		/* A short G leaves the registers after it as they are. */
		ok = kind == 'G' ? from_hex(raw, p, len < REG_BYTES ? len : REG_BYTES) :
		     *p == '=' && from_hex(raw + REG_OFF(n), p + 1, REG_SIZE(n));
		strcpy(gdb.out, ok && regs_write(hv, raw) ? "OK" : "E01");
	}
}

static struct bp *bp_find(uint64_t addr)
{
	for (struct bp *b = gdb.bp; b < gdb.bp + MAX_BPS; b++)
		if (b->used && b->addr == addr)
			return b;
	return NULL;
}

bool hv_gdb_breakpoint_at(uint64_t addr)
{
	return bp_find(addr) != NULL;
}

/*
 * gdb speaks the guest's virtual addresses: thread stacks run in an alias of RAM, the rest is
 * identity mapped. A range must map to contiguous guest-physical memory (any one page does, and
 * so does a stack); NULL otherwise or outside memory.
 */
static uint8_t *virt_ptr(struct hv *hv, uint64_t va, uint64_t len)
{
	struct hv_regs r;
	uint64_t first, last;

	if (len == 0 || va + len - 1 < va || hv->be->get_regs(hv, &r) ||
	    !guest_virt_to_phys(&hv->guest, r.cr3, va, &first) ||
	    !guest_virt_to_phys(&hv->guest, r.cr3, va + len - 1, &last) || last - first != len - 1)
		return NULL;
	return guest_ptr(&hv->guest, first, len, 1);
}

/* Put v in the breakpoint's byte, if the guest still maps it (it may change its page tables). */
static void bp_poke(struct hv *hv, const struct bp *b, uint8_t v)
{
	uint8_t *p = virt_ptr(hv, b->addr, 1);

	if (p)
		*p = v;
}

/* m addr,len and M addr,len:hex. gdb reads and writes the bytes under our int3s, not the int3s. */
static void mem_packet(struct hv *hv, const char *p)
{
	bool write = *p++ == 'M';
	uint64_t addr = parse_hex(&p), len = *p == ',' ? (p++, parse_hex(&p)) : UINT64_MAX;
	uint8_t *mem = len <= MEM_MAX ? virt_ptr(hv, addr, len) : NULL;
	struct bp *b;

	if (!mem || (write && (*p != ':' || !from_hex(mem, p + 1, len)))) {
		strcpy(gdb.out, "E14");
		return;
	}
	if (!write)
		to_hex(gdb.out, mem, len);
	for (uint64_t i = 0; i < len; i++) {
		if (!(b = bp_find(addr + i)))
			continue;
		if (write)
			b->saved = mem[i], mem[i] = INT3;
		else
			hex_byte(gdb.out + 2 * i, b->saved);
	}
	if (write)
		strcpy(gdb.out, "OK");
}

/* Z0,addr,kind and z0,addr,kind: an int3 in guest memory. Other kinds get the empty reply. */
static void bp_packet(struct hv *hv, const char *p)
{
	bool insert = p[0] == 'Z', sw = !strncmp(p + 1, "0,", 2);
	uint64_t addr = (p += 3, parse_hex(&p));
	uint8_t *mem = virt_ptr(hv, addr, 1);
	struct bp *b = bp_find(addr);

	if (!sw) {
		gdb.out[0] = 0;
	} else if (!mem) {
		strcpy(gdb.out, "E14");
	} else if (!insert && b) {
		*mem = b->saved;
		b->used = false;
	} else if (insert && !b) {
		for (b = gdb.bp; b < gdb.bp + MAX_BPS && b->used; b++)
			;
		if (b == gdb.bp + MAX_BPS)
			strcpy(gdb.out, "E0c"); /* gdb says it cannot insert the breakpoint */
		else
			*b = (struct bp){ .addr = addr, .saved = *mem, .used = true }, *mem = INT3;
	}
}

static int set_debug(struct hv *hv, bool on, bool step)
{
	return hv->be->set_debug(hv, on, step);
}

/* D, or the connection gone: no int3 left behind, no debug exits, the guest runs on. */
static enum action detach(struct hv *hv)
{
	for (struct bp *b = gdb.bp; b < gdb.bp + MAX_BPS; b++)
		if (b->used && b != gdb.over)
			bp_poke(hv, b, b->saved);
	memset(gdb.bp, 0, sizeof(gdb.bp));
	gdb.over = NULL;
	set_debug(hv, false, false);
	hv->gdb_fd = -1; /* the filter allows no close(): the socket closes at exit */
	gdb.running = false;
	return RESUME;
}

/* Let the guest run. From here on a ^C (SIGIO) may come at any time, and must not be lost. */
static int arm(struct hv *hv, bool step)
{
	bool stepping;
	int err;

	gdb.running = true;
	do {
		stepping = step || gdb.interrupt;
		err = set_debug(hv, true, stepping);
	} while (!err && !stepping && gdb.interrupt); /* the ^C came in between: arm again */
	if (err)
		gdb.running = false;
	return err;
}

/* c and s. A breakpoint under rip is lifted for one step first, else the guest would hit it again. */
static enum action resume(struct hv *hv, bool step)
{
	struct hv_regs r;
	struct bp *b = hv->be->get_regs(hv, &r) == 0 ? bp_find(r.rip) : NULL;
	int err;

	/* A ^C read along with this packet: no SIGIO comes for it. */
	gdb.interrupt = memchr(gdb.rx + gdb.rx_pos, 3, gdb.rx_len - gdb.rx_pos) != NULL;
	if ((err = arm(hv, step || b))) {
		snprintf(gdb.out, PKT_MAX, "E.cannot debug the guest: %s", strerror(err));
		return SERVE;
	}
	if (b)
		bp_poke(hv, b, b->saved);
	gdb.over = b;
	gdb.step = step;
	return RESUME;
}

static void query(const char *p)
{
	static const char *const answers[][2] = {
		/* No qXfer:features: gdb assumes plain x86-64 and takes our short g reply. */
		{ "qSupported", "PacketSize=1000;QStartNoAckMode+" },
		{ "qAttached", "1" },	/* "kill" ends the guest, "quit" detaches */
		{ "qC", "QC1" },	/* one vCPU: thread 1 */
		{ "qfThreadInfo", "m1" },
		{ "qsThreadInfo", "l" },
		{ "QStartNoAckMode", "OK" },
	};
	size_t n = strcspn(p, ":");

	gdb.out[0] = 0;
	for (unsigned i = 0; i < sizeof(answers) / sizeof(answers[0]); i++)
		if (strlen(answers[i][0]) == n && !strncmp(p, answers[i][0], n))
			strcpy(gdb.out, answers[i][1]);
}

/* Serve packets until gdb lets the guest run (c, s, D, connection gone) or kills it (k). */
static enum action serve(struct hv *hv)
{
	for (const char *p = gdb.in;;) {
		if (!get_packet(hv))
			return detach(hv);
		strcpy(gdb.out, "OK");
		switch (*p) {
		case '?': strcpy(gdb.out, "S05"); break;
		case 'g': case 'G': case 'p': case 'P': regs_packet(hv, p); break;
		case 'm': case 'M': mem_packet(hv, p); break;
		case 'Z': case 'z': bp_packet(hv, p); break;
		case 'H': case 'T': break; /* one thread, always alive */
		case 'q': case 'Q': query(p); break;
		case 'k': return KILL;
		case 'D': return put_packet(hv, "OK"), detach(hv);
		case 'c': case 's': /* no "c addr": gdb sets rip with P or G */
			if (resume(hv, *p == 's') == RESUME)
				return RESUME;
			break;
		default: gdb.out[0] = 0; /* not supported, vCont? included: gdb uses c and s */
		}
		if (!put_packet(hv, gdb.out))
			return detach(hv);
		gdb.noack |= !strcmp(p, "QStartNoAckMode"); /* from the next packet on */
	}
}

/* Report a stop and serve gdb; false when gdb killed the guest. */
static bool stopped(struct hv *hv, int signo)
{
	char reply[8];

	gdb.running = false;
	gdb.interrupt = 0;
	snprintf(reply, sizeof(reply), "S%02x", signo & 0xff);
	if (!put_packet(hv, reply))
		return detach(hv), true;
	if (serve(hv) != KILL)
		return true;
	hv_stop(hv, KILLED, "killed by the debugger");
	return false;
}

bool hv_gdb_handle_exit(struct hv *hv, int signo)
{
	if (hv->gdb_fd < 0)
		return true; /* a step begun before gdb detached */
	if (gdb.over) {
		bp_poke(hv, gdb.over, INT3);
		gdb.over = NULL;
		if (!gdb.step && !gdb.interrupt && !arm(hv, false))
			return true; /* stepped over the breakpoint: run on */
	}
	return stopped(hv, gdb.interrupt ? SIGINT : signo);
}

/*
 * gdb's ^C: the socket became readable while the guest runs. Stop after one instruction. Only
 * if there is something to read: a SIGIO held back while the monitor served gdb (the process
 * backend holds signals back while it serves one) may come late, for bytes already read.
 */
void hv_gdb_on_sigio(int sig)
{
	int saved = errno;
	struct pollfd p = { .fd = the_hv ? the_hv->gdb_fd : -1, .events = POLLIN };

	(void)sig;
	if (gdb.running && !gdb.interrupt && p.fd >= 0 && ppoll(&p, 1, &(struct timespec){ 0 }, NULL) > 0) {
		gdb.interrupt = 1;
		set_debug(the_hv, true, true);
	}
	errno = saved;
}

/* The guest ended while gdb waited for it: tell gdb the exit status. */
static void report_exit(void)
{
	char reply[8];

	if (the_hv->gdb_fd >= 0 && gdb.running) {
		snprintf(reply, sizeof(reply), "W%02x", the_hv->status & 0xff);
		gdb.noack = true; /* no waiting for gdb's ack: the socket closes with us */
		put_packet(the_hv, reply);
	}
}

/* One connection on 127.0.0.1:PORT; hv->gdb_fd stays -1 if SIGINT/SIGTERM came first. */
static int accept_gdb(struct hv *hv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)hv->opt.gdb_port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 1) < 0) {
		hv_err("--gdb: cannot listen on 127.0.0.1:%d: %s", hv->opt.gdb_port, strerror(errno));
		return -1;
	}
	hv_err("waiting for gdb on 127.0.0.1:%d", hv->opt.gdb_port);
	hv->gdb_fd = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
	close(fd);
	if (hv->gdb_fd < 0) {
		if (errno == EINTR && hv_signal)
			return 0;
		hv_err("--gdb: accept: %s", strerror(errno));
		return -1;
	}
	/* gdb waits for each answer: Nagle's delay would slow every step down. */
	setsockopt(hv->gdb_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (fcntl(hv->gdb_fd, F_SETOWN, getpid()) < 0 || fcntl(hv->gdb_fd, F_SETFL, O_ASYNC) < 0)
		hv_err("--gdb: no SIGIO (%s): ^C cannot stop the guest", strerror(errno));
	return 0;
}

int hv_gdb_wait(struct hv *hv)
{
	struct sigaction ign = { .sa_handler = SIG_IGN };
	struct sigaction io = { .sa_handler = hv_gdb_on_sigio }; /* no SA_RESTART: ^C ends a ppoll */
	int err;

	if (!hv->opt.gdb_port)
		return 0;
	the_hv = hv;
	sigaction(SIGPIPE, &ign, NULL); /* a gone debugger: write() fails with EPIPE instead */
	sigaction(SIGIO, &io, NULL);
	if (accept_gdb(hv))
		return -1;
	if (hv->gdb_fd < 0)
		return 0; /* the run loop reports the signal */
	if ((err = set_debug(hv, true, false))) {
		hv_err("--gdb: this KVM cannot debug guests: %s", strerror(err));
		return -1;
	}
	atexit(report_exit);
	if (serve(hv) == KILL)
		hv_stop(hv, KILLED, "killed by the debugger");
	return 0;
}
