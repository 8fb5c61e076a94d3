/* dial-tls-client-connection-private.h: what the substreams and sources
 * need from the connection
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "dial-tls-client-connection.h"
#include "dial-tls-io-private.h"

G_BEGIN_DECLS

gssize      dial_tls_client_connection_read         (DialTlsClientConnection  *self,
                                                     void                     *buffer,
                                                     gsize                     count,
                                                     gboolean                  blocking,
                                                     GCancellable             *cancellable,
                                                     GError                  **error);
gssize      dial_tls_client_connection_write        (DialTlsClientConnection  *self,
                                                     const void               *buffer,
                                                     gsize                     count,
                                                     gboolean                  blocking,
                                                     GCancellable             *cancellable,
                                                     GError                  **error);
gboolean    dial_tls_client_connection_close_sides  (DialTlsClientConnection  *self,
                                                     gboolean                  read_side,
                                                     gboolean                  write_side,
                                                     GCancellable             *cancellable,
                                                     GError                  **error);
void        dial_tls_client_connection_close_sides_async  (DialTlsClientConnection *self,
                                                           gboolean                 read_side,
                                                           gboolean                 write_side,
                                                           int                      io_priority,
                                                           GCancellable            *cancellable,
                                                           GAsyncReadyCallback      callback,
                                                           gpointer                 user_data);
gboolean    dial_tls_client_connection_close_sides_finish (DialTlsClientConnection  *self,
                                                           GAsyncResult             *result,
                                                           GError                  **error);

gboolean    dial_tls_client_connection_is_ready     (DialTlsClientConnection  *self,
                                                     DialTlsOp                 op);
gboolean    dial_tls_client_connection_has_pending  (DialTlsClientConnection  *self);
DialTlsWait dial_tls_client_connection_get_wait     (DialTlsClientConnection  *self,
                                                     DialTlsOp                 op,
                                                     gboolean                  owns_op,
                                                     GSource                  *waiter,
                                                     GIOCondition             *condition);
GPollableInputStream  *dial_tls_client_connection_get_base_input  (DialTlsClientConnection *self);
GPollableOutputStream *dial_tls_client_connection_get_base_output (DialTlsClientConnection *self);
void        dial_tls_client_connection_add_source    (DialTlsClientConnection  *self,
                                                      GSource                  *source);
void        dial_tls_client_connection_remove_source (DialTlsClientConnection  *self,
                                                      GSource                  *source);

G_END_DECLS
