/* The C side of xenplan's local Xen driver: libxenstore and libxenctrl (Xen 4.17,
 * Debian package libxen-dev). Only declarations; nothing here is compiled. */
#ifndef CXEN_SHIM_H
#define CXEN_SHIM_H

#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/xattr.h>   /* marks image files of dir pools as xenplan's */
#include <xenstore.h>
/* xenctrl.h defines __XEN_TOOLS__ itself, which xen/domctl.h needs: keep this order. */
#include <xenctrl.h>
#include <xen/version.h>

/* XBT_NULL is a macro cast that Swift imports as Int32; a typed constant avoids the cast. */
static const xs_transaction_t cxen_xbt_null = XBT_NULL;

/* The run-state flags of xc_domaininfo_t, as typed constants. */
static const uint32_t cxen_dominf_dying = XEN_DOMINF_dying;
static const uint32_t cxen_dominf_hvm_guest = XEN_DOMINF_hvm_guest;
static const uint32_t cxen_dominf_shutdown = XEN_DOMINF_shutdown;
static const uint32_t cxen_dominf_paused = XEN_DOMINF_paused;
static const uint32_t cxen_dominf_blocked = XEN_DOMINF_blocked;
static const uint32_t cxen_dominf_running = XEN_DOMINF_running;
static const uint32_t cxen_dominf_shutdownshift = XEN_DOMINF_shutdownshift;
static const uint32_t cxen_dominf_shutdownmask = XEN_DOMINF_shutdownmask;

#endif
