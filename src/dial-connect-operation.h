/* dial-connect-operation.h: one connect, driven on a main context
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "dial-socket-client-private.h"

G_BEGIN_DECLS

typedef struct _DialConnectOperation DialConnectOperation;

typedef enum
{
  /* The events and cancellation rules of GIO's asynchronous connect. */
  DIAL_CONNECT_ASYNC,
  /* Those of GIO's synchronous connect (RESOLVED even when resolution
   * failed, nothing but COMPLETE when cancelled before the start, no
   * cancellation check after the last stage succeeded). */
  DIAL_CONNECT_SYNC,
} DialConnectMode;

DialConnectOperation *dial_connect_operation_new          (DialSocketClient     *client,
                                                           GSocketConnectable   *connectable,
                                                           GCancellable         *cancellable,
                                                           DialConnectMode       mode,
                                                           GTask                *task);
void                  dial_connect_operation_run          (DialConnectOperation *self);
GSocketConnection    *dial_connect_operation_run_sync     (DialConnectOperation *self,
                                                           GError              **error);
DialConnectOperation *dial_connect_operation_ref          (DialConnectOperation *self);
void                  dial_connect_operation_unref        (DialConnectOperation *self);

void                  dial_connect_operation_start        (DialSocketClient     *client,
                                                           GSocketConnectable   *connectable,
                                                           GCancellable         *cancellable,
                                                           GAsyncReadyCallback   callback,
                                                           gpointer              user_data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DialConnectOperation, dial_connect_operation_unref)

G_END_DECLS
