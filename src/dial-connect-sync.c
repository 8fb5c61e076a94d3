/* dial-connect-sync.c
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "dial-connect-operation.h"
#include "dial-connect-sync.h"

/*
 * The synchronous driver runs the same operation as the asynchronous one,
 * on a main context of its own, until it is finished: the synchronous
 * connect races addresses (Happy Eyeballs) like the asynchronous one,
 * which GIO's does not. It returns only once every attempt it started has
 * released its socket, so no descriptor outlives the call. A connect that
 * needs no waiting at all (an IP literal that accepts at once) makes no
 * main context.
 */
GSocketConnection *
dial_connect_sync (DialSocketClient    *client,
                   GSocketConnectable  *connectable,
                   GCancellable        *cancellable,
                   GError             **error)
{
  g_autoptr(DialConnectOperation) operation = NULL;

  operation = dial_connect_operation_new (client, connectable, cancellable,
                                          DIAL_CONNECT_SYNC, NULL);
  return dial_connect_operation_run_sync (operation, error);
}
