/* dial-tcp-wrapper-connection.h: a GTcpWrapperConnection that closes its
 * base stream
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define DIAL_TYPE_TCP_WRAPPER_CONNECTION (dial_tcp_wrapper_connection_get_type ())

G_DECLARE_FINAL_TYPE (DialTcpWrapperConnection, dial_tcp_wrapper_connection,
                      DIAL, TCP_WRAPPER_CONNECTION, GTcpWrapperConnection)

GSocketConnection *dial_tcp_wrapper_connection_new (GIOStream *base_io_stream,
                                                    GSocket   *socket);

G_END_DECLS
