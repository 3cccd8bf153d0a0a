// SPDX-License-Identifier: MIT
/* The gdb remote stub (--gdb=PORT). */
#include <hv/hv.h>

int hv_gdb_wait(struct hv *hv)
{
	if (hv->opt.gdb_port)
		hv_err("--gdb is not available in this build yet");
	return hv->opt.gdb_port ? -1 : 0;
}

bool hv_gdb_handle_exit(struct hv *hv, int signo)
{
	(void)hv;
	(void)signo;
	return false;
}
