/* demo-tls.h: a tiny TLS server for the demo, on gnutls
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The line the server sends first, before it echoes what it receives. */
#define DEMO_TLS_GREETING "Hello from the demo's TLS server"

typedef struct _DemoTlsServer DemoTlsServer;

DemoTlsServer *demo_tls_server_new         (GError        **error);
void           demo_tls_server_free        (DemoTlsServer  *server);
guint16        demo_tls_server_get_port    (DemoTlsServer  *server);
gboolean       demo_tls_server_has_ipv6    (DemoTlsServer  *server);
const char    *demo_tls_server_get_ca_file (DemoTlsServer  *server);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DemoTlsServer, demo_tls_server_free)

G_END_DECLS
