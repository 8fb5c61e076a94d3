/* dial-connect-operation.h: the asynchronous connect driver
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "dial-socket-client-private.h"

G_BEGIN_DECLS

void dial_connect_operation_start (DialSocketClient    *client,
                                   GSocketConnectable  *connectable,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data);

G_END_DECLS
