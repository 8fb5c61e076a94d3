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
 * released its socket, so no descriptor outlives the call.
 */
GSocketConnection *
dial_connect_sync (DialSocketClient    *client,
                   GSocketConnectable  *connectable,
                   GCancellable        *cancellable,
                   GError             **error)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(DialConnectOperation) operation = NULL;
  GSocketConnection *connection;

  g_main_context_push_thread_default (context);

  operation = dial_connect_operation_new (client, connectable, cancellable,
                                          DIAL_CONNECT_SYNC, NULL);
  dial_connect_operation_run (operation);
  while (!dial_connect_operation_is_finished (operation))
    g_main_context_iteration (context, TRUE);

  connection = dial_connect_operation_steal_result (operation, error);
  g_clear_pointer (&operation, dial_connect_operation_unref);

  g_main_context_pop_thread_default (context);

  return connection;
}
