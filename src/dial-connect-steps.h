/* dial-connect-steps.h: the steps the sync and async drivers share
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "dial-socket-client-private.h"

G_BEGIN_DECLS

typedef enum
{
  /* Negotiate with the returned GProxy. */
  DIAL_PROXY_PLAN_NEGOTIATE,
  /* An application proxy: hand the raw connection to the caller. */
  DIAL_PROXY_PLAN_APPLICATION,
  /* The proxy cannot be used; the error says why. */
  DIAL_PROXY_PLAN_FAILED,
} DialProxyPlan;

GSocketAddressEnumerator *dial_connect_enumerate          (DialSocketClient    *client,
                                                           GSocketConnectable  *connectable);
GSocket                  *dial_connect_create_socket      (DialSocketClient    *client,
                                                           GSocketAddress      *address,
                                                           GError             **error);
GProxyAddress            *dial_connect_get_proxy_address  (DialSocketClient    *client,
                                                           GSocketAddress      *address);
void                      dial_connect_prefix_error       (GError             **error,
                                                           GSocketConnectable  *connectable,
                                                           GSocketAddress      *address);
DialProxyPlan             dial_connect_plan_proxy         (DialSocketClient    *client,
                                                           GIOStream           *connection,
                                                           GProxyAddress       *proxy_address,
                                                           GProxy             **proxy,
                                                           GError             **error);
GIOStream                *dial_connect_new_tls            (DialSocketClient    *client,
                                                           GIOStream           *base_io_stream,
                                                           GSocketConnectable  *connectable,
                                                           GError             **error);
GSocketConnection        *dial_connect_wrap               (GIOStream           *stream,
                                                           GSocket             *socket);

G_END_DECLS
