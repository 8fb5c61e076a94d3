/* dial-connect-sync.c
 *
 * Copyright 2026 The libdial developers
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config.h"

#include "dial-connect-error.h"
#include "dial-connect-steps.h"
#include "dial-connect-sync.h"

/*
 * The synchronous driver tries one address at a time, each through every
 * stage (connect, proxy, TLS) before the next, exactly as GIO's
 * g_socket_client_connect() does. Failures are ranked in @best; the first
 * address to get through every stage wins.
 */

typedef struct
{
  DialSocketClient   *client;
  GSocketConnectable *connectable;
  GCancellable       *cancellable;
  DialBestError       best;
} SyncConnect;

static GIOStream *
negotiate_proxy (SyncConnect    *self,
                 GIOStream      *connection,
                 GProxyAddress  *proxy_address,
                 gboolean       *application_proxy)
{
  g_autoptr(GProxy) proxy = NULL;
  GIOStream *proxied;
  GError *error = NULL;

  switch (dial_connect_plan_proxy (self->client, connection, proxy_address, &proxy, &error))
    {
    case DIAL_PROXY_PLAN_APPLICATION:
      *application_proxy = TRUE;
      return g_object_ref (connection);

    case DIAL_PROXY_PLAN_NEGOTIATE:
      dial_socket_client_emit_event (self->client, G_SOCKET_CLIENT_PROXY_NEGOTIATING,
                                     self->connectable, connection);
      proxied = g_proxy_connect (proxy, connection, proxy_address, self->cancellable, &error);
      if (proxied == NULL)
        break;
      dial_socket_client_emit_event (self->client, G_SOCKET_CLIENT_PROXY_NEGOTIATED,
                                     self->connectable, proxied);
      return proxied;

    case DIAL_PROXY_PLAN_FAILED:
    default:
      break;
    }

  dial_best_error_take (&self->best, G_SOCKET_CLIENT_PROXY_NEGOTIATING, error);
  return NULL;
}

static GIOStream *
handshake_tls (SyncConnect *self,
               GIOStream   *stream)
{
  g_autoptr(GIOStream) tls = NULL;
  GError *error = NULL;

  tls = dial_connect_new_tls (self->client, stream, self->connectable, &error);
  if (tls == NULL)
    goto failed;

  dial_socket_client_emit_event (self->client, G_SOCKET_CLIENT_TLS_HANDSHAKING,
                                 self->connectable, tls);
  if (!g_tls_connection_handshake (G_TLS_CONNECTION (tls), self->cancellable, &error))
    goto failed;
  dial_socket_client_emit_event (self->client, G_SOCKET_CLIENT_TLS_HANDSHAKED,
                                 self->connectable, tls);

  return g_steal_pointer (&tls);

failed:
  dial_best_error_take (&self->best, G_SOCKET_CLIENT_TLS_HANDSHAKING, error);
  return NULL;
}

/* Runs one address through every stage; returns the connection, or NULL
 * with the failure ranked in self->best. */
static GSocketConnection *
connect_address (SyncConnect    *self,
                 GSocketAddress *address)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GIOStream) stream = NULL;
  GProxyAddress *proxy_address;
  gboolean application_proxy = FALSE;
  GError *error = NULL;

  socket = dial_connect_create_socket (self->client, address, &error);
  if (socket == NULL)
    {
      dial_best_error_take (&self->best, G_SOCKET_CLIENT_CONNECTING, error);
      return NULL;
    }

  connection = g_socket_connection_factory_create_connection (socket);
  dial_socket_client_emit_event (self->client, G_SOCKET_CLIENT_CONNECTING,
                                 self->connectable, G_IO_STREAM (connection));
  if (!g_socket_connection_connect (connection, address, self->cancellable, &error))
    {
      dial_connect_prefix_error (&error, self->connectable, address);
      dial_best_error_take (&self->best, G_SOCKET_CLIENT_CONNECTING, error);
      return NULL;
    }
  dial_socket_client_emit_event (self->client, G_SOCKET_CLIENT_CONNECTED,
                                 self->connectable, G_IO_STREAM (connection));

  stream = G_IO_STREAM (g_steal_pointer (&connection));

  proxy_address = dial_connect_get_proxy_address (self->client, address);
  if (proxy_address != NULL)
    {
      g_autoptr(GIOStream) proxied = NULL;

      proxied = negotiate_proxy (self, stream, proxy_address, &application_proxy);
      g_set_object (&stream, proxied);
      if (stream == NULL)
        return NULL;
    }

  if (!application_proxy && dial_socket_client_get_tls (self->client))
    {
      g_autoptr(GIOStream) tls = NULL;

      tls = handshake_tls (self, stream);
      g_set_object (&stream, tls);
      if (stream == NULL)
        return NULL;
    }

  return dial_connect_wrap (g_steal_pointer (&stream), socket);
}

GSocketConnection *
dial_connect_sync (DialSocketClient    *client,
                   GSocketConnectable  *connectable,
                   GCancellable        *cancellable,
                   GError             **error)
{
  g_autoptr(GSocketAddressEnumerator) enumerator = NULL;
  SyncConnect self = {
    .client = client,
    .connectable = connectable,
    .cancellable = cancellable,
    .best = DIAL_BEST_ERROR_INIT,
  };
  GSocketConnection *connection = NULL;
  gboolean resolved = FALSE;

  enumerator = dial_connect_enumerate (client, connectable);

  while (connection == NULL)
    {
      g_autoptr(GSocketAddress) address = NULL;
      GError *local_error = NULL;

      /* A cancel seen here wins over every failure seen so far. A cancel
       * after the last stage succeeded is not seen at all: GIO returns
       * the connection then, and so does this driver. */
      if (g_cancellable_set_error_if_cancelled (cancellable, &local_error))
        {
          dial_best_error_clear (&self.best);
          dial_best_error_take (&self.best, G_SOCKET_CLIENT_RESOLVING, local_error);
          break;
        }

      if (!resolved)
        dial_socket_client_emit_event (client, G_SOCKET_CLIENT_RESOLVING, connectable, NULL);

      address = g_socket_address_enumerator_next (enumerator, cancellable, &local_error);
      if (local_error != NULL)
        dial_best_error_take (&self.best, G_SOCKET_CLIENT_RESOLVING, local_error);

      /* Emitted even when resolution failed, as GIO does in this mode. */
      if (!resolved)
        {
          dial_socket_client_emit_event (client, G_SOCKET_CLIENT_RESOLVED, connectable, NULL);
          resolved = TRUE;
        }

      if (address == NULL)
        break;

      connection = connect_address (&self, address);
    }

  if (connection == NULL && !dial_best_error_isset (&self.best))
    dial_best_error_take (&self.best, G_SOCKET_CLIENT_RESOLVING, dial_connect_new_empty_error ());

  dial_socket_client_emit_event (client, G_SOCKET_CLIENT_COMPLETE, connectable,
                                 connection ? G_IO_STREAM (connection) : NULL);

  if (connection == NULL)
    g_propagate_error (error, dial_best_error_steal (&self.best));
  dial_best_error_clear (&self.best);

  return connection;
}
