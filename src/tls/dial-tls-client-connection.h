/* dial-tls-client-connection.h: the built-in TLS client connection
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define DIAL_TYPE_TLS_CLIENT_CONNECTION (dial_tls_client_connection_get_type ())

G_DECLARE_FINAL_TYPE (DialTlsClientConnection, dial_tls_client_connection, DIAL, TLS_CLIENT_CONNECTION, GTlsConnection)

GIOStream *dial_tls_client_connection_new (GIOStream           *base,
                                           GSocketConnectable  *server_identity,
                                           GError             **error);

G_END_DECLS
