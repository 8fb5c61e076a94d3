/* dial-tls-info.h: the TLS options at TLS_HANDSHAKING, and what the
 * handshake agreed on
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

#include "dial-record.h"
#include "dial-trace.h"

G_BEGIN_DECLS

typedef struct
{
  GTlsDatabase *database;   /* NULL: the provider's default */
  char        **alpn;       /* NULL: no ALPN */
  gboolean      insecure;   /* accept a certificate that fails verification */
} DialCmdTlsOptions;

void dial_cmd_tls_prepare             (GTlsConnection          *tls,
                                       const DialCmdTlsOptions *options,
                                       DialCmdTrace            *trace);
void dial_cmd_tls_describe_handshaking (DialCmdRecord          *record,
                                       GTlsConnection          *tls);
void dial_cmd_tls_describe_handshaked (DialCmdRecord           *record,
                                       GTlsConnection          *tls);

G_END_DECLS
