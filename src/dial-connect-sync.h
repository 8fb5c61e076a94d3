/* dial-connect-sync.h: the synchronous connect driver
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "dial-socket-client-private.h"

G_BEGIN_DECLS

GSocketConnection *dial_connect_sync (DialSocketClient    *client,
                                      GSocketConnectable  *connectable,
                                      GCancellable        *cancellable,
                                      GError             **error);

G_END_DECLS
