/* demo-tls-client.h: what the demo does with a client's TLS connection
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

gboolean  demo_tls_client_trust_only     (GTlsConnection    *tls,
                                          const char        *ca_file);
void      demo_tls_client_note_provider  (GTlsConnection    *tls);
void      demo_tls_client_note_handshake (GTlsConnection    *tls);
char     *demo_tls_client_read_line      (GSocketConnection *connection);

G_END_DECLS
