/* dial-tls-errors-private.h: gnutls result codes as GIO errors
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Messages that glib-networking also produces come from its catalog, so
 * that a localized error reads exactly as it would under GIO. */
#define GNET_(String) g_dgettext ("glib-networking", String)

/* What the connection was doing when gnutls failed; it picks the prefix of
 * the catch-all message. */
typedef enum {
  DIAL_TLS_ERROR_CONTEXT_HANDSHAKE,
  DIAL_TLS_ERROR_CONTEXT_READ,
  DIAL_TLS_ERROR_CONTEXT_WRITE,
  DIAL_TLS_ERROR_CONTEXT_CLOSE,
} DialTlsErrorContext;

GError *dial_tls_error_from_gnutls (int                  status,
                                    DialTlsErrorContext  context,
                                    gboolean             first_handshake,
                                    gboolean             require_close_notify,
                                    const char          *alert_name,
                                    GError              *transport_error);

G_END_DECLS
