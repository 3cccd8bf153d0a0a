// SPDX-License-Identifier: MIT
/* skiff-hv's command line: options, the image, kernel options and the app's arguments. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <hv/hv.h>

void hv_usage(void)
{
	printf("usage: skiff-hv [OPTIONS] IMAGE [KERNEL-OPTION...] [-- ARG...]\n"
	       "Runs a Skiff plat/kvm image on /dev/kvm, or as a sandboxed process without KVM.\n\n"
	       "  --backend=B       kvm, process, or auto (default: kvm when /dev/kvm opens,\n"
	       "                    else process); process shares skiff-hv's address space with\n"
	       "                    the guest: use kvm for images you do not trust\n"
	       "  --mem=SIZE        guest memory, e.g. 2M, 64M, 1G (default 64M, at most 4G)\n"
	       "  --disk=FILE       block device backed by FILE (read-write)\n"
	       "  --disk-ro=FILE    block device backed by FILE, read-only\n"
	       "  --initrd=FILE     hand FILE to the guest as its initrd\n"
	       "  --net=TAP         a NIC on the existing tap device TAP (repeat: up to 4 NICs,\n"
	       "                    the first is NIC 0), for images built with networking\n"
	       "  --net-mac=MAC     the MAC of the NIC of the --net before it (default: one made\n"
	       "                    from the tap's name, 02:53:4b:..)\n"
	       "  --net-spin=US     how long the guest and skiff-hv watch the NIC rings for a\n"
	       "                    frame before they sleep, 0 to 1000 (default: 200 when skiff-hv\n"
	       "                    may run on 4 CPUs or more, else 0: too few to watch on);\n"
	       "                    with a watch an I/O thread moves the frames while the guest\n"
	       "                    runs, without one skiff-hv moves them when the guest waits\n"
	       "  --stats           print exits by kind and frames moved when the guest ends\n"
	       "  --gdb=PORT        wait for gdb on 127.0.0.1:PORT before starting the guest\n"
	       "  --quiet           discard the guest's console output\n"
	       "  --help, --version\n\n"
	       "KERNEL-OPTIONs (e.g. loglevel=7) go to the kernel, ARGs to the app's main().\n"
	       "Exit status: the guest's (0-127); 250 usage, 251 bad image, 252 the guest broke\n"
	       "the ABI, 253 guest fault (triple fault), 254 internal error, 128+N signal N.\n");
}

/* Append s to the command line, in single quotes when quote is set. */
static int cmdline_add(char *line, const char *s, bool quote)
{
	size_t len = strlen(line);

	if (len && len + 1 < HV_CMDLINE_MAX)
		line[len++] = ' ';
	if (quote && len < HV_CMDLINE_MAX)
		line[len++] = '\'';
	for (; *s && len + 4 < HV_CMDLINE_MAX; s++) {
		if (quote && *s == '\'') { /* ' becomes '\'' */
			memcpy(line + len, "'\\''", 4);
			len += 4;
		} else {
			line[len++] = *s;
		}
	}
	if (*s || len + 2 >= HV_CMDLINE_MAX) {
		hv_err("the guest command line is longer than %d bytes", HV_CMDLINE_MAX - 1);
		return -1;
	}
	if (quote)
		line[len++] = '\'';
	line[len] = '\0';
	return 0;
}

static int parse_port(const char *s, int *port)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (!*s || *end || v < 1 || v > 65535) {
		hv_err("--gdb: '%s' is not a TCP port (1-65535)", s);
		return -1;
	}
	*port = (int)v;
	return 0;
}

static int add_net(const char *tap, struct hv_options *opt)
{
	if (!*tap) {
		hv_err("--net: needs a tap device's name");
		return -1;
	}
	if (opt->nnet == HV_NET_MAX_NICS) {
		hv_err("--net=%s: at most %d NICs", tap, HV_NET_MAX_NICS);
		return -1;
	}
	opt->net[opt->nnet++] = (struct hv_net_option){ .tap = tap };
	return 0;
}

static int set_mac(const char *s, struct hv_options *opt)
{
	struct hv_net_option *n = opt->nnet ? &opt->net[opt->nnet - 1] : NULL;

	if (!n) {
		hv_err("--net-mac=%s: give it after the --net it belongs to", s);
		return -1;
	}
	if (hv_parse_mac(s, n->mac)) {
		hv_err("--net-mac: '%s' is not a unicast MAC address like 02:00:00:00:00:01", s);
		return -1;
	}
	n->mac_given = true;
	return 0;
}

static int parse_spin(const char *s, int *us)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (!*s || *end || v < 0 || v > HV_NET_SPIN_MAX_US) {
		hv_err("--net-spin: '%s' is not a number of microseconds from 0 to %d", s, HV_NET_SPIN_MAX_US);
		return -1;
	}
	*us = (int)v;
	return 0;
}

static int parse_backend(const char *s, enum hv_backend_choice *b)
{
	if (!strcmp(s, "kvm"))
		*b = HV_BACKEND_KVM;
	else if (!strcmp(s, "process"))
		*b = HV_BACKEND_PROCESS;
	else if (!strcmp(s, "auto"))
		*b = HV_BACKEND_AUTO;
	else {
		hv_err("--backend: '%s' is not kvm, process or auto", s);
		return -1;
	}
	return 0;
}

static int parse_mem(const char *s, uint64_t *mem)
{
	if (hv_parse_size(s, mem) || *mem < (2ULL << 20) || *mem > HV_MAX_MEM) {
		hv_err("--mem: '%s' is not a size from 2M to 4G (e.g. 64M)", s);
		return -1;
	}
	return 0;
}

static int guest_command_line(int argc, char **argv, struct hv_options *opt)
{
	bool app_args = false;

	opt->cmdline[0] = '\0';
	for (int i = optind; i < argc; i++) {
		if (!app_args && !strcmp(argv[i], "--")) {
			app_args = true;
			if (cmdline_add(opt->cmdline, "--", false))
				return -1;
			continue;
		}
		if (!app_args && (strchr(argv[i], '\'') || strchr(argv[i], '"') || strchr(argv[i], ' '))) {
			hv_err("kernel option '%s' may not contain quotes or spaces", argv[i]);
			return -1;
		}
		if (cmdline_add(opt->cmdline, argv[i], app_args))
			return -1;
	}
	return 0;
}

int hv_args_parse(int argc, char **argv, struct hv_options *opt)
{
	enum { O_BACKEND = 256, O_MEM, O_DISK, O_DISK_RO, O_INITRD, O_GDB, O_QUIET, O_HELP, O_VERSION, O_SECCOMP,
	       O_NET, O_NET_MAC, O_NET_SPIN, O_STATS };
	static const struct option longopts[] = {
		{ "backend", required_argument, NULL, O_BACKEND },
		{ "mem", required_argument, NULL, O_MEM },
		{ "disk", required_argument, NULL, O_DISK },
		{ "disk-ro", required_argument, NULL, O_DISK_RO },
		{ "initrd", required_argument, NULL, O_INITRD },
		{ "gdb", required_argument, NULL, O_GDB },
		{ "quiet", no_argument, NULL, O_QUIET },
		{ "net", required_argument, NULL, O_NET },
		{ "net-mac", required_argument, NULL, O_NET_MAC },
		{ "net-spin", required_argument, NULL, O_NET_SPIN },
		{ "stats", no_argument, NULL, O_STATS },
		{ "help", no_argument, NULL, O_HELP },
		{ "version", no_argument, NULL, O_VERSION },
		{ "seccomp-selftest", no_argument, NULL, O_SECCOMP }, /* for the test suite */
		{ NULL, 0, NULL, 0 },
	};
	int c;

	opterr = 0;
	opt->mem = HV_DEFAULT_MEM;
	opt->net_spin_us = -1;
	while ((c = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		switch (c) {
		case O_BACKEND: if (parse_backend(optarg, &opt->backend)) return -1; break;
		case O_MEM: if (parse_mem(optarg, &opt->mem)) return -1; break;
		case O_DISK: opt->disk = optarg; opt->disk_ro = false; break;
		case O_DISK_RO: opt->disk = optarg; opt->disk_ro = true; break;
		case O_INITRD: opt->initrd = optarg; break;
		case O_GDB: if (parse_port(optarg, &opt->gdb_port)) return -1; break;
		case O_QUIET: opt->quiet = true; break;
		case O_NET: if (add_net(optarg, opt)) return -1; break;
		case O_NET_MAC: if (set_mac(optarg, opt)) return -1; break;
		case O_NET_SPIN: if (parse_spin(optarg, &opt->net_spin_us)) return -1; break;
		case O_STATS: opt->stats = true; break;
		case O_SECCOMP: opt->seccomp_selftest = true; break;
		case O_HELP: hv_usage(); return 1;
		case O_VERSION:
			printf("skiff-hv %s (ABI %d; backends: kvm, process)\n", HV_VERSION, SKIFF_HV_ABI_VERSION);
			return 1;
		default:
			hv_err("unknown or incomplete option '%s' (see --help)", argv[optind - 1]);
			return -1;
		}
	}
	if (optind >= argc) {
		hv_err("no image given (see --help)");
		return -1;
	}
	opt->image = argv[optind++];
	return guest_command_line(argc, argv, opt);
}
