/* SPDX-License-Identifier: MIT */
/* plat/xen's shared state and the steps of its boot sequence. */
#ifndef XEN_PLAT_XEN_H
#define XEN_PLAT_XEN_H

#include <stdbool.h>
#include <stdint.h>
#include <skiff/plat.h>
#include <xen/xen.h>
#include <xen/event_channel.h>
#include <xen/io/xs_wire.h>

#define XEN_PAGE 4096UL

extern start_info_t *xen_si;		/* PV only */
extern struct shared_info *xen_shared;
extern bool xen_pvh;			/* booted as PVH: frames are guest-physical, no P2M */

/*
 * Page frames: pseudo-physical (our addresses, va == pfn << 12) and machine. A PVH guest's
 * frames are translated by Xen itself, so there the two are the same number.
 */
static inline unsigned long pfn_to_mfn(unsigned long pfn)
{
	return xen_pvh ? pfn : ((const unsigned long *)xen_si->mfn_list)[pfn];
}

static inline unsigned long mfn_to_pfn(unsigned long mfn)
{
	return xen_pvh ? mfn : ((const unsigned long *)MACH2PHYS_VIRT_START)[mfn];
}

static inline void *mfn_to_virt(unsigned long mfn)
{
	return (void *)(mfn_to_pfn(mfn) << 12);
}

static inline unsigned long virt_to_mfn(const void *va)
{
	return pfn_to_mfn((uintptr_t)va >> 12);
}

/* mm.c: map every page of the domain; returns the first pfn no boot structure uses. */
unsigned long xen_mm_init(void);
bool xen_mm_mapped(uintptr_t va);
int xen_page_guard(void *addr, bool guard);
/* Map machine frame mfn at va (a page of ours), writable. */
int xen_map_mfn(void *va, unsigned long mfn);

void xen_console_init(unsigned long mfn, evtchn_port_t port);
void xen_console_write(const char *buf, size_t len);
void xen_time_init(void);
uint64_t xen_system_time_ns(void);

/* Event channels: ports with handlers run in thread context when plat_idle sees them. */
typedef void (*xen_evtchn_handler)(evtchn_port_t port, void *arg);
int xen_evtchn_bind_virq(uint32_t virq, evtchn_port_t *port);
int xen_evtchn_alloc_unbound(domid_t remote, evtchn_port_t *port);
void xen_evtchn_close(evtchn_port_t port);
void xen_evtchn_mask(evtchn_port_t port);
void xen_evtchn_handle(evtchn_port_t port, xen_evtchn_handler fn, void *arg);
/* Wait for port alone until deadline_ns (monotonic): true when its event came (and is consumed). */
bool xen_evtchn_poll(evtchn_port_t port, uint64_t deadline_ns);
/* Clear and run every pending handled port; returns how many ran. */
unsigned xen_evtchn_dispatch(void);
void xen_idle(uint64_t deadline_ns);

void xen_traps_init(void);
noreturn void xen_shutdown(unsigned reason);

/* xenstore (xenstore.c): 0 or a negative errno. */
int xs_init(unsigned long mfn, evtchn_port_t port);
int xs_read(const char *path, char *buf, size_t len);
int xs_write(const char *path, const char *value);
int xs_rm(const char *path);
int xs_directory(const char *path, char *buf, size_t len);
int xs_watch(const char *path, const char *token);
int xs_unwatch(const char *path, const char *token);
int xs_transaction_start(uint32_t *tx);
int xs_transaction_end(uint32_t tx, bool commit);
int xs_read_tx(uint32_t tx, const char *path, char *buf, size_t len);
int xs_write_tx(uint32_t tx, const char *path, const char *value);
/* Block until a watch fires (or deadline); 0 with the path in buf, -ETIMEDOUT. */
int xs_wait_watch(char *path, size_t len, char *token, size_t tlen, uint64_t deadline_ns);
/* Wait by polling xenstore's event channel, not through the scheduler (boot and halt). */
void xs_polled(bool on);

/* Grant tables (gnttab.c). */
int gnttab_init(void);
/* Let domid access our page at va (read-only or not): the grant reference, or a negative errno. */
int gnttab_grant_access(uint16_t domid, const void *va, bool readonly);
/* Take the access back: 0, or -EBUSY while the other side still has it mapped. */
int gnttab_end_access(int ref);
unsigned gnttab_free_count(void);

void xen_shutdown_watch_start(void);

/* devices.c: connect every vif and vbd (boot), close them (halt; xenstore then stays polled). */
void xen_devices_probe(void);
void xen_devices_close(void);

#endif
