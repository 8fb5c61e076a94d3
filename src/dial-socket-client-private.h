/* dial-socket-client-private.h: what the connect drivers need of the client
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <dial/dial.h>

G_BEGIN_DECLS

void            dial_socket_client_emit_event            (DialSocketClient   *client,
                                                          GSocketClientEvent  event,
                                                          GSocketConnectable *connectable,
                                                          GIOStream          *connection);
gboolean        dial_socket_client_is_application_proxy  (DialSocketClient   *client,
                                                          const char         *protocol);
/* The resolver set on the client, or NULL when it uses the default one. */
GProxyResolver *dial_socket_client_peek_proxy_resolver   (DialSocketClient   *client);

G_END_DECLS
